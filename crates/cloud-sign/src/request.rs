//! The borrowed, transport-agnostic view of a request that every signer takes, and what a signer
//! returns.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::encode::hex_lower;

/// The SHA-256 of an empty payload, lower-case hex.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The body of a request as the signer sees it.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// The body bytes; the signer hashes them.
    Bytes(&'a [u8]),
    /// The lower-case hex SHA-256 of the body, computed by the caller (for bodies streamed from
    /// elsewhere, or hashed once and signed many times).
    Precomputed(&'a str),
}

impl Payload<'_> {
    /// Lower-case hex SHA-256 of the payload.
    pub fn sha256_hex(&self) -> String {
        match self {
            Payload::Bytes([]) => EMPTY_PAYLOAD_SHA256.to_owned(),
            Payload::Bytes(b) => hex_lower(&Sha256::digest(b)),
            Payload::Precomputed(h) => (*h).to_owned(),
        }
    }
}

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Payload::Precomputed(h) => f.debug_tuple("Precomputed").field(h).finish(),
        }
    }
}

/// A borrowed view of an HTTP request: everything a signer needs, nothing tied to an HTTP client.
///
/// `host` must be exactly the `Host` header the transport will send (with `:port` when the port
/// is not the scheme's default). `path` is the unencoded path. Query pairs are unencoded; the wire
/// query must be [`canonical_query`](crate::canonical_query) of the same pairs.
///
/// ```
/// use cloud_sign::{Payload, SignableRequest};
/// let query = [("instance_id", "abc")];
/// let req = SignableRequest::new("GET", "dds.cn-north-4.myhuaweicloud.com", "/v3/p/backups")
///     .with_query(&query)
///     .with_payload(Payload::Bytes(b""));
/// assert_eq!(req.method(), "GET");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    method: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    headers: &'a [(&'a str, &'a str)],
    payload: Payload<'a>,
}

impl<'a> SignableRequest<'a> {
    /// A request with no query, no extra headers and an empty body.
    pub fn new(method: &'a str, host: &'a str, path: &'a str) -> Self {
        SignableRequest {
            method,
            host,
            path,
            query: &[],
            headers: &[],
            payload: Payload::Bytes(b""),
        }
    }

    /// Sets the (unencoded) query pairs.
    pub fn with_query(mut self, query: &'a [(&'a str, &'a str)]) -> Self {
        self.query = query;
        self
    }

    /// Sets the headers the caller sends besides those the signer adds (for example
    /// `content-type`, `x-project-id`).
    pub fn with_headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the body.
    pub fn with_payload(mut self, payload: Payload<'a>) -> Self {
        self.payload = payload;
        self
    }

    /// The HTTP method, upper case.
    pub fn method(&self) -> &'a str {
        self.method
    }
    /// The `Host` header value.
    pub fn host(&self) -> &'a str {
        self.host
    }
    /// The unencoded path.
    pub fn path(&self) -> &'a str {
        self.path
    }
    /// The unencoded query pairs.
    pub fn query(&self) -> &'a [(&'a str, &'a str)] {
        self.query
    }
    /// The caller's headers.
    pub fn headers(&self) -> &'a [(&'a str, &'a str)] {
        self.headers
    }
    /// The body.
    pub fn payload(&self) -> Payload<'a> {
        self.payload
    }
}

/// What a signer returns: the headers to add to the request, and the intermediate strings so
/// tests and trace logs can show how the signature was made.
///
/// `Debug` redacts the signature, the `Authorization` header and any security token (which some
/// algorithms sign, so it also appears in the canonical request).
#[derive(Clone)]
pub struct SigningOutput {
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) canonical_request: String,
    pub(crate) string_to_sign: String,
    pub(crate) signature: String,
    /// Values that must never be printed (security tokens).
    pub(crate) secrets: Vec<String>,
}

impl SigningOutput {
    /// An output for a request authenticated without a signature (for example a Huawei IAM
    /// token sent as `X-Auth-Token`): just the headers to add. Values of headers whose name
    /// contains `token` are treated as secrets (redacted in `Debug`).
    ///
    /// ```
    /// let out = cloud_sign::SigningOutput::unsigned(vec![("X-Auth-Token", "secret-token".into())]);
    /// assert_eq!(out.headers().len(), 1);
    /// assert!(!format!("{out:?}").contains("secret-token"));
    /// ```
    pub fn unsigned(headers: Vec<(&'static str, String)>) -> Self {
        let secrets = headers
            .iter()
            .filter(|(n, _)| n.to_ascii_lowercase().contains("token"))
            .map(|(_, v)| v.clone())
            .collect();
        SigningOutput {
            headers,
            canonical_request: String::new(),
            string_to_sign: String::new(),
            signature: String::new(),
            secrets,
        }
    }

    /// Headers to add to the request (names as the vendor spells them), `Authorization` last.
    /// `Host` is not among them: the transport sends the `host` the request was signed with.
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }
    /// The canonical request that was hashed. May contain a security token: do not log it
    /// verbatim; [`SigningOutput::canonical_request_redacted`] is safe to log.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }
    /// The canonical request with every security token replaced by `** redacted **`.
    pub fn canonical_request_redacted(&self) -> String {
        redact(&self.canonical_request, &self.secrets)
    }
    /// The string that was signed (never contains a secret).
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
    /// The signature, lower-case hex. Treat it as a secret: it authorises this exact request.
    pub fn signature(&self) -> &str {
        &self.signature
    }
    /// Consumes the output, returning the headers to add.
    pub fn into_headers(self) -> Vec<(&'static str, String)> {
        self.headers
    }
}

pub(crate) const REDACTED: &str = "** redacted **";

fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), REDACTED);
    }
    out
}

impl fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                if n.eq_ignore_ascii_case("authorization") || self.secrets.iter().any(|s| s == v) {
                    (*n, REDACTED.to_owned())
                } else {
                    (*n, v.clone())
                }
            })
            .collect();
        f.debug_struct("SigningOutput")
            .field("headers", &headers)
            .field("canonical_request", &self.canonical_request_redacted())
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &REDACTED)
            .finish()
    }
}

/// Builds a canonical header block from (name, value) pairs: names lower-cased, values trimmed
/// (and lower-cased when `lower_values`), same-name values sorted and joined by `,`, sorted by
/// name. Returns `(canonical_headers, signed_headers)`; the block ends with `\n` after each header.
pub(crate) fn canonical_headers<'h>(
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    lower_values: bool,
) -> (String, String) {
    let mut entries: Vec<(String, String)> = headers
        .into_iter()
        .map(|(n, v)| {
            let v = v.trim();
            let v = if lower_values {
                v.to_lowercase()
            } else {
                v.to_owned()
            };
            (n.to_ascii_lowercase(), v)
        })
        .collect();
    entries.sort();
    let mut canonical = String::new();
    let mut signed = String::new();
    let mut i = 0;
    while i < entries.len() {
        let name = &entries[i].0;
        if !signed.is_empty() {
            signed.push(';');
        }
        signed.push_str(name);
        canonical.push_str(name);
        canonical.push(':');
        let mut j = i;
        while j < entries.len() && entries[j].0 == *name {
            if j > i {
                canonical.push(',');
            }
            canonical.push_str(&entries[j].1);
            j += 1;
        }
        canonical.push('\n');
        i = j;
    }
    (canonical, signed)
}

/// Lower-case hex SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex_lower(&Sha256::digest(data))
}

/// HMAC-SHA256 of `data` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Joins the six lines every one of the three algorithms hashes:
/// method, canonical URI, canonical query, canonical headers (each ending `\n`), signed headers,
/// payload hash.
pub(crate) fn join_canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    format!(
        "{method}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{payload_hash}"
    )
}
