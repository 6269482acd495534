//! How this API plugs into the transport: TC3-HMAC-SHA256 signing and the classification of
//! `{"Response": {"Error": {...}}}` answers.

use std::fmt;

use cloud_http::{
    AttemptContext, Classification, EXCERPT_BYTES, Error, Protocol, RawResponse, RetryKind,
    ServiceError, excerpt, redact_urls,
};
use cloud_sign::tencent::{Tc3Params, Tc3Signer};
use cloud_sign::{Credentials, SignableRequest, SigningOutput};
use serde_json::Value;

/// The vendor name used in errors and traces.
pub(crate) const VENDOR: &str = "tencent-mongodb";
/// The TC3 service name.
pub(crate) const SERVICE: &str = "mongodb";
/// `X-TC-Version`.
pub(crate) const API_VERSION: &str = "2019-07-25";
/// `X-TC-Language`: English error messages.
pub(crate) const LANGUAGE: &str = "en-US";
/// `Content-Type` (signed).
pub(crate) const CONTENT_TYPE: &str = "application/json";

/// Signs with a [`Tc3Signer`] (which caches the derived key per day and credentials) and
/// classifies answers; [`TencentProtocol::with`] pairs it with the credentials of one call.
pub(crate) struct TencentProtocol {
    signer: Tc3Signer,
}

impl TencentProtocol {
    pub(crate) fn new() -> Self {
        TencentProtocol {
            signer: Tc3Signer::new(),
        }
    }

    /// The protocol of one MongoDB call, signing with `credentials`.
    pub(crate) fn with<'a>(&'a self, credentials: &'a Credentials) -> Signing<'a> {
        self.for_service(SERVICE, credentials)
    }

    /// The protocol of one call to another Tencent Cloud API 3.0 service (`sts`), signing
    /// with `credentials` and `service` in the credential scope. Answers are classified alike:
    /// every API 3.0 service shares the `{"Response": {"Error": ...}}` envelope.
    pub(crate) fn for_service<'a>(
        &'a self,
        service: &'static str,
        credentials: &'a Credentials,
    ) -> Signing<'a> {
        Signing {
            protocol: self,
            service,
            credentials,
        }
    }
}

/// A `POST /` JSON request of API 3.0: `action` of `version` in `region`, English errors.
pub(crate) fn json_request(
    action: &str,
    version: &str,
    region: &str,
    body: Vec<u8>,
) -> cloud_http::ApiRequest {
    let mut request = cloud_http::ApiRequest::new("POST", "/");
    request.headers = [
        ("Content-Type", CONTENT_TYPE),
        ("X-TC-Action", action),
        ("X-TC-Version", version),
        ("X-TC-Region", region),
        ("X-TC-Language", LANGUAGE),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.into()))
    .collect();
    request.body = body;
    request
}

impl fmt::Debug for TencentProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentProtocol").finish_non_exhaustive()
    }
}

/// [`TencentProtocol`] with the credentials of one call.
pub(crate) struct Signing<'a> {
    protocol: &'a TencentProtocol,
    /// The TC3 service of the credential scope (`mongodb`, `sts`).
    service: &'static str,
    credentials: &'a Credentials,
}

impl Protocol for Signing<'_> {
    fn sign(
        &self,
        request: &SignableRequest<'_>,
        attempt: &AttemptContext<'_>,
    ) -> Result<SigningOutput, Error> {
        let params = Tc3Params {
            service: self.service,
            time: attempt.time,
            extra_signed_headers: &[],
        };
        Ok(self
            .protocol
            .signer
            .sign(request, &params, self.credentials))
    }

    fn classify(&self, response: &RawResponse) -> Classification {
        classify(response)
    }

    fn request_id(&self, response: &RawResponse) -> Option<String> {
        let body: Value = serde_json::from_slice(&response.body).ok()?;
        body.get("Response")?
            .get("RequestId")?
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }
}

/// The code given to a failed HTTP answer that carries no `Response.Error`.
pub(crate) const UNEXPECTED_HTTP_STATUS: &str = "UnexpectedHttpStatus";

fn classify(response: &RawResponse) -> Classification {
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let error = body
        .as_ref()
        .and_then(|b| b.get("Response"))
        .and_then(|r| r.get("Error"))
        .filter(|e| e.is_object());
    let status = response.status;
    let (code, message) = match error {
        Some(e) => {
            let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or_default();
            let code = match text("Code") {
                "" => "UnknownError",
                c => c,
            };
            (code.to_owned(), redact_urls(text("Message")))
        }
        None if (200..300).contains(&status) => return Classification::Success,
        None => (
            UNEXPECTED_HTTP_STATUS.to_owned(),
            excerpt(&response.body, EXCERPT_BYTES),
        ),
    };
    Classification::Failure {
        retry: retry_kind(&code, status),
        error: ServiceError {
            code,
            message,
            request_id: response.request_id.clone(),
            http_status: status,
        },
        retry_after: None,
    }
}

/// Whether and how an error is retried:
///
/// - `AuthFailure.SignatureExpire` → [`RetryKind::ClockSkew`] (re-signed once with the server's
///   clock);
/// - `RequestLimitExceeded` and `RequestLimitExceeded.*`, HTTP 429 → [`RetryKind::Throttled`];
/// - any other `AuthFailure.*`, `InvalidParameter*`, `MissingParameter`, `UnauthorizedOperation*`,
///   `UnsupportedOperation*` → [`RetryKind::Never`], whatever the HTTP status;
/// - `InternalError`, `ResourceUnavailable` and HTTP 5xx → [`RetryKind::Transient`] (resent only
///   for reads: `CreateBackupDownloadTask` is not);
/// - everything else (business errors such as `InternalError.CheckAppIdFailed`, which will not
///   heal by itself) → [`RetryKind::Never`].
pub(crate) fn retry_kind(code: &str, http_status: u16) -> RetryKind {
    let family = |prefix: &str| {
        code == prefix
            || code
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
    };
    if code == "AuthFailure.SignatureExpire" {
        RetryKind::ClockSkew
    } else if family("RequestLimitExceeded") || http_status == 429 {
        RetryKind::Throttled
    } else if family("AuthFailure")
        || code.starts_with("InvalidParameter")
        || family("MissingParameter")
        || family("UnauthorizedOperation")
        || family("UnsupportedOperation")
    {
        RetryKind::Never
    } else if code == "InternalError" || code == "ResourceUnavailable" || http_status >= 500 {
        RetryKind::Transient
    } else {
        RetryKind::Never
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_kinds_follow_the_codes() {
        use RetryKind::*;
        for (code, status, kind) in [
            ("AuthFailure.SignatureExpire", 200, ClockSkew),
            ("AuthFailure.SignatureFailure", 200, Never),
            ("AuthFailure.SecretIdNotFound", 200, Never),
            ("AuthFailure.TokenFailure", 500, Never),
            ("RequestLimitExceeded", 200, Throttled),
            ("RequestLimitExceeded.UinLimitExceeded", 200, Throttled),
            ("RequestLimitExceededX", 200, Never),
            (UNEXPECTED_HTTP_STATUS, 429, Throttled),
            ("InternalError", 200, Transient),
            ("InternalError.CheckAppIdFailed", 200, Never),
            ("ResourceUnavailable", 200, Transient),
            (UNEXPECTED_HTTP_STATUS, 502, Transient),
            (UNEXPECTED_HTTP_STATUS, 404, Never),
            ("InvalidParameter.PermissionDenied", 200, Never),
            ("InvalidParameterValue.BackupFileNotFound", 200, Never),
            ("InvalidParameterValue.NotFoundInstance", 503, Never),
            ("MissingParameter", 200, Never),
            ("UnauthorizedOperation", 200, Never),
            ("UnsupportedOperation", 200, Never),
        ] {
            assert_eq!(retry_kind(code, status), kind, "{code} / {status}");
        }
    }
}
