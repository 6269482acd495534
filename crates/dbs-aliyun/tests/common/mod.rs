//! Shared test fixtures: a client on a fixed clock and counting nonces, answering from a
//! `Recorder` or a local `MockServer`.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cloud_http::testing::{InstantSleep, ManualClock, MockServer, Recorder, SequenceRandom};
use cloud_http::{HttpClient, HttpConfig};
use dbs_aliyun::{
    Client, CreateRestoreTaskRequest, Credentials, Endpoint, RestoreDestination, RestoreObject,
    RestoreSource,
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
