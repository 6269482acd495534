//! A client-side rate limiter: a token bucket holding one token, refilled every `1 / rate`
//! seconds, so calls are spaced at least that far apart and no one-second window sees more than
//! `rate` of them. It reads time and sleeps through the transport's injected clock and sleep.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use cloud_http::HttpClient;

#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: u32,
    interval: Duration,
    /// When the bucket next holds a token (`None`: it is full now).
    next_token: Mutex<Option<SystemTime>>,
}

impl RateLimiter {
    /// At most `per_second` calls per second (`per_second` ≥ 1).
    pub(crate) fn new(per_second: u32) -> Self {
        RateLimiter {
            per_second,
            interval: Duration::from_secs(1) / per_second.max(1),
            next_token: Mutex::new(None),
        }
    }

    pub(crate) fn per_second(&self) -> u32 {
        self.per_second
    }

    /// Takes the next token, reserving it under the lock so concurrent callers queue up, then
    /// sleeps until it is due.
    pub(crate) async fn acquire(&self, http: &HttpClient) {
        let now = http.clock().now();
        let wait = {
            let mut next = self.next_token.lock().unwrap_or_else(|e| e.into_inner());
            let slot = next.filter(|t| *t > now).unwrap_or(now);
            *next = Some(slot + self.interval);
            slot.duration_since(now).unwrap_or_default()
        };
        if !wait.is_zero() {
            http.sleeper().sleep(wait).await;
        }
    }
}
