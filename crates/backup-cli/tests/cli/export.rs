//! `cloud-backup export`: the whole workflow per vendor against the emulator, files on disk
//! byte-identical to the emulator's objects.

use serde_json::Value;

use crate::common::Cloud;

fn export(cloud: &Cloud, region: &str, args: &[&str]) -> (Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_str().unwrap().to_owned();
    let mut all: Vec<&str> = vec!["export"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--to", &to]);
    let out = cloud.json(region, &all);
    (out, dir)
}

fn assert_files_match(cloud: &Cloud, out: &Value, count: usize) {
    let files = out["files"].as_array().unwrap();
    assert_eq!(files.len(), count, "{out}");
    let objects = cloud.cloud.objects();
    for f in files {
        let path = f["path"].as_str().unwrap();
        let bytes = std::fs::read(path).unwrap();
        assert!(
            objects.iter().any(|o| o.content() == bytes),
            "{path} matches no emulator object"
        );
        assert!(
            f["verified"]
                .as_array()
                .unwrap()
                .contains(&Value::from("size"))
        );
    }
}

/// `export aliyun` of the catalogue's DBS backup set.
const ALIYUN_SET: [&str; 5] = [
    "aliyun",
    "--instance-name",
    "rm-bp1example",
    "--bak-set-id",
    "1234567890",
];

#[test]
fn export_aliyun_downloads_the_backup_set() {
    let cloud = Cloud::start();
    let (out, _dir) = export(&cloud, "cn-hangzhou", &ALIYUN_SET);
    assert_eq!(out["vendor"], "aliyun");
    assert_files_match(&cloud, &out, 1);
    assert_eq!(out["files"][0]["verified"][1], "crc64ecma");
}

/// Running the same export again keeps the verified files (reported `skipped`) instead of
/// downloading or replacing them, and reuses the server-side task; a different file already
/// there stops the export instead of being replaced.
#[test]
fn the_same_export_again_skips_the_files_already_there() {
    let cloud = Cloud::start();
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_str().unwrap();
    let huawei = [
        "export",
        "huawei",
        "--service",
        "dds",
        "--instance-id",
        "befb1cfe1f96403780396b0c54f85d11in02",
        "--backup-id",
        "bd062e1af2d248b3bb4cd3dbb4183888br02",
        "--to",
        to,
    ];
    let first = cloud.json("cn-north-4", &huawei);
    let again = cloud.json("cn-north-4", &huawei);
    let files = |v: &Value| v["files"].as_array().unwrap().clone();
    assert_eq!(files(&first).len(), files(&again).len());
    for (a, b) in files(&first).iter().zip(&files(&again)) {
        assert_eq!(a["skipped"], false, "{first}");
        assert_eq!(b["skipped"], true, "{again}");
        assert_eq!(a["path"], b["path"]);
    }

    // Aliyun: the second run reuses the DBS task of the same backup set and format (no second
    // CreateDownload, no second bill) and skips its verified file.
    let aliyun = [
        "export",
        "aliyun",
        "--instance-name",
        "rm-bp1example",
        "--bak-set-id",
        "1234567890",
        "--to",
        to,
    ];
    let first = cloud.json("cn-hangzhou", &aliyun);
    let task = first["task_id"]
        .as_str()
        .expect("the report names the task")
        .to_owned();
    assert!(task.starts_with("dt-"), "{first}");
    let again = cloud.json("cn-hangzhou", &aliyun);
    assert_eq!(again["task_id"], task.as_str(), "the same task, reused");
    assert_eq!(again["files"][0]["skipped"], true, "{again}");
    assert_eq!(again["files"][0]["path"], first["files"][0]["path"]);
    let creates = cloud
        .cloud
        .requests()
        .iter()
        .filter(|r| r.action == "CreateDownload")
        .count();
    assert_eq!(creates, 1, "one server-side task for both runs");

    assert_eq!(again["files"][0]["status"], "skipped", "{again}");

    // A file there that is not this object is kept; the export fails (its only file failed)
    // and its report on stdout says why.
    let path = first["files"][0]["path"].as_str().unwrap().to_owned();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let out = cloud
        .cmd()
        .args(["--region", "cn-hangzhou"])
        .args(aliyun)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"][0]["status"], "failed", "{report}");
    let error = report["files"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("already exists") && error.contains("--overwrite"),
        "{error}"
    );
    assert!(
        !error.starts_with("1234567890.csv:"),
        "the name is its own field: {error}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already exists") && stderr.contains("--overwrite"),
        "{stderr}"
    );
    assert!(std::fs::read(&path).unwrap() == bytes, "nothing replaced");
}

/// `export` takes --wait-timeout (it always waits for its task).
#[test]
fn export_gives_up_waiting_after_the_wait_timeout() {
    let cloud = Cloud::with(fake_cloud::FakeCloud::builder().task_pace(1_000_000));
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let assert = cloud
        .cmd()
        .args([
            "--region",
            "cn-hangzhou",
            "--wait-timeout",
            "1",
            "export",
            "aliyun",
        ])
        .args([
            "--instance-name",
            "rm-bp1example",
            "--bak-set-id",
            "1234567890",
            "--to",
        ])
        .arg(dir.path())
        .assert();
    let stderr = crate::common::failure(assert, 1);
    assert!(stderr.contains("still not finished"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn export_tencent_downloads_every_replica_set_into_its_own_file() {
    let cloud = Cloud::start();
    let (out, _dir) = export(
        &cloud,
        "ap-guangzhou",
        &[
            "tencent",
            "--instance-id",
            "cmgo-dygv1rnp",
            "--backup-name",
            "cmgo-dygv1rnp_2021-03-26 10:44",
            "--replica-set-id",
            "cmgo-dygv1rnp_0",
            "--replica-set-id",
            "cmgo-dygv1rnp_1",
        ],
    );
    assert_files_match(&cloud, &out, 2);
    let a = out["files"][0]["path"].as_str().unwrap();
    let b = out["files"][1]["path"].as_str().unwrap();
    assert_ne!(a, b);
}

#[test]
fn export_huawei_dds_and_rds() {
    let cloud = Cloud::start();
    let (out, _dir) = export(
        &cloud,
        "cn-north-4",
        &[
            "huawei",
            "--service",
            "dds",
            "--instance-id",
            "befb1cfe1f96403780396b0c54f85d11in02",
            "--backup-id",
            "bd062e1af2d248b3bb4cd3dbb4183888br02",
        ],
    );
    assert_files_match(&cloud, &out, 2);
    assert_eq!(out["files"][0]["verified"][1], "md5");
    let (out, _dir) = export(
        &cloud,
        "cn-north-4",
        &[
            "huawei",
            "--service",
            "rds",
            "--backup-id",
            "c0c9f155c7b7423a9d30f0175998b63bbr01",
        ],
    );
    assert_files_match(&cloud, &out, 1);
}

#[test]
fn export_huawei_refuses_contradictory_flags_before_sending() {
    let cloud = Cloud::start();
    let to = cloud.home.path().to_str().unwrap().to_owned();
    for flags in [
        // DDS needs its instance.
        &["--service", "dds", "--backup-id", "b"][..],
        // A backup id and a choice contradict each other.
        &[
            "--service",
            "rds",
            "--instance-id",
            "i",
            "--backup-id",
            "b",
            "--latest",
        ],
        // Neither a backup id nor a choice.
        &["--service", "rds", "--instance-id", "i"],
        // A choice needs the instance to choose among.
        &["--service", "rds", "--latest"],
        // One choice at a time.
        &[
            "--service",
            "dds",
            "--instance-id",
            "i",
            "--latest",
            "--before",
            "2026-01-01T00:00:00Z",
        ],
    ] {
        let out = cloud
            .cmd()
            .args(["--region", "cn-north-4", "export", "huawei"])
            .args(flags)
            .args(["--to", &to])
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert!(out.stdout.is_empty(), "{flags:?}");
    }
    assert!(cloud.cloud.requests().is_empty());
}

/// `export --latest` chooses the newest successful backup from the instance's listing (every
/// page), on Huawei DDS and RDS; `backups huawei` lists what it chose from.
#[test]
fn export_huawei_latest_chooses_the_newest_successful_backup() {
    let cloud = Cloud::start();
    let listed = cloud.json(
        "cn-north-4",
        &[
            "backups",
            "huawei",
            "--service",
            "dds",
            "--instance",
            "befb1cfe1f96403780396b0c54f85d11in02",
        ],
    );
    let backups = listed["backups"].as_array().unwrap();
    assert!(!backups.is_empty(), "{listed}");
    let newest = backups
        .iter()
        .find(|b| b["state"] == "succeeded")
        .expect("a successful backup");
    assert!(
        newest["size_bytes"].is_u64() && newest["end"].is_string(),
        "{listed}"
    );
    assert_eq!(newest["availability"], "links");
    let (out, _dir) = export(
        &cloud,
        "cn-north-4",
        &[
            "huawei",
            "--service",
            "dds",
            "--instance",
            "befb1cfe1f96403780396b0c54f85d11in02",
            "--latest",
        ],
    );
    assert_files_match(&cloud, &out, 2);
    let asked = cloud.requests(fake_cloud::Route::Huawei, "ShowBackupDownloadLink");
    assert!(
        asked
            .iter()
            .all(|r| crate::common::query(r, "backup_id").as_deref() == newest["id"].as_str()),
        "the links of the chosen backup"
    );
    // RDS: the instance's own listing.
    let (out, _dir) = export(
        &cloud,
        "cn-north-4",
        &[
            "huawei",
            "--service",
            "rds",
            "--instance",
            "43e4feaab48f11e89039fa163ebaa7e4in01",
            "--latest",
        ],
    );
    assert_files_match(&cloud, &out, 1);
    let asked = cloud.requests(fake_cloud::Route::Huawei, "ShowBackupDownloadLink");
    assert!(
        asked
            .iter()
            .any(|r| crate::common::query(r, "backup_id").as_deref()
                == Some("c0c9f155c7b7423a9d30f0175998b63bbr01"))
    );
    // An instance without backups: a clear error, nothing exported.
    let to = cloud.home.path().join("none");
    let out = cloud
        .cmd()
        .args([
            "--region",
            "cn-north-4",
            "export",
            "huawei",
            "--service",
            "rds",
        ])
        .args(["--instance", "no-such-instance", "--latest", "--to"])
        .arg(&to)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no-such-instance has no successful backup"),
        "{stderr}"
    );
}

/// `-v` logs each step of an export: links obtained, each file verified.
#[test]
fn verbose_export_logs_each_step() {
    let cloud = Cloud::start();
    let dir = tempfile::tempdir().unwrap();
    let out = cloud
        .cmd()
        .args([
            "--region",
            "cn-north-4",
            "-v",
            "export",
            "huawei",
            "--service",
            "rds",
        ])
        .args([
            "--backup-id",
            "c0c9f155c7b7423a9d30f0175998b63bbr01",
            "--to",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("download links obtained"), "{stderr}");
    assert!(stderr.contains("file downloaded and verified"), "{stderr}");
    assert!(!stderr.contains("Signature="), "{stderr}");
}

/// One file that cannot be written does not stop the others: the report on stdout names it
/// `failed` with the error, the others `downloaded`, and the exit code is 4 (partly done).
#[test]
fn a_failing_file_among_several_gives_exit_4_and_a_report_naming_it() {
    let cloud = Cloud::start();
    let args = [
        "huawei",
        "--service",
        "dds",
        "--instance-id",
        "befb1cfe1f96403780396b0c54f85d11in02",
        "--backup-id",
        "bd062e1af2d248b3bb4cd3dbb4183888br02",
    ];
    // A first export tells the two files' local names.
    let (first, _dir) = export(&cloud, "cn-north-4", &args);
    let names: Vec<String> = first["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 2, "{first}");
    assert!(
        first["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "downloaded")
    );

    // Into a directory where the second file's name is taken by a directory.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(&names[1])).unwrap();
    let to = dir.path().to_str().unwrap().to_owned();
    let out = cloud
        .cmd()
        .args(["--region", "cn-north-4", "--output", "json", "export"])
        .args(args)
        .args(["--to", &to])
        .assert()
        .code(4)
        .get_output()
        .clone();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{report}");
    assert_eq!(files[0]["status"], "downloaded", "{report}");
    assert_eq!(files[0]["name"], names[0].as_str());
    assert_eq!(files[1]["status"], "failed", "{report}");
    assert_eq!(files[1]["name"], names[1].as_str());
    assert!(
        files[1]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{report}"
    );
    let bytes = std::fs::read(dir.path().join(&names[0])).unwrap();
    assert!(cloud.cloud.objects().iter().any(|o| o.content() == bytes));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 of 2 file(s) failed") && stderr.contains(&names[1]),
        "{stderr}"
    );
}

/// Tencent: the same export again reuses the tasks of the first (no second
/// CreateBackupDownloadTask) and skips the files already there and verified.
#[test]
fn the_same_tencent_export_again_reuses_its_tasks_and_skips_its_files() {
    let cloud = Cloud::start();
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_str().unwrap();
    let args = [
        "export",
        "tencent",
        "--instance-id",
        "cmgo-dygv1rnp",
        "--backup-name",
        "cmgo-dygv1rnp_2021-03-26 10:44",
        "--replica-set-id",
        "cmgo-dygv1rnp_0",
        "--replica-set-id",
        "cmgo-dygv1rnp_1",
        "--to",
        to,
    ];
    let first = cloud.json("ap-guangzhou", &args);
    assert_files_match(&cloud, &first, 2);
    let again = cloud.json("ap-guangzhou", &args);
    for f in again["files"].as_array().unwrap() {
        assert_eq!(f["status"], "skipped", "{again}");
    }
    let creates = cloud
        .requests(fake_cloud::Route::Tencent, "CreateBackupDownloadTask")
        .len();
    assert_eq!(creates, 1, "one set of server-side tasks for both runs");
}

/// Tencent with nothing but the instance: `--latest` takes its newest successful backup and
/// every replica set DescribeDBInstances lists (a sharded cluster: one file per shard); the
/// same command again creates no new task and skips every file.
#[test]
fn export_tencent_latest_takes_every_shard_of_the_newest_backup() {
    let cloud = Cloud::start();
    let listed = cloud.json(
        "ap-guangzhou",
        &["backups", "tencent", "--instance", "cmgo-shard7kq"],
    );
    let newest = &listed["backups"][0];
    assert_eq!(newest["state"], "succeeded", "{listed}");
    assert_eq!(newest["availability"], "export");
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_str().unwrap();
    let args = [
        "export",
        "tencent",
        "--instance",
        "cmgo-shard7kq",
        "--latest",
        "--to",
        to,
    ];
    let first = cloud.json("ap-guangzhou", &args);
    assert_files_match(&cloud, &first, 3);
    let creates = || {
        cloud
            .requests(fake_cloud::Route::Tencent, "CreateBackupDownloadTask")
            .len()
    };
    assert_eq!(creates(), 1);
    let again = cloud.json("ap-guangzhou", &args);
    assert!(
        again["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "skipped"),
        "{again}"
    );
    assert_eq!(creates(), 1, "no new task");
}

/// Aliyun with nothing but the instance: an RDS local-disk instance's newest backup comes
/// straight from its link (no DBS task), checked against the listing's CRC-64; a cloud-disk
/// instance's and a PolarDB cluster's go through DBS CreateDownload with the chosen set's id and
/// size; a MongoDB replica set's from its link.
#[test]
fn export_aliyun_latest_takes_the_link_or_dbs_as_the_backup_allows() {
    let cloud = Cloud::start();
    let listed = cloud.json(
        "cn-hangzhou",
        &["backups", "aliyun", "--instance", "rm-bp1local0001"],
    );
    // The newest set failed: --latest takes the newest successful one.
    assert_eq!(listed["backups"][0]["state"], "failed", "{listed}");
    assert_eq!(listed["backups"][0]["availability"], "none");
    let newest = &listed["backups"][1];
    assert_eq!(newest["state"], "succeeded", "{listed}");
    assert_eq!(newest["availability"], "links");
    let (out, _dir) = export(
        &cloud,
        "cn-hangzhou",
        &["aliyun", "--instance", "rm-bp1local0001", "--latest"],
    );
    let described = cloud.requests(fake_cloud::Route::Aliyun, "DescribeBackups");
    assert!(
        described
            .iter()
            .any(|r| crate::common::query(r, "BackupId").as_deref() == newest["id"].as_str()),
        "the chosen set's links"
    );
    assert_files_match(&cloud, &out, 1);
    let verified = out["files"][0]["verified"].as_array().unwrap();
    assert!(verified.contains(&Value::from("crc64ecma")), "{out}");
    assert!(
        cloud
            .requests(fake_cloud::Route::Aliyun, "CreateDownload")
            .is_empty(),
        "no DBS task"
    );

    // Cloud disk: snapshots, exported by DBS with the chosen set.
    let listed = cloud.json(
        "cn-hangzhou",
        &["backups", "aliyun", "--instance", "rm-bp1cloud0001"],
    );
    assert_eq!(listed["backups"][0]["availability"], "export", "{listed}");
    let chosen = listed["backups"][0]["id"].as_str().unwrap().to_owned();
    let (out, _dir) = export(
        &cloud,
        "cn-hangzhou",
        &["aliyun", "--instance", "rm-bp1cloud0001", "--latest"],
    );
    assert_eq!(out["files"].as_array().unwrap().len(), 1, "{out}");
    let create = cloud.request(fake_cloud::Route::Aliyun, "CreateDownload");
    assert_eq!(
        crate::common::query(&create, "BakSetId").as_deref(),
        Some(chosen.as_str())
    );
    assert!(crate::common::query(&create, "BakSetSize").is_some());

    // PolarDB: DBS as well.
    let (out, _dir) = export(
        &cloud,
        "cn-hangzhou",
        &[
            "aliyun",
            "--product",
            "polardb",
            "--instance",
            "pc-bp1polar0001",
            "--latest",
        ],
    );
    assert_eq!(out["files"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(
        cloud
            .requests(fake_cloud::Route::Aliyun, "CreateDownload")
            .len(),
        2
    );

    // MongoDB replica set: its link.
    let (out, _dir) = export(
        &cloud,
        "cn-hangzhou",
        &[
            "aliyun",
            "--product",
            "mongodb",
            "--instance",
            "dds-bp1replica01",
            "--latest",
        ],
    );
    assert_files_match(&cloud, &out, 1);

    // A sharded MongoDB cluster: its cluster backups, one file per shard, no DBS task.
    let cluster = ["--product", "mongodb", "--instance", "dds-bp1cluster01"];
    let listed = cloud.json(
        "cn-hangzhou",
        &[&["backups", "aliyun"][..], &cluster].concat(),
    );
    assert!(
        listed["backups"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("cb-"),
        "{listed}"
    );
    let (out, _dir) = export(
        &cloud,
        "cn-hangzhou",
        &[&["aliyun"][..], &cluster, &["--latest"]].concat(),
    );
    assert_files_match(&cloud, &out, 2);
    assert_eq!(
        cloud
            .requests(fake_cloud::Route::Aliyun, "CreateDownload")
            .len(),
        2
    );
}

/// The DBS task's id is told as soon as the task exists (a log line off a terminal, `-v`), and
/// is in the report.
#[test]
fn the_task_id_is_told_as_soon_as_it_exists() {
    let cloud = Cloud::start();
    let dir = tempfile::tempdir().unwrap();
    let out = cloud
        .cmd()
        .args(["--region", "cn-hangzhou", "-v", "export", "aliyun"])
        .args([
            "--instance-name",
            "rm-bp1example",
            "--bak-set-id",
            "1234567890",
            "--to",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let line = stderr
        .lines()
        .find(|l| l.contains("aliyun task dt-"))
        .unwrap_or_else(|| panic!("no task line in {stderr}"));
    assert!(
        line.contains("created") && line.contains("reuses it"),
        "{line}"
    );
    let told = stderr.find("aliyun task dt-").unwrap();
    let downloaded = stderr.find("file downloaded and verified").unwrap();
    assert!(told < downloaded, "told before the download: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        line.contains(report["task_id"].as_str().unwrap()),
        "{report}"
    );
}

/// `--task-id` attaches to an existing DBS task: no CreateDownload, the task's file downloaded;
/// an unknown task is an error.
#[test]
fn export_aliyun_attaches_to_a_task_by_id() {
    let cloud = Cloud::start();
    let (first, _dir) = export(&cloud, "cn-hangzhou", &ALIYUN_SET);
    let task = first["task_id"].as_str().unwrap().to_owned();
    let (attached, _dir) = export(
        &cloud,
        "cn-hangzhou",
        &[
            "aliyun",
            "--instance-name",
            "rm-bp1example",
            "--task-id",
            &task,
        ],
    );
    assert_files_match(&cloud, &attached, 1);
    assert_eq!(attached["task_id"], task.as_str());
    assert_eq!(attached["files"][0]["status"], "downloaded");
    assert_eq!(
        cloud
            .requests(fake_cloud::Route::Aliyun, "CreateDownload")
            .len(),
        1,
        "only the first export created a task"
    );
    let to = cloud.home.path().join("none");
    let attach = |flags: &[&str]| {
        let mut cmd = cloud.cmd();
        cmd.args(["--region", "cn-hangzhou", "export", "aliyun"])
            .args(["--instance-name", "rm-bp1example", "--task-id"])
            .args(flags)
            .arg("--to")
            .arg(&to);
        cmd.assert()
    };
    attach(&["dt-nosuchtask", "--wait-timeout", "5"]).failure();
    // And with a backup set too: contradictory, refused before sending.
    let before = cloud.cloud.requests().len();
    attach(&[&task, "--bak-set-id", "1"]).code(2);
    assert_eq!(cloud.cloud.requests().len(), before);
}

/// `--backup ID` chooses among the instance's backups by id: on Aliyun RDS a set with a link
/// comes from it (no DBS task), as with --latest.
#[test]
fn export_backup_by_id_among_the_instances() {
    let cloud = Cloud::start();
    let listed = cloud.json(
        "cn-hangzhou",
        &["backups", "aliyun", "--instance", "rm-bp1local0001"],
    );
    let oldest = listed["backups"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (out, _dir) = export(
        &cloud,
        "cn-hangzhou",
        &[
            "aliyun",
            "--instance",
            "rm-bp1local0001",
            "--backup",
            &oldest,
        ],
    );
    assert_files_match(&cloud, &out, 1);
    assert!(
        cloud
            .requests(fake_cloud::Route::Aliyun, "CreateDownload")
            .is_empty()
    );
    // An id the instance does not have: a clear error.
    let to = cloud.home.path().join("x");
    let out = cloud
        .cmd()
        .args([
            "--region",
            "cn-hangzhou",
            "export",
            "aliyun",
            "--instance",
            "rm-bp1local0001",
        ])
        .args(["--backup", "nope", "--to"])
        .arg(&to)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no successful backup nope"));
}
