//! The database products' backup listings (RDS, PolarDB, ApsaraDB for MongoDB): the exact
//! signed request of every operation (fixed time, counting nonces), each product's host, the
//! example responses parsed and snapshotted (links redacted), every page at once, and errors.
//!
//! Fixtures: `rds_describe_backups.example.json` is the RDS API reference's sample success
//! response verbatim (numbers where the SDK models strings, `Encryption` as an object); the
//! others are written after the official SDK models' field lists and example values
//! (`rds-20140815`, `polardb-20170801`, `dds-20151201`), with the types those models give
//! (page counters as strings for RDS and PolarDB) and the quirks seen (empty links, `0`
//! times, `"1"`/`true` flags).

mod common;

use cloud_http::testing::{MockResponse, MockServer, Recorder};
use common::{
    against, answered, assert_debug_hides_links, assert_round_trips, fixture, offline, offline_in,
    query_param, redacted_json, sent, url_param,
};
use dbs_aliyun::*;
use time::macros::datetime;

// ------------------------------------------------------------------------------------------
// Requests
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn rds_describe_backups() {
    let s = sent(&fixture("rds_describe_backups.json"), |c| async move {
        let req = RdsDescribeBackupsRequest {
            backup_id: Some("1857321234".into()),
            backup_status: Some(BackupSetStatus::Success),
            backup_mode: Some(BackupMode::Automated),
            backup_type: Some(BackupType::FullBackup),
            start_time: Some(datetime!(2026-01-01 0:00 UTC)),
            end_time: Some(datetime!(2026-01-07 23:59:30 UTC)),
            page_size: Some(50),
            page_number: Some(1),
            ..RdsDescribeBackupsRequest::new("rm-bp1local0001")
        };
        c.rds().describe_backups(&req).await
    })
    .await;
    assert!(s.starts_with("POST https://rds.aliyuncs.com/?"), "{s}");
    assert!(s.contains("x-acs-version: 2014-08-15"), "{s}");
    assert!(s.contains("EndTime=2026-01-08T00%3A00Z"), "rounded up: {s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn rds_describe_db_instance_attribute() {
    let s = sent(
        &fixture("rds_describe_db_instance_attribute.json"),
        |c| async move {
            c.rds()
                .describe_db_instance_attribute(&RdsDescribeDbInstanceAttributeRequest::new(
                    "rm-uf6wjk5xxxxxxx",
                ))
                .await
        },
    )
    .await;
    assert!(
        s.contains("x-acs-action: DescribeDBInstanceAttribute"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn polardb_describe_backups() {
    let s = sent(&fixture("polardb_describe_backups.json"), |c| async move {
        let mut req = PolarDbDescribeBackupsRequest::new(
            "pc-bp1polar0001",
            datetime!(2026-01-01 0:00 +08:00),
            datetime!(2026-01-08 0:00 +08:00),
        );
        req.backup_status = Some(BackupSetStatus::Success);
        req.backup_mode = Some(BackupMode::Manual);
        req.page_size = Some(30);
        c.polardb().describe_backups(&req).await
    })
    .await;
    assert!(s.starts_with("POST https://polardb.aliyuncs.com/?"), "{s}");
    assert!(s.contains("StartTime=2025-12-31T16%3A00Z"), "in UTC: {s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn mongodb_describe_backups() {
    let s = sent(&fixture("mongodb_describe_backups.json"), |c| async move {
        let req = MongoDbDescribeBackupsRequest {
            node_id: Some("d-bp1shard0001".into()),
            start_time: Some(datetime!(2026-01-01 0:00 UTC)),
            end_time: Some(datetime!(2026-01-02 0:00 UTC)),
            page_size: Some(100),
            page_number: Some(2),
            ..MongoDbDescribeBackupsRequest::new("dds-bp1shard0000")
        };
        c.mongodb().describe_backups(&req).await
    })
    .await;
    assert!(s.starts_with("POST https://mongodb.aliyuncs.com/?"), "{s}");
    assert!(s.contains("x-acs-version: 2015-12-01"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn mongodb_describe_cluster_backups() {
    let s = sent(
        &fixture("mongodb_describe_cluster_backups.json"),
        |c| async move {
            let req = MongoDbDescribeClusterBackupsRequest {
                start_time: Some(datetime!(2026-01-01 0:00 UTC)),
                end_time: Some(datetime!(2026-01-02 0:00 UTC)),
                is_only_get_cluster_backup: Some(false),
                page_size: Some(30),
                page_no: Some(1),
                ..MongoDbDescribeClusterBackupsRequest::new("dds-bp1cluster01")
            };
            c.mongodb().describe_cluster_backups(&req).await
        },
    )
    .await;
    assert!(s.contains("x-acs-action: DescribeClusterBackups"), "{s}");
    assert!(s.contains("PageNo=1"), "{s}");
    insta::assert_snapshot!(s);
}

/// PolarDB's backups of `pc-1` on 2026-01-01 (UTC): PolarDB requires the window.
fn polardb_day() -> PolarDbDescribeBackupsRequest {
    PolarDbDescribeBackupsRequest::new(
        "pc-1",
        datetime!(2026-01-01 0:00 UTC),
        datetime!(2026-01-02 0:00 UTC),
    )
}

#[tokio::test]
async fn each_product_goes_to_its_own_host_for_the_region() {
    let recorder = Recorder::new();
    for _ in 0..4 {
        recorder.push(200, &[], r#"{"RequestId":"R"}"#);
    }
    let client = offline_in("eu-central-1", &recorder).client;
    let (rds, polardb, mongodb) = (client.rds(), client.polardb(), client.mongodb());
    rds.describe_backups(&RdsDescribeBackupsRequest::new("rm-1"))
        .await
        .unwrap();
    polardb.describe_backups(&polardb_day()).await.unwrap();
    mongodb
        .describe_backups(&MongoDbDescribeBackupsRequest::new("dds-1"))
        .await
        .unwrap();
    client
        .describe_download_support(&DescribeDownloadSupportRequest::new("rm-1"))
        .await
        .unwrap_err(); // no `Data`: unreadable, but sent
    let hosts: Vec<String> = recorder
        .requests()
        .iter()
        .map(|r| r.url.split('/').nth(2).unwrap().to_owned())
        .collect();
    assert_eq!(
        hosts,
        [
            "rds.eu-central-1.aliyuncs.com",
            "polardb.eu-central-1.aliyuncs.com",
            "mongodb.eu-central-1.aliyuncs.com",
            "dbs-api.eu-central-1.aliyuncs.com",
        ]
    );
    assert_eq!(
        client.product_endpoint(Product::Rds).host(),
        "rds.eu-central-1.aliyuncs.com"
    );
}

#[tokio::test]
async fn an_explicit_endpoint_takes_every_product() {
    let server = MockServer::start().await;
    for body in [
        fixture("rds_describe_backups.json"),
        fixture("polardb_describe_backups.json"),
        fixture("mongodb_describe_cluster_backups.json"),
    ] {
        server.push(MockResponse::json(200, &body));
    }
    let client = against(&server).client;
    let (rds, polardb, mongodb) = (client.rds(), client.polardb(), client.mongodb());
    let page = rds
        .describe_backups(&RdsDescribeBackupsRequest::new("rm-bp1local0001"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    polardb.describe_backups(&polardb_day()).await.unwrap();
    mongodb
        .describe_cluster_backups(&MongoDbDescribeClusterBackupsRequest::new("dds-1"))
        .await
        .unwrap();
    let requests = server.requests();
    let actions: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| {
            (
                r.header("x-acs-action").unwrap(),
                r.header("x-acs-version").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("DescribeBackups", "2014-08-15"),
            ("DescribeBackups", "2017-08-01"),
            ("DescribeClusterBackups", "2015-12-01"),
        ]
    );
    assert_eq!(
        query_param(&requests[1].query, "EndTime").as_deref(),
        Some("2026-01-02T00%3A00Z")
    );
}

// ------------------------------------------------------------------------------------------
// Responses
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn rds_describe_backups_reference_example() {
    let page = answered("rds_describe_backups.example.json", |c| async move {
        let req = RdsDescribeBackupsRequest::new("rm-uf6wjk5xxxxxxx");
        c.rds().describe_backups(&req).await
    })
    .await;
    assert_eq!(
        (
            page.page_number,
            page.page_record_count,
            page.total_record_count
        ),
        (Some(1), Some(30), Some(100))
    );
    let b = &page.items[0];
    assert_eq!(b.backup_id, "321020562", "a number read as the id's text");
    assert_eq!(b.host_instance_id.as_deref(), Some("5882781"));
    assert_eq!(b.backup_method, Some(BackupMethod::Physical));
    assert!(b.succeeded());
    assert_eq!(b.is_avail, Some(true));
    assert_eq!(
        b.encryption.as_deref(),
        Some("{}"),
        "an object kept as its JSON"
    );
    assert_eq!(b.engine_version.as_deref(), Some("8"));
    assert_eq!(b.consistent_time, Some(datetime!(2019-12-16 14:34:16 UTC)));
    assert_eq!(b.crc64(), None, "the example's checksum is masked");
    assert_eq!(b.backup_download_link_by_db.len(), 1);
    assert_eq!(
        b.backup_download_url.as_ref().unwrap().expose(),
        "http://rdsbak-hz-v3.oss-cn-hangzhou.aliyuncs.com/xxxxx"
    );
    assert_eq!(
        page.request_id.as_deref(),
        Some("1A6D328C-84B8-40DC-BF49-6C73984D7494")
    );
    insta::assert_debug_snapshot!(page);
    insta::assert_snapshot!(
        "rds_describe_backups_reference_example_json",
        redacted_json(&page)
    );
    page.items.iter().for_each(assert_round_trips);
}

#[tokio::test]
async fn rds_describe_backups_local_and_snapshot_sets() {
    let page = answered("rds_describe_backups.json", |c| async move {
        let req = RdsDescribeBackupsRequest::new("rm-bp1local0001");
        c.rds().describe_backups(&req).await
    })
    .await;
    assert_eq!(page.total_record_count, Some(3), "a count sent as a string");
    let [physical, failed, snapshot] = &page.items[..] else {
        panic!("three sets: {page:?}");
    };
    assert_eq!(physical.backup_size, Some(2_167_808));
    assert_eq!(physical.crc64(), Some(11_473_624_536_282_312_318));
    assert_eq!(
        physical.backup_start_time,
        Some(datetime!(2026-01-01 2:00:11 UTC))
    );
    assert_eq!(failed.backup_status, Some(BackupSetStatus::Failed));
    assert_eq!(
        failed.backup_start_time,
        Some(datetime!(2026-01-02 2:00 UTC)),
        "a time without seconds"
    );
    assert_eq!(failed.backup_download_url, None, "an empty link is none");
    assert_eq!(failed.consistent_time, None, "0 is no time");
    assert_eq!(failed.is_avail, Some(false));
    assert_eq!(snapshot.backup_method, Some(BackupMethod::Snapshot));
    assert_eq!(snapshot.backup_download_url, None);
    assert_eq!(snapshot.backup_size, Some(10_737_418_240));

    // The links are credentials: Debug cuts them, the JSON a caller asks for has them whole.
    assert_debug_hides_links(&page);
    let json = serde_json::to_string(&page).unwrap();
    assert!(json.contains("Signature=c2lnbmF0dXJl%3D"), "{json}");
    assert!(json.contains(r#""TotalRecordCount":3"#), "{json}");
    assert!(
        json.contains(r#""BackupStartTime":"2026-01-02T02:00:00Z""#),
        "{json}"
    );
    insta::assert_debug_snapshot!(page);
    insta::assert_snapshot!(
        "rds_describe_backups_local_and_snapshot_sets_json",
        redacted_json(&page)
    );
    page.items.iter().for_each(assert_round_trips);
}

#[tokio::test]
async fn rds_describe_db_instance_attribute_answer() {
    let answer = answered("rds_describe_db_instance_attribute.json", |c| async move {
        let req = RdsDescribeDbInstanceAttributeRequest::new("rm-uf6wjk5xxxxxxx");
        c.rds().describe_db_instance_attribute(&req).await
    })
    .await;
    let a = &answer.items[0];
    assert_eq!(a.storage_type, Some(RdsStorageType::CloudEssd));
    assert_eq!(a.is_cloud_disk(), Some(true));
    assert_eq!(a.engine.as_deref(), Some("MySQL"));
    assert_eq!(a.db_instance_storage, Some(100));
    assert_eq!(a.master_instance_id, None, "\"\" is none");
    assert_eq!(a.creation_time, Some(datetime!(2011-05-30 12:11:04 UTC)));
    insta::assert_debug_snapshot!(answer);
    insta::assert_json_snapshot!("rds_describe_db_instance_attribute_answer_json", answer);
    assert_round_trips(&answer);
}

#[tokio::test]
async fn polardb_describe_backups_listing() {
    let page = answered("polardb_describe_backups.json", |c| async move {
        let (start, end) = (
            datetime!(2020-11-15 0:00 UTC),
            datetime!(2020-11-17 0:00 UTC),
        );
        let req = PolarDbDescribeBackupsRequest::new("pc-1", start, end);
        c.polardb().describe_backups(&req).await
    })
    .await;
    assert_eq!(page.total_level2_backup_size, Some(4_639_948_800));
    let ok = &page.items[0];
    assert_eq!(
        ok.backup_set_size,
        Some(4_639_948_800),
        "a size sent as a string"
    );
    assert_eq!(ok.consistent_time, Some(datetime!(2020-11-15 7:30:07 UTC)));
    assert_eq!(ok.is_avail, Some(true));
    assert_eq!(
        ok.download_source(),
        DownloadSource::BackupSet {
            id: "61*******".into(),
            size: Some(4_639_948_800)
        }
    );
    let failed = &page.items[1];
    assert!(!failed.succeeded());
    assert_eq!(
        (failed.backup_end_time, failed.backup_set_size),
        (None, None)
    );
    assert_eq!(failed.consistent_time, None, "\"0\" is no time");
    insta::assert_debug_snapshot!(page);
    insta::assert_json_snapshot!("polardb_describe_backups_listing_json", page);
    page.items.iter().for_each(assert_round_trips);
}

#[tokio::test]
async fn mongodb_describe_backups_listing() {
    let page = answered("mongodb_describe_backups.json", |c| async move {
        let req = MongoDbDescribeBackupsRequest::new("dds-bp1replica01");
        c.mongodb().describe_backups(&req).await
    })
    .await;
    assert_eq!(
        (page.page_number, page.page_size, page.total_count),
        (Some(1), Some(30), Some(2))
    );
    let physical = &page.backups[0];
    assert_eq!(physical.backup_id, "32102");
    assert_eq!(physical.is_avail, Some(true));
    assert_eq!(physical.backup_size, Some(6_168_576));
    assert!(
        physical
            .backup_download_url
            .as_ref()
            .unwrap()
            .expose()
            .contains("Signature=lkFPjOY%2F8adB18vnOCbtmT7****")
    );
    let snapshot = &page.backups[1];
    assert_eq!(snapshot.backup_download_url, None);
    assert_eq!(snapshot.is_avail, Some(true), "\"true\" is true");
    assert_debug_hides_links(&page);
    insta::assert_debug_snapshot!(page);
    insta::assert_snapshot!(
        "mongodb_describe_backups_listing_json",
        redacted_json(&page)
    );
    page.backups.iter().for_each(assert_round_trips);
}

#[tokio::test]
async fn mongodb_describe_cluster_backups_listing() {
    let page = answered("mongodb_describe_cluster_backups.json", |c| async move {
        let req = MongoDbDescribeClusterBackupsRequest::new("dds-bp1cluster01");
        c.mongodb().describe_cluster_backups(&req).await
    })
    .await;
    assert_eq!(page.max_results, Some(10));
    let done = &page.cluster_backups[0];
    assert!(done.succeeded());
    assert_eq!(done.cluster_backup_size, Some(107_374_182_400));
    assert_eq!(
        done.backup_expire_time,
        Some(datetime!(9999-01-01 0:00 UTC))
    );
    let shard = &done.backups[0];
    assert_eq!(shard.instance_name.as_deref(), Some("d-bp16cb162771****"));
    assert_eq!(shard.backup_size, Some(77_544_597_650));
    assert_eq!(
        shard.extra_info.as_ref().unwrap().node_id.as_deref(),
        Some("d-2ze75ab1fa5d****")
    );
    let running = &page.cluster_backups[1];
    assert!(!running.succeeded());
    assert_eq!(running.progress.as_deref(), Some("50"));
    insta::assert_debug_snapshot!(page);
    insta::assert_snapshot!(
        "mongodb_describe_cluster_backups_listing_json",
        redacted_json(&page)
    );
    page.cluster_backups.iter().for_each(assert_round_trips);
}

// ------------------------------------------------------------------------------------------
// Every page
// ------------------------------------------------------------------------------------------

/// An RDS page of `count` sets from `first`, of `total`, counters as strings.
fn rds_page(first: usize, count: usize, total: usize, number: usize) -> String {
    let items: Vec<String> = (first..first + count)
        .map(|i| format!(r#"{{"BackupId":"{i}","BackupStatus":"Success","BackupSize":"{i}"}}"#))
        .collect();
    format!(
        r#"{{"RequestId":"PAGE-{number}","PageNumber":"{number}","PageRecordCount":"{count}","TotalRecordCount":"{total}","Items":{{"Backup":[{}]}}}}"#,
        items.join(",")
    )
}

#[tokio::test]
async fn rds_describe_backups_all_follows_page_numbers_to_the_total() {
    let recorder = Recorder::new();
    recorder.push(200, &[], &rds_page(0, 30, 65, 1));
    recorder.push(200, &[], &rds_page(30, 30, 65, 2));
    recorder.push(200, &[], &rds_page(60, 5, 65, 3));
    let client = offline(&recorder).client;
    let mut req = RdsDescribeBackupsRequest::new("rm-1");
    req.page_size = Some(30);
    req.page_number = Some(7); // ignored
    let all = client.rds().describe_backups_all(&req).await.unwrap();
    let ids: Vec<usize> = all
        .items
        .iter()
        .map(|b| b.backup_id.parse().unwrap())
        .collect();
    assert_eq!(ids, (0..65).collect::<Vec<_>>());
    assert_eq!(
        (
            all.page_number,
            all.page_record_count,
            all.total_record_count
        ),
        (None, Some(65), Some(65))
    );
    assert_eq!(all.request_id.as_deref(), Some("PAGE-3"));
    let pages: Vec<(Option<String>, Option<String>)> = recorder
        .requests()
        .iter()
        .map(|r| {
            (
                url_param(&r.url, "PageNumber"),
                url_param(&r.url, "PageSize"),
            )
        })
        .collect();
    let expected: Vec<(Option<String>, Option<String>)> = ["1", "2", "3"]
        .iter()
        .map(|n| (Some((*n).to_owned()), Some("30".to_owned())))
        .collect();
    assert_eq!(pages, expected);
}

#[tokio::test]
async fn the_all_listings_default_to_pages_of_100_and_stop_at_a_short_page() {
    let recorder = Recorder::new();
    let backup = |i: usize| format!(r#"{{"BackupId":"{i}"}}"#);
    let full: Vec<String> = (0..100).map(backup).collect();
    recorder.push(
        200,
        &[],
        &format!(
            r#"{{"PageNumber":1,"PageSize":100,"Backups":{{"Backup":[{}]}}}}"#,
            full.join(",")
        ),
    );
    recorder.push(
        200,
        &[],
        r#"{"PageNumber":2,"PageSize":100,"Backups":{"Backup":[{"BackupId":"100"}]}}"#,
    );
    // Cluster backups have no total at all.
    let cluster = |i: usize| format!(r#"{{"ClusterBackupId":"cb-{i}","Backups":[]}}"#);
    let first: Vec<String> = (0..30).map(cluster).collect();
    recorder.push(
        200,
        &[],
        &format!(r#"{{"ClusterBackups":[{}]}}"#, first.join(",")),
    );
    recorder.push(200, &[], r#"{"ClusterBackups":[]}"#);
    let client = offline(&recorder).client;
    let mongo = client.mongodb();
    let all = mongo
        .describe_backups_all(&MongoDbDescribeBackupsRequest::new("dds-1"))
        .await
        .unwrap();
    assert_eq!(all.backups.len(), 101);
    assert_eq!(all.total_count, None);
    let mut req = MongoDbDescribeClusterBackupsRequest::new("dds-1");
    req.page_size = Some(30);
    let clusters = mongo.describe_cluster_backups_all(&req).await.unwrap();
    assert_eq!(clusters.cluster_backups.len(), 30);
    let numbers: Vec<(Option<String>, Option<String>)> = recorder
        .requests()
        .iter()
        .map(|r| {
            let number = url_param(&r.url, "PageNumber").or(url_param(&r.url, "PageNo"));
            (number, url_param(&r.url, "PageSize"))
        })
        .collect();
    let want = |n: &str, s: &str| (Some(n.to_owned()), Some(s.to_owned()));
    assert_eq!(
        numbers,
        [
            want("1", "100"),
            want("2", "100"),
            want("1", "30"),
            want("2", "30")
        ]
    );
}

// ------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_product_refusal_names_the_product_the_code_and_the_request_id() {
    let recorder = Recorder::new();
    recorder.push(
        400,
        &[],
        r#"{"RequestId":"R-404","HostId":"rds.aliyuncs.com","Code":"InvalidDBInstanceId.NotFound","Message":"The DBInstanceId provided does not exist in records.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidDBInstanceId.NotFound&product=Rds"}"#,
    );
    let client = offline(&recorder).client;
    let err = client
        .rds()
        .describe_backups(&RdsDescribeBackupsRequest::new("rm-nope"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidDBInstanceId.NotFound"));
    assert_eq!(err.request_id(), Some("R-404"));
    let line = err.to_string();
    assert!(
        line.starts_with("aliyun-rds DescribeBackups failed: "),
        "{line}"
    );
    assert!(line.contains("[request id R-404]"), "{line}");
    assert_eq!(recorder.requests().len(), 1, "a refusal is not retried");
}

#[tokio::test]
async fn throttled_listings_are_retried() {
    let recorder = Recorder::new();
    recorder.push(
        400,
        &[("x-acs-retry-after", "100")],
        r#"{"RequestId":"T-1","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#,
    );
    recorder.push(200, &[], &fixture("mongodb_describe_cluster_backups.json"));
    let client = offline(&recorder).client;
    let page = client
        .mongodb()
        .describe_cluster_backups(&MongoDbDescribeClusterBackupsRequest::new("dds-1"))
        .await
        .unwrap();
    assert_eq!(page.cluster_backups.len(), 2);
    let requests = recorder.requests();
    assert_eq!(requests.len(), 2);
    let nonce = |i: usize| {
        requests[i]
            .headers
            .iter()
            .find(|(n, _)| n == "x-acs-signature-nonce")
            .map(|(_, v)| v.clone())
    };
    assert_ne!(nonce(0), nonce(1), "each attempt is signed afresh");
}

#[tokio::test]
async fn malformed_answers_are_errors_with_the_request_id_and_an_excerpt() {
    let cases = [
        // A list that is not one.
        r#"{"RequestId":"M-1","Items":{"Backup":"nope"}}"#,
        // A time that is not one, beside a link whose signature must not leak.
        r#"{"RequestId":"M-1","Items":{"Backup":[{"BackupId":"1","BackupStartTime":"yesterday","BackupDownloadURL":"https://b.oss/f?Signature=LEAK"}]}}"#,
        // Not JSON at all.
        "<html>502 Bad Gateway</html>",
    ];
    for body in cases {
        let recorder = Recorder::new();
        recorder.push(200, &[("x-acs-request-id", "M-1")], body);
        let client = offline(&recorder).client;
        let err = client
            .rds()
            .describe_backups(&RdsDescribeBackupsRequest::new("rm-1"))
            .await
            .unwrap_err();
        let Error::UnreadableResponse {
            request_id,
            excerpt,
            operation,
            ..
        } = &err
        else {
            panic!("{body}: not unreadable: {err:?}");
        };
        assert_eq!(request_id.as_deref(), Some("M-1"), "{body}");
        assert!(!excerpt.is_empty(), "{body}");
        assert_eq!(operation.vendor, "aliyun-rds");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("LEAK"), "{shown}");
    }
}

/// The error `call` fails with, before anything is sent.
async fn refused<T: std::fmt::Debug>(call: impl Future<Output = Result<T, Error>>) -> String {
    let err = call.await.unwrap_err();
    assert!(!err.may_have_reached_server(), "{err}");
    err.to_string()
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let recorder = Recorder::new();
    let client = offline(&recorder).client;
    let (rds, polardb, mongodb) = (client.rds(), client.polardb(), client.mongodb());
    let err = refused(rds.describe_backups(&RdsDescribeBackupsRequest {
        page_size: Some(20),
        ..RdsDescribeBackupsRequest::new("rm-1")
    }))
    .await;
    assert_eq!(
        err,
        "invalid input: PageSize: must be 30, 50 or 100 (got 20)"
    );
    let mut backwards = polardb_day();
    (backwards.start_time, backwards.end_time) = (backwards.end_time, backwards.start_time);
    let err = refused(polardb.describe_backups(&backwards)).await;
    assert!(err.starts_with("invalid input: EndTime:"), "{err}");
    let err = refused(
        rds.describe_db_instance_attribute(&RdsDescribeDbInstanceAttributeRequest::new("")),
    )
    .await;
    assert_eq!(err, "invalid input: DBInstanceId: must not be empty");
    let err = refused(
        mongodb.describe_cluster_backups(&MongoDbDescribeClusterBackupsRequest {
            page_no: Some(0),
            ..MongoDbDescribeClusterBackupsRequest::new("dds-1")
        }),
    )
    .await;
    assert!(err.starts_with("invalid input: PageNo:"), "{err}");
    assert!(recorder.requests().is_empty());
}
