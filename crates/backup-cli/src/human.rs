//! Tables for people: times as RFC 3339 (UTC, or the machine's zone with `--local-time`), sizes
//! with units (Huawei's and Tencent's kilobytes made explicit), Tencent's numeric states by name,
//! links cut to their host and file. JSON output is never changed: it keeps the vendor's values.

use backup_core::cloud_sign::Vendor;
use backup_core::tencent::{
    BackupMethod, BackupStatus, BackupType, ClusterType, InstanceStatus, TaskStatus,
};
use backup_core::terminal::bytes_text;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::output::Json;

/// How a command's answer reads in a table.
#[derive(Debug, Clone, Copy)]
pub struct Humanize {
    vendor: Option<Vendor>,
    offset: UtcOffset,
}

/// The unit a size field is in.
#[derive(Clone, Copy)]
enum Unit {
    Bytes,
    Kilobytes,
}

impl Humanize {
    /// For the answers of `vendor`'s API (`None`: this tool's own reports), times shown at
    /// `offset` (UTC, or the local zone).
    pub fn new(vendor: Option<Vendor>, offset: UtcOffset) -> Self {
        Humanize { vendor, offset }
    }

    /// `value` with its times, sizes, states and links rewritten for reading.
    pub fn apply(&self, value: &Json) -> Json {
        self.walk(value, "")
    }

    fn walk(&self, value: &Json, path: &str) -> Json {
        match value {
            Json::Object(members) => Json::Object(
                members
                    .iter()
                    .map(|(name, v)| {
                        let path = if path.is_empty() {
                            name.clone()
                        } else {
                            format!("{path}.{name}")
                        };
                        (name.clone(), self.walk(v, &path))
                    })
                    .collect(),
            ),
            Json::Array(items) => Json::Array(items.iter().map(|i| self.walk(i, path)).collect()),
            leaf => self.leaf(path, leaf).unwrap_or_else(|| leaf.clone()),
        }
    }

    fn leaf(&self, path: &str, value: &Json) -> Option<Json> {
        let key = path.rsplit('.').next().unwrap_or(path);
        if let Some(name) = self.state(path, key, value) {
            return Some(Json::String(name));
        }
        if let Some(unit) = self.size_unit(path, key) {
            let n = integer(value)?;
            let bytes = match unit {
                Unit::Bytes => n,
                Unit::Kilobytes => n.saturating_mul(1024),
            };
            return Some(Json::String(bytes_text(bytes)));
        }
        if is_time(key) {
            return self.time(value).map(Json::String);
        }
        match value {
            Json::String(s) => short_link(s).map(Json::String),
            _ => None,
        }
    }

    /// Tencent's states and kinds, sent as numbers, by the names of the vendor crate's types.
    fn state(&self, path: &str, key: &str, value: &Json) -> Option<String> {
        if self.vendor != Some(Vendor::Tencent) {
            return None;
        }
        let n = match value {
            Json::Number(n) => n.as_i64()?,
            _ => return None,
        };
        Some(match key {
            "Status" if path.ends_with("BackupList.Status") => BackupStatus::from(n).to_string(),
            "Status" if path.ends_with("InstanceDetails.Status") => {
                InstanceStatus::from(n).to_string()
            }
            "ClusterType" => ClusterType::from(n).to_string(),
            "Status" => TaskStatus::from(n).to_string(),
            "BackupMethod" => BackupMethod::from(n).to_string(),
            "BackupType" => BackupType::from(n).to_string(),
            _ => return None,
        })
    }

    fn size_unit(&self, path: &str, key: &str) -> Option<Unit> {
        let lower = key.to_ascii_lowercase();
        match self.vendor {
            // Every Huawei `size` (ListBackups, ShowBackupDownloadLink) is in KB.
            Some(Vendor::Huawei) if key == "size" => return Some(Unit::Kilobytes),
            // DescribeDBBackups' BackupSize is in KB, the download task's in bytes.
            Some(Vendor::Tencent) if key == "BackupSize" => {
                return Some(if path.ends_with("BackupList.BackupSize") {
                    Unit::Kilobytes
                } else {
                    Unit::Bytes
                });
            }
            Some(Vendor::Aliyun) if key == "BackupSize" => return Some(Unit::Bytes),
            _ => {}
        }
        // This tool's own reports count bytes: `bytes`, `resumed_bytes`, `size_bytes`, ...
        (lower == "bytes" || lower.ends_with("_bytes")).then_some(Unit::Bytes)
    }

    /// An epoch number (milliseconds, or seconds) or a time string, as RFC 3339 at the offset.
    fn time(&self, value: &Json) -> Option<String> {
        let at = match value {
            Json::Number(n) => {
                let n = n.as_i64()?;
                if n >= 100_000_000_000 {
                    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n) * 1_000_000).ok()?
                } else if n >= 1_000_000_000 {
                    OffsetDateTime::from_unix_timestamp(n).ok()?
                } else {
                    return None;
                }
            }
            Json::String(s) => self.parse_time(s.trim())?,
            _ => return None,
        };
        let at = at.to_offset(self.offset).replace_nanosecond(0).ok()?;
        at.format(&Rfc3339).ok()
    }

    fn parse_time(&self, s: &str) -> Option<OffsetDateTime> {
        if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
            return Some(t);
        }
        // Huawei RDS: `2026-01-01T00:00:00+0000`.
        let compact = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
        );
        if let Ok(t) = OffsetDateTime::parse(s, &compact) {
            return Some(t);
        }
        // Aliyun's `yyyy-MM-ddTHH:mmZ`.
        let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]Z");
        if let Ok(t) = PrimitiveDateTime::parse(s, &minutes) {
            return Some(t.assume_utc());
        }
        // `yyyy-mm-dd hh:mm:ss` is UTC in Huawei's documentation; Tencent's is the service's
        // local time, in a zone it does not name: left as sent.
        let naive = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        match self.vendor {
            Some(Vendor::Huawei) => PrimitiveDateTime::parse(s, &naive)
                .ok()
                .map(PrimitiveDateTime::assume_utc),
            _ => None,
        }
    }
}

/// Whether a field named `key` holds a time (`StartTime`, `begin_time`, `link_expired_time`,
/// `EndTimestampForRestore`, `created_at`), not a duration (`TimeSpend`, `wait_timeout`).
fn is_time(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    (lower.contains("time") || lower.ends_with("_at"))
        && !lower.contains("spend")
        && !lower.contains("timeout")
        && !lower.contains("zone")
        && !lower.contains("times")
}

/// A whole number, from a number or a numeric string (vendors send both).
fn integer(value: &Json) -> Option<u64> {
    match value {
        Json::Number(n) => n.as_u64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A long link as `https://host/…/file`: no query string (the signature), no middle of the path.
fn short_link(s: &str) -> Option<String> {
    let rest = s
        .strip_prefix("https://")
        .map(|r| ("https://", r))
        .or_else(|| s.strip_prefix("http://").map(|r| ("http://", r)))?;
    let (scheme, rest) = rest;
    let without_query = rest.split(['?', '#']).next().unwrap_or(rest);
    let (host, path) = without_query.split_once('/').unwrap_or((without_query, ""));
    let file = path.rsplit('/').find(|p| !p.is_empty()).unwrap_or("");
    let short = match (path.trim_matches('/') == file, file.is_empty()) {
        (_, true) => format!("{scheme}{host}/"),
        (true, false) => format!("{scheme}{host}/{file}"),
        (false, false) => format!("{scheme}{host}/…/{file}"),
    };
    let was_cut = short.len() < s.len();
    Some(if was_cut && s.contains('?') {
        format!("{short}?…")
    } else {
        short
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Json {
        serde_json::from_str(text).unwrap()
    }

    fn text(v: &Json) -> String {
        serde_json::to_string(v).unwrap()
    }

    #[test]
    fn times_become_rfc3339_at_the_chosen_offset() {
        let utc = Humanize::new(Some(Vendor::Aliyun), UtcOffset::UTC);
        let v = json(
            r#"{"StartTime":1700000000000,"ExpiredTime":1700000000,"BackupStartTime":"2022-01-14T03:56:17+08:00","EndTime":"2022-01-13T13:00Z","TimeSpend":120,"Count":1700000000000}"#,
        );
        assert_eq!(
            text(&utc.apply(&v)),
            r#"{"StartTime":"2023-11-14T22:13:20Z","ExpiredTime":"2023-11-14T22:13:20Z","BackupStartTime":"2022-01-13T19:56:17Z","EndTime":"2022-01-13T13:00:00Z","TimeSpend":120,"Count":1700000000000}"#
        );
        let plus8 = Humanize::new(None, UtcOffset::from_hms(8, 0, 0).unwrap());
        assert_eq!(
            text(&plus8.apply(&json(r#"{"created_at":"2026-01-01T00:00:00Z"}"#))),
            r#"{"created_at":"2026-01-01T08:00:00+08:00"}"#
        );
    }

    #[test]
    fn huawei_times_and_kilobytes() {
        let h = Humanize::new(Some(Vendor::Huawei), UtcOffset::UTC);
        let v = json(
            r#"{"backups":[{"id":"b1","begin_time":"2026-01-01 00:00:00","end_time":"2026-01-01T00:10:00+0000","size":2048}],"total_count":1}"#,
        );
        assert_eq!(
            text(&h.apply(&v)),
            r#"{"backups":[{"id":"b1","begin_time":"2026-01-01T00:00:00Z","end_time":"2026-01-01T00:10:00Z","size":"2.0 MiB"}],"total_count":1}"#
        );
    }

    #[test]
    fn tencent_states_by_name_and_its_two_size_units() {
        let h = Humanize::new(Some(Vendor::Tencent), UtcOffset::UTC);
        let v = json(
            r#"{"BackupList":[{"BackupSize":1024,"Status":2,"BackupMethod":0,"BackupType":1,"StartTime":"2026-01-01 08:00:00"}],"Tasks":[{"BackupSize":1024,"Status":2},{"BackupSize":"5","Status":9}]}"#,
        );
        let instances = json(r#"{"InstanceDetails":[{"Status":2,"ClusterType":1}]}"#);
        let named = text(&h.apply(&instances));
        assert!(
            !named.contains("finished") && !named.contains(":2"),
            "{named}"
        );
        assert_eq!(
            text(&h.apply(&v)),
            r#"{"BackupList":[{"BackupSize":"1.0 MiB","Status":"succeeded","BackupMethod":"logical","BackupType":"manual","StartTime":"2026-01-01 08:00:00"}],"Tasks":[{"BackupSize":"1.0 KiB","Status":"finished"},{"BackupSize":"5 B","Status":"unknown (9)"}]}"#
        );
    }

    #[test]
    fn links_lose_their_query_and_middle() {
        assert_eq!(
            short_link("https://bucket.oss-cn-hangzhou.aliyuncs.com/a/b/c/file.tar.gz?Expires=1&Signature=CANARY").as_deref(),
            Some("https://bucket.oss-cn-hangzhou.aliyuncs.com/…/file.tar.gz?…")
        );
        assert_eq!(
            short_link("http://host/file.xb").as_deref(),
            Some("http://host/file.xb")
        );
        assert_eq!(short_link("https://host").as_deref(), Some("https://host/"));
        assert_eq!(short_link("not a link"), None);
        let h = Humanize::new(Some(Vendor::Huawei), UtcOffset::UTC);
        let out = text(&h.apply(&json(
            r#"{"files":[{"download_link":"https://obs.example.com/x/y.tar?sig=CANARY"}]}"#,
        )));
        assert!(!out.contains("CANARY"), "{out}");
    }

    #[test]
    fn sizes_read_in_binary_units() {
        for (n, text) in [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (5 << 30, "5.0 GiB"),
            (u64::MAX, "16.0 EiB"),
        ] {
            assert_eq!(bytes_text(n), text);
        }
        let ours = Humanize::new(None, UtcOffset::UTC);
        assert_eq!(
            text(&ours.apply(&json(r#"{"bytes":1048576,"reread_bytes":0,"size":7}"#))),
            r#"{"bytes":"1.0 MiB","reread_bytes":"0 B","size":7}"#
        );
    }
}
