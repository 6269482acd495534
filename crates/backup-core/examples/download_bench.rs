//! Measures the downloader against its peers (`curl`, `aria2c`) on `fake-cloud`'s object storage
//! on loopback, in the same run, alternating, every timed run after a `sync`:
//!
//! - (a) SIZE_MIB (default 1024) unlimited;
//! - (b) 64 MiB with a per-connection limit L (default 8 MiB/s), where 8 connections can reach
//!   8 x L.
//!
//! Contenders: ours with the default options (adaptive, at most 8 connections), ours with one
//! connection, `curl`, `aria2c -x1`, `aria2c -x8 -s8 -k1M`. For ours it also reports the CPU
//! time per GiB, the peak memory (VmHWM), the most connections used, splits and bytes read
//! back for verification, from the child process that downloaded.
//!
//! ```text
//! cargo run --release -p backup-core --example download_bench -- [SIZE_MIB] [LIMIT_MIB_PER_S]
//! ```
//! `BENCH_RUNS` (default 5) runs of each, alternating; files go to `BENCH_DIR` (default `.`);
//! `BENCH_ONLY=(a)` or `(b)` runs one case, `BENCH_PICK=PREFIX` the contenders named so.
//! The child mode (`get URL FILE CONNECTIONS|default`) is internal.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use backup_core::download::{DownloadOptions, Downloader};
use fake_cloud::FakeCloud;

const MIB: u64 = 1024 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("get") {
        return child(&args[1], &args[2], &args[3]);
    }
    let size_mib: u64 = args
        .first()
        .map(|a| a.parse().expect("SIZE_MIB"))
        .unwrap_or(1024);
    let limit_mib: u64 = args.get(1).map(|a| a.parse().expect("LIMIT")).unwrap_or(8);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let cloud = server.block_on(FakeCloud::start());
    let dir =
        tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    println!("loopback, server in-process (1 tokio worker), {runs} alternating runs each");
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    for (case, mib, limit) in [
        ("(a) unlimited", size_mib, None),
        (
            "(b) per-connection limit",
            64.min(size_mib),
            Some(limit_mib),
        ),
    ] {
        if !only.is_empty() && !case.starts_with(&only) {
            continue;
        }
        let key = format!("aliyun/bench/{mib}m-{}.bin", limit.unwrap_or(0));
        let url = cloud.publish(&key, mib * MIB, Duration::from_secs(86_400));
        // Compute the object's checksums once, before timing anything.
        let _ = cloud.object(&key).unwrap().checksums();
        cloud.set_bandwidth(limit.map(|l| l * MIB));
        match limit {
            None => println!("\n{case}: {mib} MiB"),
            Some(l) => println!(
                "\n{case}: {mib} MiB, L = {l} MiB/s, 8 x L = {} MiB/s",
                8 * l
            ),
        }
        bench(&url, dir.path(), mib, limit, runs);
    }
}

/// One contender: a name and how to run it (writing `file`).
struct Contender {
    name: &'static str,
    ours: bool,
    command: Box<dyn Fn(&Path) -> Command>,
    secs: Vec<f64>,
    reports: Vec<String>,
}

fn bench(url: &str, dir: &Path, mib: u64, limit: Option<u64>, runs: usize) {
    let exe = std::env::current_exe().unwrap();
    let ours = |connections: &'static str| {
        let (exe, url) = (exe.clone(), url.to_owned());
        Box::new(move |file: &Path| {
            let mut c = Command::new(&exe);
            c.args(["get", &url, file.to_str().unwrap(), connections]);
            c
        }) as Box<dyn Fn(&Path) -> Command>
    };
    let aria = |extra: &'static [&'static str]| {
        let url = url.to_owned();
        Box::new(move |file: &Path| {
            let mut c = Command::new("aria2c");
            c.args(["-q", "--allow-overwrite=true", "--auto-file-renaming=false"])
                .args(extra)
                .arg("-d")
                .arg(file.parent().unwrap())
                .arg("-o")
                .arg(file.file_name().unwrap())
                .arg(&url);
            c
        }) as Box<dyn Fn(&Path) -> Command>
    };
    let curl = {
        let url = url.to_owned();
        Box::new(move |file: &Path| {
            let mut c = Command::new("curl");
            c.args(["-s", "-f", "-o", file.to_str().unwrap(), &url]);
            c
        }) as Box<dyn Fn(&Path) -> Command>
    };
    let contender = |name, ours, command| Contender {
        name,
        ours,
        command,
        secs: Vec::new(),
        reports: Vec::new(),
    };
    let pick = std::env::var("BENCH_PICK").unwrap_or_default();
    let mut all = vec![
        contender("ours, default options", true, ours("default")),
        contender("ours --connections 1", true, ours("1")),
        contender("curl", false, curl),
        contender("aria2c -x1", false, aria(&["-x1", "-s1"])),
        contender("aria2c -x8 -s8 -k1M", false, aria(&["-x8", "-s8", "-k1M"])),
    ];
    all.retain(|c| pick.is_empty() || c.name.starts_with(&pick));
    let order: Vec<&'static str> = all.iter().map(|c| c.name).collect();
    let file = dir.join("out.bin");
    for round in 0..runs {
        // Each round starts with another contender: whoever runs right after a peer that left
        // a gigabyte in the page cache pays for reclaiming it.
        all.rotate_left(usize::from(round > 0));
        for c in all.iter_mut() {
            match timed(&mut (c.command)(&file), &file) {
                Ok((secs, out)) => {
                    c.secs.push(secs);
                    if c.ours {
                        c.reports
                            .push(String::from_utf8_lossy(&out.stdout).trim().to_owned());
                    }
                }
                Err(e) => println!("{}: not run: {e}", c.name),
            }
        }
    }
    all.sort_by_key(|c| order.iter().position(|n| *n == c.name));
    println!(
        "| | median | min-max | MiB/s (median) |{}",
        match limit {
            Some(_) => " % of 8 x L (min-max) |",
            None => "",
        }
    );
    println!(
        "|---|---|---|---|{}",
        if limit.is_some() { "---|" } else { "" }
    );
    for c in all.iter_mut() {
        if c.secs.is_empty() {
            continue;
        }
        c.secs.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = c.secs[c.secs.len() / 2];
        let (min, max) = (c.secs[0], c.secs[c.secs.len() - 1]);
        let mut row = format!(
            "| {} | {median:.2} s | {min:.2}-{max:.2} s | {:.0} |",
            c.name,
            mib as f64 / median
        );
        if let Some(l) = limit {
            let ideal = mib as f64 / (8 * l) as f64;
            row.push_str(&format!(
                " {:.0}% ({:.0}-{:.0}%) |",
                100.0 * ideal / median,
                100.0 * ideal / max,
                100.0 * ideal / min
            ));
        }
        println!("{row}");
    }
    for c in &all {
        for r in &c.reports {
            println!("  {}: {r}", c.name);
        }
    }
}

/// Runs `cmd` after a global `sync` (so that it starts with no dirty pages left by the run
/// before), then removes `file`. Its wall time and output when it succeeded.
fn timed(cmd: &mut Command, file: &Path) -> Result<(f64, std::process::Output), String> {
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

fn child(url: &str, file: &str, connections: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut opts = DownloadOptions::default();
    if connections != "default" {
        opts.connections = connections.parse().expect("connections");
    }
    let t = Instant::now();
    let report = rt
        .block_on(
            Downloader::new()
                .unwrap()
                .download(url, Path::new(file), &opts, None, &|_| {}),
        )
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    let cpu = cpu_secs().unwrap_or(f64::NAN);
    let gib = report.bytes as f64 / (1024.0 * MIB as f64);
    println!(
        "{secs:.2} s in-process, CPU {:.2} s/GiB, peak memory {hwm}, connections {}, splits {}, \
         read back {} MiB, verified {:?}",
        cpu / gib,
        report.connections,
        report.splits,
        report.reread_bytes / MIB,
        report.verified
    );
}

/// User + system CPU time of this process, from `/proc/self/stat`.
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
