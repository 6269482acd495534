//! Tencent Cloud `TC3-HMAC-SHA256` (API 3.0).
//!
//! ```text
//! CanonicalRequest = METHOD \n URI \n Query \n CanonicalHeaders \n SignedHeaders \n lowerhex(sha256(body))
//! CredentialScope  = <UTC date> / <service> / tc3_request
//! StringToSign     = "TC3-HMAC-SHA256" \n <unix seconds> \n CredentialScope \n lowerhex(sha256(CanonicalRequest))
//! SigningKey       = HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request")
//! Signature        = lowerhex(HMAC-SHA256(SigningKey, StringToSign))
//! ```
//!
//! The signing key depends only on the secret, the date and the service, so [`Tc3Signer`] derives
//! it once per day and service and reuses it.

use std::sync::Mutex;

use time::OffsetDateTime;
use time::macros::format_description;
use zeroize::Zeroizing;

use crate::Credentials;
use crate::encode::{canonical_query, hex_lower};
use crate::request::{
    SignableRequest, SigningOutput, canonical_headers, hmac_sha256, join_canonical_request,
    sha256_hex,
};

/// The algorithm name.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Per-request signing parameters.
#[derive(Debug, Clone, Copy)]
pub struct Tc3Params<'a> {
    /// The service name (`mongodb`, `cvm`), part of the credential scope.
    pub service: &'a str,
    /// The signing time, sent as `X-TC-Timestamp`.
    pub time: OffsetDateTime,
    /// Request headers to sign besides `content-type` and `host` (the official SDKs sign only
    /// those two; the current documentation also signs `x-tc-action`).
    pub extra_signed_headers: &'a [&'a str],
}

/// The UTC date `YYYY-MM-DD` of the credential scope.
pub fn scope_date(time: OffsetDateTime) -> String {
    time.to_offset(time::UtcOffset::UTC)
        .format(format_description!("[year]-[month]-[day]"))
        .expect("a UTC date always formats")
}

/// Derives the signing key: `HMAC(HMAC(HMAC("TC3" + secret, date), service), "tc3_request")`.
pub fn derive_signing_key(secret: &str, date: &str, service: &str) -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new(Vec::with_capacity(secret.len() + 3));
    k.extend_from_slice(b"TC3");
    k.extend_from_slice(secret.as_bytes());
    let date_key = Zeroizing::new(hmac_sha256(&k, date.as_bytes()));
    let service_key = Zeroizing::new(hmac_sha256(&*date_key, service.as_bytes()));
    Zeroizing::new(hmac_sha256(&*service_key, b"tc3_request"))
}

struct CachedKey {
    access_key_id: String,
    /// Temporary credentials may come back with the same id and a new secret.
    secret: crate::SecretString,
    date: String,
    service: String,
    key: Zeroizing<[u8; 32]>,
}

/// A TC3 signer that caches the derived signing key per (access key id, date, service).
///
/// ```
/// use cloud_sign::{tencent, Credentials, Payload, SignableRequest};
/// use time::macros::datetime;
/// let headers = [("content-type", "application/json")];
/// let req = SignableRequest::new("POST", "mongodb.tencentcloudapi.com", "/")
///     .with_headers(&headers)
///     .with_payload(Payload::Bytes(br#"{"InstanceId":"cmgo-p8vnipr5"}"#));
/// let params = tencent::Tc3Params {
///     service: "mongodb",
///     time: datetime!(2026-01-01 0:00 UTC),
///     extra_signed_headers: &[],
/// };
/// let signer = tencent::Tc3Signer::new();
/// let out = signer.sign(&req, &params, &Credentials::new("AKIDEXAMPLE", "exampleSecretKey"));
/// assert!(out.headers().iter().any(|(n, _)| *n == "Authorization"));
/// ```
#[derive(Default)]
pub struct Tc3Signer {
    cache: Mutex<Option<CachedKey>>,
}

impl std::fmt::Debug for Tc3Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tc3Signer").finish_non_exhaustive()
    }
}

impl Tc3Signer {
    /// A signer with an empty key cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Signs like [`sign`], reusing the derived key when the access key, date and service match
    /// the previous call.
    pub fn sign(
        &self,
        request: &SignableRequest<'_>,
        params: &Tc3Params<'_>,
        credentials: &Credentials,
    ) -> SigningOutput {
        let date = scope_date(params.time);
        let key = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            match cache.as_ref() {
                Some(c)
                    if c.access_key_id == credentials.access_key_id()
                        && c.secret.expose() == credentials.secret().expose()
                        && c.date == date
                        && c.service == params.service =>
                {
                    c.key.clone()
                }
                _ => {
                    let key =
                        derive_signing_key(credentials.secret().expose(), &date, params.service);
                    *cache = Some(CachedKey {
                        access_key_id: credentials.access_key_id().to_owned(),
                        secret: credentials.secret().clone(),
                        date: date.clone(),
                        service: params.service.to_owned(),
                        key: key.clone(),
                    });
                    key
                }
            }
        };
        sign_with_key(request, params, credentials, &date, &key)
    }
}

/// Signs `request` with TC3-HMAC-SHA256, deriving the key afresh.
///
/// Adds `X-TC-Timestamp`, `X-TC-Token` (temporary credentials; not signed) and `Authorization`.
/// `X-TC-Action`, `X-TC-Version` and `X-TC-Region` are the caller's to send. Header values are
/// lower-cased in the canonical form, as Tencent specifies.
pub fn sign(
    request: &SignableRequest<'_>,
    params: &Tc3Params<'_>,
    credentials: &Credentials,
) -> SigningOutput {
    let date = scope_date(params.time);
    let key = derive_signing_key(credentials.secret().expose(), &date, params.service);
    sign_with_key(request, params, credentials, &date, &key)
}

fn sign_with_key(
    request: &SignableRequest<'_>,
    params: &Tc3Params<'_>,
    credentials: &Credentials,
    date: &str,
    key: &[u8; 32],
) -> SigningOutput {
    let timestamp = params.time.unix_timestamp().to_string();
    let signed = std::iter::once(("host", request.host())).chain(
        request.headers().iter().copied().filter(|(n, _)| {
            n.eq_ignore_ascii_case("content-type")
                || params
                    .extra_signed_headers
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(n))
        }),
    );
    let (canonical_headers, signed_headers) = canonical_headers(signed, true);
    let payload_hash = request.payload().sha256_hex();
    let canonical = join_canonical_request(
        request.method(),
        request.path(),
        &canonical_query(request.query()),
        &canonical_headers,
        &signed_headers,
        &payload_hash,
    );
    let scope = format!("{date}/{}/tc3_request", params.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let signature = hex_lower(&hmac_sha256(key, string_to_sign.as_bytes()));
    let mut headers = vec![("X-TC-Timestamp", timestamp)];
    let mut secrets = Vec::new();
    if let Some(token) = credentials.session_token() {
        headers.push(("X-TC-Token", token.expose().to_owned()));
        secrets.push(token.expose().to_owned());
    }
    headers.push((
        "Authorization",
        format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id()
        ),
    ));
    SigningOutput {
        headers,
        canonical_request: canonical,
        string_to_sign,
        signature,
        secrets,
    }
}
