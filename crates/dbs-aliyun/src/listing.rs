//! What the database products' backup listings (RDS, PolarDB, ApsaraDB for MongoDB) share: the
//! backups' open enums, one way to send a product's request and to walk its pages, the checked
//! queries with their `yyyy-MM-ddTHH:mmZ` times, and the lenient readers of the answers (times
//! as text, links that may be empty, flags as `0`/`1`, `"true"` or booleans, objects where a
//! string was documented).

use cloud_http::Error;
use cloud_http::model::lenient::{opt_string, parse_bool};
use cloud_http::open_enum;
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer};
use serde::{Serialize, Serializer};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::client::{Action, Client, every_page};
use crate::download::DownloadUrl;
use crate::endpoint::Product;
use crate::page::Paged;
use crate::wire::{Query, not_before_epoch, ordered_window, require, require_opt};

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
// Calls
// ------------------------------------------------------------------------------------------

/// A request of a database product's operation: where it goes, how it is sent and what it
/// answers, so that [`describe`] and [`describe_all`] serve every product.
pub(crate) trait ProductRequest {
    /// The product whose host it goes to.
    const PRODUCT: Product;
    /// The action, its API version and idempotency.
    const ACTION: Action;
    /// The answer.
    type Answer: Answer;

    /// The query, every rule the types cannot express checked first.
    fn to_query(&self) -> Result<Query, Error>;
}

/// A [`ProductRequest`] for one page of a listing, numbered from 1.
pub(crate) trait PagedRequest: ProductRequest<Answer: Paged> + Clone {
    /// The page size and the page number.
    fn paging(&mut self) -> (&mut Option<u32>, &mut Option<u32>);
}

/// A product's answer: it carries a request id (`RequestId`).
pub(crate) trait Answer: DeserializeOwned {
    /// The request id.
    fn request_id(&mut self) -> &mut Option<String>;
}

/// Implements [`Answer`] for answers whose request id is their `request_id` field.
macro_rules! answers {
    ($($answer:ty),+ $(,)?) => {
        $(
            impl $crate::listing::Answer for $answer {
                fn request_id(&mut self) -> &mut Option<String> {
                    &mut self.request_id
                }
            }
        )+
    };
}
pub(crate) use answers;

/// Sends `request` to its product's host (signed like DBS's). The answer's request id is the
/// `x-acs-request-id` header's when the body has none.
pub(crate) async fn describe<R: ProductRequest>(
    client: &Client,
    request: &R,
) -> Result<R::Answer, Error> {
    let query = request.to_query()?;
    let (mut answer, raw): (R::Answer, _) =
        client.call_product(R::PRODUCT, &R::ACTION, query).await?;
    let id = answer.request_id();
    *id = id.take().or(raw.request_id);
    Ok(answer)
}

/// Every page of `request`'s listing, in order, as one answer (the request's page number is
/// ignored; its page size, default 100, is the size of each page). Stops at the last page; a
/// listing that does not end is an error, not a hang.
pub(crate) async fn describe_all<R: PagedRequest>(
    client: &Client,
    request: &R,
) -> Result<R::Answer, Error> {
    let operation = cloud_http::OperationName {
        vendor: R::PRODUCT.vendor(),
        action: R::ACTION.name,
    };
    let fetch = |r: R| async move { describe(client, &r).await };
    every_page(operation, request, 1, R::paging, fetch).await
}

/// Implements [`Paged`] for a listing's answer: its list field and item type, the field with
/// the total across pages (when the answer has one) and the field with the count on the page
/// (when it has one), which for the whole listing counts every item; the whole listing has no
/// page number.
macro_rules! paged {
    ($answer:ident { $items:ident: $item:ty $(, total: $total:ident)? $(, count: $count:ident)? $(,)? }) => {
        impl $crate::page::Paged for $answer {
            type Item = $item;

            fn take_items(&mut self) -> (Vec<$item>, Option<u64>) {
                let total = None $(.or(self.$total))?;
                (std::mem::take(&mut self.$items), total)
            }

            fn into_all(self, $items: Vec<$item>, _total: Option<u64>) -> Self {
                $answer {
                    page_number: None,
                    $($count: Some($items.len() as u64),)?
                    $($total: _total,)?
                    $items,
                    ..self
                }
            }
        }
    };
}
pub(crate) use paged;

// ------------------------------------------------------------------------------------------
// Requests
// ------------------------------------------------------------------------------------------

/// A product request's query, each parameter checked as it goes in, in the order written (the
/// query itself is sorted when it is signed).
pub(crate) struct ProductQuery(Query);

impl ProductQuery {
    /// A query about the object `field` names (`DBInstanceId`, `DBClusterId`): required, not
    /// blank.
    pub(crate) fn new(field: &str, id: &str) -> Result<Self, Error> {
        require(field, id)?;
        let mut query = Query::default();
        query.put(field, id);
        Ok(ProductQuery(query))
    }

    /// An optional id, name or region: not blank when given.
    pub(crate) fn id(mut self, field: &str, value: &Option<String>) -> Result<Self, Error> {
        require_opt(field, value.as_deref())?;
        self.0.opt(field, value.as_deref());
        Ok(self)
    }

    /// An optional value its type keeps valid (an open enum, a flag).
    pub(crate) fn opt(mut self, field: &str, value: Option<impl ToString>) -> Self {
        self.0.opt(field, value);
        self
    }

    /// The window `StartTime` to `EndTime` ([`check_window`]), in minutes rounded outward.
    pub(crate) fn window(
        mut self,
        start: Option<OffsetDateTime>,
        end: Option<OffsetDateTime>,
    ) -> Result<Self, Error> {
        check_window(start, end)?;
        self.0
            .opt("StartTime", start.map(|t| minute(t, End::Start)))
            .opt("EndTime", end.map(|t| minute(t, End::End)));
        Ok(self)
    }

    /// `PageSize` ([`check_page_size`]) and the page number, `number_field` (`PageNumber`, or
    /// `PageNo`), from 1.
    pub(crate) fn page(
        mut self,
        size: Option<u32>,
        number_field: &str,
        number: Option<u32>,
    ) -> Result<Self, Error> {
        check_page_size("PageSize", size)?;
        check_page_number(number_field, number)?;
        self.0.opt("PageSize", size).opt(number_field, number);
        Ok(self)
    }

    /// The query to send.
    pub(crate) fn into_query(self) -> Query {
        self.0
    }
}

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

/// A time as the products answer it: `yyyy-MM-ddTHH:mm:ssZ`, `yyyy-MM-ddTHH:mmZ`, or any RFC
/// 3339 time; `""` and `null` are `None`.
pub(crate) fn opt_api_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<OffsetDateTime>, D::Error> {
    let Some(t) = opt_string(d)? else {
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

/// `#[serde(with = "api_time")]`: an optional time read by [`opt_api_time`], written by
/// [`api_second`].
pub(crate) mod api_time {
    pub(crate) use super::api_second as serialize;
    pub(crate) use super::opt_api_time as deserialize;
}

/// `#[serde(with = "epoch_seconds")]`: an optional point in time read from unix seconds (`0`
/// is none), written as unix seconds ([`unix_seconds`]).
pub(crate) mod epoch_seconds {
    pub(crate) use super::unix_seconds as serialize;
    pub(crate) use cloud_http::model::lenient::opt_epoch_time as deserialize;
}

/// A download link; `""` (no link: a snapshot, a failed backup) and `null` are `None`.
pub(crate) fn opt_link<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DownloadUrl>, D::Error> {
    Ok(opt_string(d)?.map(DownloadUrl::new))
}

/// A yes-or-no the products send as `1`/`0`, `"1"`/`"0"`, `true`/`false` or `"true"`/
/// `"false"`; `""` and `null` are `None`.
pub(crate) fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let Some(t) = opt_string(d)? else {
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
        v => opt_string(v).map_err(de::Error::custom),
    }
}

/// Declares an answer's struct whose every `Option` field is optional both ways: `None` when
/// the answer leaves it out (`#[serde(default)]`, which a field read `deserialize_with` needs)
/// and left out of the serialization when `None` (`skip_serializing_if = "Option::is_none"`),
/// as `serde_with::skip_serializing_none` would. Other fields (required ids, lists) stay as
/// written; each field keeps its own `#[serde]` attributes (its reader, its name).
macro_rules! optional_fields {
    // Every field seen: the struct.
    (@fields [$($head:tt)*] [$($done:tt)*]) => {
        $($head)* { $($done)* }
    };
    // An `Option` field.
    (@fields $head:tt [$($done:tt)*]
        $(#[$attr:meta])* $field_vis:vis $field:ident: Option<$ty:ty> $(, $($rest:tt)*)?
    ) => {
        $crate::listing::optional_fields!(@fields $head [
            $($done)*
            $(#[$attr])*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            $field_vis $field: Option<$ty>,
        ] $($($rest)*)?);
    };
    // Any other field, as written.
    (@fields $head:tt [$($done:tt)*]
        $(#[$attr:meta])* $field_vis:vis $field:ident: $ty:ty $(, $($rest:tt)*)?
    ) => {
        $crate::listing::optional_fields!(@fields $head [
            $($done)*
            $(#[$attr])*
            $field_vis $field: $ty,
        ] $($($rest)*)?);
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($fields:tt)* }
    ) => {
        $crate::listing::optional_fields!(@fields [$(#[$meta])* $vis struct $name] [] $($fields)*);
    };
}
pub(crate) use optional_fields;

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

    optional_fields! {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Sample {
            id: String,
            #[serde(deserialize_with = "opt_flag")]
            flag: Option<bool>,
            #[serde(rename = "When", with = "api_time")]
            at: Option<OffsetDateTime>,
            note: Option<String>,
            #[serde(default)]
            list: Vec<u32>,
        }
    }

    #[test]
    fn optional_fields_may_be_missing_and_are_left_out_when_none() {
        let read = |json: &str| serde_json::from_str::<Sample>(json);
        let bare = read(r#"{"id":"1"}"#).unwrap();
        assert_eq!((bare.flag, bare.at, &bare.note), (None, None, &None));
        assert_eq!(
            serde_json::to_string(&bare).unwrap(),
            r#"{"id":"1","list":[]}"#
        );
        let full = read(r#"{"id":"1","flag":"1","When":"2019-02-13T12:20Z","note":"n"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&full).unwrap(),
            r#"{"id":"1","flag":true,"When":"2019-02-13T12:20:00Z","note":"n","list":[]}"#
        );
        assert!(
            read(r#"{"flag":1}"#).is_err(),
            "a field not an Option stays required"
        );
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
