//! The one RFC 3986 percent-encoder shared by all three signers, and the canonical query string.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte except the RFC 3986 unreserved set `A-Z a-z 0-9 - _ . ~` is encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes `input` the way all three vendors' canonical strings need it.
///
/// RFC 3986 unreserved characters stay as they are; every other byte of the UTF-8 form becomes
/// `%XX` with upper-case hex, so a space is `%20` (never `+`), `*` is `%2A` and `/` is `%2F`.
///
/// ```
/// assert_eq!(cloud_sign::percent_encode(" ~/*-+"), "%20~%2F%2A-%2B");
/// ```
pub fn percent_encode(input: &str) -> String {
    utf8_percent_encode(input, RFC3986).to_string()
}

/// Percent-encodes a URL path: each `/`-separated segment is encoded with [`percent_encode`] and
/// the slashes between segments are kept.
///
/// ```
/// assert_eq!(cloud_sign::encode_path("/v3/a b/x*y"), "/v3/a%20b/x%2Ay");
/// ```
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.extend(utf8_percent_encode(segment, RFC3986));
    }
    out
}

/// Builds the canonical query string: pairs sorted by name, then by value (byte order of the
/// unencoded UTF-8 text, as the vendors' servers sort them), each written `name=value` with both
/// parts encoded by [`percent_encode`], joined by `&`. Repeated names repeat; an empty value gives
/// `name=`; no pairs give an empty string.
///
/// This exact string is both signed and sent on the wire after `?`, so what the server receives
/// is byte for byte what was signed.
///
/// ```
/// let q = cloud_sign::canonical_query(&[("b", "2 3"), ("a", "x"), ("b", "1")]);
/// assert_eq!(q, "a=x&b=1&b=2%203");
/// ```
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut sorted: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    sorted.sort_unstable();
    let mut out = String::new();
    for (i, (k, v)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, RFC3986));
        out.push('=');
        out.extend(utf8_percent_encode(v, RFC3986));
    }
    out
}

/// Lower-case hexadecimal form of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_keeps_unreserved() {
        assert_eq!(percent_encode(" ~/*-+"), "%20~%2F%2A-%2B");
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode("备份"), "%E5%A4%87%E4%BB%BD");
    }

    #[test]
    fn empty_query_is_empty_line() {
        let none: [(&str, &str); 0] = [];
        assert_eq!(canonical_query(&none), "");
        assert_eq!(
            canonical_query(&[("empty", ""), ("test", "ok")]),
            "empty=&test=ok"
        );
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex_lower(&[0x00, 0xab, 0xff, 0x10]), "00abff10");
    }
}
