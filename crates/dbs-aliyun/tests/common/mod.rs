//! Shared test fixtures: a client on a fixed clock and counting nonces, answering from a
//! `Recorder` or a local `MockServer`.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cloud_http::testing::{InstantSleep, ManualClock, MockServer, Recorder, SequenceRandom};
use cloud_http::{HttpClient, HttpConfig};
use dbs_aliyun::{Client, Credentials};

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

/// A `cn-hangzhou` client whose requests go to `recorder`.
pub fn offline(recorder: &Recorder) -> Fixture {
    let (http, clock, sleep) = http(HttpConfig::default(), Some(recorder));
    let client = Client::builder("cn-hangzhou")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .http_client(http)
        .build()
        .unwrap();
    Fixture {
        client,
        clock,
        sleep,
    }
}

/// A `cn-hangzhou` client whose requests go to `server` over plain HTTP.
pub fn against(server: &MockServer) -> Fixture {
    let (http, clock, sleep) = http(
        HttpConfig {
            allow_http: true,
            ..HttpConfig::default()
        },
        None,
    );
    let client = Client::builder("cn-hangzhou")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.endpoint())
        .http_client(http)
        .build()
        .unwrap();
    Fixture {
        client,
        clock,
        sleep,
    }
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
