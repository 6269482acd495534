//! A downloader that never loses data: it streams to `<file>.part` with bounded memory, resumes
//! from where it stopped (`Range` + `If-Range`, restarting when the object changed), downloads in
//! parallel ranges when the server allows, refreshes expired links through the vendor API,
//! verifies size and checksums, and renames into place only after verification.
//!
//! Download links are credentials: they are never logged or put in errors with their query
//! string, and no API credential or vendor header is ever sent to the download host.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloud_http::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

use crate::checksum::{Checksums, Expected};
use crate::direct::{self, Direct};
use crate::part_file::{ALIGN, PartFile, is_no_space, preallocate};

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
    #[error("download from {url} failed after {attempts} attempts: {source}")]
    Network {
        /// The link without its query.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last error (its URL stripped).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No data arrived for too long.
    #[error("download from {url} stalled: no data for {0:?}", idle)]
    Stalled {
        /// The link without its query.
        url: String,
        /// The idle limit.
        idle: Duration,
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
    /// Invalid options.
    #[error("invalid download option {field}: {rule}")]
    InvalidInput {
        /// The option.
        field: &'static str,
        /// The rule.
        rule: String,
    },
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
    /// Parallel connections when the server supports ranges (default 4; 1 = single stream).
    pub connections: usize,
    /// Range size per request in parallel mode (default 8 MiB); grown for objects that would
    /// need more than 4096 ranges. A resumed download keeps the ranges it started with.
    pub chunk_size: u64,
    /// The size the API declared; checked before the rename.
    pub expected_size: Option<u64>,
    /// A SHA-256 (hex) the caller expects.
    pub sha256: Option<String>,
    /// Retries per range (or stream) after network errors (default 5).
    pub max_retries: u32,
    /// Longest time without data before a connection is considered dead (default 60 s).
    pub idle_timeout: Duration,
    /// Write with `O_DIRECT` on Linux when the filesystem allows it (default true): the data
    /// goes to the disk as it arrives instead of piling up in the page cache, so the final
    /// fsync is nearly instant and a large backup does not evict everything else from the
    /// cache. Filesystems without direct I/O get buffered writes either way.
    pub direct_io: bool,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            connections: 4,
            chunk_size: 8 << 20,
            expected_size: None,
            sha256: None,
            max_retries: 5,
            idle_timeout: Duration::from_secs(60),
            direct_io: true,
        }
    }
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
}

/// The resume state kept beside the `.part` file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Meta {
    etag: Option<String>,
    size: u64,
    chunk_size: u64,
    /// Bytes written at the start of each chunk.
    written: Vec<u64>,
}

impl Meta {
    fn new(etag: Option<String>, size: u64, chunk_size: u64) -> Self {
        Meta {
            etag,
            size,
            chunk_size,
            written: vec![0; size.div_ceil(chunk_size).max(1) as usize],
        }
    }

    /// Whether this state (read from disk, so possibly damaged) describes a partial download of
    /// this very object that can go on.
    fn resumes(&self, size: u64, etag: Option<&str>) -> bool {
        self.size == size
            && self.etag.is_some()
            && self.etag.as_deref() == etag
            && self.chunk_size > 0
            && self.written.len() as u64 == size.div_ceil(self.chunk_size).max(1)
            && self.written.iter().enumerate().all(|(i, &w)| {
                let start = i as u64 * self.chunk_size;
                w <= self.chunk_size.min(size.saturating_sub(start))
            })
    }
}

/// Most ranges a download is split into: the resume state lists them all, and is saved often.
const MAX_RANGES: u64 = 4096;

/// What the downloader calls itself.
const USER_AGENT: &str = concat!("cloud-backup/", env!("CARGO_PKG_VERSION"));

/// The range size for a new download: the whole object for one connection, else the option's,
/// grown (to a multiple of the direct-I/O alignment) when the object would need more than
/// [`MAX_RANGES`] ranges.
fn range_size(size: u64, options: &DownloadOptions) -> u64 {
    if options.connections == 1 {
        return size.max(1);
    }
    let floor = size.div_ceil(MAX_RANGES).next_multiple_of(ALIGN as u64);
    options.chunk_size.max(floor)
}

/// Paths of the partial file and its resume state.
pub fn part_paths(dest: &Path) -> (PathBuf, PathBuf) {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (
        dest.with_file_name(format!("{name}.part")),
        dest.with_file_name(format!("{name}.part.json")),
    )
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
        header(self, "content-length").and_then(|v| v.parse().ok())
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
}

impl Link<'_> {
    fn current(&self) -> String {
        self.url.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    async fn refresh(&self, stale: &str) -> Result<(), DownloadError> {
        let Some(r) = self.refresher else {
            return Err(DownloadError::Expired(format!(
                "{} was refused (HTTP 403) and no refresher is available",
                display_url(stale)
            )));
        };
        if self.current() != stale {
            return Ok(()); // another connection refreshed it already
        }
        if self.refreshes.fetch_add(1, Ordering::SeqCst) >= 20 {
            return Err(DownloadError::Expired(
                "refreshed 20 times; giving up".into(),
            ));
        }
        let fresh = r.refresh().await?;
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
    /// Ranges work: size, etag, checksums.
    Ranged {
        size: u64,
        etag: Option<String>,
        expected: Expected,
    },
    /// No ranges: the whole body, already streaming.
    Whole { response: Resp, expected: Expected },
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
    /// verification failure, which deletes them.
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
        if options.chunk_size < 64 * 1024 {
            return Err(DownloadError::InvalidInput {
                field: "chunk_size",
                rule: "must be at least 64 KiB".into(),
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
        let link = Link {
            url: Mutex::new(url.to_owned()),
            refresher,
            refreshes: AtomicU64::new(0),
        };
        let mut changes = 0;
        loop {
            match self.attempt_download(&link, dest, options, progress).await {
                Err(DownloadError::ObjectChanged(_)) if changes < 2 => {
                    changes += 1;
                    tracing::warn!("the object changed since the partial download; restarting");
                    let (part, meta) = part_paths(dest);
                    let _ = tokio::fs::remove_file(&part).await;
                    let _ = tokio::fs::remove_file(&meta).await;
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

    async fn get(
        &self,
        link: &Link<'_>,
        range: Option<(u64, Option<u64>)>,
        if_range: Option<&str>,
    ) -> Result<Resp, DownloadError> {
        let mut headers = Vec::new();
        if let Some((start, end)) = range {
            let spec = match end {
                Some(e) => format!("bytes={start}-{e}"),
                None => format!("bytes={start}-"),
            };
            headers.push((reqwest::header::RANGE, spec));
            if let Some(tag) = if_range {
                headers.push((reqwest::header::IF_RANGE, tag.to_owned()));
            }
        }
        let mut network_failures = 0;
        loop {
            let url = link.current();
            match self.send(&url, &headers).await {
                Ok(resp) if resp.status() == 403 => {
                    link.refresh(&url).await?;
                }
                Ok(resp) if resp.status() >= 500 && network_failures < 5 => {
                    network_failures += 1;
                    tokio::time::sleep(backoff(network_failures)).await;
                }
                Ok(resp) if (200..300).contains(&resp.status()) => return Ok(resp),
                Ok(resp) => {
                    let status = resp.status();
                    let body = resp.text().await;
                    let detail = body
                        .split("<Code>")
                        .nth(1)
                        .and_then(|s| s.split("</Code>").next())
                        .map(str::to_owned);
                    return Err(DownloadError::Status {
                        url: display_url(&url),
                        status,
                        detail,
                    });
                }
                Err(direct::Failure::Refused(why)) => return Err(DownloadError::Refused(why)),
                Err(direct::Failure::Network(e)) if network_failures < 5 => {
                    network_failures += 1;
                    tracing::debug!(error = %e, "download request failed; retrying");
                    tokio::time::sleep(backoff(network_failures)).await;
                }
                Err(direct::Failure::Network(source)) => {
                    return Err(DownloadError::Network {
                        url: display_url(&url),
                        attempts: network_failures + 1,
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

    async fn probe(&self, link: &Link<'_>) -> Result<Probe, DownloadError> {
        let resp = self.get(link, Some((0, Some(0))), None).await?;
        let etag = header(&resp, "etag");
        let expected = Expected::from_headers(resp.headers());
        if resp.status() == 206
            && let Some(size) = header(&resp, "content-range")
                .and_then(|r| r.rsplit('/').next().and_then(|t| t.parse::<u64>().ok()))
        {
            // Read the one byte, so that the connection can serve the next request.
            let _ = resp.text().await;
            return Ok(Probe::Ranged {
                size,
                etag,
                expected,
            });
        }
        Ok(Probe::Whole {
            response: resp,
            expected,
        })
    }

    async fn attempt_download(
        &self,
        link: &Link<'_>,
        dest: &Path,
        options: &DownloadOptions,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<DownloadReport, DownloadError> {
        let (part, meta_path) = part_paths(dest);
        match self.probe(link).await? {
            Probe::Whole { response, expected } => {
                let total = response.content_length();
                let shared = Shared {
                    done: AtomicU64::new(0),
                    total,
                    started: Instant::now(),
                    resumed: 0,
                    last_report: AtomicU64::new(0),
                };
                let mut checks = Checksums::new(&expected, options.sha256.is_some());
                match total {
                    Some(size) => allocate(&part, &meta_path, dest, size).await?,
                    None => drop(std::fs::File::create(&part).map_err(io_err(&part))?),
                }
                let file = PartFile::open(&part, options.direct_io).map_err(io_err(&part))?;
                let mut writer = file.writer(0, buffer_size(1), WRITE_DEPTH);
                let mut resp = response;
                let mut written = 0u64;
                let streamed: Result<(), DownloadError> = async {
                    loop {
                        let Some(chunk) = next_chunk(&mut resp, link, options, 1).await? else {
                            return Ok(());
                        };
                        checks.update(&chunk);
                        let n = writer.push(&chunk).await.map_err(io_err(&part))?;
                        written += n;
                        shared.add(n, progress);
                    }
                }
                .await;
                let n = writer.flush().await.map_err(io_err(&part))?;
                written += n;
                shared.add(n, progress);
                streamed?;
                file.sync().await.map_err(io_err(&part))?;
                let direct_io = file.direct();
                drop(file);
                let verified =
                    finish(&part, dest, written, options, &expected, checks, total).await?;
                let _ = tokio::fs::remove_file(&meta_path).await;
                Ok(DownloadReport {
                    path: dest.to_owned(),
                    bytes: written,
                    resumed_bytes: 0,
                    verified,
                    ranged: false,
                    refreshes: 0,
                    direct_io,
                })
            }
            Probe::Ranged {
                size,
                etag,
                expected,
            } => {
                let part_len = tokio::fs::metadata(&part).await.map(|m| m.len()).ok();
                // A resumed download keeps the layout of ranges it started with, whatever the
                // options now.
                let meta = match load_meta(&meta_path).await {
                    Some(m) if part_len.is_some() && m.resumes(size, etag.as_deref()) => {
                        if part_len != Some(size) {
                            let f = tokio::fs::OpenOptions::new()
                                .write(true)
                                .open(&part)
                                .await
                                .map_err(io_err(&part))?;
                            f.set_len(size).await.map_err(io_err(&part))?;
                        }
                        m
                    }
                    _ => {
                        allocate(&part, &meta_path, dest, size).await?;
                        Meta::new(etag.clone(), size, range_size(size, options))
                    }
                };
                let (chunk_size, chunks) = (meta.chunk_size, meta.written.len());
                let resumed: u64 = meta.written.iter().sum();
                let shared = Arc::new(Shared {
                    done: AtomicU64::new(resumed),
                    total: Some(size),
                    started: Instant::now(),
                    resumed,
                    last_report: AtomicU64::new(0),
                });
                shared.report(progress);
                let state = Mutex::new(meta);
                save_meta(&meta_path, &state).await?;
                let next = AtomicU64::new(0);
                let workers = options.connections.min(chunks).max(1);
                let single = workers == 1 && chunks == 1;
                // A single fresh stream hashes as it goes; anything else verifies from disk.
                let inline = Mutex::new(
                    (single && resumed == 0)
                        .then(|| Checksums::new(&expected, options.sha256.is_some())),
                );
                let file = PartFile::open(&part, options.direct_io).map_err(io_err(&part))?;
                let buffer = buffer_size(workers);
                let run = |_: usize| async {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst) as usize;
                        if i >= chunks {
                            return Ok::<(), DownloadError>(());
                        }
                        let start = i as u64 * chunk_size;
                        let end = (start + chunk_size).min(size);
                        let chunk = Chunk {
                            index: i,
                            start,
                            end,
                        };
                        self.fetch_chunk(
                            link,
                            &file,
                            buffer,
                            &part,
                            &meta_path,
                            &state,
                            &chunk,
                            etag.as_deref(),
                            options,
                            &shared,
                            progress,
                            &inline,
                        )
                        .await?;
                    }
                };
                let results = futures_join_all((0..workers).map(run).collect::<Vec<_>>()).await;
                for r in results {
                    r?;
                }
                file.sync().await.map_err(io_err(&part))?;
                let direct_io = file.direct();
                drop(file);
                let checks = match inline.into_inner().unwrap_or_else(|e| e.into_inner()) {
                    Some(c) => c,
                    None => hash_file(&part, &expected, options.sha256.is_some()).await?,
                };
                let verified =
                    finish(&part, dest, size, options, &expected, checks, Some(size)).await?;
                let _ = tokio::fs::remove_file(&meta_path).await;
                shared.report(progress);
                Ok(DownloadReport {
                    path: dest.to_owned(),
                    bytes: size,
                    resumed_bytes: resumed,
                    verified,
                    ranged: true,
                    refreshes: 0,
                    direct_io,
                })
            }
        }
    }

    /// Downloads what is missing of one range, resuming within it after network errors.
    #[allow(clippy::too_many_arguments)]
    async fn fetch_chunk(
        &self,
        link: &Link<'_>,
        file: &PartFile,
        buffer: usize,
        part: &Path,
        meta_path: &Path,
        state: &Mutex<Meta>,
        chunk: &Chunk,
        etag: Option<&str>,
        options: &DownloadOptions,
        shared: &Shared,
        progress: &(dyn Fn(Progress) + Send + Sync),
        inline: &Mutex<Option<Checksums>>,
    ) -> Result<(), DownloadError> {
        let Chunk { index, start, end } = *chunk;
        let mut failures = 0u32;
        loop {
            let written = state.lock().unwrap_or_else(|e| e.into_inner()).written[index];
            let pos = start + written;
            if pos >= end {
                return Ok(());
            }
            let resp = self.get(link, Some((pos, Some(end - 1))), etag).await?;
            if resp.status() != 206 {
                // If-Range did not match: the object is not the one we have parts of.
                return Err(DownloadError::ObjectChanged(1));
            }
            let range_ok = header(&resp, "content-range")
                .is_some_and(|r| r.starts_with(&format!("bytes {pos}-")));
            if !range_ok {
                return Err(DownloadError::Refused(
                    "the server answered a different range than requested".into(),
                ));
            }
            let mut resp = resp;
            let mut last_save = Instant::now();
            let mut writer = file.writer(pos, buffer, WRITE_DEPTH);
            let mut room = end - pos;
            // A byte counts as written (and may be saved as resumable) only once its write
            // returned.
            let count = |n: u64| {
                if n > 0 {
                    state.lock().unwrap_or_else(|e| e.into_inner()).written[index] += n;
                    shared.add(n, progress);
                }
            };
            let outcome: Result<(), DownloadError> = async {
                loop {
                    let Some(data) = next_chunk(&mut resp, link, options, failures + 1).await?
                    else {
                        return Ok(());
                    };
                    let take = (data.len() as u64).min(room) as usize;
                    room -= take as u64;
                    if let Some(c) = inline.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                        c.update(&data[..take]);
                    }
                    let n = writer.push(&data[..take]).await.map_err(io_err(part))?;
                    count(n);
                    // Bound the work lost to a crash: save at least every 200 ms.
                    if n > 0 && last_save.elapsed() >= Duration::from_millis(200) {
                        save_meta(meta_path, state).await?;
                        last_save = Instant::now();
                    }
                }
            }
            .await;
            // Whatever happened, what was received is written and counted before going on.
            let flushed = writer.flush().await.map_err(io_err(part));
            if let Ok(n) = flushed {
                count(n);
            }
            save_meta(meta_path, state).await?;
            let outcome = match (outcome, flushed) {
                (Err(e @ DownloadError::Io { .. }), _) => return Err(e),
                (_, Err(e)) => return Err(e),
                (outcome, Ok(_)) => outcome,
            };
            match outcome {
                Ok(()) => {
                    let written = state.lock().unwrap_or_else(|e| e.into_inner()).written[index];
                    if start + written >= end {
                        return Ok(());
                    }
                    failures += 1; // the body ended early
                }
                Err(e) => {
                    failures += 1;
                    if failures > options.max_retries {
                        return Err(e);
                    }
                    tracing::debug!(error = %e, chunk = index, "range interrupted; resuming");
                }
            }
            if failures > options.max_retries {
                return Err(DownloadError::Refused(format!(
                    "range {start}-{} kept ending early",
                    end - 1
                )));
            }
            // A stream that broke mid-way cannot be hashed inline any more.
            if failures > 0 {
                inline.lock().unwrap_or_else(|e| e.into_inner()).take();
            }
            tokio::time::sleep(backoff(failures)).await;
        }
    }
}

/// The next piece of a response body: `None` at its end, `Stalled` after `idle_timeout` without
/// data, `Network` (counting `attempt`) when the connection fails.
async fn next_chunk(
    resp: &mut Resp,
    link: &Link<'_>,
    options: &DownloadOptions,
    attempt: u32,
) -> Result<Option<bytes::Bytes>, DownloadError> {
    match tokio::time::timeout(options.idle_timeout, resp.chunk()).await {
        Err(_) => Err(DownloadError::Stalled {
            url: display_url(&link.current()),
            idle: options.idle_timeout,
        }),
        Ok(Err(e)) => Err(DownloadError::Network {
            url: display_url(&link.current()),
            attempts: attempt,
            source: e,
        }),
        Ok(Ok(chunk)) => Ok(chunk),
    }
}

/// Creates a fresh `part` file of `size` bytes with its blocks allocated; when the disk cannot
/// hold it, removes it (and any resume state) and says so.
async fn allocate(part: &Path, meta: &Path, dest: &Path, size: u64) -> Result<(), DownloadError> {
    let path = part.to_owned();
    let made = tokio::task::spawn_blocking(move || {
        let f = std::fs::File::create(&path)?;
        preallocate(&f, size)
    })
    .await
    .map_err(|e| DownloadError::Io {
        path: part.to_owned(),
        source: std::io::Error::other(e),
    })?;
    match made {
        Ok(()) => Ok(()),
        Err(e) if is_no_space(&e) => {
            let _ = tokio::fs::remove_file(part).await;
            let _ = tokio::fs::remove_file(meta).await;
            Err(DownloadError::NoSpace {
                path: dest.to_owned(),
                needed: size,
                source: e,
            })
        }
        Err(e) => Err(io_err(part)(e)),
    }
}

/// One range of the object.
struct Chunk {
    index: usize,
    start: u64,
    end: u64,
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

async fn load_meta(path: &Path) -> Option<Meta> {
    let text = tokio::fs::read(path).await.ok()?;
    serde_json::from_slice(&text).ok()
}

/// Writes the resume state atomically (temp file + rename). Holding the state lock while doing
/// so keeps concurrent savers from interleaving; the file is tiny.
async fn save_meta(path: &Path, state: &Mutex<Meta>) -> Result<(), DownloadError> {
    let guard = state.lock().unwrap_or_else(|e| e.into_inner());
    let json = serde_json::to_vec(&*guard).expect("meta serializes");
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

async fn hash_file(
    path: &Path,
    expected: &Expected,
    sha256: bool,
) -> Result<Checksums, DownloadError> {
    let mut checks = Checksums::new(expected, sha256);
    if !checks.any() {
        return Ok(checks);
    }
    let mut f = tokio::fs::File::open(path).await.map_err(io_err(path))?;
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
) -> Result<Vec<&'static str>, DownloadError> {
    let fail = |e: DownloadError| async {
        let _ = tokio::fs::remove_file(part).await;
        let (_, meta) = part_paths(dest);
        let _ = tokio::fs::remove_file(meta).await;
        Err(e)
    };
    let mut verified = Vec::new();
    for want in [options.expected_size, server_size].into_iter().flatten() {
        if want != actual {
            return fail(DownloadError::SizeMismatch {
                expected: want,
                actual,
            })
            .await;
        }
    }
    verified.push("size");
    match checks.verify(expected, options.sha256.as_deref()) {
        Ok(kinds) => verified.extend(kinds),
        Err(e) => return fail(e).await,
    }
    tokio::fs::rename(part, dest).await.map_err(io_err(dest))?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = tokio::fs::File::open(dir).await
    {
        let _ = d.sync_all().await;
    }
    Ok(verified)
}

#[cfg(test)]
mod tests {
    use super::*;

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
