//! `cloud-backup tencent describe-db-instances` against the emulator: the replica sets and shards
//! of the catalogue's instances, the filters, `--all`, and the flags refused before sending.

use fake_cloud::Route;
use serde_json::Value;

use crate::common::{Cloud, failure};

/// The Tencent instances of the emulator's default catalogue, in its order, with their replica
/// sets.
const INSTANCES: [(&str, &[&str]); 3] = [
    ("cmgo-p8vnipr5", &["cmgo-p8vnipr5_0"]),
    ("cmgo-dygv1rnp", &["cmgo-dygv1rnp_0", "cmgo-dygv1rnp_1"]),
    (
        "cmgo-shard7kq",
        &["cmgo-shard7kq_0", "cmgo-shard7kq_1", "cmgo-shard7kq_2"],
    ),
];

fn ids(out: &Value) -> Vec<&str> {
    out["InstanceDetails"]
        .as_array()
        .unwrap_or_else(|| panic!("InstanceDetails in {out}"))
        .iter()
        .map(|i| i["InstanceId"].as_str().unwrap())
        .collect()
}

fn replica_set_ids(instance: &Value) -> Vec<&str> {
    instance["ReplicaSets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ReplicaSetId"].as_str().unwrap())
        .collect()
}

#[test]
fn every_instance_is_listed_with_its_replica_sets() {
    let cloud = Cloud::start();
    let out = cloud.tencent(&["describe-db-instances"]);
    assert_eq!(out["TotalCount"], 3, "{out}");
    assert!(
        out["RequestId"]
            .as_str()
            .unwrap()
            .starts_with("fake-tencent-")
    );
    let details = out["InstanceDetails"].as_array().unwrap();
    assert_eq!(details.len(), 3);
    for (detail, (id, sets)) in details.iter().zip(INSTANCES) {
        assert_eq!(detail["InstanceId"], id);
        assert_eq!(replica_set_ids(detail), sets, "{id}");
        assert_eq!(detail["ReplicationSetNum"], sets.len());
        assert_eq!(
            detail["ClusterType"],
            if sets.len() > 1 { 1 } else { 0 },
            "{id}"
        );
        assert_eq!(detail["Status"], 2);
        assert_eq!(detail["Region"], "ap-guangzhou");
    }
    let replica_set = &details[0];
    assert_eq!(replica_set["ReplicaSets"][0]["OplogSize"], 1024);
    assert_eq!(
        replica_set["ReplicaSets"][0]["UsedVolume"], 1.0,
        "the 1 MiB backup file, in MB"
    );
    let sent = cloud.request(Route::Tencent, "DescribeDBInstances");
    assert_eq!(sent.header("x-tc-version"), Some("2019-07-25"));
}

#[test]
fn a_sharded_instance_lists_every_shard_and_they_download() {
    let cloud = Cloud::start();
    let out = cloud.tencent(&["describe-db-instances", "--instance-id", "cmgo-shard7kq"]);
    assert_eq!(ids(&out), ["cmgo-shard7kq"]);
    let shard = &out["InstanceDetails"][0];
    assert_eq!(shard["ClusterType"], 1, "a sharded cluster");
    assert_eq!(shard["ReplicationSetNum"], 3);
    let sets = replica_set_ids(shard);
    assert_eq!(
        sets,
        ["cmgo-shard7kq_0", "cmgo-shard7kq_1", "cmgo-shard7kq_2"]
    );

    // The shards are those of the instance's backups: a full download of every one works.
    let backups = cloud.tencent(&["describe-db-backups", "--instance-id", "cmgo-shard7kq"]);
    let name = backups["BackupList"][0]["BackupName"].as_str().unwrap();
    let mut create = vec![
        "create-backup-download-task",
        "--instance-id",
        "cmgo-shard7kq",
        "--backup-name",
        name,
        "--wait",
    ];
    for set in &sets {
        create.extend(["--replica-set-id", set]);
    }
    let tasks = cloud.tencent(&create);
    let done: Vec<&str> = tasks["Tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["Status"], 2, "{t}");
            t["ReplicaSetId"].as_str().unwrap()
        })
        .collect();
    assert_eq!(done, sets);

    // --query picks the ids out, as a script would.
    let ids = cloud.tencent(&[
        "describe-db-instances",
        "--instance-id",
        "cmgo-dygv1rnp",
        "--query",
        "InstanceDetails[].ReplicaSets[].ReplicaSetId",
    ]);
    assert_eq!(
        ids,
        serde_json::json!(["cmgo-dygv1rnp_0", "cmgo-dygv1rnp_1"])
    );
}

#[test]
fn the_filters_reach_the_emulator() {
    let cloud = Cloud::start();
    let two = cloud.tencent(&[
        "describe-db-instances",
        "--instance-id",
        "cmgo-p8vnipr5",
        "--instance-id",
        "cmgo-dygv1rnp",
        "--instance-id",
        "cmgo-unknown",
    ]);
    assert_eq!(ids(&two), ["cmgo-p8vnipr5", "cmgo-dygv1rnp"]);
    assert_eq!(two["TotalCount"], 2);

    let sharded = cloud.tencent(&["describe-db-instances", "--cluster-type", "1"]);
    assert_eq!(ids(&sharded), ["cmgo-dygv1rnp", "cmgo-shard7kq"]);
    let replica_sets = cloud.tencent(&["describe-db-instances", "--cluster-type", "0"]);
    assert_eq!(ids(&replica_sets), ["cmgo-p8vnipr5"]);
    let both = cloud.tencent(&["describe-db-instances", "--cluster-type", "-1"]);
    assert_eq!(both["TotalCount"], 3);

    let running = cloud.tencent(&["describe-db-instances", "--status", "2", "--status", "1"]);
    assert_eq!(running["TotalCount"], 3);
    let isolated = cloud.tencent(&["describe-db-instances", "--status", "-2", "--status", "-3"]);
    assert_eq!(isolated["TotalCount"], 0, "{isolated}");
    assert_eq!(isolated["InstanceDetails"], serde_json::json!([]));

    let found = cloud.tencent(&["describe-db-instances", "--search-key", "shard"]);
    assert_eq!(ids(&found), ["cmgo-shard7kq"]);
    let by_name = cloud.tencent(&[
        "describe-db-instances",
        "--order-by",
        "InstanceName",
        "--order-by-type",
        "desc",
    ]);
    assert_eq!(
        ids(&by_name),
        ["cmgo-shard7kq", "cmgo-p8vnipr5", "cmgo-dygv1rnp"]
    );
    let in_vpc = cloud.tencent(&[
        "describe-db-instances",
        "--vpc-id",
        "vpc-elsewhere",
        "--subnet-id",
        "subnet-elsewhere",
    ]);
    assert_eq!(in_vpc["TotalCount"], 0);
    let tagged = cloud.tencent(&["describe-db-instances", "--tag", "team=payments"]);
    assert_eq!(
        tagged["TotalCount"], 0,
        "the emulator's instances have no tags"
    );
}

#[test]
fn limit_and_offset_page_and_all_gathers_every_page() {
    let cloud = Cloud::start();
    let page = cloud.tencent(&["describe-db-instances", "--limit", "1", "--offset", "1"]);
    assert_eq!(ids(&page), ["cmgo-dygv1rnp"]);
    assert_eq!(page["TotalCount"], 3, "the total of every page");

    cloud.cloud.clear_requests();
    let all = cloud.tencent(&["describe-db-instances", "--limit", "1", "--all"]);
    assert_eq!(
        ids(&all),
        ["cmgo-p8vnipr5", "cmgo-dygv1rnp", "cmgo-shard7kq"]
    );
    assert_eq!(all["TotalCount"], 3);
    assert_eq!(
        cloud.requests(Route::Tencent, "DescribeDBInstances").len(),
        3,
        "one request per page"
    );

    cloud.cloud.clear_requests();
    let all = cloud.tencent(&["describe-db-instances", "--cluster-type", "1", "--all"]);
    assert_eq!(ids(&all), ["cmgo-dygv1rnp", "cmgo-shard7kq"]);
    assert_eq!(
        cloud.requests(Route::Tencent, "DescribeDBInstances").len(),
        1,
        "pages of 100"
    );
}

#[test]
fn bad_flags_are_usage_errors_and_nothing_is_sent() {
    let cloud = Cloud::start();
    for (args, names) in [
        (
            &["--offset", "1", "--all"][..],
            &["--all", "cannot be used with"][..],
        ),
        (&["--limit", "101"], &["--limit", "between 1 and 100"]),
        (&["--limit", "0"], &["--limit"]),
        (&["--subnet-id", "subnet-1"], &["--vpc-id"]),
        (
            &["--search-key", " "],
            &["--search-key", "must not be empty"],
        ),
        (&["--instance-id", ""], &["--instance-id"]),
        (&["--tag", "no-equals-sign"], &["--tag", "KEY=VALUE"]),
        (&["--tag", "=value"], &["--tag", "KEY=VALUE"]),
        (&["--order-by", "Size"], &["--order-by"]),
        (&["--status", "running"], &["--status"]),
    ] {
        let stderr = failure(
            cloud
                .cmd()
                .args([
                    "--region",
                    "ap-guangzhou",
                    "tencent",
                    "describe-db-instances",
                ])
                .args(args)
                .assert(),
            2,
        );
        for name in names {
            assert!(stderr.contains(name), "{args:?}: {name:?} in {stderr}");
        }
    }
    assert!(cloud.cloud.requests().is_empty(), "nothing sent");
}

#[test]
fn a_service_error_names_its_code_and_request_id() {
    let cloud = Cloud::start();
    cloud.cloud.inject(
        Route::Tencent,
        Some("DescribeDBInstances"),
        fake_cloud::Fault::Status(503),
        3,
    );
    let stderr = failure(
        cloud
            .cmd()
            .args([
                "--region",
                "ap-guangzhou",
                "tencent",
                "describe-db-instances",
            ])
            .assert(),
        1,
    );
    assert!(
        stderr.contains("DescribeDBInstances") && stderr.contains("fake-tencent-fault"),
        "{stderr}"
    );
    assert_eq!(
        cloud.requests(Route::Tencent, "DescribeDBInstances").len(),
        3,
        "a read is retried"
    );
}
