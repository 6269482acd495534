//! Invalid input is refused before anything is sent, not even the IAM lookup.

use cloud_http::testing::Recorder;
use rds_huawei::dds::{self, BackupType};
use rds_huawei::{Language, SortOrder, SortRule, rds};

use crate::*;

#[tokio::test]
async fn invalid_dds_requests_send_nothing() {
    let cases: Vec<(dds::ListBackupsRequest, &str)> = vec![
        (
            dds::ListBackupsRequest {
                limit: Some(0),
                ..Default::default()
            },
            "limit",
        ),
        (
            dds::ListBackupsRequest {
                limit: Some(101),
                ..Default::default()
            },
            "limit",
        ),
        (
            dds::ListBackupsRequest {
                instance_id: Some(" ".into()),
                ..Default::default()
            },
            "instance_id",
        ),
        (
            dds::ListBackupsRequest {
                backup_id: Some(String::new()),
                ..Default::default()
            },
            "backup_id",
        ),
        (
            dds::ListBackupsRequest {
                backup_type: Some(BackupType::Incremental),
                ..Default::default()
            },
            "instance_id",
        ),
        (
            dds::ListBackupsRequest {
                backup_type: Some(BackupType::Unknown(String::new())),
                ..Default::default()
            },
            "backup_type",
        ),
        (
            dds::ListBackupsRequest {
                order: Some(SortOrder {
                    field: String::new(),
                    rule: SortRule::Asc,
                }),
                ..Default::default()
            },
            "order_field",
        ),
    ];
    for (request, field) in cases {
        let recorder = Recorder::new();
        // No project id: a valid call would first ask IAM.
        let client = client_with(&recorder, |b| b.credentials(credentials()));
        let err = client.dds().list_backups(&request).await.unwrap_err();
        assert_eq!(invalid_field(&err), field, "{request:?}");
        assert!(!err.may_have_reached_server());
        assert!(recorder.requests().is_empty(), "{request:?}");
    }
}

#[tokio::test]
async fn invalid_link_requests_send_nothing() {
    let recorder = Recorder::new();
    let client = client_with(&recorder, |b| b.credentials(credentials()));
    let err = client
        .dds()
        .show_backup_download_link(&dds::ShowBackupDownloadLinkRequest::new("", DDS_BACKUP))
        .await
        .unwrap_err();
    assert_eq!(invalid_field(&err), "instance_id");
    let err = client
        .dds()
        .show_backup_download_link(&dds::ShowBackupDownloadLinkRequest::new(DDS_INSTANCE, ""))
        .await
        .unwrap_err();
    assert_eq!(invalid_field(&err), "backup_id");
    let err = client
        .rds()
        .show_backup_download_link(&rds::ShowBackupDownloadLinkRequest::new("  "))
        .await
        .unwrap_err();
    assert_eq!(invalid_field(&err), "backup_id");
    let err = client
        .rds()
        .show_backup_download_link(
            &rds::ShowBackupDownloadLinkRequest::new(RDS_BACKUP)
                .with_language(Language::Unknown("en us".into())),
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_field(&err), "X-Language");
    let err = client
        .rds()
        .list_backups(&rds::ListBackupsRequest {
            limit: Some(500),
            ..rds::ListBackupsRequest::new("i")
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: limit: must be between 1 and 100 (got 500)"
    );
    let err = client
        .rds()
        .list_backups(&rds::ListBackupsRequest::new(""))
        .await
        .unwrap_err();
    assert_eq!(invalid_field(&err), "instance_id");
    assert!(recorder.requests().is_empty());
}
