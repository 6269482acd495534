//! The object-storage route: deterministic content of a declared size, pre-signed links with
//! expiry, `Range` / `If-Range` / `HEAD`, `ETag` and `Content-Length`.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::http::{Body, Request, Response};

/// A stored backup file. Its bytes are a pure function of its seed and offset, so any range can
/// be produced without holding the file in memory.
#[derive(Debug, Clone)]
pub struct Object {
    /// Key under `/objects/`.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Content seed; change it to model an object replaced by a new version.
    pub seed: u64,
    /// Shared by clones, so computing them on a copy warms the stored object too.
    sums: Arc<std::sync::OnceLock<(u64, String)>>,
}

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        (&self.key, self.size, self.seed) == (&other.key, other.size, other.seed)
    }
}
impl Eq for Object {}

impl Object {
    /// A new object.
    pub fn new(key: impl Into<String>, size: u64, seed: u64) -> Self {
        Object {
            key: key.into(),
            size,
            seed,
            sums: Arc::default(),
        }
    }

    /// This version with another seed (new content, new ETag and checksums).
    pub fn replaced(&self) -> Self {
        Object::new(self.key.clone(), self.size, self.seed.wrapping_add(1))
    }

    /// CRC-64/ECMA (as OSS and COS report it) and MD5 (hex) of the content, computed once per
    /// version (clones share the result).
    pub fn checksums(&self) -> (u64, String) {
        self.sums
            .get_or_init(|| {
                use md5::Digest;
                let mut c = crc64fast::Digest::new();
                let mut m = md5::Md5::new();
                let mut buf = vec![0u8; 1 << 20];
                let mut pos = 0;
                while pos < self.size {
                    let n = (self.size - pos).min(buf.len() as u64) as usize;
                    self.fill(pos, &mut buf[..n]);
                    c.write(&buf[..n]);
                    m.update(&buf[..n]);
                    pos += n as u64;
                }
                let md5: String = m.finalize().iter().map(|b| format!("{b:02x}")).collect();
                (c.sum64(), md5)
            })
            .clone()
    }

    /// Fills `buf` with the bytes at `offset..offset + buf.len()`.
    pub fn fill(&self, offset: u64, buf: &mut [u8]) {
        // Word `w` of the content is `mix(seed ^ w)`, little-endian. A partial first word, then
        // whole words (the loop the server spends its time in), then a partial last word.
        let word = |w: u64| mix(self.seed ^ w).to_le_bytes();
        let head = ((8 - offset % 8) % 8).min(buf.len() as u64) as usize;
        let skip = (offset % 8) as usize;
        buf[..head].copy_from_slice(&word(offset / 8)[skip..skip + head]);
        let mut w = (offset + head as u64) / 8;
        let mut words = buf[head..].chunks_exact_mut(8);
        for out in &mut words {
            out.copy_from_slice(&word(w));
            w += 1;
        }
        let tail = words.into_remainder();
        let n = tail.len();
        tail.copy_from_slice(&word(w)[..n]);
    }

    /// The whole content (for tests on small objects).
    pub fn content(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.size as usize];
        self.fill(0, &mut v);
        v
    }

    /// The strong ETag of this version: the content MD5 for Huawei OBS objects (single-part
    /// uploads), an opaque multipart-style tag otherwise.
    pub fn etag(&self) -> String {
        if self.key.starts_with("huawei/") {
            format!("\"{}\"", self.checksums().1)
        } else {
            format!(
                "\"{:016x}{:08x}-1\"",
                mix(self.seed),
                mix(self.size ^ self.seed.rotate_left(17)) as u32
            )
        }
    }

    /// The checksum header the vendor's storage sends with this object, if any.
    pub fn checksum_header(&self) -> Option<(&'static str, String)> {
        if self.key.starts_with("aliyun/") {
            Some(("x-oss-hash-crc64ecma", self.checksums().0.to_string()))
        } else if self.key.starts_with("tencent/") {
            Some(("x-cos-hash-crc64ecma", self.checksums().0.to_string()))
        } else {
            None
        }
    }
}

fn mix(mut z: u64) -> u64 {
    // splitmix64 finaliser.
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const LINK_KEY: &[u8] = b"fake-cloud link signing key";

/// The `Signature` query value of a link to `key` expiring at `expires` (unix seconds).
pub(crate) fn link_signature(key: &str, expires: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(LINK_KEY).expect("any key length");
    mac.update(format!("{key}\n{expires}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serves `GET`/`HEAD /objects/<key>?Expires=..&Signature=..`.
pub(crate) fn serve(
    req: &Request,
    object: Option<Arc<Object>>,
    now: i64,
    no_ranges: bool,
) -> Response {
    let error = |status: u16, code: &str, msg: &str| {
        Response::raw(
            status,
            "application/xml",
            format!(
                "<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>{msg}</Message></Error>"
            )
            .into_bytes(),
        )
    };
    let key = req.path.trim_start_matches("/objects/");
    let expires: Option<i64> = req.query_value("Expires").and_then(|e| e.parse().ok());
    let (Some(expires), Some(sig)) = (expires, req.query_value("Signature")) else {
        return error(403, "AccessDenied", "missing signature");
    };
    if link_signature(key, expires) != sig {
        return error(403, "SignatureDoesNotMatch", "bad link signature");
    }
    if now > expires {
        return error(403, "AccessDenied", "Request has expired");
    }
    let Some(object) = object else {
        return error(404, "NoSuchKey", "The specified key does not exist.");
    };
    let etag = object.etag();
    let checksum = object.checksum_header();
    let head_only = req.method == "HEAD";
    let mut common = vec![
        (
            "content-type".to_owned(),
            "application/octet-stream".to_owned(),
        ),
        ("accept-ranges".to_owned(), "bytes".to_owned()),
        ("etag".to_owned(), etag.clone()),
    ];
    if let Some((n, v)) = checksum {
        common.push((n.to_owned(), v));
    }
    if no_ranges {
        common.retain(|(n, _)| n != "accept-ranges");
    }
    let full = |object: Arc<Object>| Response {
        status: 200,
        headers: common.clone(),
        body: Body::Object {
            start: 0,
            len: object.size,
            object,
        },
        head_only,
    };
    let Some(range) = req.header("range") else {
        return full(object);
    };
    if let Some(cond) = req.header("if-range")
        && cond != etag
    {
        return full(object);
    }
    match parse_range(range, object.size) {
        Some((start, end)) => Response {
            status: 206,
            headers: {
                let mut h = common.clone();
                h.push((
                    "content-range".into(),
                    format!("bytes {start}-{end}/{}", object.size),
                ));
                h
            },
            body: Body::Object {
                start,
                len: end - start + 1,
                object,
            },
            head_only,
        },
        None => error(
            416,
            "InvalidRange",
            "The requested range is not satisfiable",
        )
        .with_header("content-range", format!("bytes */{}", object.size)),
    }
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` → inclusive (start, end).
fn parse_range(header: &str, size: u64) -> Option<(u64, u64)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || size == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (size.saturating_sub(n), size - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            size - 1
        } else {
            b.parse::<u64>().ok()?.min(size - 1)
        };
        (start, end)
    };
    (start <= end && start < size).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_deterministic_and_range_consistent() {
        let o = Object::new("k", 1000, 7);
        let all = o.content();
        let mut part = vec![0u8; 101];
        o.fill(333, &mut part);
        assert_eq!(&all[333..434], &part[..]);
        assert_ne!(Object::new("k", 1000, 8).content(), all);
    }

    #[test]
    fn fill_matches_the_word_by_word_definition_at_any_offset_and_length() {
        // The content's definition, one byte at a time: byte `p` is byte `p % 8` of
        // `mix(seed ^ p / 8)` in little-endian order. Stored checksums and ETags rest on it.
        let o = Object::new("k", 1 << 20, 0x5eed);
        let byte = |p: u64| mix(o.seed ^ (p / 8)).to_le_bytes()[(p % 8) as usize];
        for offset in [0u64, 1, 7, 8, 9, 4095, 65_537] {
            for len in [0usize, 1, 3, 7, 8, 9, 16, 17, 1000] {
                let mut buf = vec![0u8; len];
                o.fill(offset, &mut buf);
                let want: Vec<u8> = (offset..offset + len as u64).map(byte).collect();
                assert_eq!(buf, want, "offset {offset} len {len}");
            }
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=95-200", 100), Some((95, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }
}
