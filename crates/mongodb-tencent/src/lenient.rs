//! Lenient parsing for the places where the service's types drift: integers that arrive as
//! strings or floats, and `null` where a value or an empty list was expected.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// `null` (or a missing field, with `#[serde(default)]`) becomes `T::default()`.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An integer sent as a JSON number (integral float accepted, fraction truncated), a numeric
/// string, or `null` (→ 0). Anything else, or a value out of `T`'s range, is an error.
pub(crate) fn int<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    let v = d.deserialize_any(IntVisitor)?;
    T::try_from(v).map_err(|_| de::Error::custom(format!("integer {v} out of range")))
}

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = i128;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, a numeric string or null")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
        Ok(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
        Ok(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i128, E> {
        if v.is_finite() && v.abs() < 1e18 {
            Ok(v.trunc() as i128)
        } else {
            Err(E::custom(format!("number {v} is not a usable integer")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i128, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(0);
        }
        if let Ok(i) = t.parse::<i128>() {
            return Ok(i);
        }
        match t.parse::<f64>() {
            Ok(f) => self.visit_f64(f),
            Err(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<i128, E> {
        Ok(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<i128, E> {
        Ok(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<i128, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

/// Declares an open integer enum: known values as variants, anything else kept in
/// `Unknown(i64)`, so a new vendor value never breaks parsing and round-trips unchanged.
/// Serialized as the bare integer; parsed leniently (numeric strings accepted).
macro_rules! open_int_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate does not know yet, kept as sent.
            Unknown(i64),
        }

        impl $name {
            /// The integer the API uses.
            pub fn code(self) -> i64 {
                match self {
                    $( $name::$variant => $value, )+
                    $name::Unknown(v) => v,
                }
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                match v {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$name> for i64 {
            fn from(v: $name) -> i64 {
                v.code()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $( $name::$variant => f.write_str($text), )+
                    $name::Unknown(v) => write!(f, "unknown ({v})"),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::lenient::int::<D, i64>(d).map($name::from)
            }
        }
    };
}

pub(crate) use open_int_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "int")]
        n: u64,
        #[serde(default, deserialize_with = "null_default")]
        s: String,
    }

    fn parse(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_arrive_in_many_shapes() {
        assert_eq!(parse(r#"{"n": 5}"#).unwrap().n, 5);
        assert_eq!(parse(r#"{"n": "17"}"#).unwrap().n, 17);
        assert_eq!(parse(r#"{"n": 3.0}"#).unwrap().n, 3);
        assert_eq!(parse(r#"{"n": null}"#).unwrap().n, 0);
        assert_eq!(parse(r#"{}"#).unwrap().n, 0);
        assert!(parse(r#"{"n": -1}"#).is_err(), "out of range for u64");
        assert!(parse(r#"{"n": "many"}"#).is_err());
        assert!(parse(r#"{"n": [1]}"#).is_err());
    }

    #[test]
    fn null_strings_are_empty() {
        assert_eq!(parse(r#"{"s": null}"#).unwrap().s, "");
        assert_eq!(parse(r#"{"s": "x"}"#).unwrap().s, "x");
        assert!(parse(r#"{"s": 1}"#).is_err());
    }
}
