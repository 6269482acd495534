//! The restore password is a secret parameter: sent to DBS as given, and shown nowhere else —
//! not in snapshots, `Debug`, the canonical request, error text or TRACE logs.

mod common;

use cloud_http::testing::{MockResponse, MockServer, Recorder, TraceCapture};
use common::{against, fixture, offline, query_param, restore_to_rds};
use dbs_aliyun::*;

/// A password no other text of a request or response contains.
const CANARY: &str = "CANARY-pw-7f3a9";

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(CANARY), "{what} shows the password: {text}");
    assert!(
        !text.to_lowercase().contains(&CANARY.to_lowercase()),
        "{what} shows the password (lower-cased): {text}"
    );
}

fn request() -> CreateRestoreTaskRequest {
    let mut req = restore_to_rds();
    req.account = Some(DatabaseAccount::new("dbs", CANARY));
    req
}

#[tokio::test]
async fn the_restore_password_is_sent_but_never_shown() {
    let capture = TraceCapture::new();
    let _guard = capture.set_default();
    let recorder = Recorder::new();
    // A success; a refusal that echoes the password; an answer that is not JSON and echoes it.
    recorder.push(200, &[], &fixture("create_restore_task.seed.json"));
    recorder.push(
        400,
        &[],
        &format!(
            r#"{{"Code":"InvalidParameter","Message":"The DestinationEndpointPassword {CANARY} is invalid.","RequestId":"R-1"}}"#
        ),
    );
    recorder.push(200, &[], &format!("<html>bad gateway for {CANARY}</html>"));
    let f = offline(&recorder);
    let req = request();
    assert_clean("request Debug", &format!("{req:?} {req:#?}"));

    let created = f.client.create_restore_task(&req).await.unwrap();
    assert_clean("result Debug", &format!("{created:?}"));
    let refused = f.client.create_restore_task(&req).await.unwrap_err();
    let unreadable = f.client.create_restore_task(&req).await.unwrap_err();
    for (what, err) in [("refusal", &refused), ("unreadable", &unreadable)] {
        let shown = format!("{err} {err:?}");
        assert_clean(what, &shown);
        assert!(shown.contains("<redacted>"), "{what}: {shown}");
    }
    assert_eq!(refused.code(), Some("InvalidParameter"));
    assert!(
        refused
            .to_string()
            .contains("The DestinationEndpointPassword <redacted> is invalid."),
        "{refused}"
    );

    let sent = recorder.requests();
    assert_eq!(sent.len(), 3);
    for r in &sent {
        // Sent: the wire URL carries the password (its characters need no encoding).
        assert_eq!(
            query_param(
                r.url.split_once('?').unwrap().1,
                "DestinationEndpointPassword"
            )
            .as_deref(),
            Some(CANARY)
        );
        // Shown nowhere.
        let snapshot = r.to_snapshot();
        assert!(
            snapshot.contains("DestinationEndpointPassword=<redacted>&"),
            "{snapshot}"
        );
        assert_clean("snapshot", &snapshot);
        assert_clean("prepared Debug", &format!("{r:?} {r:#?}"));
        assert_clean("canonical request", r.canonical_request());
        assert!(
            r.canonical_request()
                .contains("DestinationEndpointPassword=<redacted>&"),
            "{}",
            r.canonical_request()
        );
        assert_clean("redacted URL", r.redacted_url());
    }

    let log = capture.text();
    assert!(
        log.contains("signed attempt"),
        "the TRACE events are captured: {log}"
    );
    assert!(log.contains("canonical_request="), "{log}");
    assert_clean("TRACE log", &log);
}

/// Through the real transport (reqwest to a local server), the password reaches the server.
#[tokio::test]
async fn the_restore_password_reaches_the_server() {
    let capture = TraceCapture::new();
    let _guard = capture.set_default();
    let server = MockServer::start().await;
    server.push(MockResponse::json(
        200,
        &fixture("create_restore_task.seed.json"),
    ));
    let f = against(&server);
    f.client.create_restore_task(&request()).await.unwrap();
    let received = server.requests();
    assert_eq!(
        query_param(&received[0].query, "DestinationEndpointPassword").as_deref(),
        Some(CANARY)
    );
    let log = capture.text();
    assert!(log.contains("signed attempt"), "{log}");
    assert_clean("TRACE log", &log);
}
