//! The HTTP client: signs every attempt afresh, retries what is safe to retry, enforces timeouts
//! and a response size cap, and traces each operation.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use cloud_sign::{Payload, SignableRequest, SigningOutput, canonical_query};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use time::OffsetDateTime;
use tracing::{Instrument, field};

use crate::endpoint::Endpoint;
use crate::error::{Error, OperationName, ServiceError, excerpt, redact_urls};
use crate::retry::{RETRY_COST, RetryConfig, TIMEOUT_RETRY_COST};
use crate::runtime::{Clock, Random, Sleep, SystemClock, SystemRandom, TokioSleep};

/// A request as a vendor crate builds it, before signing. Query pairs and header values are
/// unencoded; the wire query is [`cloud_sign::canonical_query`] of the pairs, exactly what is
/// signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The API path (`/`, `/v3/{project_id}/backups`); the endpoint's prefix is added.
    pub path: String,
    /// Query pairs.
    pub query: Vec<(String, String)>,
    /// Headers besides those the signer adds (`content-type`, `x-tc-action`, `x-project-id`).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Query parameters whose values are secrets (a database password the API wants in the
    /// query): sent and signed as usual, but shown as `<redacted>` in traces, snapshots and
    /// `Debug` of the prepared request.
    pub sensitive_query: Vec<&'static str>,
}

impl ApiRequest {
    /// A request with no query, headers or body.
    pub fn new(method: &'static str, path: impl Into<String>) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
            sensitive_query: Vec::new(),
        }
    }

    /// Replaces the values of [`ApiRequest::sensitive_query`] parameters in `text` (a URL or a
    /// canonical request, where values appear percent-encoded after `name=`).
    pub fn redact_sensitive(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (name, value) in &self.query {
            if self.sensitive_query.contains(&name.as_str()) && !value.is_empty() {
                let encoded = format!(
                    "{}={}",
                    cloud_sign::percent_encode(name),
                    cloud_sign::percent_encode(value)
                );
                out = out.replace(
                    &encoded,
                    &format!("{}=<redacted>", cloud_sign::percent_encode(name)),
                );
            }
        }
        out
    }
}

/// Whether an operation may be sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, and writes whose repetition is harmless.
    Idempotent,
    /// A write carrying an idempotency token (Aliyun `ClientToken`): the server deduplicates.
    Token,
    /// A write without a token: resent only when the failure proves the request never left (or
    /// the server said it did not execute it: throttling, clock skew).
    Unsafe,
}

/// An operation: its name (for errors and traces) and idempotency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Vendor and action.
    pub name: OperationName,
    /// May it be resent?
    pub idempotency: Idempotency,
}

impl Operation {
    /// An operation of `vendor` named `action`.
    pub fn new(vendor: &'static str, action: &'static str, idempotency: Idempotency) -> Self {
        Operation {
            name: OperationName { vendor, action },
            idempotency,
        }
    }
}

/// What a signer gets for one attempt: fresh time and nonce.
#[derive(Debug, Clone, Copy)]
pub struct AttemptContext<'a> {
    /// The signing time (the clock, corrected by any measured skew).
    pub time: OffsetDateTime,
    /// A fresh nonce for this attempt.
    pub nonce: &'a str,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The API action.
    pub action: &'static str,
}

/// How a failed response should be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// Never retry (credentials, signature, permission, parameters, business errors).
    Never,
    /// A transient server failure (5xx, internal error): retried for idempotent and token-carrying
    /// operations only, since the server may have acted.
    Transient,
    /// Throttled: the server refused without acting, so any operation may be retried.
    Throttled,
    /// The server refused the signature's timestamp: the client measures the offset from the
    /// response's `Date` header and re-signs once. The server did not act.
    ClockSkew,
}

/// A vendor's verdict on a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classification {
    /// The call succeeded; the vendor crate parses the body.
    Success,
    /// The call failed.
    Failure {
        /// The error as the service reported it.
        error: ServiceError,
        /// Whether and how to retry.
        retry: RetryKind,
        /// A vendor-specific server hint (`x-acs-retry-after`); `Retry-After` is read by the
        /// transport itself.
        retry_after: Option<Duration>,
    },
}

/// What a vendor plugs into the transport.
pub trait Protocol: Send + Sync {
    /// Signs one attempt. Errors (missing credentials) stop the call before anything is sent.
    fn sign(
        &self,
        request: &SignableRequest<'_>,
        attempt: &AttemptContext<'_>,
    ) -> Result<SigningOutput, Error>;

    /// Classifies a response.
    fn classify(&self, response: &RawResponse) -> Classification;

    /// Finds the request id of a response (header or body), for traces and errors.
    fn request_id(&self, response: &RawResponse) -> Option<String>;
}

/// A response read in full (within the size cap).
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The request id, as the protocol found it.
    pub request_id: Option<String>,
    /// The operation this answers.
    pub operation: OperationName,
}

impl RawResponse {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// An [`Error::UnreadableResponse`] for this response, with a bounded, redacted excerpt.
    pub fn unreadable(&self, reason: impl AsRef<str>) -> Error {
        Error::UnreadableResponse {
            operation: self.operation.clone(),
            status: self.status,
            request_id: self.request_id.clone(),
            reason: redact_urls(reason.as_ref()),
            excerpt: excerpt(&self.body, EXCERPT_BYTES),
        }
    }

    /// Parses the body as JSON, or returns [`Error::UnreadableResponse`].
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| self.unreadable(e.to_string()))
    }
}

/// Bytes of a body quoted in an [`Error::UnreadableResponse`].
pub const EXCERPT_BYTES: usize = 200;

/// Timeouts, limits and retry settings of an [`HttpClient`].
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Time to establish a connection (TCP + TLS). Default 5 s.
    pub connect_timeout: Duration,
    /// Time for one attempt, from sending to the last byte of the response. Default 30 s.
    pub attempt_timeout: Duration,
    /// Time for the whole operation, retries and backoff included. Default 120 s.
    pub operation_timeout: Duration,
    /// Largest response body read for an API call. Default 8 MiB.
    pub max_response_bytes: usize,
    /// Permit plain `http://` endpoints (tests, emulators). Default false.
    pub allow_http: bool,
    /// Retry settings (standard mode by default).
    pub retry: RetryConfig,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(30),
            operation_timeout: Duration::from_secs(120),
            max_response_bytes: 8 << 20,
            allow_http: false,
            retry: RetryConfig::default(),
        }
    }
}

/// Builds an [`HttpClient`].
#[derive(Debug, Default)]
pub struct HttpClientBuilder {
    config: HttpConfig,
    client: Option<reqwest::Client>,
    clock: Option<Arc<dyn Clock>>,
    sleep: Option<Arc<dyn Sleep>>,
    random: Option<Arc<dyn Random>>,
    backend: Option<Arc<dyn HttpBackend>>,
}

impl HttpClientBuilder {
    /// Replaces the network with `backend`: every attempt is handed to it fully signed instead of
    /// being sent. For offline tests and snapshots ([`crate::testing::Recorder`]) and dry runs.
    pub fn backend(mut self, backend: Arc<dyn HttpBackend>) -> Self {
        self.backend = Some(backend);
        self
    }
    /// Replaces the configuration.
    pub fn config(mut self, config: HttpConfig) -> Self {
        self.config = config;
        self
    }
    /// Uses the caller's `reqwest::Client` (proxies, custom roots). Its own timeouts apply in
    /// addition to ours; `connect_timeout` is then the caller's business.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }
    /// Injects the clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }
    /// Injects the sleep.
    pub fn sleep(mut self, sleep: Arc<dyn Sleep>) -> Self {
        self.sleep = Some(sleep);
        self
    }
    /// Injects randomness.
    pub fn random(mut self, random: Arc<dyn Random>) -> Self {
        self.random = Some(random);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<HttpClient, Error> {
        let inner = match self.client {
            Some(c) => c,
            None => default_reqwest_client(self.config.connect_timeout)?,
        };
        Ok(HttpClient {
            inner,
            config: Arc::new(self.config),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            sleep: self.sleep.unwrap_or_else(|| Arc::new(TokioSleep)),
            random: self.random.unwrap_or_else(|| Arc::new(SystemRandom)),
            clock_offset_ms: Arc::new(AtomicI64::new(0)),
            backend: self.backend,
        })
    }
}

/// A `reqwest` client with rustls (ring), pooled connections, no redirects and the given connect
/// timeout. Shared by the API transport and the downloader.
pub fn default_reqwest_client(connect_timeout: Duration) -> Result<reqwest::Client, Error> {
    // One process-wide rustls provider; an error only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("cloud-backup/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::invalid("http client", e.without_url().to_string()))
}

/// The shared transport. Cheap to clone; clones share the connection pool, retry budget and
/// measured clock offset.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    config: Arc<HttpConfig>,
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn Sleep>,
    random: Arc<dyn Random>,
    clock_offset_ms: Arc<AtomicI64>,
    backend: Option<Arc<dyn HttpBackend>>,
}

/// A fully signed request, as it would go on the wire, plus how its signature was made.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// Method.
    pub method: String,
    /// Full URL, query included. Sensitive parameters (see [`ApiRequest::sensitive_query`]) are
    /// in it as sent; [`PreparedRequest::to_snapshot`] and `Debug` hide them.
    pub url: String,
    /// Every header sent, in order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// The canonical request that was signed, security tokens redacted.
    pub canonical_request: String,
    /// The string that was signed.
    pub string_to_sign: String,
    /// The request it was prepared from (for redacting sensitive query values).
    redact: ApiRequest,
}

impl PreparedRequest {
    /// A readable, deterministic rendering for snapshots: request line, headers sorted by name,
    /// body, then the canonical request and string-to-sign. Signatures and tokens are replaced by
    /// `<redacted>`; the canonical request and string-to-sign pin down what was signed.
    pub fn to_snapshot(&self) -> String {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), redact_header(n, v)))
            .collect();
        headers.sort();
        let mut out = format!(
            "{} {}\n",
            self.method,
            self.redact.redact_sensitive(&self.url)
        );
        for (n, v) in headers {
            out.push_str(&format!("{n}: {v}\n"));
        }
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&self.body));
        out.push_str("\n\n--- canonical request ---\n");
        out.push_str(&self.redact.redact_sensitive(&self.canonical_request));
        out.push_str("\n--- string to sign ---\n");
        out.push_str(&self.string_to_sign);
        out.push('\n');
        out
    }

    /// The first header of that (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn redact_header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower == "authorization" {
        match value.find("Signature=") {
            Some(i) => format!("{}Signature=<redacted>", &value[..i]),
            None => "<redacted>".to_owned(),
        }
    } else if lower.contains("token") {
        "<redacted>".to_owned()
    } else {
        value.to_owned()
    }
}

impl std::fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), redact_header(n, v)))
            .collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &redact_urls(&self.url))
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// A response produced by an [`HttpBackend`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

/// A replacement for the network (see [`HttpClientBuilder::backend`]).
pub trait HttpBackend: std::fmt::Debug + Send + Sync {
    /// Answers one attempt.
    fn call(&self, request: PreparedRequest) -> crate::BoxFuture<'static, BackendResponse>;
}

enum AttemptError {
    Timeout,
    Connect(reqwest::Error),
    Transport(reqwest::Error),
    TooLarge(RawResponse),
}

impl HttpClient {
    /// A builder with default settings.
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder::default()
    }

    /// The configuration.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The underlying `reqwest` client (for downloads that must not carry API headers).
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.inner
    }

    /// The injected clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The injected sleep.
    pub fn sleeper(&self) -> &Arc<dyn Sleep> {
        &self.sleep
    }

    /// The injected randomness (idempotency tokens).
    pub fn random(&self) -> &Arc<dyn Random> {
        &self.random
    }

    /// The signing time: the clock corrected by the offset measured from a server that rejected
    /// our timestamp.
    pub fn signing_time(&self) -> OffsetDateTime {
        let offset = self.clock_offset_ms.load(Ordering::Relaxed);
        let now = OffsetDateTime::from(self.clock.now());
        now + time::Duration::milliseconds(offset)
    }

    /// The clock offset currently applied to signatures, in milliseconds.
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms.load(Ordering::Relaxed)
    }

    fn elapsed_since(&self, start: SystemTime) -> Duration {
        self.clock.now().duration_since(start).unwrap_or_default()
    }

    /// Sends `request` to `endpoint`, signing each attempt with `protocol`, retrying what
    /// [`Operation::idempotency`] and the classification allow. Returns the successful response.
    pub async fn send(
        &self,
        endpoint: &Endpoint,
        operation: &Operation,
        request: &ApiRequest,
        protocol: &dyn Protocol,
    ) -> Result<RawResponse, Error> {
        if !endpoint.is_https() && !self.config.allow_http {
            return Err(Error::invalid(
                "endpoint",
                format!(
                    "{endpoint} uses plain http://; allow it explicitly (allow_http) or use https://"
                ),
            ));
        }
        let span = tracing::info_span!(
            "cloud_api",
            vendor = operation.name.vendor,
            action = operation.name.action,
            attempt = field::Empty,
            status = field::Empty,
            request_id = field::Empty,
        );
        self.send_inner(endpoint, operation, request, protocol)
            .instrument(span)
            .await
    }

    async fn send_inner(
        &self,
        endpoint: &Endpoint,
        operation: &Operation,
        request: &ApiRequest,
        protocol: &dyn Protocol,
    ) -> Result<RawResponse, Error> {
        let span = tracing::Span::current();
        let query: Vec<(&str, &str)> = request
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let host = endpoint.host_header();
        let path = endpoint.full_path(&request.path);
        let url = endpoint.url(&request.path, &canonical_query(&query));
        let retry = &self.config.retry;
        let start = self.clock.now();
        let mut attempt = 0u32;
        let mut skew_corrected = false;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let nonce = self.random.nonce();
            let ctx = AttemptContext {
                time: self.signing_time(),
                nonce: &nonce,
                attempt,
                action: operation.name.action,
            };
            let signable = SignableRequest::new(request.method, &host, &path)
                .with_query(&query)
                .with_headers(&headers)
                .with_payload(Payload::Bytes(&request.body));
            let signing = protocol.sign(&signable, &ctx)?;
            tracing::trace!(
                canonical_request = %request.redact_sensitive(&signing.canonical_request_redacted()),
                string_to_sign = signing.string_to_sign(),
                "signed attempt"
            );
            let remaining = self
                .config
                .operation_timeout
                .saturating_sub(self.elapsed_since(start));
            let outcome = self
                .attempt(
                    request, &url, &headers, signing, remaining, operation, protocol,
                )
                .await;
            let (retryable, cost, hint, err) = match outcome {
                Ok(raw) => {
                    span.record("status", raw.status);
                    if let Some(id) = &raw.request_id {
                        span.record("request_id", id.as_str());
                    }
                    match protocol.classify(&raw) {
                        Classification::Success => {
                            retry.budget.record_success();
                            return Ok(raw);
                        }
                        Classification::Failure {
                            error,
                            retry: kind,
                            retry_after,
                        } => {
                            tracing::debug!(code = %error.code, kind = ?kind, "service error");
                            if kind == RetryKind::ClockSkew
                                && !skew_corrected
                                && let Some(server) = raw
                                    .header("date")
                                    .and_then(|d| httpdate::parse_http_date(d).ok())
                            {
                                skew_corrected = true;
                                let local = self.clock.now();
                                let offset_ms = match server.duration_since(local) {
                                    Ok(ahead) => ahead.as_millis() as i64,
                                    Err(e) => -(e.duration().as_millis() as i64),
                                };
                                self.clock_offset_ms.store(offset_ms, Ordering::Relaxed);
                                tracing::warn!(
                                    offset_ms,
                                    "server rejected our timestamp; re-signing with the server's clock"
                                );
                                continue;
                            }
                            let retryable = match kind {
                                RetryKind::Never | RetryKind::ClockSkew => false,
                                RetryKind::Throttled => true,
                                RetryKind::Transient => {
                                    operation.idempotency != Idempotency::Unsafe
                                }
                            };
                            let hint = retry_after.or_else(|| {
                                raw.header("retry-after")
                                    .and_then(|v| v.trim().parse::<u64>().ok())
                                    .map(Duration::from_secs)
                            });
                            let err = Error::Service {
                                operation: operation.name.clone(),
                                error,
                                attempts: attempt,
                            };
                            (retryable, RETRY_COST, hint, err)
                        }
                    }
                }
                Err(AttemptError::Connect(e)) => (
                    true,
                    RETRY_COST,
                    None,
                    Error::Dispatch {
                        operation: operation.name.clone(),
                        attempts: attempt,
                        source: e.without_url(),
                    },
                ),
                Err(AttemptError::Transport(e)) => (
                    operation.idempotency != Idempotency::Unsafe,
                    RETRY_COST,
                    None,
                    Error::Transport {
                        operation: operation.name.clone(),
                        attempts: attempt,
                        source: e.without_url(),
                    },
                ),
                Err(AttemptError::Timeout) => {
                    let elapsed = self.elapsed_since(start);
                    let kind = if elapsed >= self.config.operation_timeout
                        || remaining < self.config.attempt_timeout
                    {
                        "operation"
                    } else {
                        "attempt"
                    };
                    (
                        operation.idempotency != Idempotency::Unsafe && kind == "attempt",
                        TIMEOUT_RETRY_COST,
                        None,
                        Error::Timeout {
                            operation: operation.name.clone(),
                            kind,
                            elapsed,
                            attempts: attempt,
                        },
                    )
                }
                Err(AttemptError::TooLarge(raw)) => {
                    return Err(raw.unreadable(format!(
                        "the body exceeds the {} byte limit",
                        self.config.max_response_bytes
                    )));
                }
            };
            if !retryable || attempt >= retry.max_attempts {
                return Err(err);
            }
            let delay = match hint {
                Some(h) => h.min(retry.max_server_delay),
                None => retry.backoff(attempt + 1, self.random.unit()),
            };
            if self.elapsed_since(start) + delay >= self.config.operation_timeout {
                tracing::debug!("no time left for another attempt");
                return Err(err);
            }
            if !retry.budget.try_acquire(cost) {
                tracing::warn!("retry budget exhausted; not retrying");
                return Err(err);
            }
            tracing::debug!(error = %err, delay_ms = delay.as_millis() as u64, "retrying");
            self.sleep.sleep(delay).await;
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        request: &ApiRequest,
        url: &str,
        headers: &[(&str, &str)],
        signing: SigningOutput,
        remaining: Duration,
        operation: &Operation,
        protocol: &dyn Protocol,
    ) -> Result<RawResponse, AttemptError> {
        if let Some(backend) = &self.backend {
            let resp = backend.call(prepare(request, url, headers, &signing)).await;
            let mut raw = RawResponse {
                status: resp.status,
                headers: header_map(resp.headers.iter().map(|(n, v)| (n.as_str(), v.clone()))),
                body: Bytes::from(resp.body),
                request_id: None,
                operation: operation.name.clone(),
            };
            raw.request_id = protocol.request_id(&raw);
            return Ok(raw);
        }
        let mut map = header_map(
            headers
                .iter()
                .map(|(n, v)| (*n, (*v).to_owned()))
                .chain(signing.into_headers()),
        );
        map.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        let method =
            reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let builder = self
            .inner
            .request(method, url)
            .headers(map)
            .body(request.body.clone());
        let limit = self.config.attempt_timeout.min(remaining);
        let max = self.config.max_response_bytes;
        let fut = async {
            let mut resp = builder.send().await.map_err(|e| {
                if e.is_connect() {
                    AttemptError::Connect(e)
                } else {
                    AttemptError::Transport(e)
                }
            })?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let mut body = Vec::new();
            let mut too_large = resp.content_length().is_some_and(|l| l > max as u64);
            while !too_large {
                match resp.chunk().await.map_err(AttemptError::Transport)? {
                    Some(chunk) => {
                        if body.len() + chunk.len() > max {
                            body.extend_from_slice(&chunk[..max - body.len()]);
                            too_large = true;
                        } else {
                            body.extend_from_slice(&chunk);
                        }
                    }
                    None => break,
                }
            }
            let mut raw = RawResponse {
                status,
                headers,
                body: Bytes::from(body),
                request_id: None,
                operation: operation.name.clone(),
            };
            raw.request_id = protocol.request_id(&raw);
            if too_large {
                return Err(AttemptError::TooLarge(raw));
            }
            Ok(raw)
        };
        match tokio::time::timeout(limit, fut).await {
            Ok(r) => r,
            Err(_) => Err(AttemptError::Timeout),
        }
    }
}

fn prepare(
    request: &ApiRequest,
    url: &str,
    headers: &[(&str, &str)],
    signing: &SigningOutput,
) -> PreparedRequest {
    let mut all: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    all.extend(
        signing
            .headers()
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone())),
    );
    all.push(("accept".to_owned(), "application/json".to_owned()));
    PreparedRequest {
        method: request.method.to_owned(),
        url: url.to_owned(),
        headers: all,
        body: request.body.clone(),
        canonical_request: signing.canonical_request_redacted(),
        redact: request.clone(),
        string_to_sign: signing.string_to_sign().to_owned(),
    }
}

/// Builds a header map; `Authorization` and token headers are marked sensitive (kept out of
/// `reqwest`'s `Debug` and HTTP/2 header compression tables).
fn header_map<'a>(headers: impl Iterator<Item = (&'a str, String)>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(n), Ok(mut v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            if n == reqwest::header::AUTHORIZATION || n.as_str().contains("token") {
                v.set_sensitive(true);
            }
            map.append(n, v);
        }
    }
    map
}
