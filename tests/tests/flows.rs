//! The whole user flow of each vendor through its public client API against the emulator:
//! find a backup, start the export or get the link, wait, and read the link(s), comparing the
//! downloaded bytes with the emulator's objects.

use std::time::Duration;

use dbs_aliyun::{
    BackupStatus as DbsBackupStatus, CreateDownloadRequest, CreateRestoreTaskRequest,
    DescribeBackupPlanListRequest, DescribeDownloadSupportRequest, DescribeFullBackupListRequest,
    DownloadSource, DownloadStatus, DownloadTarget, Export, LogicalFormat, RestoreDestination,
    RestoreObject, RestoreSource, RestoreStatus, RetryDownloadTaskRequest, StartRestoreTaskRequest,
    StorageInfoRequest,
};
use fake_cloud::{FakeCloud, HUAWEI_IAM_TOKEN, HUAWEI_PROJECT_ID, Route};
use mongodb_tencent::{
    CreateBackupDownloadTaskRequest, DescribeDbBackupsRequest, TaskStatus as TencentTaskStatus,
};
use rds_huawei::{BackupStatus as HuaweiBackupStatus, LenientTime, dds, rds};
use tests::ids::{
    ALIYUN_BACKUP_SET, ALIYUN_INSTANCE, DDS_BACKUP, DDS_INSTANCE, RDS_BACKUP, RDS_INSTANCE,
    TENCENT_SHARDED,
};
use tests::{
    aliyun_download, attempts, default_transport, download_and_compare, huawei, huawei_builder,
    object_key, waiter,
};

/// Backups of 300 KB: several ranges per download, still fast.
const SIZE: u64 = 300 * 1024;

/// Whether the service's time was understood.
fn parses(t: &Option<LenientTime>) -> bool {
    t.as_ref().and_then(LenientTime::datetime).is_some()
}

async fn cloud() -> FakeCloud {
    FakeCloud::builder()
        .backup_size(SIZE)
        .task_pace(3)
        .start()
        .await
}

#[tokio::test]
async fn aliyun_find_a_backup_set_export_it_to_a_url_wait_and_download() {
    let cloud = cloud().await;
    let t = default_transport();
    let client = tests::aliyun(&cloud, &t.http);

    // Find the instance's backup plan, then its finished full backup set.
    let plans = client
        .describe_backup_plan_list(&DescribeBackupPlanListRequest::default())
        .await
        .unwrap();
    let plan = plans
        .items
        .iter()
        .find(|p| p.source_endpoint_instance_id.as_deref() == Some(ALIYUN_INSTANCE))
        .expect("a plan backs up the instance");
    let sets = client
        .describe_full_backup_list(&DescribeFullBackupListRequest::new(&plan.backup_plan_id))
        .await
        .unwrap();
    let set = sets
        .items
        .iter()
        .find(|s| s.backup_status == DbsBackupStatus::Finish)
        .expect("a finished backup set");
    assert_eq!(set.backup_set_id, ALIYUN_BACKUP_SET);
    assert_eq!(set.backup_size, Some(SIZE));

    let support = client
        .describe_download_support(&DescribeDownloadSupportRequest::new(ALIYUN_INSTANCE))
        .await
        .unwrap();
    assert!(support.supported);

    let request = CreateDownloadRequest::new(
        ALIYUN_INSTANCE,
        DownloadSource::backup_set(&set.backup_set_id),
        Export::Logical(LogicalFormat::Csv),
        DownloadTarget::Url,
    );
    let created = client.create_download(&request).await.unwrap();
    assert_eq!(created.task.status, DownloadStatus::Initializing);
    assert!(created.request_id.is_some());

    let mut seen = Vec::new();
    let task = client
        .wait_for_download(&created.key, &waiter(), |t| seen.push(t.status.clone()))
        .await
        .unwrap();
    assert_eq!(task.task_id, created.task.task_id);
    assert_eq!(task.status, DownloadStatus::Finished);
    assert_eq!(task.tables(), Some((3, 3)));
    assert_eq!(
        seen,
        [
            DownloadStatus::Queueing,
            DownloadStatus::Running,
            DownloadStatus::Finished
        ],
        "every poll is reported"
    );
    assert_eq!(t.sleep.sleeps().len(), 2, "two waits between three polls");

    let links = client
        .describe_download_backup_set_storage_info(&StorageInfoRequest::for_task(
            &task.task_id,
            Duration::from_secs(3600),
        ))
        .await
        .unwrap();
    let url = links.public_url.expect("a URL-type task has a public link");
    assert!(
        !format!("{url:?}").contains("Signature="),
        "links print without their signature"
    );
    let expires = links.expiration_time.expect("an expiration time");
    let ttl = expires - time::OffsetDateTime::now_utc();
    assert!(
        ttl > time::Duration::minutes(50) && ttl <= time::Duration::minutes(60),
        "the link lives the Duration asked for: {ttl}"
    );

    let dir = tempfile::tempdir().unwrap();
    let report = download_and_compare(&cloud, url.expose(), dir.path(), "backup.csv").await;
    assert!(
        report.verified.contains(&"crc64ecma"),
        "{:?}",
        report.verified
    );
    assert!(report.ranged);
}

#[tokio::test]
async fn aliyun_a_download_task_can_be_retried_and_finishes_again() {
    let cloud = cloud().await;
    let t = default_transport();
    let client = tests::aliyun(&cloud, &t.http);
    let request = aliyun_download(LogicalFormat::Parquet);
    let created = client.create_download(&request).await.unwrap();
    client
        .wait_for_download(&created.key, &waiter(), |_| {})
        .await
        .unwrap();

    let retried = client
        .retry_download_task(&RetryDownloadTaskRequest::for_task(&created.key))
        .await
        .unwrap();
    assert_eq!(retried.data.as_deref(), Some(created.task.task_id.as_str()));
    let task = client
        .wait_for_download(&created.key, &waiter(), |_| {})
        .await
        .unwrap();
    assert_eq!(task.status, DownloadStatus::Finished);

    let sent = cloud
        .requests()
        .into_iter()
        .find(|r| r.action == "RetryDownloadTask")
        .unwrap();
    for name in [
        "RegionCode=cn-hangzhou",
        "InstanceName=rm-bp1example",
        "TaskId=dt-",
    ] {
        assert!(sent.query.contains(name), "{name} in {}", sent.query);
    }
}

#[tokio::test]
async fn aliyun_restore_a_backup_set_into_an_rds_instance_and_wait() {
    let cloud = cloud().await;
    let t = default_transport();
    let client = tests::aliyun(&cloud, &t.http);
    let plan = format!("dbsplan-{ALIYUN_INSTANCE}");

    let mut request = CreateRestoreTaskRequest::new(
        &plan,
        "restore-orders",
        RestoreSource::BackupSet(ALIYUN_BACKUP_SET.into()),
        RestoreDestination::Rds {
            region: "cn-hangzhou".into(),
            instance_id: "rm-bp1restore".into(),
        },
    );
    request.restore_objects = vec![RestoreObject::renamed("orders", "orders_restored")];
    let created = client.create_restore_task(&request).await.unwrap();
    // The token was generated for this call: repeating the call with it is deduplicated.
    request.client_token = Some(created.client_token.clone());
    let again = client.create_restore_task(&request).await.unwrap();
    assert_eq!(again.restore_task_id, created.restore_task_id);

    let started = client
        .start_restore_task(&StartRestoreTaskRequest::new(&created.restore_task_id))
        .await
        .unwrap();
    assert_eq!(started.restore_task_id, created.restore_task_id);

    let mut seen = Vec::new();
    let task = client
        .wait_for_restore(&created.restore_task_id, &waiter(), |t| {
            seen.push(t.restore_status.clone())
        })
        .await
        .unwrap();
    assert_eq!(task.restore_status, RestoreStatus::Finished);
    assert_eq!(task.full_data_restore_progress, Some(100));
    assert!(task.restore_task_finish_time.is_some());
    assert_eq!(seen.last(), Some(&RestoreStatus::Finished));
    assert!(seen.contains(&RestoreStatus::Running), "{seen:?}");
}

#[tokio::test]
async fn tencent_find_the_newest_backup_export_every_shard_wait_and_download() {
    let cloud = cloud().await;
    let t = default_transport();
    let client = tests::tencent(&cloud, &t.http);

    let backups = client
        .describe_db_backups(&DescribeDbBackupsRequest::new(TENCENT_SHARDED))
        .await
        .unwrap();
    let newest = backups.newest_successful().expect("a finished backup");
    assert_eq!(newest.backup_size_bytes(), SIZE, "KB × 1024");

    let request = CreateBackupDownloadTaskRequest::new(
        TENCENT_SHARDED,
        &newest.backup_name,
        ["cmgo-dygv1rnp_0", "cmgo-dygv1rnp_1"],
    );
    let created = client.create_backup_download_task(&request).await.unwrap();
    assert_eq!(created.tasks.len(), 2);
    assert!(
        created
            .tasks
            .iter()
            .all(|t| t.status == TencentTaskStatus::Waiting)
    );

    let mut polls = 0;
    let tasks = client
        .wait_for_backup_download(&request, &waiter(), |_| polls += 1)
        .await
        .unwrap();
    assert_eq!(polls, 3, "waiting, downloading, finished");
    let ids: Vec<&str> = tasks.iter().map(|t| t.replica_set_id.as_str()).collect();
    assert_eq!(
        ids,
        ["cmgo-dygv1rnp_0", "cmgo-dygv1rnp_1"],
        "in request order"
    );

    let dir = tempfile::tempdir().unwrap();
    for task in &tasks {
        assert_eq!(task.status, TencentTaskStatus::Finished);
        assert_eq!(task.percent, 100);
        assert_eq!(task.backup_size_bytes, SIZE);
        let report =
            download_and_compare(&cloud, task.url.as_str(), dir.path(), &task.replica_set_id).await;
        assert!(
            report.verified.contains(&"crc64ecma"),
            "{:?}",
            report.verified
        );
    }
    // Both shards are distinct objects.
    assert_ne!(
        object_key(tasks[0].url.as_str()),
        object_key(tasks[1].url.as_str())
    );
    let sent = cloud
        .requests()
        .into_iter()
        .find(|r| r.action == "CreateBackupDownloadTask")
        .unwrap();
    assert_eq!(sent.header("x-tc-region"), Some("ap-guangzhou"));
    assert_eq!(sent.header("x-tc-version"), Some("2019-07-25"));
}

#[tokio::test]
async fn huawei_dds_resolve_the_project_list_backups_and_download_every_shard() {
    let cloud = cloud().await;
    let t = default_transport();
    // No project id: the client looks it up through IAM, once.
    let client = huawei_builder(&cloud, &t.http)
        .credentials(cloud.huawei_credentials())
        .build()
        .unwrap();

    let listed = client
        .dds()
        .list_backups(&dds::ListBackupsRequest {
            instance_id: Some(DDS_INSTANCE.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(client.project_id().await.unwrap(), HUAWEI_PROJECT_ID);
    assert_eq!(listed.total_count, 1);
    let backup = &listed.backups[0];
    assert_eq!(backup.id, DDS_BACKUP);
    assert_eq!(backup.status, Some(HuaweiBackupStatus::Completed));
    assert_eq!(backup.size_bytes(), SIZE);
    assert!(parses(&backup.begin_time), "DDS times parse");

    let links = client
        .dds()
        .show_backup_download_link(&dds::ShowBackupDownloadLinkRequest::new(
            DDS_INSTANCE,
            &backup.id,
        ))
        .await
        .unwrap();
    assert_eq!(links.files.len(), 2, "one file per shard");
    let dir = tempfile::tempdir().unwrap();
    for file in &links.files {
        assert_eq!(file.size_bytes(), SIZE);
        assert!(file.group_name.is_some(), "cluster files name their shard");
        let expires = file
            .link_expired_time
            .as_ref()
            .and_then(|t| t.datetime())
            .expect("the expiry parses");
        assert!(expires > time::OffsetDateTime::now_utc() + time::Duration::minutes(10));
        let report =
            download_and_compare(&cloud, file.download_link.as_str(), dir.path(), &file.name).await;
        assert!(report.verified.contains(&"md5"), "{:?}", report.verified);
    }

    assert_eq!(attempts(&cloud, Route::Iam, "KeystoneListProjects"), 1);
    let storage = cloud.requests_to(Route::Storage);
    assert!(!storage.is_empty());
    for r in &storage {
        assert!(
            r.header("authorization").is_none() && r.header("x-project-id").is_none(),
            "download links are fetched without API credentials"
        );
    }
}

#[tokio::test]
async fn huawei_rds_list_an_instance_and_download_its_backup_file() {
    let cloud = cloud().await;
    let t = default_transport();
    let client = huawei(&cloud, &t.http);

    let listed = client
        .rds()
        .list_backups(&rds::ListBackupsRequest::new(RDS_INSTANCE))
        .await
        .unwrap();
    let ids: Vec<&str> = listed.backups.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, [RDS_BACKUP], "the RDS instance's backups, not DDS's");
    let backup = &listed.backups[0];
    assert_eq!(backup.backup_type, Some(rds::BackupType::Auto));
    assert!(parses(&backup.begin_time), "RDS times parse");

    let links = client
        .rds()
        .show_backup_download_link(&rds::ShowBackupDownloadLinkRequest::new(RDS_BACKUP))
        .await
        .unwrap();
    assert_eq!(links.files.len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let file = &links.files[0];
    download_and_compare(&cloud, file.download_link.as_str(), dir.path(), &file.name).await;
    assert_eq!(attempts(&cloud, Route::Iam, "KeystoneListProjects"), 0);
}

#[tokio::test]
async fn huawei_an_expired_link_is_refused_and_a_fresh_one_works() {
    let cloud = FakeCloud::builder()
        .backup_size(SIZE)
        .huawei_link_ttl(Duration::from_secs(60))
        .start()
        .await;
    let t = default_transport();
    // An IAM token instead of AK/SK, scoped to the emulator's project.
    let client = huawei_builder(&cloud, &t.http)
        .iam_token(HUAWEI_IAM_TOKEN)
        .project_id(HUAWEI_PROJECT_ID)
        .build()
        .unwrap();
    let request = rds::ShowBackupDownloadLinkRequest::new(RDS_BACKUP);
    let old = client
        .rds()
        .show_backup_download_link(&request)
        .await
        .unwrap();

    // Two minutes later (server time) the one-minute link has expired; the API still accepts
    // the (unsigned, token-authenticated) call and hands out a fresh link.
    cloud.set_clock_skew(120);
    let dir = tempfile::tempdir().unwrap();
    let err = backup_core::download::Downloader::new()
        .unwrap()
        .download(
            old.files[0].download_link.as_str(),
            &dir.path().join("stale"),
            &Default::default(),
            None,
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, backup_core::download::DownloadError::Status { status: 403, detail: Some(d), .. }
            if d.contains("Request has expired")),
        "{err}"
    );
    assert!(!err.to_string().contains("Signature="), "{err}");

    let fresh = client
        .rds()
        .show_backup_download_link(&request)
        .await
        .unwrap();
    assert_ne!(fresh.files[0].download_link, old.files[0].download_link);
    download_and_compare(
        &cloud,
        fresh.files[0].download_link.as_str(),
        dir.path(),
        "fresh",
    )
    .await;
    let sent = cloud
        .requests()
        .into_iter()
        .find(|r| r.route == Route::Huawei)
        .unwrap();
    assert_eq!(sent.header("x-auth-token"), Some(HUAWEI_IAM_TOKEN));
    assert!(sent.header("authorization").is_none());
}
