//! How a Huawei Cloud response is judged: success, or which service error and whether to retry.
//!
//! Error bodies come in four shapes, all accepted:
//!
//! | shape | example |
//! |---|---|
//! | service | `{"error_code": "DBS.200001", "error_msg": "..."}` |
//! | API gateway | `{"error_msg": "...", "error_code": "APIGW.0301", "request_id": "..."}` |
//! | gateway throttling | `{"error_message": "...", "error_code": "APIGW.0308", "request_id": "..."}` |
//! | IAM | `{"error": {"code": 401, "title": "Unauthorized", "message": "..."}}` |
//!
//! The request id is the `X-Request-Id` header, else the body's `request_id`.

use cloud_http::{Classification, RawResponse, RetryKind, ServiceError, excerpt, redact_urls};
use serde_json::Value;

/// The request id of a response: the `X-Request-Id` header, else the body's `request_id`.
pub(crate) fn request_id(raw: &RawResponse) -> Option<String> {
    if let Some(id) = raw.header("x-request-id").filter(|id| !id.is_empty()) {
        return Some(id.to_owned());
    }
    let body: Value = serde_json::from_slice(&raw.body).ok()?;
    body.get("request_id")
        .or_else(|| body.get("error").and_then(|e| e.get("request_id")))
        .and_then(text)
}

/// A JSON string or number as text; empty strings count as absent.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The first of `keys` present in `obj` as text.
fn first(obj: Option<&Value>, keys: &[&str]) -> Option<String> {
    let obj = obj?;
    keys.iter().find_map(|k| obj.get(*k).and_then(text))
}

/// The service error a failed response carries (any of the four shapes; otherwise the HTTP
/// status as code `HTTP.<status>` and a redacted excerpt of the body as message).
pub(crate) fn service_error(raw: &RawResponse) -> ServiceError {
    let body: Option<Value> = serde_json::from_slice(&raw.body).ok();
    let top = body.as_ref().filter(|b| b.is_object());
    let nested = top.and_then(|b| b.get("error")).filter(|e| e.is_object());
    let code = first(top, &["error_code", "code"])
        .or_else(|| first(nested, &["code", "error_code"]))
        .unwrap_or_else(|| format!("HTTP.{}", raw.status));
    let message = first(top, &["error_msg", "error_message", "message"])
        .or_else(|| {
            let title = first(nested, &["title"]);
            match (title, first(nested, &["message", "error_msg"])) {
                (Some(t), Some(m)) => Some(format!("{t}: {m}")),
                (t, m) => m.or(t),
            }
        })
        .unwrap_or_else(|| excerpt(&raw.body, cloud_http::EXCERPT_BYTES));
    ServiceError {
        code,
        message: redact_urls(&message),
        request_id: raw.request_id.clone().or_else(|| request_id(raw)),
        http_status: raw.status,
    }
}

/// Whether a failure may be retried. Credential and permission failures never are: the gateway
/// locks an access key for 5 minutes after more than five `APIGW.0301` in a row.
pub(crate) fn retry_kind(status: u16, code: &str) -> RetryKind {
    if code == "APIGW.0301" || status == 401 || status == 403 {
        RetryKind::Never
    } else if status == 429 || code == "APIGW.0308" {
        RetryKind::Throttled
    } else if matches!(status, 502..=504) {
        RetryKind::Transient
    } else {
        RetryKind::Never
    }
}

/// Success for 2xx; otherwise the service error and its retry kind.
pub(crate) fn classify(raw: &RawResponse) -> Classification {
    if (200..300).contains(&raw.status) {
        return Classification::Success;
    }
    let error = service_error(raw);
    let retry = retry_kind(raw.status, &error.code);
    Classification::Failure {
        error,
        retry,
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_kinds_follow_status_and_code() {
        assert_eq!(retry_kind(429, "APIGW.0308"), RetryKind::Throttled);
        assert_eq!(retry_kind(400, "APIGW.0308"), RetryKind::Throttled);
        for s in [502, 503, 504] {
            assert_eq!(retry_kind(s, "APIGW.0201"), RetryKind::Transient);
        }
        assert_eq!(retry_kind(500, "DBS.200010"), RetryKind::Never);
        assert_eq!(retry_kind(401, "APIGW.0301"), RetryKind::Never);
        assert_eq!(retry_kind(403, "APIGW.0302"), RetryKind::Never);
        assert_eq!(retry_kind(401, "401"), RetryKind::Never);
        // The key-locking code is never retried, whatever status carries it.
        assert_eq!(retry_kind(429, "APIGW.0301"), RetryKind::Never);
        assert_eq!(retry_kind(503, "APIGW.0301"), RetryKind::Never);
        assert_eq!(retry_kind(400, "DBS.200001"), RetryKind::Never);
        assert_eq!(retry_kind(404, "APIGW.0101"), RetryKind::Never);
    }
}
