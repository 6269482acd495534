//! Shared fixtures: fixed time, example credentials, canned answers.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cloud_http::testing::{Recorder, offline_client};
use cloud_http::{FetchCredentials, PreparedRequest};
use mongodb_tencent::{
    Client, CreateBackupDownloadTaskRequest, CredentialSource, Credentials,
    DescribeDbBackupsRequest, RefreshingCredentials,
};

/// 2026-01-01T00:00:00Z.
pub const T0: u64 = 1_767_225_600;

pub fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(T0)
}

pub fn credentials() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "exampleSecretKey")
}

/// The seed's example request.
pub fn seed_request() -> CreateBackupDownloadTaskRequest {
    CreateBackupDownloadTaskRequest::new(
        "cmgo-dygv1rnp",
        "cmgo-dygv1rnp_2021-03-26 10:44",
        ["cmgo-dygv1rnp_0"],
    )
}

/// The seed's example response, verbatim.
pub const SEED_RESPONSE: &str = r#"{
    "Response": {
        "RequestId": "6ed8d110-67be-4650-83b0-5df5a897e9e6",
        "Tasks": [
            {
                "ReplicaSetId": "cmgo-dygv1rnp_0",
                "Status": 2
            }
        ]
    }
}"#;

/// A `{"Response": {"Error": ...}}` answer.
pub fn error_body(code: &str, message: &str, request_id: &str) -> String {
    serde_json::json!({
        "Response": {
            "Error": {"Code": code, "Message": message},
            "RequestId": request_id
        }
    })
    .to_string()
}

/// A `DescribeBackupDownloadTask` answer listing `tasks` (`(ReplicaSetId, Status, Percent, Url)`).
pub fn tasks_body(tasks: &[(&str, i64, i64, &str)]) -> String {
    let tasks: Vec<_> = tasks
        .iter()
        .map(|(id, status, percent, url)| {
            serde_json::json!({
                "CreateTime": "2026-01-01 08:00:00",
                "BackupName": "cmgo-dygv1rnp_2021-03-26 10:44",
                "ReplicaSetId": id,
                "BackupSize": 1048576,
                "Status": status,
                "Percent": percent,
                "TimeSpend": 12,
                "Url": url,
                "BackupMethod": 0,
                "BackupDesc": "",
                "Region": "ap-guangzhou",
                "Bucket": "mongodb-backup-1250000000"
            })
        })
        .collect();
    serde_json::json!({
        "Response": {"TotalCount": tasks.len(), "Tasks": tasks, "RequestId": "describe-1"}
    })
    .to_string()
}

/// Sends one `DescribeDBBackups` (answered with an empty list) through the offline recorder,
/// from a client in ap-guangzhou whose credentials `fetcher` gives and refreshes; returns the
/// client and the signed request.
pub async fn describe_signed_by(
    fetcher: impl FetchCredentials + 'static,
) -> (Client, PreparedRequest) {
    let recorder = Recorder::new();
    recorder.push(
        200,
        &[],
        r#"{"Response":{"BackupList":[],"TotalCount":0,"RequestId":"r"}}"#,
    );
    let client = Client::builder()
        .region("ap-guangzhou")
        .credential_source(CredentialSource::Refreshing(Arc::new(
            RefreshingCredentials::new(fetcher),
        )))
        .http_client(offline_client(start(), &recorder))
        .build()
        .unwrap();
    client
        .describe_db_backups(&DescribeDbBackupsRequest::new("cmgo-p8vnipr5"))
        .await
        .unwrap();
    let first = recorder.requests().remove(0);
    (client, first)
}
