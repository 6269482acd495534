//! Sending with an IAM token (`X-Auth-Token`) instead of a signature.
//!
//! `HttpClient::send` adds every header of the `SigningOutput` its protocol returns, and
//! `cloud-sign` offers no way to build a `SigningOutput` without an `Authorization` header. A
//! token request must not carry one, so this module sends token requests itself, with the
//! `HttpClient`'s own `reqwest` client, configuration (timeouts, size cap, `allow_http`, retry
//! settings and budget), clock, sleep and randomness, following the same rules as the shared
//! transport. What it cannot reuse: an injected `HttpBackend` (offline recorders), which is not
//! reachable from outside `cloud-http`; token requests always go to the network.

use std::time::Duration;

use cloud_http::{
    ApiRequest, Classification, Endpoint, Error, HttpClient, Idempotency, Operation, RETRY_COST,
    RawResponse, RetryKind, TIMEOUT_RETRY_COST,
};
use cloud_sign::{SecretString, canonical_query};
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};
use tracing::{Instrument, field};

use crate::errors;

enum Failure {
    /// A refusal (or an unreadable answer), its server hint and whether to retry.
    Service(Box<Error>, Option<Duration>, RetryKind),
    Connect(reqwest::Error),
    Transport(reqwest::Error),
    Timeout,
}

/// Sends `request` with `token`, retrying as the shared transport would.
pub(crate) async fn send(
    http: &HttpClient,
    endpoint: &Endpoint,
    operation: &Operation,
    request: &ApiRequest,
    token: &SecretString,
) -> Result<RawResponse, Error> {
    if !endpoint.is_https() && !http.config().allow_http {
        return Err(Error::invalid(
            "endpoint",
            format!(
                "{endpoint} uses plain http://; allow it explicitly (allow_http) or use https://"
            ),
        ));
    }
    let url = endpoint.url(&request.path, &canonical_query(&request.query));
    let headers = request_headers(request, token)?;
    let span = tracing::info_span!(
        "cloud_api",
        vendor = operation.name.vendor,
        action = operation.name.action,
        auth = "iam-token",
        attempt = field::Empty,
        status = field::Empty,
        request_id = field::Empty,
    );
    retry_loop(http, operation, request, &url, &headers)
        .instrument(span)
        .await
}

/// Attempts until success, a failure that must not be retried, or no attempts, time or budget
/// are left.
async fn retry_loop(
    http: &HttpClient,
    operation: &Operation,
    request: &ApiRequest,
    url: &str,
    headers: &HeaderMap,
) -> Result<RawResponse, Error> {
    let span = tracing::Span::current();
    let config = http.config();
    let retry = &config.retry;
    let start = http.clock().now();
    let elapsed = || http.clock().now().duration_since(start).unwrap_or_default();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        span.record("attempt", attempt);
        let remaining = config.operation_timeout.saturating_sub(elapsed());
        let limit = config.attempt_timeout.min(remaining);
        let outcome = match tokio::time::timeout(
            limit,
            attempt_once(http, url, request, headers.clone(), operation),
        )
        .await
        {
            Ok(outcome) => outcome,
            Err(_) => Err(Failure::Timeout),
        };
        let raw_or_failure = outcome.and_then(|raw| {
            span.record("status", raw.status);
            if let Some(id) = &raw.request_id {
                span.record("request_id", id.as_str());
            }
            match errors::classify(&raw) {
                Classification::Success => Ok(raw),
                Classification::Failure {
                    error,
                    retry,
                    retry_after,
                } => {
                    tracing::debug!(code = %error.code, kind = ?retry, "service error");
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
                    Err(Failure::Service(Box::new(err), hint, retry))
                }
            }
        });
        let may_repeat = operation.idempotency != Idempotency::Unsafe;
        let (retryable, cost, hint, err) = match raw_or_failure {
            Ok(raw) => {
                retry.budget.record_success();
                return Ok(raw);
            }
            Err(Failure::Service(err, hint, kind)) => {
                let retryable = match kind {
                    RetryKind::Throttled => true,
                    RetryKind::Transient => may_repeat,
                    RetryKind::Never | RetryKind::ClockSkew => false,
                };
                (retryable, RETRY_COST, hint, *err)
            }
            Err(Failure::Connect(e)) => (
                true,
                RETRY_COST,
                None,
                Error::Dispatch {
                    operation: operation.name.clone(),
                    attempts: attempt,
                    source: e.without_url(),
                },
            ),
            Err(Failure::Transport(e)) => (
                may_repeat,
                RETRY_COST,
                None,
                Error::Transport {
                    operation: operation.name.clone(),
                    attempts: attempt,
                    source: e.without_url(),
                },
            ),
            Err(Failure::Timeout) => {
                let elapsed = elapsed();
                let kind =
                    if elapsed >= config.operation_timeout || remaining < config.attempt_timeout {
                        "operation"
                    } else {
                        "attempt"
                    };
                (
                    may_repeat && kind == "attempt",
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
        };
        if !retryable || attempt >= retry.max_attempts {
            return Err(err);
        }
        let delay = match hint {
            Some(h) => h.min(retry.max_server_delay),
            None => retry.backoff(attempt + 1, http.random().unit()),
        };
        if elapsed() + delay >= config.operation_timeout || !retry.budget.try_acquire(cost) {
            tracing::debug!("no time or retry budget left; not retrying");
            return Err(err);
        }
        tracing::debug!(error = %err, delay_ms = delay.as_millis() as u64, "retrying");
        http.sleeper().sleep(delay).await;
    }
}

/// The request's own headers, the token (marked sensitive) and `Accept`.
fn request_headers(request: &ApiRequest, token: &SecretString) -> Result<HeaderMap, Error> {
    let mut map = HeaderMap::new();
    for (name, value) in &request.headers {
        let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            return Err(Error::invalid(name.as_str(), "is not a valid HTTP header"));
        };
        map.append(n, v);
    }
    let mut token = HeaderValue::from_str(token.expose()).map_err(|_| {
        Error::Credentials("the IAM token contains characters an HTTP header cannot carry".into())
    })?;
    token.set_sensitive(true);
    map.insert(HeaderName::from_static("x-auth-token"), token);
    map.insert(ACCEPT, HeaderValue::from_static("application/json"));
    Ok(map)
}

async fn attempt_once(
    http: &HttpClient,
    url: &str,
    request: &ApiRequest,
    headers: HeaderMap,
    operation: &Operation,
) -> Result<RawResponse, Failure> {
    let method =
        reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut resp = http
        .reqwest()
        .request(method, url)
        .headers(headers)
        .body(request.body.clone())
        .send()
        .await
        .map_err(|e| {
            if e.is_connect() {
                Failure::Connect(e)
            } else {
                Failure::Transport(e)
            }
        })?;
    let max = http.config().max_response_bytes;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let mut body = Vec::new();
    let mut too_large = resp.content_length().is_some_and(|l| l > max as u64);
    while !too_large {
        match resp.chunk().await.map_err(Failure::Transport)? {
            Some(chunk) if body.len() + chunk.len() > max => {
                body.extend_from_slice(&chunk[..max - body.len()]);
                too_large = true;
            }
            Some(chunk) => body.extend_from_slice(&chunk),
            None => break,
        }
    }
    let mut raw = RawResponse {
        status,
        headers,
        body: body.into(),
        request_id: None,
        operation: operation.name.clone(),
    };
    raw.request_id = errors::request_id(&raw);
    if too_large {
        // Not retried: the same request would get the same oversized answer.
        return Err(Failure::Service(
            Box::new(raw.unreadable(format!("the body exceeds the {max} byte limit"))),
            None,
            RetryKind::Never,
        ));
    }
    Ok(raw)
}
