//! The ranged download: connections on spans of the object (see `crate::schedule`), a controller
//! that grows their number while it pays, and a hasher that follows the bytes in order: inline
//! while the data it needs streams in at its position, else reading back what other
//! connections already wrote, while the download goes on (no second pass over the file at the
//! end).

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{
    DownloadError, DownloadOptions, Downloader, Link, Meta, Pace, Parallelism, Progress, Saver,
    Shared, Validators, WRITE_DEPTH, backoff, buffer_size, content_range, futures_join_all, header,
    io_err, next_chunk,
};
use crate::checksum::Checksums;
use crate::local;
use crate::part_file::PartFile;
use crate::schedule::{Claim, Growth, Plan, Step};

/// Least bytes the hasher reads back at once while connections still write (fewer at the end).
const CATCH_UP_MIN: u64 = 1 << 20;
/// Most bytes the hasher reads back at once.
const CATCH_UP_MAX: usize = 4 << 20;

/// What the connections, the controller and the hasher share.
pub(super) struct Control {
    /// Connections allowed to run: slots at or above it retire.
    target: AtomicUsize,
    /// A connection failed: everyone stops.
    abort: AtomicBool,
    /// Every connection has exited.
    finished: AtomicBool,
    live: AtomicUsize,
    wake: tokio::sync::Notify,
    epoch: std::sync::atomic::AtomicU64,
    /// Bytes received this run (before writing: what rates are measured on), when the last
    /// of them arrived, and in how many pieces.
    received: Mutex<Arrivals>,
    /// Connections that received data on their current span.
    streaming: AtomicUsize,
    peak: AtomicUsize,
    splits: AtomicU32,
}

impl Control {
    fn new(target: usize, workers: usize) -> Self {
        Control {
            target: AtomicUsize::new(target),
            abort: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            live: AtomicUsize::new(workers),
            wake: tokio::sync::Notify::new(),
            epoch: Default::default(),
            received: Mutex::new(Arrivals::default()),
            streaming: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            splits: AtomicU32::new(0),
        }
    }

    fn poke(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    /// How many pokes so far: read it before looking at the state a nap waits on.
    fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Waits for a poke after the one numbered `seen` (at once if there was one), at most
    /// `most`.
    async fn nap(&self, seen: u64, most: Duration) {
        let notified = std::pin::pin!(self.wake.notified());
        let mut notified = notified;
        notified.as_mut().enable();
        if self.epoch() != seen {
            return;
        }
        let _ = tokio::time::timeout(most, notified).await;
    }

    fn arrived(&self, n: usize) {
        let mut r = self.received.lock().unwrap_or_else(|e| e.into_inner());
        r.bytes += n as u64;
        r.pieces += 1;
        r.last = Some(Instant::now());
    }

    fn arrivals(&self) -> Arrivals {
        *self.received.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn done(&self) -> bool {
        self.finished.load(Ordering::SeqCst) || self.abort.load(Ordering::SeqCst)
    }
}

/// What has arrived so far.
#[derive(Debug, Clone, Copy, Default)]
struct Arrivals {
    bytes: u64,
    pieces: u64,
    last: Option<Instant>,
}

/// Least pieces of data a measurement spans (a store may send in bursts, a socket may wake
/// us once per large amount).
const MIN_PIECES: u64 = 4;

/// Counts a connection among the streaming ones while it lives.
struct Streaming<'a>(&'a Control);

impl<'a> Streaming<'a> {
    fn start(ctl: &'a Control) -> Self {
        let now = ctl.streaming.fetch_add(1, Ordering::SeqCst) + 1;
        ctl.peak.fetch_max(now, Ordering::SeqCst);
        Streaming(ctl)
    }
}

impl Drop for Streaming<'_> {
    fn drop(&mut self) {
        self.0.streaming.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The in-order hash of the object: `pos` bytes hashed so far.
pub(super) struct Frontier {
    state: Mutex<FrontierState>,
    wanted: bool,
}

struct FrontierState {
    pos: u64,
    checks: Checksums,
    reread: u64,
    /// Pieces that arrived ahead of `pos`, kept (without copying) until it reaches them: the
    /// bounded reorder window. What does not fit is read back from the file instead.
    pending: std::collections::BTreeMap<u64, bytes::Bytes>,
    pending_bytes: usize,
}

/// Most bytes held in the reorder window.
const REORDER_WINDOW: usize = 8 << 20;

impl FrontierState {
    /// Hashes the pending pieces that `pos` has reached.
    fn drain(&mut self) {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() > self.pos {
                return;
            }
            let (at, data) = entry.remove_entry();
            self.pending_bytes -= data.len();
            let end = at + data.len() as u64;
            if end > self.pos {
                let skip = (self.pos - at) as usize;
                self.checks.update(&data[skip..]);
                self.pos = end;
            }
        }
    }
}

impl Frontier {
    pub(super) fn new(checks: Checksums) -> Self {
        Frontier {
            wanted: checks.any(),
            state: Mutex::new(FrontierState {
                pos: 0,
                checks,
                reread: 0,
                pending: Default::default(),
                pending_bytes: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FrontierState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Data a connection hands to its writer at `pos`: hashed when it is next in order, kept
    /// in the reorder window when it is ahead and fits.
    fn offer(&self, pos: u64, data: bytes::Bytes) {
        if !self.wanted || data.is_empty() {
            return;
        }
        let mut f = self.lock();
        if f.pos == pos {
            f.checks.update(&data);
            f.pos += data.len() as u64;
            f.drain();
        } else if pos > f.pos && f.pending_bytes + data.len() <= REORDER_WINDOW {
            f.pending_bytes += data.len();
            f.pending.insert(pos, data);
        }
    }

    /// Where the reorder window starts, if it holds anything: read back no further.
    fn first_pending(&self) -> Option<u64> {
        self.lock().pending.keys().next().copied()
    }

    /// Bytes read back from the file at `start`: what of them is past the frontier is hashed.
    fn read_back(&self, start: u64, data: &[u8]) {
        let mut f = self.lock();
        let end = start + data.len() as u64;
        if (start..end).contains(&f.pos) {
            let skip = (f.pos - start) as usize;
            f.checks.update(&data[skip..]);
            f.reread += (data.len() - skip) as u64;
            f.pos = end;
            f.drain();
        }
    }

    fn pos(&self) -> u64 {
        self.lock().pos
    }

    /// The checksums, when every byte of the `size`-byte object was hashed; bytes read back.
    pub(super) fn into_checks(self, size: u64) -> (Option<Checksums>, u64) {
        let f = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        ((f.pos == size).then_some(f.checks), f.reread)
    }
}

/// The end of the bytes on disk that follow `from` without a gap, from the resume state.
fn contiguous_end(written: &[u64], granule: u64, size: u64, from: u64) -> u64 {
    let mut pos = from;
    loop {
        let i = (pos / granule) as usize;
        let Some(&w) = written.get(i) else {
            return pos;
        };
        let start = i as u64 * granule;
        let len = granule.min(size - start);
        let end = start + w;
        if end <= pos {
            return pos;
        }
        pos = end;
        if w < len {
            return pos;
        }
    }
}

/// Everything one ranged download run shares.
pub(super) struct Run<'a> {
    pub link: &'a Link<'a>,
    pub saver: &'a Saver<'a>,
    pub file: &'a PartFile,
    pub size: u64,
    pub granule: u64,
    pub validators: &'a Validators,
    pub options: &'a DownloadOptions,
    pub shared: &'a Shared,
    pub progress: &'a (dyn Fn(Progress) + Send + Sync),
    pub plan: &'a Mutex<Plan>,
    pub ctl: &'a Control,
    pub frontier: &'a Frontier,
    /// When the only checksum is a CRC-64: each request's `(start, end, crc)`, combined at the
    /// end instead of hashing in order.
    pub segments: Option<&'a Mutex<Vec<Segment>>>,
}

/// The CRC-64 of the bytes `[start, end)`, as one request received them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Segment {
    start: u64,
    end: u64,
    crc: u64,
}

/// What the connections did, for the report.
pub(super) struct RunStats {
    pub peak: usize,
    pub splits: u32,
}

type Task<'a> = Pin<Box<dyn Future<Output = Result<(), DownloadError>> + Send + 'a>>;

impl Run<'_> {
    fn state(&self) -> std::sync::MutexGuard<'_, Meta> {
        self.saver.state.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn plan(&self) -> std::sync::MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The shared state of a run of `slots` connections over `meta`.
pub(super) fn setup(meta: &Meta, options: &DownloadOptions) -> (Mutex<Plan>, Control) {
    let slots = options.connections;
    let mut plan = Plan::new(meta.size, meta.chunk_size, &meta.written, slots);
    let fixed = slots == 1 || options.parallelism == Parallelism::Fixed;
    if fixed && slots > 1 {
        plan.split_even(slots);
    }
    let ctl = Control::new(if fixed { slots } else { 1 }, slots);
    (Mutex::new(plan), ctl)
}

impl Downloader {
    /// Runs the connections, the controller and the hasher until every byte is written.
    pub(super) async fn run_ranges(&self, run: &Run<'_>) -> Result<RunStats, DownloadError> {
        let slots = run.options.connections;
        let mut tasks: Vec<Task<'_>> = (0..slots)
            .map(|slot| -> Task<'_> {
                Box::pin(async move {
                    let result = self.connection(run, slot).await;
                    if result.is_err() {
                        run.ctl.abort.store(true, Ordering::SeqCst);
                    }
                    if run.ctl.live.fetch_sub(1, Ordering::SeqCst) == 1 {
                        run.ctl.finished.store(true, Ordering::SeqCst);
                    }
                    run.ctl.poke();
                    result
                })
            })
            .collect();
        if run.options.parallelism == Parallelism::Adaptive && slots > 1 {
            tasks.push(Box::pin(async move {
                grow(run).await;
                Ok(())
            }));
        }
        tasks.push(Box::pin(catch_up(run)));
        let mut first_error = None;
        for result in futures_join_all(tasks).await {
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        Ok(RunStats {
            peak: run.ctl.peak.load(Ordering::SeqCst),
            splits: run.ctl.splits.load(Ordering::SeqCst),
        })
    }

    /// One connection slot: claims spans until nothing is left, waiting while it is not
    /// allowed to run.
    async fn connection(&self, run: &Run<'_>, slot: usize) -> Result<(), DownloadError> {
        let ctl = run.ctl;
        loop {
            let seen = ctl.epoch();
            if ctl.abort.load(Ordering::SeqCst) {
                return Ok(());
            }
            if slot >= ctl.target.load(Ordering::SeqCst) {
                if run.plan().idle() {
                    return Ok(());
                }
                ctl.nap(seen, Duration::from_millis(100)).await;
                continue;
            }
            let claim = {
                let state = run.state();
                run.plan()
                    .claim(slot, &state.written, ctl.target.load(Ordering::SeqCst))
            };
            match claim {
                Some(claim) => {
                    if claim.stolen {
                        ctl.splits.fetch_add(1, Ordering::SeqCst);
                        tracing::debug!(slot, start = claim.start, end = claim.end, "span split");
                    }
                    let result = self.fetch_span(run, slot, claim).await;
                    run.plan().release(slot);
                    ctl.poke();
                    result?;
                }
                None => {
                    if run.plan().idle() {
                        return Ok(());
                    }
                    ctl.nap(seen, Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// Downloads what is missing of connection `slot`'s span, which may be cut while it runs,
    /// resuming within it after network errors.
    async fn fetch_span(
        &self,
        run: &Run<'_>,
        slot: usize,
        claim: Claim,
    ) -> Result<(), DownloadError> {
        let (options, part, state) = (run.options, run.saver.part, run.saver.state);
        let mut failures = 0u32;
        let mut pushed = claim.start;
        let mut retired = false;
        let mut streaming = None;
        loop {
            let Some(end) = run.plan().end_of(slot) else {
                return Ok(());
            };
            if pushed >= end {
                return Ok(());
            }
            let pos = pushed;
            let resp = self
                .get(run.link, Some((pos, Some(end - 1))), Some(run.validators))
                .await?;
            // A 200 (If-Range did not match), a 416 (the object shrank) or other validators:
            // the object is not the one we have parts of.
            if resp.status() != 206 || run.validators.differs(&Validators::of(&resp)) {
                return Err(DownloadError::ObjectChanged(1));
            }
            match content_range(header(&resp, "content-range").as_deref()) {
                Some((_, _, Some(total))) if total != run.size => {
                    return Err(DownloadError::ObjectChanged(1));
                }
                Some((first, last, _)) if first == pos && last == end - 1 => {}
                _ => {
                    return Err(DownloadError::Refused(format!(
                        "asked for bytes {pos}-{}, the server answered Content-Range {:?}",
                        end - 1,
                        header(&resp, "content-range")
                            .map(|r| crate::terminal::escape(&r))
                            .unwrap_or_default()
                    )));
                }
            }
            if let Some(len) = resp.content_length()
                && len != end - pos
            {
                return Err(DownloadError::Refused(format!(
                    "asked for {} bytes, the server announced {len}",
                    end - pos
                )));
            }
            let mut resp = resp;
            let buffer = buffer_size(run.ctl.target.load(Ordering::SeqCst));
            let mut writer = run.file.writer(pos, buffer, WRITE_DEPTH);
            let mut counted = pos;
            let mut pace = Pace::new();
            // A byte counts as written (and may be saved as resumable) only once its write
            // returned.
            let mut count = |n: u64| {
                if n == 0 {
                    return;
                }
                let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                let mut left = n;
                while left > 0 {
                    let i = (counted / run.granule) as usize;
                    let room = ((i as u64 + 1) * run.granule).min(run.size) - counted;
                    let take = left.min(room);
                    st.written[i] += take;
                    counted += take;
                    left -= take;
                }
                drop(st);
                run.shared.add(n, run.progress);
            };
            let mut cut = false;
            let mut crc = run.segments.map(|_| crc64fast::Digest::new());
            let outcome: Result<(), DownloadError> = async {
                loop {
                    let Some(data) =
                        next_chunk(&mut resp, run.link, options, failures + 1, &mut pace).await?
                    else {
                        return Ok(());
                    };
                    if streaming.is_none() {
                        streaming = Some(Streaming::start(run.ctl));
                    }
                    run.ctl.arrived(data.len());
                    let take = (data.len() as u64).min(end - pushed) as usize;
                    if !retired && slot >= run.ctl.target.load(Ordering::SeqCst) {
                        retired = true;
                        run.plan().retire(slot);
                    }
                    let allowed = run.plan().allow(slot, pushed, take);
                    run.frontier.offer(pushed, data.slice(..allowed));
                    if let Some(c) = crc.as_mut() {
                        c.write(&data[..allowed]);
                    }
                    pushed += allowed as u64;
                    let n = writer.push(&data[..allowed]).await.map_err(io_err(part))?;
                    count(n);
                    if allowed < take {
                        // The span was cut (split or retired): the rest is someone else's.
                        cut = true;
                        return Ok(());
                    }
                    if take < data.len() {
                        return Err(DownloadError::Refused(format!(
                            "the server sent more than the {} bytes of range {pos}-{}; \
                             stopped there",
                            end - pos,
                            end - 1
                        )));
                    }
                    // Bound the work lost to a crash: save about every SAVE_EVERY.
                    if n > 0 {
                        run.saver.save_soon().await?;
                    }
                    if run.ctl.abort.load(Ordering::SeqCst) {
                        cut = true;
                        return Ok(());
                    }
                }
            }
            .await;
            // Whatever happened, what was received is written and counted before going on.
            let flushed = writer.flush().await.map_err(io_err(part));
            if let Ok(n) = flushed {
                count(n);
            }
            drop(resp);
            if let (Some(segments), Some(c)) = (run.segments, crc)
                && pushed > pos
            {
                segments
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(Segment {
                        start: pos,
                        end: pushed,
                        crc: c.sum64(),
                    });
            }
            run.saver.save().await?;
            let outcome = match (outcome, flushed) {
                (Err(e @ (DownloadError::Io { .. } | DownloadError::Refused(_))), _) => {
                    return Err(e);
                }
                (_, Err(e)) => return Err(e),
                (outcome, Ok(_)) => outcome,
            };
            match outcome {
                Ok(()) if cut || pushed >= end => {}
                Ok(()) => failures += 1, // the body ended early
                Err(e) => {
                    failures += 1;
                    if failures > options.max_retries {
                        return Err(e);
                    }
                    tracing::debug!(error = %e, slot, "range interrupted; resuming");
                }
            }
            if cut {
                return Ok(());
            }
            if failures > options.max_retries {
                return Err(DownloadError::Refused(format!(
                    "range {pos}-{} kept ending early",
                    end - 1
                )));
            }
            if failures > 0 && pushed < end {
                tokio::time::sleep(backoff(failures)).await;
            }
        }
    }
}

/// Grows the number of connections while each step adds throughput (`schedule::Growth`):
/// measures one stream, then each step once all its connections receive data.
async fn grow(run: &Run<'_>) {
    let ctl = run.ctl;
    let started = Instant::now();
    while ctl.arrivals().bytes == 0 {
        if ctl.done() {
            return;
        }
        ctl.nap(ctl.epoch(), Duration::from_millis(5)).await;
    }
    let window = Growth::window(started.elapsed());
    let Some(rate) = measure(ctl, window).await else {
        return;
    };
    tracing::debug!(rate, ?window, "one stream measured");
    let mut growth = Growth::new(run.options.connections, rate);
    let mut step = growth.first();
    let mut reprobe = Duration::from_secs(1);
    loop {
        match step {
            Step::Settle(n) => {
                if n != ctl.target.swap(n, Ordering::SeqCst) {
                    tracing::debug!(connections = n, "connections settled");
                    ctl.poke();
                }
                if n >= run.options.connections {
                    return;
                }
                // Links change, and one measurement can mislead: measure again later (after
                // 1 s, then 2, 4, ...) while there is enough left to gain from it.
                let until = Instant::now() + reprobe;
                while Instant::now() < until {
                    if ctl.done() {
                        return;
                    }
                    ctl.nap(ctl.epoch(), Duration::from_millis(100)).await;
                }
                reprobe *= 2;
                let Some(rate) = measure(ctl, window).await else {
                    return;
                };
                if (run.plan().left() as f64) < rate * 2.0 {
                    return;
                }
                growth = Growth::resume(run.options.connections, n, rate);
                step = growth.first();
            }
            Step::Try(n) => {
                // Not worth it when what is left takes less than a few windows now.
                let left = run.plan().left() as f64;
                if left < growth.rate() * window.as_secs_f64() * 4.0 {
                    step = Step::Settle(growth.current());
                    continue;
                }
                tracing::debug!(
                    connections = n,
                    rate = growth.rate(),
                    "trying more connections"
                );
                ctl.target.store(n, Ordering::SeqCst);
                ctl.poke();
                let asked = Instant::now();
                while ctl.streaming.load(Ordering::SeqCst) < n
                    && asked.elapsed() < Duration::from_secs(1)
                {
                    if ctl.done() {
                        return;
                    }
                    ctl.nap(ctl.epoch(), Duration::from_millis(2)).await;
                }
                let Some(rate) = measure(ctl, Growth::window(asked.elapsed()).max(window)).await
                else {
                    return;
                };
                let before = growth.rate();
                step = growth.next(n, rate);
                tracing::debug!(connections = n, rate, before, next = ?step, "measured");
            }
        }
    }
}

/// Bytes per second received over about `window` (longer until [`MIN_PIECES`] pieces arrived,
/// at most a second): the bytes that arrived after the last arrival before it, up to the last
/// one at its end, over the time between those two, so that a store sending in bursts is not
/// measured by where the window's edges fall; `None` when the download ended meanwhile.
async fn measure(ctl: &Control, window: Duration) -> Option<f64> {
    let before = ctl.arrivals();
    let start = Instant::now();
    tokio::time::sleep(window).await;
    let after = loop {
        if ctl.done() {
            return None;
        }
        let now = ctl.arrivals();
        if now.pieces >= before.pieces + MIN_PIECES || start.elapsed() >= Duration::from_secs(1) {
            break now;
        }
        ctl.nap(ctl.epoch(), Duration::from_millis(5)).await;
    };
    let from = before.last.unwrap_or(start);
    let secs = after
        .last
        .map_or(0.0, |t| t.saturating_duration_since(from).as_secs_f64());
    Some(if secs > 0.0 {
        (after.bytes - before.bytes) as f64 / secs
    } else {
        0.0
    })
}

/// Hashes, in order, what the connections wrote but could not hash as it came (bytes past
/// another connection's span, bytes resumed from an earlier run), reading it back while the
/// download goes on.
async fn catch_up(run: &Run<'_>) -> Result<(), DownloadError> {
    if !run.frontier.wanted {
        return Ok(());
    }
    let part = run.saver.part;
    let reader = std::sync::Arc::new(local::open_ours(part).map_err(io_err(part))?);
    loop {
        let seen = run.ctl.epoch();
        let finished = run.ctl.finished.load(Ordering::SeqCst);
        if run.ctl.abort.load(Ordering::SeqCst) {
            return Ok(());
        }
        let from = run.frontier.pos();
        let on_disk = contiguous_end(&run.state().written, run.granule, run.size, from);
        // What the window holds is hashed from memory when the frontier gets there.
        let to = on_disk.min(run.frontier.first_pending().unwrap_or(u64::MAX));
        if to > from && (to - from >= CATCH_UP_MIN || finished) {
            let len = ((to - from) as usize).min(CATCH_UP_MAX);
            let data = read_at(&reader, part, from, len).await?;
            run.frontier.read_back(from, &data);
            continue;
        }
        if finished {
            return Ok(());
        }
        run.ctl.nap(seen, Duration::from_millis(20)).await;
    }
}

async fn read_at(
    file: &std::sync::Arc<std::fs::File>,
    path: &Path,
    pos: u64,
    len: usize,
) -> Result<Vec<u8>, DownloadError> {
    let file = file.clone();
    tokio::task::spawn_blocking(move || {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0u8; len];
        file.read_exact_at(&mut buf, pos).map(|()| buf)
    })
    .await
    .map_err(|e| io_err(path)(std::io::Error::other(e)))?
    .map_err(io_err(path))
}

/// The object's CRC-64 from the requests' segments, reading from the file only what no
/// segment covers (bytes resumed from an earlier run); `None` when segments overlap (which the
/// schedule rules out: the caller then hashes the file). Also the bytes read.
pub(super) async fn combined_crc(
    segments: Vec<Segment>,
    size: u64,
    part: &Path,
) -> Result<Option<(u64, u64)>, DownloadError> {
    let mut segments = segments;
    segments.sort_by_key(|s| s.start);
    let reader = std::sync::Arc::new(local::open_ours(part).map_err(io_err(part))?);
    let (mut crc, mut pos, mut reread) = (0u64, 0u64, 0u64);
    let gap = async |from: u64, to: u64, crc: &mut u64| -> Result<(), DownloadError> {
        let mut at = from;
        while at < to {
            let len = ((to - at) as usize).min(CATCH_UP_MAX);
            let data = read_at(&reader, part, at, len).await?;
            *crc = crate::checksum::crc64_combine(
                *crc,
                crate::checksum::crc64_ecma(&data),
                len as u64,
            );
            at += len as u64;
        }
        Ok(())
    };
    for s in segments.iter().chain(std::iter::once(&Segment {
        start: size,
        end: size,
        crc: 0,
    })) {
        if s.start < pos {
            return Ok(None);
        }
        if s.start > pos {
            gap(pos, s.start, &mut crc).await?;
            reread += s.start - pos;
        }
        crc = crate::checksum::crc64_combine(crc, s.crc, s.end - s.start);
        pos = s.end;
    }
    Ok((pos == size).then_some((crc, reread)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_end_follows_complete_granules_and_stops_at_a_gap() {
        let written = [10, 10, 4, 0, 5];
        assert_eq!(contiguous_end(&written, 10, 45, 0), 24);
        assert_eq!(contiguous_end(&written, 10, 45, 7), 24);
        assert_eq!(contiguous_end(&written, 10, 45, 24), 24);
        assert_eq!(contiguous_end(&written, 10, 45, 40), 45);
        assert_eq!(contiguous_end(&[10, 10, 5], 10, 25, 25), 25);
    }

    #[test]
    fn the_frontier_hashes_each_byte_once_in_order() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let expected = crate::checksum::Expected {
            crc64: Some(crate::checksum::crc64_ecma(&data)),
            md5: None,
        };
        let piece = |r: std::ops::Range<usize>| bytes::Bytes::copy_from_slice(&data[r]);
        let f = Frontier::new(Checksums::new(&expected, false));
        f.offer(0, piece(0..100));
        f.offer(300, piece(300..400)); // ahead: kept in the window
        assert_eq!(f.first_pending(), Some(300));
        f.read_back(50, &data[50..320]); // overlaps what was hashed, and the window's piece
        assert_eq!(f.pos(), 400, "the window's piece was hashed from memory");
        assert_eq!(f.first_pending(), None);
        f.offer(350, piece(350..400)); // already hashed: ignored
        f.offer(400, piece(400..500));
        f.offer(600, piece(600..1000));
        f.read_back(500, &data[500..600]);
        let (checks, reread) = f.into_checks(1000);
        assert_eq!(reread, 220 + 100);
        assert_eq!(
            checks.unwrap().verify(&expected, None).unwrap(),
            vec!["crc64ecma"]
        );
    }

    #[test]
    fn a_frontier_short_of_the_end_gives_no_checksums() {
        let expected = crate::checksum::Expected {
            crc64: Some(1),
            md5: None,
        };
        let f = Frontier::new(Checksums::new(&expected, false));
        f.offer(0, bytes::Bytes::from_static(b"abc"));
        assert!(f.into_checks(4).0.is_none());
    }
}
