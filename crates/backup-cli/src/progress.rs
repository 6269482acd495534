//! Progress on stderr, drawn only when stderr is a terminal: a spinner with the task's state
//! while `--wait` polls, a byte bar while `download` runs. Elsewhere (pipes, CI, tests) nothing
//! is drawn, and `-v` logs the same events instead.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress display, or nothing when stderr is not a terminal.
#[derive(Debug, Clone)]
pub struct Progress(Option<ProgressBar>);

fn on_terminal() -> bool {
    std::io::stderr().is_terminal()
}

impl Progress {
    /// A spinner followed by a message (a task's state).
    pub fn spinner() -> Self {
        Progress(on_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed:>4} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        }))
    }

    /// A bar of bytes written, with rate and time left.
    pub fn bytes() -> Self {
        Progress(on_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {eta} {wide_msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        }))
    }

    /// Shows `message` (a spinner's text); logged at debug level too.
    pub fn message(&self, message: String) {
        // Task states come from the API: shown with control characters escaped.
        let message = backup_core::terminal::escape(&message);
        tracing::debug!(state = %message, "progress");
        if let Some(bar) = &self.0 {
            bar.set_message(message);
        }
    }

    /// Shows `done` of `total` bytes.
    pub fn position(&self, done: u64, total: Option<u64>) {
        if let Some(bar) = &self.0 {
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_position(done);
        }
    }

    /// Removes the display.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
