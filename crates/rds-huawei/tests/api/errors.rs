//! Every error body shape becomes a service error with the request id; what is retried and what
//! is not.

use cloud_http::testing::Recorder;
use rds_huawei::{Error, ServiceError};

use crate::*;

/// A canned response: status, headers, body.
type Canned<'a> = (u16, &'a [(&'a str, &'a str)], &'a str);

/// Sends a DDS `ListBackups` against `responses` and returns the error and the number of
/// requests sent.
async fn fail(responses: &[Canned<'_>]) -> (Error, usize) {
    let recorder = Recorder::new();
    for (status, headers, body) in responses {
        recorder.push(*status, headers, body);
    }
    let err = list_dds(&client(&recorder)).await.unwrap_err();
    (err, recorder.requests().len())
}

fn service(err: &Error) -> &ServiceError {
    err.service_error()
        .unwrap_or_else(|| panic!("a service error, got {err:?}"))
}

#[tokio::test]
async fn service_shape_with_request_id_header() {
    let (err, sent) = fail(&[(
        400,
        &[("X-Request-Id", "5a2c8a3e0b1d4e6f")],
        r#"{"error_code":"DBS.200001","error_msg":"Invalid parameter: limit."}"#,
    )])
    .await;
    assert_eq!(sent, 1);
    assert_eq!(
        service(&err),
        &ServiceError {
            code: "DBS.200001".into(),
            message: "Invalid parameter: limit.".into(),
            request_id: Some("5a2c8a3e0b1d4e6f".into()),
            http_status: 400,
        }
    );
    assert_eq!(
        err.to_string(),
        "huawei-dds ListBackups failed: DBS.200001 (HTTP 400): Invalid parameter: limit. [request id 5a2c8a3e0b1d4e6f]"
    );
}

#[tokio::test]
async fn gateway_shape_takes_the_body_request_id_when_the_header_is_missing() {
    let (err, sent) = fail(&[(
        404,
        &[],
        r#"{"error_msg":"The API does not exist or has not been published in the environment","error_code":"APIGW.0101","request_id":"e9ed8e3b6d4d4b0a"}"#,
    )])
    .await;
    assert_eq!(sent, 1);
    let e = service(&err);
    assert_eq!(e.code, "APIGW.0101");
    assert_eq!(e.request_id.as_deref(), Some("e9ed8e3b6d4d4b0a"));
    assert_eq!(err.request_id(), Some("e9ed8e3b6d4d4b0a"));
}

#[tokio::test]
async fn the_header_request_id_wins_over_the_body() {
    let (err, _) = fail(&[(
        404,
        &[("X-Request-Id", "from-header")],
        r#"{"error_msg":"x","error_code":"APIGW.0101","request_id":"from-body"}"#,
    )])
    .await;
    assert_eq!(err.request_id(), Some("from-header"));
}

#[tokio::test]
async fn throttling_shape_is_retried_then_reported() {
    let body = r#"{"error_message":"The throttling threshold has been reached: policy user over ratelimit,limit:50,time:1 minute","error_code":"APIGW.0308","request_id":"c8f1d3"}"#;
    let (err, sent) = fail(&[(429, &[], body), (429, &[], body), (429, &[], body)]).await;
    assert_eq!(sent, 3, "three attempts");
    let e = service(&err);
    assert_eq!(e.code, "APIGW.0308");
    assert!(
        e.message
            .starts_with("The throttling threshold has been reached")
    );
    assert!(matches!(err, Error::Service { attempts: 3, .. }));
}

#[tokio::test]
async fn iam_nested_shape_with_a_numeric_code() {
    let (err, sent) = fail(&[(
        401,
        &[("X-Request-Id", "iam-req-1")],
        r#"{"error":{"code":401,"title":"Unauthorized","message":"The request you have made requires authentication."}}"#,
    )])
    .await;
    assert_eq!(sent, 1, "401 is never retried");
    assert_eq!(
        service(&err),
        &ServiceError {
            code: "401".into(),
            message: "Unauthorized: The request you have made requires authentication.".into(),
            request_id: Some("iam-req-1".into()),
            http_status: 401,
        }
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_keeps_the_status_as_code() {
    let html = "<html><body>502 Bad Gateway</body></html>";
    let (err, sent) = fail(&[(502, &[], html), (502, &[], html), (502, &[], html)]).await;
    assert_eq!(sent, 3);
    let e = service(&err);
    assert_eq!(e.code, "HTTP.502");
    assert_eq!(e.message, html);
    assert_eq!(e.request_id, None);
}

#[tokio::test]
async fn bad_signature_is_never_retried() {
    let (err, sent) = fail(&[(
        401,
        &[("X-Request-Id", "r1")],
        r#"{"error_msg":"Incorrect IAM authentication information: verify aksk signature fail","error_code":"APIGW.0301","request_id":"r1"}"#,
    )])
    .await;
    assert_eq!(sent, 1);
    assert_eq!(err.code(), Some("APIGW.0301"));
    assert!(matches!(err, Error::Service { attempts: 1, .. }));
}

#[tokio::test]
async fn forbidden_is_never_retried() {
    let (err, sent) = fail(&[(
        403,
        &[],
        r#"{"error_msg":"Incorrect IAM authentication information: Forbidden","error_code":"APIGW.0302","request_id":"r2"}"#,
    )])
    .await;
    assert_eq!(sent, 1);
    assert_eq!(err.code(), Some("APIGW.0302"));
}

#[tokio::test]
async fn a_business_error_is_not_retried() {
    let (err, sent) = fail(&[(
        404,
        &[],
        r#"{"error_code":"DBS.200002","error_msg":"The DB instance does not exist."}"#,
    )])
    .await;
    assert_eq!((sent, err.code()), (1, Some("DBS.200002")));
}

async fn succeed_after(status: u16, body: &str) -> usize {
    let recorder = Recorder::new();
    recorder.push(status, &[], body);
    recorder.push(200, &[], r#"{"backups":[],"total_count":0}"#);
    let list = list_dds(&client(&recorder)).await.unwrap();
    assert_eq!(list.total_count, 0);
    recorder.requests().len()
}

#[tokio::test]
async fn throttling_then_success() {
    let sent = succeed_after(
        429,
        r#"{"error_message":"The request is throttled.","error_code":"APIGW.0308","request_id":"t"}"#,
    )
    .await;
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn gateway_unavailable_then_success() {
    for status in [502, 503, 504] {
        let sent = succeed_after(
            status,
            r#"{"error_msg":"Backend unavailable","error_code":"APIGW.0201","request_id":"u"}"#,
        )
        .await;
        assert_eq!(sent, 2, "HTTP {status}");
    }
}

#[tokio::test]
async fn every_retry_is_signed_afresh() {
    let recorder = Recorder::new();
    let throttled = r#"{"error_message":"The request is throttled.","error_code":"APIGW.0308","request_id":"t"}"#;
    // A server hint of 2 s moves the test clock past a second boundary.
    recorder.push(429, &[("Retry-After", "2")], throttled);
    recorder.push(200, &[], r#"{"backups":[],"total_count":0}"#);
    list_dds(&client(&recorder)).await.unwrap();
    let sent = recorder.requests();
    assert_eq!(sent[0].header("x-sdk-date"), Some("20260101T000000Z"));
    assert_eq!(sent[1].header("x-sdk-date"), Some("20260101T000002Z"));
    assert_ne!(signature(&sent[0]), signature(&sent[1]));
}
