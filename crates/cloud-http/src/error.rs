//! The error skeleton every vendor crate builds on.

use std::fmt;
use std::time::Duration;

/// A service's answer that says the call failed: vendor code, message, request id, HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// The vendor error code (`Throttling.User`, `AuthFailure.SignatureExpire`, `APIGW.0301`).
    pub code: String,
    /// The vendor's message.
    pub message: String,
    /// The request id the service assigned, when it sent one.
    pub request_id: Option<String>,
    /// The HTTP status of the response.
    pub http_status: u16,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.http_status)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        write!(
            f,
            " [request id {}]",
            self.request_id.as_deref().unwrap_or("none")
        )
    }
}

/// Which operation an error belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationName {
    /// `aliyun-dbs`, `tencent-mongodb`, `huawei-dds`, ...
    pub vendor: &'static str,
    /// The API action (`CreateDownload`).
    pub action: &'static str,
}

impl fmt::Display for OperationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.vendor, self.action)
    }
}

/// Why a call failed. Each variant says whether the request may have reached the server, which
/// decides whether a non-idempotent call can safely be sent again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was refused before anything was sent: `field` broke `rule`.
    /// The request never reached the server.
    #[error("invalid input: {field}: {rule}")]
    InvalidInput {
        /// The offending field, as the API names it (`BakSetId`, `endpoint`).
        field: String,
        /// The rule it broke.
        rule: String,
    },

    /// No usable credentials. The request never reached the server.
    #[error("{0}")]
    Credentials(String),

    /// The request could not be sent (DNS, connection refused, TLS handshake): it never reached
    /// the server, so any call may be retried.
    #[error("{operation}: could not reach {host} after {attempts} attempt(s): {cause}")]
    Dispatch {
        /// The operation.
        operation: OperationName,
        /// Attempts made.
        attempts: u32,
        /// The host it tried.
        host: String,
        /// Why: DNS, refused, TLS (and why), timeout, proxy (see [`crate::NetworkCause`]).
        cause: crate::NetworkCause,
        /// The underlying error (its URL stripped).
        #[source]
        source: reqwest::Error,
    },

    /// The connection failed after the request was sent (reset, truncated response): the request
    /// **may have reached** the server.
    #[error("{operation}: connection failed after sending, after {attempts} attempt(s): {source}")]
    Transport {
        /// The operation.
        operation: OperationName,
        /// Attempts made.
        attempts: u32,
        /// The underlying error (its URL stripped).
        #[source]
        source: reqwest::Error,
    },

    /// An attempt or the whole operation took too long. The request **may have reached** the
    /// server.
    #[error("{operation}: timed out after {elapsed:?} ({kind} timeout, {attempts} attempt(s))")]
    Timeout {
        /// The operation.
        operation: OperationName,
        /// Which limit was hit: `attempt` or `operation`.
        kind: &'static str,
        /// Time spent on the operation.
        elapsed: Duration,
        /// Attempts made.
        attempts: u32,
    },

    /// The server answered, but the answer could not be understood (not JSON, missing fields, too
    /// large). The request reached the server.
    #[error(
        "{operation}: unreadable response (HTTP {status}, request id {}): {reason}; body starts: {excerpt:?}",
        request_id.as_deref().unwrap_or("none")
    )]
    UnreadableResponse {
        /// The operation.
        operation: OperationName,
        /// HTTP status.
        status: u16,
        /// The request id, when one could be found.
        request_id: Option<String>,
        /// What was wrong.
        reason: String,
        /// The first bytes of the body, with URL query strings removed.
        excerpt: String,
    },

    /// The service refused the call with an error code. The request reached the server.
    #[error("{operation} failed: {error}{}", retries_note(*attempts))]
    Service {
        /// The operation.
        operation: OperationName,
        /// The service's error.
        error: ServiceError,
        /// Attempts made.
        attempts: u32,
    },

    /// A waiter gave up: the task did not reach a final state within the allowed time. The task
    /// itself may still be running.
    #[error("{what}: still not finished after waiting {waited:?} (last state: {last_state})")]
    WaitTimeout {
        /// What was waited for.
        what: String,
        /// How long.
        waited: Duration,
        /// The last state seen.
        last_state: String,
    },

    /// A waited-for task ended in a failure state.
    #[error("{what}: ended in state {state}")]
    TaskFailed {
        /// What was waited for.
        what: String,
        /// The final state.
        state: String,
    },
}

fn retries_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

impl Error {
    /// An [`Error::InvalidInput`].
    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// Whether the request may have reached the server (and so may have had an effect).
    pub fn may_have_reached_server(&self) -> bool {
        !matches!(
            self,
            Error::InvalidInput { .. } | Error::Credentials(_) | Error::Dispatch { .. }
        )
    }

    /// The service error, if the service answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The vendor error code, if any.
    pub fn code(&self) -> Option<&str> {
        self.service_error().map(|e| e.code.as_str())
    }

    /// The request id, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service { error, .. } => error.request_id.as_deref(),
            Error::UnreadableResponse { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

/// Replaces the query string of every `http://` or `https://` URL in `text` with `?<redacted>`:
/// download links are credentials. Used on every excerpt and log line that may hold one.
///
/// ```
/// let s = cloud_http::redact_urls(r#"{"Url":"https://b.oss.example.com/f.tar?Signature=abc&Expires=1"}"#);
/// assert_eq!(s, r#"{"Url":"https://b.oss.example.com/f.tar?<redacted>"}"#);
/// ```
pub fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = find_url(rest) {
        let (before, url_and_after) = rest.split_at(pos);
        out.push_str(before);
        let end = url_and_after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '\\'))
            .unwrap_or(url_and_after.len());
        let url = &url_and_after[..end];
        match url.find('?') {
            Some(q) => {
                out.push_str(&url[..q]);
                out.push_str("?<redacted>");
            }
            None => out.push_str(url),
        }
        rest = &url_and_after[end..];
    }
    out.push_str(rest);
    out
}

fn find_url(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    match (lower.find("https://"), lower.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Longest vendor error code kept in a [`ServiceError`] (bytes; longer ones are cut with `…`).
pub const MAX_CODE_BYTES: usize = 128;
/// Longest vendor message kept in a [`ServiceError`] (bytes; longer ones are cut with `…`).
pub const MAX_MESSAGE_BYTES: usize = 1024;
/// Longest request id kept (bytes; longer ones are cut with `…`).
pub const MAX_REQUEST_ID_BYTES: usize = 128;
/// Longest parse reason kept in an [`Error::UnreadableResponse`] (bytes).
pub const MAX_REASON_BYTES: usize = 300;

/// `text` cut to at most `max` bytes on a character boundary, with `…` appended when cut.
/// A server chooses what it sends; nothing it sends grows an error without bound.
pub(crate) fn bounded(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

impl ServiceError {
    /// The same error with code, message and request id cut to [`MAX_CODE_BYTES`],
    /// [`MAX_MESSAGE_BYTES`] and [`MAX_REQUEST_ID_BYTES`]. The transport applies it to every
    /// service error it returns.
    pub fn bounded(mut self) -> Self {
        self.code = bounded(&self.code, MAX_CODE_BYTES);
        self.message = bounded(&self.message, MAX_MESSAGE_BYTES);
        self.request_id = self.request_id.map(|id| bounded(&id, MAX_REQUEST_ID_BYTES));
        self
    }
}

/// The first `max` bytes of a body as text (lossy, cut on a character boundary), with URL query
/// strings redacted.
pub fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max * 2)]);
    let redacted = redact_urls(&text);
    if redacted.len() <= max {
        return redacted;
    }
    bounded(&redacted, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_with_code_message_and_request_id() {
        let e = Error::Service {
            operation: OperationName {
                vendor: "aliyun-dbs",
                action: "CreateDownload",
            },
            error: ServiceError {
                code: "Throttling.User".into(),
                message: "Request was denied due to user flow control.".into(),
                request_id: Some("ABC-123".into()),
                http_status: 400,
            },
            attempts: 3,
        };
        let s = e.to_string();
        assert_eq!(
            s,
            "aliyun-dbs CreateDownload failed: Throttling.User (HTTP 400): Request was denied due to user flow control. [request id ABC-123] (after 3 attempts)"
        );
        assert!(!s.contains('\n'));
        assert!(e.may_have_reached_server());
        assert!(!Error::invalid("BakSetId", "required").may_have_reached_server());
    }

    #[test]
    fn urls_lose_their_query_strings() {
        assert_eq!(
            redact_urls("see http://x/y?a=b and HTTPS://z?q \"k\""),
            "see http://x/y?<redacted> and HTTPS://z?<redacted> \"k\""
        );
        assert_eq!(redact_urls("no url"), "no url");
        assert_eq!(redact_urls("https://a/b"), "https://a/b");
    }

    #[test]
    fn service_errors_are_bounded_on_char_boundaries() {
        let e = ServiceError {
            code: "C".repeat(1000),
            message: "é".repeat(5000),
            request_id: Some("r".repeat(500)),
            http_status: 400,
        }
        .bounded();
        assert_eq!(e.code, format!("{}…", "C".repeat(MAX_CODE_BYTES)));
        assert!(e.message.len() <= MAX_MESSAGE_BYTES + '…'.len_utf8());
        assert!(e.message.ends_with("é…"));
        assert_eq!(
            e.request_id.unwrap().len(),
            MAX_REQUEST_ID_BYTES + '…'.len_utf8()
        );
        let short = ServiceError {
            code: "Throttling".into(),
            message: "slow down".into(),
            request_id: None,
            http_status: 429,
        };
        assert_eq!(short.clone().bounded(), short);
    }

    #[test]
    fn excerpt_is_bounded_and_cut_on_char_boundary() {
        let body = "é".repeat(100);
        let e = excerpt(body.as_bytes(), 11);
        assert!(e.len() <= 11 + '…'.len_utf8());
        assert!(e.ends_with('…'));
        assert_eq!(excerpt(b"short", 100), "short");
    }
}
