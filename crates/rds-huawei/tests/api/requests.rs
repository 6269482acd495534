//! The exact signed request of every operation, at the signing.md date, checked against the
//! signing.md vectors where one exists.

use cloud_http::testing::Recorder;
use rds_huawei::dds::{self, BackupType, InstanceMode};
use rds_huawei::{BackupStatus, Language, SortOrder, SortRule, TimeRange, rds};
use time::macros::datetime;

use crate::*;

#[tokio::test]
async fn dds_show_backup_download_link_is_signing_vector_h1() {
    let recorder = Recorder::new();
    recorder.push(200, &[], SEED_DDS_LINKS);
    show_h1(&client(&recorder)).await.unwrap();
    let sent = recorder.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        signature(&sent[0]),
        "d4a3867882957ae46be4dd97e68daa6fb4087381c008a7a26ec3952c09eca356"
    );
    insta::assert_snapshot!("dds_show_backup_download_link", sent[0].to_snapshot());
}

#[tokio::test]
async fn security_token_is_sent_and_signed_as_in_vector_h2() {
    let recorder = Recorder::new();
    recorder.push(200, &[], SEED_DDS_LINKS);
    let client = client_with(&recorder, |b| {
        b.credentials(
            credentials()
                .with_project_id(PROJECT)
                .with_session_token("exampleSecurityToken"),
        )
    });
    show_h1(&client).await.unwrap();
    let sent = &recorder.requests()[0];
    assert_eq!(
        sent.header("x-security-token"),
        Some("exampleSecurityToken")
    );
    assert_eq!(
        signature(sent),
        "0fd33be2f6f16bf5db94ac9c76dabea2287ffba37711c3eed011061c6e9f5d2c"
    );
    let snapshot = sent.to_snapshot();
    assert!(!snapshot.contains("exampleSecurityToken"));
    insta::assert_snapshot!("dds_show_backup_download_link_security_token", snapshot);
}

#[tokio::test]
async fn rds_show_backup_download_link_is_signing_vector_h3() {
    let recorder = Recorder::new();
    recorder.push(200, &[], r#"{"files":[],"bucket":"b"}"#);
    client(&recorder)
        .rds()
        .show_backup_download_link(&rds::ShowBackupDownloadLinkRequest::new(RDS_BACKUP))
        .await
        .unwrap();
    let sent = recorder.requests();
    assert_eq!(
        signature(&sent[0]),
        "d0dcb8dacf243b0a7066d143caed1302da2d322bceab14a77a8925f1a581bb22"
    );
    insta::assert_snapshot!("rds_show_backup_download_link", sent[0].to_snapshot());
}

#[tokio::test]
async fn x_language_is_sent_and_signed() {
    let recorder = Recorder::new();
    recorder.push(200, &[], r#"{"files":[],"bucket":"b"}"#);
    client(&recorder)
        .rds()
        .show_backup_download_link(
            &rds::ShowBackupDownloadLinkRequest::new(RDS_BACKUP).with_language(Language::EnUs),
        )
        .await
        .unwrap();
    let sent = &recorder.requests()[0];
    assert_eq!(sent.header("x-language"), Some("en-us"));
    assert!(sent.canonical_request().contains("\nx-language:en-us\n"));
    insta::assert_snapshot!(
        "rds_show_backup_download_link_x_language",
        sent.to_snapshot()
    );
}

#[tokio::test]
async fn dds_list_backups_with_every_filter() {
    let recorder = Recorder::new();
    recorder.push(200, &[], r#"{"backups":[],"total_count":0}"#);
    let request = dds::ListBackupsRequest {
        instance_id: Some(DDS_INSTANCE.into()),
        backup_id: Some(DDS_BACKUP.into()),
        backup_type: Some(BackupType::Incremental),
        offset: Some(10),
        limit: Some(100),
        time_range: Some(
            TimeRange::new(
                datetime!(2018-08-06 18:41:14 +08:00),
                datetime!(2018-08-16 10:41:14 UTC),
            )
            .unwrap(),
        ),
        mode: Some(InstanceMode::ReplicaSet),
        backup_status: Some(BackupStatus::Completed),
        order: Some(SortOrder {
            field: "begin_time".into(),
            rule: SortRule::Desc,
        }),
    };
    client(&recorder)
        .dds()
        .list_backups(&request)
        .await
        .unwrap();
    let sent = &recorder.requests()[0];
    // The space of `yyyy-mm-dd hh:mm:ss` goes on the wire as %20, times in UTC.
    assert!(
        sent.url.contains("begin_time=2018-08-06%2010%3A41%3A14"),
        "{}",
        sent.url
    );
    insta::assert_snapshot!("dds_list_backups", sent.to_snapshot());
}

#[tokio::test]
async fn dds_list_backups_without_filters_sends_no_query() {
    let recorder = Recorder::new();
    recorder.push(200, &[], r#"{"backups":[],"total_count":0}"#);
    list_dds(&client(&recorder)).await.unwrap();
    let sent = &recorder.requests()[0];
    assert_eq!(
        sent.url,
        "https://dds.cn-north-4.myhuaweicloud.com/v3/0123456789abcdef/backups"
    );
}

#[tokio::test]
async fn rds_list_backups_with_every_filter() {
    let recorder = Recorder::new();
    recorder.push(200, &[], r#"{"backups":[],"total_count":0}"#);
    let request = rds::ListBackupsRequest {
        backup_id: Some(RDS_BACKUP.into()),
        backup_type: Some(rds::BackupType::Fragment),
        offset: Some(0),
        limit: Some(1),
        time_range: Some(
            TimeRange::new(
                datetime!(2020-01-08 10:41:14 +08:00),
                datetime!(2020-01-09 10:41:14 +08:00),
            )
            .unwrap(),
        ),
        ..rds::ListBackupsRequest::new("a48e43ff268f4c0e879652d65e63d0fbin01")
    };
    client(&recorder)
        .rds()
        .list_backups(&request)
        .await
        .unwrap();
    let sent = &recorder.requests()[0];
    assert!(
        sent.url
            .contains("begin_time=2020-01-08T02%3A41%3A14%2B0000"),
        "{}",
        sent.url
    );
    insta::assert_snapshot!("rds_list_backups", sent.to_snapshot());
}

#[tokio::test]
async fn iam_projects_lookup_is_signing_vector_h6() {
    let recorder = Recorder::new();
    recorder.push(200, &[], ONE_PROJECT);
    let client = client_with(&recorder, |b| b.credentials(credentials()));
    assert_eq!(client.project_id().await.unwrap(), PROJECT);
    let sent = recorder.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("x-project-id"), None);
    assert_eq!(
        signature(&sent[0]),
        "5bccfd72fe6fbf5c7421306e2821951c99b9f34321147b4c944707bf90bcdc69"
    );
    insta::assert_snapshot!("iam_list_projects", sent[0].to_snapshot());
}
