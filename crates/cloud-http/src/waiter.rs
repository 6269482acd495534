//! Waiting for a long-running task: poll with growing delays until it is done, failed, or the
//! caller's patience runs out.

use std::future::Future;
use std::time::Duration;

use crate::{Error, HttpClient};

/// How a waiter polls. Defaults: first delay 2 s, doubling up to 30 s, giving up after 1 h.
#[derive(Debug, Clone)]
pub struct WaiterConfig {
    /// The first delay between polls.
    pub min_delay: Duration,
    /// The largest delay between polls.
    pub max_delay: Duration,
    /// Total time after which the waiter gives up with [`Error::WaitTimeout`].
    pub max_wait: Duration,
}

impl Default for WaiterConfig {
    fn default() -> Self {
        WaiterConfig {
            min_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
            max_wait: Duration::from_secs(3600),
        }
    }
}

/// One poll's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollState<T> {
    /// The task reached its goal.
    Ready(T),
    /// Not yet; the text describes the current state (shown in a timeout error).
    Pending(String),
}

impl HttpClient {
    /// Polls until `poll` returns [`PollState::Ready`] or an error (a failed task is the poll's
    /// own [`Error::TaskFailed`]), sleeping with the injected sleep between polls: the delay
    /// starts at `min_delay` and doubles up to `max_delay`, each multiplied by a jitter in
    /// `[0.5, 1)` and never past the deadline.
    pub async fn wait_until<T, F, Fut>(
        &self,
        what: &str,
        config: &WaiterConfig,
        mut poll: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<PollState<T>, Error>>,
    {
        let start = self.clock().now();
        let mut delay = config.min_delay;
        loop {
            let state = match poll().await? {
                PollState::Ready(v) => return Ok(v),
                PollState::Pending(state) => state,
            };
            let waited = self.clock().now().duration_since(start).unwrap_or_default();
            if waited >= config.max_wait {
                return Err(Error::WaitTimeout {
                    what: what.to_owned(),
                    waited,
                    last_state: state,
                });
            }
            let jittered = delay.mul_f64(0.5 + 0.5 * self.random().unit());
            let sleep_for = jittered
                .min(config.max_wait - waited)
                .max(Duration::from_millis(1));
            tracing::debug!(what, state = %state, delay_ms = sleep_for.as_millis() as u64, "waiting");
            self.sleeper().sleep(sleep_for).await;
            delay = (delay * 2).min(config.max_delay);
        }
    }
}
