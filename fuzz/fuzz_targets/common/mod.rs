//! Shared by the `*_responses` targets: the first input byte picks the operation (low nibble) and
//! the HTTP status (high nibble), the rest (UTF-8 lossy) is the body of every answer the
//! operation gets. Each operation must return `Ok` or an `Err`, never panic; an `Err` must format
//! (`Display`, `Debug`) to a bounded, secret-free text, and an `Ok` must format and serialize.

#![allow(dead_code)]

use std::fmt::Debug;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use cloud_http::testing::{InstantSleep, ManualClock, Recorder, SequenceRandom};
use cloud_http::{Error, HttpClient, WaiterConfig};

/// 2026-01-01T00:00:00Z, the clock of every offline client.
pub const T0: u64 = 1_767_225_600;

/// The fake secret every client signs with: it must never show in any text.
pub const SECRET: &str = "fuzz-secret-never-printed";

/// Status by the input's high nibble: successes weighted, then every error class.
pub const STATUSES: [u16; 16] = [
    200, 200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504,
];

/// How many times the answer is queued: enough for every retry (3 attempts) plus the one
/// clock-skew re-sign. Further calls (paging, waiters) get the recorder's `200 {}`.
pub const REPEAT: usize = 4;

/// Body-derived text an error may carry: `cloud_http::excerpt` cuts bodies at
/// `EXCERPT_BYTES` (200) bytes; vendor code, message and request id are allowed this much.
pub const MAX_BODY_TEXT: usize = 4096;
/// What the message frame adds (operation, status, attempts, `Debug` field names).
pub const FRAME: usize = 1024;

/// A decoded input.
pub struct Input {
    pub op: usize,
    pub status: u16,
    pub body: String,
}

/// Splits `data` into operation (of `ops`), status and body; `None` for an empty input.
pub fn split(data: &[u8], ops: usize) -> Option<Input> {
    let (&first, body) = data.split_first()?;
    Some(Input {
        op: usize::from(first & 0x0f) % ops,
        status: STATUSES[usize::from(first >> 4)],
        body: String::from_utf8_lossy(body).into_owned(),
    })
}

/// One current-thread runtime for the whole run.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("runtime")
        })
        .block_on(future)
}

/// A fresh recorder answering `status` / `body` [`REPEAT`] times, and an offline client on it,
/// wired as `cloud_http::testing::offline_client` wires it (fixed clock, instant sleep, counting
/// nonces, the recorder as backend) except that the `reqwest` client, never used offline and
/// costly to build (root certificates), is built once. Fresh per input, so no retry budget,
/// clock offset or request log carries over from one input to the next.
pub fn offline(status: u16, body: &str) -> (Recorder, HttpClient) {
    static REQWEST: OnceLock<reqwest::Client> = OnceLock::new();
    let recorder = Recorder::new();
    for _ in 0..REPEAT {
        recorder.push(status, &[], body);
    }
    let reqwest = REQWEST
        .get_or_init(|| {
            cloud_http::default_reqwest_client(Duration::from_secs(5)).expect("reqwest client")
        })
        .clone();
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(T0));
    let http = HttpClient::builder()
        .reqwest_client(reqwest)
        .clock(Arc::new(clock.clone()))
        .sleep(Arc::new(InstantSleep::new(clock)))
        .random(Arc::new(SequenceRandom::default()))
        .backend(Arc::new(recorder.clone()))
        .build()
        .expect("offline client");
    (recorder, http)
}

/// A waiter that gives up after one simulated minute.
pub fn waiter() -> WaiterConfig {
    WaiterConfig {
        min_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(30),
        max_wait: Duration::from_secs(60),
    }
}

/// Checks one operation's outcome.
pub fn check<T: Debug + serde::Serialize>(body: &str, secrets: &[&str], result: Result<T, Error>) {
    // A body that spells a secret may get it echoed back; only check the others.
    let secrets: Vec<&str> = secrets
        .iter()
        .copied()
        .filter(|s| !body.contains(s))
        .collect();
    match result {
        Ok(value) => {
            let debug = format!("{value:?}");
            let json = serde_json::to_string(&value).expect("an answer serializes");
            for s in &secrets {
                assert!(!debug.contains(s), "a secret in Debug: {debug}");
                assert!(!json.contains(s), "a secret in JSON: {json}");
            }
        }
        Err(e) => {
            let display = e.to_string();
            let debug = format!("{e:?}");
            let _ = e.may_have_reached_server();
            let _ = (e.code(), e.request_id());
            for (what, text) in [("Display", &display), ("Debug", &debug)] {
                let chars = text.chars().count();
                assert!(
                    chars <= MAX_BODY_TEXT + FRAME,
                    "{what} of the error is {chars} chars (> {} + {}) for a {}-byte body: {:.300}…",
                    MAX_BODY_TEXT,
                    FRAME,
                    body.len(),
                    text
                );
                for s in &secrets {
                    assert!(!text.contains(s), "a secret in {what}: {text}");
                }
            }
        }
    }
}

/// The body of every `*_responses` target: split the input, answer every call with its body,
/// build the client with `$client`, and run `$calls` (a `match` on the operation `$op` whose
/// arms pass each call's result to `ck!`).
#[macro_export]
macro_rules! responses_target {
    ($ops:expr, $client:expr, |$c:ident, $op:ident| $calls:expr) => {
        libfuzzer_sys::fuzz_target!(|data: &[u8]| {
            let Some(input) = common::split(data, $ops) else {
                return;
            };
            let (_recorder, http) = common::offline(input.status, &input.body);
            let $c = $client(http);
            let $op = input.op;
            let body = input.body.as_str();
            let secrets = [common::SECRET];
            // One call's outcome checked against the input body and the secrets.
            #[allow(unused_macros)]
            macro_rules! ck {
                ($result:expr) => {
                    common::check(body, &secrets, $result)
                };
            }
            common::block_on(async { $calls });
        });
    };
}
