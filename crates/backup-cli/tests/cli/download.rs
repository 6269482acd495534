//! `cloud-backup download` of links the emulator publishes, and `cloud-backup demo`.

use std::time::Duration;

use fake_cloud::Route;
use sha2::{Digest, Sha256};

use crate::common::{Cloud, assert_one_line_error, bare, failure};

const KEY: &str = "aliyun/t1/orders.csv";
const SIZE: u64 = 3 * 1024 * 1024 + 17;

fn download(
    cloud: &Cloud,
    url: &str,
    file: &std::path::Path,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    bare(cloud.home.path())
        .args(["download", url, "-o"])
        .arg(file)
        .args(extra)
        .assert()
}

/// Bytes the resume state beside `file` records as written.
fn saved_bytes(file: &std::path::Path) -> u64 {
    let meta = file.with_file_name(format!(
        "{}.part.json",
        file.file_name().unwrap().to_string_lossy()
    ));
    let Ok(text) = std::fs::read(meta) else {
        return 0;
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return 0;
    };
    v["written"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n.as_u64()).sum())
        .unwrap_or(0)
}

#[cfg(unix)]
#[test]
fn ctrl_c_exits_130_and_the_same_command_resumes() {
    let cloud = Cloud::start();
    let size = 8 * 1024 * 1024;
    let url = cloud.cloud.publish(KEY, size, Duration::from_secs(600));
    // 2 MiB/s: the download takes about 4 s, long enough to be interrupted mid-way.
    cloud.cloud.set_bandwidth(Some(2 * 1024 * 1024));
    let file = cloud.home.path().join("orders.csv");
    let bin = assert_cmd::cargo::cargo_bin("cloud-backup");
    let child = std::process::Command::new(&bin)
        .env_clear()
        .env("HOME", cloud.home.path())
        .args(["download", &url, "--connections", "1", "-o"])
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while saved_bytes(&file) == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(saved_bytes(&file) > 0, "the download started");
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!stderr.contains("Signature="), "{stderr}");
    assert!(!file.exists(), "no final file after an interruption");
    let kept = saved_bytes(&file);
    assert!(kept > 0 && kept < size, "{kept} bytes kept");

    cloud.cloud.set_bandwidth(None);
    let output = download(&cloud, &url, &file, &["--connections", "1"])
        .success()
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["resumed_bytes"].as_u64().unwrap() >= kept,
        "{report}"
    );
    assert!(std::fs::read(&file).unwrap() == cloud.cloud.object(KEY).unwrap().content());
}

#[test]
fn no_direct_io_writes_through_the_page_cache() {
    let cloud = Cloud::start();
    let url = cloud.cloud.publish(KEY, SIZE, Duration::from_secs(600));
    let file = cloud.home.path().join("orders.csv");
    let output = download(&cloud, &url, &file, &["--no-direct-io"])
        .success()
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["direct_io"], false);
    assert!(std::fs::read(&file).unwrap() == cloud.cloud.object(KEY).unwrap().content());
}

#[test]
fn download_writes_the_verified_file_and_reports_the_checks() {
    let cloud = Cloud::start();
    let url = cloud.cloud.publish(KEY, SIZE, Duration::from_secs(600));
    let file = cloud.home.path().join("orders.csv");
    let content = cloud.cloud.object(KEY).unwrap().content();
    let sha256 = format!("{:x}", Sha256::digest(&content));
    let output = download(
        &cloud,
        &url,
        &file,
        &[
            "--connections",
            "3",
            "--sha256",
            &sha256,
            "--expected-size",
            &SIZE.to_string(),
            "-vvv",
        ],
    )
    .success()
    .get_output()
    .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["bytes"], SIZE);
    assert_eq!(report["ranged"], true);
    assert_eq!(report["direct_io"], cfg!(target_os = "linux"));
    let verified: Vec<&str> = report["verified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for check in ["size", "crc64ecma", "sha256"] {
        assert!(verified.contains(&check), "{check} in {verified:?}");
    }
    assert!(
        std::fs::read(&file).unwrap() == content,
        "the file is the object"
    );
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(
        logs.contains("downloading"),
        "-vvv logs the download: {logs}"
    );
    assert!(
        !logs.contains("Signature="),
        "the link's signature is not logged: {logs}"
    );
    let storage = cloud.cloud.requests_to(Route::Storage);
    assert!(storage.len() > 1, "ranges over several requests");
    assert!(storage.iter().all(|r| r.header("authorization").is_none()));
}

#[test]
fn a_wrong_sha256_leaves_no_file_and_exits_1() {
    let cloud = Cloud::start();
    let url = cloud.cloud.publish(KEY, 1024, Duration::from_secs(600));
    let file = cloud.home.path().join("orders.csv");
    let stderr = failure(
        download(&cloud, &url, &file, &["--sha256", &"0".repeat(64)]),
        1,
    );
    assert_one_line_error(&stderr, &["sha256 mismatch"]);
    assert!(!file.exists(), "no final file after a failed verification");
}

#[test]
fn an_expired_link_exits_1_without_showing_its_signature() {
    let cloud = Cloud::start();
    let url = cloud.cloud.publish(KEY, 1024, Duration::from_secs(0));
    std::thread::sleep(Duration::from_millis(1100));
    let stderr = failure(download(&cloud, &url, &cloud.home.path().join("x"), &[]), 1);
    assert_one_line_error(&stderr, &["/objects/aliyun/t1/orders.csv?<redacted>"]);
    assert!(!stderr.contains("Signature="), "{stderr}");
}

#[test]
fn download_flags_are_checked() {
    let home = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            vec!["download", "http://x/y", "-o", "f", "--connections", "0"],
            "--connections",
        ),
        (
            vec!["download", "http://x/y", "-o", "f", "--sha256", "abc"],
            "64 hexadecimal digits",
        ),
        (
            vec!["download", "http://x/"],
            "has no file name: give one with -o FILE",
        ),
        (
            vec![
                "--region",
                "cn-hangzhou",
                "download",
                "http://x/y",
                "-o",
                "f",
            ],
            "--region does not apply",
        ),
    ] {
        let stderr = failure(bare(home.path()).args(&args).assert(), 2);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn demo_runs_every_flow_with_nothing_configured() {
    let home = tempfile::tempdir().unwrap();
    let output = bare(home.path())
        .arg("demo")
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "DescribeBackups (RDS)",
        "CreateDownload",
        "DescribeDownloadBackupSetStorageInfo",
        ".csv: 1048576 bytes, verified size, crc64ecma",
        "DescribeDBBackups",
        "cmgo-p8vnipr5_0.tar: 1048576 bytes, verified size, crc64ecma",
        "KeystoneListProjects (IAM)",
        "ShowBackupDownloadLink",
        "verified size, md5",
        "4 backup files exported, downloaded and verified",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(text.contains("?<redacted>"), "links are shown cut: {text}");
    assert!(!text.contains("Signature="), "no link signature: {text}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The link from a file or from standard input: the signature never sits on the command line
/// (where `ps` shows it).
#[test]
fn the_link_can_come_from_a_file_or_standard_input() {
    let cloud = Cloud::start();
    let url = cloud.cloud.publish(KEY, SIZE, Duration::from_secs(600));
    let content = cloud.cloud.object(KEY).unwrap().content();
    let list = cloud.home.path().join("link.txt");
    std::fs::write(&list, format!("\n  {url}\n")).unwrap();
    let from_file = cloud.home.path().join("a.csv");
    bare(cloud.home.path())
        .args(["download", "--url-file"])
        .arg(&list)
        .arg("-o")
        .arg(&from_file)
        .assert()
        .success();
    assert!(std::fs::read(&from_file).unwrap() == content);
    let from_stdin = cloud.home.path().join("b.csv");
    bare(cloud.home.path())
        .args(["download", "--url-file", "-", "-o"])
        .arg(&from_stdin)
        .write_stdin(url.clone())
        .assert()
        .success();
    assert!(std::fs::read(&from_stdin).unwrap() == content);

    std::fs::write(&list, "\n \n").unwrap();
    let stderr = failure(
        bare(cloud.home.path())
            .args(["download", "--url-file"])
            .arg(&list)
            .args(["-o", "x"])
            .assert(),
        2,
    );
    assert_one_line_error(&stderr, &["--url-file", "no link"]);
}

/// An existing file is never replaced silently: kept with an error naming --overwrite,
/// replaced with it, and skipped (without downloading) once it is the verified object.
#[test]
fn an_existing_file_is_kept_unless_overwrite_and_skipped_when_verified() {
    let cloud = Cloud::start();
    let url = cloud.cloud.publish(KEY, SIZE, Duration::from_secs(600));
    let file = cloud.home.path().join("orders.csv");
    std::fs::write(&file, b"yesterday's file").unwrap();
    let stderr = failure(download(&cloud, &url, &file, &[]), 1);
    assert_one_line_error(&stderr, &["already exists", "--overwrite"]);
    assert_eq!(std::fs::read(&file).unwrap(), b"yesterday's file");

    download(&cloud, &url, &file, &["--overwrite"]).success();
    assert!(std::fs::read(&file).unwrap() == cloud.cloud.object(KEY).unwrap().content());
    let output = download(&cloud, &url, &file, &[])
        .success()
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["skipped"], true, "{report}");
}

/// A second run on the same file (an overrunning cron job) exits at once, naming the first.
#[cfg(unix)]
#[test]
fn a_second_run_on_the_same_file_exits_at_once_naming_the_first() {
    let cloud = Cloud::start();
    let url = cloud
        .cloud
        .publish(KEY, 8 * 1024 * 1024, Duration::from_secs(600));
    cloud.cloud.set_bandwidth(Some(2 * 1024 * 1024));
    let file = cloud.home.path().join("orders.csv");
    let first = std::process::Command::new(assert_cmd::cargo::cargo_bin("cloud-backup"))
        .env_clear()
        .env("HOME", cloud.home.path())
        .args(["download", &url, "-o"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = cloud.home.path().join("orders.csv.lock");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&lock).map_or(true, |t| t.trim().is_empty())
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let stderr = failure(download(&cloud, &url, &file, &[]), 1);
    let mut first = first;
    let _ = first.kill();
    let _ = first.wait();
    assert_one_line_error(
        &stderr,
        &[
            &format!("another cloud-backup (pid {}) is writing", first.id()),
            "orders.csv",
        ],
    );
}

/// Without -o the file is named after the link (made safe) in the current directory; `-o DIR/`
/// writes into DIR, created when missing; a non-URL argument is a usage error.
#[test]
fn the_file_name_defaults_to_the_links_and_a_directory_target_works() {
    let cloud = Cloud::start();
    let url = cloud.cloud.publish(KEY, 1000, Duration::from_secs(600));
    let content = cloud.cloud.object(KEY).unwrap().content();
    let cwd = cloud.home.path().join("work");
    std::fs::create_dir(&cwd).unwrap();
    bare(cloud.home.path())
        .current_dir(&cwd)
        .args(["download", &url])
        .assert()
        .success();
    assert!(std::fs::read(cwd.join("orders.csv")).unwrap() == content);

    let into = cloud.home.path().join("new/dir/");
    bare(cloud.home.path())
        .args(["download", &url, "-o"])
        .arg(format!("{}/", into.display()))
        .assert()
        .success();
    assert!(std::fs::read(into.join("orders.csv")).unwrap() == content);

    let stderr = failure(
        bare(cloud.home.path())
            .args(["download", "orders.csv"])
            .assert(),
        2,
    );
    assert_one_line_error(&stderr, &["https://"]);
}

/// `cloud-backup emulator` prints where it listens and what to export, serves other
/// `cloud-backup` runs, and stops cleanly on Ctrl-C.
#[cfg(unix)]
#[test]
fn the_emulator_serves_commands_until_interrupted() {
    use std::io::BufRead;
    let home = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cloud-backup"))
        .env_clear()
        .env("HOME", home.path())
        .arg("emulator")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    let endpoint = info["endpoint"].as_str().unwrap();
    let dds = info["catalogue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["service"] == "dds")
        .unwrap();
    let mut cmd = bare(home.path());
    for (k, v) in info["env"].as_object().unwrap() {
        cmd.env(k, v.as_str().unwrap());
    }
    let out = crate::common::stdout(
        cmd.args([
            "--endpoint",
            endpoint,
            "--allow-http",
            "huawei",
            "dds-show-backup-download-link",
        ])
        .args(["--instance-id", dds["instance"].as_str().unwrap()])
        .args(["--backup-id", dds["backup"].as_str().unwrap()]),
    );
    let links: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        links["files"].as_array().unwrap().len(),
        dds["parts"].as_array().unwrap().len()
    );
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert_eq!(child.wait().unwrap().code(), Some(0), "a clean stop");
}
