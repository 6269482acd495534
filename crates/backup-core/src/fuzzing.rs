//! Entry points for the `cargo fuzz` targets in `fuzz/` (compiled only with `--cfg fuzzing`,
//! which `cargo fuzz` sets): the resume-state parser, the download probe's header logic and
//! the file-name choke point, each checking its own invariants.

use crate::checksum::Expected;
use crate::download::{self, FuzzValidators};
use crate::names::{MAX_NAME_BYTES, SafeName, distinct_names};

/// Parses `data` as a resume state; an accepted state must seal and parse back to itself.
pub fn resume_state(data: &[u8]) {
    download::fuzz_resume_state(data);
}

/// Reads `data` as response headers (`name: value` lines) the way the probe does: checksum
/// headers, validators, `Content-Range`, a storage error body.
pub fn probe_headers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut headers = reqwest::header::HeaderMap::new();
    for line in text.lines() {
        if let Some((n, v)) = line.split_once(':')
            && let (Ok(n), Ok(v)) = (
                reqwest::header::HeaderName::from_bytes(n.trim().as_bytes()),
                reqwest::header::HeaderValue::from_str(v.trim()),
            )
        {
            headers.append(n, v);
        }
    }
    let (expected, problems) = Expected::from_headers_checked(&headers);
    if let Some(md5) = &expected.md5 {
        assert!(md5.len() == 32 && md5.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    for p in &problems {
        assert!(!p.chars().any(char::is_control), "{p:?}");
    }
    let v = FuzzValidators::of(&headers);
    assert!(!v.differs(&v), "a version never differs from itself");
    for value in headers.get_all("content-range") {
        if let Some((first, last, total)) = download::fuzz_content_range(value.to_str().ok()) {
            assert!(first <= last && total.is_none_or(|t| last < t));
        }
    }
    if let Some(detail) = download::fuzz_storage_error(&text) {
        assert!(!detail.chars().any(char::is_control), "{detail:?}");
    }
}

/// Makes a file name of `data`, and distinct names of its lines: every result is one harmless
/// path component, and the distinct names are distinct.
pub fn names(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let check = |n: &SafeName| {
        let s = n.as_str();
        assert!(!s.is_empty() && s != "." && s != "..", "{s:?}");
        assert!(!s.contains(['/', '\\', '\0']), "{s:?}");
        assert!(!s.chars().any(char::is_control), "{s:?}");
        assert!(s.len() <= MAX_NAME_BYTES, "{s:?}");
        assert!(!s.starts_with('.'), "{s:?}");
        for suffix in [".part", ".part.json", ".lock", ".tmp"] {
            assert!(!s.to_ascii_lowercase().ends_with(suffix), "{s:?}");
        }
    };
    if let Some(n) = SafeName::sanitize(&text) {
        check(&n);
    }
    if let Ok(n) = SafeName::new("fuzz", &text) {
        assert_eq!(n.as_str(), text);
    }
    let lines: Vec<&str> = text.lines().take(64).collect();
    let names: Vec<SafeName> = lines
        .iter()
        .map(|l| SafeName::sanitize_or(l, "f"))
        .collect();
    let parts: Vec<&str> = lines.iter().rev().copied().collect();
    let distinct = distinct_names(&names, &parts);
    let mut seen = std::collections::HashSet::new();
    for n in &distinct {
        check(n);
        assert!(seen.insert(n.as_str().to_lowercase()), "{n:?} twice");
    }
}
