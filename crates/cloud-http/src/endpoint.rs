//! Where requests go: scheme, host, port and an optional path prefix.

use std::fmt;

use crate::Error;

/// An API endpoint. Built from a host (`https`), or parsed from a URL to override the vendor's
/// default (private / VPC endpoints, proxies, the `fake-cloud` emulator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    https: bool,
    host: String,
    port: Option<u16>,
    path_prefix: String,
}

impl Endpoint {
    /// `https://<host>`.
    pub fn https(host: impl Into<String>) -> Self {
        Endpoint {
            https: true,
            host: host.into(),
            port: None,
            path_prefix: String::new(),
        }
    }

    /// Parses `scheme://host[:port][/prefix]`. Only `http` and `https` are accepted; a query or
    /// fragment is refused. Whether plain `http` may be used is decided when sending.
    ///
    /// ```
    /// let e = cloud_http::Endpoint::parse("http://127.0.0.1:8080/dbs").unwrap();
    /// assert_eq!(e.host_header(), "127.0.0.1:8080");
    /// assert_eq!(e.url("/", "a=1"), "http://127.0.0.1:8080/dbs/?a=1");
    /// ```
    pub fn parse(url: &str) -> Result<Self, Error> {
        let bad = |rule: &str| Error::invalid("endpoint", format!("{rule} (got {url:?})"));
        let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad("must start with https:// or http://"));
        };
        if rest.contains(['?', '#', '@']) {
            return Err(bad("must not contain a query, fragment or user info"));
        }
        let (authority, prefix) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
                let port: u16 = p
                    .parse()
                    .map_err(|_| bad("port must be a number 1-65535"))?;
                (h, Some(port))
            }
            _ => (authority, None),
        };
        if host.is_empty() {
            return Err(bad("must name a host"));
        }
        let default_port = if https { 443 } else { 80 };
        Ok(Endpoint {
            https,
            host: host.to_owned(),
            port: port.filter(|p| *p != default_port),
            path_prefix: prefix.to_owned(),
        })
    }

    /// Whether this endpoint uses TLS.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The host name (without port).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The `Host` header value: host, plus `:port` when the port is not the scheme's default.
    /// This is the host that gets signed.
    pub fn host_header(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }

    /// The path prefix (empty, or starting with `/` and without trailing `/`).
    pub fn path_prefix(&self) -> &str {
        &self.path_prefix
    }

    /// The full path sent for an API path (prefix + path).
    pub fn full_path(&self, path: &str) -> String {
        format!("{}{path}", self.path_prefix)
    }

    /// The full URL for an API path and an already canonical query string.
    pub fn url(&self, path: &str, canonical_query: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let path = cloud_sign::encode_path(&self.full_path(path));
        if canonical_query.is_empty() {
            format!("{scheme}://{}{path}", self.host_header())
        } else {
            format!("{scheme}://{}{path}?{canonical_query}", self.host_header())
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        write!(f, "{scheme}://{}{}", self.host_header(), self.path_prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let e = Endpoint::parse("https://dbs-api.cn-hangzhou.aliyuncs.com:443/").unwrap();
        assert_eq!(e, Endpoint::https("dbs-api.cn-hangzhou.aliyuncs.com"));
        assert_eq!(e.to_string(), "https://dbs-api.cn-hangzhou.aliyuncs.com");
        let e = Endpoint::parse("http://localhost:9000/p/q/").unwrap();
        assert!(!e.is_https());
        assert_eq!(e.host_header(), "localhost:9000");
        assert_eq!(e.full_path("/v3/x"), "/p/q/v3/x");
        assert_eq!(e.url("/v3/a b", ""), "http://localhost:9000/p/q/v3/a%20b");
    }

    #[test]
    fn refuses_bad_urls_naming_the_field() {
        for bad in [
            "ftp://x",
            "x.com",
            "https://",
            "https://h:99999",
            "https://h/?a=b",
            "https://u@h",
        ] {
            let err = Endpoint::parse(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid input: endpoint:"), "{bad}: {err}");
        }
    }
}
