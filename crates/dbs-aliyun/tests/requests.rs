//! The exact signed request of every operation (fixed time, counting nonces), snapshotted.

mod common;

use std::time::Duration;

use cloud_http::testing::Recorder;
use common::{fixture, offline, restore_to_rds, sent};
use dbs_aliyun::*;
use time::macros::datetime;

#[tokio::test]
async fn create_download_full_backup_set_to_url() {
    let s = sent(&fixture("create_download.seed.json"), |c| async move {
        let mut req = CreateDownloadRequest::new(
            "rm-bp1xxxxxxxx",
            DownloadSource::BackupSet {
                id: "1460051234".into(),
                size: Some(2_160_000),
            },
            Export::Logical(LogicalFormat::Csv),
            DownloadTarget::Url,
        );
        req.region_code = Some("cn-beijing".into());
        c.create_download(&req).await
    })
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn create_download_mongodb_point_in_time_to_oss() {
    let s = sent(&fixture("create_download.seed.json"), |c| async move {
        let mut req = CreateDownloadRequest::new(
            "dds-bp1xxxxxxxx",
            DownloadSource::PointInTime(datetime!(2022-08-24 9:04:24 UTC)),
            Export::MongoDb(
                MongoDbExport::new(MongoDbFormat::Bson).sharded_cluster("dds-0xid8e5336000"),
            ),
            DownloadTarget::Oss {
                bucket: "test123".into(),
                path: "test_db/path".into(),
                region: "cn-hangzhou".into(),
            },
        );
        req.use_zstd = Some(true);
        c.create_download(&req).await
    })
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn create_download_rds_mysql_physical() {
    let s = sent(&fixture("create_download.seed.json"), |c| async move {
        let req = CreateDownloadRequest::new(
            "rm-bp1xxxxxxxx",
            DownloadSource::backup_set("1460051234"),
            Export::RdsMySqlPhysical,
            DownloadTarget::Url,
        );
        c.create_download(&req).await
    })
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn describe_download_task() {
    let s = sent(&fixture("describe_download_task.json"), |c| async move {
        let mut req = DescribeDownloadTaskRequest::new("rm-bp1xxxxxxxx");
        req.task_type = Some(DownloadTaskType::Full);
        req.state = Some(DownloadStatus::Queueing);
        req.created_after = Some(datetime!(2026-01-01 0:00 UTC));
        req.current_page = Some(1);
        req.page_size = Some(50);
        req.order = Some(SortOrder::Descending);
        c.describe_download_task(&req).await
    })
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn describe_download_backup_set_storage_info() {
    let s = sent(
        &fixture("describe_download_backup_set_storage_info.json"),
        |c| async move {
            let req = StorageInfoRequest::for_task("dt-7hq2xk3m0001", Duration::from_secs(7200));
            c.describe_download_backup_set_storage_info(&req).await
        },
    )
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn describe_download_backup_set_storage_info_by_backup_set() {
    let s = sent(
        &fixture("describe_download_backup_set_storage_info.json"),
        |c| async move {
            let req = StorageInfoRequest {
                region_code: None,
                target: StorageInfoTarget::BackupSet {
                    backup_set_id: "1482610001".into(),
                    instance_name: "rm-bp1xxxxxxxx".into(),
                },
                duration: Duration::from_secs(300),
                cluster_name: None,
            };
            c.describe_download_backup_set_storage_info(&req).await
        },
    )
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn describe_download_support() {
    let s = sent(&fixture("describe_download_support.json"), |c| async move {
        c.describe_download_support(&DescribeDownloadSupportRequest::new("rm-bp1xxxxxxxx"))
            .await
    })
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn retry_download_task() {
    let s = sent(&fixture("retry_download_task.json"), |c| async move {
        let req = RetryDownloadTaskRequest {
            region_code: None,
            instance_name: "rm-bp1xxxxxxxx".into(),
            task_id: "dt-7hq2xk3m0002".into(),
            cluster_name: None,
        };
        c.retry_download_task(&req).await
    })
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn create_restore_task_from_backup_set_to_rds() {
    let s = sent(&fixture("create_restore_task.seed.json"), |c| async move {
        let mut req = restore_to_rds();
        req.duplicate_conflict = Some(DuplicateConflict::RenameNew);
        c.create_restore_task(&req).await
    })
    .await;
    insta::assert_snapshot!(s);
}

/// The destination password is signed and sent, but the snapshot (URL and canonical request)
/// shows it as `<redacted>`.
#[tokio::test]
async fn create_restore_task_with_a_destination_account() {
    let s = sent(&fixture("create_restore_task.seed.json"), |c| async move {
        let mut req = restore_to_rds();
        req.account = Some(DatabaseAccount::new("dbs", "pa ss&word"));
        c.create_restore_task(&req).await
    })
    .await;
    assert!(!s.contains("pa ss") && !s.contains("pa%20ss"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn create_restore_task_point_in_time_through_agent() {
    let s = sent(&fixture("create_restore_task.seed.json"), |c| async move {
        let mut req = CreateRestoreTaskRequest::new(
            "dbs1hvb0w1234",
            "restore-to-gateway",
            RestoreSource::PointInTime(datetime!(2019-04-06 14:21:17 UTC)),
            RestoreDestination::Agent {
                region: "cn-hangzhou".into(),
                ip: "192.168.0.10".into(),
                port: 3306,
                backup_gateway_id: 4_312_001,
                restore_dir: Some("/data/restore".into()),
            },
        );
        req.client_token = Some("my-own-token-0001".into());
        req.cross_account = Some(CrossAccount {
            aliyun_id: "2749528728000000".into(),
            role_name: "dbs-cross".into(),
        });
        req.tls = Some(DestinationTls::default());
        c.create_restore_task(&req).await
    })
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn start_restore_task() {
    let s = sent(&fixture("start_restore_task.json"), |c| async move {
        c.start_restore_task(&StartRestoreTaskRequest::new("s1r9k2w4b0007"))
            .await
    })
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn describe_restore_task_list() {
    let s = sent(
        &fixture("describe_restore_task_list.json"),
        |c| async move {
            let mut req = DescribeRestoreTaskListRequest::new(RestoreTaskSelector::BackupPlan(
                "dbs1hvb0w1234".into(),
            ));
            req.start = Some(datetime!(2025-12-01 0:00 UTC));
            req.end = Some(datetime!(2026-01-01 0:00 UTC));
            req.page_num = Some(0);
            req.page_size = Some(30);
            c.describe_restore_task_list(&req).await
        },
    )
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn describe_backup_plan_list() {
    let s = sent(&fixture("describe_backup_plan_list.json"), |c| async move {
        let req = DescribeBackupPlanListRequest {
            backup_plan_ids: vec!["dbs1hvb0w1234".into(), "dbs1hvb0w5678".into()],
            region: Some("cn-hangzhou".into()),
            backup_plan_status: Some(BackupPlanStatus::Running),
            page_size: Some(100),
            ..Default::default()
        };
        c.describe_backup_plan_list(&req).await
    })
    .await;
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn describe_full_backup_list() {
    let s = sent(&fixture("describe_full_backup_list.json"), |c| async move {
        let mut req = DescribeFullBackupListRequest::new("dbs1hvb0w1234");
        req.show_storage_type = Some(true);
        req.page_size = Some(50);
        c.describe_full_backup_list(&req).await
    })
    .await;
    insta::assert_snapshot!(s);
}

/// DBS takes the destination password as a query parameter; it is sent as given and never
/// printed by the request's `Debug`.
#[tokio::test]
async fn the_destination_password_is_sent_in_the_query_but_not_debug_printed() {
    let recorder = Recorder::new();
    recorder.push(200, &[], &fixture("create_restore_task.seed.json"));
    let f = offline(&recorder);
    let mut req = CreateRestoreTaskRequest::new(
        "dbs1hvb0w1234",
        "r",
        RestoreSource::BackupSet("1ibh2f5u123".into()),
        RestoreDestination::Other {
            ip: "db.example.com".into(),
            port: 5432,
        },
    );
    req.account = Some(DatabaseAccount::new("dbs", "pa ss&word"));
    req.database_name = Some("orders".into());
    req.restore_objects = vec![RestoreObject::renamed("orders", "orders_restored")];
    assert!(!format!("{req:?}").contains("pa ss"));
    f.client.create_restore_task(&req).await.unwrap();
    let url = &recorder.requests()[0].url;
    assert!(url.contains("DestinationEndpointUserName=dbs"), "{url}");
    assert!(
        url.contains("DestinationEndpointPassword=pa%20ss%26word"),
        "{url}"
    );
    assert!(
        url.contains("DestinationEndpointDatabaseName=orders"),
        "{url}"
    );
}
