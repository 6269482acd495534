//! A CAM role assumed with keys (STS `AssumeRole`) as a credential source, against a local fake
//! of STS and the offline recorder: the exact signed request, the answer, errors without
//! secrets, validation, refresh, and a client signing with the role's credentials.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cloud_http::FetchCredentials;
use cloud_http::testing::{
    InstantSleep, ManualClock, MockResponse, MockServer, Recorder, assert_temporary, offline_client,
};
use common::*;
use mongodb_tencent::*;

const ROLE: &str = "qcs::cam::uin/100000000001:roleName/backup-reader";
const SOURCE_SECRET: &str = "CANARY-source-secret";
const TMP_SECRET: &str = "CANARY-tmp-secret";
const TMP_TOKEN: &str = "CANARY-tmp-token";

fn source() -> Credentials {
    Credentials::new("AKIDsource", SOURCE_SECRET)
}

fn answer(id: &str, expired_time: &str) -> String {
    format!(
        r#"{{"Response":{{"Credentials":{{"Token":"{TMP_TOKEN}","TmpSecretId":"{id}","TmpSecretKey":"{TMP_SECRET}"}},"ExpiredTime":{expired_time},"Expiration":"2030-01-01T00:00:00Z","RequestId":"r-1"}}}}"#
    )
}

fn role_at(server: &MockServer) -> StsAssumeRole {
    StsAssumeRole::builder(source(), ROLE, "nightly-backup")
        .sts_endpoint(server.endpoint().to_string())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_source_keys_sign_assume_role_and_the_role_s_credentials_come_back() {
    let server = MockServer::start().await;
    server.push(MockResponse::json(200, &answer("AKIDtmp1", "1893456000")));
    let role = role_at(&server);
    let got = role.fetch().await.unwrap();
    assert_temporary(&got, "AKIDtmp1", TMP_SECRET, TMP_TOKEN, 1_893_456_000);

    let sent = &server.requests()[0];
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/"));
    let auth = sent.header("authorization").unwrap_or_default();
    assert!(
        auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDsource/")
            && auth.contains("/sts/tc3_request,"),
        "{auth}"
    );
    assert_eq!(sent.header("x-tc-action"), Some("AssumeRole"));
    assert_eq!(sent.header("x-tc-version"), Some("2018-08-13"));
    assert_eq!(sent.header("x-tc-region"), Some("ap-guangzhou"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("x-tc-token"), None, "long-term source keys");
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "RoleArn": ROLE,
            "RoleSessionName": "nightly-backup",
            "DurationSeconds": 7200,
        })
    );
    let shown = format!("{role:?} {} {got:?}", role.describe());
    assert!(!shown.contains("CANARY"), "{shown}");
    assert!(role.describe().contains(ROLE), "{}", role.describe());
    assert!(role.describe().contains("AKID****"), "{}", role.describe());
}

#[tokio::test]
async fn durations_regions_and_a_temporary_source_are_sent_as_given() {
    let server = MockServer::start().await;
    server.push(MockResponse::json(
        200,
        &answer("AKIDtmp", r#""1893456000""#),
    ));
    let role = StsAssumeRole::builder(
        source().with_session_token("CANARY-source-token"),
        format!(" {ROLE} "),
        "ops@example.com",
    )
    .duration_seconds(900)
    .region("ap-shanghai")
    .sts_endpoint(server.endpoint().to_string())
    .build()
    .unwrap();
    assert_eq!(
        (
            role.role_arn(),
            role.session_name(),
            role.duration_seconds()
        ),
        (ROLE, "ops@example.com", 900)
    );
    // ExpiredTime sent as a string is read all the same.
    let got = role.fetch().await.unwrap();
    assert_temporary(&got, "AKIDtmp", TMP_SECRET, TMP_TOKEN, 1_893_456_000);
    let sent = &server.requests()[0];
    assert_eq!(sent.header("x-tc-region"), Some("ap-shanghai"));
    assert_eq!(sent.header("x-tc-token"), Some("CANARY-source-token"));
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(body["DurationSeconds"], 900);
    assert_eq!(body["RoleSessionName"], "ops@example.com");

    // Without ExpiredTime, Expiration (RFC 3339) tells the expiry.
    let server = MockServer::start().await;
    server.push(MockResponse::json(
        200,
        &answer("AKIDtmp", "null").replace(r#""ExpiredTime":null,"#, ""),
    ));
    let got = role_at(&server).fetch().await.unwrap();
    assert_temporary(&got, "AKIDtmp", TMP_SECRET, TMP_TOKEN, 1_893_456_000);
}

#[tokio::test]
async fn error_answers_name_the_role_and_never_a_secret() {
    for (answer, says) in [
        (
            MockResponse::json(
                200,
                r#"{"Response":{"Error":{"Code":"InvalidParameter.RoleNotExist","Message":"role not exist"},"RequestId":"req-42"}}"#,
            ),
            &["InvalidParameter.RoleNotExist", "role not exist", "req-42"][..],
        ),
        (
            MockResponse::json(
                401,
                r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad CANARY-source-secret"},"RequestId":"req-43"}}"#,
            ),
            &["AuthFailure.SignatureFailure", "req-43"][..],
        ),
        (
            MockResponse::json(
                200,
                r#"{"Response":{"Credentials":{"TmpSecretId":"AKIDx","TmpSecretKey":"CANARY-tmp-secret"},"ExpiredTime":1893456000,"RequestId":"r"}}"#,
            ),
            &["no Token"][..],
        ),
        (
            MockResponse::json(
                200,
                r#"{"Response":{"Credentials":{"TmpSecretId":"AKIDx","TmpSecretKey":"CANARY-tmp-secret","Token":"CANARY-tmp-token"},"ExpiredTime":"soon","RequestId":"r"}}"#,
            ),
            &["ExpiredTime or Expiration"][..],
        ),
        (
            MockResponse::json(200, r#"{"Response":{"RequestId":"r"}}"#),
            &["no Credentials"][..],
        ),
        (
            MockResponse::text(
                200,
                r#"{"Response":{"Credentials":{"TmpSecretKey":"CANARY-tmp-secret""#,
            ),
            &["not JSON"][..],
        ),
    ] {
        let server = MockServer::start().await;
        server.push(answer);
        let err = role_at(&server).fetch().await.unwrap_err();
        assert!(matches!(err, Error::Credentials(_)), "{err:?}");
        let err = err.to_string();
        assert!(err.contains(&format!("STS AssumeRole of {ROLE}")), "{err}");
        for part in says {
            assert!(err.contains(part), "{part:?} in {err}");
        }
        assert!(!err.contains("CANARY"), "{err}");
    }
}

#[test]
fn malformed_settings_are_refused_naming_the_field() {
    let build = |arn: &str, session: &str, duration: u32| {
        StsAssumeRole::builder(source(), arn, session)
            .duration_seconds(duration)
            .build()
    };
    for arn in [
        "qcs::cam::uin/100000000001:role/4611686018427397919",
        "qcs::cam::uin/12345678:role/tencentcloudServiceRole/4611686018427397920",
    ] {
        build(arn, "ab", 43200).unwrap();
    }
    build(ROLE, &"a".repeat(128), 900).unwrap();
    for (arn, session, duration, field) in [
        ("", "cloud-backup", 7200, "RoleArn"),
        ("backup-reader", "cloud-backup", 7200, "RoleArn"),
        (
            "qcs::cam::uin/abc:roleName/x",
            "cloud-backup",
            7200,
            "RoleArn",
        ),
        ("qcs::cam::uin/1:roleName/", "cloud-backup", 7200, "RoleArn"),
        ("acs:ram::1:role/backup", "cloud-backup", 7200, "RoleArn"),
        (ROLE, "a", 7200, "RoleSessionName"),
        (ROLE, "has space", 7200, "RoleSessionName"),
        (ROLE, &"a".repeat(129), 7200, "RoleSessionName"),
        (ROLE, "nightly/backup", 7200, "RoleSessionName"),
        (ROLE, "cloud-backup", 899, "DurationSeconds"),
        (ROLE, "cloud-backup", 43201, "DurationSeconds"),
    ] {
        match build(arn, session, duration) {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field, "{arn} {session}"),
            other => panic!("{arn} {session} {duration}: {other:?}"),
        }
    }
    let err = StsAssumeRole::builder(source(), ROLE, "ab")
        .region("Guangzhou")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("region"), "{err}");
    let err = StsAssumeRole::builder(source(), ROLE, "ab")
        .sts_endpoint("sts.tencentcloudapi.com")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("endpoint"), "{err}");
    assert!(!format!("{err:?}").contains("CANARY"));
}

#[tokio::test]
async fn the_credentials_are_refreshed_before_they_expire() {
    let server = MockServer::start().await;
    let expiry = (T0 + 7200).to_string();
    let later = (T0 + 14400).to_string();
    server.push(MockResponse::json(200, &answer("AKIDfirst", &expiry)));
    server.push(MockResponse::json(200, &answer("AKIDsecond", &later)));
    let clock = ManualClock::new(start());
    let source = RefreshingCredentials::with_clock(role_at(&server), Arc::new(clock.clone()));
    assert_eq!(source.get().await.unwrap().access_key_id(), "AKIDfirst");
    clock.advance(Duration::from_secs(6000));
    assert_eq!(source.get().await.unwrap().access_key_id(), "AKIDfirst");
    assert_eq!(server.requests().len(), 1, "cached");
    // Less than 5 minutes before the expiry: assumed again.
    clock.advance(Duration::from_secs(1000));
    assert_eq!(source.get().await.unwrap().access_key_id(), "AKIDsecond");
    assert_eq!(server.requests().len(), 2);
    assert!(!format!("{source:?}").contains("CANARY"));
}

#[tokio::test]
async fn a_client_signs_with_the_role_s_credentials_and_token() {
    let server = MockServer::start().await;
    server.push(MockResponse::json(200, &answer("AKIDrole", "1893456000")));
    let (client, sent) = describe_signed_by(role_at(&server)).await;
    let auth = sent.header("authorization").unwrap_or_default();
    assert!(
        auth.contains("Credential=AKIDrole/") && auth.contains("/mongodb/tc3_request"),
        "{auth}"
    );
    assert_eq!(sent.header("x-tc-token"), Some(TMP_TOKEN));
    assert!(!format!("{client:?}").contains("CANARY"));
}

/// The exact signed request, with the transport's fixed clock and nonces: pinned down like every
/// operation of the crate (`offline.rs`).
#[tokio::test]
async fn assume_role_request_snapshot() {
    let recorder = Recorder::new();
    recorder.push(200, &[], &answer("AKIDtmp", "1767232800"));
    let role = StsAssumeRole::builder(credentials(), ROLE, "cloud-backup")
        .http_client(offline_client(start(), &recorder))
        .build()
        .unwrap();
    let got = role.fetch().await.unwrap();
    assert_temporary(&got, "AKIDtmp", TMP_SECRET, TMP_TOKEN, T0 + 7200);
    let reqs = recorder.requests();
    assert_eq!(reqs.len(), 1);
    let snapshot = reqs[0].to_snapshot();
    assert!(!snapshot.contains("exampleSecretKey"), "{snapshot}");
    insta::assert_snapshot!("assume_role_request", snapshot);
}

/// A refused call is not resent (`AuthFailure.*`); a transient failure is, then named with the
/// role when it persists.
#[tokio::test]
async fn sts_failures_follow_the_transport_s_retry_rules() {
    let recorder = Recorder::new();
    for _ in 0..3 {
        recorder.push(
            200,
            &[],
            r#"{"Response":{"Error":{"Code":"InternalError","Message":"busy"},"RequestId":"r"}}"#,
        );
    }
    let clock = ManualClock::new(start());
    let http = HttpClient::builder()
        .clock(Arc::new(clock.clone()))
        .sleep(Arc::new(InstantSleep::new(clock)))
        .backend(Arc::new(recorder.clone()))
        .build()
        .unwrap();
    let role = StsAssumeRole::builder(credentials(), ROLE, "cloud-backup")
        .http_client(http)
        .build()
        .unwrap();
    let err = role.fetch().await.unwrap_err().to_string();
    assert!(err.contains("InternalError") && err.contains(ROLE), "{err}");
    assert_eq!(recorder.requests().len(), 3, "an idempotent read: retried");

    let recorder = Recorder::new();
    recorder.push(
        200,
        &[],
        r#"{"Response":{"Error":{"Code":"AuthFailure.SecretIdNotFound","Message":"no such id"},"RequestId":"r"}}"#,
    );
    let role = StsAssumeRole::builder(credentials(), ROLE, "cloud-backup")
        .http_client(offline_client(start(), &recorder))
        .build()
        .unwrap();
    let err = role.fetch().await.unwrap_err().to_string();
    assert!(err.contains("AuthFailure.SecretIdNotFound"), "{err}");
    assert_eq!(recorder.requests().len(), 1, "never resent");
}
