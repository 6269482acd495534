//! Standard retry mode: a few attempts, exponential backoff with full jitter, a shared retry
//! budget, and server hints.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Retry settings. Defaults: 3 attempts, base 100 ms, cap 20 s, server hints capped at 60 s.
#[derive(Debug, Clone)]
pub struct RetryConfig {
    /// Attempts in total, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Base of the exponential backoff.
    pub base_delay: Duration,
    /// Largest backoff before jitter.
    pub max_delay: Duration,
    /// Largest server hint (`Retry-After`, `x-acs-retry-after`) that is honoured as is; longer
    /// hints are cut to this.
    pub max_server_delay: Duration,
    /// The budget retries draw on; share one between clients to protect a failing service.
    pub budget: Arc<RetryBudget>,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(20),
            max_server_delay: Duration::from_secs(60),
            budget: Arc::new(RetryBudget::default()),
        }
    }
}

impl RetryConfig {
    /// No retries.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The full-jitter backoff before attempt `next_attempt` (2 for the first retry):
    /// `unit * min(max_delay, base * 2^(next_attempt - 2))`.
    pub fn backoff(&self, next_attempt: u32, unit: f64) -> Duration {
        let exp = next_attempt.saturating_sub(2).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// A token bucket shared by clients: each retry costs tokens (timeouts cost more), each success
/// returns one. When the bucket is empty, failures are returned instead of retried, so a service
/// that is down is not hammered by every caller at once.
#[derive(Debug)]
pub struct RetryBudget {
    tokens: AtomicU32,
    capacity: u32,
}

/// Tokens a retry after an ordinary failure costs.
pub const RETRY_COST: u32 = 5;
/// Tokens a retry after a timeout costs.
pub const TIMEOUT_RETRY_COST: u32 = 10;

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::new(500)
    }
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            tokens: AtomicU32::new(capacity),
            capacity,
        }
    }

    /// Takes `cost` tokens if available.
    pub fn try_acquire(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// Returns a token after a success.
    pub fn record_success(&self) {
        let _ = self
            .tokens
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                (t < self.capacity).then_some(t + 1)
            });
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_up_to_the_cap() {
        let c = RetryConfig {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..RetryConfig::default()
        };
        assert_eq!(c.backoff(2, 1.0), Duration::from_millis(100));
        assert_eq!(c.backoff(3, 1.0), Duration::from_millis(200));
        assert_eq!(c.backoff(4, 1.0), Duration::from_millis(400));
        assert_eq!(c.backoff(10, 1.0), Duration::from_millis(1000));
        assert_eq!(c.backoff(3, 0.5), Duration::from_millis(100));
        assert_eq!(c.backoff(3, 0.0), Duration::ZERO);
    }

    #[test]
    fn budget_runs_out_and_refills() {
        let b = RetryBudget::new(10);
        assert!(b.try_acquire(RETRY_COST));
        assert!(b.try_acquire(RETRY_COST));
        assert!(!b.try_acquire(RETRY_COST));
        b.record_success();
        assert_eq!(b.available(), 1);
        for _ in 0..20 {
            b.record_success();
        }
        assert_eq!(b.available(), 10);
    }
}
