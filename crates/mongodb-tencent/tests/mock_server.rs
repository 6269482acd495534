//! Against a scripted local HTTP server: clock-skew recovery from the server's `Date` header, and
//! a create that timed out (or lost its connection) after sending is not resent.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cloud_http::testing::{InstantSleep, ManualClock, MockResponse, MockServer, SequenceRandom};
use common::*;
use mongodb_tencent::{
    Client, CreateBackupDownloadTaskResponse, Error, HttpClient, HttpConfig, TaskStatus, codes,
};

struct Fixture {
    server: MockServer,
    client: Client,
    sleep: InstantSleep,
}

async fn fixture(config: HttpConfig) -> Fixture {
    let server = MockServer::start().await;
    let clock = ManualClock::new(start());
    let sleep = InstantSleep::new(clock.clone());
    let http = HttpClient::builder()
        .config(HttpConfig {
            allow_http: true,
            ..config
        })
        .clock(Arc::new(clock))
        .sleep(Arc::new(sleep.clone()))
        .random(Arc::new(SequenceRandom::default()))
        .build()
        .unwrap();
    let client = Client::builder()
        .region("ap-guangzhou")
        .credentials(credentials())
        .endpoint(server.endpoint())
        .http_client(http)
        .build()
        .unwrap();
    Fixture {
        server,
        client,
        sleep,
    }
}

impl Fixture {
    /// Sends the seed's `CreateBackupDownloadTask`.
    async fn create(&self) -> Result<CreateBackupDownloadTaskResponse, Error> {
        self.client
            .create_backup_download_task(&seed_request())
            .await
    }
}

/// A `SignatureExpire` answer from a server whose clock is 20 minutes ahead of ours.
fn signature_expired() -> MockResponse {
    let server_now = SystemTime::UNIX_EPOCH + Duration::from_secs(T0 + 1200);
    MockResponse::json(
        200,
        &error_body(
            codes::SIGNATURE_EXPIRE,
            "Signature expired, timestamp is 1767225600, server current time is 1767226800.",
            "skew-1",
        ),
    )
    .with_header("date", &httpdate::fmt_http_date(server_now))
}

#[tokio::test]
async fn signature_expired_with_a_skewed_clock_recovers_exactly_once() {
    let f = fixture(HttpConfig::default()).await;
    f.server.push(signature_expired());
    f.server.push(MockResponse::json(200, SEED_RESPONSE));
    let resp = f.create().await.unwrap();
    assert_eq!(resp.tasks[0].status, TaskStatus::Finished);

    let reqs = f.server.requests();
    assert_eq!(reqs.len(), 2, "re-signed once with the server's time");
    assert_eq!(reqs[0].header("x-tc-timestamp"), Some("1767225600"));
    assert_eq!(reqs[1].header("x-tc-timestamp"), Some("1767226800"));
    assert_ne!(
        reqs[0].header("authorization"),
        reqs[1].header("authorization")
    );
    assert_eq!(reqs[0].body, reqs[1].body);
    for r in &reqs {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/");
        assert_eq!(r.header("x-tc-action"), Some("CreateBackupDownloadTask"));
        assert_eq!(r.header("x-tc-version"), Some("2019-07-25"));
        assert_eq!(r.header("x-tc-region"), Some("ap-guangzhou"));
        assert_eq!(r.header("x-tc-language"), Some("en-US"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(
            r.header("authorization")
                .unwrap()
                .starts_with("TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2026-01-01/mongodb/tc3_request, SignedHeaders=content-type;host, Signature=")
        );
    }
    assert!(
        f.sleep.sleeps().is_empty(),
        "no backoff for a clock correction"
    );
    assert_eq!(f.client.http_client().clock_offset_ms(), 1_200_000);

    // The correction sticks for later calls.
    f.server.push(MockResponse::json(200, SEED_RESPONSE));
    f.create().await.unwrap();
    assert_eq!(
        f.server.requests()[2].header("x-tc-timestamp"),
        Some("1767226800")
    );
}

#[tokio::test]
async fn signature_expired_twice_is_not_corrected_again() {
    let f = fixture(HttpConfig::default()).await;
    f.server.push(signature_expired());
    f.server.push(signature_expired());
    f.server.push(MockResponse::json(200, SEED_RESPONSE));
    let err = f.create().await.unwrap_err();
    assert_eq!(err.code(), Some(codes::SIGNATURE_EXPIRE));
    assert_eq!(err.request_id(), Some("skew-1"));
    assert_eq!(
        f.server.requests().len(),
        2,
        "exactly one re-signed attempt"
    );
}

#[tokio::test]
async fn a_create_that_timed_out_after_sending_is_not_resent() {
    let f = fixture(HttpConfig {
        attempt_timeout: Duration::from_millis(200),
        ..HttpConfig::default()
    })
    .await;
    f.server.push(MockResponse::Delay(
        Duration::from_secs(5),
        Box::new(MockResponse::json(200, SEED_RESPONSE)),
    ));
    let err = f.create().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: "attempt",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.may_have_reached_server());
    assert_eq!(f.server.requests().len(), 1, "never resent");

    // The documented check: did the task get created?
    f.server.push(MockResponse::json(
        200,
        &tasks_body(&[("cmgo-dygv1rnp_0", 1, 30, "")]),
    ));
    let existing = f
        .client
        .find_backup_download_tasks(&seed_request())
        .await
        .unwrap();
    assert_eq!(existing.len(), 1);
    assert_eq!(existing[0].status, TaskStatus::Downloading);
    let reqs = f.server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].header("x-tc-action"),
        Some("DescribeBackupDownloadTask")
    );
}

#[tokio::test]
async fn a_create_whose_connection_dropped_after_sending_is_not_resent() {
    let f = fixture(HttpConfig::default()).await;
    f.server.push(MockResponse::Reset);
    f.server.push(MockResponse::json(200, SEED_RESPONSE));
    let err = f.create().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.may_have_reached_server());
    assert_eq!(f.server.requests().len(), 1);
}
