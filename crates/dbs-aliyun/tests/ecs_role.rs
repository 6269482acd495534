//! The ECS instance's RAM role as a credential source, against a local fake of the metadata
//! service: IMDSv2 token, role lookup, credentials JSON, refresh, and clear errors.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cloud_http::FetchCredentials;
use cloud_http::testing::{
    ManualClock, MockResponse, MockServer, Recorder, assert_temporary, offline_client,
};
use dbs_aliyun::*;

const SECRET: &str = "CANARY-ecs-secret";
const TOKEN: &str = "CANARY-ecs-session-token";

fn role_json(id: &str, expires: &str) -> String {
    format!(
        r#"{{"AccessKeyId":"{id}","AccessKeySecret":"{SECRET}","Expiration":"{expires}","SecurityToken":"{TOKEN}","LastUpdated":"2026-12-02T00:00:00Z","Code":"Success"}}"#
    )
}

fn base(server: &MockServer) -> String {
    server.endpoint().to_string()
}

#[tokio::test]
async fn the_role_s_credentials_come_with_an_imdsv2_token() {
    let server = MockServer::start().await;
    server.push(MockResponse::text(200, "imds-token-1"));
    server.push(MockResponse::text(200, "backup-reader\n"));
    server.push(MockResponse::json(
        200,
        &role_json("STS.NUx1", "2030-01-01T00:00:00Z"),
    ));
    let role = EcsRamRole::new(None).unwrap().endpoint(base(&server));
    let got = role.fetch().await.unwrap();
    assert_temporary(&got, "STS.NUx1", SECRET, TOKEN, 1_893_456_000);
    let sent = server.requests();
    assert_eq!(sent.len(), 3);
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("PUT", "/latest/api/token")
    );
    assert_eq!(
        sent[0].header("x-aliyun-ecs-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(sent[1].path, "/latest/meta-data/ram/security-credentials/");
    assert_eq!(
        sent[2].path,
        "/latest/meta-data/ram/security-credentials/backup-reader"
    );
    for r in &sent[1..] {
        assert_eq!(
            r.header("x-aliyun-ecs-metadata-token"),
            Some("imds-token-1")
        );
    }
    // Never in Debug.
    let shown = format!("{got:?} {role:?}");
    assert!(!shown.contains("CANARY"), "{shown}");
}

#[tokio::test]
async fn a_named_role_is_asked_directly_and_bad_answers_are_clear_errors() {
    let server = MockServer::start().await;
    server.push(MockResponse::text(200, "t"));
    server.push(MockResponse::json(
        200,
        &role_json("STS.named", "2030-01-01T00:00:00Z"),
    ));
    let role = EcsRamRole::new(Some("ops".into()))
        .unwrap()
        .endpoint(base(&server));
    assert_eq!(
        role.fetch().await.unwrap().credentials.access_key_id(),
        "STS.named"
    );
    assert_eq!(
        server.requests()[1].path,
        "/latest/meta-data/ram/security-credentials/ops"
    );

    for (answer, says) in [
        (
            MockResponse::json(200, r#"{"Code":"Failed"}"#),
            "answered Code Failed",
        ),
        (
            MockResponse::json(200, r#"{"Code":"Success","AccessKeyId":"x"}"#),
            "the answer has no",
        ),
        (
            MockResponse::json(200, &role_json("STS.x", "tomorrow")),
            "not an RFC 3339 time",
        ),
        (MockResponse::text(404, "Not Found"), "HTTP 404"),
        (
            MockResponse::text(200, "<html>"),
            "not the credentials JSON",
        ),
    ] {
        let server = MockServer::start().await;
        server.push(MockResponse::text(200, "t"));
        server.push(answer);
        let role = EcsRamRole::new(Some("ops".into()))
            .unwrap()
            .endpoint(base(&server));
        let err = role.fetch().await.unwrap_err().to_string();
        assert!(
            err.contains("ECS RAM role ops") && err.contains(says),
            "{err}"
        );
        assert!(!err.contains("CANARY"), "{err}");
    }
    // No role attached to the instance.
    let server = MockServer::start().await;
    server.push(MockResponse::text(200, "t"));
    server.push(MockResponse::text(200, "\n"));
    let err = EcsRamRole::new(None)
        .unwrap()
        .endpoint(base(&server))
        .fetch()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("none attached"), "{err}");
}

#[tokio::test]
async fn no_metadata_service_fails_fast_and_says_so() {
    // A closed port on loopback: refused at once (the real address times out in 1 s).
    let err = EcsRamRole::new(None)
        .unwrap()
        .endpoint("http://127.0.0.1:9")
        .fetch()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("ECS metadata token") && text.contains("not reachable"),
        "{text}"
    );
}

#[tokio::test]
async fn a_client_signs_with_the_role_s_credentials_and_refreshes_them() {
    let server = MockServer::start().await;
    // First fetch: credentials that expire in 10 minutes; the second: an hour.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let clock = ManualClock::new(now);
    let rfc = |t: SystemTime| {
        time::OffsetDateTime::from(t)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    server.push(MockResponse::text(200, "t1"));
    server.push(MockResponse::json(
        200,
        &role_json("STS.first", &rfc(now + Duration::from_secs(600))),
    ));
    server.push(MockResponse::text(200, "t2"));
    server.push(MockResponse::json(
        200,
        &role_json("STS.second", &rfc(now + Duration::from_secs(4200))),
    ));
    let role = EcsRamRole::new(Some("ops".into()))
        .unwrap()
        .endpoint(base(&server));
    let source = CredentialSource::Refreshing(Arc::new(RefreshingCredentials::with_clock(
        role,
        Arc::new(clock.clone()),
    )));
    let recorder = Recorder::new();
    for _ in 0..3 {
        recorder.push(
            200,
            &[],
            r#"{"Success":true,"Data":{"TaskId":"dt-1"},"RequestId":"r"}"#,
        );
    }
    let client = Client::builder()
        .region("cn-hangzhou")
        .credential_source(source)
        .http_client(offline_client(now, &recorder))
        .build()
        .unwrap();
    let request = DescribeDownloadTaskRequest::new("rm-bp1example");
    let _ = client.describe_download_task(&request).await;
    let _ = client.describe_download_task(&request).await;
    // Six minutes on: within 5 minutes of the expiry, fetched again.
    clock.advance(Duration::from_secs(360));
    let _ = client.describe_download_task(&request).await;
    let sent = recorder.requests();
    assert_eq!(sent.len(), 3);
    let key_of = |i: usize| {
        sent[i]
            .header("authorization")
            .unwrap_or_default()
            .to_owned()
    };
    assert!(key_of(0).contains("Credential=STS.first"), "{}", key_of(0));
    assert!(key_of(1).contains("Credential=STS.first"));
    assert!(key_of(2).contains("Credential=STS.second"), "{}", key_of(2));
    assert_eq!(sent[0].header("x-acs-security-token"), Some(TOKEN));
    assert_eq!(server.requests().len(), 4, "two metadata rounds, not three");
}
