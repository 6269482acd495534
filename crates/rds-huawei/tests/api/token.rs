//! IAM-token authentication: through the offline recorder like AK/SK requests, and against a
//! scripted local server for the network path (timeouts, connection failures, size cap).

use std::time::Duration;

use cloud_http::HttpConfig;
use cloud_http::testing::{MockResponse, MockServer, Recorder};
use rds_huawei::{Client, Endpoint, Error, dds, rds};

use crate::*;

const TOKEN: &str = "MIIT-example-iam-token";

fn token_client(server: &MockServer, project: Option<&str>) -> Client {
    let mut builder = Client::builder()
        .region("cn-north-4")
        .http_client(http(true))
        .iam_token(TOKEN)
        .endpoint(server.endpoint())
        .iam_endpoint(server.endpoint());
    if let Some(p) = project {
        builder = builder.project_id(p);
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn iam_token_is_sent_as_x_auth_token_without_authorization() {
    let server = MockServer::start().await;
    server.push(MockResponse::json(200, SEED_DDS_LINKS).with_header("X-Request-Id", "tok-1"));
    let links = show_h1(&token_client(&server, Some(PROJECT)))
        .await
        .unwrap();
    assert_eq!(links.files.len(), 1);
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    let r = &sent[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/v3/0123456789abcdef/backups/download-file");
    assert_eq!(
        r.query,
        format!("backup_id={DDS_BACKUP}&instance_id={DDS_INSTANCE}")
    );
    assert_eq!(r.header("x-auth-token"), Some(TOKEN));
    assert_eq!(r.header("x-project-id"), Some(PROJECT));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.header("x-sdk-date"), None);
}

#[tokio::test]
async fn iam_token_resolves_the_project_through_iam_too() {
    let server = MockServer::start().await;
    server.push(MockResponse::json(200, ONE_PROJECT));
    server.push(MockResponse::json(200, r#"{"backups":[],"total_count":0}"#));
    let client = token_client(&server, None);
    client
        .rds()
        .list_backups(&rds::ListBackupsRequest::new("inst"))
        .await
        .unwrap();
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        (sent[0].path.as_str(), sent[0].query.as_str()),
        ("/v3/projects", "name=cn-north-4")
    );
    assert_eq!(sent[0].header("x-project-id"), None);
    assert_eq!(sent[1].path, "/v3/0123456789abcdef/backups");
    for r in &sent {
        assert_eq!(r.header("x-auth-token"), Some(TOKEN));
        assert_eq!(r.header("authorization"), None);
    }
}

#[tokio::test]
async fn iam_token_calls_retry_throttling_then_succeed() {
    let server = MockServer::start().await;
    server.push(MockResponse::json(
        429,
        r#"{"error_message":"The request is throttled.","error_code":"APIGW.0308","request_id":"t1"}"#,
    ));
    server.push(MockResponse::json(
        503,
        r#"{"error_msg":"Backend unavailable","error_code":"APIGW.0201","request_id":"t2"}"#,
    ));
    server.push(MockResponse::json(200, r#"{"backups":[],"total_count":7}"#));
    let list = list_dds(&token_client(&server, Some(PROJECT)))
        .await
        .unwrap();
    assert_eq!(list.total_count, 7);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn iam_token_401_is_not_retried() {
    let server = MockServer::start().await;
    server.push(
        MockResponse::json(
            401,
            r#"{"error_msg":"Incorrect IAM authentication information: token expired","error_code":"APIGW.0301","request_id":"body-id"}"#,
        )
        .with_header("X-Request-Id", "hdr-id"),
    );
    let err = list_dds(&token_client(&server, Some(PROJECT)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("APIGW.0301"));
    assert_eq!(err.request_id(), Some("hdr-id"));
    assert!(matches!(err, Error::Service { attempts: 1, .. }));
    assert_eq!(server.requests().len(), 1);
    assert!(!format!("{err} {err:?}").contains(TOKEN));
}

/// A token-authenticated DDS `ListBackups` sent to `url`, which must fail.
async fn list_at(url: &str, allow_http: bool) -> Error {
    Client::builder()
        .region("cn-north-4")
        .http_client(http(allow_http))
        .iam_token(TOKEN)
        .project_id(PROJECT)
        .endpoint(Endpoint::parse(url).unwrap())
        .build()
        .unwrap()
        .dds()
        .list_backups(&dds::ListBackupsRequest::default())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn iam_token_calls_refuse_plain_http_unless_allowed() {
    let err = list_at("http://127.0.0.1:9", false).await;
    assert_eq!(invalid_field(&err), "endpoint", "{err:?}");
}

#[tokio::test]
async fn iam_token_connection_failures_are_dispatch_errors() {
    // Bind and drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = list_at(&format!("http://127.0.0.1:{port}"), true).await;
    assert!(
        matches!(err, Error::Dispatch { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(!err.may_have_reached_server());
}

#[tokio::test]
async fn iam_token_calls_honour_the_attempt_timeout_and_size_cap() {
    let server = MockServer::start().await;
    let slow = || {
        MockResponse::Delay(
            Duration::from_secs(2),
            Box::new(MockResponse::json(200, r#"{"backups":[],"total_count":0}"#)),
        )
    };
    for _ in 0..3 {
        server.push(slow());
    }
    server.push(MockResponse::json(
        200,
        &format!(r#"{{"pad":"{}"}}"#, "x".repeat(4096)),
    ));
    let client = Client::builder()
        .region("cn-north-4")
        .http_client(http_with(HttpConfig {
            allow_http: true,
            attempt_timeout: Duration::from_millis(100),
            max_response_bytes: 1024,
            ..HttpConfig::default()
        }))
        .iam_token(TOKEN)
        .project_id(PROJECT)
        .endpoint(server.endpoint())
        .build()
        .unwrap();
    let err = list_dds(&client).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: "attempt",
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    let err = list_dds(&client).await.unwrap_err();
    assert!(matches!(err, Error::UnreadableResponse { .. }), "{err:?}");
    assert!(
        err.to_string().contains("exceeds the 1024 byte limit"),
        "{err}"
    );
    assert_eq!(
        server.requests().len(),
        4,
        "an oversized answer is not retried"
    );
}

#[tokio::test]
async fn iam_token_requests_go_through_an_injected_backend() {
    let recorder = Recorder::new();
    recorder.push(
        503,
        &[],
        r#"{"error_msg":"Backend unavailable","error_code":"APIGW.0201","request_id":"t1"}"#,
    );
    recorder.push(200, &[("X-Request-Id", "tok-1")], SEED_DDS_LINKS);
    let client = client_with(&recorder, |b| b.iam_token(TOKEN).project_id(PROJECT));
    let links = show_h1(&client).await.unwrap();
    assert_eq!(links.files.len(), 1);
    let sent = recorder.requests();
    assert_eq!(sent.len(), 2, "the 503 is retried");
    for r in &sent {
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.url,
            format!(
                "https://dds.cn-north-4.myhuaweicloud.com/v3/{PROJECT}/backups/download-file\
                 ?backup_id={DDS_BACKUP}&instance_id={DDS_INSTANCE}"
            )
        );
        assert_eq!(r.header("x-auth-token"), Some(TOKEN));
        assert_eq!(r.header("x-project-id"), Some(PROJECT));
        assert_eq!(r.header("accept"), Some("application/json"));
        assert_eq!(r.header("authorization"), None);
        assert_eq!(r.header("x-sdk-date"), None);
        assert_eq!(r.canonical_request(), "", "nothing is signed");
        let shown = format!("{} {r:?}", r.to_snapshot());
        assert!(!shown.contains(TOKEN), "{shown}");
    }
}

#[tokio::test]
async fn iam_tokens_a_header_cannot_carry_are_refused_before_sending() {
    let recorder = Recorder::new();
    let client = client_with(&recorder, |b| {
        b.iam_token("MIIT\nInjected: header").project_id(PROJECT)
    });
    let err = list_dds(&client).await.unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    assert!(recorder.requests().is_empty());
}
