//! Progress on stderr, drawn only when stderr is a terminal: a spinner with the task's state
//! while `--wait` polls, a byte bar while `download` runs, and for `export` the two phases one
//! after the other (the server-side task's spinner, then one line per file). Elsewhere (pipes,
//! CI, tests) nothing is drawn, and `-v` logs the same events instead.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use backup_core::export::FileProgress;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

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

/// `export` on screen: first the server-side task (a spinner with its state), then the files,
/// one line each (`[i/n] name`, bytes, rate, time left) that stays when the file is done. The
/// spinner is removed when the downloads start, so no stale line is left behind.
pub struct ExportDisplay {
    multi: MultiProgress,
    state: Mutex<DisplayState>,
}

#[derive(Default)]
struct DisplayState {
    spinner: Option<ProgressBar>,
    /// Whether the task phase ended (the spinner is gone for good).
    downloading: bool,
    /// The bar of the file being downloaded, and its index.
    file: Option<(usize, ProgressBar)>,
}

impl ExportDisplay {
    /// On stderr when it is a terminal, else drawn nowhere.
    pub fn new() -> Self {
        let target = if on_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self::with_target(target)
    }

    /// Drawn on `target`.
    pub fn with_target(target: ProgressDrawTarget) -> Self {
        ExportDisplay {
            multi: MultiProgress::with_draw_target(target),
            state: Mutex::new(DisplayState::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DisplayState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A line that stays above the live lines on a terminal; elsewhere a log line (`-v`), so
    /// that scripts get nothing on stderr but errors.
    pub fn note(&self, line: &str) {
        let line = backup_core::terminal::escape(line);
        if self.multi.is_hidden() {
            tracing::info!("{line}");
        } else {
            let _ = self.multi.println(line);
        }
    }

    /// The task's state (escaped: it comes from the API).
    pub fn task(&self, message: &str) {
        let message = backup_core::terminal::escape(message);
        tracing::debug!(state = %message, "progress");
        let mut state = self.lock();
        if state.downloading {
            return;
        }
        let spinner = state.spinner.get_or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed:>4} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        spinner.set_message(message);
    }

    /// A download event: the first ends the task phase; a new file gets its own line.
    pub fn file(&self, event: FileProgress<'_>) {
        let mut state = self.lock();
        if !state.downloading {
            state.downloading = true;
            if let Some(spinner) = state.spinner.take() {
                spinner.finish_and_clear();
                self.multi.remove(&spinner);
            }
            let _ = self
                .multi
                .println(format!("export ready: {} file(s) to download", event.count));
        }
        if state.file.as_ref().map(|(i, _)| *i) != Some(event.index) {
            if let Some((_, done)) = state.file.take() {
                done.finish();
            }
            let bar = self.multi.add(ProgressBar::new(0));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} {bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_prefix(format!(
                "[{}/{}] {}",
                event.index,
                event.count,
                backup_core::terminal::escape(event.name)
            ));
            state.file = Some((event.index, bar));
        }
        if let Some((_, bar)) = &state.file {
            if let Some(total) = event.progress.total {
                bar.set_length(total);
            }
            bar.set_position(event.progress.bytes_done);
        }
    }

    /// Ends the display: the last file's line stays as it is (complete, or where a failure
    /// stopped it), a spinner still there goes.
    pub fn finish(&self) {
        let mut state = self.lock();
        if let Some(spinner) = state.spinner.take() {
            spinner.finish_and_clear();
        }
        if let Some((_, bar)) = state.file.take() {
            bar.abandon();
        }
    }
}

#[cfg(test)]
mod tests {
    use backup_core::download::Progress as Bytes;
    use indicatif::{InMemoryTerm, TermLike};

    use super::*;

    fn event(name: &str, index: usize, done: u64) -> FileProgress<'_> {
        FileProgress {
            name,
            index,
            count: 2,
            progress: Bytes {
                bytes_done: done,
                total: Some(1000),
                bytes_per_sec: 0.0,
            },
        }
    }

    #[test]
    fn export_shows_the_task_then_one_line_per_file_and_no_stale_spinner() {
        let term = InMemoryTerm::new(10, 100);
        let display =
            ExportDisplay::with_target(ProgressDrawTarget::term_like(Box::new(term.clone())));
        display.task("aliyun: running 40%");
        std::thread::sleep(Duration::from_millis(30));
        assert!(
            term.contents().contains("aliyun: running 40%"),
            "{}",
            term.contents()
        );

        display.file(event("a.tar", 1, 500));
        display.file(event("a.tar", 1, 1000));
        display.file(event("b\x1b[2Jx.tar", 2, 250));
        display.task("aliyun: finished"); // late: ignored
        display.finish();
        std::thread::sleep(Duration::from_millis(30));
        let screen = term.contents();
        assert!(!screen.contains("running"), "a stale spinner: {screen}");
        assert!(!screen.contains("finished"), "{screen}");
        assert!(
            screen.contains("export ready: 2 file(s) to download"),
            "{screen}"
        );
        assert!(screen.contains("[1/2] a.tar"), "{screen}");
        assert!(screen.contains("1000 B/1000 B"), "{screen}");
        // The API-given name is shown escaped, not as a terminal control sequence.
        assert!(screen.contains("[2/2] b\\u{1b}[2Jx.tar"), "{screen}");
        assert!(screen.contains("250 B/1000 B"), "{screen}");
        let lines = screen.lines().filter(|l| l.contains("/2] ")).count();
        assert_eq!(lines, 2, "{screen}");
        let _ = term.width();
    }
}
