//! The injectable parts of time and chance: clock, sleep and randomness (nonces, idempotency
//! tokens, jitter). Production uses the system; tests use [`crate::testing`] and take no real time.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The source of the current time used for signing and waiting.
pub trait Clock: Debug + Send + Sync {
    /// Now.
    fn now(&self) -> SystemTime;
}

/// How to wait between attempts and polls.
pub trait Sleep: Debug + Send + Sync {
    /// A future completing after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Randomness: nonces, idempotency tokens and jitter.
pub trait Random: Debug + Send + Sync {
    /// 32 lower-case hex characters, unique per call (Aliyun signature nonce, client tokens).
    fn nonce(&self) -> String;
    /// A number uniformly drawn from `[0, 1)` (backoff jitter).
    fn unit(&self) -> f64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Sleeps with `tokio::time::sleep`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Randomness from `fastrand`, seeded from the OS per thread.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRandom;

impl Random for SystemRandom {
    fn nonce(&self) -> String {
        format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
    }
    fn unit(&self) -> f64 {
        fastrand::f64()
    }
}
