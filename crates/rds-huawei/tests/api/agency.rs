//! The ECS instance's agency as a credential source, against a local fake of the metadata
//! service: the metadata token, the securitykey JSON, signing with the security token, clear
//! errors.

use cloud_http::FetchCredentials;
use cloud_http::testing::{MockResponse, MockServer, Recorder, assert_temporary};
use rds_huawei::*;

use crate::{client_with, list_dds, refreshing};

const SECRET: &str = "CANARY-agency-secret";
const TOKEN: &str = "CANARY-agency-token";

fn key_json(access: &str) -> String {
    format!(
        r#"{{"credential":{{"access":"{access}","secret":"{SECRET}","securitytoken":"{TOKEN}","expires_at":"2030-01-01T00:00:00.000000Z"}}}}"#
    )
}

#[tokio::test]
async fn the_agency_s_credentials_come_after_a_metadata_token() {
    let server = MockServer::start().await;
    server.push(MockResponse::text(200, "md-token"));
    server.push(MockResponse::json(200, &key_json("TEMPAK1")));
    let agency = EcsAgency::new()
        .unwrap()
        .endpoint(server.endpoint().to_string());
    let got = agency.fetch().await.unwrap();
    assert_temporary(&got, "TEMPAK1", SECRET, TOKEN, 1_893_456_000);
    let sent = server.requests();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("PUT", "/meta-data/latest/api/token")
    );
    assert_eq!(
        sent[0].header("x-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(sent[1].path, "/openstack/latest/securitykey");
    assert_eq!(sent[1].header("x-metadata-token"), Some("md-token"));
    assert!(!format!("{got:?} {agency:?}").contains("CANARY"));
}

#[tokio::test]
async fn bad_answers_are_clear_errors_without_the_secret() {
    for (answer, says) in [
        (
            MockResponse::text(404, "no agency"),
            "is an agency configured",
        ),
        (
            MockResponse::json(200, r#"{"error":"x"}"#),
            "has no credential",
        ),
        (
            MockResponse::json(200, r#"{"credential":{"access":"A","secret":"CANARY-s"}}"#),
            "the answer has no",
        ),
        (
            MockResponse::text(200, "<html>"),
            "not the securitykey JSON",
        ),
    ] {
        let server = MockServer::start().await;
        server.push(MockResponse::text(200, "t"));
        server.push(answer);
        let err = EcsAgency::new()
            .unwrap()
            .endpoint(server.endpoint().to_string())
            .fetch()
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ECS agency credentials") && err.contains(says),
            "{err}"
        );
        assert!(!err.contains("CANARY"), "{err}");
    }
}

#[tokio::test]
async fn a_client_signs_with_the_agency_s_credentials_and_security_token() {
    let server = MockServer::start().await;
    server.push(MockResponse::text(200, "t"));
    server.push(MockResponse::json(200, &key_json("TEMPAK2")));
    let agency = EcsAgency::new()
        .unwrap()
        .endpoint(server.endpoint().to_string());
    let recorder = Recorder::new();
    recorder.push(200, &[], r#"{"backups":[],"total_count":0}"#);
    let client = client_with(&recorder, |b| {
        b.project_id("0123456789abcdef0123456789abcdef")
            .auth(refreshing(agency))
    });
    list_dds(&client).await.unwrap();
    let sent = recorder.requests();
    assert_eq!(sent.len(), 1);
    let auth = sent[0]
        .header("authorization")
        .unwrap_or_default()
        .to_owned();
    assert!(auth.contains("Access=TEMPAK2"), "{auth}");
    assert_eq!(sent[0].header("x-security-token"), Some(TOKEN));
    assert!(!format!("{client:?}").contains("CANARY"));
}
