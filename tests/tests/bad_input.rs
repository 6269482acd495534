//! Bad input: every request type of every vendor crate, with a missing, blank, out-of-range or
//! contradictory field, is refused with an error naming the API field — and the emulator's
//! request log proves nothing was sent (not even Huawei's project lookup).

use std::time::Duration;

use cloud_http::Error;
use dbs_aliyun::{
    CreateDownloadRequest, CreateRestoreTaskRequest, CrossAccount, DatabaseAccount,
    DescribeBackupPlanListRequest, DescribeDownloadSupportRequest, DescribeDownloadTaskRequest,
    DescribeFullBackupListRequest, DescribeRestoreTaskListRequest, DownloadSource, DownloadTarget,
    DownloadTaskKey, Export, LogicalFormat, MongoDbExport, MongoDbFormat, RestoreDestination,
    RestoreObject, RestoreSource, RestoreTaskSelector, RetryDownloadTaskRequest,
    StartRestoreTaskRequest, StorageInfoRequest, StorageInfoTarget,
};
use fake_cloud::FakeCloud;
use mongodb_tencent::{
    CreateBackupDownloadTaskRequest, DescribeBackupDownloadTaskRequest, DescribeDbBackupsRequest,
};
use rds_huawei::{Language, SortOrder, SortRule, TimeRange, dds, rds};
use tests::ids::{
    ALIYUN_BACKUP_SET, ALIYUN_INSTANCE, DDS_BACKUP, DDS_INSTANCE, RDS_BACKUP, RDS_INSTANCE,
    TENCENT_BACKUP, TENCENT_INSTANCE, TENCENT_REPLICA_SET,
};
use tests::{aliyun_download, default_transport, endpoint, huawei_builder, invalid_field, waiter};
use time::OffsetDateTime;
use time::macros::datetime;

/// Checks that every result is an invalid-input error naming its field, and that the emulator
/// received nothing. All mismatches are reported together.
fn assert_refused(cloud: &FakeCloud, cases: Vec<(&str, Result<(), Error>)>) {
    let mut wrong = Vec::new();
    for (i, (field, result)) in cases.iter().enumerate() {
        match result {
            Err(e @ Error::InvalidInput { .. }) if invalid_field(e) == *field => {
                assert!(!e.may_have_reached_server());
                assert!(e.to_string().contains(field), "{e}");
            }
            Err(e) => wrong.push(format!("case {i} ({field}): {e}")),
            Ok(()) => wrong.push(format!("case {i} ({field}): accepted")),
        }
    }
    assert!(
        wrong.is_empty(),
        "not refused as expected:\n{}",
        wrong.join("\n")
    );
    let sent = cloud.requests();
    assert!(
        sent.is_empty(),
        "{} request(s) reached the emulator",
        sent.len()
    );
}

const PLAN: &str = "dbsplan-rm-bp1example";
const BEFORE_EPOCH: OffsetDateTime = datetime!(1969-12-31 23:59 UTC);
const DAY_1: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);
const DAY_2: OffsetDateTime = datetime!(2026-01-02 0:00 UTC);

fn csv_to_url(instance: &str, source: DownloadSource) -> CreateDownloadRequest {
    CreateDownloadRequest::new(
        instance,
        source,
        Export::Logical(LogicalFormat::Csv),
        DownloadTarget::Url,
    )
}

fn restore(source: RestoreSource, destination: RestoreDestination) -> CreateRestoreTaskRequest {
    let mut r = CreateRestoreTaskRequest::new(PLAN, "restore", source, destination);
    r.restore_objects = vec![RestoreObject::renamed("orders", "orders_restored")];
    r
}

fn rds_destination() -> RestoreDestination {
    RestoreDestination::Rds {
        region: "cn-hangzhou".into(),
        instance_id: "rm-bp1restore".into(),
    }
}

fn backup_set() -> RestoreSource {
    RestoreSource::BackupSet(ALIYUN_BACKUP_SET.into())
}

#[tokio::test]
async fn aliyun_refuses_every_bad_request_before_sending() {
    let cloud = FakeCloud::start().await;
    let t = default_transport();
    let c = tests::aliyun(&cloud, &t.http);
    let ok = || aliyun_download(LogicalFormat::Csv);
    let with = |f: fn(&mut CreateDownloadRequest)| {
        let mut r = ok();
        f(&mut r);
        r
    };
    let mut cases = vec![
        // CreateDownload
        (
            "InstanceName",
            c.create_download(&csv_to_url(" ", DownloadSource::backup_set("1")))
                .await
                .map(drop),
        ),
        (
            "BakSetId",
            c.create_download(&csv_to_url("rm-1", DownloadSource::backup_set("")))
                .await
                .map(drop),
        ),
        (
            "DownloadPointInTime",
            c.create_download(&csv_to_url(
                "rm-1",
                DownloadSource::PointInTime(BEFORE_EPOCH),
            ))
            .await
            .map(drop),
        ),
        (
            "RegionCode",
            c.create_download(&with(|r| r.region_code = Some(String::new())))
                .await
                .map(drop),
        ),
        (
            "TargetBucket",
            c.create_download(&with(|r| {
                r.target = DownloadTarget::Oss {
                    bucket: "".into(),
                    path: "p".into(),
                    region: "cn-hangzhou".into(),
                }
            }))
            .await
            .map(drop),
        ),
        (
            "TargetPath",
            c.create_download(&with(|r| {
                r.target = DownloadTarget::Oss {
                    bucket: "b".into(),
                    path: " ".into(),
                    region: "cn-hangzhou".into(),
                }
            }))
            .await
            .map(drop),
        ),
        (
            "TargetOssRegion",
            c.create_download(&with(|r| {
                r.target = DownloadTarget::Oss {
                    bucket: "b".into(),
                    path: "p".into(),
                    region: "".into(),
                }
            }))
            .await
            .map(drop),
        ),
        (
            "ClusterName",
            c.create_download(&with(|r| {
                r.export =
                    Export::MongoDb(MongoDbExport::new(MongoDbFormat::Bson).sharded_cluster(""))
            }))
            .await
            .map(drop),
        ),
        (
            "AdminDatabase",
            c.create_download(&with(|r| {
                let mut m = MongoDbExport::new(MongoDbFormat::Bson);
                m.admin_database = String::new();
                r.export = Export::MongoDb(m);
            }))
            .await
            .map(drop),
        ),
    ];

    // DescribeDownloadTask
    let describe = |f: fn(&mut DescribeDownloadTaskRequest)| {
        let mut r = DescribeDownloadTaskRequest::new(ALIYUN_INSTANCE);
        f(&mut r);
        r
    };
    for (field, request) in [
        (
            "InstanceName",
            describe(|r| r.instance_name = String::new()),
        ),
        ("PageSize", describe(|r| r.page_size = Some(0))),
        ("PageSize", describe(|r| r.page_size = Some(101))),
        ("CurrentPage", describe(|r| r.current_page = Some(0))),
        (
            "BackupSetId",
            describe(|r| r.backup_set_id = Some(" ".into())),
        ),
        (
            "DatasourceId",
            describe(|r| r.datasource_id = Some("".into())),
        ),
        (
            "StartTime",
            describe(|r| r.created_after = Some(BEFORE_EPOCH)),
        ),
        (
            "EndTime",
            describe(|r| {
                r.created_after = Some(DAY_2);
                r.created_before = Some(DAY_1);
            }),
        ),
    ] {
        cases.push((field, c.describe_download_task(&request).await.map(drop)));
    }

    // DescribeDownloadBackupSetStorageInfo
    let hour = Duration::from_secs(3600);
    let mut by_set = StorageInfoRequest::for_task("dt-1", hour);
    by_set.target = StorageInfoTarget::BackupSet {
        backup_set_id: ALIYUN_BACKUP_SET.into(),
        instance_name: "".into(),
    };
    let mut cluster = StorageInfoRequest::for_task("dt-1", hour);
    cluster.cluster_name = Some(String::new());
    for (field, request) in [
        (
            "Duration",
            StorageInfoRequest::for_task("dt-1", Duration::from_secs(299)),
        ),
        (
            "Duration",
            StorageInfoRequest::for_task("dt-1", Duration::from_secs(86_401)),
        ),
        (
            "Duration",
            StorageInfoRequest::for_task("dt-1", Duration::from_millis(300_500)),
        ),
        ("TaskId", StorageInfoRequest::for_task("", hour)),
        ("InstanceName", by_set),
        ("ClusterName", cluster),
    ] {
        cases.push((
            field,
            c.describe_download_backup_set_storage_info(&request)
                .await
                .map(drop),
        ));
    }

    // DescribeDownloadSupport, RetryDownloadTask
    cases.push((
        "InstanceName",
        c.describe_download_support(&DescribeDownloadSupportRequest::new(""))
            .await
            .map(drop),
    ));
    let key = DownloadTaskKey {
        region_code: None,
        instance_name: ALIYUN_INSTANCE.into(),
        task_id: "".into(),
        created: None,
        cluster_name: None,
    };
    cases.push((
        "TaskId",
        c.retry_download_task(&RetryDownloadTaskRequest::for_task(&key))
            .await
            .map(drop),
    ));
    let mut retry = RetryDownloadTaskRequest::for_task(&key);
    retry.task_id = "dt-1".into();
    retry.instance_name = " ".into();
    cases.push((
        "InstanceName",
        c.retry_download_task(&retry).await.map(drop),
    ));

    // CreateRestoreTask
    let restore_with = |f: fn(&mut CreateRestoreTaskRequest)| {
        let mut r = restore(backup_set(), rds_destination());
        f(&mut r);
        r
    };
    for (field, request) in [
        (
            "BackupPlanId",
            restore_with(|r| r.backup_plan_id = String::new()),
        ),
        (
            "RestoreTaskName",
            restore_with(|r| r.restore_task_name = " ".into()),
        ),
        (
            "BackupSetId",
            restore_with(|r| r.source = RestoreSource::BackupSet(String::new())),
        ),
        (
            "RestoreTime",
            restore_with(|r| r.source = RestoreSource::PointInTime(BEFORE_EPOCH)),
        ),
        (
            "RestoreObjects",
            restore_with(|r| r.restore_objects.clear()),
        ),
        (
            "RestoreObjects.DBName",
            restore_with(|r| r.restore_objects = vec![RestoreObject::renamed("", "x")]),
        ),
        (
            "DestinationEndpointRegion",
            restore_with(|r| {
                r.destination = RestoreDestination::Rds {
                    region: "".into(),
                    instance_id: "rm-1".into(),
                }
            }),
        ),
        (
            "DestinationEndpointInstanceID",
            restore_with(|r| {
                r.destination = RestoreDestination::Dds {
                    region: "cn-hangzhou".into(),
                    instance_id: "".into(),
                }
            }),
        ),
        (
            "DestinationEndpointIP",
            restore_with(|r| {
                r.destination = RestoreDestination::Other {
                    ip: "".into(),
                    port: 3306,
                }
            }),
        ),
        (
            "DestinationEndpointPort",
            restore_with(|r| {
                r.destination = RestoreDestination::Other {
                    ip: "10.0.0.1".into(),
                    port: 0,
                }
            }),
        ),
        (
            "DestinationEndpointUserName",
            restore_with(|r| r.account = Some(DatabaseAccount::new("", "secret"))),
        ),
        (
            "CrossRoleName",
            restore_with(|r| {
                r.cross_account = Some(CrossAccount {
                    aliyun_id: "1234".into(),
                    role_name: "".into(),
                })
            }),
        ),
        (
            "ClientToken",
            restore_with(|r| r.client_token = Some("has space".into())),
        ),
    ] {
        cases.push((field, c.create_restore_task(&request).await.map(drop)));
    }

    // StartRestoreTask
    cases.push((
        "RestoreTaskId",
        c.start_restore_task(&StartRestoreTaskRequest::new(""))
            .await
            .map(drop),
    ));
    let mut start = StartRestoreTaskRequest::new("s1fake1");
    start.client_token = Some("x".repeat(65));
    cases.push(("ClientToken", c.start_restore_task(&start).await.map(drop)));

    // DescribeRestoreTaskList
    let mut window = DescribeRestoreTaskListRequest::task("s1fake1");
    window.start = Some(DAY_2);
    window.end = Some(DAY_1);
    let mut page = DescribeRestoreTaskListRequest::task("s1fake1");
    page.page_size = Some(101);
    for (field, request) in [
        (
            "RestoreTaskId",
            DescribeRestoreTaskListRequest::new(RestoreTaskSelector::Tasks(vec![])),
        ),
        (
            "RestoreTaskId",
            DescribeRestoreTaskListRequest::new(RestoreTaskSelector::Tasks(vec!["a,b".into()])),
        ),
        (
            "BackupPlanId",
            DescribeRestoreTaskListRequest::new(RestoreTaskSelector::BackupPlan(" ".into())),
        ),
        ("PageSize", page),
        ("EndTimestamp", window),
    ] {
        cases.push((
            field,
            c.describe_restore_task_list(&request).await.map(drop),
        ));
    }

    // DescribeBackupPlanList, DescribeFullBackupList
    for (field, request) in [
        (
            "PageSize",
            DescribeBackupPlanListRequest {
                page_size: Some(0),
                ..Default::default()
            },
        ),
        (
            "BackupPlanId",
            DescribeBackupPlanListRequest {
                backup_plan_ids: vec!["p1,p2".into()],
                ..Default::default()
            },
        ),
        (
            "Region",
            DescribeBackupPlanListRequest {
                region: Some("".into()),
                ..Default::default()
            },
        ),
    ] {
        cases.push((field, c.describe_backup_plan_list(&request).await.map(drop)));
    }
    let mut sized = DescribeFullBackupListRequest::new(PLAN);
    sized.page_size = Some(40);
    let mut one = DescribeFullBackupListRequest::new(PLAN);
    one.backup_set_id = Some(" ".into());
    for (field, request) in [
        ("BackupPlanId", DescribeFullBackupListRequest::new("")),
        ("PageSize", sized),
        ("BackupSetId", one),
    ] {
        cases.push((field, c.describe_full_backup_list(&request).await.map(drop)));
    }

    // The waiters check what they poll with before polling.
    cases.push((
        "InstanceName",
        c.wait_for_download(
            &DownloadTaskKey {
                instance_name: "".into(),
                task_id: "dt-1".into(),
                ..key.clone()
            },
            &waiter(),
            |_| {},
        )
        .await
        .map(drop),
    ));
    cases.push((
        "RestoreTaskId",
        c.wait_for_restore("", &waiter(), |_| {}).await.map(drop),
    ));
    assert_refused(&cloud, cases);
}

#[tokio::test]
async fn tencent_refuses_every_bad_request_before_sending() {
    let cloud = FakeCloud::start().await;
    let t = default_transport();
    let c = tests::tencent(&cloud, &t.http);
    let name = TENCENT_BACKUP;
    let create = |instance: &str, name: &str, sets: &[&str]| {
        CreateBackupDownloadTaskRequest::new(instance, name, sets.iter().copied())
    };
    let mut cases = Vec::new();
    for (field, request) in [
        ("InstanceId", create("", name, &[TENCENT_REPLICA_SET])),
        (
            "BackupName",
            create(TENCENT_INSTANCE, " ", &[TENCENT_REPLICA_SET]),
        ),
        ("BackupSets", create(TENCENT_INSTANCE, name, &[])),
        (
            "BackupSets",
            create(
                TENCENT_INSTANCE,
                name,
                &[TENCENT_REPLICA_SET, TENCENT_REPLICA_SET],
            ),
        ),
        (
            "BackupSets.1.ReplicaSetId",
            create(TENCENT_INSTANCE, name, &[TENCENT_REPLICA_SET, ""]),
        ),
    ] {
        cases.push((
            field,
            c.create_backup_download_task(&request).await.map(drop),
        ));
    }
    let start = time::PrimitiveDateTime::new(DAY_2.date(), DAY_2.time());
    let end = time::PrimitiveDateTime::new(DAY_1.date(), DAY_1.time());
    for (field, request) in [
        ("InstanceId", DescribeBackupDownloadTaskRequest::new(" ")),
        (
            "Limit",
            DescribeBackupDownloadTaskRequest {
                limit: Some(0),
                ..DescribeBackupDownloadTaskRequest::new(TENCENT_INSTANCE)
            },
        ),
        (
            "Limit",
            DescribeBackupDownloadTaskRequest {
                limit: Some(101),
                ..DescribeBackupDownloadTaskRequest::new(TENCENT_INSTANCE)
            },
        ),
        (
            "BackupName",
            DescribeBackupDownloadTaskRequest {
                backup_name: Some("".into()),
                ..DescribeBackupDownloadTaskRequest::new(TENCENT_INSTANCE)
            },
        ),
        (
            "StartTime",
            DescribeBackupDownloadTaskRequest {
                start_time: Some(start),
                end_time: Some(end),
                ..DescribeBackupDownloadTaskRequest::new(TENCENT_INSTANCE)
            },
        ),
    ] {
        cases.push((
            field,
            c.describe_backup_download_task(&request).await.map(drop),
        ));
    }
    for (field, request) in [
        ("InstanceId", DescribeDbBackupsRequest::new("")),
        (
            "Limit",
            DescribeDbBackupsRequest {
                limit: Some(101),
                ..DescribeDbBackupsRequest::new(TENCENT_INSTANCE)
            },
        ),
    ] {
        cases.push((field, c.describe_db_backups(&request).await.map(drop)));
    }
    // The check after an ambiguous create and the waiter validate the request they poll for.
    cases.push((
        "InstanceId",
        c.find_backup_download_tasks(&create("", name, &[TENCENT_REPLICA_SET]))
            .await
            .map(drop),
    ));
    cases.push((
        "BackupSets",
        c.wait_for_backup_download(&create(TENCENT_INSTANCE, name, &[]), &waiter(), |_| {})
            .await
            .map(drop),
    ));
    assert_refused(&cloud, cases);
}

#[tokio::test]
async fn huawei_refuses_every_bad_request_before_sending_or_looking_up_the_project() {
    let cloud = FakeCloud::start().await;
    let t = default_transport();
    // No project id: a request that got past validation would first go to IAM.
    let c = huawei_builder(&cloud, &t.http)
        .credentials(cloud.huawei_credentials())
        .build()
        .unwrap();
    let (instance, backup) = (DDS_INSTANCE, DDS_BACKUP);
    let mut cases = Vec::new();
    for (field, request) in [
        (
            "instance_id",
            dds::ShowBackupDownloadLinkRequest::new("", backup),
        ),
        (
            "backup_id",
            dds::ShowBackupDownloadLinkRequest::new(instance, " "),
        ),
        (
            "X-Language",
            dds::ShowBackupDownloadLinkRequest::new(instance, backup)
                .with_language(Language::from("")),
        ),
    ] {
        cases.push((
            field,
            c.dds().show_backup_download_link(&request).await.map(drop),
        ));
    }
    let list = |f: fn(&mut dds::ListBackupsRequest)| {
        let mut r = dds::ListBackupsRequest::default();
        f(&mut r);
        r
    };
    for (field, request) in [
        ("limit", list(|r| r.limit = Some(0))),
        ("limit", list(|r| r.limit = Some(101))),
        ("instance_id", list(|r| r.instance_id = Some("".into()))),
        ("backup_id", list(|r| r.backup_id = Some(" ".into()))),
        (
            "instance_id",
            list(|r| r.backup_type = Some(dds::BackupType::Incremental)),
        ),
        ("mode", list(|r| r.mode = Some(dds::InstanceMode::from("")))),
        (
            "order_field",
            list(|r| {
                r.order = Some(SortOrder {
                    field: "".into(),
                    rule: SortRule::Desc,
                })
            }),
        ),
    ] {
        cases.push((field, c.dds().list_backups(&request).await.map(drop)));
    }
    for (field, request) in [
        ("backup_id", rds::ShowBackupDownloadLinkRequest::new("")),
        (
            "X-Language",
            rds::ShowBackupDownloadLinkRequest::new(RDS_BACKUP)
                .with_language(Language::from("en us")),
        ),
    ] {
        cases.push((
            field,
            c.rds().show_backup_download_link(&request).await.map(drop),
        ));
    }
    for (field, request) in [
        ("instance_id", rds::ListBackupsRequest::new(" ")),
        (
            "limit",
            rds::ListBackupsRequest {
                limit: Some(101),
                ..rds::ListBackupsRequest::new(RDS_INSTANCE)
            },
        ),
        (
            "backup_type",
            rds::ListBackupsRequest {
                backup_type: Some(rds::BackupType::from("")),
                ..rds::ListBackupsRequest::new(RDS_INSTANCE)
            },
        ),
    ] {
        cases.push((field, c.rds().list_backups(&request).await.map(drop)));
    }
    // A window that ends before it begins cannot even be built.
    cases.push(("end_time", TimeRange::new(DAY_2, DAY_1).map(drop)));
    assert_refused(&cloud, cases);
}

#[tokio::test]
async fn a_plain_http_endpoint_is_refused_unless_allowed() {
    let cloud = FakeCloud::start().await;
    // A production transport: https only.
    let http = cloud_http::HttpClient::builder().build().unwrap();
    assert!(!http.config().allow_http);
    let aliyun = dbs_aliyun::Client::builder()
        .region("cn-hangzhou")
        .credentials(cloud.aliyun_credentials())
        .endpoint(endpoint(&cloud))
        .http_client(http.clone())
        .build()
        .unwrap();
    let tencent = tests::tencent(&cloud, &http);
    let huawei = tests::huawei(&cloud, &http);
    let cases = vec![
        (
            "endpoint",
            aliyun
                .describe_download_support(&DescribeDownloadSupportRequest::new(ALIYUN_INSTANCE))
                .await
                .map(drop),
        ),
        (
            "endpoint",
            tencent
                .describe_db_backups(&DescribeDbBackupsRequest::new(TENCENT_INSTANCE))
                .await
                .map(drop),
        ),
        (
            "endpoint",
            huawei
                .rds()
                .show_backup_download_link(&rds::ShowBackupDownloadLinkRequest::new(RDS_BACKUP))
                .await
                .map(drop),
        ),
    ];
    assert_refused(&cloud, cases);
}
