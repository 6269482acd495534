//! The seeds' error tables: HTTP 200 business errors, 403 and 404 map to a service error with
//! the DBS code, message, request id and status, and none of them is retried.

mod common;

use cloud_http::testing::Recorder;
use common::{fixture, offline, restore_to_rds};
use dbs_aliyun::*;

/// Every row of the CreateDownload seed's error table: (HTTP status, code, message).
const CREATE_DOWNLOAD_ERRORS: &[(u16, &str, &str)] = &[
    (
        200,
        "DBS.DownloadTask.CannotFind",
        "Can not find download task.",
    ),
    (
        200,
        "DBS.DownloadTask.JobAlreadyExist",
        "Job already submit in recent days, please check it.",
    ),
    (
        200,
        "DBS.DownloadTask.OnlyOneRunningOrFailedTask",
        "There can be only one running or failed task for the instance.",
    ),
    (
        200,
        "DBS.DownloadTask.OssForbid",
        "OSS is forbidden to access. Please check your OSS bucket.",
    ),
    (
        200,
        "DBS.DownloadTask.OssStorageTypeInvalid",
        "Unsupported bucket storage. Please make sure that your OSS bucket's storgae type is standard.",
    ),
    (200, "Forbidden.InstanceNotFound", "instance not found"),
    (
        200,
        "DBS.DownloadTask.BakSetError",
        "DBS download task bak set error. Your backup set does not meet the requirements.",
    ),
    (
        200,
        "DBS.DownloadTask.CustinIdNotSupport",
        "DBS DownloadTask CustinIdNotSupport.",
    ),
    (
        200,
        "DBS.DownloadTask.CustinNameNotSupport",
        "DBS DownloadTask CustinNameNotSupport.",
    ),
    (
        200,
        "DBS.DownloadTask.DbTypeNotSupport",
        "DBS DownloadTask DbTypeNotSupport.",
    ),
    (
        200,
        "DBS.DownloadTask.InstanceInfoNotSupport",
        "DBS DownloadTask InstanceInfoNotSupport.",
    ),
    (
        200,
        "DBS.DownloadTask.InstanceParamNotSupport",
        "DBS DownloadTask InstanceParamNotSupport.",
    ),
    (
        200,
        "DBS.DownloadTask.InstanceStorageTypeNotSupport",
        "DBS DownloadTask InstanceStorageTypeNotSupport.",
    ),
    (
        200,
        "DBS.DownloadTask.InstanceVersionNotSupport",
        "DBS DownloadTask InstanceVersionNotSupport.",
    ),
    (
        200,
        "DBS.DownloadTask.NotSupport",
        "DBS DownloadTask NotSupport.",
    ),
    (
        200,
        "DBS.DownloadTask.RegionNotSupport",
        "DBS DownloadTask RegionNotSupport.",
    ),
    (
        200,
        "DBS.DownloadTask.UserNotSupport",
        "DBS DownloadTask UserNotSupport.",
    ),
    (403, "Request.Forbidden", "Have no Permissions"),
    (
        403,
        "DBS.NoPermissionException",
        "Rejected by ValidationChecker.",
    ),
    (404, "DBS.NotExists", "data source do not existed."),
];

fn create_download() -> CreateDownloadRequest {
    CreateDownloadRequest::new(
        "rm-wz994c1t1xxxx",
        DownloadSource::backup_set("1460051234"),
        Export::Logical(LogicalFormat::Csv),
        DownloadTarget::Url,
    )
}

/// A 200 business error body, alternating the two field pairs DBS uses, with `Success` as a
/// string (2021-01-01) or a boolean (2019-03-06).
fn business_error(i: usize, code: &str, message: &str) -> String {
    let success = if i.is_multiple_of(3) {
        "false"
    } else {
        "\"false\""
    };
    if i.is_multiple_of(2) {
        format!(
            r#"{{"RequestId":"REQ-{i}","Success":{success},"ErrCode":"{code}","ErrMessage":"{message}"}}"#
        )
    } else {
        format!(
            r#"{{"RequestId":"REQ-{i}","Success":{success},"Code":"{code}","Message":"{message}"}}"#
        )
    }
}

/// A gateway error body.
fn gateway_error(i: usize, code: &str, message: &str) -> String {
    format!(
        r#"{{"RequestId":"REQ-{i}","HostId":"dbs-api.cn-hangzhou.aliyuncs.com","Code":"{code}","Message":"{message}","Recommend":"https://api.aliyun.com/troubleshoot?q={code}&product=Dbs"}}"#
    )
}

#[tokio::test]
async fn the_create_download_error_table_maps_to_service_errors() {
    for (i, (status, code, message)) in CREATE_DOWNLOAD_ERRORS.iter().enumerate() {
        let recorder = Recorder::new();
        let body = if *status == 200 {
            business_error(i, code, message)
        } else {
            gateway_error(i, code, message)
        };
        recorder.push(*status, &[], &body);
        recorder.push(200, &[], &fixture("create_download.seed.json"));
        let client = offline(&recorder).client;
        let err = client
            .create_download(&create_download())
            .await
            .unwrap_err();
        let Error::Service {
            error,
            attempts,
            operation,
        } = &err
        else {
            panic!("{code}: not a service error: {err:?}");
        };
        assert_eq!(error.code, *code);
        assert_eq!(error.message, *message);
        assert_eq!(error.http_status, *status);
        assert_eq!(
            error.request_id.as_deref(),
            Some(format!("REQ-{i}").as_str())
        );
        assert_eq!(*attempts, 1, "{code} is not retried");
        assert_eq!(operation.action, "CreateDownload");
        assert_eq!(recorder.requests().len(), 1, "{code} is not retried");
        let line = err.to_string();
        assert!(
            line.starts_with("aliyun-dbs CreateDownload failed: "),
            "{line}"
        );
        assert!(line.contains(code) && line.contains(message), "{line}");
        assert!(line.contains(&format!("(HTTP {status})")), "{line}");
        assert!(line.contains(&format!("[request id REQ-{i}]")), "{line}");
    }
}

#[tokio::test]
async fn create_restore_task_forbidden_is_not_retried_even_with_a_token() {
    let recorder = Recorder::new();
    recorder.push(
        403,
        &[],
        &gateway_error(7, "Request.Forbidden", "Have no Permissions"),
    );
    let client = offline(&recorder).client;
    let err = client
        .create_restore_task(&restore_to_rds())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(codes::REQUEST_FORBIDDEN));
    assert_eq!(err.service_error().unwrap().http_status, 403);
    assert_eq!(recorder.requests().len(), 1);
}

#[tokio::test]
async fn a_2019_business_error_with_boolean_success_is_an_error() {
    let recorder = Recorder::new();
    recorder.push(
        200,
        &[],
        r#"{"HttpStatusCode":200,"RequestId":"R-9","Success":false,"ErrCode":"Param.NotFound","ErrMessage":"The specified parameter BackupPlanId value is not valid."}"#,
    );
    let client = offline(&recorder).client;
    let err = client
        .describe_full_backup_list(&DescribeFullBackupListRequest::new("nope"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Param.NotFound"));
    assert_eq!(err.request_id(), Some("R-9"));
    assert_eq!(
        recorder.requests().len(),
        1,
        "a business error is never retried"
    );
}

#[tokio::test]
async fn a_gateway_error_without_json_keeps_its_status() {
    let recorder = Recorder::new();
    recorder.push(403, &[("x-acs-request-id", "HDR-1")], "<html>denied</html>");
    let client = offline(&recorder).client;
    let err = client
        .describe_download_support(&DescribeDownloadSupportRequest::new("rm-1"))
        .await
        .unwrap_err();
    let e = err.service_error().expect("a service error");
    assert_eq!(e.code, "HTTP403");
    assert_eq!(e.http_status, 403);
    assert_eq!(e.request_id.as_deref(), Some("HDR-1"));
    assert_eq!(recorder.requests().len(), 1);
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let recorder = Recorder::new();
    let client = offline(&recorder).client;
    let mut req = create_download();
    req.target = DownloadTarget::Oss {
        bucket: "".into(),
        path: "p".into(),
        region: "cn-hangzhou".into(),
    };
    let err = client.create_download(&req).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: TargetBucket: must not be empty"
    );
    assert!(!err.may_have_reached_server());
    let mut start = StartRestoreTaskRequest::new("s1");
    start.client_token = Some("not a token".into());
    let err = client.start_restore_task(&start).await.unwrap_err();
    assert!(
        err.to_string().starts_with("invalid input: ClientToken:"),
        "{err}"
    );
    assert!(recorder.requests().is_empty());
}

#[test]
fn credentials_come_from_the_default_chain_or_fail_clearly() {
    use cloud_sign::ProviderContext;
    let ctx = ProviderContext::from_map(
        [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tFromEnv"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
        ],
        None,
    );
    let client = Client::builder()
        .region("eu-central-1")
        .provider_context(ctx)
        .build()
        .unwrap();
    assert_eq!(
        client.endpoint().to_string(),
        "https://dbs-api.eu-central-1.aliyuncs.com"
    );
    assert!(!format!("{client:?}").contains("env-secret"));

    let empty = ProviderContext::from_map(Vec::<(String, String)>::new(), None);
    let err = Client::builder()
        .region("cn-hangzhou")
        .provider_context(empty)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    assert!(
        err.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"),
        "{err}"
    );

    let err = Client::builder()
        .region("not a region")
        .credentials(Credentials::new("a", "b"))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().starts_with("invalid input: region:"),
        "{err}"
    );

    let err = Client::builder()
        .credentials(Credentials::new("a", "b"))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().starts_with("invalid input: region:"),
        "a missing region is refused: {err}"
    );
}
