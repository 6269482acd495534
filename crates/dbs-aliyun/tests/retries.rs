//! Retries against a local HTTP server: what DBS says decides what is resent, every attempt is
//! signed afresh, and a `ClientToken` stays the same across attempts. Sleeps are instant and
//! recorded, so the backoff and the server's hints are checked exactly.

mod common;

use std::time::Duration;

use cloud_http::testing::{MockResponse, MockServer};
use common::{against, fixture, query_param, restore_to_rds};
use dbs_aliyun::*;

fn gateway(status: u16, code: &str) -> MockResponse {
    MockResponse::json(
        status,
        &format!(
            r#"{{"RequestId":"GW-{code}","HostId":"dbs-api.cn-hangzhou.aliyuncs.com","Code":"{code}","Message":"scripted {code}","Recommend":""}}"#
        ),
    )
}

fn create_download() -> CreateDownloadRequest {
    CreateDownloadRequest::new(
        "rm-bp1xxxxxxxx",
        DownloadSource::backup_set("1460051234"),
        Export::Logical(LogicalFormat::Csv),
        DownloadTarget::Url,
    )
}

#[tokio::test]
async fn throttling_then_success_is_retried_even_for_create_download() {
    let server = MockServer::start().await;
    server.push(gateway(400, "Throttling.User"));
    server.push(gateway(503, "Throttling.Api"));
    server.push(MockResponse::json(
        200,
        &fixture("create_download.seed.json"),
    ));
    let f = against(&server);
    let created = f.client.create_download(&create_download()).await.unwrap();
    assert_eq!(created.task.task_id, "dt-qxnsfq5s****");
    assert_eq!(
        server.requests().len(),
        3,
        "throttled calls did nothing: resend"
    );
    // Standard backoff with the fixture's jitter of 0.5: 50 ms, then 100 ms.
    assert_eq!(
        f.sleep.sleeps(),
        vec![Duration::from_millis(50), Duration::from_millis(100)]
    );
}

#[tokio::test]
async fn x_acs_retry_after_is_honoured_exactly() {
    let server = MockServer::start().await;
    server.push(gateway(400, "Throttling.User").with_header("x-acs-retry-after", "1500"));
    server.push(MockResponse::json(
        200,
        &fixture("describe_download_support.json"),
    ));
    let f = against(&server);
    let support = f
        .client
        .describe_download_support(&DescribeDownloadSupportRequest::new("rm-bp1xxxxxxxx"))
        .await
        .unwrap();
    assert!(support.supported);
    assert_eq!(f.sleep.sleeps(), vec![Duration::from_millis(1500)]);
}

#[tokio::test]
async fn server_errors_are_retried_until_attempts_run_out() {
    let server = MockServer::start().await;
    for _ in 0..5 {
        server.push(gateway(503, "ServiceUnavailable"));
    }
    let f = against(&server);
    let err = f
        .client
        .describe_download_task(&DescribeDownloadTaskRequest::new("rm-bp1xxxxxxxx"))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 3, "3 attempts by default");
    let Error::Service {
        error, attempts, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(error.code, "ServiceUnavailable");
    assert_eq!(error.http_status, 503);
    assert_eq!(*attempts, 3);
    assert_eq!(err.request_id(), Some("GW-ServiceUnavailable"));
    assert!(err.to_string().ends_with("(after 3 attempts)"), "{err}");
}

#[tokio::test]
async fn an_internal_error_is_not_resent_for_create_download() {
    let server = MockServer::start().await;
    server.push(gateway(500, "InternalError"));
    server.push(MockResponse::json(
        200,
        &fixture("create_download.seed.json"),
    ));
    let f = against(&server);
    let err = f
        .client
        .create_download(&create_download())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(
        server.requests().len(),
        1,
        "CreateDownload carries no token: it may have been created"
    );
}

#[tokio::test]
async fn signature_does_not_match_is_not_retried() {
    let server = MockServer::start().await;
    server.push(gateway(400, "SignatureDoesNotMatch"));
    server.push(MockResponse::json(
        200,
        &fixture("describe_download_support.json"),
    ));
    let f = against(&server);
    let err = f
        .client
        .describe_download_support(&DescribeDownloadSupportRequest::new("rm-bp1xxxxxxxx"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(codes::SIGNATURE_DOES_NOT_MATCH));
    assert_eq!(server.requests().len(), 1);
    assert!(f.sleep.sleeps().is_empty());
}

#[tokio::test]
async fn every_attempt_has_a_new_nonce_and_signature_and_the_same_client_token() {
    let server = MockServer::start().await;
    server.push(gateway(500, "InternalError"));
    server.push(gateway(400, "Throttling"));
    server.push(MockResponse::json(
        200,
        &fixture("create_restore_task.seed.json"),
    ));
    let f = against(&server);
    let created = f
        .client
        .create_restore_task(&restore_to_rds())
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "a token makes a 5xx safe to resend");

    let nonces: Vec<_> = requests
        .iter()
        .map(|r| r.header("x-acs-signature-nonce").unwrap().to_owned())
        .collect();
    assert_eq!(
        nonces,
        vec![
            "00000000000000000000000000000002",
            "00000000000000000000000000000003",
            "00000000000000000000000000000004"
        ]
    );
    let signatures: std::collections::HashSet<_> = requests
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(signatures.len(), 3, "each attempt is signed anew");

    let tokens: Vec<_> = requests
        .iter()
        .map(|r| query_param(&r.query, "ClientToken").unwrap())
        .collect();
    assert_eq!(tokens, vec!["00000000000000000000000000000001"; 3]);
    assert_eq!(created.client_token, "00000000000000000000000000000001");
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/");
        assert!(r.body.is_empty());
        assert_eq!(r.header("x-acs-version"), Some("2019-03-06"));
        assert_eq!(r.header("x-acs-action"), Some("CreateRestoreTask"));
    }
}

#[tokio::test]
async fn each_logical_call_gets_its_own_client_token() {
    let server = MockServer::start().await;
    server.push(MockResponse::json(200, &fixture("start_restore_task.json")));
    server.push(MockResponse::json(200, &fixture("start_restore_task.json")));
    let f = against(&server);
    let first = f
        .client
        .start_restore_task(&StartRestoreTaskRequest::new("s1r9k2w4b0007"))
        .await
        .unwrap();
    let second = f
        .client
        .start_restore_task(&StartRestoreTaskRequest::new("s1r9k2w4b0007"))
        .await
        .unwrap();
    assert_ne!(first.client_token, second.client_token);
    let requests = server.requests();
    assert_eq!(
        query_param(&requests[0].query, "ClientToken").as_deref(),
        Some(first.client_token.as_str())
    );
    assert_eq!(
        query_param(&requests[1].query, "ClientToken").as_deref(),
        Some(second.client_token.as_str())
    );
}
