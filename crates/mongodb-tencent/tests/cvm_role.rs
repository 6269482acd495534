//! The CVM instance's CAM role as a credential source, against a local fake of the metadata
//! service: role lookup, the credentials JSON, signing with the token, clear errors.

mod common;

use cloud_http::FetchCredentials;
use cloud_http::testing::{MockResponse, MockServer, assert_temporary};
use common::describe_signed_by;
use mongodb_tencent::*;

const SECRET: &str = "CANARY-cvm-secret";
const TOKEN: &str = "CANARY-cvm-token";

fn role_json(id: &str) -> String {
    format!(
        r#"{{"TmpSecretId":"{id}","TmpSecretKey":"{SECRET}","ExpiredTime":1893456000,"Expiration":"2030-01-01T00:00:00Z","Token":"{TOKEN}","Code":"Success"}}"#
    )
}

#[tokio::test]
async fn the_role_is_looked_up_then_its_credentials_read() {
    let server = MockServer::start().await;
    server.push(MockResponse::text(200, "backup-reader"));
    server.push(MockResponse::json(200, &role_json("AKIDtmp1")));
    let role = CvmRole::new(None)
        .unwrap()
        .endpoint(server.endpoint().to_string());
    let got = role.fetch().await.unwrap();
    assert_temporary(&got, "AKIDtmp1", SECRET, TOKEN, 1_893_456_000);
    let sent = server.requests();
    assert_eq!(sent[0].path, "/latest/meta-data/cam/security-credentials/");
    assert_eq!(
        sent[1].path,
        "/latest/meta-data/cam/security-credentials/backup-reader"
    );
    assert!(!format!("{got:?} {role:?}").contains("CANARY"));
}

#[tokio::test]
async fn bad_answers_are_clear_errors_without_the_secret() {
    for (answer, says) in [
        (
            MockResponse::json(200, r#"{"Code":"Failed"}"#),
            "answered Code Failed",
        ),
        (
            MockResponse::json(
                200,
                r#"{"Code":"Success","TmpSecretId":"x","TmpSecretKey":"CANARY-k","Token":"t"}"#,
            ),
            "no ExpiredTime",
        ),
        (MockResponse::text(404, "no role"), "HTTP 404"),
        (
            MockResponse::text(200, "<html>"),
            "not the credentials JSON",
        ),
    ] {
        let server = MockServer::start().await;
        server.push(answer);
        let err = CvmRole::new(Some("ops".into()))
            .unwrap()
            .endpoint(server.endpoint().to_string())
            .fetch()
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("CVM role ops") && err.contains(says), "{err}");
        assert!(!err.contains("CANARY"), "{err}");
    }
}

#[tokio::test]
async fn a_client_signs_with_the_role_s_credentials_and_token() {
    let server = MockServer::start().await;
    server.push(MockResponse::json(200, &role_json("AKIDtmp2")));
    let role = CvmRole::new(Some("ops".into()))
        .unwrap()
        .endpoint(server.endpoint().to_string());
    let (client, sent) = describe_signed_by(role).await;
    let auth = sent.header("authorization").unwrap_or_default();
    assert!(auth.contains("Credential=AKIDtmp2/"), "{auth}");
    assert_eq!(sent.header("x-tc-token"), Some(TOKEN));
    assert!(!format!("{client:?}").contains("CANARY"));
}
