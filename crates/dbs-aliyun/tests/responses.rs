//! Every operation's response parsed into clean types and snapshotted: both seed examples
//! (`*.seed.json`, copied verbatim from the seeds' "Success response" blocks) and a response
//! for each other operation written after the vendor's field lists, with the quirks DBS shows
//! (numbers and booleans as strings, `""` for none, `queuing`, unknown values).
//!
//! Each parsed response is also snapshotted as the JSON a caller's `serde_json` dump gives: DBS's
//! field names, times in epoch milliseconds, absent fields left out. Download links serialize in
//! full; their snapshot has them redacted, as the Tencent crate's does.

mod common;

use std::time::Duration;

use common::{answering, assert_debug_hides_links, assert_round_trips, fixture};
use dbs_aliyun::*;
use time::macros::datetime;

#[tokio::test]
async fn create_download_seed_example() {
    let (c, _) = answering(&fixture("create_download.seed.json"));
    let req = CreateDownloadRequest::new(
        "rm-wz994c1t1xxxx",
        DownloadSource::backup_set("1460051234"),
        Export::Logical(LogicalFormat::Csv),
        DownloadTarget::Url,
    );
    let created = c.create_download(&req).await.unwrap();
    // `Success: "true"` wins over the example's ErrCode: this is a result, not an error.
    assert_eq!(created.task.task_id, "dt-qxnsfq5s****");
    assert_eq!(created.task.status, DownloadStatus::Initializing);
    assert_eq!(created.task.format, Some(FormatType::Csv));
    assert_eq!(
        created.task.gmt_create,
        Some(datetime!(2022-08-31 10:15:17.570 UTC))
    );
    assert_eq!(created.key.instance_name, "rm-wz994c1t1xxxx");
    assert_eq!(created.key.region_code.as_deref(), Some("cn-hangzhou"));
    assert_eq!(
        created.request_id.as_deref(),
        Some("A08F908D-2C35-583F-93C1-ED80753F****")
    );
    insta::assert_debug_snapshot!(created);

    // Serialized, the task is the seed's `Data` again; only the open enum's spelling is its own.
    let seed: serde_json::Value =
        serde_json::from_str(&fixture("create_download.seed.json")).unwrap();
    let json = serde_json::to_value(&created).unwrap();
    let mut data = seed["Data"].clone();
    data["Format"] = "csv".into();
    assert_eq!(json["Data"], data);
    assert_eq!(json["RequestId"], seed["RequestId"]);
    assert_eq!(json["Key"]["GmtCreate"], seed["Data"]["GmtCreate"]);
    insta::assert_json_snapshot!("create_download_seed_example_json", created);
    assert_round_trips(&created.task);
}

#[tokio::test]
async fn create_restore_task_seed_example() {
    let (c, _) = answering(&fixture("create_restore_task.seed.json"));
    let mut req = CreateRestoreTaskRequest::new(
        "dbs1hvb0ww1234",
        "test",
        RestoreSource::BackupSet("dbs1hvb0w12345".into()),
        RestoreDestination::Rds {
            region: "cn-hangzhou".into(),
            instance_id: "rm-bp1p8c2912345".into(),
        },
    );
    req.restore_objects = vec![RestoreObject::renamed("dbname", "dbname1")];
    let created = c.create_restore_task(&req).await.unwrap();
    assert_eq!(created.restore_task_id, "s102h*****");
    assert_eq!(created.client_token, "00000000000000000000000000000001");
    insta::assert_debug_snapshot!(created);

    let seed: serde_json::Value =
        serde_json::from_str(&fixture("create_restore_task.seed.json")).unwrap();
    let json = serde_json::to_value(&created).unwrap();
    assert_eq!(json["RestoreTaskId"], seed["RestoreTaskId"]);
    assert_eq!(json["RequestId"], seed["RequestId"]);
    insta::assert_json_snapshot!("create_restore_task_seed_example_json", created);
}

#[tokio::test]
async fn describe_download_task_listing() {
    let (c, _) = answering(&fixture("describe_download_task.json"));
    let page = c
        .describe_download_task(&DescribeDownloadTaskRequest::new("rm-bp1xxxxxxxx"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(
        page.items[0].status,
        DownloadStatus::Queueing,
        "`queuing` is `queueing`"
    );
    assert_eq!(page.items[1].export_data_size, Some(1_048_576));
    assert_eq!(page.items[1].tables(), Some((12, 40)));
    assert_eq!(
        page.items[2].status,
        DownloadStatus::Unknown("paused-by-ops".into())
    );
    assert_eq!(
        page.items[2].format,
        Some(FormatType::Unknown("avro".into()))
    );
    assert_eq!(page.total_elements, Some(3));
    insta::assert_debug_snapshot!(page);
    insta::assert_json_snapshot!("describe_download_task_listing_json", page);
    page.items.iter().for_each(assert_round_trips);
}

#[tokio::test]
async fn describe_download_backup_set_storage_info_links() {
    let (c, _) = answering(&fixture("describe_download_backup_set_storage_info.json"));
    let links = c
        .describe_download_backup_set_storage_info(&StorageInfoRequest::for_task(
            "dt-7hq2xk3m0001",
            Duration::from_secs(7200),
        ))
        .await
        .unwrap();
    let public = links.public_url.as_ref().unwrap();
    assert!(public.expose().contains("Signature=c2lnbmF0dXJl%3D"));
    assert_eq!(links.expiration_time, Some(datetime!(2026-01-01 2:00 UTC)));
    assert_debug_hides_links(&links);
    insta::assert_debug_snapshot!(links);

    // The JSON a caller asks for carries the whole links; the snapshot keeps them out of the
    // repository.
    let json = serde_json::to_string_pretty(&links).unwrap();
    assert!(json.contains("OSSAccessKeyId=STS.NTexample&Signature=c2lnbmF0dXJl%3D"));
    assert!(
        json.contains(r#""ExpirationTime": 1767232800000"#),
        "{json}"
    );
    insta::assert_snapshot!(
        "describe_download_backup_set_storage_info_links_json",
        cloud_http::redact_urls(&json)
    );
    let mut without_request_id = links.clone();
    without_request_id.request_id = None;
    let again: DownloadLinks = serde_json::from_str(&json).unwrap();
    assert_eq!(again, without_request_id, "RequestId is not read from Data");
}

#[tokio::test]
async fn describe_download_support_answer() {
    let (c, _) = answering(&fixture("describe_download_support.json"));
    let support = c
        .describe_download_support(&DescribeDownloadSupportRequest::new("rm-bp1xxxxxxxx"))
        .await
        .unwrap();
    assert!(support.supported);
    insta::assert_debug_snapshot!(support);
    insta::assert_json_snapshot!("describe_download_support_answer_json", support);
}

#[tokio::test]
async fn retry_download_task_answer() {
    let (c, _) = answering(&fixture("retry_download_task.json"));
    let retried = c
        .retry_download_task(&RetryDownloadTaskRequest {
            region_code: None,
            instance_name: "rm-bp1xxxxxxxx".into(),
            task_id: "dt-7hq2xk3m0002".into(),
            cluster_name: None,
        })
        .await
        .unwrap();
    insta::assert_debug_snapshot!(retried);
    insta::assert_json_snapshot!("retry_download_task_answer_json", retried);
}

#[tokio::test]
async fn start_restore_task_answer() {
    let (c, _) = answering(&fixture("start_restore_task.json"));
    let mut req = StartRestoreTaskRequest::new("s1r9k2w4b0007");
    req.client_token = Some("caller-token-1".into());
    let started = c.start_restore_task(&req).await.unwrap();
    assert_eq!(started.client_token, "caller-token-1");
    insta::assert_debug_snapshot!(started);
    insta::assert_json_snapshot!("start_restore_task_answer_json", started);
}

#[tokio::test]
async fn describe_restore_task_list_listing() {
    let (c, _) = answering(&fixture("describe_restore_task_list.json"));
    let page = c
        .describe_restore_task_list(&DescribeRestoreTaskListRequest::task("s1r9k2w4b0007"))
        .await
        .unwrap();
    assert_eq!(page.items[0].restore_status, RestoreStatus::Running);
    assert_eq!(page.items[0].full_data_restore_progress, Some(42));
    assert_eq!(
        page.items[0].restore_task_finish_time, None,
        "0 is not a time"
    );
    assert_eq!(page.items[0].err_message, None, "NULL is no message");
    assert_eq!(page.items[1].restore_status, RestoreStatus::CheckPass);
    assert_eq!(page.page_number, Some(0));
    insta::assert_debug_snapshot!(page);
    insta::assert_json_snapshot!("describe_restore_task_list_listing_json", page);
    page.items.iter().for_each(assert_round_trips);
}

#[tokio::test]
async fn describe_backup_plan_list_listing() {
    let (c, _) = answering(&fixture("describe_backup_plan_list.json"));
    let page = c
        .describe_backup_plan_list(&DescribeBackupPlanListRequest::default())
        .await
        .unwrap();
    let plan = &page.items[0];
    assert_eq!(plan.backup_plan_status, BackupPlanStatus::Running);
    assert_eq!(
        plan.oss_bucket_name.as_deref(),
        Some("dbs-backup-1234567890-cn-hangzhou")
    );
    assert_eq!(plan.enable_backup_log, Some(true));
    assert_eq!(plan.source_endpoint_ip_port, None, "\"\" is none");
    insta::assert_debug_snapshot!(page);
    insta::assert_json_snapshot!("describe_backup_plan_list_listing_json", page);
    page.items.iter().for_each(assert_round_trips);
}

#[tokio::test]
async fn describe_full_backup_list_listing() {
    let (c, _) = answering(&fixture("describe_full_backup_list.json"));
    let page = c
        .describe_full_backup_list(&DescribeFullBackupListRequest::new("dbs1hvb0w1234"))
        .await
        .unwrap();
    assert_eq!(page.items[0].backup_status, BackupStatus::Finish);
    assert_eq!(page.items[0].backup_size, Some(5_368_709_120));
    assert_eq!(page.items[1].backup_status, BackupStatus::Running);
    assert_eq!(page.items[1].end_time, None);
    insta::assert_debug_snapshot!(page);
    insta::assert_json_snapshot!("describe_full_backup_list_listing_json", page);
    page.items.iter().for_each(assert_round_trips);
}

#[tokio::test]
async fn the_request_id_comes_from_the_body_else_the_header() {
    let (c, _) = answering(r#"{"Success":"true","Data":"false"}"#);
    let support = c
        .describe_download_support(&DescribeDownloadSupportRequest::new("rm-1"))
        .await
        .unwrap();
    assert!(!support.supported);
    assert_eq!(support.request_id.as_deref(), Some("HEADER-ID"));
}

#[tokio::test]
async fn a_success_without_the_expected_data_is_unreadable() {
    let (c, _) = answering(r#"{"Success":"true","RequestId":"R1"}"#);
    let err = c
        .create_download(&CreateDownloadRequest::new(
            "rm-1",
            DownloadSource::backup_set("1"),
            Export::Logical(LogicalFormat::Sql),
            DownloadTarget::Url,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnreadableResponse { .. }), "{err:?}");
    assert_eq!(err.request_id(), Some("R1"));
    let (c, _) = answering("<html>gateway</html>");
    let err = c
        .describe_download_support(&DescribeDownloadSupportRequest::new("rm-1"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unreadable response"), "{err}");
}
