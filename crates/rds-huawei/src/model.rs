//! Types shared by the DDS and RDS operations: download links, file lists, lenient times, open
//! enums, and the request pieces both services accept.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::formatting::Formattable;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use cloud_http::model::lenient;
use cloud_http::{ParamValue, open_enum, secret_url};

use crate::Error;

open_enum! {
    /// A backup's status. DDS documents `BUILDING`, `COMPLETED`, `FAILED`, `DISABLED`; RDS adds
    /// `DELETING`.
    pub enum BackupStatus {
        /// The backup is being made.
        Building = "BUILDING",
        /// The backup is complete and can be downloaded.
        Completed = "COMPLETED",
        /// The backup failed.
        Failed = "FAILED",
        /// The backup is being deleted or disabled (DDS).
        Disabled = "DISABLED",
        /// The backup is being deleted (RDS).
        Deleting = "DELETING",
    }
}

open_enum! {
    /// The `X-Language` header: the language of the service's messages.
    pub enum Language {
        /// English.
        EnUs = "en-us",
        /// Simplified Chinese.
        ZhCn = "zh-cn",
    }
}

open_enum! {
    /// The direction of [`SortOrder`] (`order_rule`).
    pub enum SortRule {
        /// Ascending.
        Asc = "asc",
        /// Descending.
        Desc = "desc",
    }
}

secret_url! {
    /// A pre-signed object-storage URL. Anyone holding it can read the backup for about 15
    /// minutes, so it is a credential: `Debug` and `Display` cut its query string (where the
    /// signature lives), while [`DownloadLink::as_str`] gives callers the whole link. Fetch it
    /// with a plain `GET` and **no** `Authorization` or project headers. Serializes as the whole
    /// link.
    pub struct DownloadLink;
}

/// A time as the service wrote it, plus what it means when that could be worked out.
///
/// The services are inconsistent: RFC 3339, offsets without a colon (`+0000`), space-separated
/// UTC times (`2018-08-06 10:41:14`), and even the documented `2018-08-016T10:15:14+0000` (a
/// three-digit day). Parsing is lenient (numbers of any width, `T`, `t` or space between date and
/// time, offset `Z`, `±HH:MM`, `±HHMM`, `±HH` or none for UTC) but never guesses: a value that
/// does not name a real calendar time keeps only its raw text. Serializes as the raw text.
///
/// ```
/// use rds_huawei::LenientTime;
/// let t = LenientTime::parse("2018-08-016T10:15:14+0000");
/// assert_eq!(t.raw(), "2018-08-016T10:15:14+0000");
/// assert_eq!(t.datetime().unwrap().unix_timestamp(), 1_534_414_514);
/// assert!(LenientTime::parse("soon").datetime().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenientTime {
    raw: String,
    parsed: Option<OffsetDateTime>,
}

impl LenientTime {
    /// Parses `raw` leniently, keeping the text.
    pub fn parse(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parsed = parse_lenient(&raw);
        LenientTime { raw, parsed }
    }
    /// The text the service sent.
    pub fn raw(&self) -> &str {
        &self.raw
    }
    /// The time, when the text could be understood.
    pub fn datetime(&self) -> Option<OffsetDateTime> {
        self.parsed
    }
}

impl Serialize for LenientTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for LenientTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(LenientTime::parse(String::deserialize(d)?))
    }
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_offset(zone: &str) -> Option<UtcOffset> {
    let zone = zone.trim();
    if zone.is_empty() || zone.eq_ignore_ascii_case("z") {
        return Some(UtcOffset::UTC);
    }
    let (sign, rest) = match zone.as_bytes()[0] {
        b'+' => (1i8, &zone[1..]),
        b'-' => (-1i8, &zone[1..]),
        _ => return None,
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        // `split_at` on a byte index: only for ASCII (a fuzzed `+0\u{fffd}` is 4 bytes too).
        None if rest.len() == 4 && rest.is_ascii() => rest.split_at(2),
        None if rest.len() <= 2 => (rest, "0"),
        None => return None,
    };
    let (hours, minutes): (i8, i8) = (digits(hours)?, digits(minutes)?);
    // Real offsets stay within ±18 h (`time` would accept up to ±25 h).
    if hours > 18 || minutes > 59 {
        return None;
    }
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
}

fn parse_lenient(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut ymd = date.split('-');
    let year: i32 = digits(ymd.next()?)?;
    let month: u8 = digits(ymd.next()?)?;
    let day: u8 = digits(ymd.next()?)?;
    if ymd.next().is_some() {
        return None;
    }
    let zone_at = rest.find(['Z', 'z', '+', '-', ' ']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    let mut parts = hms.split(':');
    let hour: u8 = digits(parts.next()?)?;
    let minute: u8 = digits(parts.next()?)?;
    let second: u8 = digits(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    // Fractions finer than nanoseconds are cut, as RFC 3339 parsers do.
    let nanos: u32 = match fraction {
        None => 0,
        Some(f) if f.bytes().all(|b| b.is_ascii_digit()) => {
            let f = &f[..f.len().min(9)];
            digits::<u32>(f)? * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
    };
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(parse_offset(zone)?))
}

/// A file of a backup and the link to download it. DDS returns one entry per shard of a
/// cluster (with `group_id`, `group_name`); RDS may name the database (`database_name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupFile {
    /// File name.
    pub name: String,
    /// File size in **KiB** as the service reports it (wire field `size`); see
    /// [`BackupFile::size_bytes`].
    #[serde(rename = "size", default, deserialize_with = "lenient::int")]
    pub size_kb: u64,
    /// The pre-signed link, valid about 15 minutes.
    pub download_link: DownloadLink,
    /// When the link expires (documented `yyyy-mm-ddThh:mm:ssZ`, sent in several shapes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_expired_time: Option<LenientTime>,
    /// DDS cluster: the shard (replica set) this file belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// DDS cluster: the shard's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// RDS: the database this file holds, when the backup is per database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
}

impl BackupFile {
    /// The file size in bytes (`size_kb * 1024`): an approximation from whole KiB, good for
    /// progress and disk-space checks, not for verifying a download byte for byte.
    pub fn size_bytes(&self) -> u64 {
        kib_to_bytes(self.size_kb)
    }
}

/// What `ShowBackupDownloadLink` returns, for DDS and RDS alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupDownloadLinks {
    /// The backup's files (one per shard for a DDS cluster).
    #[serde(default)]
    pub files: Vec<BackupFile>,
    /// The object-storage bucket holding the files.
    #[serde(default)]
    pub bucket: String,
}

/// One page of `ListBackups`, for DDS ([`crate::dds::ListBackupsResponse`]) and RDS
/// ([`crate::rds::ListBackupsResponse`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupList<B> {
    /// The backups on this page.
    #[serde(default = "Vec::new")]
    pub backups: Vec<B>,
    /// How many backups match in all pages.
    #[serde(default, deserialize_with = "lenient::int")]
    pub total_count: u64,
}

/// The database engine of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datastore {
    /// Engine: `DDS-Community`, `DDS-Enhanced`, `MySQL`, `PostgreSQL`, `SQLServer`, ...
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Engine version (`4.0`, `8.0`).
    #[serde(default)]
    pub version: String,
}

/// A closed time window for `ListBackups` (`begin_time` and `end_time`, always sent together).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    begin: OffsetDateTime,
    end: OffsetDateTime,
}

impl TimeRange {
    /// The window from `begin` to `end` (any offsets; sent in UTC). Refuses a window that ends
    /// before it begins.
    pub fn new(begin: OffsetDateTime, end: OffsetDateTime) -> Result<Self, Error> {
        if end < begin {
            return Err(Error::invalid(
                "end_time",
                "must not be earlier than begin_time",
            ));
        }
        Ok(TimeRange { begin, end })
    }
    /// The start of the window.
    pub fn begin(&self) -> OffsetDateTime {
        self.begin
    }
    /// The end of the window.
    pub fn end(&self) -> OffsetDateTime {
        self.end
    }

    /// Appends `begin_time` and `end_time`, in UTC, written with `format`.
    pub(crate) fn push_query(
        &self,
        query: &mut Vec<(String, ParamValue)>,
        format: &(impl Formattable + ?Sized),
    ) {
        for (name, t) in [("begin_time", self.begin), ("end_time", self.end)] {
            let utc = t.to_offset(UtcOffset::UTC);
            let text = utc
                .format(format)
                .expect("the query formats have no optional parts");
            query.push((name.to_owned(), text.into()));
        }
    }
}

/// How `ListBackups` sorts (`order_field` and `order_rule`, always sent together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortOrder {
    /// The field to sort by (`order_field`), e.g. `begin_time`.
    pub field: String,
    /// The direction (`order_rule`).
    pub rule: SortRule,
}

/// Refuses an empty (or blank) identifier.
pub(crate) fn require_non_empty(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::invalid(field, "must not be empty"))
    } else {
        Ok(())
    }
}

/// The checks both services' `ListBackups` share.
pub(crate) fn check_list_filters(
    instance_id: Option<&str>,
    backup_id: Option<&str>,
    limit: Option<u32>,
) -> Result<(), Error> {
    if let Some(id) = instance_id {
        require_non_empty("instance_id", id)?;
    }
    if let Some(id) = backup_id {
        require_non_empty("backup_id", id)?;
    }
    check_limit(limit)
}

/// The query pairs both services' `ListBackups` share.
pub(crate) fn list_query(
    instance_id: Option<&str>,
    backup_id: Option<&str>,
    backup_type: Option<&str>,
    offset: Option<u32>,
    limit: Option<u32>,
) -> Vec<(String, ParamValue)> {
    let texts = [
        ("instance_id", instance_id.map(str::to_owned)),
        ("backup_id", backup_id.map(str::to_owned)),
        ("backup_type", backup_type.map(str::to_owned)),
        ("offset", offset.map(|n| n.to_string())),
        ("limit", limit.map(|n| n.to_string())),
    ];
    texts
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name.to_owned(), v.into())))
        .collect()
}

/// Refuses an empty or unprintable `X-Language` (it would be dropped from the request).
pub(crate) fn check_language(language: Option<&Language>) -> Result<(), Error> {
    match language {
        Some(l) if l.as_str().is_empty() || !l.as_str().bytes().all(|b| b.is_ascii_graphic()) => {
            Err(Error::invalid(
                "X-Language",
                "must be a language tag such as en-us",
            ))
        }
        _ => Ok(()),
    }
}

/// KiB, as the services count file sizes, to bytes.
pub(crate) fn kib_to_bytes(kib: u64) -> u64 {
    kib.saturating_mul(1024)
}

/// The page size rule both services share.
pub(crate) fn check_limit(limit: Option<u32>) -> Result<(), Error> {
    match limit {
        Some(l) if !(1..=100).contains(&l) => Err(Error::invalid(
            "limit",
            format!("must be between 1 and 100 (got {l})"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_non_ascii_offset_is_not_a_time_and_no_panic() {
        // Found by the huawei_responses fuzz target (fuzz/regressions/huawei_responses/).
        for raw in [
            "2018-08-06T12:41:14+0\u{fffd}",
            "2018-08-06T12:41:14+\u{e9}\u{e9}",
            "x+\u{1f600}",
        ] {
            assert_eq!(LenientTime::parse(raw).datetime(), None, "{raw}");
        }
        assert!(
            LenientTime::parse("2018-08-06T12:41:14+0800")
                .datetime()
                .is_some()
        );
    }

    #[test]
    fn lenient_times_parse_every_shape_the_services_send() {
        for (raw, want) in [
            ("2026-01-01T00:15:00Z", datetime!(2026-01-01 0:15 UTC)),
            ("2026-01-01T08:15:00+08:00", datetime!(2026-01-01 0:15 UTC)),
            ("2026-01-01T08:15:00+0800", datetime!(2026-01-01 0:15 UTC)),
            (
                "2026-01-01T08:15:00.5+08",
                datetime!(2026-01-01 0:15:00.5 UTC),
            ),
            (
                "2018-08-16T10:15:14+0000",
                datetime!(2018-08-16 10:15:14 UTC),
            ),
            (
                "2018-08-016T10:15:14+0000",
                datetime!(2018-08-16 10:15:14 UTC),
            ),
            ("2018-08-06 10:41:14", datetime!(2018-08-06 10:41:14 UTC)),
            (
                "2020-02-18T07:55:27-0130",
                datetime!(2020-02-18 09:25:27 UTC),
            ),
            (
                "2018-08-16T10:15:14.1234567891Z",
                datetime!(2018-08-16 10:15:14.123456789 UTC),
            ),
            (
                "2018-08-16T10:15:14.1234567891+0000",
                datetime!(2018-08-16 10:15:14.123456789 UTC),
            ),
        ] {
            let t = LenientTime::parse(raw);
            assert_eq!(t.raw(), raw);
            assert_eq!(t.datetime(), Some(want), "{raw}");
        }
    }

    #[test]
    fn unparseable_times_keep_their_text() {
        for raw in [
            "",
            "soon",
            "2018-02-30T00:00:00Z",
            "2018-13-01T00:00:00Z",
            "2018-08-16T25:00:00Z",
            "2018-08-16T10:15:14+2500",
            "2018-08-16T10:15:14 PST",
            "2018-08-16T10:15",
            "2018-08-16",
            "+2018-08-16T10:15:14Z",
            "2018-08-16T10:15:14.12x+0000",
        ] {
            let t = LenientTime::parse(raw);
            assert_eq!(t.raw(), raw);
            assert_eq!(t.datetime(), None, "{raw}");
        }
    }

    #[test]
    fn download_links_print_without_their_query() {
        let link =
            DownloadLink::new("https://obs.example.com/b/f.tar?AccessKeyId=AK&Signature=SIG");
        let debug = format!("{link:?}");
        assert_eq!(
            debug,
            "DownloadLink(\"https://obs.example.com/b/f.tar?<redacted>\")"
        );
        assert!(link.as_str().ends_with("Signature=SIG"));
    }

    #[test]
    fn open_enums_round_trip_unknown_values() {
        let s: BackupStatus = serde_json::from_str("\"COMPLETED\"").unwrap();
        assert_eq!(s, BackupStatus::Completed);
        let s: BackupStatus = serde_json::from_str("\"ARCHIVED\"").unwrap();
        assert_eq!(s, BackupStatus::Unknown("ARCHIVED".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"ARCHIVED\"");
        // Huawei spells values exactly; any other spelling is kept as sent.
        assert_eq!(
            BackupStatus::from("completed"),
            BackupStatus::Unknown("completed".into())
        );
        assert_eq!(Language::ZhCn.to_string(), "zh-cn");
    }

    #[test]
    fn time_ranges_must_not_run_backwards() {
        let a = datetime!(2026-01-01 0:00 UTC);
        let b = datetime!(2026-01-02 0:00 UTC);
        assert!(TimeRange::new(a, b).is_ok());
        assert!(TimeRange::new(a, a).is_ok());
        let err = TimeRange::new(b, a).unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid input: end_time: must not be earlier than begin_time"
        );
    }
}
