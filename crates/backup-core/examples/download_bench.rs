//! Measures the downloader against `fake-cloud`'s object storage on loopback:
//!
//! 1. single-stream throughput of ours (direct I/O on, and off) vs `curl` on the same URL, and
//!    vs `curl` followed by `sync FILE`; every timed run starts after a `sync`;
//! 2. our peak memory (VmHWM of a child process that only downloads);
//! 3. with a per-connection bandwidth limit L, our throughput with 1, 4 and 8 connections.
//!
//! ```text
//! cargo run --release -p backup-core --example download_bench -- [SIZE_MIB] [LIMIT_MIB_PER_S]
//! ```
//! Defaults: 1024 MiB, 8 MiB/s; `BENCH_RUNS` (default 11) runs each, alternating; files go to
//! `BENCH_DIR` (default `.`). The child modes (`get URL FILE CONNECTIONS [buffered]`, `serve`)
//! are internal.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use backup_core::download::{DownloadOptions, Downloader};
use fake_cloud::FakeCloud;

const MIB: u64 = 1024 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("get") {
        let direct_io = args.get(4).map(String::as_str) != Some("buffered");
        return child(
            &args[1],
            &args[2],
            args[3].parse().expect("connections"),
            direct_io,
        );
    }
    if args.first().map(String::as_str) == Some("serve") {
        // Internal: serve one object and print its link (for profiling a client alone), with
        // the same single worker as the benchmark's server.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let cloud = rt.block_on(FakeCloud::start());
        let size: u64 = args[1].parse().unwrap();
        let url = cloud.publish(
            &format!("{}/bench/x.bin", args[2]),
            size * MIB,
            Duration::from_secs(86_400),
        );
        println!("{url}");
        std::thread::sleep(Duration::from_secs(3600));
        return;
    }
    let size_mib: u64 = args
        .first()
        .map(|a| a.parse().expect("SIZE_MIB"))
        .unwrap_or(1024);
    let limit_mib: u64 = args.get(1).map(|a| a.parse().expect("LIMIT")).unwrap_or(8);
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let cloud = server.block_on(FakeCloud::start());
    let prefix = std::env::var("BENCH_PREFIX").unwrap_or_else(|_| "aliyun".into());
    let key = format!("{prefix}/bench/{size_mib}m.bin");
    let url = cloud.publish(&key, size_mib * MIB, Duration::from_secs(86_400));
    // Compute the object's checksums once, before timing anything.
    let _ = cloud.object(&key).unwrap().checksums();
    let dir =
        tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();

    println!("file: {size_mib} MiB, loopback, server in-process (1 tokio worker)");
    // 1. ours (single stream, in a child process that also reports its peak memory), ours with
    //    direct I/O off, curl, curl to /dev/null and curl + sync, alternating; medians reported.
    let exe = std::env::current_exe().unwrap();
    let ours = dir.path().join("ours.bin");
    let theirs = dir.path().join("curl.bin");
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(11);
    let ours_cmd = |extra: &[&str]| {
        let mut c = Command::new(&exe);
        c.args(["get", &url, ours.to_str().unwrap(), "1"])
            .args(extra);
        c
    };
    let curl_cmd = |out: &str| {
        let mut c = Command::new("curl");
        c.args(["-s", "-f", "-o", out, &url]);
        c
    };
    // curl made durable the way ours is: download, then fsync the file.
    let mut curl_sync_cmd = Command::new("sh");
    curl_sync_cmd.args([
        "-c",
        &format!(
            "curl -s -f -o '{0}' '{url}' && sync '{0}'",
            theirs.display()
        ),
    ]);
    let (mut ours_secs, mut buffered_secs) = (Vec::new(), Vec::new());
    let (mut curl_secs, mut null_secs, mut curl_sync_secs) = (Vec::new(), Vec::new(), Vec::new());
    let mut report = String::new();
    for _ in 0..runs {
        let (secs, out) = timed(&mut ours_cmd(&[]), &ours).unwrap_or_else(|e| panic!("{e}"));
        ours_secs.push(secs);
        report = String::from_utf8_lossy(&out.stdout).to_string();
        let (secs, _) =
            timed(&mut ours_cmd(&["buffered"]), &ours).unwrap_or_else(|e| panic!("{e}"));
        buffered_secs.push(secs);
        match timed(&mut curl_cmd(theirs.to_str().unwrap()), &theirs) {
            Ok((secs, _)) => curl_secs.push(secs),
            Err(e) => println!("curl not run: {e}"),
        }
        // The network alone: curl writing nowhere.
        if let Ok((secs, _)) = timed(&mut curl_cmd("/dev/null"), &theirs) {
            null_secs.push(secs);
        }
        if let Ok((secs, _)) = timed(&mut curl_sync_cmd, &theirs) {
            curl_sync_secs.push(secs);
        }
    }
    print!("{report}");
    // Prints the median (with min and max) of `secs`; returns the median rate in MiB/s.
    let summary = |what: &str, secs: &mut Vec<f64>| {
        if secs.is_empty() {
            return None;
        }
        secs.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = secs[secs.len() / 2];
        let rate = size_mib as f64 / median;
        println!(
            "{what}, median of {runs}: {median:.2} s, {rate:.0} MiB/s (min {:.2} s, max {:.2} s)",
            secs[0],
            secs[secs.len() - 1]
        );
        Some(rate)
    };
    let ours_rate = summary(
        "ours, 1 connection (process wall time, fsync included)",
        &mut ours_secs,
    )
    .expect("ours ran");
    summary("ours with direct_io off", &mut buffered_secs);
    if let Some(rate) = summary("curl (process wall time, no fsync)", &mut curl_secs) {
        println!("ours / curl throughput: {:.0}%", 100.0 * ours_rate / rate);
    }
    summary("curl -o /dev/null (the network alone)", &mut null_secs);
    if let Some(rate) = summary("curl + fsync (sync FILE)", &mut curl_sync_secs) {
        println!(
            "ours / (curl + fsync) throughput: {:.0}%",
            100.0 * ours_rate / rate
        );
    }

    // 3. bandwidth-limited, 1/4/8 connections, 64 MiB (8 MiB chunks)
    let limited_mib = 64u64.min(size_mib);
    let lkey = format!("aliyun/bench/limited-{limited_mib}m.bin");
    let lurl = cloud.publish(&lkey, limited_mib * MIB, Duration::from_secs(86_400));
    let _ = cloud.object(&lkey).unwrap().checksums();
    cloud.set_bandwidth(Some(limit_mib * MIB));
    println!("per-connection limit L = {limit_mib} MiB/s, file {limited_mib} MiB, 8 MiB ranges");
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for connections in [1usize, 4, 8] {
        let dest: PathBuf = dir.path().join(format!("limited-{connections}.bin"));
        let opts = DownloadOptions {
            connections,
            chunk_size: 8 * MIB,
            ..DownloadOptions::default()
        };
        let t = Instant::now();
        client
            .block_on(
                Downloader::new()
                    .unwrap()
                    .download(&lurl, &dest, &opts, None, &|_| {}),
            )
            .unwrap();
        let rate = limited_mib as f64 / t.elapsed().as_secs_f64();
        println!(
            "{connections} connection(s): {rate:.1} MiB/s = {:.2} x L",
            rate / limit_mib as f64
        );
        std::fs::remove_file(&dest).unwrap();
    }
}

/// Runs `cmd` after a global `sync`, so it starts with no dirty pages left by the run before
/// (curl leaves its whole file dirty, which would otherwise be written back during the next
/// run), then removes `file`, which it may have written. Its wall time and output when it
/// succeeded; otherwise what went wrong.
fn timed(cmd: &mut Command, file: &std::path::Path) -> Result<(f64, std::process::Output), String> {
    let _ = Command::new("sync").status();
    let t = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    let secs = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(file);
    if out.status.success() {
        Ok((secs, out))
    } else {
        Err(format!(
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn child(url: &str, file: &str, connections: usize, direct_io: bool) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let opts = DownloadOptions {
        connections,
        direct_io,
        ..DownloadOptions::default()
    };
    let t = Instant::now();
    let report = rt
        .block_on(Downloader::new().unwrap().download(
            url,
            std::path::Path::new(file),
            &opts,
            None,
            &|_| {},
        ))
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.to_owned())
        })
        .unwrap_or_else(|| "VmHWM: unknown".into());
    println!(
        "ours, 1 connection (download only): {secs:.2} s, verified {:?}, direct I/O {}; peak memory {}",
        report.verified,
        report.direct_io,
        hwm.trim_start_matches("VmHWM:").trim()
    );
}
