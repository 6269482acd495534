//! Download links, which are credentials: anyone holding one can read the backup.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::redact_urls;

/// A pre-signed download link. Anyone holding it can read what it points to, so it is a
/// credential: `Debug` and `Display` show it with its query string (where object storage puts
/// the signature) replaced by `<redacted>`, while [`SecretUrl::as_str`] (or
/// [`SecretUrl::expose`]) gives the whole link to a downloader. `Serialize` writes the whole link
/// (a caller asked for it, say as a CLI's JSON output); `Deserialize` reads a plain string.
///
/// Vendor crates name their own link types with [`secret_url!`](crate::secret_url), which wraps
/// this type.
///
/// ```
/// use cloud_http::SecretUrl;
/// let url = SecretUrl::new("https://b.oss.example.com/f.tar?Expires=1&Signature=abc");
/// assert_eq!(url.to_string(), "https://b.oss.example.com/f.tar?<redacted>");
/// assert_eq!(format!("{url:?}"), r#"SecretUrl("https://b.oss.example.com/f.tar?<redacted>")"#);
/// assert!(url.as_str().ends_with("Signature=abc"));
/// assert_eq!(
///     serde_json::to_string(&url).unwrap(),
///     r#""https://b.oss.example.com/f.tar?Expires=1&Signature=abc""#
/// );
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Wraps a link.
    pub fn new(url: impl Into<String>) -> Self {
        SecretUrl(url.into())
    }
    /// The whole link, query string (its signature) included: hand it to a downloader, never to
    /// a log.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The same as [`SecretUrl::as_str`], named like `SecretString::expose` for call sites that
    /// want to say they are handling a secret.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// The whole link, owned.
    pub fn into_string(self) -> String {
        self.0
    }
    /// Whether the service sent no link (yet).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The link with its query string replaced by `<redacted>`: safe to log. Text that is not
    /// an `http(s)://` URL is cut at its first `?` too.
    pub fn redacted(&self) -> String {
        let redacted = redact_urls(&self.0);
        match redacted.find('?') {
            Some(q) if !redacted[q..].starts_with("?<redacted>") => {
                format!("{}?<redacted>", &redacted[..q])
            }
            _ => redacted,
        }
    }
}

impl From<String> for SecretUrl {
    fn from(url: String) -> Self {
        SecretUrl(url)
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecretUrl").field(&self.redacted()).finish()
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for SecretUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretUrl)
    }
}

/// Declares a named download-link type: a wrapper of [`SecretUrl`](crate::SecretUrl) with the
/// same methods (`new`, `as_str`, `expose`, `into_string`, `is_empty`, `redacted`), `Display`
/// and `serde`, whose `Debug` carries its own name (`DownloadUrl("https://host/f?<redacted>")`).
/// Converts to and from `SecretUrl` and `String`.
///
/// ```
/// cloud_http::secret_url! {
///     /// A link to a backup file.
///     pub struct DownloadLink;
/// }
/// let link = DownloadLink::new("https://obs.example.com/f.tar?Signature=SIG");
/// assert_eq!(format!("{link:?}"), r#"DownloadLink("https://obs.example.com/f.tar?<redacted>")"#);
/// assert_eq!(link.to_string(), "https://obs.example.com/f.tar?<redacted>");
/// assert!(link.as_str().ends_with("SIG"));
/// let shared: cloud_http::SecretUrl = link.into();
/// assert!(shared.expose().ends_with("SIG"));
/// ```
#[macro_export]
macro_rules! secret_url {
    ($(#[$meta:meta])* pub struct $name:ident;) => {
        $(#[$meta])*
        #[derive(Clone, Default, PartialEq, Eq, Hash)]
        pub struct $name($crate::SecretUrl);

        impl $name {
            /// Wraps a link.
            pub fn new(url: impl ::std::convert::Into<::std::string::String>) -> Self {
                $name($crate::SecretUrl::new(url))
            }
            /// The whole link, query string (its signature) included: hand it to a downloader,
            /// never to a log.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
            /// The same as `as_str`, for call sites that want to say they handle a secret.
            pub fn expose(&self) -> &str {
                self.0.expose()
            }
            /// The whole link, owned.
            pub fn into_string(self) -> ::std::string::String {
                self.0.into_string()
            }
            /// Whether the service sent no link (yet).
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
            /// The link with its query string replaced by `<redacted>`: safe to log.
            pub fn redacted(&self) -> ::std::string::String {
                self.0.redacted()
            }
            /// The link as the vendor-neutral type.
            pub fn as_secret_url(&self) -> &$crate::SecretUrl {
                &self.0
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(url: ::std::string::String) -> Self {
                $name($crate::SecretUrl::from(url))
            }
        }

        impl ::std::convert::From<$crate::SecretUrl> for $name {
            fn from(url: $crate::SecretUrl) -> Self {
                $name(url)
            }
        }

        impl ::std::convert::From<$name> for $crate::SecretUrl {
            fn from(url: $name) -> Self {
                url.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(::std::stringify!($name))
                    .field(&self.0.redacted())
                    .finish()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::__private::serde::Serialize::serialize(&self.0, s)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <$crate::SecretUrl as $crate::__private::serde::Deserialize>::deserialize(d)
                    .map($name)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::SecretUrl;

    crate::secret_url! {
        /// A probe link type.
        pub struct ProbeLink;
    }

    const LINK: &str = "https://obs.example.com/b/f.tar?AccessKeyId=AK&Signature=SIG";

    #[test]
    fn links_print_without_their_query() {
        let url = SecretUrl::new(LINK);
        let shown = format!("{url:?} {url:#?} {url}");
        assert!(
            !shown.contains("SIG") && !shown.contains("AccessKeyId"),
            "{shown}"
        );
        assert_eq!(
            format!("{url:?}"),
            r#"SecretUrl("https://obs.example.com/b/f.tar?<redacted>")"#
        );
        assert_eq!(
            url.to_string(),
            "https://obs.example.com/b/f.tar?<redacted>"
        );
        assert_eq!(url.as_str(), LINK);
        assert_eq!(url.expose(), LINK);
        assert_eq!(url.clone().into_string(), LINK);
        let odd = SecretUrl::new("obs.example.com/f?Signature=SIG");
        assert_eq!(odd.redacted(), "obs.example.com/f?<redacted>");
        assert_eq!(SecretUrl::new("https://a/b").redacted(), "https://a/b");
        assert!(SecretUrl::default().is_empty());
    }

    #[test]
    fn links_serialize_whole_and_parse_from_strings() {
        let url: SecretUrl = serde_json::from_str(&format!("{LINK:?}")).unwrap();
        assert_eq!(url.as_str(), LINK);
        assert_eq!(serde_json::to_string(&url).unwrap(), format!("{LINK:?}"));
        assert!(serde_json::from_str::<SecretUrl>("null").is_err());
    }

    #[test]
    fn named_links_debug_with_their_own_name() {
        let link = ProbeLink::new(LINK);
        assert_eq!(
            format!("{link:?}"),
            r#"ProbeLink("https://obs.example.com/b/f.tar?<redacted>")"#
        );
        assert_eq!(
            format!("{link:#?}"),
            "ProbeLink(\n    \"https://obs.example.com/b/f.tar?<redacted>\",\n)"
        );
        assert_eq!(
            link.to_string(),
            "https://obs.example.com/b/f.tar?<redacted>"
        );
        assert_eq!(link.as_str(), LINK);
        assert_eq!(link.expose(), LINK);
        assert_eq!(link.as_secret_url().as_str(), LINK);
        assert_eq!(
            link.redacted(),
            "https://obs.example.com/b/f.tar?<redacted>"
        );
        assert!(!link.is_empty());
        assert_eq!(serde_json::to_string(&link).unwrap(), format!("{LINK:?}"));
        let back: ProbeLink = serde_json::from_str(&format!("{LINK:?}")).unwrap();
        assert_eq!(back, link);
        assert_eq!(ProbeLink::from(LINK.to_owned()), link);
        let shared = SecretUrl::from(link.clone());
        assert_eq!(ProbeLink::from(shared), link);
        assert_eq!(link.into_string(), LINK);
    }
}
