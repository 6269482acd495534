//! A RAM role assumed with an OIDC token (ACK RRSA), against a local fake of STS: the unsigned
//! form request, the token re-read at each fetch, the answer, and the variables.

use cloud_http::FetchCredentials;
use cloud_http::testing::{MockResponse, MockServer, assert_temporary};
use cloud_sign::ProviderContext;
use dbs_aliyun::*;

const SECRET: &str = "CANARY-oidc-secret";
const TOKEN: &str = "CANARY-oidc-session";

fn assumed(id: &str) -> String {
    format!(
        r#"{{"RequestId":"r","AssumedRoleUser":{{"Arn":"acs:ram::1:role/r/s"}},"Credentials":{{"AccessKeyId":"{id}","AccessKeySecret":"{SECRET}","SecurityToken":"{TOKEN}","Expiration":"2030-01-01T00:00:00Z"}}}}"#
    )
}

#[tokio::test]
async fn the_token_is_exchanged_with_an_unsigned_form_and_read_again_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "CANARY-jwt-1\n").unwrap();
    let server = MockServer::start().await;
    server.push(MockResponse::json(200, &assumed("STS.oidc1")));
    server.push(MockResponse::json(200, &assumed("STS.oidc2")));
    let role = OidcRole::new(
        "acs:ram::1:role/backup",
        "acs:ram::1:oidc-provider/ack",
        &file,
    )
    .unwrap()
    .sts_endpoint(server.endpoint().to_string());
    let got = role.fetch().await.unwrap();
    assert_temporary(&got, "STS.oidc1", SECRET, TOKEN, 1_893_456_000);
    // The platform rotated the token: the next fetch sends the new one.
    std::fs::write(&file, "CANARY-jwt-2").unwrap();
    role.fetch().await.unwrap();
    let sent = server.requests();
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].path, "/");
    assert!(
        sent[0]
            .query
            .starts_with("Version=2015-04-01&Action=AssumeRoleWithOIDC&Format=JSON&Timestamp="),
        "{}",
        sent[0].query
    );
    assert!(sent[0].header("authorization").is_none(), "unsigned");
    let body = |i: usize| String::from_utf8(sent[i].body.clone()).unwrap();
    assert!(
        body(0).contains("RoleArn=acs%3Aram%3A%3A1%3Arole%2Fbackup"),
        "{}",
        body(0)
    );
    assert!(body(0).contains("OIDCProviderArn=acs%3Aram%3A%3A1%3Aoidc-provider%2Fack"));
    assert!(body(0).contains("OIDCToken=CANARY-jwt-1&"), "{}", body(0));
    assert!(body(0).contains("DurationSeconds=3600"));
    assert!(body(1).contains("OIDCToken=CANARY-jwt-2&"), "{}", body(1));
    assert!(!format!("{role:?}").contains("CANARY"));
}

#[tokio::test]
async fn failures_name_the_role_and_never_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "CANARY-jwt").unwrap();
    for (answer, says) in [
        (
            MockResponse::json(
                400,
                r#"{"Code":"AuthenticationFail.OIDCToken.Invalid","Message":"CANARY-jwt is bad"}"#,
            ),
            "HTTP 400",
        ),
        (
            MockResponse::json(200, r#"{"RequestId":"r"}"#),
            "has no Credentials",
        ),
        (
            MockResponse::text(200, "<html>"),
            "not the AssumeRoleWithOIDC JSON",
        ),
    ] {
        let server = MockServer::start().await;
        server.push(answer);
        let err = OidcRole::new("acs:ram::1:role/backup", "p", &file)
            .unwrap()
            .sts_endpoint(server.endpoint().to_string())
            .fetch()
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("OIDC role acs:ram::1:role/backup") && err.contains(says),
            "{err}"
        );
        assert!(!err.contains("CANARY"), "{err}");
    }
    let err = OidcRole::new("r", "p", dir.path().join("missing"))
        .unwrap()
        .fetch()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("token file"), "{err}");
}

#[test]
fn the_variables_select_it_and_a_partial_setup_is_an_error() {
    let none = ProviderContext::from_map::<&str, &str>([], None);
    assert!(OidcRole::from_env(&none).unwrap().is_none());
    let partial = ProviderContext::from_map(
        [
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/backup"),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/token"),
        ],
        None,
    );
    let err = OidcRole::from_env(&partial).unwrap_err().to_string();
    assert!(err.contains("ALIBABA_CLOUD_OIDC_PROVIDER_ARN"), "{err}");
    let full = ProviderContext::from_map(
        [
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/backup"),
            (
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::1:oidc-provider/ack",
            ),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/token"),
            ("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou"),
            ("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true"),
        ],
        None,
    );
    let role = OidcRole::from_env(&full).unwrap().unwrap();
    assert!(format!("{role:?}").contains("https://sts-vpc.cn-hangzhou.aliyuncs.com"));
}
