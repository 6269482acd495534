//! Checksums the storage declares (OSS / COS CRC-64/ECMA headers, a single-part MD5 `ETag`) and
//! the caller's SHA-256, computed incrementally.

use md5::Digest as _;

use crate::download::DownloadError;

/// The CRC-64 used by OSS and COS (`x-oss-hash-crc64ecma`, `x-cos-hash-crc64ecma`): ECMA-182
/// polynomial, reflected, all-ones init and xor-out (CRC-64/XZ), SIMD-accelerated.
pub fn crc64_ecma(data: &[u8]) -> u64 {
    let mut d = crc64fast::Digest::new();
    d.write(data);
    d.sum64()
}

/// The CRC-64/ECMA (as [`crc64_ecma`]) of `A` followed by `B`, from `crc_a`, `crc_b` and the
/// length of `B`: how the CRCs of ranges fetched in parallel make the object's, without reading
/// it again (zlib's `crc32_combine` method, with the reflected ECMA-182 polynomial).
///
/// ```
/// use backup_core::checksum::{crc64_combine, crc64_ecma};
/// let (a, b) = (b"hello, ".as_slice(), b"world".as_slice());
/// assert_eq!(crc64_combine(crc64_ecma(a), crc64_ecma(b), 5), crc64_ecma(b"hello, world"));
/// ```
pub fn crc64_combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    /// The reflected ECMA-182 polynomial.
    const POLY: u64 = 0xc96c_5795_d787_0f42;
    fn times(mat: &[u64; 64], mut vec: u64) -> u64 {
        let mut sum = 0;
        let mut i = 0;
        while vec != 0 {
            if vec & 1 != 0 {
                sum ^= mat[i];
            }
            vec >>= 1;
            i += 1;
        }
        sum
    }
    fn square(mat: &[u64; 64]) -> [u64; 64] {
        std::array::from_fn(|n| times(mat, mat[n]))
    }
    if len_b == 0 {
        return crc_a;
    }
    // The operator for one zero bit, then two, then four.
    let mut odd = [0u64; 64];
    odd[0] = POLY;
    for (n, row) in odd.iter_mut().enumerate().skip(1) {
        *row = 1 << (n - 1);
    }
    let mut even = square(&odd);
    odd = square(&even);
    let (mut crc, mut len) = (crc_a, len_b);
    // Apply len zero bytes to crc_a, one bit of len at a time (the first square: one byte).
    loop {
        even = square(&odd);
        if len & 1 != 0 {
            crc = times(&even, crc);
        }
        len >>= 1;
        if len == 0 {
            break;
        }
        odd = square(&even);
        if len & 1 != 0 {
            crc = times(&odd, crc);
        }
        len >>= 1;
        if len == 0 {
            break;
        }
    }
    crc ^ crc_b
}

/// What the storage said the object's checksums are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// Decimal CRC-64/ECMA from `x-oss-hash-crc64ecma` or `x-cos-hash-crc64ecma`.
    pub crc64: Option<u64>,
    /// Lower-case hex MD5 from a strong, single-part `ETag` (32 hex digits, no `-`) of an object
    /// whose store does not say its ETags are something else.
    pub md5: Option<String>,
}

/// Headers by which a store says its `ETag` is not the MD5 of the content: the object type
/// (only OSS/COS/OBS `Normal` objects have MD5 ETags; `Multipart` and `Appendable` do not) and
/// server-side encryption with KMS or customer keys.
const OBJECT_TYPE_HEADERS: [&str; 3] = [
    "x-oss-object-type",
    "x-cos-object-type",
    "x-obs-object-type",
];
const ENCRYPTION_HEADERS: [&str; 4] = [
    "x-amz-server-side-encryption",
    "x-oss-server-side-encryption",
    "x-obs-server-side-encryption",
    "x-cos-server-side-encryption",
];
const CUSTOMER_KEY_HEADERS: [&str; 3] = [
    "x-amz-server-side-encryption-customer-algorithm",
    "x-oss-server-side-encryption-customer-algorithm",
    "x-obs-server-side-encryption-customer-algorithm",
];

impl Expected {
    /// Reads the checksum headers of a response (problems are logged; see
    /// [`Expected::from_headers_checked`]).
    pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Self {
        Self::from_headers_checked(headers).0
    }

    /// Reads the checksum headers of a response, and says what was wrong with them: a CRC-64
    /// header that is not a decimal 64-bit number is not used, and is reported (and logged as
    /// an error), never silently dropped.
    pub fn from_headers_checked(headers: &reqwest::header::HeaderMap) -> (Self, Vec<String>) {
        let get = |n: &str| {
            headers
                .get(n)
                .map(|v| String::from_utf8_lossy(v.as_bytes()))
        };
        let mut problems = Vec::new();
        let mut crc64 = None;
        for name in ["x-oss-hash-crc64ecma", "x-cos-hash-crc64ecma"] {
            if let Some(v) = get(name) {
                match v.trim().parse::<u64>() {
                    Ok(c) if crc64.is_none() => crc64 = Some(c),
                    Ok(_) => {}
                    Err(_) => {
                        let shown: String = crate::terminal::escape(&v).chars().take(40).collect();
                        let msg = format!(
                            "the storage sent a malformed {name} header ({shown:?}): not a decimal \
                             CRC-64; the file cannot be checked with it"
                        );
                        tracing::error!("{msg}");
                        problems.push(msg);
                    }
                }
            }
        }
        let not_md5 = OBJECT_TYPE_HEADERS
            .iter()
            .any(|h| get(h).is_some_and(|t| !t.trim().eq_ignore_ascii_case("normal")))
            || ENCRYPTION_HEADERS.iter().any(|h| {
                get(h).is_some_and(|v| {
                    let v = v.to_ascii_lowercase();
                    v.contains("kms") || v.contains("sm4")
                })
            })
            || CUSTOMER_KEY_HEADERS.iter().any(|h| get(h).is_some());
        let md5 = get("etag").filter(|_| !not_md5).and_then(|e| {
            let e = e.trim();
            // A weak ETag is not a hash of the bytes.
            if e.starts_with("W/") {
                return None;
            }
            let e = e.trim_matches('"');
            (e.len() == 32 && e.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| e.to_ascii_lowercase())
        });
        (Expected { crc64, md5 }, problems)
    }
}

/// Incremental hashers for whatever is expected.
pub struct Checksums {
    crc: Option<crc64fast::Digest>,
    md5: Option<md5::Md5>,
    sha256: Option<sha2::Sha256>,
    /// A CRC-64 computed elsewhere (combined from ranges), verified instead of `crc`'s.
    crc_value: Option<u64>,
}

impl Checksums {
    /// A CRC-64 already computed (combined from the ranges of a parallel download).
    pub(crate) fn crc64_computed(value: u64) -> Self {
        Checksums {
            crc: Some(crc64fast::Digest::new()),
            md5: None,
            sha256: None,
            crc_value: Some(value),
        }
    }

    /// Hashers for `expected`, plus SHA-256 when asked.
    pub fn new(expected: &Expected, sha256: bool) -> Self {
        Checksums {
            crc: expected.crc64.map(|_| crc64fast::Digest::new()),
            md5: expected.md5.as_ref().map(|_| md5::Md5::new()),
            sha256: sha256.then(<sha2::Sha256 as sha2::Digest>::new),
            crc_value: None,
        }
    }

    /// Whether anything is computed at all.
    pub fn any(&self) -> bool {
        self.crc.is_some() || self.md5.is_some() || self.sha256.is_some()
    }

    /// Feeds bytes, in file order.
    pub fn update(&mut self, data: &[u8]) {
        if let Some(c) = &mut self.crc {
            c.write(data);
        }
        if let Some(m) = &mut self.md5 {
            m.update(data);
        }
        if let Some(s) = &mut self.sha256 {
            sha2::Digest::update(s, data);
        }
    }

    /// The SHA-256 of what was fed (lowercase hex), when it is computed.
    pub fn sha256_hex(&self) -> Option<String> {
        self.sha256
            .as_ref()
            .map(|s| hex(&sha2::Digest::finalize(s.clone())))
    }

    /// Compares with the expectations; returns what was verified.
    pub fn verify(
        self,
        expected: &Expected,
        sha256: Option<&str>,
    ) -> Result<Vec<&'static str>, DownloadError> {
        let mut ok = Vec::new();
        if let (Some(c), Some(want)) = (self.crc, expected.crc64) {
            let got = self.crc_value.unwrap_or_else(|| c.sum64());
            if got != want {
                return Err(DownloadError::ChecksumMismatch {
                    kind: "crc64ecma",
                    expected: want.to_string(),
                    actual: got.to_string(),
                });
            }
            ok.push("crc64ecma");
        }
        if let (Some(m), Some(want)) = (self.md5, &expected.md5) {
            let got = hex(&m.finalize());
            if got != *want {
                return Err(DownloadError::ChecksumMismatch {
                    kind: "md5",
                    expected: want.clone(),
                    actual: got,
                });
            }
            ok.push("md5");
        }
        if let (Some(s), Some(want)) = (self.sha256, sha256) {
            let got = hex(&sha2::Digest::finalize(s));
            if !got.eq_ignore_ascii_case(want) {
                return Err(DownloadError::ChecksumMismatch {
                    kind: "sha256",
                    expected: want.to_ascii_lowercase(),
                    actual: got,
                });
            }
            ok.push("sha256");
        }
        Ok(ok)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_crcs_are_the_crc_of_the_whole() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let whole = crc64_ecma(&data);
        for cut in [0, 1, 7, 8, 4096, 65_537, 99_999, 100_000] {
            let (a, b) = data.split_at(cut);
            assert_eq!(
                crc64_combine(crc64_ecma(a), crc64_ecma(b), b.len() as u64),
                whole,
                "cut at {cut}"
            );
        }
        // Three pieces, combined left to right.
        let (a, rest) = data.split_at(33_333);
        let (b, c) = rest.split_at(44_444);
        let ab = crc64_combine(crc64_ecma(a), crc64_ecma(b), b.len() as u64);
        assert_eq!(crc64_combine(ab, crc64_ecma(c), c.len() as u64), whole);
        let got = Checksums::crc64_computed(whole).verify(
            &Expected {
                crc64: Some(whole),
                md5: None,
            },
            None,
        );
        assert_eq!(got.unwrap(), vec!["crc64ecma"]);
        let bad = Checksums::crc64_computed(whole ^ 1).verify(
            &Expected {
                crc64: Some(whole),
                md5: None,
            },
            None,
        );
        assert!(matches!(bad, Err(DownloadError::ChecksumMismatch { .. })));
    }

    #[test]
    fn crc64_ecma_check_value() {
        // The CRC-64/XZ check value of "123456789".
        assert_eq!(crc64_ecma(b"123456789"), 0x995d_c9bb_df19_39fa);
    }

    fn headers(pairs: &[(&'static str, &str)]) -> reqwest::header::HeaderMap {
        let mut h = reqwest::header::HeaderMap::new();
        for (n, v) in pairs {
            h.append(*n, v.parse().unwrap());
        }
        h
    }

    const MD5: &str = "\"d41d8cd98f00b204e9800998ecf8427e\"";

    #[test]
    fn etags_that_are_not_md5_are_ignored() {
        let md5 = |pairs: &[(&'static str, &str)]| Expected::from_headers(&headers(pairs)).md5;
        assert_eq!(
            md5(&[("etag", MD5)]).as_deref(),
            Some("d41d8cd98f00b204e9800998ecf8427e")
        );
        assert_eq!(
            md5(&[("etag", "\"d41d8cd98f00b204e9800998ecf8427e-3\"")]),
            None
        );
        assert_eq!(
            md5(&[("etag", "W/\"d41d8cd98f00b204e9800998ecf8427e\"")]),
            None
        );
        assert_eq!(
            md5(&[("etag", MD5), ("x-oss-object-type", "Appendable")]),
            None
        );
        assert_eq!(
            md5(&[("etag", MD5), ("x-oss-object-type", "Multipart")]),
            None
        );
        assert!(md5(&[("etag", MD5), ("x-oss-object-type", "Normal")]).is_some());
        assert_eq!(
            md5(&[("etag", MD5), ("x-amz-server-side-encryption", "aws:kms")]),
            None
        );
        assert_eq!(
            md5(&[("etag", MD5), ("x-obs-server-side-encryption", "kms")]),
            None
        );
        assert!(md5(&[("etag", MD5), ("x-amz-server-side-encryption", "AES256")]).is_some());
        assert_eq!(
            md5(&[
                ("etag", MD5),
                ("x-amz-server-side-encryption-customer-algorithm", "AES256")
            ]),
            None
        );
    }

    #[test]
    fn a_malformed_crc64_header_is_reported_not_dropped_silently() {
        let (e, problems) =
            Expected::from_headers_checked(&headers(&[("x-oss-hash-crc64ecma", "12ab")]));
        assert_eq!(e.crc64, None);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("x-oss-hash-crc64ecma"), "{problems:?}");
        let (e, problems) =
            Expected::from_headers_checked(&headers(&[("x-cos-hash-crc64ecma", " 42 ")]));
        assert_eq!((e.crc64, problems.len()), (Some(42), 0));
    }
}
