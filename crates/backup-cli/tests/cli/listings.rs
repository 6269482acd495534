//! The Aliyun database products' backup listings through the binary against the emulator:
//! `aliyun rds-describe-backups`, `rds-describe-db-instance-attribute`,
//! `polardb-describe-backups`, `mongodb-describe-backups` and
//! `mongodb-describe-cluster-backups` — the API's field names, links in full (and working),
//! every page with `--all`, the flags reaching the query, and usage errors naming the flag.

use std::path::PathBuf;

use fake_cloud::Route;
use serde_json::Value;

use crate::common::{Cloud, assert_one_line_error, bare, failure, query};

/// The requests of `action` under API `version`.
fn sent(cloud: &Cloud, action: &str, version: &str) -> Vec<fake_cloud::LoggedRequest> {
    cloud
        .requests(Route::Aliyun, action)
        .into_iter()
        .filter(|r| r.header("x-acs-version") == Some(version))
        .collect()
}

/// `cloud-backup download URL -o <home>/<name>`, which must succeed; the file written.
fn download(cloud: &Cloud, url: &str, name: &str) -> PathBuf {
    let file = cloud.home.path().join(name);
    bare(cloud.home.path())
        .args(["download", url, "-o"])
        .arg(&file)
        .assert()
        .success();
    file
}

/// The usage error (exit 2) of `cloud-backup aliyun <args>`.
fn usage_error(cloud: &Cloud, args: &[&str]) -> String {
    failure(cloud.cmd().arg("aliyun").args(args).assert(), 2)
}

/// The list at `path` in `v`.
fn array<'a>(v: &'a Value, path: &[&str]) -> &'a Vec<Value> {
    let mut at = v;
    for p in path {
        at = &at[*p];
    }
    at.as_array()
        .unwrap_or_else(|| panic!("{path:?} is a list in {v}"))
}

#[test]
fn rds_describe_backups_prints_working_links_in_full_with_their_checksum() {
    let cloud = Cloud::start();
    let out = cloud.aliyun(&[
        "rds-describe-backups",
        "--db-instance-id",
        "rm-bp1local0001",
    ]);
    // The API's names and shape, its string counters as numbers.
    assert_eq!(out["TotalRecordCount"], 3, "{out}");
    assert_eq!(out["PageNumber"], 1);
    let backups = array(&out, &["Items", "Backup"]);
    assert_eq!(backups.len(), 3);
    assert_eq!(backups[0]["BackupStatus"], "Failed");
    assert!(
        backups[0].get("BackupDownloadURL").is_none(),
        "no link, no field"
    );
    let ok = &backups[1];
    assert_eq!(ok["BackupMethod"], "Physical");
    let url = ok["BackupDownloadURL"].as_str().unwrap();
    assert!(
        url.contains("Signature="),
        "the link is printed whole: {url}"
    );
    assert!(
        ok["BackupIntranetDownloadURL"]
            .as_str()
            .unwrap()
            .contains("Signature=")
    );
    let request = &sent(&cloud, "DescribeBackups", "2014-08-15")[0];
    assert_eq!(
        query(request, "DBInstanceId").as_deref(),
        Some("rm-bp1local0001")
    );

    // It downloads, verified against the storage's CRC-64, which is the listing's Checksum.
    let file = download(&cloud, url, "backup.xb");
    let key = url
        .split("/objects/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let object = cloud
        .cloud
        .objects()
        .into_iter()
        .find(|o| o.key == key)
        .expect("the link's object");
    assert_eq!(std::fs::read(&file).unwrap(), object.content());
    assert_eq!(ok["Checksum"], object.checksums().0.to_string().as_str());
}

#[test]
fn rds_filters_and_times_reach_the_query_in_utc_minutes() {
    let cloud = Cloud::start();
    let out = cloud.aliyun(&[
        "rds-describe-backups",
        "--db-instance-id",
        "rm-bp1local0001",
        "--backup-status",
        "Success",
        "--backup-mode",
        "Automated",
        "--start-time",
        "2026-01-01T08:00:30+08:00",
        "--end-time",
        "2026-01-02 03:00:30",
        "--page-size",
        "50",
        "--page-number",
        "1",
    ]);
    let backups = array(&out, &["Items", "Backup"]);
    assert_eq!(backups.len(), 2, "{out}");
    assert!(backups.iter().all(|b| b["BackupStatus"] == "Success"));
    let request = &sent(&cloud, "DescribeBackups", "2014-08-15")[0];
    for (name, value) in [
        ("BackupStatus", "Success"),
        ("BackupMode", "Automated"),
        ("StartTime", "2026-01-01T00:00Z"),
        ("EndTime", "2026-01-02T03:01Z"),
        ("PageSize", "50"),
        ("PageNumber", "1"),
    ] {
        assert_eq!(query(request, name).as_deref(), Some(value), "{name}");
    }
}

#[test]
fn rds_all_gathers_every_page_of_a_cloud_disk_instance() {
    let cloud = Cloud::start();
    let listing = [
        "rds-describe-backups",
        "--db-instance-id",
        "rm-bp1cloud0001",
        "--page-size",
        "30",
    ];
    let one = cloud.aliyun(&listing);
    assert_eq!(array(&one, &["Items", "Backup"]).len(), 30);
    assert_eq!(one["TotalRecordCount"], 35);
    cloud.cloud.clear_requests();
    let all = cloud.aliyun(&[&listing[..], &["--all"]].concat());
    let backups = array(&all, &["Items", "Backup"]);
    let mut ids: Vec<&str> = backups
        .iter()
        .map(|b| b["BackupId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 35, "{all}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 35, "each backup once");
    assert!(
        backups
            .iter()
            .all(|b| b["BackupMethod"] == "Snapshot" && b.get("BackupDownloadURL").is_none())
    );
    assert!(
        all.get("PageNumber").is_none(),
        "every page: no page number"
    );
    assert_eq!(all["TotalRecordCount"], 35);
    let pages: Vec<String> = sent(&cloud, "DescribeBackups", "2014-08-15")
        .iter()
        .map(|r| query(r, "PageNumber").unwrap_or_default())
        .collect();
    assert_eq!(pages, ["1", "2"]);

    let err = usage_error(
        &cloud,
        &[
            "rds-describe-backups",
            "--db-instance-id",
            "rm-1",
            "--page-number",
            "2",
            "--all",
        ],
    );
    assert!(
        err.contains("--page-number") && err.contains("--all"),
        "{err}"
    );
}

#[test]
fn rds_describe_db_instance_attribute_tells_local_from_cloud_disks() {
    let cloud = Cloud::start();
    for (instance, storage) in [
        ("rm-bp1local0001", "local_ssd"),
        ("rm-bp1cloud0001", "cloud_essd"),
    ] {
        let out = cloud.aliyun(&[
            "rds-describe-db-instance-attribute",
            "--db-instance-id",
            instance,
        ]);
        let attribute = &array(&out, &["Items", "DBInstanceAttribute"])[0];
        assert_eq!(attribute["DBInstanceId"], instance);
        assert_eq!(attribute["DBInstanceStorageType"], storage, "{out}");
        assert_eq!(attribute["Engine"], "MySQL");
        assert!(out["RequestId"].is_string());
    }
}

#[test]
fn polardb_describe_backups_takes_its_required_window() {
    let cloud = Cloud::start();
    let listing = [
        "polardb-describe-backups",
        "--db-cluster-id",
        "pc-bp1polar0001",
        "--start-time",
        "2026-01-01T00:00:00Z",
        "--end-time",
        "2026-02-01T00:00:00Z",
    ];
    let out = cloud.aliyun(&listing);
    let backups = array(&out, &["Items", "Backup"]);
    assert_eq!(backups.len(), 3, "{out}");
    assert!(
        backups[0]["BackupSetSize"].is_u64(),
        "a string size read as a number"
    );
    assert_eq!(backups[0]["BackupMethod"], "Snapshot");
    let request = &sent(&cloud, "DescribeBackups", "2017-08-01")[0];
    assert_eq!(
        query(request, "StartTime").as_deref(),
        Some("2026-01-01T00:00Z")
    );
    assert_eq!(
        query(request, "DBClusterId").as_deref(),
        Some("pc-bp1polar0001")
    );

    let all = cloud.aliyun(&[&listing[..], &["--all"]].concat());
    assert_eq!(array(&all, &["Items", "Backup"]).len(), 3);

    let err = usage_error(
        &cloud,
        &[
            "polardb-describe-backups",
            "--db-cluster-id",
            "pc-1",
            "--end-time",
            "2026-02-01T00:00:00Z",
        ],
    );
    assert!(err.contains("--start-time"), "{err}");
}

#[test]
fn mongodb_describe_backups_of_a_replica_set_and_of_a_shard() {
    let cloud = Cloud::start();
    let out = cloud.aliyun(&[
        "mongodb-describe-backups",
        "--db-instance-id",
        "dds-bp1replica01",
    ]);
    assert_eq!(out["TotalCount"], 2, "{out}");
    let backups = array(&out, &["Backups", "Backup"]);
    assert!(backups.iter().all(|b| {
        b["IsAvail"] == true
            && b["BackupDownloadURL"]
                .as_str()
                .is_some_and(|u| u.contains("Signature="))
    }));

    // A sharded cluster is listed shard by shard: the service wants the NodeId.
    let err = failure(
        cloud
            .cmd()
            .args([
                "--region",
                "cn-hangzhou",
                "aliyun",
                "mongodb-describe-backups",
            ])
            .args(["--db-instance-id", "dds-bp1cluster01"])
            .assert(),
        1,
    );
    assert_one_line_error(&err, &["aliyun-mongodb DescribeBackups", "MissingNodeId"]);
    let shard = cloud.aliyun(&[
        "mongodb-describe-backups",
        "--db-instance-id",
        "dds-bp1cluster01",
        "--node-id",
        "d-bp1shard0002",
        "--all",
    ]);
    let sets = array(&shard, &["Backups", "Backup"]);
    assert_eq!(sets.len(), 2, "{shard}");
    assert_eq!(sets[0]["BackupId"], "cb-fakeclst0002-1");
    let request = sent(&cloud, "DescribeBackups", "2015-12-01").pop().unwrap();
    assert_eq!(query(&request, "NodeId").as_deref(), Some("d-bp1shard0002"));
    assert_eq!(
        query(&request, "PageSize").as_deref(),
        Some("100"),
        "--all: pages of 100"
    );
}

#[test]
fn mongodb_describe_cluster_backups_lists_each_shards_links() {
    let cloud = Cloud::start();
    let out = cloud.aliyun(&[
        "mongodb-describe-cluster-backups",
        "--db-instance-id",
        "dds-bp1cluster01",
    ]);
    let clusters = array(&out, &["ClusterBackups"]);
    assert_eq!(clusters.len(), 2, "{out}");
    assert_eq!(clusters[0]["ClusterBackupId"], "cb-fakeclst0002");
    assert_eq!(clusters[0]["IsAvail"], true);
    let shards = array(&clusters[0], &["Backups"]);
    let nodes: Vec<&str> = shards
        .iter()
        .map(|s| s["ExtraInfo"]["NodeId"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, ["d-bp1shard0001", "d-bp1shard0002"]);
    for s in shards {
        let url = s["BackupDownloadURL"].as_str().unwrap();
        assert!(url.contains("Signature="), "{url}");
        let name = format!("{}.tar.gz", s["BackupId"].as_str().unwrap());
        let file = download(&cloud, url, &name);
        assert_eq!(std::fs::metadata(&file).unwrap().len(), 1 << 20);
    }

    let all = cloud.aliyun(&[
        "mongodb-describe-cluster-backups",
        "--db-instance-id",
        "dds-bp1cluster01",
        "--page-size",
        "30",
        "--is-only-get-cluster-backup",
        "true",
        "--all",
    ]);
    let clusters = array(&all, &["ClusterBackups"]);
    assert_eq!(clusters.len(), 2);
    assert!(clusters.iter().all(|c| array(c, &["Backups"]).is_empty()));
    let request = sent(&cloud, "DescribeClusterBackups", "2015-12-01")
        .pop()
        .unwrap();
    assert_eq!(query(&request, "PageNo").as_deref(), Some("1"));
    assert_eq!(
        query(&request, "IsOnlyGetClusterBackUp").as_deref(),
        Some("true")
    );

    let err = usage_error(
        &cloud,
        &[
            "mongodb-describe-cluster-backups",
            "--db-instance-id",
            "d",
            "--page-no",
            "1",
            "--all",
        ],
    );
    assert!(err.contains("--page-no") && err.contains("--all"), "{err}");
}

#[test]
fn bad_flags_are_usage_errors_naming_the_flag_before_anything_is_sent() {
    let cloud = Cloud::start();
    for (args, flag) in [
        (
            &[
                "rds-describe-backups",
                "--db-instance-id",
                "rm-bp1local0001",
                "--page-size",
                "20",
            ][..],
            "--page-size must be 30, 50 or 100 (got 20)",
        ),
        (
            &[
                "polardb-describe-backups",
                "--db-cluster-id",
                "pc-bp1polar0001",
                "--start-time",
                "2026-01-02T00:00:00Z",
                "--end-time",
                "2026-01-01T00:00:00Z",
            ][..],
            "--end-time must not be before StartTime",
        ),
        (
            &[
                "mongodb-describe-cluster-backups",
                "--db-instance-id",
                "dds-bp1cluster01",
                "--page-no",
                "0",
            ][..],
            "--page-no counts from 1",
        ),
    ] {
        let err = failure(
            cloud
                .cmd()
                .args(["--region", "cn-hangzhou", "aliyun"])
                .args(args)
                .assert(),
            2,
        );
        assert_one_line_error(&err, &[flag]);
    }
    assert!(cloud.cloud.requests_to(Route::Aliyun).is_empty());
}
