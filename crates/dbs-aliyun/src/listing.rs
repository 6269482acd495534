//! What the database products' backup listings (RDS, PolarDB, ApsaraDB for MongoDB) share: the
//! backups' open enums, the `yyyy-MM-ddTHH:mmZ` times of their requests, and the lenient
//! readers of their answers (times as text, links that may be empty, flags as `0`/`1`, `"true"`
//! or booleans, objects where a string was documented).

use cloud_http::Error;
use cloud_http::model::lenient::parse_bool;
use cloud_http::open_enum;
use serde::de::{self, Deserialize, Deserializer};
use serde::{Serialize, Serializer};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::download::DownloadUrl;
use crate::wire::{not_before_epoch, ordered_window};

open_enum! {
    #[open_enum(case_insensitive)]
    /// The state of a product's backup set (`BackupStatus`): only `Success` sets can be
    /// restored or downloaded.
    #[non_exhaustive]
    pub enum BackupSetStatus {
        /// `Success`: the backup finished.
        Success = "Success",
        /// `Failed`: the backup failed.
        Failed = "Failed",
    }
}

open_enum! {
    #[open_enum(case_insensitive)]
    /// How a backup was started (`BackupMode`).
    #[non_exhaustive]
    pub enum BackupMode {
        /// `Automated`: by the backup policy.
        Automated = "Automated",
        /// `Manual`: by a user.
        Manual = "Manual",
    }
}

open_enum! {
    #[open_enum(case_insensitive)]
    /// What a backup holds (`BackupType`).
    #[non_exhaustive]
    pub enum BackupType {
        /// `FullBackup`.
        FullBackup = "FullBackup",
        /// `IncrementalBackup`.
        IncrementalBackup = "IncrementalBackup",
    }
}

open_enum! {
    #[open_enum(case_insensitive)]
    /// How a backup was made (`BackupMethod`).
    #[non_exhaustive]
    pub enum BackupMethod {
        /// `Logical`: a logical dump.
        Logical = "Logical",
        /// `Physical`: the data files (downloadable from the listing's links).
        Physical = "Physical",
        /// `Snapshot`: a disk snapshot (no link: export it through DBS advanced download).
        Snapshot = "Snapshot",
    }
}

// ------------------------------------------------------------------------------------------
// Requests
// ------------------------------------------------------------------------------------------

/// Which end of a query window a time is: the API takes whole minutes, so a start is rounded
/// down and an end up, and the window sent always covers the one asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    Start,
    End,
}

/// `t` in UTC as the products' requests want it, `yyyy-MM-ddTHH:mmZ` (minutes, no seconds),
/// rounded to the minute toward the outside of the window.
pub(crate) fn minute(t: OffsetDateTime, end: End) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let floor = t
        .replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(t);
    let t = if end == End::End && floor != t {
        floor + time::Duration::minutes(1)
    } else {
        floor
    };
    t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]Z"))
        .unwrap_or_default()
}

/// A query window: each end, when given, between 1970 and 9999 (the `time` crate's range
/// unless another crate enables its large dates), and the end not before the start.
pub(crate) fn check_window(
    start: Option<OffsetDateTime>,
    end: Option<OffsetDateTime>,
) -> Result<(), Error> {
    for (field, t) in [("StartTime", start), ("EndTime", end)] {
        not_before_epoch(field, t)?;
        if let Some(t) = t
            && t.to_offset(UtcOffset::UTC).year() > 9999
        {
            return Err(Error::invalid(
                field,
                format!("must be before the year 10000 (got {t})"),
            ));
        }
    }
    ordered_window("StartTime", start, "EndTime", end)
}

/// `PageSize`, when given, is 30, 50 or 100.
pub(crate) fn check_page_size(field: &str, size: Option<u32>) -> Result<(), Error> {
    match size {
        Some(s) if ![30, 50, 100].contains(&s) => Err(Error::invalid(
            field,
            format!("must be 30, 50 or 100 (got {s})"),
        )),
        _ => Ok(()),
    }
}

/// A page number, when given, counts from 1.
pub(crate) fn check_page_number(field: &str, number: Option<u32>) -> Result<(), Error> {
    match number {
        Some(0) => Err(Error::invalid(field, "counts from 1 (got 0)")),
        _ => Ok(()),
    }
}

// ------------------------------------------------------------------------------------------
// Responses
// ------------------------------------------------------------------------------------------

/// A scalar's text, trimmed; `None` for `null` and blank strings.
fn text(v: Value) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(format!("expected a scalar, got {other}")),
    }
}

/// A time as the products answer it: `yyyy-MM-ddTHH:mm:ssZ`, `yyyy-MM-ddTHH:mmZ`, or any RFC
/// 3339 time; `""` and `null` are `None`.
pub(crate) fn opt_api_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<OffsetDateTime>, D::Error> {
    let Some(t) = text(Value::deserialize(d)?).map_err(de::Error::custom)? else {
        return Ok(None);
    };
    parse_api_time(&t)
        .map(Some)
        .ok_or_else(|| de::Error::custom(format!("not a time: {t:?}")))
}

/// [`opt_api_time`]'s forms.
pub(crate) fn parse_api_time(t: &str) -> Option<OffsetDateTime> {
    if let Ok(parsed) = OffsetDateTime::parse(t, &Rfc3339) {
        return Some(parsed);
    }
    let minutes = t.strip_suffix('Z')?;
    PrimitiveDateTime::parse(
        minutes,
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    )
    .ok()
    .map(PrimitiveDateTime::assume_utc)
}

/// A time in the products' answer form, `yyyy-MM-ddTHH:mm:ssZ` (UTC). For `serialize_with` on
/// an optional time, with `skip_serializing_if = "Option::is_none"`.
pub(crate) fn api_second<S: Serializer>(
    t: &Option<OffsetDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(
            &t.to_offset(UtcOffset::UTC)
                .format(format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
                ))
                .map_err(serde::ser::Error::custom)?,
        ),
        None => s.serialize_none(),
    }
}

/// A point in time as unix seconds (`ConsistentTime`). For `serialize_with` on an optional
/// time, with `skip_serializing_if = "Option::is_none"`.
pub(crate) fn unix_seconds<S: Serializer>(
    t: &Option<OffsetDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_i64(t.unix_timestamp()),
        None => s.serialize_none(),
    }
}

/// A download link; `""` (no link: a snapshot, a failed backup) and `null` are `None`.
pub(crate) fn opt_link<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DownloadUrl>, D::Error> {
    Ok(text(Value::deserialize(d)?)
        .map_err(de::Error::custom)?
        .map(DownloadUrl::new))
}

/// A yes-or-no the products send as `1`/`0`, `"1"`/`"0"`, `true`/`false` or `"true"`/
/// `"false"`; `""` and `null` are `None`.
pub(crate) fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let Some(t) = text(Value::deserialize(d)?).map_err(de::Error::custom)? else {
        return Ok(None);
    };
    match t.as_str() {
        "1" => Ok(Some(true)),
        "0" => Ok(Some(false)),
        other => parse_bool(other)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("expected 0, 1, true or false, got {t:?}"))),
    }
}

/// A value documented as a string that may come as a JSON object or array (RDS's `Encryption`
/// arrives as `{}`): scalars as their text, objects and arrays as compact JSON; `""` and
/// `null` are `None`.
pub(crate) fn opt_json_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        v @ (Value::Object(_) | Value::Array(_)) => Ok(Some(v.to_string())),
        v => text(v).map_err(de::Error::custom),
    }
}

/// A `Serialize`-only view of a list under a one-field object, `{"<name>": [...]}`, the shape
/// the products wrap their lists in (`Items.Backup`, `Backups.Backup`).
pub(crate) struct Wrapped<'a, T> {
    pub(crate) name: &'static str,
    pub(crate) items: &'a [T],
}

impl<T: Serialize> Serialize for Wrapped<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.name, self.items)?;
        m.end()
    }
}

/// Reads `{"<name>": [...]}` (missing, `null` or an empty object: no items).
pub(crate) fn unwrap_list<'de, D, T>(d: D, name: &str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let Some(Value::Object(mut m)) = Option::<Value>::deserialize(d)? else {
        return Ok(Vec::new());
    };
    match m.remove(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(list) => serde_json::from_value(list).map_err(de::Error::custom),
    }
}

/// Declares a `serde(with = ...)` module for a list wrapped in `{"<name>": [...]}`.
macro_rules! wrapped_list {
    ($module:ident, $name:literal) => {
        pub(crate) mod $module {
            use serde::{Deserializer, Serialize, Serializer};

            pub(crate) fn serialize<S: Serializer, T: Serialize>(
                items: &[T],
                s: S,
            ) -> Result<S::Ok, S::Error> {
                $crate::listing::Wrapped { name: $name, items }.serialize(s)
            }

            pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
            where
                D: Deserializer<'de>,
                T: serde::de::DeserializeOwned,
            {
                $crate::listing::unwrap_list(d, $name)
            }
        }
    };
}
pub(crate) use wrapped_list;

wrapped_list!(backup_list, "Backup");

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use time::macros::datetime;

    #[test]
    fn request_times_are_utc_minutes_rounded_outward() {
        let t = datetime!(2026-01-02 03:04:05.5 +08:00);
        assert_eq!(minute(t, End::Start), "2026-01-01T19:04Z");
        assert_eq!(minute(t, End::End), "2026-01-01T19:05Z");
        let whole = datetime!(2026-01-02 03:04 UTC);
        assert_eq!(minute(whole, End::Start), "2026-01-02T03:04Z");
        assert_eq!(minute(whole, End::End), "2026-01-02T03:04Z");
        let midnight = datetime!(2025-12-31 23:59:30 UTC);
        assert_eq!(minute(midnight, End::End), "2026-01-01T00:00Z");
    }

    #[test]
    fn windows_and_pages_are_checked_naming_the_field() {
        let (a, b) = (
            datetime!(2026-01-01 0:00 UTC),
            datetime!(2026-01-02 0:00 UTC),
        );
        assert!(check_window(Some(a), Some(b)).is_ok());
        assert!(check_window(None, None).is_ok());
        let e = check_window(Some(b), Some(a)).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid input: EndTime: must not be before StartTime"),
            "{e}"
        );
        let e = check_window(Some(datetime!(1969-12-31 0:00 UTC)), None).unwrap_err();
        assert!(
            e.to_string().starts_with("invalid input: StartTime:"),
            "{e}"
        );
        assert!(check_page_size("PageSize", Some(50)).is_ok());
        assert_eq!(
            check_page_size("PageSize", Some(20))
                .unwrap_err()
                .to_string(),
            "invalid input: PageSize: must be 30, 50 or 100 (got 20)"
        );
        assert_eq!(
            check_page_number("PageNo", Some(0))
                .unwrap_err()
                .to_string(),
            "invalid input: PageNo: counts from 1 (got 0)"
        );
    }

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_api_time")]
        at: Option<OffsetDateTime>,
        #[serde(default, deserialize_with = "opt_flag")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_json_text")]
        text: Option<String>,
        #[serde(default, deserialize_with = "opt_link")]
        link: Option<DownloadUrl>,
        #[serde(default, with = "backup_list")]
        list: Vec<u32>,
    }

    fn probe(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn answer_times_come_with_or_without_seconds() {
        let at = |json: &str| probe(json).unwrap().at;
        assert_eq!(
            at(r#"{"at":"2019-02-13T12:20:00Z"}"#),
            Some(datetime!(2019-02-13 12:20 UTC))
        );
        assert_eq!(
            at(r#"{"at":"2019-02-13T12:20Z"}"#),
            Some(datetime!(2019-02-13 12:20 UTC))
        );
        assert_eq!(
            at(r#"{"at":"2019-02-13T20:20:00+08:00"}"#),
            Some(datetime!(2019-02-13 12:20 UTC))
        );
        assert_eq!(at(r#"{"at":""}"#), None);
        assert!(probe(r#"{"at":"yesterday"}"#).is_err());
    }

    #[test]
    fn flags_texts_links_and_lists_are_lenient() {
        for (json, want) in [
            (r#"{"flag":1}"#, Some(true)),
            (r#"{"flag":"0"}"#, Some(false)),
            (r#"{"flag":true}"#, Some(true)),
            (r#"{"flag":"False"}"#, Some(false)),
            (r#"{"flag":""}"#, None),
        ] {
            assert_eq!(probe(json).unwrap().flag, want, "{json}");
        }
        assert!(probe(r#"{"flag":2}"#).is_err());
        assert_eq!(probe(r#"{"text":{}}"#).unwrap().text.as_deref(), Some("{}"));
        assert_eq!(probe(r#"{"text":0}"#).unwrap().text.as_deref(), Some("0"));
        assert_eq!(probe(r#"{"link":""}"#).unwrap().link, None);
        let link = probe(r#"{"link":"https://b/f?Signature=s"}"#)
            .unwrap()
            .link
            .unwrap();
        assert_eq!(link.expose(), "https://b/f?Signature=s");
        assert_eq!(probe(r#"{"list":{"Backup":[1,2]}}"#).unwrap().list, [1, 2]);
        assert!(probe(r#"{"list":{}}"#).unwrap().list.is_empty());
        assert!(probe(r#"{"list":null}"#).unwrap().list.is_empty());
        assert!(probe(r#"{"list":{"Backup":"x"}}"#).is_err());
    }

    #[test]
    fn answer_times_serialize_in_the_answer_form() {
        #[derive(Serialize)]
        struct T {
            #[serde(serialize_with = "api_second")]
            at: Option<OffsetDateTime>,
            #[serde(serialize_with = "unix_seconds")]
            consistent: Option<OffsetDateTime>,
        }
        let t = T {
            at: Some(datetime!(2019-02-13 20:20 +08:00)),
            consistent: Some(datetime!(2019-12-16 14:34:16 UTC)),
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"at":"2019-02-13T12:20:00Z","consistent":1576506856}"#
        );
    }
}
