//! Why a connection failed, in words an operator can act on: the DNS lookup, a refused or
//! reset connection, the TLS handshake (and why: an unknown CA, a name mismatch, an expired
//! certificate), a timeout, a proxy.

use std::error::Error as StdError;
use std::fmt;

/// The cause of a network failure, found by walking an error's `source()` chain.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkCause {
    /// The host name did not resolve.
    Dns,
    /// Nothing listens on that port (or a firewall rejected the connection).
    Refused,
    /// The connection was reset or closed by the peer.
    Reset,
    /// The connection could not be made in time.
    ConnectTimeout,
    /// The server's certificate is not signed by a trusted CA.
    TlsUnknownCa,
    /// The server's certificate is not valid for the host name.
    TlsNameMismatch,
    /// The server's certificate has expired (or is not valid yet).
    TlsExpired,
    /// Another TLS failure (what rustls said).
    Tls(String),
    /// The proxy refused or failed.
    Proxy,
    /// None of the above.
    Other,
}

impl fmt::Display for NetworkCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkCause::Dns => f.write_str("DNS lookup failed (is the host name right?)"),
            NetworkCause::Refused => f.write_str("connection refused"),
            NetworkCause::Reset => f.write_str("connection reset by the peer"),
            NetworkCause::ConnectTimeout => f.write_str("connect timeout"),
            NetworkCause::TlsUnknownCa => {
                f.write_str("TLS failed: the server's certificate is signed by an unknown CA")
            }
            NetworkCause::TlsNameMismatch => {
                f.write_str("TLS failed: the server's certificate is not valid for this host name")
            }
            NetworkCause::TlsExpired => {
                f.write_str("TLS failed: the server's certificate has expired or is not yet valid")
            }
            NetworkCause::Tls(why) => write!(f, "TLS failed: {why}"),
            NetworkCause::Proxy => f.write_str("the proxy failed"),
            NetworkCause::Other => f.write_str("network error"),
        }
    }
}

impl NetworkCause {
    /// Whether trying again cannot help: the server's certificate is not trusted, not for this
    /// name, or out of date (retrying only hammers the server and delays the error).
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            NetworkCause::TlsUnknownCa | NetworkCause::TlsNameMismatch | NetworkCause::TlsExpired
        )
    }
}

/// The cause of `err`, from the first error in its `source()` chain that tells one.
///
/// ```
/// use cloud_http::{NetworkCause, network_cause};
/// let e = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// assert_eq!(network_cause(&e), NetworkCause::Refused);
/// ```
pub fn network_cause(err: &(dyn StdError + 'static)) -> NetworkCause {
    let mut next = Some(err);
    let mut text = String::new();
    while let Some(e) = next {
        if let Some(cause) = tls_cause(e) {
            return cause;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(cause) = io.get_ref().and_then(|inner| tls_cause(inner)) {
                return cause;
            }
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return NetworkCause::Refused,
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe => return NetworkCause::Reset,
                std::io::ErrorKind::TimedOut => return NetworkCause::ConnectTimeout,
                _ => {}
            }
        }
        text.push_str(&e.to_string().to_ascii_lowercase());
        text.push('\n');
        next = e.source();
    }
    if [
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "no such host",
        "nodename nor servname",
    ]
    .iter()
    .any(|m| text.contains(m))
    {
        NetworkCause::Dns
    } else if text.contains("proxy") {
        NetworkCause::Proxy
    } else if text.contains("connection refused") {
        NetworkCause::Refused
    } else if text.contains("connection reset") {
        NetworkCause::Reset
    } else if text.contains("timed out") || text.contains("connect timeout") {
        NetworkCause::ConnectTimeout
    } else {
        NetworkCause::Other
    }
}

fn tls_cause(e: &(dyn StdError + 'static)) -> Option<NetworkCause> {
    use rustls::CertificateError as C;
    let tls = e.downcast_ref::<rustls::Error>()?;
    Some(match tls {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer | C::BadSignature => NetworkCause::TlsUnknownCa,
            C::NotValidForName | C::NotValidForNameContext { .. } => NetworkCause::TlsNameMismatch,
            C::Expired
            | C::ExpiredContext { .. }
            | C::NotValidYet
            | C::NotValidYetContext { .. } => NetworkCause::TlsExpired,
            other => NetworkCause::Tls(format!("invalid certificate ({other:?})")),
        },
        other => NetworkCause::Tls(other.to_string()),
    })
}

/// The host of `url` (for messages), without user info, port or path.
pub(crate) fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or("").to_owned(),
        None => host.split(':').next().unwrap_or("").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrap(Box<dyn StdError + Send + Sync>, &'static str);
    impl fmt::Display for Wrap {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.1)
        }
    }
    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(self.0.as_ref())
        }
    }

    fn wrapped(inner: impl StdError + Send + Sync + 'static) -> Wrap {
        Wrap(
            Box::new(Wrap(Box::new(inner), "client error (Connect)")),
            "error sending request",
        )
    }

    #[test]
    fn causes_are_found_anywhere_in_the_chain() {
        use rustls::CertificateError as C;
        let tls = |c: C| std::io::Error::other(rustls::Error::InvalidCertificate(c));
        let cases: Vec<(Wrap, NetworkCause)> = vec![
            (
                wrapped(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
                NetworkCause::Refused,
            ),
            (
                wrapped(std::io::Error::from(std::io::ErrorKind::ConnectionReset)),
                NetworkCause::Reset,
            ),
            (wrapped(tls(C::UnknownIssuer)), NetworkCause::TlsUnknownCa),
            (
                wrapped(tls(C::NotValidForName)),
                NetworkCause::TlsNameMismatch,
            ),
            (wrapped(tls(C::Expired)), NetworkCause::TlsExpired),
            (
                wrapped(rustls::Error::InvalidCertificate(C::UnknownIssuer)),
                NetworkCause::TlsUnknownCa,
            ),
            (
                wrapped(std::io::Error::other(
                    "failed to lookup address information: Name or service not known",
                )),
                NetworkCause::Dns,
            ),
            (
                wrapped(std::io::Error::other("dns error: no record")),
                NetworkCause::Dns,
            ),
            (
                wrapped(std::io::Error::other("something odd")),
                NetworkCause::Other,
            ),
        ];
        for (err, want) in cases {
            assert_eq!(network_cause(&err), want, "{err:?}");
        }
        assert!(
            NetworkCause::TlsUnknownCa
                .to_string()
                .contains("unknown CA")
        );
    }

    #[test]
    fn hosts_are_cut_from_urls() {
        assert_eq!(
            host_of("https://dbs.cn-hangzhou.aliyuncs.com/?a=b"),
            "dbs.cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(host_of("http://127.0.0.1:8080/x"), "127.0.0.1");
        assert_eq!(host_of("https://u:p@h.example/x"), "h.example");
        assert_eq!(host_of("https://[::1]:443/"), "::1");
    }
}
