//! A downloader that never loses data: it streams to `<file>.part` with bounded memory, resumes
//! from where it stopped (`Range` + `If-Range`, restarting when the object changed), downloads in
//! parallel ranges when the server allows, refreshes expired links through the vendor API,
//! verifies size and checksums, and renames into place only after verification.
//!
//! Download links are credentials: they are never logged or put in errors with their query
//! string, and no API credential or vendor header is ever sent to the download host.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloud_http::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

use crate::checksum::{Checksums, Expected};
use crate::direct::{self, Direct};
use crate::local;
use crate::part_file::{self, ALIGN, PartFile, is_no_space, preallocate};

mod parallel;

/// Why a download failed. Messages never contain a link's query string.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The server answered with an unexpected status.
    #[error("download from {url} failed: HTTP {status}{}", detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Status {
        /// The link without its query.
        url: String,
        /// HTTP status.
        status: u16,
        /// The storage's error code, when it sent one.
        detail: Option<String>,
    },
    /// The connection failed and retries ran out.
    #[error("download from {url} failed after {attempts} attempts: {}", network_text(cause, source.as_ref()))]
    Network {
        /// The link without its query.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// Why: DNS, refused, reset, TLS (and why), timeout.
        cause: cloud_http::NetworkCause,
        /// The last error (its URL stripped).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No data arrived for too long, or less than the minimum speed over a whole window.
    #[error("download from {url} stalled: {why}")]
    Stalled {
        /// The link without its query.
        url: String,
        /// What was too slow (`no data for 20s`, `12 bytes in 30s, below 1024 bytes/s`).
        why: String,
    },
    /// The link expired and there is no way to refresh it (or refreshing failed).
    #[error("the download link expired and could not be refreshed: {0}")]
    Expired(String),
    /// The file does not have the size the API declared.
    #[error("size mismatch: expected {expected} bytes, got {actual}")]
    SizeMismatch {
        /// Declared size.
        expected: u64,
        /// Actual size.
        actual: u64,
    },
    /// A checksum does not match: the content is corrupt. No final file was written.
    #[error("{kind} mismatch: expected {expected}, computed {actual}")]
    ChecksumMismatch {
        /// `crc64ecma`, `md5` or `sha256`.
        kind: &'static str,
        /// Expected value.
        expected: String,
        /// Computed value.
        actual: String,
    },
    /// The object kept changing while being downloaded.
    #[error("the object changed during the download {0} times; giving up")]
    ObjectChanged(u32),
    /// The server redirected from https to http, or the response was otherwise unusable.
    #[error("refused response: {0}")]
    Refused(String),
    /// The destination's filesystem cannot hold the file. Checked before downloading (the
    /// file's blocks are allocated up front on Linux); no partial file is left.
    #[error("not enough space for {path}: the file needs {needed} bytes ({source})")]
    NoSpace {
        /// The file that was to be written.
        path: PathBuf,
        /// Its size.
        needed: u64,
        /// What the filesystem said (`ENOSPC`, `EFBIG`).
        #[source]
        source: std::io::Error,
    },
    /// A local file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// Another process (a second `cloud-backup`, an overrunning cron job) is writing the same
    /// file. Nothing was touched.
    #[error("another cloud-backup ({}) is writing {}", pid.map(|p| format!("pid {p}")).unwrap_or_else(|| "pid unknown".into()), path.display())]
    Busy {
        /// The target file.
        path: PathBuf,
        /// The other process, when its lock file says.
        pid: Option<u32>,
    },
    /// The target file exists and could not be shown to hold this very object (no checksum to
    /// compare, or a different size or checksum). It was kept; nothing was downloaded.
    #[error("{} already exists and {reason}; it was kept (overwrite it with --overwrite, or move it away)", path.display())]
    Exists {
        /// The target file.
        path: PathBuf,
        /// Why it is not taken as this object.
        reason: String,
    },
    /// Invalid options.
    #[error("invalid download option {field}: {rule}")]
    InvalidInput {
        /// The option.
        field: &'static str,
        /// The rule.
        rule: String,
    },
}

/// The cause, and the underlying error when the cause alone says little.
fn network_text(
    cause: &cloud_http::NetworkCause,
    source: &(dyn std::error::Error + Send + Sync),
) -> String {
    match cause {
        cloud_http::NetworkCause::Other | cloud_http::NetworkCause::Tls(_) => {
            format!("{cause} ({source})")
        }
        _ => cause.to_string(),
    }
}

/// A link without its query string (safe to show).
pub fn display_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?<redacted>"),
        None => url.to_owned(),
    }
}

/// Progress of a download.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Bytes on disk so far (resumed bytes included).
    pub bytes_done: u64,
    /// Total bytes, when known.
    pub total: Option<u64>,
    /// Average rate of this run, bytes per second.
    pub bytes_per_sec: f64,
}

/// Gets a fresh link when the current one expired (Huawei 15 min, Aliyun `Duration`, Tencent).
pub trait RefreshLink: Send + Sync {
    /// A new URL for the same object.
    fn refresh(&self) -> BoxFuture<'_, Result<String, DownloadError>>;
}

/// Options of one download.
#[derive(Debug, Clone)]
pub struct DownloadOptions {
    /// Most connections when the server supports ranges (default 8; 1 = single stream). With
    /// [`Parallelism::Adaptive`] a download starts with one and adds more only while they add
    /// throughput.
    pub connections: usize,
    /// How many of the [`DownloadOptions::connections`] run (default adaptive).
    pub parallelism: Parallelism,
    /// The granule of ranges (default 256 KiB): connections split each other's work, and the
    /// resume state records progress, in whole granules. Grown for objects that would need
    /// more than 4096. A resumed download keeps the granules it started with.
    pub chunk_size: u64,
    /// The size the API declared; a body longer than this is stopped there and refused, and
    /// the final size is checked against it.
    pub expected_size: Option<u64>,
    /// The most bytes the file may have (a bound the API implies, such as a size in KB): a body
    /// that runs past it is stopped there and refused, so an endless body cannot fill the disk.
    pub max_size: Option<u64>,
    /// A SHA-256 (hex) the caller expects.
    pub sha256: Option<String>,
    /// A CRC-64/ECMA the caller expects (an API listing's checksum, such as RDS's `Checksum`):
    /// checked as the storage's own header is, and refused at once when the storage's header
    /// says otherwise.
    pub crc64: Option<u64>,
    /// Retries per range (or stream) after network errors (default 5).
    pub max_retries: u32,
    /// Longest time without any data before a connection is considered dead (default 20 s).
    pub idle_timeout: Duration,
    /// Lowest average speed, in bytes per second, over each [`DownloadOptions::speed_window`]
    /// (default 1024, as curl's `--speed-limit`; 0 disables): a slower connection is declared
    /// stalled and its range retried from where it stopped.
    pub min_speed: u64,
    /// The window over which [`DownloadOptions::min_speed`] is measured (default 30 s, as
    /// curl's `--speed-time`).
    pub speed_window: Duration,
    /// Write with `O_DIRECT` on Linux when the filesystem allows it (default true): the data
    /// goes to the disk as it arrives instead of piling up in the page cache, so the final
    /// fsync is nearly instant and a large backup does not evict everything else from the
    /// cache. Filesystems without direct I/O get buffered writes either way.
    pub direct_io: bool,
    /// Replace an existing final file that cannot be shown to hold this object (default false:
    /// such a file is kept and the download fails with [`DownloadError::Exists`]). A file that
    /// matches the object's size and checksums is kept either way (the report says `skipped`).
    pub overwrite: bool,
    /// Compute the file's SHA-256 and report it ([`DownloadReport::sha256`]) even when none is
    /// expected (default false): hashed as the bytes arrive where they arrive in order.
    pub report_sha256: bool,
}

impl DownloadOptions {
    /// Whether the SHA-256 is computed: expected or asked for.
    fn wants_sha256(&self) -> bool {
        self.sha256.is_some() || self.report_sha256
    }
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            connections: 8,
            parallelism: Parallelism::Adaptive,
            chunk_size: 256 << 10,
            expected_size: None,
            max_size: None,
            sha256: None,
            crc64: None,
            max_retries: 5,
            idle_timeout: Duration::from_secs(20),
            min_speed: 1024,
            speed_window: Duration::from_secs(30),
            direct_io: true,
            overwrite: false,
            report_sha256: false,
        }
    }
}

/// How many connections a ranged download runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Parallelism {
    /// One stream first (and only, when it already makes 256 MiB/s: the disk and the CPU are
    /// the bounds then); then all [`DownloadOptions::connections`], kept when together they
    /// make at least 10% more (measured over a window of four first-byte times, 40 ms to
    /// 1 s), else back to one. Measured again after 1 s, 2 s, 4 s, ... from where it settled,
    /// doubling while each step brings at least half its ideal gain. On a fast link this stays
    /// at one stream, which is the fastest there; behind per-connection limits it opens them
    /// all.
    #[default]
    Adaptive,
    /// All [`DownloadOptions::connections`] from the start, on equal shares.
    Fixed,
}

/// What a finished download did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadReport {
    /// The final file.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Bytes that were already in the `.part` file when this run started.
    pub resumed_bytes: u64,
    /// What was verified: `size`, `crc64ecma`, `md5`, `sha256`.
    pub verified: Vec<&'static str>,
    /// Whether ranged (resumable) requests were used.
    pub ranged: bool,
    /// Times the link was refreshed.
    pub refreshes: u32,
    /// Whether the file was written with direct I/O (see [`DownloadOptions::direct_io`]).
    pub direct_io: bool,
    /// The final file was already there with this object's size and checksums: nothing was
    /// downloaded (`verified` says what matched).
    pub skipped: bool,
    /// What was odd but not fatal (a malformed checksum header that could not be used, say).
    pub warnings: Vec<String>,
    /// Most connections that received data at once (1 without ranges, 0 when nothing was
    /// downloaded).
    pub connections: usize,
    /// Times a connection took over part of another's range (a joining connection, or one
    /// helping a straggler).
    pub splits: u32,
    /// Bytes read back from the file to verify it: those that did not arrive in order
    /// (parallel ranges, a resumed run). A single fresh stream hashes as it receives: 0.
    pub reread_bytes: u64,
    /// The file's SHA-256 (lowercase hex), when it was computed ([`DownloadOptions::sha256`]
    /// or [`DownloadOptions::report_sha256`]).
    pub sha256: Option<String>,
}

/// What identifies one version of the object: a later response that carries a different value
/// of any of these is of another version.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Validators {
    etag: Option<String>,
    last_modified: Option<String>,
    crc64: Option<u64>,
}

impl Validators {
    fn of(resp: &Resp) -> Self {
        Validators {
            etag: header(resp, "etag"),
            last_modified: header(resp, "last-modified"),
            crc64: Expected::from_headers_checked(resp.headers()).0.crc64,
        }
    }

    /// Whether `later` shows another version: a validator both carry differs.
    pub(crate) fn differs(&self, later: &Validators) -> bool {
        fn both<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
            matches!((a, b), (Some(a), Some(b)) if a != b)
        }
        both(&self.etag, &later.etag)
            || both(&self.last_modified, &later.last_modified)
            || both(&self.crc64, &later.crc64)
    }
}

/// The resume state kept beside the `.part` file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Meta {
    /// Which object version the bytes are of.
    #[serde(flatten)]
    validators: Validators,
    size: u64,
    chunk_size: u64,
    /// Bytes written at the start of each chunk.
    written: Vec<u64>,
    /// Device and inode of the `.part` file these bytes are in: a file swapped in its place is
    /// not resumed.
    part: (u64, u64),
    /// SHA-256 of everything above: a state edited by hand or damaged is not trusted.
    #[serde(default)]
    check: String,
}

/// Smallest range a resume state may describe (unless one range covers the whole object).
const MIN_CHUNK: u64 = 64 * 1024;

impl Meta {
    fn new(validators: Validators, size: u64, chunk_size: u64, part: (u64, u64)) -> Self {
        Meta {
            validators,
            size,
            chunk_size,
            written: vec![0; size.div_ceil(chunk_size).max(1) as usize],
            part,
            check: String::new(),
        }
    }

    fn seal(&self) -> String {
        let mut unsealed = self.clone();
        unsealed.check.clear();
        let json = serde_json::to_vec(&unsealed).expect("meta serializes");
        let digest = <sha2::Sha256 as sha2::Digest>::digest(
            [b"cloud-backup resume state v2\n".as_slice(), &json].concat(),
        );
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn to_json(&self) -> Vec<u8> {
        let mut sealed = self.clone();
        sealed.check = self.seal();
        serde_json::to_vec(&sealed).expect("meta serializes")
    }

    /// Whether this state (read from disk, so possibly damaged or edited) describes a partial
    /// download of this very object, in the `.part` file `part`, that can go on.
    fn resumes(&self, size: u64, validators: &Validators, part: (u64, u64)) -> bool {
        self.check == self.seal()
            && self.size == size
            && self.validators.etag.is_some()
            && self.validators == *validators
            && self.part == part
            && (self.chunk_size >= MIN_CHUNK || self.chunk_size >= size)
            && self.chunk_size > 0
            && self.written.len() as u64 == size.div_ceil(self.chunk_size).max(1)
            && self.written.len() as u64 <= MAX_RANGES
            && self.written.iter().enumerate().all(|(i, &w)| {
                let start = i as u64 * self.chunk_size;
                w <= self.chunk_size.min(size.saturating_sub(start))
            })
    }
}

/// Most ranges a download is split into: the resume state lists them all, and is saved often.
const MAX_RANGES: u64 = 4096;

/// How often the resume state is saved (each save first makes the data it claims durable:
/// cheap with direct I/O, and the page-cache path starts writeback every 64 MiB anyway).
const SAVE_EVERY: Duration = Duration::from_millis(250);

/// Consecutive link refreshes without a successful response in between before a refusal
/// (HTTP 403) is taken as final.
const MAX_REFRESHES_IN_A_ROW: u32 = 3;

/// What the downloader calls itself.
const USER_AGENT: &str = concat!("cloud-backup/", env!("CARGO_PKG_VERSION"));

/// The granule for a new download: the option's, grown (to a multiple of the direct-I/O
/// alignment) when the object would need more than [`MAX_RANGES`] granules. A single stream
/// uses granules too: a download resumed with more connections can then be split.
fn range_size(size: u64, options: &DownloadOptions) -> u64 {
    let floor = size.div_ceil(MAX_RANGES).next_multiple_of(ALIGN as u64);
    options.chunk_size.max(floor)
}

/// Paths of the partial file and its resume state.
pub fn part_paths(dest: &Path) -> (PathBuf, PathBuf) {
    (
        local::with_suffix(dest, ".part"),
        local::with_suffix(dest, ".part.json"),
    )
}

/// Path of the lock file that keeps a second process off `dest` while one writes it.
pub fn lock_path(dest: &Path) -> PathBuf {
    local::with_suffix(dest, ".lock")
}

/// The downloader. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Downloader {
    transport: Transport,
}

#[derive(Debug, Clone)]
enum Transport {
    /// The caller's client, or ours when a proxy is configured.
    Reqwest(reqwest::Client),
    /// Our own HTTP/1.1 client (see `direct.rs`).
    Direct(Arc<Direct>),
}

/// A response from either transport.
enum Resp {
    Reqwest(reqwest::Response),
    Direct(direct::Response),
}

impl Resp {
    fn status(&self) -> u16 {
        match self {
            Resp::Reqwest(r) => r.status().as_u16(),
            Resp::Direct(r) => r.status(),
        }
    }
    fn headers(&self) -> &reqwest::header::HeaderMap {
        match self {
            Resp::Reqwest(r) => r.headers(),
            Resp::Direct(r) => r.headers(),
        }
    }
    fn content_length(&self) -> Option<u64> {
        header(self, "content-length").and_then(|v| v.trim().parse().ok())
    }
    /// See [`direct::Response::relax`]; `false` for reqwest's responses (nothing to relax).
    fn relax(&self) -> bool {
        match self {
            Resp::Reqwest(_) => false,
            Resp::Direct(r) => r.relax(),
        }
    }
    async fn chunk(&mut self) -> Result<Option<bytes::Bytes>, direct::BoxError> {
        match self {
            Resp::Reqwest(r) => r.chunk().await.map_err(|e| e.without_url().into()),
            Resp::Direct(r) => r.chunk().await,
        }
    }
    /// The body as text, at most 64 KiB of it (for error details).
    async fn text(mut self) -> String {
        let mut body = Vec::new();
        while body.len() < 64 * 1024
            && let Ok(Some(c)) = self.chunk().await
        {
            body.extend_from_slice(&c);
        }
        String::from_utf8_lossy(&body).into_owned()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DownloadError + '_ {
    move |source| DownloadError::Io {
        path: path.to_owned(),
        source,
    }
}

struct Link<'a> {
    url: Mutex<String>,
    refresher: Option<&'a dyn RefreshLink>,
    refreshes: AtomicU64,
    /// Refreshes since the last successful response.
    in_a_row: AtomicU32,
    /// One refresh at a time: connections refused together refresh once.
    refreshing: tokio::sync::Mutex<()>,
}

impl Link<'_> {
    fn current(&self) -> String {
        self.url.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn worked(&self) {
        self.in_a_row.store(0, Ordering::SeqCst);
    }

    /// Gets a fresh link after `stale` was refused with HTTP 403 (`detail`: the storage's
    /// code and message), with backoff, at most [`MAX_REFRESHES_IN_A_ROW`] times in a row.
    async fn refused(&self, stale: &str, detail: Option<String>) -> Result<(), DownloadError> {
        let denied = |note: &str| DownloadError::Status {
            url: display_url(stale),
            status: 403,
            detail: Some(format!(
                "{}{note}",
                detail.clone().unwrap_or_else(|| "access denied".into())
            )),
        };
        let Some(r) = self.refresher else {
            return Err(denied(
                "; the link may have expired and there is no way to refresh it",
            ));
        };
        let _one = self.refreshing.lock().await;
        if self.current() != stale {
            return Ok(()); // another connection refreshed it meanwhile
        }
        let n = self.in_a_row.fetch_add(1, Ordering::SeqCst) + 1;
        if n > MAX_REFRESHES_IN_A_ROW {
            return Err(denied(&format!(
                "; still refused after {MAX_REFRESHES_IN_A_ROW} link refreshes"
            )));
        }
        if n > 1 {
            tokio::time::sleep(backoff(n + 2)).await;
        }
        let fresh = r.refresh().await?;
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        tracing::info!(url = %display_url(&fresh), "download link refreshed");
        *self.url.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }
}

struct Shared {
    done: AtomicU64,
    total: Option<u64>,
    started: Instant,
    resumed: u64,
    last_report: AtomicU64,
}

impl Shared {
    fn new(total: Option<u64>, resumed: u64) -> Self {
        Shared {
            done: AtomicU64::new(resumed),
            total,
            started: Instant::now(),
            resumed,
            last_report: AtomicU64::new(0),
        }
    }
    fn add(&self, n: u64, progress: &(dyn Fn(Progress) + Send + Sync)) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        let last = self.last_report.load(Ordering::Relaxed);
        if done - last.min(done) >= 256 * 1024 || Some(done) == self.total {
            self.last_report.store(done, Ordering::Relaxed);
            self.report(progress);
        }
    }
    fn report(&self, progress: &(dyn Fn(Progress) + Send + Sync)) {
        let done = self.done.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64().max(1e-6);
        progress(Progress {
            bytes_done: done,
            total: self.total,
            bytes_per_sec: (done - self.resumed) as f64 / secs,
        });
    }
}

enum Probe {
    /// Ranges work: size, the version's validators, checksums.
    Ranged {
        size: u64,
        validators: Validators,
        expected: Expected,
    },
    /// No ranges (or no known size): the whole body, already streaming.
    Whole { response: Resp, expected: Expected },
    /// An empty object (416 to the one-byte probe, with `Content-Range: bytes */0`).
    Empty { expected: Expected },
}

impl Probe {
    /// The object's size, when known before its body is read.
    fn size(&self) -> Option<u64> {
        match self {
            Probe::Ranged { size, .. } => Some(*size),
            Probe::Whole { response, .. } => response.content_length(),
            Probe::Empty { .. } => Some(0),
        }
    }
    fn expected(&self) -> &Expected {
        match self {
            Probe::Ranged { expected, .. }
            | Probe::Whole { expected, .. }
            | Probe::Empty { expected } => expected,
        }
    }
    fn expected_mut(&mut self) -> &mut Expected {
        match self {
            Probe::Ranged { expected, .. }
            | Probe::Whole { expected, .. }
            | Probe::Empty { expected } => expected,
        }
    }
}

/// A parsed `Content-Range: bytes FIRST-LAST/TOTAL` (`TOTAL` may be `*`).
fn content_range(value: Option<&str>) -> Option<(u64, u64, Option<u64>)> {
    let rest = value?.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let digits = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let (first, last) = (digits(first)?, digits(last)?);
    let total = match total {
        "*" => None,
        t => Some(digits(t)?),
    };
    (first <= last && total.is_none_or(|t| last < t)).then_some((first, last, total))
}

/// The storage's error code and message from an S3-style XML error body, escaped for display.
fn storage_error(body: &str) -> Option<String> {
    let tag = |name: &str| {
        body.split(&format!("<{name}>"))
            .nth(1)
            .and_then(|s| s.split(&format!("</{name}>")).next())
            .map(|s| {
                crate::terminal::escape(s.trim())
                    .chars()
                    .take(160)
                    .collect::<String>()
            })
    };
    match (tag("Code"), tag("Message")) {
        (Some(c), Some(m)) => Some(format!("{c}: {m}")),
        (Some(c), None) => Some(c),
        (None, Some(m)) => Some(m),
        (None, None) => None,
    }
}

/// Measures a body's pace: no data for `idle_timeout`, or less than `min_speed` on average
/// over a `speed_window`, is a stall.
struct Pace {
    window_start: Instant,
    window_bytes: u64,
    last_data: Instant,
}

impl Pace {
    fn new() -> Self {
        let now = Instant::now();
        Pace {
            window_start: now,
            window_bytes: 0,
            last_data: now,
        }
    }

    /// At the end of a window: too slow, or a new window.
    fn window_verdict(&mut self, options: &DownloadOptions) -> Result<(), String> {
        let elapsed = self.window_start.elapsed();
        if options.min_speed == 0 || elapsed < options.speed_window {
            return Ok(());
        }
        let need = (options.min_speed as f64 * elapsed.as_secs_f64()) as u64;
        if self.window_bytes < need {
            return Err(format!(
                "{} bytes in {:.0?}, below the minimum speed of {} bytes/s",
                self.window_bytes, elapsed, options.min_speed
            ));
        }
        self.window_start = Instant::now();
        self.window_bytes = 0;
        Ok(())
    }
}

impl Downloader {
    /// A downloader with its own HTTP/1.1 client: rustls with the platform's certificate
    /// verifier, no default headers, at most 5 redirects and never from https to http, and on
    /// Linux a receive path that wakes up once per useful amount of data (`SO_RCVLOWAT`).
    ///
    /// When a proxy is configured in the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`,
    /// in either case), it uses a `reqwest` client instead, which goes through the proxy.
    pub fn new() -> Result<Self, DownloadError> {
        if proxy_configured(|v| std::env::var_os(v)) {
            return Self::reqwest();
        }
        Self::with_extra_roots(Vec::new())
    }

    /// Like [`Downloader::new`] without a proxy, trusting the DER certificates in `roots`
    /// besides the platform's (a private CA in front of the storage, say).
    pub fn with_extra_roots(roots: Vec<Vec<u8>>) -> Result<Self, DownloadError> {
        let direct = Direct::new(roots, USER_AGENT)
            .map_err(|e| DownloadError::Refused(format!("TLS setup failed: {e}")))?;
        Ok(Downloader {
            transport: Transport::Direct(Arc::new(direct)),
        })
    }

    fn reqwest() -> Result<Self, DownloadError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let previous = attempt.previous().last().map(|u| u.scheme().to_owned());
            match redirect_verdict(
                previous.as_deref(),
                attempt.url().scheme(),
                attempt.previous().len(),
            ) {
                Ok(()) => attempt.follow(),
                Err(why) => attempt.error(why),
            }
        });
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .redirect(policy)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| DownloadError::Refused(e.without_url().to_string()))?;
        Ok(Downloader {
            transport: Transport::Reqwest(client),
        })
    }

    /// A downloader using the caller's client (proxies, custom roots). It must not carry default
    /// credential headers.
    pub fn with_client(client: reqwest::Client) -> Self {
        Downloader {
            transport: Transport::Reqwest(client),
        }
    }

    /// Downloads `url` to `dest`, resuming from `dest.part` when present.
    ///
    /// The final file appears only after the size (and every available checksum) verified; on
    /// any error the `.part` file and its resume state stay for the next run, except after a
    /// verification failure, which deletes them. An existing `dest` is never replaced silently:
    /// it is kept and reported `skipped` when it has this object's size and checksums, else the
    /// download fails with [`DownloadError::Exists`] unless [`DownloadOptions::overwrite`].
    ///
    /// One process at a time writes `dest`: a second one fails at once with
    /// [`DownloadError::Busy`]. Files and directories are created private (`0600`, `0700`);
    /// links and other entries that are not regular files of ours are never followed or used.
    pub async fn download(
        &self,
        url: &str,
        dest: &Path,
        options: &DownloadOptions,
        refresher: Option<&dyn RefreshLink>,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<DownloadReport, DownloadError> {
        if options.connections == 0 || options.connections > 64 {
            return Err(DownloadError::InvalidInput {
                field: "connections",
                rule: "must be between 1 and 64".into(),
            });
        }
        if options.chunk_size < MIN_CHUNK {
            return Err(DownloadError::InvalidInput {
                field: "chunk_size",
                rule: "must be at least 64 KiB".into(),
            });
        }
        if options.idle_timeout.is_zero() || options.speed_window.is_zero() {
            return Err(DownloadError::InvalidInput {
                field: "idle_timeout",
                rule: "idle_timeout and speed_window must be longer than zero".into(),
            });
        }
        if let Some(s) = &options.sha256
            && (s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(DownloadError::InvalidInput {
                field: "sha256",
                rule: "must be 64 hexadecimal characters".into(),
            });
        }
        if dest.file_name().is_none() {
            return Err(DownloadError::InvalidInput {
                field: "dest",
                rule: "must name a file".into(),
            });
        }
        let _lock = match local::TargetLock::acquire(dest) {
            Ok(lock) => lock,
            Err(local::LockError::Busy(pid)) => {
                return Err(DownloadError::Busy {
                    path: dest.to_owned(),
                    pid,
                });
            }
            Err(local::LockError::Io(e)) => return Err(io_err(&lock_path(dest))(e)),
        };
        let link = Link {
            url: Mutex::new(url.to_owned()),
            refresher,
            refreshes: AtomicU64::new(0),
            in_a_row: AtomicU32::new(0),
            refreshing: tokio::sync::Mutex::new(()),
        };
        let mut changes = 0;
        loop {
            match self.attempt_download(&link, dest, options, progress).await {
                Err(DownloadError::ObjectChanged(_)) if changes < 2 => {
                    changes += 1;
                    tracing::warn!("the object changed during the download; restarting");
                    let (part, meta) = part_paths(dest);
                    local::remove_ours(&part).map_err(io_err(&part))?;
                    local::remove_ours(&meta).map_err(io_err(&meta))?;
                }
                Err(DownloadError::ObjectChanged(_)) => {
                    return Err(DownloadError::ObjectChanged(changes + 1));
                }
                Ok(mut report) => {
                    report.refreshes = link.refreshes.load(Ordering::SeqCst) as u32;
                    return Ok(report);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A `GET` that answers with a 2xx response (or a 416 to a ranged request, which the caller
    /// interprets); 403 refreshes the link, 5xx and network errors are retried, 412 (a failed
    /// `If-Match`) means the object changed.
    async fn get(
        &self,
        link: &Link<'_>,
        range: Option<(u64, Option<u64>)>,
        validators: Option<&Validators>,
    ) -> Result<Resp, DownloadError> {
        use reqwest::header;
        let mut headers = Vec::new();
        if let Some((start, end)) = range {
            let spec = match end {
                Some(e) => format!("bytes={start}-{e}"),
                None => format!("bytes={start}-"),
            };
            headers.push((header::RANGE, spec));
        }
        if let Some(v) = validators {
            match (&v.etag, &v.last_modified) {
                (Some(tag), _) => {
                    headers.push((header::IF_MATCH, tag.clone()));
                    headers.push((header::IF_RANGE, tag.clone()));
                }
                (None, Some(date)) => {
                    headers.push((header::IF_UNMODIFIED_SINCE, date.clone()));
                }
                (None, None) => {}
            }
        }
        let mut network_failures = 0;
        loop {
            let url = link.current();
            match self.send(&url, &headers).await {
                Ok(resp) if resp.status() == 403 => {
                    let detail = storage_error(&resp.text().await);
                    link.refused(&url, detail).await?;
                }
                Ok(resp) if resp.status() == 412 => return Err(DownloadError::ObjectChanged(1)),
                Ok(resp) if resp.status() >= 500 && network_failures < 5 => {
                    network_failures += 1;
                    tokio::time::sleep(backoff(network_failures)).await;
                }
                Ok(resp)
                    if (200..300).contains(&resp.status())
                        || (resp.status() == 416 && range.is_some()) =>
                {
                    link.worked();
                    return Ok(resp);
                }
                Ok(resp) => {
                    let status = resp.status();
                    let detail = storage_error(&resp.text().await);
                    return Err(DownloadError::Status {
                        url: display_url(&url),
                        status,
                        detail,
                    });
                }
                Err(direct::Failure::Refused(why)) => return Err(DownloadError::Refused(why)),
                Err(direct::Failure::Network(e))
                    if network_failures < 5 && !cloud_http::network_cause(&*e).is_permanent() =>
                {
                    network_failures += 1;
                    tracing::debug!(error = %e, "download request failed; retrying");
                    tokio::time::sleep(backoff(network_failures)).await;
                }
                Err(direct::Failure::Network(source)) => {
                    return Err(DownloadError::Network {
                        url: display_url(&url),
                        attempts: network_failures + 1,
                        cause: cloud_http::network_cause(&*source),
                        source,
                    });
                }
            }
        }
    }

    /// One `GET` through whichever transport this downloader has.
    async fn send(
        &self,
        url: &str,
        headers: &[(reqwest::header::HeaderName, String)],
    ) -> Result<Resp, direct::Failure> {
        match &self.transport {
            Transport::Reqwest(client) => {
                let mut req = client.get(url);
                for (name, value) in headers {
                    req = req.header(name, value);
                }
                match req.send().await {
                    Ok(resp) => Ok(Resp::Reqwest(resp)),
                    Err(e) if e.is_redirect() => {
                        Err(direct::Failure::Refused(e.without_url().to_string()))
                    }
                    Err(e) => Err(direct::Failure::Network(e.without_url().into())),
                }
            }
            Transport::Direct(client) => {
                let headers: Vec<_> = headers
                    .iter()
                    .map(|(n, v)| {
                        reqwest::header::HeaderValue::from_str(v)
                            .map(|v| (n.clone(), v))
                            .map_err(|e| direct::Failure::Refused(format!("bad {n} header: {e}")))
                    })
                    .collect::<Result<_, _>>()?;
                client
                    .get(url, &headers, redirect_verdict)
                    .await
                    .map(Resp::Direct)
            }
        }
    }

    /// Asks for the first byte: a 206 with `bytes 0-0/SIZE` means ranges work; a 200 is the
    /// whole body; `bytes 0-0/*` (size unknown) is read whole; an empty object answers 416
    /// with `bytes */0`. Anything else is a clear error, never a truncated file.
    async fn probe(
        &self,
        link: &Link<'_>,
        warnings: &mut Vec<String>,
    ) -> Result<Probe, DownloadError> {
        let resp = self.get(link, Some((0, Some(0))), None).await?;
        let (expected, problems) = Expected::from_headers_checked(resp.headers());
        warnings.extend(problems);
        let range = header(&resp, "content-range");
        match resp.status() {
            206 => match content_range(range.as_deref()) {
                Some((0, 0, Some(size))) => {
                    let validators = Validators::of(&resp);
                    // Read the one byte, so that the connection can serve the next request.
                    let _ = resp.text().await;
                    Ok(Probe::Ranged {
                        size,
                        validators,
                        expected,
                    })
                }
                Some((0, 0, None)) => {
                    // Ranges work but the size is unknown: read the object whole instead.
                    let _ = resp.text().await;
                    let whole = self.get(link, None, None).await?;
                    if whole.status() != 200 {
                        return Err(DownloadError::Refused(format!(
                            "HTTP {} to a plain GET (expected 200)",
                            whole.status()
                        )));
                    }
                    let (expected, problems) = Expected::from_headers_checked(whole.headers());
                    warnings.extend(problems);
                    Ok(Probe::Whole {
                        response: whole,
                        expected,
                    })
                }
                _ => Err(DownloadError::Refused(format!(
                    "the answer to a one-byte range has Content-Range {:?}, not `bytes 0-0/SIZE`",
                    range
                        .as_deref()
                        .map(crate::terminal::escape)
                        .unwrap_or_default()
                ))),
            },
            200 => Ok(Probe::Whole {
                response: resp,
                expected,
            }),
            416 if range.as_deref().map(str::trim) == Some("bytes */0") => {
                Ok(Probe::Empty { expected })
            }
            status => Err(DownloadError::Refused(format!(
                "HTTP {status} to a one-byte range is not a file (expected 206, 200, or 416 \
                 with `Content-Range: bytes */0` for an empty object)"
            ))),
        }
    }

    async fn attempt_download(
        &self,
        link: &Link<'_>,
        dest: &Path,
        options: &DownloadOptions,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<DownloadReport, DownloadError> {
        let (part, meta_path) = part_paths(dest);
        let mut warnings = Vec::new();
        let mut probe = self.probe(link, &mut warnings).await?;
        if let Some(listed) = options.crc64 {
            let expected = probe.expected_mut();
            match expected.crc64 {
                Some(stored) if stored != listed => {
                    return Err(DownloadError::ChecksumMismatch {
                        kind: "crc64ecma",
                        expected: format!("{listed} (the API's listing)"),
                        actual: format!("{stored} (the storage's header)"),
                    });
                }
                _ => expected.crc64 = Some(listed),
            }
        }
        if let Some(report) = keep_existing(dest, &probe, options, &warnings).await? {
            return Ok(report);
        }
        match probe {
            Probe::Empty { expected } => {
                local::remove_ours(&meta_path).map_err(io_err(&meta_path))?;
                let file = local::create_fresh(&part).map_err(io_err(&part))?;
                file.sync_all().map_err(io_err(&part))?;
                drop(file);
                let checks = Checksums::new(&expected, options.wants_sha256());
                let (verified, sha256) =
                    finish(&part, dest, 0, options, &expected, checks, Some(0)).await?;
                Ok(DownloadReport {
                    path: dest.to_owned(),
                    bytes: 0,
                    resumed_bytes: 0,
                    verified,
                    ranged: false,
                    refreshes: 0,
                    direct_io: false,
                    skipped: false,
                    warnings,
                    connections: 0,
                    splits: 0,
                    reread_bytes: 0,
                    sha256,
                })
            }
            Probe::Whole { response, expected } => {
                let total = response.content_length();
                let result = self
                    .whole(
                        response, expected, total, &part, &meta_path, dest, link, options, progress,
                    )
                    .await;
                if result.is_err() {
                    // Without ranges nothing can be resumed: leave nothing behind.
                    let _ = local::remove_ours(&part);
                }
                let (bytes, verified, direct_io, sha256) = result?;
                Ok(DownloadReport {
                    path: dest.to_owned(),
                    bytes,
                    resumed_bytes: 0,
                    verified,
                    ranged: false,
                    refreshes: 0,
                    direct_io,
                    skipped: false,
                    warnings,
                    connections: 1,
                    splits: 0,
                    reread_bytes: 0,
                    sha256,
                })
            }
            Probe::Ranged {
                size,
                validators,
                expected,
            } => {
                self.ranged(
                    link, dest, &part, &meta_path, size, validators, expected, options, progress,
                    warnings,
                )
                .await
            }
        }
    }

    /// Streams a whole body (no ranges) into a fresh `.part`, never past the size the response,
    /// the API or the caller allow.
    #[allow(clippy::too_many_arguments)]
    async fn whole(
        &self,
        response: Resp,
        expected: Expected,
        total: Option<u64>,
        part: &Path,
        meta_path: &Path,
        dest: &Path,
        link: &Link<'_>,
        options: &DownloadOptions,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<(u64, Vec<&'static str>, bool, Option<String>), DownloadError> {
        let limit = [total, options.expected_size, options.max_size]
            .into_iter()
            .flatten()
            .min();
        let shared = Shared::new(total, 0);
        let mut checks = Checksums::new(&expected, options.wants_sha256());
        local::remove_ours(meta_path).map_err(io_err(meta_path))?;
        let handle = match total {
            Some(size) => allocate(part, meta_path, dest, size).await?,
            None => local::create_fresh(part).map_err(io_err(part))?,
        };
        let file = PartFile::new(handle, part, options.direct_io);
        let mut writer = file.writer(0, buffer_size(1), WRITE_DEPTH);
        let mut resp = response;
        let mut written = 0u64;
        let mut received = 0u64;
        let mut pace = Pace::new();
        let streamed: Result<(), DownloadError> = async {
            loop {
                let Some(mut chunk) = next_chunk(&mut resp, link, options, 1, &mut pace).await?
                else {
                    return Ok(());
                };
                let over = limit.is_some_and(|l| received + chunk.len() as u64 > l);
                if let Some(l) = limit.filter(|_| over) {
                    chunk.truncate((l - received) as usize);
                }
                received += chunk.len() as u64;
                checks.update(&chunk);
                let n = writer.push(&chunk).await.map_err(io_err(part))?;
                written += n;
                shared.add(n, progress);
                if over {
                    return Err(DownloadError::Refused(format!(
                        "the response body is longer than the {} bytes the file may have; \
                         stopped there",
                        limit.unwrap_or_default()
                    )));
                }
            }
        }
        .await;
        let flushed = writer.flush().await;
        let streamed = match (streamed, flushed) {
            (Err(e), _) => Err(e),
            (Ok(()), Err(e)) => Err(io_err(part)(e)),
            (Ok(()), Ok(n)) => {
                written += n;
                shared.add(n, progress);
                Ok(())
            }
        };
        if let Err(DownloadError::Io { source, .. }) = &streamed
            && is_no_space(source)
        {
            return Err(DownloadError::NoSpace {
                path: dest.to_owned(),
                needed: written,
                source: std::io::Error::new(source.kind(), source.to_string()),
            });
        }
        streamed?;
        file.sync().await.map_err(io_err(part))?;
        let direct_io = file.direct();
        drop(file);
        let (verified, sha256) =
            finish(part, dest, written, options, &expected, checks, total).await?;
        Ok((written, verified, direct_io, sha256))
    }

    /// A download in ranges, resumed from a trusted resume state when there is one.
    #[allow(clippy::too_many_arguments)]
    async fn ranged(
        &self,
        link: &Link<'_>,
        dest: &Path,
        part: &Path,
        meta_path: &Path,
        size: u64,
        validators: Validators,
        expected: Expected,
        options: &DownloadOptions,
        progress: &(dyn Fn(Progress) + Send + Sync),
        warnings: Vec<String>,
    ) -> Result<DownloadReport, DownloadError> {
        for bound in [options.expected_size, options.max_size]
            .into_iter()
            .flatten()
        {
            if size > bound {
                return Err(DownloadError::SizeMismatch {
                    expected: bound,
                    actual: size,
                });
            }
        }
        // A resumed download keeps the layout of ranges it started with, whatever the options
        // now; a state that is damaged, edited, of another version or of another file is not
        // trusted and the download starts over.
        let (handle, meta) = match resumable(part, meta_path, size, &validators).await? {
            Some((handle, meta)) => {
                if handle.metadata().map(|m| m.len()).ok() != Some(size) {
                    handle.set_len(size).map_err(io_err(part))?;
                }
                (handle, meta)
            }
            None => {
                let handle = allocate(part, meta_path, dest, size).await?;
                let id = part_file::file_identity(&handle).map_err(io_err(part))?;
                let meta = Meta::new(validators.clone(), size, range_size(size, options), id);
                (handle, meta)
            }
        };
        let chunk_size = meta.chunk_size;
        let resumed: u64 = meta.written.iter().sum();
        let shared = Arc::new(Shared::new(Some(size), resumed));
        shared.report(progress);
        let file = PartFile::new(handle, part, options.direct_io);
        let state = Mutex::new(meta);
        let saver = Saver {
            path: meta_path,
            part,
            state: &state,
            file: &file,
            saving: tokio::sync::Mutex::new(Instant::now()),
            #[cfg(test)]
            trace: Mutex::default(),
        };
        saver.save().await?;
        let (plan, ctl) =
            parallel::setup(&state.lock().unwrap_or_else(|e| e.into_inner()), options);
        // A CRC-64 alone (the usual case on OSS and COS) is combined from the requests' CRCs:
        // nothing read back. Anything else is hashed in order.
        let combine = expected.crc64.is_some() && expected.md5.is_none() && !options.wants_sha256();
        let in_order = if combine {
            Checksums::new(&Expected::default(), false)
        } else {
            Checksums::new(&expected, options.wants_sha256())
        };
        let frontier = parallel::Frontier::new(in_order);
        let segments = Mutex::new(Vec::new());
        let run = parallel::Run {
            link,
            saver: &saver,
            file: &file,
            size,
            granule: chunk_size,
            validators: &validators,
            options,
            shared: &shared,
            progress,
            plan: &plan,
            ctl: &ctl,
            frontier: &frontier,
            segments: combine.then_some(&segments),
        };
        let stats = self.run_ranges(&run).await?;
        file.sync().await.map_err(io_err(part))?;
        let direct_io = file.direct();
        drop(file);
        let (checks, reread) = if combine {
            let segments = segments.into_inner().unwrap_or_else(|e| e.into_inner());
            match parallel::combined_crc(segments, size, part).await? {
                Some((crc, reread)) => (Some(Checksums::crc64_computed(crc)), reread),
                None => (None, 0),
            }
        } else {
            frontier.into_checks(size)
        };
        let checks = match checks {
            Some(c) => c,
            // Not every byte went through the hasher (cannot happen when every range was
            // written; kept as the safe way out): hash the file as it is on disk.
            None => hash_file(part, &expected, options.wants_sha256()).await?,
        };
        tracing::debug!(
            connections = stats.peak,
            splits = stats.splits,
            reread_bytes = reread,
            "ranges done"
        );
        let (verified, sha256) =
            finish(part, dest, size, options, &expected, checks, Some(size)).await?;
        let _ = local::remove_ours(meta_path);
        shared.report(progress);
        Ok(DownloadReport {
            path: dest.to_owned(),
            bytes: size,
            resumed_bytes: resumed,
            verified,
            ranged: true,
            refreshes: 0,
            direct_io,
            skipped: false,
            warnings,
            connections: stats.peak,
            splits: stats.splits,
            reread_bytes: reread,
            sha256,
        })
    }
}

/// Saves the resume state: the data it claims is made durable first (`fdatasync`), then the
/// state is written atomically (temporary file, fsync, rename).
struct Saver<'a> {
    path: &'a Path,
    part: &'a Path,
    state: &'a Mutex<Meta>,
    file: &'a PartFile,
    /// When the state was last saved; held while saving.
    saving: tokio::sync::Mutex<Instant>,
    /// What a save did, in order (for the test that the data is synced first).
    #[cfg(test)]
    trace: Mutex<Vec<&'static str>>,
}

impl Saver<'_> {
    async fn save(&self) -> Result<(), DownloadError> {
        let mut last = self.saving.lock().await;
        self.save_locked(&mut last).await
    }

    /// Saves when the last save is [`SAVE_EVERY`] old and no other connection is saving.
    async fn save_soon(&self) -> Result<(), DownloadError> {
        let Ok(mut last) = self.saving.try_lock() else {
            return Ok(());
        };
        if last.elapsed() < SAVE_EVERY {
            return Ok(());
        }
        self.save_locked(&mut last).await
    }

    async fn save_locked(&self, last: &mut Instant) -> Result<(), DownloadError> {
        // Every byte this snapshot counts was written before it was taken; the sync after it
        // makes them durable before the state that claims them.
        let json = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .to_json();
        self.file.sync_data().await.map_err(io_err(self.part))?;
        #[cfg(test)]
        self.trace.lock().unwrap().push("data synced");
        let path = self.path.to_owned();
        tokio::task::spawn_blocking(move || local::write_atomic(&path, &json))
            .await
            .map_err(|e| io_err(self.path)(std::io::Error::other(e)))?
            .map_err(io_err(self.path))?;
        #[cfg(test)]
        self.trace.lock().unwrap().push("state saved");
        *last = Instant::now();
        Ok(())
    }
}

/// The `.part` file and its resume state, when the state is intact, describes this object and
/// this very file, and the file is a regular file of ours.
async fn resumable(
    part: &Path,
    meta_path: &Path,
    size: u64,
    validators: &Validators,
) -> Result<Option<(std::fs::File, Meta)>, DownloadError> {
    let text = match local::read_ours(meta_path, 1 << 20) {
        Ok(Some(text)) => text,
        Ok(None) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(io_err(meta_path)(e)); // a link or other entry planted there
        }
        Err(_) => return Ok(None),
    };
    let Ok(meta) = serde_json::from_slice::<Meta>(&text) else {
        tracing::warn!("the resume state is damaged; starting over");
        return Ok(None);
    };
    let handle = match local::open_ours(part) {
        Ok(h) => h,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(part)(e)),
    };
    let id = part_file::file_identity(&handle).map_err(io_err(part))?;
    if !meta.resumes(size, validators, id) {
        tracing::warn!("the resume state does not describe this object and file; starting over");
        return Ok(None);
    }
    Ok(Some((handle, meta)))
}

/// When `dest` already exists: `Some(report)` when it has this object's size and checksums
/// (kept, nothing downloaded), `None` when the download may go on (nothing there, or
/// [`DownloadOptions::overwrite`]), else [`DownloadError::Exists`].
async fn keep_existing(
    dest: &Path,
    probe: &Probe,
    options: &DownloadOptions,
    warnings: &[String],
) -> Result<Option<DownloadReport>, DownloadError> {
    let meta = match std::fs::symlink_metadata(dest) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(dest)(e)),
        Ok(m) => m,
    };
    let exists = |reason: &str| {
        Err(DownloadError::Exists {
            path: dest.to_owned(),
            reason: reason.to_owned(),
        })
    };
    if meta.is_dir() {
        return exists("is a directory");
    }
    if !meta.file_type().is_file() {
        // A link or other entry: replaced (never followed) only when asked.
        return if options.overwrite {
            Ok(None)
        } else {
            exists("is not a regular file")
        };
    }
    let size = probe.size().or(options.expected_size);
    let mut checks = Checksums::new(probe.expected(), options.wants_sha256());
    // A SHA-256 computed only to be reported shows nothing about the file: an expectation must.
    let expects = probe.expected().crc64.is_some()
        || probe.expected().md5.is_some()
        || options.sha256.is_some();
    let reason = if !expects {
        "there is no checksum (from the storage or --sha256) to show it holds this object"
    } else if size.is_some_and(|s| s != meta.len())
        || options.expected_size.is_some_and(|s| s != meta.len())
    {
        "its size differs from the object's"
    } else {
        let mut f = local::open_read(dest).map_err(io_err(dest))?;
        let path = dest.to_owned();
        checks = tokio::task::spawn_blocking(move || {
            use std::io::Read;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    return Ok(checks);
                }
                checks.update(&buf[..n]);
            }
        })
        .await
        .map_err(|e| io_err(&path)(std::io::Error::other(e)))?
        .map_err(io_err(dest))?;
        let sha256 = checks.sha256_hex();
        match checks.verify(probe.expected(), options.sha256.as_deref()) {
            Ok(kinds) => {
                tracing::info!(file = %dest.display(), "already there and verified; skipped");
                let mut verified = vec!["size"];
                verified.extend(kinds);
                return Ok(Some(DownloadReport {
                    path: dest.to_owned(),
                    bytes: meta.len(),
                    resumed_bytes: 0,
                    verified,
                    ranged: false,
                    refreshes: 0,
                    direct_io: false,
                    skipped: true,
                    warnings: warnings.to_vec(),
                    connections: 0,
                    splits: 0,
                    reread_bytes: 0,
                    sha256,
                }));
            }
            Err(_) => "its content differs from the object's checksum",
        }
    };
    if options.overwrite {
        tracing::warn!(file = %dest.display(), "{reason}; overwriting it as asked");
        Ok(None)
    } else {
        exists(reason)
    }
}

/// The next piece of a response body: `None` at its end, `Stalled` after `idle_timeout` without
/// data or a window below `min_speed`, `Network` (counting `attempt`) when the connection fails.
async fn next_chunk(
    resp: &mut Resp,
    link: &Link<'_>,
    options: &DownloadOptions,
    attempt: u32,
    pace: &mut Pace,
) -> Result<Option<bytes::Bytes>, DownloadError> {
    let stalled = |why: String| DownloadError::Stalled {
        url: display_url(&link.current()),
        why,
    };
    loop {
        let idle_left = options
            .idle_timeout
            .saturating_sub(pace.last_data.elapsed());
        let window_left = options
            .speed_window
            .saturating_sub(pace.window_start.elapsed());
        let wait = if options.min_speed > 0 {
            idle_left.min(window_left)
        } else {
            idle_left
        };
        match tokio::time::timeout(wait.max(Duration::from_millis(1)), resp.chunk()).await {
            Err(_) if resp.relax() => {
                // Bytes may be waiting below the socket's low-water mark: read them (one more
                // period) before judging the pace.
                *pace = Pace {
                    window_bytes: 0,
                    ..Pace::new()
                };
            }
            Err(_) => {
                if pace.last_data.elapsed() >= options.idle_timeout {
                    return Err(stalled(format!("no data for {:?}", options.idle_timeout)));
                }
                pace.window_verdict(options).map_err(stalled)?;
            }
            Ok(Err(e)) => {
                return Err(DownloadError::Network {
                    url: display_url(&link.current()),
                    attempts: attempt,
                    cause: cloud_http::network_cause(&*e),
                    source: e,
                });
            }
            Ok(Ok(Some(chunk))) => {
                pace.last_data = Instant::now();
                pace.window_bytes += chunk.len() as u64;
                pace.window_verdict(options).map_err(stalled)?;
                return Ok(Some(chunk));
            }
            Ok(Ok(None)) => return Ok(None),
        }
    }
}

/// Creates a fresh `part` file (never following a link, mode `0600`) of `size` bytes with its
/// blocks allocated; when the disk cannot hold it, removes it (and any resume state) and says
/// so.
async fn allocate(
    part: &Path,
    meta: &Path,
    dest: &Path,
    size: u64,
) -> Result<std::fs::File, DownloadError> {
    let path = part.to_owned();
    let made = tokio::task::spawn_blocking(move || {
        let f = local::create_fresh(&path)?;
        preallocate(&f, size).map(|()| f)
    })
    .await
    .map_err(|e| DownloadError::Io {
        path: part.to_owned(),
        source: std::io::Error::other(e),
    })?;
    match made {
        Ok(f) => Ok(f),
        Err(e) if is_no_space(&e) => {
            let _ = local::remove_ours(part);
            let _ = local::remove_ours(meta);
            Err(DownloadError::NoSpace {
                path: dest.to_owned(),
                needed: size,
                source: e,
            })
        }
        Err(e) => Err(io_err(part)(e)),
    }
}

/// Writes in flight per connection. Two keep the disk busy while the next one is submitted:
/// 0.62-0.76 s for a durable 1 GiB against 0.81-0.85 s with one (docs/benchmarks.md).
const WRITE_DEPTH: usize = 2;

/// The write buffer of each connection (each has `WRITE_DEPTH + 1`): 4 MiB for one or two
/// connections (disks take large direct writes much faster: 1.9 vs 1.3 GB/s for 4 vs 1 MiB
/// here), less with more connections so that all buffers together stay within 24 MiB.
fn buffer_size(connections: usize) -> usize {
    let share = (8 << 20) / connections.max(1);
    share.clamp(64 << 10, 4 << 20) / ALIGN * ALIGN
}

/// Whether to follow a redirect: never from https to http (a link must not travel in clear
/// text), at most 5 hops.
fn redirect_verdict(
    previous_scheme: Option<&str>,
    next_scheme: &str,
    hops: usize,
) -> Result<(), &'static str> {
    if previous_scheme == Some("https") && next_scheme == "http" {
        Err("refusing a redirect from https to http")
    } else if hops >= 5 {
        Err("too many redirects")
    } else {
        Ok(())
    }
}

/// Whether the environment (read through `var`) names a proxy, as `reqwest` would use it.
fn proxy_configured(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    ["https_proxy", "http_proxy", "all_proxy"].iter().any(|v| {
        [v.to_string(), v.to_uppercase()]
            .iter()
            .any(|name| var(name).is_some_and(|x| !x.is_empty()))
    })
}

fn backoff(n: u32) -> Duration {
    Duration::from_millis(50u64.saturating_mul(1 << n.min(6)))
}

fn header(resp: &Resp, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn futures_join_all<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    // Poll every future concurrently on this task (no spawning: they borrow local state).
    let mut futs: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in futs.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.expect("all ready")).collect()
}

/// Hashes the `.part` file as it is on disk (after a resume or parallel ranges, what is
/// verified is the file, not the streams).
async fn hash_file(
    path: &Path,
    expected: &Expected,
    sha256: bool,
) -> Result<Checksums, DownloadError> {
    let mut checks = Checksums::new(expected, sha256);
    if !checks.any() {
        return Ok(checks);
    }
    let f = local::open_ours(path).map_err(io_err(path))?;
    let mut f = tokio::fs::File::from_std(f);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).await.map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        checks.update(&buf[..n]);
    }
    Ok(checks)
}

async fn finish(
    part: &Path,
    dest: &Path,
    actual: u64,
    options: &DownloadOptions,
    expected: &Expected,
    checks: Checksums,
    server_size: Option<u64>,
) -> Result<(Vec<&'static str>, Option<String>), DownloadError> {
    let fail = |e: DownloadError| async {
        let _ = local::remove_ours(part);
        let (_, meta) = part_paths(dest);
        let _ = local::remove_ours(&meta);
        Err(e)
    };
    // What is on disk, not what was counted.
    let on_disk = local::open_ours(part)
        .and_then(|f| f.metadata())
        .map_err(io_err(part))?
        .len();
    let mut verified = Vec::new();
    for want in [options.expected_size, server_size, Some(on_disk)]
        .into_iter()
        .flatten()
    {
        if want != actual {
            return fail(DownloadError::SizeMismatch {
                expected: want,
                actual,
            })
            .await;
        }
    }
    if let Some(max) = options.max_size
        && actual > max
    {
        return fail(DownloadError::SizeMismatch {
            expected: max,
            actual,
        })
        .await;
    }
    verified.push("size");
    let sha256 = checks.sha256_hex();
    match checks.verify(expected, options.sha256.as_deref()) {
        Ok(kinds) => verified.extend(kinds),
        Err(e) => return fail(e).await,
    }
    match local::rename(part, dest, options.overwrite) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(DownloadError::Exists {
                path: dest.to_owned(),
                reason: "appeared while downloading".into(),
            });
        }
        Err(e) => return Err(io_err(dest)(e)),
    }
    local::sync_dir(dest.parent().unwrap_or(Path::new("")));
    Ok((verified, sha256))
}

/// A link read as a stream of bytes from an offset, for transfers that end somewhere other than a
/// local file (the archive's uploads to object stores). As [`Downloader::download`]: 403
/// refreshes the link, 5xx and network errors before a response are retried, redirects follow
/// the downloader's rule; a read resumed from an offset must be of the same object version.
#[cfg_attr(
    not(all(feature = "aliyun", feature = "tencent", feature = "huawei")),
    allow(dead_code)
)]
pub(crate) struct LinkReader<'a> {
    downloader: &'a Downloader,
    link: Link<'a>,
}

/// An open body of a [`LinkReader`].
#[cfg_attr(
    not(all(feature = "aliyun", feature = "tencent", feature = "huawei")),
    allow(dead_code)
)]
pub(crate) struct LinkBody {
    resp: Resp,
    /// The object's whole size, when the response says.
    pub(crate) total: Option<u64>,
    /// Which object version this is.
    pub(crate) version: Validators,
    /// The checksums its headers declare.
    pub(crate) expected: Expected,
    url: String,
}

#[cfg_attr(
    not(all(feature = "aliyun", feature = "tencent", feature = "huawei")),
    allow(dead_code)
)]
impl<'a> LinkReader<'a> {
    /// Reads `url`, refreshing it through `refresher` when it expires.
    pub(crate) fn new(
        downloader: &'a Downloader,
        url: &str,
        refresher: Option<&'a dyn RefreshLink>,
    ) -> Self {
        LinkReader {
            downloader,
            link: Link {
                url: Mutex::new(url.to_owned()),
                refresher,
                refreshes: AtomicU64::new(0),
                in_a_row: AtomicU32::new(0),
                refreshing: tokio::sync::Mutex::new(()),
            },
        }
    }

    /// The body from `offset` (asked as a range, so that the answer says whether a later read
    /// can resume). From a non-zero offset, `version` must be given and still hold: another
    /// version is [`DownloadError::ObjectChanged`], a server that ignores the range
    /// [`DownloadError::Refused`].
    pub(crate) async fn open(
        &self,
        offset: u64,
        version: Option<&Validators>,
    ) -> Result<LinkBody, DownloadError> {
        let resp = self
            .downloader
            .get(&self.link, Some((offset, None)), version)
            .await?;
        let url = display_url(&self.link.current());
        let (expected, _) = Expected::from_headers_checked(resp.headers());
        let now = Validators::of(&resp);
        if version.is_some_and(|v| v.differs(&now)) {
            return Err(DownloadError::ObjectChanged(1));
        }
        let range = header(&resp, "content-range");
        match resp.status() {
            206 => match content_range(range.as_deref()) {
                Some((first, _, total)) if first == offset => Ok(LinkBody {
                    resp,
                    total,
                    version: now,
                    expected,
                    url,
                }),
                _ => Err(DownloadError::Refused(format!(
                    "asked for bytes from {offset}, the server sent {}",
                    range.as_deref().unwrap_or("no Content-Range")
                ))),
            },
            200 if offset == 0 => Ok(LinkBody {
                total: resp.content_length(),
                resp,
                version: now,
                expected,
                url,
            }),
            416 if offset == 0 => Ok(LinkBody {
                // An empty object: nothing to read.
                total: Some(0),
                resp,
                version: now,
                expected,
                url,
            }),
            status => Err(DownloadError::Refused(format!(
                "HTTP {status} to a read from byte {offset} (the server does not resume)"
            ))),
        }
    }
}

#[cfg_attr(
    not(all(feature = "aliyun", feature = "tencent", feature = "huawei")),
    allow(dead_code)
)]
impl LinkBody {
    /// The next piece of the body (`None` at its end); no data for `idle` is a stall.
    pub(crate) async fn chunk(
        &mut self,
        idle: Duration,
    ) -> Result<Option<bytes::Bytes>, DownloadError> {
        if self.resp.status() == 416 {
            return Ok(None);
        }
        match tokio::time::timeout(idle, self.resp.chunk()).await {
            Err(_) => Err(DownloadError::Stalled {
                url: self.url.clone(),
                why: format!("no data for {}s", idle.as_secs()),
            }),
            Ok(Err(source)) => Err(DownloadError::Network {
                url: self.url.clone(),
                attempts: 1,
                cause: cloud_http::network_cause(&*source),
                source,
            }),
            Ok(Ok(chunk)) => Ok(chunk),
        }
    }
}

/// Validators read from a header map (for the fuzz targets).
#[cfg(fuzzing)]
#[doc(hidden)]
pub struct FuzzValidators(Validators);

#[cfg(fuzzing)]
impl FuzzValidators {
    /// The validators of a response with these headers.
    pub fn of(headers: &reqwest::header::HeaderMap) -> Self {
        let get = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        FuzzValidators(Validators {
            etag: get("etag"),
            last_modified: get("last-modified"),
            crc64: Expected::from_headers_checked(headers).0.crc64,
        })
    }
    /// See `Validators::differs`.
    pub fn differs(&self, other: &Self) -> bool {
        self.0.differs(&other.0)
    }
}

/// The resume-state parser with its invariants (for the fuzz targets).
#[cfg(fuzzing)]
#[doc(hidden)]
pub fn fuzz_resume_state(data: &[u8]) {
    let Ok(meta) = serde_json::from_slice::<Meta>(data) else {
        return;
    };
    let again: Meta = serde_json::from_slice(&meta.to_json()).expect("a sealed state parses");
    assert_eq!(again.check, again.seal(), "sealing is stable");
    if meta.resumes(meta.size, &meta.validators, meta.part) {
        let resumed: u64 = meta.written.iter().sum();
        assert!(
            resumed <= meta.size,
            "an accepted state claims at most the object"
        );
        assert!(meta.written.len() as u64 <= MAX_RANGES);
    }
}

/// See `content_range` (for the fuzz targets).
#[cfg(fuzzing)]
#[doc(hidden)]
pub fn fuzz_content_range(value: Option<&str>) -> Option<(u64, u64, Option<u64>)> {
    content_range(value)
}

/// See `storage_error` (for the fuzz targets).
#[cfg(fuzzing)]
#[doc(hidden)]
pub fn fuzz_storage_error(body: &str) -> Option<String> {
    storage_error(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_data_is_durable_before_the_state_that_claims_it() {
        let dir = tempfile::tempdir().unwrap();
        let (part, meta_path) = part_paths(&dir.path().join("f"));
        let handle = local::create_new(&part).unwrap();
        let id = part_file::file_identity(&handle).unwrap();
        handle.set_len(1 << 20).unwrap();
        let file = PartFile::new(handle, &part, false);
        let state = Mutex::new(Meta::new(Validators::default(), 1 << 20, 1 << 20, id));
        let saver = Saver {
            path: &meta_path,
            part: &part,
            state: &state,
            file: &file,
            saving: tokio::sync::Mutex::new(Instant::now() - SAVE_EVERY),
            trace: Mutex::default(),
        };
        let mut w = file.writer(0, ALIGN, 1);
        let n = w.push(&[7u8; 3 * ALIGN]).await.unwrap() + w.flush().await.unwrap();
        state.lock().unwrap().written[0] += n;
        saver.save_soon().await.unwrap();
        saver.save().await.unwrap();
        assert_eq!(
            *saver.trace.lock().unwrap(),
            ["data synced", "state saved", "data synced", "state saved"]
        );
        // What was saved is sealed and claims exactly what was written.
        let saved: Meta = serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
        assert_eq!(saved.written, [3 * ALIGN as u64]);
        assert_eq!(saved.check, saved.seal());
        // A save right after another one is skipped.
        saver.save_soon().await.unwrap();
        assert_eq!(saver.trace.lock().unwrap().len(), 4);
    }

    #[test]
    fn a_resume_state_is_trusted_only_intact_of_this_object_and_file() {
        let v = Validators {
            etag: Some("\"e\"".into()),
            ..Validators::default()
        };
        let sealed = |m: &Meta| -> Meta { serde_json::from_slice(&m.to_json()).unwrap() };
        let good = sealed(&Meta::new(v.clone(), 1 << 20, 256 << 10, (1, 2)));
        assert!(good.resumes(1 << 20, &v, (1, 2)));
        assert!(!good.resumes(1 << 20, &v, (1, 3)), "another file");
        assert!(!good.resumes(2 << 20, &v, (1, 2)), "another size");
        let other = Validators {
            last_modified: Some("x".into()),
            ..v.clone()
        };
        assert!(!good.resumes(1 << 20, &other, (1, 2)), "another version");
        let mut edited = good.clone();
        edited.written[0] = 256 << 10;
        assert!(
            !edited.resumes(1 << 20, &v, (1, 2)),
            "edited without the seal"
        );
        let tiny = sealed(&Meta::new(v.clone(), 1 << 20, 1, (1, 2)));
        assert!(!tiny.resumes(1 << 20, &v, (1, 2)), "absurd chunk size");
        let untagged = sealed(&Meta::new(
            Validators::default(),
            1 << 20,
            256 << 10,
            (1, 2),
        ));
        assert!(
            !untagged.resumes(1 << 20, &Validators::default(), (1, 2)),
            "no ETag"
        );
    }

    #[test]
    fn content_ranges_are_parsed_strictly() {
        assert_eq!(content_range(Some("bytes 0-0/10")), Some((0, 0, Some(10))));
        assert_eq!(content_range(Some("bytes 0-0/*")), Some((0, 0, None)));
        for bad in [
            "bytes 0-0/0",
            "bytes 5-1/10",
            "bytes 0-10/10",
            "bytes -1-0/5",
            "0-0/5",
            "bytes 0-0/x",
            "bytes 0-0/+5",
        ] {
            assert_eq!(content_range(Some(bad)), None, "{bad}");
        }
        assert_eq!(content_range(None), None);
    }

    #[test]
    fn redirects_never_downgrade_to_http() {
        assert!(redirect_verdict(Some("https"), "http", 1).is_err());
        assert!(redirect_verdict(Some("https"), "https", 1).is_ok());
        assert!(redirect_verdict(Some("http"), "https", 1).is_ok());
        assert!(redirect_verdict(Some("http"), "http", 5).is_err());
    }

    #[test]
    fn a_proxy_in_the_environment_selects_the_reqwest_client() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        assert!(!proxy_configured(env(&[])));
        assert!(!proxy_configured(env(&[
            ("HTTPS_PROXY", ""),
            ("NO_PROXY", "x")
        ])));
        assert!(proxy_configured(env(&[("HTTPS_PROXY", "http://p:3128")])));
        assert!(proxy_configured(env(&[("http_proxy", "http://p:3128")])));
        assert!(proxy_configured(env(&[("ALL_PROXY", "socks5://p")])));
    }

    #[test]
    fn display_url_cuts_the_query() {
        assert_eq!(
            display_url("https://h/p/f.tar?Signature=s&x=1"),
            "https://h/p/f.tar?<redacted>"
        );
        assert_eq!(display_url("https://h/p/f.tar"), "https://h/p/f.tar");
    }
}
