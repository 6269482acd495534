//! Building blocks for the vendor crates' response models, shared so each quirk is handled once:
//!
//! - [`open_enum!`](crate::open_enum) and [`open_int_enum!`](crate::open_int_enum): string and
//!   integer enums with an `Unknown(..)` variant, so a value the vendor adds tomorrow parses,
//!   prints and serializes back unchanged;
//! - [`lenient`]: `serde` deserializers for numbers and booleans sent as strings, `null` where a
//!   value was expected, and epoch-millisecond times;
//! - [`SecretUrl`] and [`secret_url!`](crate::secret_url): download links, which are credentials,
//!   with their query string cut in `Debug` and `Display`.

pub mod lenient;
mod open_enum;
mod secret_url;

pub use secret_url::SecretUrl;
