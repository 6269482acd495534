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

#[test]
fn export_aliyun_downloads_the_backup_set() {
    let cloud = Cloud::start();
    let (out, _dir) = export(
        &cloud,
        "cn-hangzhou",
        &[
            "aliyun",
            "--instance-name",
            "rm-bp1example",
            "--bak-set-id",
            "1234567890",
        ],
    );
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
    let again = cloud.json("cn-hangzhou", &aliyun);
    assert_eq!(again["files"][0]["skipped"], true, "{again}");
    assert_eq!(again["files"][0]["path"], first["files"][0]["path"]);
    let creates = cloud
        .cloud
        .requests()
        .iter()
        .filter(|r| r.action == "CreateDownload")
        .count();
    assert_eq!(creates, 1, "one server-side task for both runs");

    // A file there that is not this object is kept, and the export stops.
    let path = first["files"][0]["path"].as_str().unwrap().to_owned();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let stderr = crate::common::failure(
        cloud
            .cmd()
            .args(["--region", "cn-hangzhou"])
            .args(aliyun)
            .assert(),
        1,
    );
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
    cloud
        .cmd()
        .args([
            "--region",
            "cn-north-4",
            "export",
            "huawei",
            "--service",
            "dds",
            "--backup-id",
            "b",
            "--to",
            &to,
        ])
        .assert()
        .code(2);
    cloud
        .cmd()
        .args([
            "--region",
            "cn-north-4",
            "export",
            "huawei",
            "--service",
            "rds",
            "--instance-id",
            "i",
            "--backup-id",
            "b",
            "--to",
            &to,
        ])
        .assert()
        .code(2);
    assert!(cloud.cloud.requests().is_empty());
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
