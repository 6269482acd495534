//! Huawei Cloud `SDK-HMAC-SHA256` (API Gateway AK/SK signing).
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n lowerhex(sha256(body))
//! StringToSign     = "SDK-HMAC-SHA256" \n <X-Sdk-Date> \n lowerhex(sha256(CanonicalRequest))
//! Signature        = lowerhex(HMAC-SHA256(SK, StringToSign))
//! ```

use time::OffsetDateTime;
use time::macros::format_description;

use crate::Credentials;
use crate::encode::{canonical_query, encode_path, hex_lower};
use crate::request::{
    SignableRequest, SigningOutput, canonical_headers, hmac_sha256, join_canonical_request,
    sha256_hex,
};

/// The algorithm name.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// Formats a time as `X-Sdk-Date` wants it: UTC `YYYYMMDDTHHMMSSZ`.
pub fn format_date(time: OffsetDateTime) -> String {
    time.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .expect("a UTC date always formats")
}

/// The canonical URI: each segment encoded, and a `/` appended when the path lacks one.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = encode_path(path);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Signs `request` with SDK-HMAC-SHA256 at `time`.
///
/// Adds `X-Sdk-Date`, `X-Security-Token` (temporary credentials) and `Authorization`. Signs
/// `host` and every request header whose name has no `_` (so set `X-Project-Id` and
/// `Content-Type` on the request before signing).
///
/// ```
/// use cloud_sign::{huawei, Credentials, SignableRequest};
/// use time::macros::datetime;
/// let headers = [("X-Project-Id", "0123456789abcdef")];
/// let req = SignableRequest::new("GET", "dds.cn-north-4.myhuaweicloud.com", "/v3/0123456789abcdef/backups")
///     .with_headers(&headers);
/// let out = huawei::sign(&req, datetime!(2026-01-01 0:00 UTC), &Credentials::new("HPUAEXAMPLE", "exampleSecretKey"));
/// assert!(out.canonical_request().contains("x-project-id:0123456789abcdef\n"));
/// ```
pub fn sign(
    request: &SignableRequest<'_>,
    time: OffsetDateTime,
    credentials: &Credentials,
) -> SigningOutput {
    let date = format_date(time);
    let mut added: Vec<(&'static str, String)> = vec![("X-Sdk-Date", date.clone())];
    let mut secrets = Vec::new();
    if let Some(token) = credentials.session_token() {
        added.push(("X-Security-Token", token.expose().to_owned()));
        secrets.push(token.expose().to_owned());
    }
    let signed = std::iter::once(("host", request.host()))
        .chain(
            request
                .headers()
                .iter()
                .copied()
                .filter(|(n, _)| !n.contains('_') && !n.eq_ignore_ascii_case("host")),
        )
        .chain(added.iter().map(|(n, v)| (*n, v.as_str())));
    let (canonical_headers, signed_headers) = canonical_headers(signed, false);
    let canonical = join_canonical_request(
        request.method(),
        &canonical_uri(request.path()),
        &canonical_query(request.query()),
        &canonical_headers,
        &signed_headers,
        &request.payload().sha256_hex(),
    );
    let string_to_sign = format!("{ALGORITHM}\n{date}\n{}", sha256_hex(canonical.as_bytes()));
    let signature = hex_lower(&hmac_sha256(
        credentials.secret().expose().as_bytes(),
        string_to_sign.as_bytes(),
    ));
    added.push((
        "Authorization",
        format!(
            "{ALGORITHM} Access={}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id()
        ),
    ));
    SigningOutput {
        headers: added,
        canonical_request: canonical,
        string_to_sign,
        signature,
        secrets,
    }
}
