//! Alibaba Cloud `ACS3-HMAC-SHA256` (the V3 signature).
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//! StringToSign     = "ACS3-HMAC-SHA256" \n lowerhex(sha256(CanonicalRequest))
//! Signature        = lowerhex(HMAC-SHA256(AccessKeySecret, StringToSign))
//! ```

use time::OffsetDateTime;
use time::macros::format_description;

use crate::Credentials;
use crate::encode::{canonical_query, encode_path, hex_lower};
use crate::request::{
    SignableRequest, SigningOutput, canonical_headers, hmac_sha256, join_canonical_request,
    sha256_hex,
};

/// The algorithm name, first line of the string to sign and of `Authorization`.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Per-request signing parameters: the operation, the time and the nonce are explicit because
/// this crate reads no clock and draws no random numbers.
#[derive(Debug, Clone, Copy)]
pub struct AcsParams<'a> {
    /// The API action, sent as `x-acs-action` (e.g. `CreateDownload`).
    pub action: &'a str,
    /// The API version, sent as `x-acs-version` (e.g. `2021-01-01`).
    pub version: &'a str,
    /// The signing time, sent as `x-acs-date` in UTC.
    pub time: OffsetDateTime,
    /// A value unique per request (Aliyun rejects reuse), sent as `x-acs-signature-nonce`.
    pub nonce: &'a str,
}

/// Formats a time as `x-acs-date` wants it: UTC `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_date(time: OffsetDateTime) -> String {
    let utc = time.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .expect("a UTC date always formats")
}

/// Signs `request` for an Aliyun RPC or ROA API.
///
/// Adds `x-acs-action`, `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce`,
/// `x-acs-content-sha256`, `x-acs-security-token` (temporary credentials only) and
/// `Authorization`. Signs `host`, `content-type` and every `x-acs-*` header.
///
/// ```
/// use cloud_sign::{aliyun, Credentials, SignableRequest};
/// use time::macros::datetime;
/// let query = [("RegionCode", "cn-hangzhou")];
/// let req = SignableRequest::new("POST", "dbs-api.cn-hangzhou.aliyuncs.com", "/").with_query(&query);
/// let params = aliyun::AcsParams {
///     action: "DescribeDownloadSupport",
///     version: "2021-01-01",
///     time: datetime!(2024-01-01 0:00 UTC),
///     nonce: "0123456789abcdef0123456789abcdef",
/// };
/// let out = aliyun::sign(&req, &params, &Credentials::new("LTAI5tExample", "exampleSecret"));
/// assert!(out.string_to_sign().starts_with("ACS3-HMAC-SHA256\n"));
/// ```
pub fn sign(
    request: &SignableRequest<'_>,
    params: &AcsParams<'_>,
    credentials: &Credentials,
) -> SigningOutput {
    let payload_hash = request.payload().sha256_hex();
    let mut added: Vec<(&'static str, String)> = vec![
        ("x-acs-action", params.action.to_owned()),
        ("x-acs-version", params.version.to_owned()),
        ("x-acs-date", format_date(params.time)),
        ("x-acs-signature-nonce", params.nonce.to_owned()),
        ("x-acs-content-sha256", payload_hash.clone()),
    ];
    let mut secrets = Vec::new();
    if let Some(token) = credentials.session_token() {
        added.push(("x-acs-security-token", token.expose().to_owned()));
        secrets.push(token.expose().to_owned());
    }
    let signed = std::iter::once(("host", request.host()))
        .chain(added.iter().map(|(n, v)| (*n, v.as_str())))
        .chain(request.headers().iter().copied().filter(|(n, _)| {
            let n = n.to_ascii_lowercase();
            n == "content-type" || n.starts_with("x-acs-")
        }));
    let (canonical, signed_headers) = canonical_request(
        request.method(),
        request.path(),
        request.query(),
        signed,
        &payload_hash,
    );
    let string_to_sign = string_to_sign(&canonical);
    let signature = signature(credentials.secret().expose(), &string_to_sign);
    added.push((
        "Authorization",
        format!(
            "{ALGORITHM} Credential={},SignedHeaders={signed_headers},Signature={signature}",
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

/// Builds the canonical request from its parts; returns it with the `SignedHeaders` list.
///
/// Every header given is signed: names lower-cased, values trimmed, a repeated name's values
/// sorted and joined by `,`.
pub fn canonical_request<'h>(
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    payload_hash: &str,
) -> (String, String) {
    let (canonical_headers, signed_headers) = canonical_headers(headers, false);
    let uri = if path.is_empty() {
        "/".to_owned()
    } else {
        encode_path(path)
    };
    let canonical = join_canonical_request(
        method,
        &uri,
        &canonical_query(query),
        &canonical_headers,
        &signed_headers,
        payload_hash,
    );
    (canonical, signed_headers)
}

/// `ACS3-HMAC-SHA256\n` followed by the hex SHA-256 of the canonical request.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// The hex HMAC-SHA256 of the string to sign under the access key secret.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    hex_lower(&hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()))
}
