//! Request parameters that may be secret, and the redacted renderings built from them.
//!
//! A secret is declared where the value is put into a request ([`ApiRequest::put_secret`],
//! [`ParamValue::Secret`]), never by a list of names kept elsewhere: every rendering for people
//! (traces, snapshots, `Debug`, the canonical-request accessor, error text) asks the value
//! itself whether it may be shown, and the signer and the wire get the real value.
//!
//! [`ApiRequest::put_secret`]: crate::ApiRequest::put_secret

use std::fmt;
use std::sync::Arc;

use cloud_sign::{SecretString, percent_encode};

/// What a secret value is shown as, wherever a request is rendered for people.
pub const REDACTED: &str = "<redacted>";

/// The value of a query parameter or header of an [`ApiRequest`](crate::ApiRequest): plain text,
/// or a secret (a database password the API wants in the query).
///
/// Both are signed and sent as they are; a secret is shown as `<redacted>` in `Debug`, traces,
/// snapshots, the canonical request of a [`PreparedRequest`](crate::PreparedRequest) and error
/// text. There is no `Display`: use [`ParamValue::shown`] to render, [`ParamValue::expose`] to
/// sign or send.
///
/// ```
/// use cloud_http::ParamValue;
/// use cloud_sign::SecretString;
/// let plain = ParamValue::from("cn-hangzhou");
/// let secret = ParamValue::from(SecretString::new("s3cret"));
/// assert_eq!((plain.shown(), plain.expose()), ("cn-hangzhou", "cn-hangzhou"));
/// assert_eq!((secret.shown(), secret.expose()), ("<redacted>", "s3cret"));
/// assert_eq!(format!("{secret:?}"), "<redacted>");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum ParamValue {
    /// A value that may be shown.
    Plain(String),
    /// A value that is sent and signed, but never shown (zeroized on drop).
    Secret(SecretString),
}

impl ParamValue {
    /// The real value, for signing and sending. Never render it for people.
    pub fn expose(&self) -> &str {
        match self {
            ParamValue::Plain(v) => v,
            ParamValue::Secret(s) => s.expose(),
        }
    }

    /// The value as it may be shown: the plain text, or `<redacted>` for a secret.
    pub fn shown(&self) -> &str {
        match self {
            ParamValue::Plain(v) => v,
            ParamValue::Secret(_) => REDACTED,
        }
    }

    /// Whether the value is a secret.
    pub fn is_secret(&self) -> bool {
        matches!(self, ParamValue::Secret(_))
    }
}

impl fmt::Debug for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Plain(v) => fmt::Debug::fmt(v, f),
            ParamValue::Secret(_) => f.write_str(REDACTED),
        }
    }
}

impl From<String> for ParamValue {
    fn from(value: String) -> Self {
        ParamValue::Plain(value)
    }
}

impl From<&str> for ParamValue {
    fn from(value: &str) -> Self {
        ParamValue::Plain(value.to_owned())
    }
}

impl From<&String> for ParamValue {
    fn from(value: &String) -> Self {
        ParamValue::Plain(value.clone())
    }
}

impl From<SecretString> for ParamValue {
    fn from(value: SecretString) -> Self {
        ParamValue::Secret(value)
    }
}

impl From<&SecretString> for ParamValue {
    fn from(value: &SecretString) -> Self {
        ParamValue::Secret(value.clone())
    }
}

/// The canonical query of `pairs` ([`cloud_sign::canonical_query`] of the real values: what is
/// signed and sent) and its rendering with every secret value replaced by `<redacted>`, in the
/// same (signed) order. Without secrets the two are equal.
pub(crate) fn queries(pairs: &[(String, ParamValue)]) -> (String, String) {
    let real: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.expose()))
        .collect();
    let wire = cloud_sign::canonical_query(&real);
    if !pairs.iter().any(|(_, v)| v.is_secret()) {
        return (wire.clone(), wire);
    }
    // Sorted exactly as `canonical_query` sorts: by the real name, then the real value.
    let mut sorted: Vec<(&str, &str, bool)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.expose(), v.is_secret()))
        .collect();
    sorted.sort_unstable();
    let shown: Vec<String> = sorted
        .into_iter()
        .map(|(k, v, secret)| {
            let value = if secret {
                REDACTED.to_owned()
            } else {
                percent_encode(v)
            };
            format!("{}={value}", percent_encode(k))
        })
        .collect();
    (wire, shown.join("&"))
}

/// The secrets of a request, and how to cut them out of any text rendered from it. Cheap to
/// clone (shared), and one pointer wide: every response and prepared request of a call holds it.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Secrets(Option<Arc<SecretSet>>);

#[derive(PartialEq, Eq)]
struct SecretSet {
    /// The secret values of the query and the headers.
    values: Vec<SecretString>,
    /// Lower-case names of the headers whose values are secret.
    headers: Vec<String>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} secret(s)", self.values().len())
    }
}

impl Secrets {
    /// The secrets of a request's query and headers.
    pub(crate) fn of(query: &[(String, ParamValue)], headers: &[(String, ParamValue)]) -> Self {
        let mut set = SecretSet {
            values: Vec::new(),
            headers: Vec::new(),
        };
        for (_, v) in query {
            if let ParamValue::Secret(s) = v {
                set.values.push(s.clone());
            }
        }
        for (n, v) in headers {
            if let ParamValue::Secret(s) = v {
                set.values.push(s.clone());
                set.headers.push(n.to_ascii_lowercase());
            }
        }
        if set.values.is_empty() {
            Secrets(None)
        } else {
            Secrets(Some(Arc::new(set)))
        }
    }

    fn values(&self) -> &[SecretString] {
        self.0.as_deref().map_or(&[], |s| &s.values)
    }

    /// Whether there is nothing to redact.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Whether the header `name` (any case) carries a secret value.
    pub(crate) fn is_secret_header(&self, name: &str) -> bool {
        self.0
            .as_deref()
            .is_some_and(|s| s.headers.iter().any(|h| h.eq_ignore_ascii_case(name)))
    }

    /// A canonical request (as a signer made it from the real values) with the secrets cut: the
    /// canonical query line becomes `shown_query`, each secret header line `name:<redacted>`,
    /// and, should a signer have placed a secret anywhere else, every remaining occurrence of a
    /// secret (as is, percent-encoded or lower-cased) is replaced by `<redacted>` too.
    pub(crate) fn redact_canonical(
        &self,
        canonical: &str,
        wire_query: &str,
        shown_query: &str,
    ) -> String {
        if self.is_empty() {
            return canonical.to_owned();
        }
        let lines: Vec<String> = canonical
            .split('\n')
            .map(|line| {
                if !wire_query.is_empty() && line == wire_query {
                    return shown_query.to_owned();
                }
                if let Some((name, _)) = line.split_once(':')
                    && self.is_secret_header(name)
                {
                    return format!("{name}:{REDACTED}");
                }
                line.to_owned()
            })
            .collect();
        self.scrub(&lines.join("\n"))
    }

    /// `text` with every occurrence of a secret (as is, percent-encoded, lower-cased) replaced
    /// by `<redacted>`: for text the request does not structure (error messages, bodies echoed
    /// by a server). A very short secret may take unrelated text with it; that is the price of
    /// never showing it.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in self.values() {
            let raw = secret.expose();
            if raw.is_empty() {
                continue;
            }
            for form in [raw.to_owned(), percent_encode(raw), raw.to_lowercase()] {
                if out.contains(form.as_str()) {
                    out = out.replace(form.as_str(), REDACTED);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, ParamValue)]) -> Vec<(String, ParamValue)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn without_secrets_the_shown_query_is_the_canonical_query() {
        let q = pairs(&[
            ("b", "2 3".into()),
            ("a", "x*".into()),
            ("b", "1".into()),
            ("c", "".into()),
        ]);
        let (wire, shown) = queries(&q);
        assert_eq!(wire, "a=x%2A&b=1&b=2%203&c=");
        assert_eq!(shown, wire);
    }

    #[test]
    fn secrets_keep_their_signed_place_and_lose_their_value() {
        let q = pairs(&[
            ("Pw", SecretString::new("zz top").into()),
            ("Pw", "aa".into()),
            ("A", "1".into()),
        ]);
        let (wire, shown) = queries(&q);
        assert_eq!(wire, "A=1&Pw=aa&Pw=zz%20top");
        assert_eq!(shown, "A=1&Pw=aa&Pw=<redacted>");
    }

    #[test]
    fn canonical_requests_lose_query_and_header_secrets() {
        let q = pairs(&[("Pw", SecretString::new("p&w").into()), ("A", "1".into())]);
        let h = pairs(&[
            ("X-Api-Key", SecretString::new("KEY-Value").into()),
            ("X-Plain", "shown".into()),
        ]);
        let secrets = Secrets::of(&q, &h);
        let (wire, shown) = queries(&q);
        let canonical = format!(
            "POST\n/\n{wire}\nhost:h\nx-api-key:key-value\nx-plain:shown\n\nhost;x-api-key;x-plain\nabc"
        );
        assert_eq!(
            secrets.redact_canonical(&canonical, &wire, &shown),
            "POST\n/\nA=1&Pw=<redacted>\nhost:h\nx-api-key:<redacted>\nx-plain:shown\n\nhost;x-api-key;x-plain\nabc"
        );
        assert!(secrets.is_secret_header("x-API-key"));
        assert!(!secrets.is_secret_header("x-plain"));
        assert_eq!(
            secrets.scrub("echo p&w p%26w KEY-Value key-value"),
            "echo <redacted> <redacted> <redacted> <redacted>"
        );
        let none = Secrets::of(&pairs(&[("A", "1".into())]), &[]);
        assert_eq!(none.redact_canonical(&canonical, &wire, &shown), canonical);
        assert_eq!(none.scrub("p&w"), "p&w");
    }
}
