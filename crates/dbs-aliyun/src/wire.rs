//! Wire helpers: lenient parsing of DBS's inconsistent JSON, open enums, query building and
//! validation before sending.
//!
//! DBS answers the same kind of value in different shapes depending on the API version and the
//! operation: integers as numbers or decimal strings, booleans as `true` or `"true"`, timestamps
//! as milliseconds (numbers or strings), absent values as `""` or `null`. The helpers here accept
//! every shape seen and produce one clean Rust type.

use cloud_http::Error;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use time::OffsetDateTime;

/// Text of a scalar JSON value; `None` for `null` and for empty (or blank) strings.
fn scalar_text<E: serde::de::Error>(v: Value) -> Result<Option<String>, E> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(E::custom(format!("expected a scalar, got {other}"))),
    }
}

/// A string that may come as a number (ids, ports); `""` and `null` are `None`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    scalar_text(Value::deserialize(d)?)
}

/// A message where DBS writes `NULL` (any case) for "none".
pub(crate) fn opt_message<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(opt_string(d)?.filter(|m| !m.eq_ignore_ascii_case("null")))
}

/// A required string that may come as a number; empty is an error.
pub(crate) fn req_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    opt_string(d)?.ok_or_else(|| serde::de::Error::custom("expected a non-empty string"))
}

/// The `Unknown("")` value of an open enum, for a status field the service left out.
pub(crate) fn unknown<T: for<'a> From<&'a str>>() -> T {
    T::from("")
}

/// An integer sent as a number or a decimal string; `""` and `null` are `None`.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(text) = scalar_text::<D::Error>(Value::deserialize(d)?)? else {
        return Ok(None);
    };
    text.parse::<i64>()
        .or_else(|_| {
            // `12.0` from a serializer that thinks every number is a double.
            text.parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
                .ok_or(())
        })
        .map(Some)
        .map_err(|_| {
            serde::de::Error::custom(format!(
                "expected an integer or a decimal string, got {text:?}"
            ))
        })
}

/// A non-negative integer (sizes, counts, pages) sent as a number or a decimal string.
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match opt_i64(d)? {
        None => Ok(None),
        Some(n) => u64::try_from(n).map(Some).map_err(|_| {
            serde::de::Error::custom(format!("expected a non-negative integer, got {n}"))
        }),
    }
}

/// A boolean sent as `true` / `"true"` (any case); `""` and `null` are `None`.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let Some(text) = scalar_text::<D::Error>(Value::deserialize(d)?)? else {
        return Ok(None);
    };
    parse_bool(&text)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("expected true or false, got {text:?}")))
}

/// `true` / `false` in any case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Epoch values below this are read as seconds, not milliseconds: as milliseconds they would
/// fall before March 1973, as seconds they reach the year 5138.
const SECONDS_BELOW: i64 = 100_000_000_000;

/// A point in time sent as epoch milliseconds (number or string). `0`, `""` and `null` are
/// `None` (DBS sends `0` for "not yet"). Values too small to be milliseconds are read as
/// seconds: the vendor's own example of `ExpirationTime` is in seconds although the field is
/// documented as a millisecond timestamp.
pub(crate) fn opt_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<OffsetDateTime>, D::Error> {
    match opt_i64(d)? {
        None | Some(0) => Ok(None),
        Some(n) => epoch_to_time(n)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("timestamp out of range: {n}"))),
    }
}

pub(crate) fn epoch_to_time(n: i64) -> Option<OffsetDateTime> {
    let nanos = if n.abs() < SECONDS_BELOW {
        i128::from(n) * 1_000_000_000
    } else {
        i128::from(n) * 1_000_000
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

/// Milliseconds since the epoch, as DBS wants times in requests.
pub(crate) fn epoch_millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A string-valued enum whose set of values the vendor may grow: known values become variants
/// (matched case-insensitively, aliases included), anything else is kept in `Unknown`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)*, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not know (yet), exactly as the service sent it.
            Unknown(String),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Unknown(s) => s,
                }
            }

            /// Parses a wire value (case-insensitively); unknown values are kept in `Unknown`.
            pub fn parse(value: &str) -> Self {
                let value = value.trim();
                $(
                    if value.eq_ignore_ascii_case($wire) $(|| value.eq_ignore_ascii_case($alias))* {
                        return Self::$variant;
                    }
                )*
                Self::Unknown(value.to_owned())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::parse(value)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(Self::parse(&String::deserialize(d)?))
            }
        }
    };
}
pub(crate) use open_enum;

/// Query parameters of one request, in the unencoded form `cloud-http` signs and sends.
#[derive(Debug, Default)]
pub(crate) struct Query(pub(crate) Vec<(String, String)>);

impl Query {
    pub(crate) fn put(&mut self, name: &str, value: impl ToString) -> &mut Self {
        self.0.push((name.to_owned(), value.to_string()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use time::macros::datetime;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_u64")]
        size: Option<u64>,
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_time")]
        at: Option<OffsetDateTime>,
        #[serde(default, deserialize_with = "opt_string")]
        id: Option<String>,
    }

    fn probe(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_come_as_numbers_strings_or_nothing() {
        assert_eq!(probe(r#"{"size": 12}"#).unwrap().size, Some(12));
        assert_eq!(probe(r#"{"size": "12"}"#).unwrap().size, Some(12));
        assert_eq!(probe(r#"{"size": "12.0"}"#).unwrap().size, Some(12));
        assert_eq!(probe(r#"{"size": ""}"#).unwrap().size, None);
        assert_eq!(probe(r#"{"size": null}"#).unwrap().size, None);
        assert_eq!(probe(r#"{}"#).unwrap().size, None);
        let err = probe(r#"{"size": "lots"}"#).unwrap_err().to_string();
        assert!(err.contains("\"lots\""), "{err}");
        assert!(probe(r#"{"size": -1}"#).is_err());
    }

    #[test]
    fn booleans_come_as_booleans_or_strings() {
        assert_eq!(probe(r#"{"flag": true}"#).unwrap().flag, Some(true));
        assert_eq!(probe(r#"{"flag": "false"}"#).unwrap().flag, Some(false));
        assert_eq!(probe(r#"{"flag": "TRUE"}"#).unwrap().flag, Some(true));
        assert!(probe(r#"{"flag": "yes"}"#).is_err());
    }

    #[test]
    fn times_are_milliseconds_or_seconds_and_zero_is_none() {
        let at = datetime!(2022-08-24 9:04:30 UTC);
        assert_eq!(probe(r#"{"at": 1661331870000}"#).unwrap().at, Some(at));
        assert_eq!(probe(r#"{"at": "1661331870000"}"#).unwrap().at, Some(at));
        assert_eq!(probe(r#"{"at": 1661331870}"#).unwrap().at, Some(at));
        assert_eq!(probe(r#"{"at": 0}"#).unwrap().at, None);
        assert_eq!(epoch_millis(at), 1_661_331_870_000);
    }

    #[test]
    fn ids_may_be_numbers() {
        assert_eq!(
            probe(r#"{"id": 1460051}"#).unwrap().id.as_deref(),
            Some("1460051")
        );
        assert_eq!(
            probe(r#"{"id": " dt-1 "}"#).unwrap().id.as_deref(),
            Some("dt-1")
        );
        assert!(probe(r#"{"id": [1]}"#).is_err());
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

    open_enum! {
        /// A probe enum.
        pub enum Color {
            /// Red.
            Red = "red",
            /// Grey, in either spelling.
            Grey = "grey" | "gray",
        }
    }

    #[test]
    fn open_enums_keep_unknown_values() {
        assert_eq!(Color::parse("RED"), Color::Red);
        assert_eq!(Color::parse("gray"), Color::Grey);
        assert_eq!(Color::parse("teal"), Color::Unknown("teal".into()));
        assert_eq!(Color::Grey.as_str(), "grey");
        assert_eq!(Color::Unknown("teal".into()).to_string(), "teal");
        let c: Color = serde_json::from_str("\"Gray\"").unwrap();
        assert_eq!(c, Color::Grey);
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
    }
}
