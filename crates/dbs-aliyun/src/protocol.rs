//! How DBS requests are signed and DBS responses classified.

use std::time::Duration;

use cloud_http::model::lenient::{opt_bool, opt_string};
use cloud_http::{
    AttemptContext, Classification, Error, Protocol, RawResponse, RetryKind, ServiceError,
};
use cloud_sign::{Credentials, SignableRequest, SigningOutput, aliyun};
use serde::Deserialize;

/// The vendor name in errors and traces.
pub(crate) const VENDOR: &str = "aliyun-dbs";

/// Aliyun's server hint, in milliseconds, on throttled responses.
const RETRY_AFTER_HEADER: &str = "x-acs-retry-after";
/// The request id header, used when the body carries none.
const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// `ACS3-HMAC-SHA256` with the API version of the operation being called.
pub(crate) struct Acs3<'a> {
    pub(crate) credentials: &'a Credentials,
    pub(crate) version: &'static str,
}

/// The fields of any DBS or gateway answer that tell success from failure.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Envelope {
    #[serde(default, deserialize_with = "opt_bool")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "opt_string")]
    err_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    err_message: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    message: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    request_id: Option<String>,
}

fn envelope(body: &[u8]) -> Option<Envelope> {
    serde_json::from_slice(body).ok()
}

impl Protocol for Acs3<'_> {
    fn sign(
        &self,
        request: &SignableRequest<'_>,
        attempt: &AttemptContext<'_>,
    ) -> Result<SigningOutput, Error> {
        let params = aliyun::AcsParams {
            action: attempt.action,
            version: self.version,
            time: attempt.time,
            nonce: attempt.nonce,
        };
        Ok(aliyun::sign(request, &params, self.credentials))
    }

    fn classify(&self, response: &RawResponse) -> Classification {
        classify(response)
    }

    fn request_id(&self, response: &RawResponse) -> Option<String> {
        envelope(&response.body)
            .and_then(|e| e.request_id)
            .or_else(|| response.header(REQUEST_ID_HEADER).map(str::to_owned))
    }
}

/// The verdict on a response:
///
/// - HTTP 2xx with `Success` false (or `"false"`) is a business error (`ErrCode`/`ErrMessage`,
///   else `Code`/`Message`), never retried: the service looked at the request and refused it.
/// - HTTP 2xx otherwise is a success (a body that does not parse is reported by the caller).
/// - Anything else is a gateway or service error `{RequestId, HostId, Code, Message, Recommend}`,
///   retried by [`retry_kind`].
pub(crate) fn classify(response: &RawResponse) -> Classification {
    let env = envelope(&response.body);
    if (200..300).contains(&response.status) {
        return match env {
            Some(env) if env.success == Some(false) => Classification::Failure {
                error: service_error(response, &env),
                retry: RetryKind::Never,
                retry_after: None,
            },
            _ => Classification::Success,
        };
    }
    let env = env.unwrap_or_default();
    let error = service_error(response, &env);
    let retry_after = response
        .header(RETRY_AFTER_HEADER)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis);
    Classification::Failure {
        retry: retry_kind(&error.code, response.status, retry_after.is_some()),
        error,
        retry_after,
    }
}

fn service_error(response: &RawResponse, env: &Envelope) -> ServiceError {
    let code = env
        .err_code
        .clone()
        .or_else(|| env.code.clone())
        .unwrap_or_else(|| format!("HTTP{}", response.status));
    let message = env
        .err_message
        .clone()
        .or_else(|| env.message.clone())
        .unwrap_or_default();
    ServiceError {
        code,
        message: cloud_http::redact_urls(&message),
        request_id: response.request_id.clone(),
        http_status: response.status,
    }
}

/// Whether a failed (non-2xx) response may be retried, by the rules the vendor documents:
///
/// - any code containing `Throttling` is [`RetryKind::Throttled`]: refused without being acted on;
/// - signature, credential, permission and parameter errors are [`RetryKind::Never`];
/// - `ServiceUnavailable`, `InternalError` and every 5xx are [`RetryKind::Transient`];
/// - any other response carrying `x-acs-retry-after` is [`RetryKind::Throttled`]: the server
///   asked to be called again later;
/// - everything else is [`RetryKind::Never`].
pub(crate) fn retry_kind(code: &str, status: u16, has_retry_after: bool) -> RetryKind {
    if code.contains("Throttling") {
        RetryKind::Throttled
    } else if is_fatal(code) {
        RetryKind::Never
    } else if code == "ServiceUnavailable" || code == "InternalError" || status >= 500 {
        RetryKind::Transient
    } else if has_retry_after {
        RetryKind::Throttled
    } else {
        RetryKind::Never
    }
}

/// Signature, credential, permission and parameter errors: sending the same request again
/// cannot succeed.
fn is_fatal(code: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "Signature",
        "IncompleteSignature",
        "InvalidAccessKeyId",
        "InvalidSecurityToken",
        "Forbidden",
        "Request.Forbidden",
        "InvalidParameter",
        "MissingParameter",
        "InvalidAction",
        "InvalidVersion",
    ];
    const FRAGMENTS: &[&str] = &["NoPermission", "ParamIsInValid", "Param.NotFound"];
    PREFIXES.iter().any(|p| code.starts_with(p)) || FRAGMENTS.iter().any(|f| code.contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_codes_are_throttled_whatever_the_status() {
        for code in ["Throttling", "Throttling.User", "Throttling.Api"] {
            assert_eq!(retry_kind(code, 400, false), RetryKind::Throttled, "{code}");
            assert_eq!(retry_kind(code, 503, true), RetryKind::Throttled, "{code}");
        }
    }

    #[test]
    fn server_failures_are_transient() {
        assert_eq!(
            retry_kind("ServiceUnavailable", 503, false),
            RetryKind::Transient
        );
        assert_eq!(
            retry_kind("InternalError", 500, false),
            RetryKind::Transient
        );
        assert_eq!(retry_kind("HTTP502", 502, false), RetryKind::Transient);
        assert_eq!(retry_kind("SomethingNew", 500, false), RetryKind::Transient);
    }

    #[test]
    fn signature_credential_permission_and_parameter_errors_are_never_retried() {
        for code in [
            "SignatureDoesNotMatch",
            "SignatureNonceUsed",
            "IncompleteSignature",
            "InvalidAccessKeyId.NotFound",
            "InvalidAccessKeyId.Inactive",
            "InvalidSecurityToken.Expired",
            "Forbidden.RAM",
            "Request.Forbidden",
            "DBS.NoPermissionException",
            "InvalidParameter",
            "MissingParameter.RegionCode",
            "DBS.ParamIsInValid",
        ] {
            assert_eq!(retry_kind(code, 400, false), RetryKind::Never, "{code}");
            // Not even when the server adds a hint or answers 5xx.
            assert_eq!(retry_kind(code, 500, true), RetryKind::Never, "{code}");
        }
        assert_eq!(retry_kind("DBS.NotExists", 404, false), RetryKind::Never);
    }

    #[test]
    fn a_retry_after_hint_makes_an_unknown_refusal_retryable() {
        assert_eq!(retry_kind("SomethingNew", 429, true), RetryKind::Throttled);
        assert_eq!(retry_kind("SomethingNew", 429, false), RetryKind::Never);
    }
}
