//! The open-enum macros. They are exported at the crate root (`cloud_http::open_enum!`,
//! `cloud_http::open_int_enum!`); their tests live here.

/// Declares a string enum whose set of values the vendor may grow: known wire values become
/// variants, anything else is kept in `Unknown(String)`, so a new value never breaks parsing and
/// prints, serializes and is sent back as it came.
///
/// Generates `as_str()` (the wire value), `parse(&str)`, `From<&str>`, `Display` (the wire
/// value), `Serialize` (the wire value) and `Deserialize` (never fails on a string). A variant
/// may list aliases after its wire value (`Queueing = "queueing" | "queuing"`); they parse to the
/// variant, which always prints as its first value. Attributes before `pub enum` (docs,
/// `#[non_exhaustive]`) are kept; `Debug, Clone, PartialEq, Eq, Hash` are derived.
///
/// Matching is exact by default. With `#[open_enum(case_insensitive)]` first, values are trimmed
/// and matched ignoring ASCII case, and `Unknown` keeps the trimmed text.
///
/// ```
/// cloud_http::open_enum! {
///     #[open_enum(case_insensitive)]
///     /// The state of a task.
///     #[non_exhaustive]
///     pub enum TaskState {
///         /// `running`.
///         Running = "running",
///         /// `queueing`, also spelled `queuing`.
///         Queueing = "queueing" | "queuing",
///     }
/// }
/// assert_eq!(TaskState::parse(" Queuing "), TaskState::Queueing);
/// assert_eq!(TaskState::Queueing.to_string(), "queueing");
/// let new: TaskState = serde_json::from_str(r#""paused""#).unwrap();
/// assert_eq!(new, TaskState::Unknown("paused".into()));
/// assert_eq!(serde_json::to_string(&new).unwrap(), r#""paused""#);
/// ```
#[macro_export]
macro_rules! open_enum {
    (#[open_enum(case_insensitive)] $($rest:tt)*) => {
        $crate::open_enum! { @enum case_insensitive $($rest)* }
    };
    ($(#[$meta:meta])* pub enum $name:ident $body:tt) => {
        $crate::open_enum! { @enum exact $(#[$meta])* pub enum $name $body }
    };
    (
        @enum $mode:ident
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)*, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not know (yet), kept (and sent) as the service wrote it.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Unknown(other) => other,
                }
            }

            #[doc = $crate::open_enum!(@parse_doc $mode)]
            pub fn parse(value: &str) -> Self {
                $crate::open_enum!(@parse $mode value; $( $variant = $wire $(| $alias)* ),*)
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::parse(value)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value =
                    <::std::borrow::Cow<'de, str> as $crate::__private::serde::Deserialize>::deserialize(d)?;
                ::std::result::Result::Ok(Self::parse(&value))
            }
        }
    };
    (@parse_doc exact) => {
        "Parses a wire value exactly (aliases included); anything else is kept verbatim in \
         `Unknown`."
    };
    (@parse_doc case_insensitive) => {
        "Parses a wire value, trimmed and ignoring ASCII case (aliases included); anything \
         unknown is kept, trimmed, in `Unknown`."
    };
    (@parse exact $value:ident; $( $variant:ident = $wire:literal $(| $alias:literal)* ),*) => {
        match $value {
            $( $wire $(| $alias)* => Self::$variant, )*
            other => Self::Unknown(other.to_owned()),
        }
    };
    (
        @parse case_insensitive $value:ident;
        $( $variant:ident = $wire:literal $(| $alias:literal)* ),*
    ) => {{
        let $value = $value.trim();
        $(
            if $value.eq_ignore_ascii_case($wire) $(|| $value.eq_ignore_ascii_case($alias))* {
                return Self::$variant;
            }
        )*
        Self::Unknown($value.to_owned())
    }};
}

/// Declares an integer enum whose set of values the vendor may grow: known values become
/// variants, anything else is kept in `Unknown(i64)`, so a new value never breaks parsing and
/// round-trips unchanged.
///
/// Generates `code()` (the integer), `From<i64>`, `From<Enum> for i64`, `Display` (each
/// variant's text, `unknown (N)` for others), `Serialize` (the bare integer) and a lenient
/// `Deserialize` ([`lenient::int`](crate::model::lenient::int): numeric strings accepted, `null`
/// is 0). `Debug, Clone, Copy, PartialEq, Eq, Hash` are derived.
///
/// ```
/// cloud_http::open_int_enum! {
///     /// The state of a task.
///     pub enum TaskStatus {
///         /// `0`.
///         Waiting = 0 => "waiting",
///         /// `2`.
///         Finished = 2 => "finished",
///     }
/// }
/// let s: TaskStatus = serde_json::from_str(r#""2""#).unwrap();
/// assert_eq!(s, TaskStatus::Finished);
/// assert_eq!(TaskStatus::from(7).to_string(), "unknown (7)");
/// assert_eq!(serde_json::to_string(&TaskStatus::Unknown(7)).unwrap(), "7");
/// ```
#[macro_export]
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

        impl ::std::convert::From<i64> for $name {
            fn from(v: i64) -> Self {
                match v {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl ::std::convert::From<$name> for i64 {
            fn from(v: $name) -> i64 {
                v.code()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $( $name::$variant => f.write_str($text), )+
                    $name::Unknown(v) => write!(f, "unknown ({v})"),
                }
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::model::lenient::int::<D, i64>(d).map($name::from)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::open_enum! {
        #[open_enum(case_insensitive)]
        /// A probe enum, matched ignoring case.
        #[non_exhaustive]
        pub enum Color {
            /// Red.
            Red = "red",
            /// Grey, in either spelling.
            Grey = "grey" | "gray",
        }
    }

    crate::open_enum! {
        /// A probe enum, matched exactly.
        pub enum Status {
            /// Done.
            Completed = "COMPLETED",
            /// Also done, older spelling.
            Failed = "FAILED" | "FAIL",
        }
    }

    crate::open_int_enum! {
        /// A probe integer enum.
        pub enum Phase {
            /// `0`.
            Waiting = 0 => "waiting",
            /// `4`.
            WaitingToRetry = 4 => "waiting to retry",
        }
    }

    #[test]
    fn case_insensitive_enums_trim_fold_case_and_take_aliases() {
        assert_eq!(Color::parse("RED"), Color::Red);
        assert_eq!(Color::parse(" gray "), Color::Grey);
        assert_eq!(Color::parse(" teal "), Color::Unknown("teal".into()));
        assert_eq!(Color::Grey.as_str(), "grey");
        assert_eq!(Color::Unknown("teal".into()).to_string(), "teal");
        let c: Color = serde_json::from_str("\"Gray\"").unwrap();
        assert_eq!(c, Color::Grey);
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"grey\"");
        assert_eq!(Color::from(""), Color::Unknown(String::new()));
    }

    #[test]
    fn exact_enums_keep_anything_else_verbatim() {
        let s: Status = serde_json::from_str("\"COMPLETED\"").unwrap();
        assert_eq!(s, Status::Completed);
        assert_eq!(Status::parse("FAIL"), Status::Failed);
        for odd in ["completed", " COMPLETED", "ARCHIVED"] {
            let s = Status::from(odd);
            assert_eq!(s, Status::Unknown(odd.into()), "{odd:?}");
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("{odd:?}"));
            assert_eq!(s.to_string(), odd);
        }
        assert!(serde_json::from_str::<Status>("1").is_err());
    }

    #[test]
    fn int_enums_round_trip_unknown_values() {
        for (json, phase) in [
            ("0", Phase::Waiting),
            ("4", Phase::WaitingToRetry),
            ("7", Phase::Unknown(7)),
            ("\"4\"", Phase::WaitingToRetry),
            ("null", Phase::Waiting),
        ] {
            let parsed: Phase = serde_json::from_str(json).unwrap();
            assert_eq!(parsed, phase, "{json}");
            let back: Phase =
                serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
            assert_eq!(back, phase);
        }
        assert_eq!(serde_json::to_string(&Phase::Unknown(-9)).unwrap(), "-9");
        assert_eq!(Phase::Unknown(9).to_string(), "unknown (9)");
        assert_eq!(Phase::WaitingToRetry.to_string(), "waiting to retry");
        assert_eq!(Phase::Unknown(2).code(), 2);
        assert_eq!(i64::from(Phase::WaitingToRetry), 4);
        assert!(serde_json::from_str::<Phase>("\"soon\"").is_err());
    }
}
