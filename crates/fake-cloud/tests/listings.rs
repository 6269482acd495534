//! The Aliyun database products' listings on their own (raw signed calls): `DescribeBackups`
//! told apart by `x-acs-version`, the JSON types of the SDK models, real paging, links to the
//! emulator's objects with RDS's `Checksum` equal to the served CRC-64, and the gateway's
//! errors. The DBS catalogue is untouched by the product instances.

use cloud_sign::{SignableRequest, aliyun, canonical_query};
use fake_cloud::{AliyunProduct, FakeCloud, ProductBackup, ProductInstance};
use serde_json::Value;
use time::OffsetDateTime;

const RDS: &str = "2014-08-15";
const POLARDB: &str = "2017-08-01";
const MONGODB: &str = "2015-12-01";

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

/// A signed `action` of API `version` with `query`: the status and the JSON answer.
async fn call(
    cloud: &FakeCloud,
    action: &str,
    version: &str,
    query: &[(&str, &str)],
) -> (u16, Value) {
    let host = cloud.endpoint().trim_start_matches("http://").to_owned();
    let nonce = format!(
        "n-{}",
        NONCE.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let req = SignableRequest::new("POST", &host, "/").with_query(query);
    let params = aliyun::AcsParams {
        action,
        version,
        time: OffsetDateTime::now_utc(),
        nonce: &nonce,
    };
    let out = aliyun::sign(&req, &params, &cloud.aliyun_credentials());
    let mut r = client().post(format!("{}/?{}", cloud.endpoint(), canonical_query(query)));
    for (n, v) in out.headers() {
        r = r.header(*n, v);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

static NONCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[tokio::test]
async fn describe_backups_is_dispatched_by_version_with_each_models_types() {
    let cloud = FakeCloud::start().await;
    let (status, rds) = call(
        &cloud,
        "DescribeBackups",
        RDS,
        &[("DBInstanceId", "rm-bp1local0001")],
    )
    .await;
    assert_eq!(status, 200, "{rds}");
    // RDS: page counters as strings, items under Items.Backup, newest first.
    assert_eq!(rds["TotalRecordCount"], "3");
    assert_eq!(rds["PageNumber"], "1");
    let items = rds["Items"]["Backup"].as_array().unwrap();
    assert_eq!(items[0]["BackupId"], "1857321236");
    assert_eq!(items[0]["BackupStatus"], "Failed");
    assert_eq!(
        items[0]["BackupDownloadURL"], "",
        "a failed set has no link"
    );
    assert!(
        items[1]["BackupDownloadURL"]
            .as_str()
            .unwrap()
            .contains("/objects/aliyun/rds/")
    );
    assert!(items[1]["BackupSize"].is_u64());

    let (status, polar) = call(
        &cloud,
        "DescribeBackups",
        POLARDB,
        &[
            ("DBClusterId", "pc-bp1polar0001"),
            ("StartTime", "2026-01-01T00:00Z"),
            ("EndTime", "2026-02-01T00:00Z"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{polar}");
    let b = &polar["Items"]["Backup"][0];
    assert!(
        b["BackupSetSize"].is_string()
            && b["ConsistentTime"].is_string()
            && b["IsAvail"].is_string(),
        "{b}"
    );
    assert!(
        b.get("BackupDownloadURL").is_none(),
        "PolarDB gives no links"
    );
    assert_eq!(polar["TotalRecordCount"], "3");

    let (status, mongo) = call(
        &cloud,
        "DescribeBackups",
        MONGODB,
        &[("DBInstanceId", "dds-bp1replica01")],
    )
    .await;
    assert_eq!(status, 200, "{mongo}");
    assert_eq!(mongo["TotalCount"], 2, "MongoDB's counters are numbers");
    assert_eq!(mongo["Backups"]["Backup"][0]["IsAvail"], true);

    // The same action under a DBS version is refused, as is an unknown one.
    let (status, v) = call(
        &cloud,
        "DescribeBackups",
        "2021-01-01",
        &[("DBInstanceId", "rm-bp1local0001")],
    )
    .await;
    assert_eq!((status, v["Code"].as_str()), (400, Some("InvalidVersion")));
    let log: Vec<String> = cloud
        .requests()
        .iter()
        .map(|r| r.header("x-acs-version").unwrap_or("").to_owned())
        .collect();
    assert_eq!(log, [RDS, POLARDB, MONGODB, "2021-01-01"]);
}

#[tokio::test]
async fn rds_links_serve_the_object_whose_crc64_is_the_checksum() {
    let cloud = FakeCloud::builder().backup_size(4096).start().await;
    let (_, rds) = call(
        &cloud,
        "DescribeBackups",
        RDS,
        &[
            ("DBInstanceId", "rm-bp1local0001"),
            ("BackupStatus", "Success"),
        ],
    )
    .await;
    let items = rds["Items"]["Backup"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{rds}");
    for b in items {
        let url = b["BackupDownloadURL"].as_str().unwrap();
        let resp = client().get(url).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        let crc = resp.headers()["x-oss-hash-crc64ecma"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(b["Checksum"], crc.as_str(), "{b}");
        let body = resp.bytes().await.unwrap();
        assert_eq!(body.len(), 4096);
        assert_eq!(crc64_xz(&body).to_string(), crc);
        assert!(
            b["BackupIntranetDownloadURL"]
                .as_str()
                .unwrap()
                .starts_with("http://localhost:")
        );
    }
}

/// The CRC-64/ECMA (XZ) of `data`, bit by bit: an independent check of the served header.
fn crc64_xz(data: &[u8]) -> u64 {
    const POLY: u64 = 0xc96c_5795_d787_0f42;
    let mut crc = !0u64;
    for &byte in data {
        crc ^= u64::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn rds_pages_are_honoured_and_cloud_disks_have_snapshots_without_links() {
    let cloud = FakeCloud::start().await;
    let id = ("DBInstanceId", "rm-bp1cloud0001");
    let mut seen = Vec::new();
    for page in ["1", "2"] {
        let (_, v) = call(
            &cloud,
            "DescribeBackups",
            RDS,
            &[id, ("PageSize", "30"), ("PageNumber", page)],
        )
        .await;
        assert_eq!(v["TotalRecordCount"], "35");
        assert_eq!(v["PageNumber"], page);
        for b in v["Items"]["Backup"].as_array().unwrap() {
            assert_eq!(b["BackupMethod"], "Snapshot");
            assert_eq!(b["BackupDownloadURL"], "");
            seen.push(b["BackupId"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen.len(), 35);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 35, "each backup once");
    let (_, attr) = call(&cloud, "DescribeDBInstanceAttribute", RDS, &[id]).await;
    assert_eq!(
        attr["Items"]["DBInstanceAttribute"][0]["DBInstanceStorageType"],
        "cloud_essd"
    );

    // The window, in minutes, filters by start time.
    let (_, v) = call(
        &cloud,
        "DescribeBackups",
        RDS,
        &[
            id,
            ("StartTime", "2026-01-03T00:00Z"),
            ("EndTime", "2026-01-04T23:59Z"),
        ],
    )
    .await;
    assert_eq!(v["TotalRecordCount"], "2", "{v}");
}

#[tokio::test]
async fn bad_parameters_get_the_gateways_errors() {
    let cloud = FakeCloud::start().await;
    for (action, version, query, status, code) in [
        (
            "DescribeBackups",
            RDS,
            vec![("DBInstanceId", "rm-nope")],
            404,
            "InvalidDBInstanceId.NotFound",
        ),
        ("DescribeBackups", RDS, vec![], 400, "MissingDBInstanceId"),
        (
            "DescribeBackups",
            RDS,
            vec![
                ("DBInstanceId", "rm-bp1local0001"),
                ("StartTime", "2026-01-01T00:00:00Z"),
            ],
            400,
            "InvalidStartTime.Format",
        ),
        (
            "DescribeBackups",
            RDS,
            vec![("DBInstanceId", "rm-bp1local0001"), ("PageSize", "20")],
            400,
            "InvalidPageSize.Malformed",
        ),
        (
            "DescribeBackups",
            RDS,
            vec![("DBInstanceId", "rm-bp1local0001"), ("PageNumber", "0")],
            400,
            "InvalidPageNumbers.Malformed",
        ),
        (
            "DescribeBackups",
            POLARDB,
            vec![("DBClusterId", "pc-bp1polar0001")],
            400,
            "MissingStartTime",
        ),
        (
            "DescribeBackups",
            POLARDB,
            vec![
                ("DBClusterId", "pc-nope"),
                ("StartTime", "2026-01-01T00:00Z"),
                ("EndTime", "2026-01-02T00:00Z"),
            ],
            404,
            "InvalidDBClusterId.NotFound",
        ),
        (
            "DescribeBackups",
            MONGODB,
            vec![("DBInstanceId", "dds-bp1cluster01")],
            400,
            "MissingNodeId",
        ),
        (
            "DescribeClusterBackups",
            MONGODB,
            vec![("DBInstanceId", "dds-bp1replica01")],
            400,
            "InvalidDBInstanceType.NotSupport",
        ),
        (
            "DescribeBackups",
            RDS,
            vec![
                ("DBInstanceId", "rm-bp1local0001"),
                ("StartTime", "2026-01-02T00:00Z"),
                ("EndTime", "2026-01-01T00:00Z"),
            ],
            400,
            "InvalidParameterCombination",
        ),
    ] {
        let (got, v) = call(&cloud, action, version, &query).await;
        assert_eq!(
            (got, v["Code"].as_str()),
            (status, Some(code)),
            "{action} {query:?}: {v}"
        );
        assert!(
            v["RequestId"].is_string() && v["Message"].is_string(),
            "{v}"
        );
    }
}

#[tokio::test]
async fn a_sharded_cluster_lists_one_set_per_shard_with_links() {
    let cloud = FakeCloud::builder().backup_size(2048).start().await;
    let (status, v) = call(
        &cloud,
        "DescribeClusterBackups",
        MONGODB,
        &[("DBInstanceId", "dds-bp1cluster01")],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let clusters = v["ClusterBackups"].as_array().unwrap();
    assert_eq!(clusters.len(), 2);
    assert_eq!(
        clusters[0]["ClusterBackupId"], "cb-fakeclst0002",
        "newest first"
    );
    assert_eq!(
        clusters[0]["ClusterBackupSize"], "4096",
        "a size as a string"
    );
    let shards = clusters[0]["Backups"].as_array().unwrap();
    assert_eq!(shards.len(), 2);
    for (shard, node) in shards.iter().zip(["d-bp1shard0001", "d-bp1shard0002"]) {
        assert_eq!(shard["InstanceName"], node);
        assert_eq!(shard["ExtraInfo"]["NodeId"], node);
        assert_eq!(shard["BackupSize"], "2048");
        let url = shard["BackupDownloadURL"].as_str().unwrap();
        let resp = client().get(url).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.bytes().await.unwrap().len(), 2048);
    }
    // Paged with PageNo; the cluster backups alone on request.
    let (_, v) = call(
        &cloud,
        "DescribeClusterBackups",
        MONGODB,
        &[
            ("DBInstanceId", "dds-bp1cluster01"),
            ("PageNo", "2"),
            ("PageSize", "30"),
            ("IsOnlyGetClusterBackUp", "true"),
        ],
    )
    .await;
    assert_eq!(v["ClusterBackups"].as_array().unwrap().len(), 0);
    assert_eq!(v["PageNumber"], 2);
    // One shard's sets through DescribeBackups and its NodeId.
    let (_, v) = call(
        &cloud,
        "DescribeBackups",
        MONGODB,
        &[
            ("DBInstanceId", "dds-bp1cluster01"),
            ("NodeId", "d-bp1shard0002"),
        ],
    )
    .await;
    let sets = v["Backups"]["Backup"].as_array().unwrap();
    assert_eq!(sets.len(), 2, "{v}");
    assert_eq!(sets[0]["BackupId"], "cb-fakeclst0002-1");
}

#[tokio::test]
async fn product_instances_are_a_catalogue_apart_from_dbs() {
    let instance = ProductInstance {
        product: AliyunProduct::Rds,
        instance_id: "rm-mine".into(),
        engine: "PostgreSQL".into(),
        engine_version: "16.0".into(),
        storage_type: "local_ssd".into(),
        shards: Vec::new(),
        backups: vec![ProductBackup {
            backup_id: "42".into(),
            status: "Success".into(),
            method: "Physical".into(),
            mode: "Manual".into(),
            start: time::macros::datetime!(2026-02-01 0:00 UTC),
            end: time::macros::datetime!(2026-02-01 0:10 UTC),
            size_bytes: 100,
            downloadable: true,
        }],
    };
    let cloud = FakeCloud::builder()
        .aliyun_instances(vec![instance.clone()])
        .start()
        .await;
    assert_eq!(cloud.aliyun_instances(), [instance]);
    let (_, v) = call(
        &cloud,
        "DescribeBackups",
        RDS,
        &[("DBInstanceId", "rm-mine")],
    )
    .await;
    assert_eq!(v["Items"]["Backup"][0]["Engine"], "PostgreSQL");
    let (status, _) = call(
        &cloud,
        "DescribeBackups",
        RDS,
        &[("DBInstanceId", "rm-bp1local0001")],
    )
    .await;
    assert_eq!(status, 404, "the default instances were replaced");
    // The DBS listings still see only the DBS catalogue.
    let (_, plans) = call(&cloud, "DescribeBackupPlanList", "2019-03-06", &[]).await;
    assert_eq!(plans["TotalElements"], 2, "{plans}");
}
