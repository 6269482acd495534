//! The HTTP client: signs every attempt afresh, retries what is safe to retry, enforces timeouts
//! and a response size cap, and traces each operation.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use cloud_sign::{Payload, SecretString, SignableRequest, SigningOutput};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use time::OffsetDateTime;
use tracing::{Instrument, field};

use crate::endpoint::Endpoint;
use crate::error::{
    Error, MAX_REASON_BYTES, MAX_REQUEST_ID_BYTES, OperationName, ServiceError, bounded, excerpt,
    redact_urls,
};
use crate::params::{self, ParamValue, Secrets};
use crate::retry::{RETRY_COST, RetryConfig, TIMEOUT_RETRY_COST};
use crate::runtime::{Clock, Random, Sleep, SystemClock, SystemRandom, TokioSleep};

/// A request as a vendor crate builds it, before signing. Query pairs and header values are
/// unencoded; the wire query is [`cloud_sign::canonical_query`] of the pairs, exactly what is
/// signed.
///
/// Each value says itself whether it is a secret ([`ParamValue::Secret`], put with
/// [`ApiRequest::put_secret`] or [`ApiRequest::put_secret_header`]): a secret is signed and sent
/// as it is, and shown as `<redacted>` by everything that renders the request for people —
/// `Debug` of this request and of the [`PreparedRequest`], its canonical request and snapshot,
/// the transport's traces, and the text of errors the call returns.
///
/// ```
/// use cloud_http::ApiRequest;
/// use cloud_sign::SecretString;
/// let mut req = ApiRequest::new("POST", "/");
/// req.put("DestinationEndpointUserName", "dbs")
///     .put_secret("DestinationEndpointPassword", &SecretString::new("s3cret"));
/// let shown = format!("{req:?}");
/// assert!(shown.contains("\"DestinationEndpointPassword\", <redacted>"), "{shown}");
/// assert!(!shown.contains("s3cret"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The API path (`/`, `/v3/{project_id}/backups`); the endpoint's prefix is added.
    pub path: String,
    /// Query pairs, each value plain or secret.
    pub query: Vec<(String, ParamValue)>,
    /// Headers besides those the signer adds (`content-type`, `x-tc-action`, `x-project-id`),
    /// each value plain or secret.
    pub headers: Vec<(String, ParamValue)>,
    /// The body. It is rendered as it is: no vendor sends a secret in a body today.
    pub body: Vec<u8>,
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
        }
    }

    /// Adds a plain query parameter.
    pub fn put(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.query
            .push((name.into(), ParamValue::Plain(value.into())));
        self
    }

    /// Adds a secret query parameter: signed and sent as it is, shown as `<redacted>`.
    pub fn put_secret(&mut self, name: impl Into<String>, value: &SecretString) -> &mut Self {
        self.query
            .push((name.into(), ParamValue::Secret(value.clone())));
        self
    }

    /// Adds a plain header.
    pub fn put_header(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.headers
            .push((name.into(), ParamValue::Plain(value.into())));
        self
    }

    /// Adds a secret header: signed and sent as it is, shown as `<redacted>`.
    pub fn put_secret_header(
        &mut self,
        name: impl Into<String>,
        value: &SecretString,
    ) -> &mut Self {
        self.headers
            .push((name.into(), ParamValue::Secret(value.clone())));
        self
    }

    /// Whether any query or header value is a secret.
    pub fn has_secrets(&self) -> bool {
        self.query
            .iter()
            .chain(&self.headers)
            .any(|(_, v)| v.is_secret())
    }

    /// The canonical query string with every secret value shown as `<redacted>`, in the order
    /// it is signed: what a rendering of the request may show of its query. Equal to the wire
    /// query when there are no secrets.
    ///
    /// ```
    /// use cloud_http::ApiRequest;
    /// use cloud_sign::SecretString;
    /// let mut req = ApiRequest::new("POST", "/");
    /// req.put_secret("Password", &SecretString::new("p w")).put("Name", "a b");
    /// assert_eq!(req.redacted_query(), "Name=a%20b&Password=<redacted>");
    /// ```
    pub fn redacted_query(&self) -> String {
        params::queries(&self.query).1
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
    /// The secrets of the request this answers, cut from error text built from the response.
    secrets: Secrets,
}

impl RawResponse {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// An [`Error::UnreadableResponse`] for this response, with a bounded, redacted excerpt:
    /// URL query strings are cut, and so is any secret of the request the server echoed.
    pub fn unreadable(&self, reason: impl AsRef<str>) -> Error {
        let quoted = if self.secrets.is_empty() {
            excerpt(&self.body, EXCERPT_BYTES)
        } else {
            // Scrubbed before cutting, so no part of a secret is left at the cut.
            let body = self.secrets.scrub(&String::from_utf8_lossy(&self.body));
            excerpt(body.as_bytes(), EXCERPT_BYTES)
        };
        Error::UnreadableResponse {
            operation: self.operation.clone(),
            status: self.status,
            request_id: self.request_id.clone(),
            reason: bounded(
                &self.secrets.scrub(&redact_urls(reason.as_ref())),
                MAX_REASON_BYTES,
            ),
            excerpt: quoted,
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
///
/// `url`, `headers` and `body` are the wire form, secret values included: they are what an
/// [`HttpBackend`] sends. Everything meant for people hides the secrets the [`ApiRequest`]
/// declared (and signatures and security tokens): [`PreparedRequest::to_snapshot`],
/// [`PreparedRequest::canonical_request`], [`PreparedRequest::redacted_url`] and `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// Method.
    pub method: String,
    /// Full URL, query included, as sent: secret query values are in it in clear. Show
    /// [`PreparedRequest::redacted_url`] instead.
    pub url: String,
    /// Every header sent, in order, as sent (secret values in clear).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// The string that was signed (a hash of the canonical request: never a secret).
    pub string_to_sign: String,
    /// The canonical request that was signed, secrets and security tokens redacted.
    canonical_request: String,
    /// `url` with secret query values redacted.
    redacted_url: String,
    /// The secrets of the request, to hide them in headers and in the body.
    secrets: Secrets,
}

impl PreparedRequest {
    /// A readable, deterministic rendering for snapshots: request line, headers sorted by name,
    /// body, then the canonical request and string-to-sign. Signatures, tokens and secret
    /// parameters are replaced by `<redacted>`; the canonical request and string-to-sign pin
    /// down what was signed.
    pub fn to_snapshot(&self) -> String {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), self.shown_header(n, v)))
            .collect();
        headers.sort();
        let mut out = format!("{} {}\n", self.method, self.redacted_url);
        for (n, v) in headers {
            out.push_str(&format!("{n}: {v}\n"));
        }
        out.push('\n');
        out.push_str(&self.secrets.scrub(&String::from_utf8_lossy(&self.body)));
        out.push_str("\n\n--- canonical request ---\n");
        out.push_str(&self.canonical_request);
        out.push_str("\n--- string to sign ---\n");
        out.push_str(&self.string_to_sign);
        out.push('\n');
        out
    }

    /// The canonical request that was signed, with secret parameters shown as `<redacted>` and
    /// security tokens as `** redacted **`. The signature was computed over the real values;
    /// the clear form is not kept.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The URL with secret query values shown as `<redacted>` (other parameters as sent).
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }

    /// The first header of that (case-insensitive) name, as sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn shown_header(&self, name: &str, value: &str) -> String {
        if self.secrets.is_secret_header(name) {
            params::REDACTED.to_owned()
        } else {
            redact_header(name, value)
        }
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
            .map(|(n, v)| (n.as_str(), self.shown_header(n, v)))
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
        // The real values, for the signer and the wire only.
        let query: Vec<(&str, &str)> = request
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        let host = endpoint.host_header();
        let path = endpoint.full_path(&request.path);
        let wire = Wire::new(endpoint, request);
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
                canonical_request = %wire.redact_canonical(&signing),
                string_to_sign = signing.string_to_sign(),
                "signed attempt"
            );
            let remaining = self
                .config
                .operation_timeout
                .saturating_sub(self.elapsed_since(start));
            let outcome = self
                .attempt(
                    request, &wire, &headers, signing, remaining, operation, protocol,
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
                            mut error,
                            retry: kind,
                            retry_after,
                        } => {
                            if !wire.secrets.is_empty() {
                                // A server may echo a parameter in its message.
                                error.code = wire.secrets.scrub(&error.code);
                                error.message = wire.secrets.scrub(&error.message);
                            }
                            // Cut after scrubbing, so no part of a secret is left at a cut.
                            error = error.bounded();
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
                Err(AttemptError::Connect(e)) => {
                    let cause = crate::network::network_cause(&e);
                    (
                        // A certificate that is not trusted will not be trusted next time.
                        !cause.is_permanent(),
                        RETRY_COST,
                        None,
                        Error::Dispatch {
                            operation: operation.name.clone(),
                            attempts: attempt,
                            host: crate::network::host_of(&wire.url),
                            cause,
                            source: e.without_url(),
                        },
                    )
                }
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
        wire: &Wire,
        headers: &[(&str, &str)],
        signing: SigningOutput,
        remaining: Duration,
        operation: &Operation,
        protocol: &dyn Protocol,
    ) -> Result<RawResponse, AttemptError> {
        if let Some(backend) = &self.backend {
            let resp = backend
                .call(prepare(request, wire, headers, &signing))
                .await;
            let mut raw = RawResponse {
                status: resp.status,
                headers: header_map(
                    resp.headers.iter().map(|(n, v)| (n.as_str(), v.clone())),
                    &Secrets::default(),
                ),
                body: Bytes::from(resp.body),
                request_id: None,
                operation: operation.name.clone(),
                secrets: wire.secrets.clone(),
            };
            raw.request_id = protocol
                .request_id(&raw)
                .map(|id| bounded(&id, MAX_REQUEST_ID_BYTES));
            return Ok(raw);
        }
        let mut map = header_map(
            headers
                .iter()
                .map(|(n, v)| (*n, (*v).to_owned()))
                .chain(signing.into_headers()),
            &wire.secrets,
        );
        map.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        let method =
            reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let builder = self
            .inner
            .request(method, &wire.url)
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
                secrets: wire.secrets.clone(),
            };
            raw.request_id = protocol
                .request_id(&raw)
                .map(|id| bounded(&id, MAX_REQUEST_ID_BYTES));
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

/// What one call sends and shows, computed once for all its attempts: the wire URL, its
/// redacted rendering and the request's secrets.
struct Wire {
    /// The URL as sent.
    url: String,
    /// The canonical query as signed and sent.
    query: String,
    /// The canonical query with secret values redacted.
    shown_query: String,
    /// The URL with secret values redacted.
    redacted_url: String,
    /// The request's secrets.
    secrets: Secrets,
}

impl Wire {
    fn new(endpoint: &Endpoint, request: &ApiRequest) -> Self {
        let (query, shown_query) = params::queries(&request.query);
        Wire {
            url: endpoint.url(&request.path, &query),
            redacted_url: endpoint.url(&request.path, &shown_query),
            query,
            shown_query,
            secrets: Secrets::of(&request.query, &request.headers),
        }
    }

    /// The canonical request of `signing`, security tokens and the request's secrets redacted.
    fn redact_canonical(&self, signing: &SigningOutput) -> String {
        self.secrets.redact_canonical(
            &signing.canonical_request_redacted(),
            &self.query,
            &self.shown_query,
        )
    }
}

fn prepare(
    request: &ApiRequest,
    wire: &Wire,
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
        url: wire.url.clone(),
        headers: all,
        body: request.body.clone(),
        string_to_sign: signing.string_to_sign().to_owned(),
        canonical_request: wire.redact_canonical(signing),
        redacted_url: wire.redacted_url.clone(),
        secrets: wire.secrets.clone(),
    }
}

/// Builds a header map; `Authorization`, token headers and the request's secret headers are
/// marked sensitive (kept out of `reqwest`'s `Debug` and HTTP/2 header compression tables).
fn header_map<'a>(
    headers: impl Iterator<Item = (&'a str, String)>,
    secrets: &Secrets,
) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(n), Ok(mut v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            if n == reqwest::header::AUTHORIZATION
                || n.as_str().contains("token")
                || secrets.is_secret_header(n.as_str())
            {
                v.set_sensitive(true);
            }
            map.append(n, v);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use cloud_sign::{Credentials, aliyun};

    use super::*;
    use crate::params::REDACTED;
    use crate::testing::{Recorder, TraceCapture, offline_client};

    const CANARY: &str = "CANARY p/w-41c";
    const CANARY_ENCODED: &str = "CANARY%20p%2Fw-41c";
    const KEY_CANARY: &str = "CANARY-key-41c";

    /// Aliyun-signed; a non-200 answer is a failure whose message is the body.
    struct Acs(Credentials);

    impl Protocol for Acs {
        fn sign(
            &self,
            r: &SignableRequest<'_>,
            a: &AttemptContext<'_>,
        ) -> Result<SigningOutput, Error> {
            let params = aliyun::AcsParams {
                action: a.action,
                version: "2019-03-06",
                time: a.time,
                nonce: a.nonce,
            };
            Ok(aliyun::sign(r, &params, &self.0))
        }
        fn classify(&self, r: &RawResponse) -> Classification {
            if r.status == 200 {
                return Classification::Success;
            }
            Classification::Failure {
                error: ServiceError {
                    code: "InvalidParameter".into(),
                    message: String::from_utf8_lossy(&r.body).into_owned(),
                    request_id: None,
                    http_status: r.status,
                },
                retry: RetryKind::Never,
                retry_after: None,
            }
        }
        fn request_id(&self, _: &RawResponse) -> Option<String> {
            None
        }
    }

    /// The same request, its password and API key as secrets or as plain values.
    fn request(secret: bool) -> ApiRequest {
        let mut r = ApiRequest::new("POST", "/");
        r.put("RegionCode", "cn-hangzhou").put("UserName", "dbs");
        if secret {
            r.put_secret("Password", &SecretString::new(CANARY))
                .put_secret_header("x-acs-test-key", &SecretString::new(KEY_CANARY));
        } else {
            r.put("Password", CANARY)
                .put_header("x-acs-test-key", KEY_CANARY);
        }
        r
    }

    /// Sends `request` offline (fixed clock, counting nonces: the same signature inputs on
    /// every run) answering `status`/`body`; returns what was sent, the result's rendering and
    /// the TRACE log.
    async fn send(
        request: &ApiRequest,
        status: u16,
        body: &str,
    ) -> (PreparedRequest, String, String) {
        let capture = TraceCapture::new();
        let _guard = capture.set_default();
        let recorder = Recorder::new();
        recorder.push(status, &[], body);
        let client = offline_client(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600),
            &recorder,
        );
        let result = client
            .send(
                &Endpoint::https("dbs-api.cn-hangzhou.aliyuncs.com"),
                &Operation::new("test", "CreateRestoreTask", Idempotency::Token),
                request,
                &Acs(Credentials::new("AK", "SK")),
            )
            .await;
        let shown = match result {
            Ok(raw) => match raw.json::<serde_json::Value>() {
                Ok(v) => v.to_string(),
                Err(e) => format!("{e} {e:?}"),
            },
            Err(e) => format!("{e} {e:?}"),
        };
        let sent = recorder.requests().remove(0);
        (sent, shown, capture.text())
    }

    fn assert_hidden(what: &str, text: &str) {
        for canary in [CANARY, CANARY_ENCODED, KEY_CANARY, "canary"] {
            assert!(!text.contains(canary), "{what} shows {canary}: {text}");
        }
    }

    #[tokio::test]
    async fn secret_parameters_are_signed_as_they_are_and_shown_redacted() {
        let (secret, _, secret_log) = send(&request(true), 200, "{}").await;
        let (plain, _, plain_log) = send(&request(false), 200, "{}").await;

        // Signed and sent over the real values: the same signature, URL and headers.
        assert_eq!(
            secret.header("authorization"),
            plain.header("authorization")
        );
        assert_eq!(secret.string_to_sign, plain.string_to_sign);
        assert_eq!(secret.url, plain.url);
        assert_eq!(secret.headers, plain.headers);
        assert!(secret.url.contains(&format!("Password={CANARY_ENCODED}")));
        assert_eq!(secret.header("x-acs-test-key"), Some(KEY_CANARY));

        // Rendered without them.
        let shown = [
            ("snapshot", secret.to_snapshot()),
            ("canonical request", secret.canonical_request().to_owned()),
            ("redacted url", secret.redacted_url().to_owned()),
            ("prepared Debug", format!("{secret:?}")),
            (
                "request Debug",
                format!("{:?} {:#?}", request(true), request(true)),
            ),
            ("trace", secret_log.clone()),
        ];
        for (what, text) in &shown {
            assert_hidden(what, text);
        }
        assert!(secret_log.contains("signed attempt"), "{secret_log}");
        let snapshot = secret.to_snapshot();
        assert!(
            snapshot.contains("Password=<redacted>&RegionCode=cn-hangzhou"),
            "{snapshot}"
        );
        assert!(
            snapshot.contains("\nx-acs-test-key: <redacted>\n"),
            "{snapshot}"
        );
        assert!(
            snapshot.contains("\nx-acs-test-key:<redacted>\n"),
            "{snapshot}"
        );

        // The renderings of the plain request differ only where the secrets were.
        assert!(plain.canonical_request().contains(CANARY_ENCODED));
        assert!(
            plain_log.contains(CANARY_ENCODED),
            "the capture sees the trace"
        );
        assert_ne!(plain.to_snapshot(), snapshot);
        let plain_redacted = plain
            .to_snapshot()
            .replace(CANARY_ENCODED, REDACTED)
            .replace(&KEY_CANARY.to_lowercase(), REDACTED)
            .replace(KEY_CANARY, REDACTED);
        assert_eq!(plain_redacted, snapshot);
        assert_eq!(plain.redacted_url(), plain.url);
    }

    #[tokio::test]
    async fn errors_echoing_a_secret_do_not_show_it() {
        let echo = format!("DestinationEndpointPassword {CANARY} ({CANARY_ENCODED}) is refused");
        let (_, shown, log) = send(&request(true), 400, &echo).await;
        assert!(shown.contains("InvalidParameter"), "{shown}");
        assert!(
            shown.contains("DestinationEndpointPassword <redacted>"),
            "{shown}"
        );
        assert_hidden("service error", &shown);
        assert_hidden("trace", &log);

        let (_, shown, _) = send(&request(true), 200, &format!("not JSON: {CANARY}")).await;
        assert!(shown.contains("unreadable response"), "{shown}");
        assert!(shown.contains("not JSON: <redacted>"), "{shown}");
        assert_hidden("unreadable response", &shown);

        // A plain parameter is not scrubbed from the message.
        let (_, shown, _) = send(&request(false), 400, &echo).await;
        assert!(shown.contains(CANARY), "{shown}");
    }

    #[tokio::test]
    async fn errors_from_huge_answers_are_bounded() {
        // A message of 1 MiB with the secret straddling the cut.
        let cut_at = crate::MAX_MESSAGE_BYTES - 4;
        let huge = format!("{}{CANARY}{}", "m".repeat(cut_at), "x".repeat(1 << 20));
        let (_, shown, _) = send(&request(true), 400, &huge).await;
        // Display and Debug, each with the message once.
        assert!(
            shown.len() < 3 * crate::MAX_MESSAGE_BYTES,
            "{}",
            shown.len()
        );
        // Scrubbed, then cut: the marker is cut, not the secret.
        assert!(shown.contains("mmm<red… [request id none]"), "{shown:.100}");
        assert_hidden("bounded service error", &shown);

        // serde quotes a mistyped string whole: the reason is cut too.
        let raw = RawResponse {
            status: 200,
            headers: HeaderMap::new(),
            body: Bytes::from(format!("\"{}\"", "s".repeat(1 << 20))),
            request_id: Some("req-1".into()),
            operation: OperationName {
                vendor: "test",
                action: "Describe",
            },
            secrets: Secrets::default(),
        };
        let err = raw.json::<u64>().unwrap_err();
        let Error::UnreadableResponse { reason, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(reason.starts_with("invalid type: string"), "{reason:.100}");
        assert!(
            reason.len() <= crate::MAX_REASON_BYTES + 3,
            "{}",
            reason.len()
        );
        let shown = err.to_string();
        assert!(shown.contains("request id req-1"), "{shown:.300}");
        assert!(shown.len() < 1024, "{}", shown.len());
    }
}
