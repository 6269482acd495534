//! A RAM role assumed with keys (STS `AssumeRole`, the `RamRoleArn` profile mode) and
//! credentials from a URL (`ALIBABA_CLOUD_CREDENTIALS_URI`), against recorders and a local fake.

use std::time::{Duration, SystemTime};

use cloud_http::testing::{MockResponse, MockServer, Recorder, assert_temporary, offline_client};
use cloud_http::{FetchCredentials, HttpClient, HttpConfig};
use dbs_aliyun::*;

const KEY_SECRET: &str = "CANARY-source-secret";
const SECRET: &str = "CANARY-role-secret";
const TOKEN: &str = "CANARY-role-token";

fn assumed(id: &str) -> String {
    format!(
        r#"{{"RequestId":"6894B13B","AssumedRoleUser":{{"Arn":"acs:ram::1:role/backup/nightly","AssumedRoleId":"34458433936495:nightly"}},"Credentials":{{"AccessKeyId":"{id}","AccessKeySecret":"{SECRET}","SecurityToken":"{TOKEN}","Expiration":"2030-01-01T00:00:00Z"}}}}"#
    )
}

fn role() -> RamRoleArn {
    RamRoleArn::new(
        Credentials::new("LTAI5tSource", KEY_SECRET),
        "acs:ram::1:role/backup",
    )
    .unwrap()
}

/// 2026-01-01T00:00:00Z.
fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

#[tokio::test]
async fn assume_role_is_an_acs3_signed_call_to_sts() {
    let recorder = Recorder::new();
    recorder.push(200, &[], &assumed("STS.role1"));
    let role = role()
        .session_name("nightly")
        .unwrap()
        .duration_seconds(1800)
        .unwrap()
        .external_id("ext-1")
        .http_client(offline_client(t0(), &recorder));
    let got = role.fetch().await.unwrap();
    assert_temporary(&got, "STS.role1", SECRET, TOKEN, 1_893_456_000);
    let sent = recorder.requests();
    assert_eq!(sent.len(), 1);
    let r = &sent[0];
    assert_eq!(r.header("x-acs-action"), Some("AssumeRole"));
    assert_eq!(r.header("x-acs-version"), Some("2015-04-01"));
    let auth = r.header("authorization").unwrap();
    assert!(
        auth.starts_with("ACS3-HMAC-SHA256 Credential=LTAI5tSource,"),
        "{auth}"
    );
    let snapshot = r.to_snapshot();
    assert!(!snapshot.contains("CANARY"), "{snapshot}");
    insta::assert_snapshot!(snapshot);
    assert!(!format!("{role:?}").contains("CANARY"));
    assert_eq!(
        role.describe(),
        "RAM role acs:ram::1:role/backup (STS AssumeRole with keys from the static)"
    );
}

#[tokio::test]
async fn temporary_source_keys_send_their_token() {
    let recorder = Recorder::new();
    recorder.push(200, &[], &assumed("STS.role2"));
    let source =
        Credentials::new("STS.source", KEY_SECRET).with_session_token("CANARY-source-token");
    let role = RamRoleArn::new(source, "acs:ram::1:role/dr")
        .unwrap()
        .http_client(offline_client(t0(), &recorder));
    role.fetch().await.unwrap();
    let r = &recorder.requests()[0];
    assert_eq!(
        r.header("x-acs-security-token"),
        Some("CANARY-source-token")
    );
    assert!(!r.to_snapshot().contains("CANARY"));
}

#[tokio::test]
async fn refusals_and_bad_answers_name_the_role_and_never_a_secret() {
    for (answer, says, attempts) in [
        (
            MockResponse::json(
                403,
                r#"{"RequestId":"req-403","Code":"NoPermission","Message":"You are not authorized to do this action. CANARY-source-secret"}"#,
            ),
            "NoPermission",
            1,
        ),
        (
            MockResponse::json(200, r#"{"RequestId":"r"}"#),
            "has no Credentials",
            1,
        ),
        (
            MockResponse::json(
                200,
                r#"{"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"CANARY-role-secret","Expiration":"2030-01-01T00:00:00Z"}}"#,
            ),
            "has no SecurityToken",
            1,
        ),
        (
            MockResponse::text(200, "<html>"),
            "not the AssumeRole JSON",
            1,
        ),
    ] {
        let server = MockServer::start().await;
        server.push(answer);
        let http = HttpClient::builder()
            .config(HttpConfig {
                allow_http: true,
                ..HttpConfig::default()
            })
            .build()
            .unwrap();
        let role = role().sts_endpoint(server.endpoint()).http_client(http);
        let e = role.fetch().await.unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, Error::Credentials(_)), "{e:?}");
        assert!(
            text.contains("RAM role acs:ram::1:role/backup") && text.contains(says),
            "{text}"
        );
        assert!(!text.contains("CANARY-role-secret"), "{text}");
        assert_eq!(server.requests().len(), attempts, "{text}");
    }
}

#[test]
fn bad_parameters_are_refused_naming_the_field() {
    let keys = || Credentials::new("LTAI5t", "s");
    for arn in [
        "",
        "backup",
        "acs:ram::1:user/x",
        "acs:ram:::role/x",
        "acs:ram::1:role/",
    ] {
        let e = RamRoleArn::new(keys(), arn).unwrap_err().to_string();
        assert!(
            e.contains("RoleArn") && e.contains("acs:ram::"),
            "{arn}: {e}"
        );
    }
    for name in ["x", "has space", &"n".repeat(65)] {
        let e = role().session_name(name).unwrap_err().to_string();
        assert!(
            e.contains("RoleSessionName") && e.contains("2 to 64"),
            "{e}"
        );
    }
    for seconds in [0, 899, 43201] {
        let e = role().duration_seconds(seconds).unwrap_err().to_string();
        assert!(
            e.contains("DurationSeconds") && e.contains("900 to 43200"),
            "{e}"
        );
    }
}

#[test]
fn a_profile_role_takes_every_setting_of_the_profile() {
    let profile = cloud_sign::AliyunRoleProfile {
        profile: "prod".into(),
        origin: "/home/u/.aliyun/config.json".into(),
        source: Credentials::new("LTAI5t", KEY_SECRET),
        role_arn: "acs:ram::1:role/backup".into(),
        session_name: Some("x".into()),
        duration_seconds: None,
        sts_region: None,
        enable_vpc: false,
        policy: None,
        external_id: None,
    };
    let ctx = cloud_sign::ProviderContext::from_map::<&str, &str>([], None);
    // A bad setting names the file and the profile.
    let e = RamRoleArn::from_profile(&profile, &ctx)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("/home/u/.aliyun/config.json profile 'prod'") && e.contains("RoleSessionName"),
        "{e}"
    );
    let profile = cloud_sign::AliyunRoleProfile {
        session_name: None,
        ..profile
    };
    let role = RamRoleArn::from_profile(&profile, &ctx).unwrap();
    assert_eq!(
        role.describe(),
        "RAM role acs:ram::1:role/backup (STS AssumeRole with the keys of \
         /home/u/.aliyun/config.json profile 'prod')"
    );
}

#[tokio::test]
async fn a_profile_role_asks_the_sts_of_its_region() {
    let recorder = Recorder::new();
    recorder.push(200, &[], &assumed("STS.r"));
    let profile = cloud_sign::AliyunRoleProfile {
        profile: "prod".into(),
        origin: "config.json".into(),
        source: Credentials::new("LTAI5t", KEY_SECRET),
        role_arn: "acs:ram::1:role/backup".into(),
        session_name: None,
        duration_seconds: Some(900),
        sts_region: Some("cn-shanghai".into()),
        enable_vpc: true,
        policy: Some(r#"{"Version":"1"}"#.into()),
        external_id: None,
    };
    let ctx = cloud_sign::ProviderContext::from_map::<&str, &str>([], None);
    let role = RamRoleArn::from_profile(&profile, &ctx)
        .unwrap()
        .http_client(offline_client(t0(), &recorder));
    role.fetch().await.unwrap();
    let r = &recorder.requests()[0];
    assert!(
        r.url
            .starts_with("https://sts-vpc.cn-shanghai.aliyuncs.com/?"),
        "{}",
        r.redacted_url()
    );
    let url = r.redacted_url();
    assert!(url.contains("DurationSeconds=900"), "{url}");
    assert!(
        url.contains("Policy=%7B%22Version%22%3A%221%22%7D"),
        "{url}"
    );
}

#[tokio::test]
async fn a_credentials_uri_answers_temporary_credentials() {
    let server = MockServer::start().await;
    let answer = format!(
        r#"{{"Code":"Success","AccessKeyId":"STS.uri","AccessKeySecret":"{SECRET}","SecurityToken":"{TOKEN}","Expiration":"2030-01-01T00:00:00Z"}}"#
    );
    server.push(MockResponse::json(200, &answer));
    let url = format!(
        "http://{}/v1/credentials?secret=CANARY-query",
        server.endpoint().host_header()
    );
    let ctx =
        cloud_sign::ProviderContext::from_map([(CREDENTIALS_URI_VARIABLE, url.as_str())], None);
    let uri = CredentialsUri::from_env(&ctx).unwrap().unwrap();
    let got = uri.fetch().await.unwrap();
    assert_temporary(&got, "STS.uri", SECRET, TOKEN, 1_893_456_000);
    let sent = server.requests();
    assert_eq!(sent[0].method, "GET");
    assert_eq!(sent[0].path, "/v1/credentials");
    assert_eq!(sent[0].query, "secret=CANARY-query");
    // The query string is never shown.
    assert!(!uri.describe().contains("CANARY"), "{}", uri.describe());
    assert!(!format!("{uri:?}").contains("CANARY"), "{uri:?}");
    // A refusal names the URI, not its query.
    server.push(MockResponse::json(
        200,
        r#"{"Code":"Failed","Message":"no role"}"#,
    ));
    let e = uri.fetch().await.unwrap_err().to_string();
    assert!(e.contains("credentials URI") && e.contains("Failed"), "{e}");
    assert!(!e.contains("CANARY"), "{e}");
    // Not a URL at all: refused naming the variable.
    let ctx =
        cloud_sign::ProviderContext::from_map([(CREDENTIALS_URI_VARIABLE, "file:///etc/x")], None);
    let e = CredentialsUri::from_env(&ctx).unwrap_err().to_string();
    assert!(
        e.contains(CREDENTIALS_URI_VARIABLE) && e.contains("http://"),
        "{e}"
    );
}
