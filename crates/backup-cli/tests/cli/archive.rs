//! `cloud-backup archive` end to end: plans over the three clouds of the emulator, into a local
//! directory and (when the CI's S3 server is there) a real S3 implementation (moto).

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use fake_cloud::{FakeCloud, HUAWEI_PROJECT_ID, Route};
use serde_json::Value;
use sha2::Digest;

use crate::common::Cloud;

/// One source per cloud (and both Aliyun paths: links, and a DBS export).
const SOURCES: &str = r#"
[[source]]
cloud = "aliyun"
product = "rds"
instance = "rm-bp1local0001"
region = "cn-hangzhou"

[[source]]
cloud = "aliyun"
product = "rds"
instance = "rm-bp1cloud0001"
region = "cn-hangzhou"

[[source]]
cloud = "tencent"
instance = "cmgo-dygv1rnp"
region = "ap-guangzhou"

[[source]]
cloud = "huawei"
service = "dds"
instance = "befb1cfe1f96403780396b0c54f85d11in02"
region = "cn-north-4"
"#;

/// A plan file in `dir` with `destination` (the `[destination]` body) and the rest.
fn plan(dir: &Path, destination: &str, rest: &str) -> std::path::PathBuf {
    let path = dir.join("plan.toml");
    std::fs::write(&path, format!("[destination]\n{destination}\n{rest}")).unwrap();
    path
}

/// A temporary directory, the local destination in it, and a plan into that destination with
/// `rest` (its sources, retention).
fn local_plan(rest: &str) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("dest");
    let plan = plan(dir.path(), &format!("url = \"{}\"", dest.display()), rest);
    (dir, dest, plan)
}

/// `archive ARGS` against the emulator: exit code, the JSON report, stderr.
fn archive(cloud: &Cloud, env: &[(&str, &str)], args: &[&str]) -> (i32, Value, String) {
    let output = cloud
        .cmd()
        .envs(env.iter().copied())
        .args(["--output", "json", "archive"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (
        output.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every backup's status in a run report, `source backup status`, sorted.
fn statuses(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["sources"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .flat_map(|s| {
            let source = s["source"].as_str().unwrap_or_default().to_owned();
            s["backups"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |b| format!("{source} {}", b["status"].as_str().unwrap_or_default()))
        })
        .collect();
    out.sort();
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every manifest under `root` and the directory it is in.
fn manifests(root: &Path) -> Vec<(std::path::PathBuf, Value)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() == "manifest.json" {
                let m = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                out.push((dir.clone(), m));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn create_calls(cloud: &Cloud) -> usize {
    cloud.requests(Route::Aliyun, "CreateDownload").len()
        + cloud
            .requests(Route::Tencent, "CreateBackupDownloadTask")
            .len()
}

#[test]
fn a_run_archives_every_cloud_a_second_run_skips_everything_and_verify_checks_each_byte() {
    let cloud = Cloud::start();
    let (_dir, dest, plan) = local_plan(SOURCES);
    let plan = plan.to_str().unwrap();

    // Dry run: the plan's actions, and nothing created or written.
    let (code, report, _) = archive(&cloud, &[], &["run", plan, "--dry-run"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        statuses(&report).iter().all(|s| s.ends_with(" planned")),
        "{report}"
    );
    assert_eq!(create_calls(&cloud), 0);
    assert!(manifests(&dest).is_empty());

    let (code, report, stderr) = archive(&cloud, &[], &["run", plan]);
    assert_eq!(code, 0, "{report} {stderr}");
    assert_eq!(
        statuses(&report),
        [
            "aliyun/rds/cn-hangzhou/rm-bp1cloud0001 archived",
            "aliyun/rds/cn-hangzhou/rm-bp1local0001 archived",
            "huawei/dds/cn-north-4/befb1cfe1f96403780396b0c54f85d11in02 archived",
            "tencent/mongodb/ap-guangzhou/cmgo-dygv1rnp archived",
        ]
    );
    // Each file is one of the emulator's objects, byte for byte, and its manifest says so.
    let objects: Vec<Vec<u8>> = cloud.cloud.objects().iter().map(|o| o.content()).collect();
    let found = manifests(&dest);
    assert_eq!(found.len(), 4);
    let mut files = 0;
    for (dir, m) in &found {
        assert_eq!(m["schema"], 1);
        assert!(m["run"]["finished"].is_string());
        for f in m["files"].as_array().unwrap() {
            let bytes = std::fs::read(dir.join(f["name"].as_str().unwrap())).unwrap();
            assert!(objects.contains(&bytes), "{f}");
            assert_eq!(f["sha256"], sha256_hex(&bytes));
            assert_eq!(f["bytes"], bytes.len());
            files += 1;
        }
    }
    assert_eq!(files, 6, "1 + 1 + 2 replica sets + 2 shards");
    let tencent = &found
        .iter()
        .find(|(d, _)| d.to_string_lossy().contains("tencent"))
        .unwrap()
        .1;
    assert_eq!(
        tencent["backup"]["id"], "cmgo-dygv1rnp_2021-03-26 10:44",
        "the id as sent"
    );
    assert!(
        found.iter().all(|(d, _)| !d.join("lease.json").exists()),
        "leases released"
    );

    // Again: everything skipped, no export created, no byte downloaded.
    cloud.cloud.clear_requests();
    let (code, report, _) = archive(&cloud, &[], &["run", plan]);
    assert_eq!(code, 0);
    assert!(
        statuses(&report).iter().all(|s| s.ends_with(" skipped")),
        "{report}"
    );
    assert_eq!(create_calls(&cloud), 0);
    assert!(
        cloud
            .cloud
            .requests()
            .iter()
            .all(|r| r.action != "GetObject"),
        "nothing downloaded"
    );

    let (code, report, _) = archive(&cloud, &[], &["verify", plan]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["files"].as_array().unwrap().len(), 6);

    // A flipped byte and a missing file are caught, each by name.
    let (tdir, tm) = found
        .iter()
        .find(|(d, _)| d.to_string_lossy().contains("tencent"))
        .unwrap();
    let first = tdir.join(tm["files"][0]["name"].as_str().unwrap());
    let mut bytes = std::fs::read(&first).unwrap();
    bytes[1000] ^= 0x01;
    std::fs::write(&first, bytes).unwrap();
    std::fs::remove_file(tdir.join(tm["files"][1]["name"].as_str().unwrap())).unwrap();
    let (code, report, stderr) = archive(&cloud, &[], &["verify", plan]);
    assert_eq!(code, 1, "{stderr}");
    let bad: Vec<(String, String)> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "ok")
        .map(|f| {
            (
                f["status"].as_str().unwrap().to_owned(),
                f["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(bad.len(), 2, "{report}");
    assert_eq!(bad[0].0, "mismatch");
    assert!(bad[0].1.contains("SHA-256"), "{bad:?}");
    assert_eq!(bad[1].0, "missing");
    assert!(stderr.contains("2 of 6 file(s)"), "{stderr}");
    // --source narrows it to the sources that are fine.
    let (code, _, _) = archive(
        &cloud,
        &[],
        &["verify", plan, "--source", "rm-bp1local0001"],
    );
    assert_eq!(code, 0);

    // list: every backup committed.
    let (code, report, _) = archive(&cloud, &[], &["list", plan]);
    assert_eq!(code, 0);
    let rows = report["backups"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["status"] == "committed"));
}

#[test]
fn a_failing_source_leaves_the_others_archived_and_exits_4() {
    let cloud = Cloud::start();
    let (_dir, dest, plan) = local_plan(
        r#"
[[source]]
cloud = "huawei"
service = "dds"
instance = "befb1cfe1f96403780396b0c54f85d11in02"
region = "cn-north-4"

[[source]]
cloud = "aliyun"
product = "rds"
instance = "rm-bp1local0001"
region = "cn-hangzhou"
select = "no-such-backup"
"#,
    );
    let (code, report, stderr) = archive(&cloud, &[], &["run", plan.to_str().unwrap()]);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(report["sources"][0]["status"], "archived");
    assert_eq!(report["sources"][1]["status"], "failed");
    let error = report["sources"][1]["error"].as_str().unwrap();
    assert!(error.contains("select = \"no-such-backup\""), "{error}");
    assert!(stderr.contains("1 of 2 source(s) failed"), "{stderr}");
    assert_eq!(manifests(&dest).len(), 1);
}

#[test]
fn plans_are_checked_before_anything_is_sent() {
    let cloud = Cloud::start();
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path(), "url = \"/tmp/x\"\nbucket = \"y\"", SOURCES);
    let (code, _, stderr) = archive(&cloud, &[], &["run", plan.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bucket") && stderr.contains("line 3"),
        "{stderr}"
    );
    assert!(cloud.cloud.requests().is_empty());
    let (code, _, stderr) = archive(
        &cloud,
        &[],
        &["run", plan.to_str().unwrap(), "--shard", "3/3"],
    );
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn retention_keeps_what_it_says_and_removes_stale_partial_backups() {
    let cloud = Cloud::start();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("dest");
    let source = r#"
[[source]]
cloud = "aliyun"
product = "rds"
instance = "rm-bp1local0001"
region = "cn-hangzhou"
select = "all-since:3650d"
"#;
    let plan = plan(
        dir.path(),
        &format!("url = \"{}\"", dest.display()),
        &format!("[retention]\nkeep_last = 1\n{source}"),
    );
    // A partial backup of an interrupted run (no manifest, no lease), and one that a run is
    // working on right now (its lease is valid).
    let instance = dest.join("aliyun/rm-bp1local0001");
    std::fs::create_dir_all(instance.join("stale")).unwrap();
    std::fs::write(instance.join("stale/half.xb"), b"half").unwrap();
    std::fs::create_dir_all(instance.join("working")).unwrap();
    std::fs::write(
        instance.join("working/lease.json"),
        r#"{"owner":"other:1:2","expires":"2999-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let (code, report, stderr) = archive(&cloud, &[], &["run", plan.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let archived = statuses(&report);
    assert!(
        archived.len() >= 2,
        "every successful set since then: {archived:?}"
    );
    let pruned = report["pruned"].as_array().unwrap();
    let committed: Vec<&Value> = pruned.iter().filter(|p| p["committed"] == true).collect();
    assert_eq!(committed.len(), archived.len() - 1, "{report}");
    assert!(
        pruned
            .iter()
            .any(|p| p["backup"] == "stale" && p["committed"] == false)
    );
    assert!(!instance.join("stale").exists());
    assert!(
        instance.join("working/lease.json").exists(),
        "a working run's backup stays"
    );
    // What stays is the newest.
    let left = manifests(&dest);
    assert_eq!(left.len(), 1);
    let (_, report, _) = archive(&cloud, &[], &["list", plan.to_str().unwrap()]);
    let committed: Vec<&Value> = report["backups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "committed")
        .collect();
    assert_eq!(committed.len(), 1);
    assert_eq!(committed[0]["backup"], left[0].1["backup"]["id"]);
    // prune alone: nothing more to delete; a dry run deletes nothing.
    let (code, report, _) = archive(&cloud, &[], &["prune", plan.to_str().unwrap(), "--dry-run"]);
    assert_eq!(code, 0);
    assert!(report["pruned"].as_array().unwrap().is_empty(), "{report}");
}

/// The binary as a child process (to run two at once, or to kill one).
fn spawn(cloud: &Cloud, env: &[(&str, &str)], args: &[&str]) -> std::process::Child {
    let (a, t, h) = (
        cloud.cloud.aliyun_credentials(),
        cloud.cloud.tencent_credentials(),
        cloud.cloud.huawei_credentials(),
    );
    std::process::Command::new(assert_cmd::cargo::cargo_bin("cloud-backup"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", cloud.home.path())
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", a.access_key_id())
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", a.secret().expose())
        .env("TENCENTCLOUD_SECRET_ID", t.access_key_id())
        .env("TENCENTCLOUD_SECRET_KEY", t.secret().expose())
        .env("HUAWEICLOUD_SDK_AK", h.access_key_id())
        .env("HUAWEICLOUD_SDK_SK", h.secret().expose())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", HUAWEI_PROJECT_ID)
        .envs(env.iter().copied())
        .args([
            "--endpoint",
            &cloud.cloud.endpoint(),
            "--allow-http",
            "--output",
            "json",
        ])
        .args(["archive"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_json(child: std::process::Child) -> (i32, Value) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
    )
}

/// The Huawei DDS source alone (two 1 MiB shard files through links).
const HUAWEI: &str = r#"
[[source]]
cloud = "huawei"
service = "dds"
instance = "befb1cfe1f96403780396b0c54f85d11in02"
region = "cn-north-4"
"#;

/// Two runs at once: one copy; the other says the backup is busy (or, if it came later,
/// skips it as committed).
fn two_runs_make_one_copy(destination: &str, env: &[(&str, &str)]) {
    let cloud = Cloud::start();
    cloud.cloud.set_bandwidth(Some(1 << 20));
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path(), destination, HUAWEI);
    let plan = plan.to_str().unwrap();
    let first = spawn(&cloud, env, &["run", plan]);
    let second = spawn(&cloud, env, &["run", plan]);
    let (a, b) = (wait_json(first), wait_json(second));
    assert_eq!((a.0, b.0), (0, 0), "{a:?} {b:?}");
    let mut both = [statuses(&a.1), statuses(&b.1)].concat();
    both.sort();
    let source = "huawei/dds/cn-north-4/befb1cfe1f96403780396b0c54f85d11in02";
    assert!(
        both == [format!("{source} archived"), format!("{source} busy")]
            || both == [format!("{source} archived"), format!("{source} skipped")],
        "{both:?}"
    );
    let (code, report, _) = archive(&cloud, env, &["verify", plan]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn two_concurrent_runs_make_one_copy() {
    let dir = tempfile::tempdir().unwrap();
    two_runs_make_one_copy(&format!("url = \"{}\"", dir.path().display()), &[]);
}

/// Kills a run once the destination holds some of the file, runs again, and checks that the
/// second run resumed and produced the emulator's exact bytes.
fn a_killed_run_resumes(
    cloud: &Cloud,
    destination: &str,
    env: &[(&str, &str)],
    started: &dyn Fn() -> bool,
    expire_lease: &dyn Fn(&[u8]),
) {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path(), destination, HUAWEI);
    let plan = plan.to_str().unwrap();
    let mut child = spawn(cloud, env, &["run", plan]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !started() {
        assert!(Instant::now() < deadline, "the transfer never started");
        if let Ok(Some(_)) = child.try_wait() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "the run ended before it could be killed: {} {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Some data well on its way (at the tests' throttled rates), then killed.
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    let _ = child.wait();
    cloud.cloud.set_bandwidth(None);
    let (code, report) = wait_json(spawn(cloud, env, &["run", plan]));
    assert_eq!(code, 0, "{report}");
    let backup = &report["sources"][0]["backups"][0];
    // The killed run's lease is still valid (it could not release it): the rerun leaves the
    // backup to it...
    assert_eq!(backup["status"], "busy", "{report}");
    // ...and once it expired, a run takes it over and resumes.
    expire_lease(br#"{"owner":"killed:1:1","expires":"2000-01-01T00:00:00Z"}"#);
    let (code, report) = wait_json(spawn(cloud, env, &["run", plan]));
    assert_eq!(code, 0, "{report}");
    let backup = &report["sources"][0]["backups"][0];
    assert_eq!(backup["status"], "archived", "{report}");
    assert!(
        backup["resumed_bytes"].as_u64().unwrap() > 0,
        "resumed: {report}"
    );
    let (code, report, _) = archive(cloud, env, &["verify", plan]);
    assert_eq!(code, 0, "byte-identical: {report}");
}

#[test]
fn a_run_killed_mid_transfer_resumes_into_a_local_directory() {
    let cloud = Cloud::with(FakeCloud::builder().task_pace(1).backup_size(4 << 20));
    cloud.cloud.set_bandwidth(Some(1 << 20));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let started = || {
        // The download's `.part` file.
        walk(&root)
            .iter()
            .any(|(p, _)| p.to_string_lossy().ends_with(".part"))
    };
    let expire = |lease: &[u8]| {
        let (path, _) = walk(&root)
            .into_iter()
            .find(|(p, _)| p.ends_with("lease.json"))
            .expect("the killed run's lease");
        std::fs::write(path, lease).unwrap();
    };
    a_killed_run_resumes(
        &cloud,
        &format!("url = \"{}\"", dir.path().display()),
        &[],
        &started,
        &expire,
    );
}

fn walk(root: &Path) -> Vec<(std::path::PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.metadata() {
                Ok(m) if m.is_dir() => stack.push(path),
                Ok(m) => out.push((path, m.len())),
                Err(_) => {}
            }
        }
    }
    out
}

// ---- Against a real S3 implementation (moto), as `.ci/run` starts it. ----

/// The S3 server's endpoint: `CLOUD_BACKUP_TEST_S3`, which `.ci/run` sets. Absent on a
/// developer's machine, the S3 tests say so and return; in CI (`CI` set) they fail instead.
fn s3() -> Option<String> {
    match std::env::var("CLOUD_BACKUP_TEST_S3") {
        Ok(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_owned()),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI must run the S3 tests: .ci/run starts moto and sets CLOUD_BACKUP_TEST_S3")
        }
        _ => {
            eprintln!(
                "SKIPPED: no S3 server (set CLOUD_BACKUP_TEST_S3=http://127.0.0.1:PORT of a \
                 `moto_server`; .ci/run does)"
            );
            None
        }
    }
}

/// One raw HTTP request to the S3 server (moto takes unsigned requests): the status and body.
fn s3_request(endpoint: &str, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let host = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..end]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer.get(end + 4..).unwrap_or_default().to_vec())
}

/// A new bucket for one test, the `[destination]` for it, and the environment.
fn bucket(endpoint: &str, name: &str) -> (String, Vec<(&'static str, &'static str)>) {
    let (status, _) = s3_request(endpoint, "PUT", &format!("/{name}"), b"");
    assert_eq!(status, 200, "bucket {name} created");
    let destination = format!(
        "url = \"s3://{name}/nightly\"\nendpoint = \"{endpoint}\"\nregion = \"us-east-1\"\nallow_http = true"
    );
    let env = vec![
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ];
    (destination, env)
}

#[test]
fn s3_a_run_archives_a_second_skips_and_verify_catches_changes() {
    let Some(endpoint) = s3() else { return };
    let name = format!("archive-{}", std::process::id());
    let (destination, env) = bucket(&endpoint, &name);
    let cloud = Cloud::start();
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path(), &destination, SOURCES);
    let plan = plan.to_str().unwrap();
    let (code, report, stderr) = archive(&cloud, &env, &["run", plan]);
    assert_eq!(code, 0, "{report} {stderr}");
    assert!(
        statuses(&report).iter().all(|s| s.ends_with(" archived")),
        "{report}"
    );
    cloud.cloud.clear_requests();
    let (code, report, _) = archive(&cloud, &env, &["run", plan]);
    assert_eq!(code, 0);
    assert!(
        statuses(&report).iter().all(|s| s.ends_with(" skipped")),
        "{report}"
    );
    assert_eq!(create_calls(&cloud), 0);
    let (code, report, _) = archive(&cloud, &env, &["verify", plan]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["files"].as_array().unwrap().len(), 6);
    // The archived object is the emulator's, byte for byte.
    let huawei = "huawei/befb1cfe1f96403780396b0c54f85d11in02/bd062e1af2d248b3bb4cd3dbb4183888br02";
    let key =
        format!("/{name}/nightly/{huawei}/bd062e1af2d248b3bb4cd3dbb4183888br02_shard_1.tar.gz");
    let (status, bytes) = s3_request(&endpoint, "GET", &key, b"");
    assert_eq!(status, 200);
    let objects: Vec<Vec<u8>> = cloud.cloud.objects().iter().map(|o| o.content()).collect();
    assert!(objects.contains(&bytes));
    // Replaced with other bytes, and one file deleted: both caught.
    let mut flipped = bytes.clone();
    flipped[10] ^= 1;
    assert_eq!(s3_request(&endpoint, "PUT", &key, &flipped).0, 200);
    let other =
        format!("/{name}/nightly/{huawei}/bd062e1af2d248b3bb4cd3dbb4183888br02_shard_2.tar.gz");
    assert_eq!(s3_request(&endpoint, "DELETE", &other, b"").0, 204);
    let (code, report, _) = archive(&cloud, &env, &["verify", plan]);
    assert_eq!(code, 1);
    let bad: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "ok")
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(bad, ["mismatch", "missing"], "{report}");
}

#[test]
fn s3_two_concurrent_runs_make_one_copy() {
    let Some(endpoint) = s3() else { return };
    let (destination, env) = bucket(&endpoint, &format!("overlap-{}", std::process::id()));
    two_runs_make_one_copy(&destination, &env);
}

#[test]
fn s3_a_run_killed_mid_upload_resumes_the_same_upload() {
    let Some(endpoint) = s3() else { return };
    let name = format!("resume-{}", std::process::id());
    let (destination, env) = bucket(&endpoint, &name);
    // Files of 20 MiB: three 8 MiB parts; the run is killed once the first is saved.
    let cloud = Cloud::with(FakeCloud::builder().task_pace(1).backup_size(20 << 20));
    cloud.cloud.set_bandwidth(Some(4 << 20));
    let listing = format!("/{name}?list-type=2&prefix=nightly/");
    let started = || {
        let (_, body) = s3_request(&endpoint, "GET", &listing, b"");
        String::from_utf8_lossy(&body).contains(".upload-")
    };
    // The upload's state exists: its first 8 MiB part is done about 2 s of data later.
    let part_saved = || {
        started() && {
            std::thread::sleep(Duration::from_millis(2500));
            true
        }
    };
    // moto refuses unsigned overwrites of the lease: the killed run's lease (1 minute, the
    // shortest a plan allows) expires by itself instead.
    let destination = format!("{destination}\n[run]\nlease_ttl = \"1m\"");
    let expire = |_: &[u8]| std::thread::sleep(Duration::from_secs(61));
    a_killed_run_resumes(&cloud, &destination, &env, &part_saved, &expire);
}
