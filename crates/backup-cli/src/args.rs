//! Parsers for flag values that are more than a string: times and checksums. A value they
//! refuse is a usage error (exit 2) that names the flag and the accepted forms.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// What [`time()`] accepts, for error messages and help.
pub const TIME_FORMS: &str =
    "RFC 3339 (2024-05-01T08:00:00Z), 'YYYY-MM-DD hh:mm:ss' in UTC, or epoch milliseconds";

/// A point in time: RFC 3339, `YYYY-MM-DD hh:mm:ss` (UTC), or epoch milliseconds (the unit the
/// Alibaba Cloud API itself uses).
pub fn time(value: &str) -> Result<OffsetDateTime, String> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value
            .parse::<i64>()
            .ok()
            .and_then(|ms| {
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
            })
            .ok_or_else(|| format!("{value} is out of range as epoch milliseconds"));
    }
    if let Ok(t) = OffsetDateTime::parse(value, &Rfc3339) {
        return Ok(t);
    }
    local_time(value)
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|_| format!("expected {TIME_FORMS}"))
}

/// A wall-clock time `YYYY-MM-DD hh:mm:ss` without a zone (Tencent's API takes the service's
/// local time in this form).
pub fn local_time(value: &str) -> Result<PrimitiveDateTime, String> {
    PrimitiveDateTime::parse(
        value.trim(),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .map_err(|_| "expected 'YYYY-MM-DD hh:mm:ss'".to_owned())
}

/// A SHA-256 digest: 64 hexadecimal digits, returned in lower case.
pub fn sha256(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err("expected 64 hexadecimal digits".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_accepted_form() {
        let expected = ::time::macros::datetime!(2024-05-01 08:00:00 UTC);
        assert_eq!(time("2024-05-01T08:00:00Z").unwrap(), expected);
        assert_eq!(time("2024-05-01T10:00:00+02:00").unwrap(), expected);
        assert_eq!(time("2024-05-01 08:00:00").unwrap(), expected);
        assert_eq!(time("1714550400000").unwrap(), expected);
        assert!(time("yesterday").unwrap_err().contains("RFC 3339"));
        assert!(local_time("2024-05-01T08:00:00").is_err());
    }

    #[test]
    fn sha256_wants_64_hex_digits() {
        let ok = "AB".repeat(32);
        assert_eq!(sha256(&ok).unwrap(), "ab".repeat(32));
        assert!(sha256("abc").is_err());
        assert!(sha256(&"g".repeat(64)).is_err());
    }
}

/// `--all` of the listings: every page.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct AllPages {
    /// Every page, in order, as one listing (each request asks for the page size given, else
    /// 100); the page number or offset flag is then not allowed
    #[arg(long)]
    pub all: bool,
}
