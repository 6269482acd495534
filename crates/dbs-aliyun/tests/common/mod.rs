//! Shared test fixtures: a client on a fixed clock and counting nonces, answering from a
//! `Recorder` or a local `MockServer`; the request a call sends, the answer it parses.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cloud_http::testing::{InstantSleep, ManualClock, MockServer, Recorder, SequenceRandom};
use cloud_http::{HttpClient, HttpConfig};
use dbs_aliyun::{
    Client, CreateRestoreTaskRequest, Credentials, Endpoint, Error, RestoreDestination,
    RestoreObject, RestoreSource,
};

/// 2026-01-01T00:00:00Z.
pub const T0: u64 = 1_767_225_600;

/// The test access key; its secret never appears in a snapshot.
pub const KEY_ID: &str = "LTAI5tTestKeyId";
pub const SECRET: &str = "test-secret-never-printed";

pub struct Fixture {
    pub client: Client,
    pub clock: ManualClock,
    pub sleep: InstantSleep,
}

fn http(
    config: HttpConfig,
    recorder: Option<&Recorder>,
) -> (HttpClient, ManualClock, InstantSleep) {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(T0));
    let sleep = InstantSleep::new(clock.clone());
    let mut builder = HttpClient::builder()
        .config(config)
        .clock(Arc::new(clock.clone()))
        .sleep(Arc::new(sleep.clone()))
        .random(Arc::new(SequenceRandom::default()));
    if let Some(r) = recorder {
        builder = builder.backend(Arc::new(r.clone()));
    }
    (builder.build().unwrap(), clock, sleep)
}

fn client(http: HttpClient, endpoint: Option<Endpoint>) -> Client {
    client_in("cn-hangzhou", http, endpoint)
}

fn client_in(region: &str, http: HttpClient, endpoint: Option<Endpoint>) -> Client {
    let mut builder = Client::builder()
        .region(region)
        .credentials(Credentials::new(KEY_ID, SECRET))
        .http_client(http);
    if let Some(e) = endpoint {
        builder = builder.endpoint(e);
    }
    builder.build().unwrap()
}

/// A `cn-hangzhou` client whose requests go to `recorder`.
pub fn offline(recorder: &Recorder) -> Fixture {
    let (http, clock, sleep) = http(HttpConfig::default(), Some(recorder));
    let client = client(http, None);
    Fixture {
        client,
        clock,
        sleep,
    }
}

/// A client in `region` whose requests go to `recorder`.
pub fn offline_in(region: &str, recorder: &Recorder) -> Fixture {
    let (http, clock, sleep) = http(HttpConfig::default(), Some(recorder));
    let client = client_in(region, http, None);
    Fixture {
        client,
        clock,
        sleep,
    }
}

/// A `cn-hangzhou` client whose requests go to `server` over plain HTTP.
pub fn against(server: &MockServer) -> Fixture {
    let config = HttpConfig {
        allow_http: true,
        ..HttpConfig::default()
    };
    let (http, clock, sleep) = http(config, None);
    let client = client(http, Some(server.endpoint()));
    Fixture {
        client,
        clock,
        sleep,
    }
}

/// A restore of one database from a backup set to an RDS instance.
pub fn restore_to_rds() -> CreateRestoreTaskRequest {
    let mut r = CreateRestoreTaskRequest::new(
        "dbs1hvb0w1234",
        "restore-orders",
        RestoreSource::BackupSet("1ibh2f5u123".into()),
        RestoreDestination::Rds {
            region: "cn-hangzhou".into(),
            instance_id: "rm-bp1restore01".into(),
        },
    );
    r.restore_objects = vec![RestoreObject::renamed("orders", "orders_restored")];
    r
}

/// A fixture file's text.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The value of query parameter `name` in a raw (encoded) query string.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

/// The value of query parameter `name` in a recorded request's URL.
pub fn url_param(url: &str, name: &str) -> Option<String> {
    query_param(url.split_once('?')?.1, name)
}

/// Runs `call` against a recorder answering `response`, returns the one request it sent.
pub async fn sent<F, Fut, T>(response: &str, call: F) -> String
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    T: std::fmt::Debug,
{
    let recorder = Recorder::new();
    recorder.push(200, &[], response);
    let f = offline(&recorder);
    call(f.client).await.expect("the call succeeds");
    let requests = recorder.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert!(r.body.is_empty(), "every parameter is in the query");
    let snapshot = r.to_snapshot();
    assert!(!snapshot.contains(SECRET));
    snapshot
}

/// A client whose next answer is `body`, with a request id header (which the body wins over).
pub fn answering(body: &str) -> (Client, Recorder) {
    let recorder = Recorder::new();
    recorder.push(200, &[("x-acs-request-id", "HEADER-ID")], body);
    (offline(&recorder).client, recorder)
}

/// What `call` returns when the service answers with the fixture `name` ([`answering`]).
pub async fn answered<F, Fut, T>(name: &str, call: F) -> T
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    T: std::fmt::Debug,
{
    let (client, _) = answering(&fixture(name));
    call(client).await.expect("the call succeeds")
}

/// A type read from the service's JSON parses back from its own serialization.
pub fn assert_round_trips<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let again: T = serde_json::from_value(serde_json::to_value(value).unwrap()).unwrap();
    assert_eq!(&again, value);
}

/// `value` as pretty JSON with every link's query string cut, for snapshots.
pub fn redacted_json<T: serde::Serialize>(value: &T) -> String {
    cloud_http::redact_urls(&serde_json::to_string_pretty(value).unwrap())
}

/// `value`'s `Debug`, plain and pretty, shows no link's signature or access key id.
pub fn assert_debug_hides_links<T: std::fmt::Debug>(value: &T) {
    let debug = format!("{value:?} {value:#?}");
    assert!(
        !debug.contains("Signature") && !debug.contains("OSSAccessKeyId"),
        "{debug}"
    );
}
