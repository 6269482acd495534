//! Secrets, tokens and download-link signatures never show in Debug, Display, errors or
//! snapshots.

use cloud_http::testing::Recorder;
use rds_huawei::{BackupDownloadLinks, Client};

use crate::*;

const SECRET: &str = "CANARY-SECRET-123";
const STS_TOKEN: &str = "CANARY-STS-TOKEN-456";
const IAM_TOKEN: &str = "CANARY-IAM-TOKEN-789";
const LINK_SIGNATURE: &str = "CANARY-LINK-SIGNATURE";

fn assert_clean(what: &str, text: &str) {
    for canary in [SECRET, STS_TOKEN, IAM_TOKEN, LINK_SIGNATURE] {
        assert!(!text.contains(canary), "{what} leaks {canary}: {text}");
    }
}

#[tokio::test]
async fn secrets_stay_out_of_debug_errors_and_snapshots() {
    let recorder = Recorder::new();
    recorder.push(
        401,
        &[("X-Request-Id", "r")],
        r#"{"error_msg":"Incorrect IAM authentication information: verify aksk signature fail","error_code":"APIGW.0301","request_id":"r"}"#,
    );
    let client = client_with(&recorder, |b| {
        b.credentials(
            rds_huawei::Credentials::new("HPUACANARY", SECRET)
                .with_session_token(STS_TOKEN)
                .with_project_id(PROJECT),
        )
    });
    assert_clean("client Debug", &format!("{client:?}"));
    let err = list_dds(&client).await.unwrap_err();
    assert_clean("error", &format!("{err} {err:?}"));
    let sent = recorder.requests();
    assert_eq!(sent[0].header("x-security-token"), Some(STS_TOKEN));
    assert_clean("snapshot", &sent[0].to_snapshot());
    assert_clean("prepared Debug", &format!("{:?}", sent[0]));
}

#[test]
fn iam_tokens_stay_out_of_debug() {
    let builder = Client::builder().region("cn-north-4").iam_token(IAM_TOKEN);
    assert_clean("builder Debug", &format!("{builder:?}"));
    let client = builder.project_id(PROJECT).build().unwrap();
    let shown = format!("{client:?}");
    assert_clean("client Debug", &shown);
    assert!(shown.contains("IamToken"), "{shown}");
}

#[test]
fn download_link_queries_stay_out_of_debug() {
    let body = format!(
        r#"{{"files":[{{"name":"f.tar","size":1,"download_link":"https://obs.example.com/bucket/f.tar?AccessKeyId=AKEXAMPLE&Expires=1767226500&Signature={LINK_SIGNATURE}","link_expired_time":"2026-01-01T00:15:00Z"}}],"bucket":"bucket"}}"#
    );
    let links: BackupDownloadLinks = serde_json::from_str(&body).unwrap();
    let shown = format!("{links:?} {links:#?} {:?}", links.files[0]);
    assert_clean("links Debug", &shown);
    assert!(!shown.contains("AccessKeyId"), "{shown}");
    assert!(
        shown.contains("https://obs.example.com/bucket/f.tar?<redacted>"),
        "{shown}"
    );
    // Callers still get the whole link.
    assert!(
        links.files[0]
            .download_link
            .as_str()
            .ends_with(LINK_SIGNATURE)
    );
}

#[tokio::test]
async fn links_in_error_bodies_lose_their_query() {
    let recorder = Recorder::new();
    let body = format!(
        r#"{{"error_code":"DBS.200010","error_msg":"Download refused for https://obs.example.com/f?Signature={LINK_SIGNATURE}"}}"#
    );
    recorder.push(400, &[], &body);
    let err = show_h1(&client(&recorder)).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert_clean("error", &shown);
    assert!(
        shown.contains("https://obs.example.com/f?<redacted>"),
        "{shown}"
    );
}

/// A subscriber that writes every event and span field it sees into one string.
#[derive(Clone, Default)]
struct Capture(std::sync::Arc<std::sync::Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = self.0.lock().unwrap();
        out.push_str("\nspan");
        span.record(&mut Fields(&mut out));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.0.lock().unwrap();
        out.push_str("\nevent");
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn logs_never_carry_link_queries_or_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let recorder = Recorder::new();
    recorder.push(
        429,
        &[],
        r#"{"error_message":"The request is throttled.","error_code":"APIGW.0308","request_id":"t"}"#,
    );
    recorder.push(
        200,
        &[],
        &format!(
            r#"{{"files":[{{"name":"f.tar","size":1,"download_link":"https://obs.example.com/b/f.tar?Signature={LINK_SIGNATURE}","link_expired_time":"2026-01-01T00:15:00Z"}}],"bucket":"b"}}"#
        ),
    );
    let client = client_with(&recorder, |b| {
        b.credentials(
            rds_huawei::Credentials::new("HPUACANARY", SECRET)
                .with_session_token(STS_TOKEN)
                .with_project_id(PROJECT),
        )
    });
    let links = show_h1(&client).await.unwrap();
    assert!(
        links.files[0]
            .download_link
            .as_str()
            .contains(LINK_SIGNATURE)
    );
    let logged = capture.0.lock().unwrap().clone();
    assert!(
        logged.contains("link=https://obs.example.com/b/f.tar?<redacted>"),
        "the link is logged, cut: {logged}"
    );
    assert!(
        logged.contains("APIGW.0308"),
        "the retry is logged: {logged}"
    );
    assert_clean("logs", &logged);
}
