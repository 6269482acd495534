//! The transport against a scripted local server: retries, idempotency, hints, timeouts, caps,
//! clock-skew correction and waiters. Injected sleep and randomness: no test waits for backoff.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cloud_http::testing::{InstantSleep, ManualClock, MockResponse, MockServer, SequenceRandom};
use cloud_http::{
    ApiRequest, AttemptContext, Classification, Clock, Error, HttpClient, HttpConfig, Idempotency,
    Operation, PollState, Protocol, RawResponse, RetryBudget, RetryConfig, RetryKind, ServiceError,
    WaiterConfig,
};
use cloud_sign::{Credentials, SignableRequest, SigningOutput, aliyun};

/// An Aliyun-signed protocol whose classification is scripted in the body:
/// `{"Code": "...", "Kind": "never|transient|throttled|skew"}`.
struct TestProtocol(Credentials);

impl Protocol for TestProtocol {
    fn sign(
        &self,
        r: &SignableRequest<'_>,
        a: &AttemptContext<'_>,
    ) -> Result<SigningOutput, Error> {
        let params = aliyun::AcsParams {
            action: a.action,
            version: "2021-01-01",
            time: a.time,
            nonce: a.nonce,
        };
        Ok(aliyun::sign(r, &params, &self.0))
    }

    fn classify(&self, r: &RawResponse) -> Classification {
        if r.status == 200 {
            return Classification::Success;
        }
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
        let retry = match v["Kind"].as_str().unwrap_or("never") {
            "transient" => RetryKind::Transient,
            "throttled" => RetryKind::Throttled,
            "skew" => RetryKind::ClockSkew,
            _ => RetryKind::Never,
        };
        Classification::Failure {
            error: ServiceError {
                code: v["Code"].as_str().unwrap_or("Unknown").to_owned(),
                message: "scripted".into(),
                request_id: self.request_id(r),
                http_status: r.status,
            },
            retry,
            retry_after: r
                .header("x-acs-retry-after")
                .and_then(|v| v.parse().ok())
                .map(Duration::from_millis),
        }
    }

    fn request_id(&self, r: &RawResponse) -> Option<String> {
        r.header("x-request-id").map(str::to_owned)
    }
}

struct Fixture {
    server: MockServer,
    client: HttpClient,
    sleep: InstantSleep,
    clock: ManualClock,
}

const T0: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

async fn fixture(config: HttpConfig) -> Fixture {
    let server = MockServer::start().await;
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(T0));
    let sleep = InstantSleep::new(clock.clone());
    let client = HttpClient::builder()
        .config(HttpConfig {
            allow_http: true,
            ..config
        })
        .clock(Arc::new(clock.clone()))
        .sleep(Arc::new(sleep.clone()))
        .random(Arc::new(SequenceRandom::default()))
        .build()
        .unwrap();
    Fixture {
        server,
        client,
        sleep,
        clock,
    }
}

fn request() -> ApiRequest {
    let mut r = ApiRequest::new("POST", "/");
    r.query.push(("RegionCode".into(), "cn-hangzhou".into()));
    r.query.push(("Name".into(), "a b*".into()));
    r
}

fn op(idempotency: Idempotency) -> Operation {
    Operation::new("test", "DoThing", idempotency)
}

async fn send(f: &Fixture, idempotency: Idempotency) -> Result<RawResponse, Error> {
    f.client
        .send(
            &f.server.endpoint(),
            &op(idempotency),
            &request(),
            &TestProtocol(Credentials::new("AK", "SK")),
        )
        .await
}

fn failure(status: u16, code: &str, kind: &str) -> MockResponse {
    MockResponse::json(status, &format!(r#"{{"Code":"{code}","Kind":"{kind}"}}"#))
        .with_header("x-request-id", "REQ-1")
}

#[tokio::test]
async fn success_sends_the_signed_canonical_query() {
    let f = fixture(HttpConfig::default()).await;
    f.server
        .push(MockResponse::json(200, r#"{"ok":true}"#).with_header("x-request-id", "R9"));
    let resp = send(&f, Idempotency::Idempotent).await.unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.request_id.as_deref(), Some("R9"));
    let reqs = f.server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].query, "Name=a%20b%2A&RegionCode=cn-hangzhou");
    assert_eq!(reqs[0].header("x-acs-action"), Some("DoThing"));
    assert_eq!(reqs[0].header("x-acs-date"), Some("2026-01-01T00:00:00Z"));
    assert!(
        reqs[0]
            .header("authorization")
            .unwrap()
            .starts_with("ACS3-HMAC-SHA256 Credential=AK,")
    );
    assert_eq!(reqs[0].header("accept"), Some("application/json"));
}

#[tokio::test]
async fn throttling_then_success_resigns_with_a_new_nonce_and_date() {
    let f = fixture(HttpConfig::default()).await;
    f.server.push(failure(400, "Throttling.User", "throttled"));
    f.server.push(MockResponse::json(200, "{}"));
    send(&f, Idempotency::Unsafe).await.unwrap();
    let reqs = f.server.requests();
    assert_eq!(
        reqs.len(),
        2,
        "throttled requests are retried, even unsafe ones"
    );
    assert_ne!(
        reqs[0].header("x-acs-signature-nonce"),
        reqs[1].header("x-acs-signature-nonce")
    );
    assert_ne!(
        reqs[0].header("authorization"),
        reqs[1].header("authorization")
    );
    let sleeps = f.sleep.sleeps();
    assert_eq!(sleeps.len(), 1);
    // Full jitter with unit 0.5 of base 100 ms.
    assert_eq!(sleeps[0], Duration::from_millis(50));
}

#[tokio::test]
async fn transient_errors_until_attempts_run_out() {
    let f = fixture(HttpConfig::default()).await;
    for _ in 0..5 {
        f.server
            .push(failure(503, "ServiceUnavailable", "transient"));
    }
    let err = send(&f, Idempotency::Idempotent).await.unwrap_err();
    assert_eq!(f.server.requests().len(), 3);
    match &err {
        Error::Service {
            error, attempts, ..
        } => {
            assert_eq!(error.code, "ServiceUnavailable");
            assert_eq!(error.http_status, 503);
            assert_eq!(*attempts, 3);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.request_id(), Some("REQ-1"));
    assert_eq!(
        f.sleep.sleeps(),
        vec![Duration::from_millis(50), Duration::from_millis(100)],
        "exponential backoff"
    );
}

#[tokio::test]
async fn transient_errors_are_not_retried_for_unsafe_calls_but_are_with_a_token() {
    let f = fixture(HttpConfig::default()).await;
    f.server.push(failure(500, "InternalError", "transient"));
    send(&f, Idempotency::Unsafe).await.unwrap_err();
    assert_eq!(f.server.requests().len(), 1);

    f.server.push(failure(500, "InternalError", "transient"));
    f.server.push(MockResponse::json(200, "{}"));
    send(&f, Idempotency::Token).await.unwrap();
    assert_eq!(f.server.requests().len(), 3);
}

#[tokio::test]
async fn fatal_errors_are_not_retried() {
    let f = fixture(HttpConfig::default()).await;
    f.server
        .push(failure(400, "SignatureDoesNotMatch", "never"));
    let err = send(&f, Idempotency::Idempotent).await.unwrap_err();
    assert_eq!(f.server.requests().len(), 1);
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert!(f.sleep.sleeps().is_empty());
    let text = err.to_string();
    assert!(
        text.contains("SignatureDoesNotMatch") && text.contains("REQ-1"),
        "{text}"
    );
}

#[tokio::test]
async fn server_hints_are_honoured() {
    let f = fixture(HttpConfig::default()).await;
    f.server
        .push(failure(400, "Throttling", "throttled").with_header("x-acs-retry-after", "1500"));
    f.server
        .push(failure(429, "Throttling", "throttled").with_header("retry-after", "2"));
    f.server.push(MockResponse::json(200, "{}"));
    send(&f, Idempotency::Idempotent).await.unwrap();
    assert_eq!(
        f.sleep.sleeps(),
        vec![Duration::from_millis(1500), Duration::from_secs(2)]
    );
}

#[tokio::test]
async fn an_empty_budget_stops_retries() {
    let config = HttpConfig {
        retry: RetryConfig {
            budget: Arc::new(RetryBudget::new(4)),
            ..RetryConfig::default()
        },
        ..HttpConfig::default()
    };
    let f = fixture(config).await;
    f.server
        .push(failure(503, "ServiceUnavailable", "transient"));
    send(&f, Idempotency::Idempotent).await.unwrap_err();
    assert_eq!(f.server.requests().len(), 1);
}

#[tokio::test]
async fn a_reset_after_sending_is_not_resent_for_unsafe_calls() {
    let f = fixture(HttpConfig::default()).await;
    f.server.push(MockResponse::Reset);
    let err = send(&f, Idempotency::Unsafe).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.may_have_reached_server());
    assert_eq!(f.server.requests().len(), 1);

    f.server.push(MockResponse::Reset);
    f.server.push(MockResponse::json(200, "{}"));
    send(&f, Idempotency::Idempotent).await.unwrap();
    assert_eq!(f.server.requests().len(), 3);
}

#[tokio::test]
async fn an_attempt_that_times_out_after_sending_is_not_resent_for_unsafe_calls() {
    let config = HttpConfig {
        attempt_timeout: Duration::from_millis(200),
        ..HttpConfig::default()
    };
    let f = fixture(config).await;
    f.server.push(MockResponse::Delay(
        Duration::from_secs(5),
        Box::new(MockResponse::json(200, "{}")),
    ));
    let err = send(&f, Idempotency::Unsafe).await.unwrap_err();
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
    assert_eq!(f.server.requests().len(), 1);
}

#[tokio::test]
async fn connection_refused_is_a_dispatch_error_and_retried_even_when_unsafe() {
    let f = fixture(HttpConfig::default()).await;
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let endpoint = cloud_http::Endpoint::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let err = f
        .client
        .send(
            &endpoint,
            &op(Idempotency::Unsafe),
            &request(),
            &TestProtocol(Credentials::new("AK", "SK")),
        )
        .await
        .unwrap_err();
    match &err {
        Error::Dispatch {
            attempts,
            host,
            cause,
            ..
        } => {
            assert_eq!(*attempts, 3);
            assert_eq!(host, "127.0.0.1");
            assert_eq!(*cause, cloud_http::NetworkCause::Refused);
        }
        other => panic!("unexpected {other:?}"),
    }
    // The host and the cause, not reqwest's "error sending request".
    assert!(
        err.to_string()
            .ends_with("could not reach 127.0.0.1 after 3 attempt(s): connection refused"),
        "{err}"
    );
    assert!(!err.may_have_reached_server());
    assert!(
        !err.to_string().contains(&port.to_string()),
        "URL stripped: {err}"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_an_excerpt() {
    let config = HttpConfig {
        max_response_bytes: 1024,
        ..HttpConfig::default()
    };
    let f = fixture(config).await;
    let big = format!(
        r#"{{"Url":"https://x/y?Signature=SECRET","pad":"{}"}}"#,
        "a".repeat(4096)
    );
    f.server
        .push(MockResponse::json(200, &big).with_header("x-request-id", "BIG-1"));
    let err = send(&f, Idempotency::Idempotent).await.unwrap_err();
    match &err {
        Error::UnreadableResponse {
            request_id,
            excerpt,
            reason,
            ..
        } => {
            assert_eq!(request_id.as_deref(), Some("BIG-1"));
            assert!(reason.contains("1024"));
            assert!(excerpt.len() < 300);
            assert!(!excerpt.contains("SECRET"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn clock_skew_is_corrected_from_the_date_header_exactly_once() {
    let f = fixture(HttpConfig::default()).await;
    // The server is 20 minutes ahead of us.
    let server_now = SystemTime::UNIX_EPOCH + Duration::from_secs(T0 + 1200);
    let date = httpdate::fmt_http_date(server_now);
    f.server
        .push(failure(401, "SignatureExpire", "skew").with_header("date", &date));
    f.server
        .push(failure(401, "SignatureExpire", "skew").with_header("date", &date));
    let err = send(&f, Idempotency::Unsafe).await.unwrap_err();
    let reqs = f.server.requests();
    assert_eq!(reqs.len(), 2, "re-signed once, then gave up");
    assert_eq!(reqs[0].header("x-acs-date"), Some("2026-01-01T00:00:00Z"));
    assert_eq!(reqs[1].header("x-acs-date"), Some("2026-01-01T00:20:00Z"));
    assert_eq!(err.code(), Some("SignatureExpire"));
    assert_eq!(f.client.clock_offset_ms(), 1_200_000);
    assert!(f.sleep.sleeps().is_empty());

    // The offset sticks for later calls.
    f.server.push(MockResponse::json(200, "{}"));
    send(&f, Idempotency::Unsafe).await.unwrap();
    assert_eq!(
        f.server.requests()[2].header("x-acs-date"),
        Some("2026-01-01T00:20:00Z")
    );
}

#[tokio::test]
async fn plain_http_needs_explicit_permission() {
    let server = MockServer::start().await;
    let client = HttpClient::builder().build().unwrap();
    let err = client
        .send(
            &server.endpoint(),
            &op(Idempotency::Idempotent),
            &request(),
            &TestProtocol(Credentials::new("AK", "SK")),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("invalid input: endpoint:"),
        "{err}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn operation_timeout_bounds_backoff() {
    let config = HttpConfig {
        operation_timeout: Duration::from_secs(1),
        ..HttpConfig::default()
    };
    let f = fixture(config).await;
    f.server
        .push(failure(400, "Throttling", "throttled").with_header("x-acs-retry-after", "5000"));
    send(&f, Idempotency::Idempotent).await.unwrap_err();
    assert_eq!(
        f.server.requests().len(),
        1,
        "a 5 s hint does not fit in 1 s"
    );
}

#[tokio::test]
async fn waiter_polls_with_growing_delays_and_gives_up() {
    let f = fixture(HttpConfig::default()).await;
    let config = WaiterConfig {
        min_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(4),
        max_wait: Duration::from_secs(60),
    };
    let mut polls = 0;
    let v = f
        .client
        .wait_until("task", &config, || {
            polls += 1;
            let p = polls;
            async move {
                Ok(if p < 5 {
                    PollState::Pending(format!("running {p}"))
                } else {
                    PollState::Ready(p)
                })
            }
        })
        .await
        .unwrap();
    assert_eq!(v, 5);
    // Jitter unit 0.5 → factor 0.75.
    assert_eq!(
        f.sleep.sleeps(),
        vec![
            Duration::from_millis(750),
            Duration::from_millis(1500),
            Duration::from_millis(3000),
            Duration::from_millis(3000)
        ]
    );

    let start = f.clock.now();
    let err = f
        .client
        .wait_until::<(), _, _>("slow task", &config, || async {
            Ok(PollState::Pending("queueing".into()))
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitTimeout { .. }), "{err:?}");
    assert!(err.to_string().contains("queueing"));
    let waited = f.clock.now().duration_since(start).unwrap();
    assert_eq!(waited, Duration::from_secs(60));
}

#[tokio::test]
async fn the_recorder_captures_the_exact_signed_request_offline() {
    let recorder = cloud_http::testing::Recorder::new();
    recorder.push(200, &[("x-request-id", "OFF-1")], r#"{"ok":1}"#);
    let client = cloud_http::testing::offline_client(
        SystemTime::UNIX_EPOCH + Duration::from_secs(T0),
        &recorder,
    );
    let resp = client
        .send(
            &cloud_http::Endpoint::https("dbs-api.cn-hangzhou.aliyuncs.com"),
            &op(Idempotency::Idempotent),
            &request(),
            &TestProtocol(Credentials::new("AK", "SK").with_session_token("TOKEN-CANARY")),
        )
        .await
        .unwrap();
    assert_eq!(resp.request_id.as_deref(), Some("OFF-1"));
    let reqs = recorder.requests();
    assert_eq!(reqs.len(), 1);
    let snap = reqs[0].to_snapshot();
    assert!(snap.starts_with(
        "POST https://dbs-api.cn-hangzhou.aliyuncs.com/?Name=a%20b%2A&RegionCode=cn-hangzhou\n"
    ));
    assert!(snap.contains("x-acs-signature-nonce: 00000000000000000000000000000001\n"));
    assert!(snap.contains("Signature=<redacted>"));
    assert!(!snap.contains("TOKEN-CANARY"));
    let sig = reqs[0]
        .header("authorization")
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap();
    assert!(!snap.contains(sig), "signature must not be in the snapshot");
    assert!(!format!("{:?}", reqs[0]).contains("TOKEN-CANARY"));
}

#[tokio::test]
async fn the_recorder_goes_through_the_same_retry_logic() {
    let recorder = cloud_http::testing::Recorder::new();
    recorder.push(400, &[], r#"{"Code":"Throttling","Kind":"throttled"}"#);
    recorder.push(200, &[], "{}");
    let client = cloud_http::testing::offline_client(
        SystemTime::UNIX_EPOCH + Duration::from_secs(T0),
        &recorder,
    );
    client
        .send(
            &cloud_http::Endpoint::https("dbs-api.cn-hangzhou.aliyuncs.com"),
            &op(Idempotency::Unsafe),
            &request(),
            &TestProtocol(Credentials::new("AK", "SK")),
        )
        .await
        .unwrap();
    assert_eq!(recorder.requests().len(), 2);
}

#[tokio::test]
async fn secret_query_values_never_reach_snapshots_or_debug() {
    let recorder = cloud_http::testing::Recorder::new();
    let client = cloud_http::testing::offline_client(
        SystemTime::UNIX_EPOCH + Duration::from_secs(T0),
        &recorder,
    );
    let mut req = request();
    req.put_secret(
        "DestinationEndpointPassword",
        &cloud_sign::SecretString::new("PASS CANARY/1"),
    );
    client
        .send(
            &cloud_http::Endpoint::https("dbs-api.cn-hangzhou.aliyuncs.com"),
            &op(Idempotency::Token),
            &req,
            &TestProtocol(Credentials::new("AK", "SK")),
        )
        .await
        .unwrap();
    let sent = &recorder.requests()[0];
    assert!(
        sent.url
            .contains("DestinationEndpointPassword=PASS%20CANARY%2F1"),
        "sent as is"
    );
    let snap = sent.to_snapshot();
    assert!(
        snap.contains("DestinationEndpointPassword=<redacted>"),
        "{snap}"
    );
    assert!(!snap.contains("CANARY"), "{snap}");
    assert!(!format!("{sent:?}").contains("CANARY"));
    assert!(!sent.canonical_request().contains("CANARY"));
    assert!(!format!("{req:?}").contains("CANARY"));
}
