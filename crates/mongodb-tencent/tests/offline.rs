//! Offline tests through the real transport with a recording backend: the exact signed request of
//! every operation, parsed responses, error classification and retries, validation, the rate
//! limiter, the task finder and the waiter. No network, no real time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cloud_http::testing::{InstantSleep, ManualClock, Recorder, SequenceRandom, offline_client};
use common::*;
use mongodb_tencent::time::macros::datetime;
use mongodb_tencent::{
    BackupMethod, Client, ClientBuilder, ClusterType, CreateBackupDownloadTaskRequest,
    CredentialsError, DescribeBackupDownloadTaskRequest, DescribeDbBackupsRequest,
    DescribeDbInstancesRequest, Error, HttpClient, InstanceOrderBy, InstanceStatus, InstanceType,
    InstanceTypeFilter, NetType, OrderBy, OrderByType, PayMode, ProvideCredentials,
    ProviderContext, TagInfo, TaskStatus, WaiterConfig, codes,
};

/// A client on the offline recorder with a fixed clock, exactly as the snapshots need it.
fn snapshot_client(recorder: &Recorder) -> Client {
    Client::builder()
        .region("ap-guangzhou")
        .credentials(credentials())
        .http_client(offline_client(start(), recorder))
        .build()
        .unwrap()
}

/// An offline client whose clock and sleep the test keeps.
struct Offline {
    recorder: Recorder,
    clock: ManualClock,
    sleep: InstantSleep,
    client: Client,
}

fn offline_with(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Offline {
    let recorder = Recorder::new();
    let clock = ManualClock::new(start());
    let sleep = InstantSleep::new(clock.clone());
    let http = HttpClient::builder()
        .clock(Arc::new(clock.clone()))
        .sleep(Arc::new(sleep.clone()))
        .random(Arc::new(SequenceRandom::default()))
        .backend(Arc::new(recorder.clone()))
        .build()
        .unwrap();
    let builder = Client::builder()
        .region("ap-guangzhou")
        .credentials(credentials())
        .http_client(http);
    let client = configure(builder).build().unwrap();
    Offline {
        recorder,
        clock,
        sleep,
        client,
    }
}

/// A snapshot client whose recorder answers `body` once.
fn answering(body: &str) -> (Recorder, Client) {
    let recorder = Recorder::new();
    recorder.push(200, &[], body);
    let client = snapshot_client(&recorder);
    (recorder, client)
}

/// What the CLI prints (the vendor's field names) parses back to the same value.
fn assert_round_trips<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let again: T = serde_json::from_value(serde_json::to_value(value).unwrap()).unwrap();
    assert_eq!(&again, value);
}

fn offline() -> Offline {
    offline_with(|b| b)
}

fn body_json(recorder: &Recorder, i: usize) -> serde_json::Value {
    serde_json::from_slice(&recorder.requests()[i].body).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The exact signed request of every operation.

#[tokio::test]
async fn create_backup_download_task_request_snapshot() {
    let (recorder, client) = answering(SEED_RESPONSE);
    client
        .create_backup_download_task(&seed_request())
        .await
        .unwrap();
    let reqs = recorder.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].header("X-TC-Timestamp"), Some("1767225600"));
    assert_eq!(
        reqs[0].header("X-TC-Action"),
        Some("CreateBackupDownloadTask")
    );
    // Computed independently (Python hmac/hashlib) from the canonical request in the snapshot.
    assert!(
        reqs[0].header("Authorization").unwrap().ends_with(
            "Signature=9731f9cf37017bc2551e51a7acfe4dbca1cde9406acf536e65cd108c9e5ccb7d"
        )
    );
    insta::assert_snapshot!("create_backup_download_task_request", reqs[0].to_snapshot());
}

#[tokio::test]
async fn describe_backup_download_task_request_snapshot() {
    let (recorder, client) = answering(&tasks_body(&[]));
    let request = DescribeBackupDownloadTaskRequest {
        backup_name: Some("cmgo-dygv1rnp_2021-03-26 10:44".into()),
        start_time: Some(datetime!(2025-12-01 00:00:00)),
        end_time: Some(datetime!(2025-12-31 23:59:59)),
        limit: Some(50),
        offset: Some(10),
        order_by: Some(OrderBy::FinishTime),
        order_by_type: Some(OrderByType::Asc),
        status: vec![TaskStatus::Finished, TaskStatus::Failed],
        ..DescribeBackupDownloadTaskRequest::new("cmgo-dygv1rnp")
    };
    client
        .describe_backup_download_task(&request)
        .await
        .unwrap();
    let reqs = recorder.requests();
    assert_eq!(reqs.len(), 1);
    insta::assert_snapshot!(
        "describe_backup_download_task_request",
        reqs[0].to_snapshot()
    );
}

#[tokio::test]
async fn describe_backup_download_task_minimal_body() {
    let (recorder, client) = answering(&tasks_body(&[]));
    client
        .describe_backup_download_task(&DescribeBackupDownloadTaskRequest::new("cmgo-dygv1rnp"))
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(recorder.requests()[0].body.clone()).unwrap(),
        r#"{"InstanceId":"cmgo-dygv1rnp"}"#,
        "unset filters are not sent"
    );
}

#[tokio::test]
async fn describe_db_backups_request_snapshot() {
    let (recorder, client) = answering(DB_BACKUPS_RESPONSE);
    let request = DescribeDbBackupsRequest {
        backup_method: Some(BackupMethod::Physical),
        limit: Some(100),
        offset: Some(0),
        ..DescribeDbBackupsRequest::new("cmgo-dygv1rnp")
    };
    client.describe_db_backups(&request).await.unwrap();
    let reqs = recorder.requests();
    assert_eq!(reqs.len(), 1);
    insta::assert_snapshot!("describe_db_backups_request", reqs[0].to_snapshot());
}

#[tokio::test]
async fn the_regional_host_is_used_and_signed_when_asked_for() {
    let recorder = Recorder::new();
    recorder.push(200, &[], SEED_RESPONSE);
    let client = Client::builder()
        .region("ap-shanghai")
        .regional_endpoint(true)
        .credentials(credentials())
        .http_client(offline_client(start(), &recorder))
        .build()
        .unwrap();
    assert_eq!(
        client.endpoint().to_string(),
        "https://mongodb.ap-shanghai.tencentcloudapi.com"
    );
    client
        .create_backup_download_task(&seed_request())
        .await
        .unwrap();
    let req = &recorder.requests()[0];
    assert_eq!(req.url, "https://mongodb.ap-shanghai.tencentcloudapi.com/");
    assert_eq!(req.header("X-TC-Region"), Some("ap-shanghai"));
    assert!(
        req.canonical_request()
            .contains("\nhost:mongodb.ap-shanghai.tencentcloudapi.com\n")
    );
}

#[tokio::test]
async fn an_endpoint_override_wins() {
    let recorder = Recorder::new();
    recorder.push(200, &[], SEED_RESPONSE);
    let client = Client::builder()
        .region("ap-guangzhou")
        .regional_endpoint(true)
        .endpoint(
            mongodb_tencent::Endpoint::parse("https://mongodb.internal.example:8443/api").unwrap(),
        )
        .credentials(credentials())
        .http_client(offline_client(start(), &recorder))
        .build()
        .unwrap();
    client
        .create_backup_download_task(&seed_request())
        .await
        .unwrap();
    let req = &recorder.requests()[0];
    assert_eq!(req.url, "https://mongodb.internal.example:8443/api/");
    assert!(req.canonical_request().starts_with("POST\n/api/\n"));
}

// ---------------------------------------------------------------------------------------------
// Parsed responses.

const DESCRIBE_TASKS_RESPONSE: &str = r#"{
    "Response": {
        "TotalCount": 3,
        "Tasks": [
            {
                "CreateTime": "2026-01-01 08:00:00",
                "BackupName": "cmgo-dygv1rnp_2021-03-26 10:44",
                "ReplicaSetId": "cmgo-dygv1rnp_0",
                "BackupSize": 1073741824,
                "Status": 2,
                "Percent": 100,
                "TimeSpend": 95,
                "Url": "https://mongodb-backup-1250000000.cos.ap-guangzhou.myqcloud.com/cmgo-dygv1rnp_0.tar?sign=q-sign-algorithm%3Dsha1%26q-signature%3DURLSECRET&t=1",
                "BackupMethod": 1,
                "BackupDesc": "nightly",
                "Region": "ap-guangzhou",
                "Bucket": "mongodb-backup-1250000000"
            },
            {
                "CreateTime": "2026-01-01 08:00:01",
                "BackupName": "cmgo-dygv1rnp_2021-03-26 10:44",
                "ReplicaSetId": "cmgo-dygv1rnp_1",
                "BackupSize": "536870912",
                "Status": 1,
                "Percent": 45,
                "TimeSpend": 30,
                "Url": "",
                "BackupMethod": 1,
                "BackupDesc": null,
                "Region": "ap-guangzhou",
                "Bucket": "mongodb-backup-1250000000"
            },
            {
                "CreateTime": "2026-01-01 08:00:02",
                "BackupName": "cmgo-dygv1rnp_2021-03-26 10:44",
                "ReplicaSetId": "cmgo-dygv1rnp_2",
                "BackupSize": 0,
                "Status": 9,
                "Percent": 0,
                "TimeSpend": 0,
                "Url": null,
                "BackupMethod": 7
            }
        ],
        "RequestId": "5b0e2c5a-1f0c-4c43-9a9f-7f3a8f4e2d10"
    }
}"#;

const DB_BACKUPS_RESPONSE: &str = r#"{
    "Response": {
        "BackupList": [
            {
                "InstanceId": "cmgo-dygv1rnp",
                "BackupType": 0,
                "BackupName": "cmgo-dygv1rnp_2021-03-26 10:44",
                "BackupDesc": "",
                "BackupSize": 20480,
                "StartTime": "2021-03-26 10:44:00",
                "EndTime": "2021-03-26 10:49:12",
                "Status": 2,
                "BackupMethod": 0,
                "BackId": 1234,
                "DeleteTime": "2021-04-02 10:49:12",
                "BackupRegion": "ap-guangzhou",
                "RestoreTime": "2021-03-26 10:49:12"
            },
            {
                "InstanceId": "cmgo-dygv1rnp",
                "BackupType": 1,
                "BackupName": "cmgo-dygv1rnp_2021-03-27 10:44",
                "BackupDesc": "before upgrade",
                "BackupSize": "40960",
                "StartTime": "2021-03-27 10:44:00",
                "EndTime": "2021-03-27 10:50:00",
                "Status": 2,
                "BackupMethod": 1,
                "BackId": "1235",
                "DeleteTime": "2021-04-03 10:50:00",
                "BackupRegion": "ap-guangzhou",
                "RestoreTime": "2021-03-27 10:50:00"
            },
            {
                "InstanceId": "cmgo-dygv1rnp",
                "BackupType": 5,
                "BackupName": "cmgo-dygv1rnp_2021-03-28 10:44",
                "BackupSize": 0,
                "StartTime": "2021-03-28 10:44:00",
                "EndTime": "",
                "Status": 1,
                "BackupMethod": 3,
                "BackId": 1236
            }
        ],
        "TotalCount": 3,
        "RequestId": "0d0b3d2f-7a52-4f57-8b7b-2f4b3c1a9e77"
    }
}"#;

#[tokio::test]
async fn seed_create_response_is_parsed() {
    let (_, client) = answering(SEED_RESPONSE);
    let resp = client
        .create_backup_download_task(&seed_request())
        .await
        .unwrap();
    assert_eq!(resp.request_id, "6ed8d110-67be-4650-83b0-5df5a897e9e6");
    assert_eq!(resp.tasks.len(), 1);
    assert_eq!(resp.tasks[0].status, TaskStatus::Finished);
    insta::assert_json_snapshot!("create_backup_download_task_response_json", resp);
    insta::assert_debug_snapshot!("create_backup_download_task_response_debug", resp);
}

#[tokio::test]
async fn describe_backup_download_task_response_is_parsed() {
    let (_, client) = answering(DESCRIBE_TASKS_RESPONSE);
    let resp = client
        .describe_backup_download_task(&DescribeBackupDownloadTaskRequest::new("cmgo-dygv1rnp"))
        .await
        .unwrap();
    assert_eq!(resp.total_count, 3);
    assert_eq!(resp.tasks[0].backup_size_bytes, 1 << 30);
    assert_eq!(
        resp.tasks[1].backup_size_bytes,
        1 << 29,
        "string sizes parse"
    );
    assert_eq!(resp.tasks[2].status, TaskStatus::Unknown(9));
    assert_eq!(resp.tasks[2].backup_method, Some(BackupMethod::Unknown(7)));
    assert!(resp.tasks[0].url.as_str().ends_with("URLSECRET&t=1"));
    let debug = format!("{resp:?}");
    assert!(!debug.contains("URLSECRET"), "{debug}");
    assert!(!format!("{resp:#?}").contains("sign="));
    // The JSON the CLI prints carries the full link; the snapshot keeps it out of the repository.
    let json = serde_json::to_string_pretty(&resp).unwrap();
    assert!(json.contains("q-signature%3DURLSECRET&t=1"));
    insta::assert_snapshot!(
        "describe_backup_download_task_response_json",
        cloud_http::redact_urls(&json)
    );
    insta::assert_debug_snapshot!("describe_backup_download_task_response_debug", resp);

    assert_round_trips(&resp);
}

#[tokio::test]
async fn describe_db_backups_response_is_parsed() {
    let (_, client) = answering(DB_BACKUPS_RESPONSE);
    let resp = client
        .describe_db_backups(&DescribeDbBackupsRequest::new("cmgo-dygv1rnp"))
        .await
        .unwrap();
    assert_eq!(resp.backup_list.len(), 3);
    assert_eq!(resp.backup_list[1].backup_size_kb, 40960);
    assert_eq!(resp.backup_list[1].backup_size_bytes(), 40960 * 1024);
    assert_eq!(resp.backup_list[1].back_id, 1235);
    let newest = resp.newest_successful().unwrap();
    assert_eq!(
        newest.backup_name, "cmgo-dygv1rnp_2021-03-27 10:44",
        "the running backup of the 28th is not a candidate"
    );
    insta::assert_json_snapshot!("describe_db_backups_response_json", resp);
    insta::assert_debug_snapshot!("describe_db_backups_response_debug", resp);
    assert_round_trips(&resp);
}

// ---------------------------------------------------------------------------------------------
// Errors: the seed's codes, classification, retries.

#[tokio::test]
async fn the_seed_error_codes_become_service_errors_and_a_create_is_sent_once() {
    for (code, message) in [
        (codes::INTERNAL_ERROR, "Internal error"),
        (codes::CHECK_APP_ID_FAILED, "appId verification failed."),
        (
            codes::PERMISSION_DENIED,
            "The current sub-account has no permission to perform this operation.",
        ),
        (
            codes::BACKUP_FILE_NOT_FOUND,
            "The backup file was not found.",
        ),
        (codes::NOT_FOUND_INSTANCE, "The instance was not found."),
    ] {
        let f = offline();
        f.recorder
            .push(200, &[], &error_body(code, message, "req-err-1"));
        let err = f
            .client
            .create_backup_download_task(&seed_request())
            .await
            .unwrap_err();
        let service = err
            .service_error()
            .unwrap_or_else(|| panic!("{code}: {err:?}"));
        assert_eq!(service.code, code);
        assert_eq!(service.message, message);
        assert_eq!(service.request_id.as_deref(), Some("req-err-1"));
        assert_eq!(service.http_status, 200);
        assert!(err.may_have_reached_server());
        assert_eq!(
            err.to_string(),
            format!(
                "tencent-mongodb CreateBackupDownloadTask failed: {code} (HTTP 200): {message} [request id req-err-1]"
            )
        );
        assert_eq!(
            f.recorder.requests().len(),
            1,
            "{code}: a create is never resent"
        );
        assert!(f.sleep.sleeps().is_empty());
    }
}

#[tokio::test]
async fn internal_errors_are_retried_for_reads() {
    let f = offline();
    f.recorder.push(
        200,
        &[],
        &error_body(codes::INTERNAL_ERROR, "Internal error", "r1"),
    );
    f.recorder.push(
        200,
        &[],
        &error_body(codes::RESOURCE_UNAVAILABLE, "busy", "r2"),
    );
    f.recorder.push(200, &[], DB_BACKUPS_RESPONSE);
    let resp = f
        .client
        .describe_db_backups(&DescribeDbBackupsRequest::new("cmgo-dygv1rnp"))
        .await
        .unwrap();
    assert_eq!(resp.total_count, 3);
    assert_eq!(f.recorder.requests().len(), 3);
    assert_eq!(f.sleep.sleeps().len(), 2);
}

#[tokio::test]
async fn throttling_then_success_even_for_a_create() {
    let f = offline();
    f.recorder.push(
        200,
        &[],
        &error_body(
            codes::REQUEST_LIMIT_EXCEEDED,
            "Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second.",
            "throttled-1",
        ),
    );
    f.recorder.push(
        200,
        &[],
        &error_body(
            "RequestLimitExceeded.UinLimitExceeded",
            "too many",
            "throttled-2",
        ),
    );
    f.recorder.push(200, &[], SEED_RESPONSE);
    let resp = f
        .client
        .create_backup_download_task(&seed_request())
        .await
        .unwrap();
    assert_eq!(resp.request_id, "6ed8d110-67be-4650-83b0-5df5a897e9e6");
    let reqs = f.recorder.requests();
    assert_eq!(reqs.len(), 3, "throttled calls did not run: resent");
    // Backoff with full jitter (unit 0.5) on a 100 ms base, doubling.
    assert_eq!(
        f.sleep.sleeps(),
        vec![Duration::from_millis(50), Duration::from_millis(100)]
    );
    // Every attempt is signed afresh at its own time.
    assert_eq!(reqs[0].header("X-TC-Timestamp"), Some("1767225600"));
    assert_eq!(reqs[2].header("X-TC-Timestamp"), Some("1767225600"));
    assert_eq!(reqs[0].body, reqs[2].body);
}

#[tokio::test]
async fn auth_failures_are_not_retried() {
    for code in [
        codes::SIGNATURE_FAILURE,
        codes::SECRET_ID_NOT_FOUND,
        codes::TOKEN_FAILURE,
        codes::UNAUTHORIZED_OPERATION,
        "MissingParameter",
    ] {
        let f = offline();
        f.recorder.push(200, &[], &error_body(code, "no", "auth-1"));
        let err = f
            .client
            .describe_backup_download_task(&DescribeBackupDownloadTaskRequest::new("cmgo-x"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.request_id(), Some("auth-1"));
        assert_eq!(f.recorder.requests().len(), 1, "{code}");
    }
}

#[tokio::test]
async fn server_errors_without_an_envelope_are_retried_for_reads_only() {
    let f = offline();
    for _ in 0..3 {
        f.recorder.push(502, &[], "<html>Bad Gateway</html>");
    }
    let err = f
        .client
        .describe_backup_download_task(&DescribeBackupDownloadTaskRequest::new("cmgo-x"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(codes::UNEXPECTED_HTTP_STATUS));
    assert_eq!(err.service_error().unwrap().http_status, 502);
    assert!(err.service_error().unwrap().message.contains("Bad Gateway"));
    assert_eq!(f.recorder.requests().len(), 3);

    let f = offline();
    f.recorder.push(503, &[], "");
    f.client
        .create_backup_download_task(&seed_request())
        .await
        .unwrap_err();
    assert_eq!(f.recorder.requests().len(), 1);
}

#[tokio::test]
async fn unreadable_success_bodies_carry_request_id_and_excerpt() {
    let f = offline();
    f.recorder.push(200, &[], r#"{"Result": {"Tasks": []}}"#);
    let err = f
        .client
        .create_backup_download_task(&seed_request())
        .await
        .unwrap_err();
    match &err {
        Error::UnreadableResponse {
            status,
            request_id,
            reason,
            excerpt,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(*request_id, None);
            assert!(reason.contains("Response"), "{reason}");
            assert!(excerpt.contains("Result"), "{excerpt}");
        }
        other => panic!("unexpected {other:?}"),
    }

    let f = offline();
    f.recorder.push(
        200,
        &[],
        r#"{"Response": {"RequestId": "req-bad-1", "TotalCount": 1, "Tasks": "oops https://x/y?sig=URLSECRET"}}"#,
    );
    let err = f
        .client
        .describe_backup_download_task(&DescribeBackupDownloadTaskRequest::new("cmgo-x"))
        .await
        .unwrap_err();
    assert_eq!(err.request_id(), Some("req-bad-1"));
    let text = err.to_string();
    assert!(
        text.contains("unreadable response") && text.contains("oops"),
        "{text}"
    );
    assert!(!text.contains("URLSECRET") && !format!("{err:?}").contains("URLSECRET"));
    assert_eq!(
        f.recorder.requests().len(),
        1,
        "an unreadable answer is not retried"
    );
}

// ---------------------------------------------------------------------------------------------
// Validation: nothing is sent.

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let f = offline();
    let dup = CreateBackupDownloadTaskRequest::new("cmgo-x", "b", ["cmgo-x_0", "cmgo-x_0"]);
    let no_sets = CreateBackupDownloadTaskRequest::new("cmgo-x", "b", Vec::<String>::new());
    let empty_set = CreateBackupDownloadTaskRequest::new("cmgo-x", "b", ["cmgo-x_0", " "]);
    let no_instance = CreateBackupDownloadTaskRequest::new("", "b", ["cmgo-x_0"]);
    let no_name = CreateBackupDownloadTaskRequest::new("cmgo-x", "", ["cmgo-x_0"]);
    for (request, field) in [
        (&dup, "BackupSets"),
        (&no_sets, "BackupSets"),
        (&empty_set, "BackupSets.1.ReplicaSetId"),
        (&no_instance, "InstanceId"),
        (&no_name, "BackupName"),
    ] {
        let err = f
            .client
            .create_backup_download_task(request)
            .await
            .unwrap_err();
        assert_invalid(&err, field);
        let err = f
            .client
            .find_backup_download_tasks(request)
            .await
            .unwrap_err();
        assert_invalid(&err, field);
        let err = f
            .client
            .wait_for_backup_download(request, &WaiterConfig::default(), |_| {})
            .await
            .unwrap_err();
        assert_invalid(&err, field);
    }

    let describe = DescribeBackupDownloadTaskRequest::new("cmgo-x");
    for (request, field) in [
        (DescribeBackupDownloadTaskRequest::new(""), "InstanceId"),
        (
            DescribeBackupDownloadTaskRequest {
                limit: Some(0),
                ..describe.clone()
            },
            "Limit",
        ),
        (
            DescribeBackupDownloadTaskRequest {
                limit: Some(101),
                ..describe.clone()
            },
            "Limit",
        ),
        (
            DescribeBackupDownloadTaskRequest {
                backup_name: Some(String::new()),
                ..describe.clone()
            },
            "BackupName",
        ),
        (
            DescribeBackupDownloadTaskRequest {
                start_time: Some(datetime!(2026-01-02 00:00:00)),
                end_time: Some(datetime!(2026-01-01 00:00:00)),
                ..describe.clone()
            },
            "StartTime",
        ),
    ] {
        let err = f
            .client
            .describe_backup_download_task(&request)
            .await
            .unwrap_err();
        assert_invalid(&err, field);
    }

    for (request, field) in [
        (DescribeDbBackupsRequest::new(" "), "InstanceId"),
        (
            DescribeDbBackupsRequest {
                limit: Some(101),
                ..DescribeDbBackupsRequest::new("cmgo-x")
            },
            "Limit",
        ),
    ] {
        let err = f.client.describe_db_backups(&request).await.unwrap_err();
        assert_invalid(&err, field);
    }
    assert!(f.recorder.requests().is_empty(), "nothing was sent");
}

fn assert_invalid(err: &Error, expected_field: &str) {
    match err {
        Error::InvalidInput { field, .. } => assert_eq!(field, expected_field, "{err}"),
        other => panic!("expected InvalidInput for {expected_field}, got {other:?}"),
    }
    assert!(!err.may_have_reached_server());
}

#[test]
fn limits_at_the_edges_are_accepted() {
    for limit in [1, 100] {
        let r = DescribeBackupDownloadTaskRequest {
            limit: Some(limit),
            ..DescribeBackupDownloadTaskRequest::new("cmgo-x")
        };
        assert!(r.validate().is_ok());
        let r = DescribeDbBackupsRequest {
            limit: Some(limit),
            ..DescribeDbBackupsRequest::new("cmgo-x")
        };
        assert!(r.validate().is_ok());
    }
}

// ---------------------------------------------------------------------------------------------
// The builder and credentials.

#[derive(Debug)]
struct NoCredentials;
impl ProvideCredentials for NoCredentials {
    fn provide(
        &self,
        _: &ProviderContext,
    ) -> Result<Option<mongodb_tencent::Credentials>, CredentialsError> {
        Ok(None)
    }
}

#[derive(Debug)]
struct BrokenCredentials;
impl ProvideCredentials for BrokenCredentials {
    fn provide(
        &self,
        _: &ProviderContext,
    ) -> Result<Option<mongodb_tencent::Credentials>, CredentialsError> {
        Err(CredentialsError::new(
            "/home/u/.tencentcloud/credentials",
            "line 3: no secret_key",
        ))
    }
}

#[test]
fn the_builder_checks_region_rate_and_credentials() {
    let err = Client::builder()
        .credentials(credentials())
        .build()
        .unwrap_err();
    assert_invalid(&err, "region");
    let err = Client::builder()
        .region("AP Guangzhou")
        .credentials(credentials())
        .build()
        .unwrap_err();
    assert_invalid(&err, "region");
    let err = Client::builder()
        .region("ap-guangzhou")
        .credentials(credentials())
        .rate_limit(0)
        .build()
        .unwrap_err();
    assert_invalid(&err, "rate_limit");

    let err = Client::builder()
        .region("ap-guangzhou")
        .credentials_provider(NoCredentials)
        .build()
        .unwrap_err();
    match &err {
        Error::Credentials(msg) => {
            assert_eq!(*msg, cloud_sign::Vendor::Tencent.setup_hint());
            assert!(msg.contains("TENCENTCLOUD_SECRET_ID"));
        }
        other => panic!("unexpected {other:?}"),
    }
    let err = Client::builder()
        .region("ap-guangzhou")
        .credentials_provider(BrokenCredentials)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "credentials from /home/u/.tencentcloud/credentials: line 3: no secret_key"
    );

    let client = Client::builder()
        .region("ap-guangzhou")
        .credentials(credentials())
        .build()
        .unwrap();
    assert_eq!(client.region(), "ap-guangzhou");
    assert_eq!(
        client.endpoint().to_string(),
        "https://mongodb.tencentcloudapi.com"
    );
}

#[tokio::test]
async fn secrets_tokens_and_link_queries_never_show() {
    let recorder = Recorder::new();
    recorder.push(
        200,
        &[],
        &tasks_body(&[(
            "cmgo-x_0",
            2,
            100,
            "https://b.example.com/f?sig=CANARY-URL-QUERY",
        )]),
    );
    recorder.push(
        200,
        &[],
        &error_body(
            codes::SIGNATURE_FAILURE,
            "The provided credentials could not be validated.",
            "c-1",
        ),
    );
    recorder.push(
        200,
        &[],
        r#"{"Response": {"RequestId": "c-2", "Tasks": 5}}"#,
    );
    let client = Client::builder()
        .region("ap-guangzhou")
        .credentials(
            mongodb_tencent::Credentials::new("AKIDCANARY", "CANARY-SECRET-123")
                .with_session_token("CANARY-TOKEN-456"),
        )
        .rate_limit(20)
        .http_client(offline_client(start(), &recorder))
        .build()
        .unwrap();
    let request = DescribeBackupDownloadTaskRequest::new("cmgo-x");
    let resp = client
        .describe_backup_download_task(&request)
        .await
        .unwrap();
    let service_err = client
        .describe_backup_download_task(&request)
        .await
        .unwrap_err();
    let unreadable = client
        .describe_backup_download_task(&request)
        .await
        .unwrap_err();

    let mut shown = vec![
        format!("{client:?}"),
        format!("{:?}", client.clone()),
        format!("{resp:?}"),
        format!("{resp:#?}"),
        format!("{service_err:?}"),
        service_err.to_string(),
        format!("{unreadable:?}"),
        unreadable.to_string(),
    ];
    let reqs = recorder.requests();
    assert_eq!(
        reqs[0].header("X-TC-Token"),
        Some("CANARY-TOKEN-456"),
        "the token is sent"
    );
    for r in &reqs {
        shown.push(r.to_snapshot());
        shown.push(format!("{r:?}"));
    }
    for text in &shown {
        assert!(!text.contains("CANARY-SECRET-123"), "{text}");
        assert!(!text.contains("CANARY-TOKEN-456"), "{text}");
        assert!(!text.contains("CANARY-URL-QUERY"), "{text}");
    }
    assert!(
        shown[0].contains("AKIDCANARY") && shown[0].contains("ap-guangzhou"),
        "{}",
        shown[0]
    );
    assert_eq!(
        resp.tasks[0].url.as_str(),
        "https://b.example.com/f?sig=CANARY-URL-QUERY"
    );
}

// ---------------------------------------------------------------------------------------------
// The rate limiter.

#[tokio::test]
async fn the_rate_limiter_spaces_calls_across_clones() {
    let f = offline_with(|b| b.rate_limit(20));
    let request = DescribeDbBackupsRequest::new("cmgo-x");
    let clone = f.client.clone();
    for _ in 0..3 {
        f.recorder.push(200, &[], DB_BACKUPS_RESPONSE);
    }
    f.client.describe_db_backups(&request).await.unwrap();
    f.client.describe_db_backups(&request).await.unwrap();
    clone.describe_db_backups(&request).await.unwrap();
    assert_eq!(
        f.sleep.sleeps(),
        vec![Duration::from_millis(50), Duration::from_millis(50)],
        "20 per second: 50 ms apart, shared by clones"
    );
    let stamps: Vec<_> = f
        .recorder
        .requests()
        .iter()
        .map(|r| r.header("X-TC-Timestamp").unwrap().to_owned())
        .collect();
    assert_eq!(stamps.len(), 3);

    // After a quiet second the bucket is full again: no wait.
    f.clock.advance(Duration::from_secs(1));
    f.recorder.push(200, &[], DB_BACKUPS_RESPONSE);
    f.client.describe_db_backups(&request).await.unwrap();
    assert_eq!(f.sleep.sleeps().len(), 2);
}

#[tokio::test]
async fn without_a_rate_limit_nothing_waits() {
    let f = offline();
    for _ in 0..3 {
        f.recorder.push(200, &[], DB_BACKUPS_RESPONSE);
        f.client
            .describe_db_backups(&DescribeDbBackupsRequest::new("cmgo-x"))
            .await
            .unwrap();
    }
    assert!(f.sleep.sleeps().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Finding tasks after an ambiguous create, and waiting for them.

fn two_shards() -> CreateBackupDownloadTaskRequest {
    CreateBackupDownloadTaskRequest::new(
        "cmgo-dygv1rnp",
        "cmgo-dygv1rnp_2021-03-26 10:44",
        ["cmgo-dygv1rnp_0", "cmgo-dygv1rnp_1"],
    )
}

#[tokio::test]
async fn find_lists_the_newest_task_per_replica_set_filtered_by_backup_name() {
    let f = offline();
    // Newest first: shard 1's finished task, then an older failed one for shard 1, then shard 0.
    f.recorder.push(
        200,
        &[],
        &tasks_body(&[
            ("cmgo-dygv1rnp_1", 2, 100, "https://b.example.com/1?sig=x"),
            ("cmgo-dygv1rnp_1", 3, 0, ""),
            ("cmgo-dygv1rnp_9", 1, 10, ""),
            ("cmgo-dygv1rnp_0", 1, 60, ""),
        ]),
    );
    let found = f
        .client
        .find_backup_download_tasks(&two_shards())
        .await
        .unwrap();
    let summary: Vec<_> = found
        .iter()
        .map(|t| (t.replica_set_id.as_str(), t.status))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("cmgo-dygv1rnp_0", TaskStatus::Downloading),
            ("cmgo-dygv1rnp_1", TaskStatus::Finished)
        ]
    );
    let body = body_json(&f.recorder, 0);
    assert_eq!(
        body,
        serde_json::json!({
            "InstanceId": "cmgo-dygv1rnp",
            "BackupName": "cmgo-dygv1rnp_2021-03-26 10:44",
            "Limit": 100,
            "Offset": 0,
            "OrderBy": "createTime",
            "OrderByType": "desc"
        })
    );
}

#[tokio::test]
async fn find_pages_until_every_replica_set_is_found_or_the_list_ends() {
    let f = offline();
    let other: Vec<(&str, i64, i64, &str)> = vec![("cmgo-dygv1rnp_7", 2, 100, ""); 100];
    let mut page1: serde_json::Value = serde_json::from_str(&tasks_body(&other)).unwrap();
    page1["Response"]["TotalCount"] = 101.into();
    f.recorder.push(200, &[], &page1.to_string());
    let mut page2: serde_json::Value =
        serde_json::from_str(&tasks_body(&[("cmgo-dygv1rnp_0", 0, 0, "")])).unwrap();
    page2["Response"]["TotalCount"] = 101.into();
    f.recorder.push(200, &[], &page2.to_string());
    let found = f
        .client
        .find_backup_download_tasks(&two_shards())
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "shard 1 has no task");
    assert_eq!(found[0].replica_set_id, "cmgo-dygv1rnp_0");
    assert_eq!(f.recorder.requests().len(), 2);
    assert_eq!(body_json(&f.recorder, 1)["Offset"], 100);

    // Nothing listed: nothing was created.
    let f = offline();
    f.recorder.push(200, &[], &tasks_body(&[]));
    assert!(
        f.client
            .find_backup_download_tasks(&two_shards())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(f.recorder.requests().len(), 1);
}

#[tokio::test]
async fn the_waiter_reports_progress_until_every_task_has_its_url() {
    let f = offline();
    f.recorder
        .push(200, &[], &tasks_body(&[("cmgo-dygv1rnp_0", 0, 0, "")]));
    f.recorder.push(
        200,
        &[],
        &tasks_body(&[
            ("cmgo-dygv1rnp_1", 1, 80, ""),
            ("cmgo-dygv1rnp_0", 1, 40, ""),
        ]),
    );
    f.recorder.push(
        200,
        &[],
        &tasks_body(&[
            ("cmgo-dygv1rnp_1", 2, 100, ""),
            (
                "cmgo-dygv1rnp_0",
                2,
                100,
                "https://b.example.com/0.tar?sig=A",
            ),
        ]),
    );
    f.recorder.push(
        200,
        &[],
        &tasks_body(&[
            (
                "cmgo-dygv1rnp_1",
                2,
                100,
                "https://b.example.com/1.tar?sig=B",
            ),
            (
                "cmgo-dygv1rnp_0",
                2,
                100,
                "https://b.example.com/0.tar?sig=A",
            ),
        ]),
    );
    let mut seen = Vec::new();
    let config = WaiterConfig {
        min_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(30),
        max_wait: Duration::from_secs(600),
    };
    let tasks = f
        .client
        .wait_for_backup_download(&two_shards(), &config, |tasks| {
            seen.push(
                tasks
                    .iter()
                    .map(|t| format!("{} {} {}%", t.replica_set_id, t.status, t.percent))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        })
        .await
        .unwrap();
    assert_eq!(
        seen,
        vec![
            "cmgo-dygv1rnp_0 waiting 0%",
            "cmgo-dygv1rnp_0 downloading 40%, cmgo-dygv1rnp_1 downloading 80%",
            "cmgo-dygv1rnp_0 finished 100%, cmgo-dygv1rnp_1 finished 100%",
            "cmgo-dygv1rnp_0 finished 100%, cmgo-dygv1rnp_1 finished 100%",
        ],
        "a finished task without its Url is still waited for"
    );
    let urls: Vec<_> = tasks.iter().map(|t| t.url.as_str()).collect();
    assert_eq!(
        urls,
        vec![
            "https://b.example.com/0.tar?sig=A",
            "https://b.example.com/1.tar?sig=B"
        ]
    );
    assert_eq!(f.recorder.requests().len(), 4);
    // Waiter delays: 2 s, 4 s, 8 s with jitter 0.75.
    assert_eq!(
        f.sleep.sleeps(),
        vec![
            Duration::from_millis(1500),
            Duration::from_millis(3000),
            Duration::from_millis(6000)
        ]
    );
}

#[tokio::test]
async fn the_waiter_stops_when_a_task_fails() {
    let f = offline();
    f.recorder.push(
        200,
        &[],
        &tasks_body(&[
            ("cmgo-dygv1rnp_1", 3, 20, ""),
            ("cmgo-dygv1rnp_0", 1, 40, ""),
        ]),
    );
    let mut polls = 0;
    let err = f
        .client
        .wait_for_backup_download(&two_shards(), &WaiterConfig::default(), |_| polls += 1)
        .await
        .unwrap_err();
    match &err {
        Error::TaskFailed { what, state } => {
            assert!(what.contains("cmgo-dygv1rnp_1"), "{what}");
            assert!(what.contains("cmgo-dygv1rnp_2021-03-26 10:44"), "{what}");
            assert_eq!(state, "failed");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(polls, 1);
    assert_eq!(f.recorder.requests().len(), 1);
}

#[tokio::test]
async fn the_waiter_gives_up_with_the_last_state() {
    let f = offline();
    for _ in 0..20 {
        f.recorder
            .push(200, &[], &tasks_body(&[("cmgo-dygv1rnp_0", 4, 10, "")]));
    }
    let config = WaiterConfig {
        min_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(1),
        max_wait: Duration::from_secs(3),
    };
    let err = f
        .client
        .wait_for_backup_download(&two_shards(), &config, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitTimeout { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("cmgo-dygv1rnp_0: waiting to retry 10%")
            && text.contains("cmgo-dygv1rnp_1: not listed yet"),
        "{text}"
    );
}

#[test]
fn every_operation_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let f = offline();
    let create = two_shards();
    let describe = DescribeBackupDownloadTaskRequest::new("cmgo-x");
    let backups = DescribeDbBackupsRequest::new("cmgo-x");
    let config = WaiterConfig::default();
    assert_send(&f.client.create_backup_download_task(&create));
    assert_send(&f.client.describe_backup_download_task(&describe));
    assert_send(&f.client.describe_db_backups(&backups));
    assert_send(&f.client.find_backup_download_tasks(&create));
    assert_send(&f.client.wait_for_backup_download(&create, &config, |_| {}));
    let instances = DescribeDbInstancesRequest::default();
    assert_send(&f.client.describe_db_instances(&instances));
    assert_send(&f.client.describe_db_instances_all(&instances));
    assert!(
        f.recorder.requests().is_empty(),
        "futures that are not polled send nothing"
    );
}

// ---------------------------------------------------------------------------------------------
// DescribeDBInstances: the replica sets and shards of an instance.

/// The example answer of the official `DescribeDBInstances` documentation ("Query Instance
/// List", tencentcloud-cli-intl-en `tccli/services/mongodb/v20190725/examples.json`), verbatim.
const DB_INSTANCES_RESPONSE: &str = r#"{
    "Response": {
        "InstanceDetails": [
            {
                "AutoRenewFlag": 0,
                "CloneInstances": [],
                "ClusterType": 0,
                "ClusterVer": 1,
                "ConfigServerCpuNum": 0,
                "ConfigServerMemory": 0,
                "ConfigServerNodeNum": 3,
                "ConfigServerVolume": 0,
                "CpuNum": 2,
                "CreateTime": "2023-03-30 07:44:21",
                "DeadLine": "2073-03-30 07:44:21",
                "InstanceId": "cmgo-3vgr****",
                "InstanceName": "Test instance",
                "InstanceStatusDesc": "Running",
                "InstanceType": 1,
                "InstanceVer": 4,
                "MachineType": "HIO10G",
                "MaintenanceEnd": "05:00:00",
                "MaintenanceStart": "04:00:00",
                "Memory": 4096,
                "MongoVersion": "MONGO_42_WT",
                "MongosCpuNum": 0,
                "MongosMemory": 0,
                "MongosNodeNum": 0,
                "NetType": 1,
                "PayMode": 0,
                "ProjectId": 0,
                "Protocol": 0,
                "ReadonlyInstances": [],
                "ReadonlyNodeNum": 0,
                "RealInstanceId": "cmgo-3vgr****",
                "Region": "ap-guangzhou",
                "RelatedInstance": {
                    "InstanceId": "",
                    "Region": ""
                },
                "ReplicaSets": [
                    {
                        "Memory": 4096,
                        "OplogSize": 1024,
                        "RealReplicaSetId": "cmgo-3vgrapm5_*",
                        "ReplicaSetId": "cmgo-3vgrapm5_*",
                        "ReplicaSetName": "cmgo-3vgrapm5_*",
                        "SecondaryNum": 2,
                        "UsedVolume": 315,
                        "Volume": 10240
                    }
                ],
                "ReplicationSetNum": 1,
                "SecondaryNum": 2,
                "StandbyInstances": [],
                "Status": 2,
                "SubnetId": "subnet-7q7d****",
                "Tags": [],
                "UsedVolume": 315,
                "Vip": "10.5.2.12;10.5.2.14;10.5.2.10",
                "Volume": 10240,
                "VpcId": "vpc-gfb3****",
                "Vport": 27017,
                "Zone": "ap-guangzhou-2"
            }
        ],
        "RequestId": "230c9c0e-a56f-4639-81ee-3cb46905c087",
        "TotalCount": 1
    }
}"#;

/// A `DescribeDBInstances` answer listing `instances` (`(InstanceId, shard count)`), with
/// `total` as its `TotalCount`.
fn instances_body(instances: &[(&str, usize)], total: usize, request_id: &str) -> String {
    let details: Vec<_> = instances
        .iter()
        .map(|(id, shards)| {
            let sets: Vec<_> = (0..*shards)
                .map(|i| serde_json::json!({"ReplicaSetId": format!("{id}_{i}"), "Memory": 2048}))
                .collect();
            serde_json::json!({
                "InstanceId": id,
                "ClusterType": if *shards > 1 { 1 } else { 0 },
                "Status": 2,
                "ReplicationSetNum": shards,
                "ReplicaSets": sets
            })
        })
        .collect();
    serde_json::json!({
        "Response": {"TotalCount": total, "InstanceDetails": details, "RequestId": request_id}
    })
    .to_string()
}

#[tokio::test]
async fn describe_db_instances_request_snapshot() {
    let (recorder, client) = answering(DB_INSTANCES_RESPONSE);
    let request = DescribeDbInstancesRequest {
        instance_type: Some(InstanceTypeFilter::Formal),
        cluster_type: Some(ClusterType::Sharded),
        status: vec![InstanceStatus::Running, InstanceStatus::Processing],
        vpc_id: Some("vpc-gfb3abcd".into()),
        subnet_id: Some("subnet-7q7dabcd".into()),
        pay_mode: Some(PayMode::PayAsYouGo),
        limit: Some(50),
        offset: Some(10),
        order_by: Some(InstanceOrderBy::CreateTime),
        order_by_type: Some(OrderByType::Desc),
        project_ids: vec![0, 1],
        search_key: Some("orders".into()),
        tags: vec![TagInfo::new("team", "payments")],
        ..DescribeDbInstancesRequest::new(["cmgo-3vgrapm5", "cmgo-p8vnipr5"])
    };
    client.describe_db_instances(&request).await.unwrap();
    let reqs = recorder.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].header("X-TC-Action"), Some("DescribeDBInstances"));
    assert_eq!(reqs[0].header("X-TC-Version"), Some("2019-07-25"));
    let body = body_json(&recorder, 0);
    assert_eq!(
        body["OrderByType"], "DESC",
        "capitals, as this operation documents"
    );
    assert_eq!(
        body["Tags"],
        serde_json::json!([{"TagKey": "team", "TagValue": "payments"}])
    );
    insta::assert_snapshot!("describe_db_instances_request", reqs[0].to_snapshot());
}

#[tokio::test]
async fn describe_db_instances_minimal_body() {
    let (recorder, client) = answering(DB_INSTANCES_RESPONSE);
    client
        .describe_db_instances(&DescribeDbInstancesRequest::default())
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(recorder.requests()[0].body.clone()).unwrap(),
        "{}",
        "every instance: no filter is sent"
    );
    let (recorder, client) = answering(DB_INSTANCES_RESPONSE);
    client
        .describe_db_instances(&DescribeDbInstancesRequest::new(["cmgo-p8vnipr5"]))
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(recorder.requests()[0].body.clone()).unwrap(),
        r#"{"InstanceIds":["cmgo-p8vnipr5"]}"#
    );
}

#[tokio::test]
async fn describe_db_instances_documented_response_is_parsed() {
    let (_, client) = answering(DB_INSTANCES_RESPONSE);
    let resp = client
        .describe_db_instances(&DescribeDbInstancesRequest::new(["cmgo-3vgr****"]))
        .await
        .unwrap();
    assert_eq!(resp.total_count, 1);
    assert_eq!(resp.request_id, "230c9c0e-a56f-4639-81ee-3cb46905c087");
    let instance = resp.instance("cmgo-3vgr****").unwrap();
    assert_eq!(instance.cluster_type, Some(ClusterType::ReplicaSet));
    assert_eq!(instance.status, Some(InstanceStatus::Running));
    assert_eq!(instance.instance_type, Some(InstanceType::Formal));
    assert_eq!(instance.pay_mode, Some(PayMode::PayAsYouGo));
    assert_eq!(instance.net_type, Some(NetType::Vpc));
    assert_eq!(instance.replication_set_num, 1);
    assert_eq!(instance.vport, 27017);
    assert_eq!(instance.memory_mb, 4096);
    assert_eq!(
        instance.replica_set_ids().collect::<Vec<_>>(),
        vec!["cmgo-3vgrapm5_*"]
    );
    assert_eq!(instance.replica_sets[0].oplog_size_mb, 1024);
    assert_eq!(instance.replica_sets[0].used_volume_mb, 315.0);
    assert!(resp.instance("cmgo-other").is_none());
    insta::assert_json_snapshot!("describe_db_instances_response_json", resp);
    insta::assert_debug_snapshot!("describe_db_instances_response_debug", resp);
    assert_round_trips(&resp);
}

#[tokio::test]
async fn a_sharded_cluster_lists_every_shard_and_drifting_types_parse() {
    // Numbers as strings, nulls, fractions, states this crate does not know, fields it does not
    // model (ZoneList and InstanceTaskDesc appear in the Chinese documentation's example).
    let (_, client) = answering(
        r#"{"Response": {"TotalCount": "1", "RequestId": "sharded-1", "InstanceDetails": [{
            "InstanceId": "cmgo-shard7kq", "InstanceName": null, "ClusterType": "1",
            "Status": -3, "InstanceType": 9, "ReplicationSetNum": "3", "Vport": "27017",
            "UsedVolume": 12.9, "ZoneList": ["ap-guangzhou-3"], "InstanceTaskDesc": "",
            "RelatedInstance": null, "Tags": null, "ReadonlyInstances": null,
            "ReplicaSets": [
                {"ReplicaSetId": "cmgo-shard7kq_0", "UsedVolume": "12.5", "Memory": "4096"},
                {"ReplicaSetId": "cmgo-shard7kq_1", "UsedVolume": null, "OplogSize": ""},
                {"ReplicaSetId": "cmgo-shard7kq_2", "SecondaryNum": 2.0}
            ]
        }]}}"#,
    );
    let resp = client
        .describe_db_instances(&DescribeDbInstancesRequest::new(["cmgo-shard7kq"]))
        .await
        .unwrap();
    let instance = &resp.instance_details[0];
    assert_eq!(resp.total_count, 1);
    assert_eq!(instance.cluster_type, Some(ClusterType::Sharded));
    assert_eq!(instance.status, Some(InstanceStatus::IsolatedPayAsYouGo));
    assert_eq!(instance.instance_type, Some(InstanceType::Unknown(9)));
    assert_eq!(instance.instance_name, "");
    assert_eq!(instance.replication_set_num, 3);
    assert_eq!(instance.vport, 27017);
    assert_eq!(instance.used_volume_mb, 12, "an integer in MB");
    assert_eq!(instance.related_instance, None);
    assert!(instance.tags.is_empty() && instance.readonly_instances.is_empty());
    assert_eq!(
        instance.replica_set_ids().collect::<Vec<_>>(),
        ["cmgo-shard7kq_0", "cmgo-shard7kq_1", "cmgo-shard7kq_2"]
    );
    let shards = &instance.replica_sets;
    assert_eq!(shards[0].used_volume_mb, 12.5);
    assert_eq!(shards[0].memory_mb, 4096);
    assert_eq!(shards[1].used_volume_mb, 0.0);
    assert_eq!(shards[1].oplog_size_mb, 0);
    assert_eq!(shards[2].secondary_num, 2);
    assert_eq!(
        instance.status.unwrap().to_string(),
        "isolated (pay-as-you-go)"
    );
    assert_round_trips(&resp);

    // The replica sets go straight into a download request.
    let download = CreateBackupDownloadTaskRequest::new(
        &instance.instance_id,
        "cmgo-shard7kq_2026-01-01 00:00",
        instance.replica_set_ids(),
    );
    assert!(download.validate().is_ok());
    assert_eq!(download.backup_sets.len(), 3);
}

#[tokio::test]
async fn malformed_instance_answers_are_errors_with_the_request_id() {
    for (body, what) in [
        (r#""oops""#, "InstanceDetails is a string"),
        (r#"[5]"#, "an instance is a number"),
        (
            r#"[{"InstanceName": "no id"}]"#,
            "an instance without InstanceId",
        ),
        (
            r#"[{"InstanceId": "cmgo-x", "ReplicaSets": [{"ReplicaSetId": null}]}]"#,
            "a replica set without ReplicaSetId",
        ),
        (
            r#"[{"InstanceId": "cmgo-x", "ReplicaSets": {"ReplicaSetId": "cmgo-x_0"}}]"#,
            "ReplicaSets is an object",
        ),
        (
            r#"[{"InstanceId": "cmgo-x", "ReplicaSets": [{"ReplicaSetId": "cmgo-x_0", "UsedVolume": "lots"}]}]"#,
            "UsedVolume is not a number",
        ),
        (
            r#"[{"InstanceId": "cmgo-x", "Vport": 70000}]"#,
            "Vport is out of range",
        ),
        (
            r#"[{"InstanceId": "cmgo-x", "ClusterType": "sharded"}]"#,
            "ClusterType is a word",
        ),
        (
            r#"[{"InstanceId": "cmgo-x", "Status": [2]}]"#,
            "Status is an array",
        ),
    ] {
        let f = offline();
        f.recorder.push(
            200,
            &[],
            &format!(
                r#"{{"Response": {{"RequestId": "req-bad-instances", "TotalCount": 1, "InstanceDetails": {body}}}}}"#
            ),
        );
        let err = f
            .client
            .describe_db_instances(&DescribeDbInstancesRequest::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::UnreadableResponse { .. }),
            "{what}: {err:?}"
        );
        assert_eq!(err.request_id(), Some("req-bad-instances"), "{what}");
        assert!(
            err.to_string().contains("unreadable response"),
            "{what}: {err}"
        );
        assert_eq!(f.recorder.requests().len(), 1, "{what}: not retried");
    }

    // Not JSON at all, and the service's own error.
    let f = offline();
    f.recorder.push(200, &[], "<html>gateway</html>");
    let err = f
        .client
        .describe_db_instances(&DescribeDbInstancesRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnreadableResponse { .. }), "{err:?}");
    let f = offline();
    f.recorder.push(
        200,
        &[],
        &error_body(
            "InvalidParameterValue",
            "Limit must be between 1 and 100.",
            "req-invalid",
        ),
    );
    let err = f
        .client
        .describe_db_instances(&DescribeDbInstancesRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    assert_eq!(err.request_id(), Some("req-invalid"));
    assert_eq!(
        err.to_string(),
        "tencent-mongodb DescribeDBInstances failed: InvalidParameterValue (HTTP 200): Limit must be between 1 and 100. [request id req-invalid]"
    );
}

#[tokio::test]
async fn describe_db_instances_is_retried_as_a_read() {
    let f = offline();
    f.recorder.push(
        200,
        &[],
        &error_body(codes::INTERNAL_ERROR, "Internal error", "r1"),
    );
    f.recorder.push(502, &[], "<html>Bad Gateway</html>");
    f.recorder.push(200, &[], DB_INSTANCES_RESPONSE);
    let resp = f
        .client
        .describe_db_instances(&DescribeDbInstancesRequest::default())
        .await
        .unwrap();
    assert_eq!(resp.instance_details.len(), 1);
    assert_eq!(f.recorder.requests().len(), 3);
}

#[tokio::test]
async fn invalid_instance_listings_are_refused_before_sending() {
    let f = offline();
    let base = DescribeDbInstancesRequest::default();
    for (request, field) in [
        (
            DescribeDbInstancesRequest::new(["cmgo-x", " "]),
            "InstanceIds.1",
        ),
        (
            DescribeDbInstancesRequest {
                limit: Some(0),
                ..base.clone()
            },
            "Limit",
        ),
        (
            DescribeDbInstancesRequest {
                limit: Some(101),
                ..base.clone()
            },
            "Limit",
        ),
        (
            DescribeDbInstancesRequest {
                subnet_id: Some("subnet-7q7dabcd".into()),
                ..base.clone()
            },
            "SubnetId",
        ),
        (
            DescribeDbInstancesRequest {
                vpc_id: Some(String::new()),
                ..base.clone()
            },
            "VpcId",
        ),
        (
            DescribeDbInstancesRequest {
                search_key: Some("  ".into()),
                ..base.clone()
            },
            "SearchKey",
        ),
        (
            DescribeDbInstancesRequest {
                tags: vec![TagInfo::new("team", "a"), TagInfo::new("", "b")],
                ..base.clone()
            },
            "Tags.1.TagKey",
        ),
    ] {
        let err = f.client.describe_db_instances(&request).await.unwrap_err();
        assert_invalid(&err, field);
        let err = f
            .client
            .describe_db_instances_all(&request)
            .await
            .unwrap_err();
        assert_invalid(&err, field);
    }
    assert!(f.recorder.requests().is_empty(), "nothing was sent");
    for limit in [1, 100] {
        let r = DescribeDbInstancesRequest {
            limit: Some(limit),
            ..base.clone()
        };
        assert!(r.validate().is_ok());
    }
}

#[tokio::test]
async fn describe_db_instances_all_follows_the_offsets_to_the_end() {
    let f = offline();
    f.recorder.push(
        200,
        &[],
        &instances_body(&[("cmgo-a", 1), ("cmgo-b", 2)], 5, "page-1"),
    );
    f.recorder.push(
        200,
        &[],
        &instances_body(&[("cmgo-c", 1), ("cmgo-d", 3)], 5, "page-2"),
    );
    f.recorder
        .push(200, &[], &instances_body(&[("cmgo-e", 1)], 5, "page-3"));
    let all = f
        .client
        .describe_db_instances_all(&DescribeDbInstancesRequest {
            limit: Some(2),
            offset: Some(40),
            cluster_type: Some(ClusterType::ReplicaSet),
            ..DescribeDbInstancesRequest::default()
        })
        .await
        .unwrap();
    let ids: Vec<_> = all
        .instance_details
        .iter()
        .map(|i| i.instance_id.as_str())
        .collect();
    assert_eq!(ids, ["cmgo-a", "cmgo-b", "cmgo-c", "cmgo-d", "cmgo-e"]);
    assert_eq!(all.total_count, 5);
    assert_eq!(all.request_id, "page-3", "the last page's request id");
    assert_eq!(all.instance("cmgo-d").unwrap().replica_set_ids().count(), 3);
    let sent: Vec<_> = (0..3)
        .map(|i| {
            let b = body_json(&f.recorder, i);
            (
                b["Offset"].clone(),
                b["Limit"].clone(),
                b["ClusterType"].clone(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            (0.into(), 2.into(), 0.into()),
            (2.into(), 2.into(), 0.into()),
            (4.into(), 2.into(), 0.into())
        ],
        "the request's offset is ignored, its limit is the page size, filters are kept"
    );

    // Without a limit, pages of 100; an empty listing is one call.
    let f = offline();
    f.recorder.push(200, &[], &instances_body(&[], 0, "empty"));
    let all = f
        .client
        .describe_db_instances_all(&DescribeDbInstancesRequest::default())
        .await
        .unwrap();
    assert!(all.instance_details.is_empty());
    assert_eq!(all.total_count, 0);
    assert_eq!(body_json(&f.recorder, 0)["Limit"], 100);
    assert_eq!(f.recorder.requests().len(), 1);
}
