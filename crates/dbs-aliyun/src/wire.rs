//! Wire helpers: DBS's own parsing quirks, query building and validation before sending.
//!
//! DBS answers the same kind of value in different shapes depending on the API version and the
//! operation: integers as numbers or decimal strings, booleans as `true` or `"true"`, timestamps
//! as milliseconds (numbers or strings), absent values as `""` or `null`. The shared
//! [`cloud_http::model::lenient`] deserializers accept every shape seen; what is DBS's alone
//! lives here.

use cloud_http::model::lenient::{epoch_millis, opt_string};
use cloud_http::{Error, ParamValue};
use cloud_sign::SecretString;
use serde::{Deserializer, Serializer};
use time::OffsetDateTime;

/// A message where DBS writes `NULL` (any case) for "none".
pub(crate) fn opt_message<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(opt_string(d)?.filter(|m| !m.eq_ignore_ascii_case("null")))
}

/// A time as DBS sends it: epoch milliseconds, a JSON number. For `serialize_with` on an
/// optional time, with `skip_serializing_if = "Option::is_none"`.
pub(crate) fn api_time<S: Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_i64(epoch_millis(*t)),
        None => s.serialize_none(),
    }
}

/// The `Unknown("")` value of an open enum, for a status field the service left out.
pub(crate) fn unknown<T: for<'a> From<&'a str>>() -> T {
    T::from("")
}

/// Query parameters of one request, in the unencoded form `cloud-http` signs and sends. A
/// secret goes in with [`Query::put_secret`] and stays marked as one all the way to the wire:
/// signed and sent as is, `<redacted>` in traces, snapshots, `Debug` and errors.
#[derive(Debug, Default)]
pub(crate) struct Query(pub(crate) Vec<(String, ParamValue)>);

impl Query {
    pub(crate) fn put(&mut self, name: &str, value: impl ToString) -> &mut Self {
        self.0
            .push((name.to_owned(), ParamValue::Plain(value.to_string())));
        self
    }

    pub(crate) fn put_secret(&mut self, name: &str, value: &SecretString) -> &mut Self {
        self.0.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn opt(&mut self, name: &str, value: Option<impl ToString>) -> &mut Self {
        if let Some(v) = value {
            self.put(name, v);
        }
        self
    }

    pub(crate) fn time(&mut self, name: &str, value: Option<OffsetDateTime>) -> &mut Self {
        self.opt(name, value.map(epoch_millis))
    }
}

/// `value` must not be empty or blank.
pub(crate) fn require(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::invalid(field, "must not be empty"))
    } else {
        Ok(())
    }
}

/// `value`, when given, must not be empty or blank.
pub(crate) fn require_opt(field: &str, value: Option<&str>) -> Result<(), Error> {
    value.map_or(Ok(()), |v| require(field, v))
}

/// `value`, when given, must lie in `min..=max`.
pub(crate) fn in_range(field: &str, value: Option<u32>, min: u32, max: u32) -> Result<(), Error> {
    match value {
        Some(v) if v < min || v > max => Err(Error::invalid(
            field,
            format!("must be between {min} and {max} (got {v})"),
        )),
        _ => Ok(()),
    }
}

/// A point in time sent to DBS must not lie before the epoch.
pub(crate) fn not_before_epoch(field: &str, value: Option<OffsetDateTime>) -> Result<(), Error> {
    match value {
        Some(t) if t.unix_timestamp() < 0 => Err(Error::invalid(
            field,
            format!("must not be before 1970-01-01 (got {t})"),
        )),
        _ => Ok(()),
    }
}

/// A window given by both ends must not end before it begins.
pub(crate) fn ordered_window(
    start_field: &str,
    start: Option<OffsetDateTime>,
    end_field: &str,
    end: Option<OffsetDateTime>,
) -> Result<(), Error> {
    match (start, end) {
        (Some(s), Some(e)) if e < s => Err(Error::invalid(
            end_field,
            format!("must not be before {start_field} ({e} < {s})"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use time::macros::datetime;

    #[test]
    fn null_messages_are_none() {
        #[derive(Deserialize)]
        struct M {
            #[serde(deserialize_with = "opt_message")]
            m: Option<String>,
        }
        assert_eq!(
            serde_json::from_str::<M>(r#"{"m":"NULL"}"#).unwrap().m,
            None
        );
        assert_eq!(
            serde_json::from_str::<M>(r#"{"m":"boom"}"#)
                .unwrap()
                .m
                .as_deref(),
            Some("boom")
        );
    }

    #[test]
    fn query_times_are_milliseconds() {
        let mut q = Query::default();
        q.time("StartTime", Some(datetime!(2022-08-24 9:04:30 UTC)))
            .time("EndTime", None);
        assert_eq!(q.0, [("StartTime".to_owned(), "1661331870000".into())]);
    }

    #[test]
    fn validation_names_the_field() {
        let e = require("BakSetId", "  ").unwrap_err().to_string();
        assert_eq!(e, "invalid input: BakSetId: must not be empty");
        let e = in_range("PageSize", Some(101), 1, 100)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "invalid input: PageSize: must be between 1 and 100 (got 101)"
        );
        assert!(in_range("PageSize", None, 1, 100).is_ok());
        assert!(not_before_epoch("RestoreTime", Some(datetime!(1969-12-31 0:00 UTC))).is_err());
        let (a, b) = (
            datetime!(2026-01-01 0:00 UTC),
            datetime!(2026-01-02 0:00 UTC),
        );
        assert!(ordered_window("StartTime", Some(a), "EndTime", Some(b)).is_ok());
        assert!(ordered_window("StartTime", Some(a), "EndTime", None).is_ok());
        let e = ordered_window("StartTime", Some(b), "EndTime", Some(a)).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid input: EndTime: must not be before StartTime")
        );
    }
}
