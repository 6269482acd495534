//! A CAM role assumed with a TKE pod's web identity token, against a local fake of STS: the
//! unsigned JSON request, the answer, the variables.

use cloud_http::FetchCredentials;
use cloud_http::testing::{MockResponse, MockServer, assert_temporary};
use cloud_sign::ProviderContext;
use mongodb_tencent::*;

fn env(file: &str) -> ProviderContext {
    ProviderContext::from_map(
        [
            ("TKE_REGION", "ap-guangzhou"),
            ("TKE_PROVIDER_ID", "provider-1"),
            ("TKE_IDENTITY_TOKEN_FILE", file),
            ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/backup"),
        ],
        None,
    )
}

#[tokio::test]
async fn the_token_is_exchanged_unsigned_for_the_role_s_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "CANARY-sa-jwt\n").unwrap();
    let server = MockServer::start().await;
    server.push(MockResponse::json(
        200,
        r#"{"Response":{"Credentials":{"Token":"CANARY-tke-token","TmpSecretId":"AKIDtke","TmpSecretKey":"CANARY-tke-secret"},"ExpiredTime":1893456000,"Expiration":"2030-01-01T00:00:00Z","RequestId":"r"}}"#,
    ));
    let role = TkeOidcRole::from_env(&env(file.to_str().unwrap()))
        .unwrap()
        .unwrap()
        .sts_endpoint(server.endpoint().to_string());
    let got = role.fetch().await.unwrap();
    assert_temporary(
        &got,
        "AKIDtke",
        "CANARY-tke-secret",
        "CANARY-tke-token",
        1_893_456_000,
    );
    let sent = &server.requests()[0];
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/"));
    assert_eq!(sent.header("authorization"), Some("SKIP"));
    assert_eq!(
        sent.header("x-tc-action"),
        Some("AssumeRoleWithWebIdentity")
    );
    assert_eq!(sent.header("x-tc-version"), Some("2018-08-13"));
    assert_eq!(sent.header("x-tc-region"), Some("ap-guangzhou"));
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(body["WebIdentityToken"], "CANARY-sa-jwt");
    assert_eq!(body["ProviderId"], "provider-1");
    assert_eq!(body["RoleArn"], "qcs::cam::uin/1:roleName/backup");
    assert!(!format!("{role:?}").contains("CANARY"));
}

#[tokio::test]
async fn sts_errors_and_partial_setups_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "CANARY-sa-jwt").unwrap();
    let server = MockServer::start().await;
    server.push(MockResponse::json(
        200,
        r#"{"Response":{"Error":{"Code":"InvalidParameter.WebIdentityTokenError","Message":"CANARY-sa-jwt is bad"},"RequestId":"r"}}"#,
    ));
    let err = TkeOidcRole::from_env(&env(file.to_str().unwrap()))
        .unwrap()
        .unwrap()
        .sts_endpoint(server.endpoint().to_string())
        .fetch()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("TKE OIDC role qcs::cam::uin/1:roleName/backup")
            && err.contains("InvalidParameter.WebIdentityTokenError"),
        "{err}"
    );
    assert!(!err.contains("CANARY"), "{err}");

    let none = ProviderContext::from_map::<&str, &str>([], None);
    assert!(TkeOidcRole::from_env(&none).unwrap().is_none());
    let partial = ProviderContext::from_map([("TKE_ROLE_ARN", "r"), ("TKE_REGION", "x")], None);
    let err = TkeOidcRole::from_env(&partial).unwrap_err().to_string();
    assert!(
        err.contains("TKE_PROVIDER_ID and TKE_IDENTITY_TOKEN_FILE"),
        "{err}"
    );
}
