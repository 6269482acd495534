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

/// What the storage said the object's checksums are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// Decimal CRC-64/ECMA from `x-oss-hash-crc64ecma` or `x-cos-hash-crc64ecma`.
    pub crc64: Option<u64>,
    /// Lower-case hex MD5 from a single-part `ETag` (32 hex digits, no `-`).
    pub md5: Option<String>,
}

impl Expected {
    /// Reads the checksum headers of a response.
    pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Self {
        let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
        let crc64 = get("x-oss-hash-crc64ecma")
            .or_else(|| get("x-cos-hash-crc64ecma"))
            .and_then(|v| v.trim().parse().ok());
        let md5 = get("etag").and_then(|e| {
            let e = e.trim().trim_start_matches("W/").trim_matches('"');
            (e.len() == 32 && e.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| e.to_ascii_lowercase())
        });
        Expected { crc64, md5 }
    }
}

/// Incremental hashers for whatever is expected.
pub struct Checksums {
    crc: Option<crc64fast::Digest>,
    md5: Option<md5::Md5>,
    sha256: Option<sha2::Sha256>,
}

impl Checksums {
    /// Hashers for `expected`, plus SHA-256 when asked.
    pub fn new(expected: &Expected, sha256: bool) -> Self {
        Checksums {
            crc: expected.crc64.map(|_| crc64fast::Digest::new()),
            md5: expected.md5.as_ref().map(|_| md5::Md5::new()),
            sha256: sha256.then(<sha2::Sha256 as sha2::Digest>::new),
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

    /// Compares with the expectations; returns what was verified.
    pub fn verify(
        self,
        expected: &Expected,
        sha256: Option<&str>,
    ) -> Result<Vec<&'static str>, DownloadError> {
        let mut ok = Vec::new();
        if let (Some(c), Some(want)) = (self.crc, expected.crc64) {
            let got = c.sum64();
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
    fn crc64_ecma_check_value() {
        // The CRC-64/XZ check value of "123456789".
        assert_eq!(crc64_ecma(b"123456789"), 0x995d_c9bb_df19_39fa);
    }

    #[test]
    fn etags_that_are_not_md5_are_ignored() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            "etag",
            "\"d41d8cd98f00b204e9800998ecf8427e\"".parse().unwrap(),
        );
        assert_eq!(
            Expected::from_headers(&h).md5.as_deref(),
            Some("d41d8cd98f00b204e9800998ecf8427e")
        );
        h.insert(
            "etag",
            "\"d41d8cd98f00b204e9800998ecf8427e-3\"".parse().unwrap(),
        );
        assert_eq!(Expected::from_headers(&h).md5, None);
    }
}
