//! The one way an API-provided string becomes a file name: [`SafeName`].
//!
//! Names that come from a vendor API or a link (a Huawei `files[].name`, an Aliyun `TaskId`, the
//! last segment of a URL) are data, never paths. A [`SafeName`] is a single path component:
//! no separators, no `.`/`..`, no NUL or control characters, no leading dot, no trailing dot or
//! space, not a Windows device name, never ending in one of the suffixes the downloader uses for
//! its own files (`.part`, `.part.json`, `.lock`, `.tmp`), and at most [`MAX_NAME_BYTES`] bytes,
//! so that `NAME.part.json.tmp` still fits the usual 255-byte limit.
//!
//! [`SafeName::sanitize`] replaces what is not allowed (with `_`) and shortens long names,
//! keeping their extension; [`SafeName::new`] refuses them with an error naming the field.
//! [`distinct_names`] gives every file of an export its own name.

use std::collections::HashSet;
use std::fmt;

/// Longest name, in bytes: 255 minus the longest suffix we append (`.part.json.tmp`), with room
/// for the prefixes [`distinct_names`] adds.
pub const MAX_NAME_BYTES: usize = 200;

/// Suffixes of the downloader's own files beside a target.
const RESERVED_SUFFIXES: [&str; 4] = [".part", ".part.json", ".lock", ".tmp"];

/// Windows device names, which no file may be called whatever its extension.
const DEVICE_NAMES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A string that is safe to use as one file name inside a directory (see the module docs).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SafeName(String);

/// A name refused by [`SafeName::new`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {shown:?} is not a safe file name: {rule}")]
pub struct NameError {
    /// The API field (or flag) the name came from.
    pub field: &'static str,
    /// The name, with control characters escaped and cut to 80 characters.
    pub shown: String,
    /// The rule it breaks.
    pub rule: &'static str,
}

impl SafeName {
    /// `raw` as it is, or an error naming `field` and the rule it breaks.
    pub fn new(field: &'static str, raw: &str) -> Result<SafeName, NameError> {
        let refuse = |rule| NameError {
            field,
            shown: crate::terminal::escape(&raw.chars().take(80).collect::<String>()),
            rule,
        };
        if raw.is_empty() {
            return Err(refuse("it is empty"));
        }
        if raw == "." || raw == ".." {
            return Err(refuse("`.` and `..` are not file names"));
        }
        if raw.contains(['/', '\\']) {
            return Err(refuse("it contains a path separator"));
        }
        if raw.chars().any(char::is_control) {
            return Err(refuse("it contains a control character"));
        }
        if raw.len() > MAX_NAME_BYTES {
            return Err(refuse("it is longer than 200 bytes"));
        }
        let sanitized = Self::sanitize(raw).ok_or_else(|| refuse("it is empty"))?;
        if sanitized.0 != raw {
            return Err(refuse(
                "it starts with a dot, ends with a dot, a space or one of .part/.part.json/.lock/.tmp, \
                 or is a device name, or holds : * ? \" < > |",
            ));
        }
        Ok(sanitized)
    }

    /// `raw` made safe: forbidden characters become `_`, leading dots and trailing dots and
    /// spaces are dropped, a reserved suffix or device name gets a `_`, and a long name is cut
    /// (keeping an extension of up to 16 bytes). `None` when nothing usable is left.
    pub fn sanitize(raw: &str) -> Option<SafeName> {
        let mut s: String = raw
            .chars()
            .map(|c| match c {
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
                c if c.is_control() => '_',
                c => c,
            })
            .collect();
        let trimmed = s
            .trim_start_matches(['.', ' '])
            .trim_end_matches(['.', ' ']);
        if trimmed.is_empty() {
            return None;
        }
        s = trimmed.to_owned();
        if s.len() > MAX_NAME_BYTES {
            s = shorten(&s, MAX_NAME_BYTES);
        }
        let lower = s.to_ascii_lowercase();
        let stem = lower.split('.').next().unwrap_or("").trim_end();
        if RESERVED_SUFFIXES.iter().any(|x| lower.ends_with(x))
            || DEVICE_NAMES.iter().any(|d| d.eq_ignore_ascii_case(stem))
        {
            if s.len() >= MAX_NAME_BYTES {
                s = shorten(&s, MAX_NAME_BYTES - 1);
            }
            s.push('_');
        }
        Some(SafeName(s))
    }

    /// `raw` sanitized, or `fallback` (which the caller builds from identifiers it trusts, and
    /// which is sanitized too) when nothing is left of `raw`.
    pub fn sanitize_or(raw: &str, fallback: &str) -> SafeName {
        Self::sanitize(raw)
            .or_else(|| Self::sanitize(fallback))
            .unwrap_or_else(|| SafeName("file".into()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SafeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SafeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AsRef<std::path::Path> for SafeName {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&self.0)
    }
}

/// The last segment of a link's path, percent-decoded (the query and fragment are never looked
/// at), or `None` when the path has none. Raw data: [`SafeName::sanitize`] makes a file name of
/// it.
///
/// ```
/// use backup_core::names::{SafeName, url_file_name};
/// let raw = url_file_name("https://b.example.com/a/b%20c.tar?Signature=x").unwrap();
/// assert_eq!(raw, "b c.tar");
/// assert_eq!(url_file_name("https://b.example.com/?x"), None);
/// assert_eq!(SafeName::sanitize(&url_file_name("https://h/..%2Fx").unwrap()).unwrap().as_str(), "_x");
/// ```
pub fn url_file_name(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let path = path
        .split_once("://")
        .map_or(path, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    let last = path.rsplit('/').next().filter(|n| !n.is_empty())?;
    Some(
        percent_encoding::percent_decode_str(last)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// `s` cut to at most `max` bytes at a character boundary, keeping a short extension.
fn shorten(s: &str, max: usize) -> String {
    let ext = s
        .rfind('.')
        .map(|i| &s[i..])
        .filter(|e| e.len() <= 16 && e.len() < max / 2)
        .unwrap_or("");
    let mut cut = max - ext.len();
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &s[..cut.min(s.len() - ext.len())];
    format!("{head}{ext}")
}

/// One name per file, all distinct (also when compared case-insensitively, as on macOS and
/// Windows filesystems): `names[i]` is the sanitized name of file `i`, prefixed with its
/// `parts[i]` (replica set, shard; sanitized) when another file already has that name, and with
/// its 1-based index when that is not enough either. The result depends only on the inputs'
/// order, so a second run of the same export picks the same names.
pub fn distinct_names(names: &[SafeName], parts: &[&str]) -> Vec<SafeName> {
    let mut used = HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let part = parts.get(i).and_then(|p| SafeName::sanitize(p));
        let mut candidates = vec![name.clone()];
        if let Some(p) = &part {
            candidates.push(SafeName::sanitize_or(&format!("{p}-{name}"), name.as_str()));
        }
        let pick = candidates
            .into_iter()
            .find(|c| !used.contains(&c.0.to_lowercase()))
            .unwrap_or_else(|| {
                (1..)
                    .map(|n| {
                        let prefix = match &part {
                            Some(p) => format!("{}-{p}-{name}", i + 1 + (n - 1) * names.len()),
                            None => format!("{}-{name}", i + 1 + (n - 1) * names.len()),
                        };
                        SafeName::sanitize_or(&prefix, name.as_str())
                    })
                    .find(|c| !used.contains(&c.0.to_lowercase()))
                    .expect("an unused name exists")
            });
        used.insert(pick.0.to_lowercase());
        out.push(pick);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(raw: &str) -> Option<String> {
        SafeName::sanitize(raw).map(|n| n.0)
    }

    #[test]
    fn hostile_names_become_one_harmless_component() {
        for (raw, want) in [
            ("backup.tar", Some("backup.tar")),
            ("../outside/pwned", Some("_outside_pwned")),
            ("..", None),
            (".", None),
            ("", None),
            ("dir/", Some("dir_")),
            ("dir/.", Some("dir_")),
            ("dir/..", Some("dir_")),
            ("/etc/passwd", Some("_etc_passwd")),
            ("a\\b", Some("a_b")),
            ("nul\0byte", Some("nul_byte")),
            ("esc\x1b[31mred", Some("esc_[31mred")),
            (".hidden", Some("hidden")),
            ("trailing. ", Some("trailing")),
            ("x.part", Some("x.part_")),
            ("x.part.json", Some("x.part.json_")),
            ("x.LOCK", Some("x.LOCK_")),
            ("CON.tar", Some("CON.tar_")),
            ("c:evil", Some("c_evil")),
        ] {
            assert_eq!(s(raw).as_deref(), want, "{raw:?}");
        }
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension_and_fit_with_our_suffixes() {
        let long = format!("{}.tar.gz", "é".repeat(300));
        let n = SafeName::sanitize(&long).unwrap();
        assert!(n.as_str().len() <= MAX_NAME_BYTES);
        assert!(n.as_str().ends_with(".gz"));
        assert!(format!("{n}.part.json.tmp").len() <= 255);
    }

    #[test]
    fn new_refuses_with_the_field_and_the_rule() {
        assert_eq!(SafeName::new("name", "ok.tar").unwrap().as_str(), "ok.tar");
        for bad in ["", "..", "a/b", "a\nb", "x.part", ".x"] {
            let e = SafeName::new("files[].name", bad).unwrap_err();
            assert_eq!(e.field, "files[].name");
            assert!(e.to_string().starts_with("files[].name"), "{e}");
        }
        let e = SafeName::new("name", "a\x1b]0;x\x07").unwrap_err();
        assert!(!e.to_string().contains('\x1b'), "{e}");
    }

    #[test]
    fn every_file_of_an_export_gets_its_own_name() {
        let names: Vec<SafeName> = ["a.tar", "a.tar", "A.TAR", "b", "a.tar"]
            .iter()
            .map(|n| SafeName::sanitize(n).unwrap())
            .collect();
        let got = distinct_names(&names, &["s0", "s1", "s1", "s0", ""]);
        let got: Vec<&str> = got.iter().map(SafeName::as_str).collect();
        assert_eq!(got, ["a.tar", "s1-a.tar", "3-s1-A.TAR", "b", "5-a.tar"]);
        let lower: HashSet<String> = got.iter().map(|g| g.to_lowercase()).collect();
        assert_eq!(lower.len(), got.len());
        // A hostile part cannot steer the path either.
        let got = distinct_names(&names[..2], &["x", "../../etc"]);
        assert_eq!(got[1].as_str(), "_.._etc-a.tar");
    }
}
