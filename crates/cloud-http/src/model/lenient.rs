//! Lenient `serde` deserializers for the places where the vendors' JSON drifts: integers sent as
//! numbers, floats or decimal strings, booleans sent as `"true"`, ids sent as numbers, `null` or
//! `""` where a value was expected, and times sent as epoch milliseconds (or seconds).
//!
//! Use them with `#[serde(default, deserialize_with = "...")]`:
//!
//! ```
//! use cloud_http::model::lenient;
//! #[derive(serde::Deserialize)]
//! struct Task {
//!     #[serde(default, deserialize_with = "lenient::int")]
//!     size: u64,
//!     #[serde(default, deserialize_with = "lenient::opt_int")]
//!     pages: Option<u32>,
//!     #[serde(default, deserialize_with = "lenient::null_default")]
//!     name: String,
//! }
//! let t: Task = serde_json::from_str(r#"{"size":"2048","pages":"","name":null}"#).unwrap();
//! assert_eq!((t.size, t.pages, t.name.as_str()), (2048, None, ""));
//! ```

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::Value;
use time::OffsetDateTime;

/// `null` (or a missing field, with `#[serde(default)]`) becomes `T::default()`.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An integer sent as a JSON number (a float is truncated toward zero), a decimal string (the
/// same, after trimming), `""` or `null` (both `None`). Anything else, or a value out of `T`'s
/// range, is an error.
pub fn opt_int<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    match d.deserialize_any(IntVisitor)? {
        None => Ok(None),
        Some(v) => T::try_from(v)
            .map(Some)
            .map_err(|_| de::Error::custom(format!("integer {v} out of range"))),
    }
}

/// [`opt_int`], with `""` and `null` read as 0.
pub fn int<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128> + Default,
{
    Ok(opt_int(d)?.unwrap_or_default())
}

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i128>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, a numeric string or null")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() && v.abs() < 1e18 {
            Ok(Some(v.trunc() as i128))
        } else {
            Err(E::custom(format!("number {v} is not a usable integer")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if let Ok(i) = t.parse::<i128>() {
            return Ok(Some(i));
        }
        match t.parse::<f64>() {
            Ok(f) => self.visit_f64(f),
            Err(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

/// Text of a scalar JSON value, trimmed; `None` for `null` and for empty (or blank) strings.
fn scalar_text<E: de::Error>(v: Value) -> Result<Option<String>, E> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(E::custom(format!("expected a scalar, got {other}"))),
    }
}

/// A string that may come as a number (ids, ports), trimmed; `""` and `null` are `None`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    scalar_text(Value::deserialize(d)?)
}

/// A required string that may come as a number; empty is an error.
pub fn req_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    opt_string(d)?.ok_or_else(|| de::Error::custom("expected a non-empty string"))
}

/// A boolean sent as `true` / `"true"` (any case); `""` and `null` are `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let Some(text) = scalar_text::<D::Error>(Value::deserialize(d)?)? else {
        return Ok(None);
    };
    parse_bool(&text)
        .map(Some)
        .ok_or_else(|| de::Error::custom(format!("expected true or false, got {text:?}")))
}

/// `true` / `false` in any case.
pub fn parse_bool(text: &str) -> Option<bool> {
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
/// `None` (services send `0` for "not yet"). Values too small to be milliseconds are read as
/// seconds (see [`epoch_to_time`]).
pub fn opt_epoch_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    match opt_int::<D, i64>(d)? {
        None | Some(0) => Ok(None),
        Some(n) => epoch_to_time(n)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("timestamp out of range: {n}"))),
    }
}

/// Epoch milliseconds as a time; values below 10^11 (before March 1973 as milliseconds) are
/// read as seconds, since vendors document milliseconds and sometimes send seconds.
pub fn epoch_to_time(n: i64) -> Option<OffsetDateTime> {
    let nanos = if n.abs() < SECONDS_BELOW {
        i128::from(n) * 1_000_000_000
    } else {
        i128::from(n) * 1_000_000
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

/// Milliseconds since the epoch, as services want times in requests.
pub fn epoch_millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use time::macros::datetime;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "int")]
        n: u64,
        #[serde(default, deserialize_with = "opt_int")]
        size: Option<u64>,
        #[serde(default, deserialize_with = "opt_int")]
        signed: Option<i64>,
        #[serde(default, deserialize_with = "null_default")]
        s: String,
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_epoch_time")]
        at: Option<OffsetDateTime>,
        #[serde(default, deserialize_with = "opt_string")]
        id: Option<String>,
    }

    fn probe(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_arrive_in_many_shapes() {
        for (json, want) in [
            (r#"{"n": 5}"#, 5),
            (r#"{"n": "17"}"#, 17),
            (r#"{"n": " 17 "}"#, 17),
            (r#"{"n": 3.0}"#, 3),
            (r#"{"n": 2803.9}"#, 2803),
            (r#"{"n": "2803.9"}"#, 2803),
            (r#"{"n": null}"#, 0),
            (r#"{"n": ""}"#, 0),
            (r#"{}"#, 0),
        ] {
            assert_eq!(probe(json).unwrap().n, want, "{json}");
        }
        for bad in [
            r#"{"n": -1}"#,
            r#"{"n": "-1"}"#,
            r#"{"n": "many"}"#,
            r#"{"n": [1]}"#,
            r#"{"n": true}"#,
            r#"{"n": 1e30}"#,
        ] {
            assert!(probe(bad).is_err(), "{bad}");
        }
        let err = probe(r#"{"n": "lots"}"#).unwrap_err().to_string();
        assert!(err.contains("\"lots\""), "{err}");
    }

    #[test]
    fn optional_integers_are_none_when_empty() {
        assert_eq!(probe(r#"{"size": 12}"#).unwrap().size, Some(12));
        assert_eq!(probe(r#"{"size": "12"}"#).unwrap().size, Some(12));
        assert_eq!(probe(r#"{"size": "12.0"}"#).unwrap().size, Some(12));
        assert_eq!(probe(r#"{"size": ""}"#).unwrap().size, None);
        assert_eq!(probe(r#"{"size": "  "}"#).unwrap().size, None);
        assert_eq!(probe(r#"{"size": null}"#).unwrap().size, None);
        assert_eq!(probe(r#"{}"#).unwrap().size, None);
        assert!(probe(r#"{"size": -1}"#).is_err());
        assert_eq!(probe(r#"{"signed": "-1"}"#).unwrap().signed, Some(-1));
        let big = u64::MAX.to_string();
        assert_eq!(
            probe(&format!(r#"{{"size": {big}}}"#)).unwrap().size,
            Some(u64::MAX)
        );
        assert!(probe(&format!(r#"{{"signed": {big}}}"#)).is_err());
    }

    #[test]
    fn null_strings_are_empty() {
        assert_eq!(probe(r#"{"s": null}"#).unwrap().s, "");
        assert_eq!(probe(r#"{"s": "x"}"#).unwrap().s, "x");
        assert!(probe(r#"{"s": 1}"#).is_err());
    }

    #[test]
    fn booleans_come_as_booleans_or_strings() {
        assert_eq!(probe(r#"{"flag": true}"#).unwrap().flag, Some(true));
        assert_eq!(probe(r#"{"flag": "false"}"#).unwrap().flag, Some(false));
        assert_eq!(probe(r#"{"flag": "TRUE"}"#).unwrap().flag, Some(true));
        assert_eq!(probe(r#"{"flag": ""}"#).unwrap().flag, None);
        assert!(probe(r#"{"flag": "yes"}"#).is_err());
        assert_eq!(parse_bool("False"), Some(false));
        assert_eq!(parse_bool("1"), None);
    }

    #[test]
    fn times_are_milliseconds_or_seconds_and_zero_is_none() {
        let at = datetime!(2022-08-24 9:04:30 UTC);
        assert_eq!(probe(r#"{"at": 1661331870000}"#).unwrap().at, Some(at));
        assert_eq!(probe(r#"{"at": "1661331870000"}"#).unwrap().at, Some(at));
        assert_eq!(probe(r#"{"at": 1661331870}"#).unwrap().at, Some(at));
        assert_eq!(probe(r#"{"at": 0}"#).unwrap().at, None);
        assert_eq!(probe(r#"{"at": ""}"#).unwrap().at, None);
        assert!(probe(r#"{"at": 9223372036854775807}"#).is_err());
        assert_eq!(epoch_millis(at), 1_661_331_870_000);
        assert_eq!(epoch_to_time(epoch_millis(at)), Some(at));
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
        assert_eq!(probe(r#"{"id": ""}"#).unwrap().id, None);
        assert!(probe(r#"{"id": [1]}"#).is_err());
        #[derive(Deserialize)]
        struct R {
            #[serde(deserialize_with = "req_string")]
            r: String,
        }
        assert_eq!(serde_json::from_str::<R>(r#"{"r":7}"#).unwrap().r, "7");
        assert!(serde_json::from_str::<R>(r#"{"r":" "}"#).is_err());
    }
}
