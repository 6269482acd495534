//! Credentials that expire: fetched from a metadata or token service, cached, and fetched again
//! before they expire. Vendor crates implement [`FetchCredentials`] for their services (instance
//! roles, STS); their clients take a [`CredentialSource`] and ask it for credentials before
//! every call.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cloud_sign::Credentials;

use crate::error::Error;
use crate::runtime::{BoxFuture, Clock, SystemClock};

/// Credentials and the time they stop working.
#[derive(Debug, Clone)]
pub struct TemporaryCredentials {
    /// Key id, secret and session token.
    pub credentials: Credentials,
    /// When the service said they expire.
    pub expires_at: SystemTime,
}

/// Fetches temporary credentials (one round with the metadata or token service).
pub trait FetchCredentials: fmt::Debug + Send + Sync {
    /// Fresh credentials, or [`Error::Credentials`] saying which service failed and why.
    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>>;

    /// Where the credentials come from, for people (`ECS RAM role ops (metadata service)`);
    /// no secret.
    fn describe(&self) -> String;
}

/// How long before their expiry credentials are fetched again. The official SDKs refresh
/// between 3 and 15 minutes ahead; clocks and long requests need the margin.
pub const REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);

/// A [`FetchCredentials`] with a cache: [`RefreshingCredentials::get`] returns the cached
/// credentials until [`REFRESH_BEFORE`] their expiry, then fetches new ones (one fetch at a
/// time, whatever the number of callers). If a refresh fails while the cached ones still work,
/// those are used (and the failure logged); once they expired, the failure is returned.
pub struct RefreshingCredentials {
    fetcher: Box<dyn FetchCredentials>,
    cache: tokio::sync::Mutex<Option<TemporaryCredentials>>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for RefreshingCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingCredentials")
            .field("fetcher", &self.fetcher)
            .finish_non_exhaustive()
    }
}

impl RefreshingCredentials {
    /// Credentials from `fetcher`, on the system clock.
    pub fn new(fetcher: impl FetchCredentials + 'static) -> Self {
        Self::with_clock(fetcher, Arc::new(SystemClock))
    }

    /// The same on `clock` (tests).
    pub fn with_clock(fetcher: impl FetchCredentials + 'static, clock: Arc<dyn Clock>) -> Self {
        RefreshingCredentials {
            fetcher: Box::new(fetcher),
            cache: tokio::sync::Mutex::new(None),
            clock,
        }
    }

    /// Where the credentials come from ([`FetchCredentials::describe`]).
    pub fn describe(&self) -> String {
        self.fetcher.describe()
    }

    /// Credentials valid for at least [`REFRESH_BEFORE`] more, fetched when needed.
    pub async fn get(&self) -> Result<Credentials, Error> {
        let mut cache = self.cache.lock().await;
        let now = self.clock.now();
        if let Some(c) = cache.as_ref()
            && c.expires_at > now + REFRESH_BEFORE
        {
            return Ok(c.credentials.clone());
        }
        match self.fetcher.fetch().await {
            Ok(fresh) => {
                tracing::debug!(
                    expires_in_s = fresh
                        .expires_at
                        .duration_since(now)
                        .map(|d| d.as_secs())
                        .unwrap_or(0),
                    "temporary credentials fetched"
                );
                let credentials = fresh.credentials.clone();
                *cache = Some(fresh);
                Ok(credentials)
            }
            Err(e) => match cache.as_ref() {
                Some(c) if c.expires_at > now => {
                    tracing::warn!(error = %e, "could not refresh credentials; using the current ones until they expire");
                    Ok(c.credentials.clone())
                }
                _ => Err(e),
            },
        }
    }
}

/// Where a client takes its credentials from, before each call.
#[derive(Debug, Clone)]
pub enum CredentialSource {
    /// These, always (keys from the environment or a profile file).
    Fixed(Credentials),
    /// Fetched and refreshed before they expire.
    Refreshing(Arc<RefreshingCredentials>),
}

impl CredentialSource {
    /// The credentials to sign the next call with.
    pub async fn get(&self) -> Result<Credentials, Error> {
        match self {
            CredentialSource::Fixed(c) => Ok(c.clone()),
            CredentialSource::Refreshing(r) => r.get().await,
        }
    }
}

impl From<Credentials> for CredentialSource {
    fn from(c: Credentials) -> Self {
        CredentialSource::Fixed(c)
    }
}

/// An HTTP client for instance metadata services: link-local plain http, so no proxy, short
/// timeouts (a machine without the service must fail in seconds), no redirects.
#[derive(Debug, Clone)]
pub struct MetadataClient {
    inner: reqwest::Client,
}

impl MetadataClient {
    /// Connect within 1 s, answer within 5 s.
    pub fn new() -> Result<Self, Error> {
        Self::build(false, Duration::from_secs(1), Duration::from_secs(5))
    }

    /// For a token service on the internet (STS): through the environment's proxy, connect
    /// within 5 s, answer within 30 s.
    pub fn for_token_service() -> Result<Self, Error> {
        Self::build(true, Duration::from_secs(5), Duration::from_secs(30))
    }

    fn build(proxy: bool, connect: Duration, total: Duration) -> Result<Self, Error> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder();
        if !proxy {
            builder = builder.no_proxy();
        }
        let inner = builder
            .connect_timeout(connect)
            .timeout(total)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cloud-backup/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::invalid("metadata client", e.without_url().to_string()))?;
        Ok(MetadataClient { inner })
    }

    /// `POST url` with `form` as `application/x-www-form-urlencoded`: the body of a 2xx
    /// answer, else [`Error::Credentials`] as [`MetadataClient::text`]. The form's `secret`
    /// (an OIDC token) is cut from the error, should the service echo it.
    pub async fn post_form(
        &self,
        what: &str,
        url: &str,
        form: &[(&str, &str)],
        secret: &str,
    ) -> Result<String, Error> {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    cloud_sign::percent_encode(k),
                    cloud_sign::percent_encode(v)
                )
            })
            .collect();
        self.send(
            what,
            self.inner
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.join("&")),
            url,
            secret,
        )
        .await
    }

    /// `method url` with `headers`: the body of a 2xx answer (at most 64 KiB), else
    /// [`Error::Credentials`] naming `what` and the status or network cause.
    pub async fn text(
        &self,
        what: &str,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<String, Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::invalid("method", format!("{method:?} is not an HTTP method")))?;
        let mut request = self.inner.request(method, url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(what, request, url, "").await
    }

    /// `POST url` with `headers` and the JSON `body`: the body of a 2xx answer, else
    /// [`Error::Credentials`]. The body's `secret` (a web identity token) is cut from the
    /// error, should the service echo it.
    pub async fn post_json(
        &self,
        what: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &serde_json::Value,
        secret: &str,
    ) -> Result<String, Error> {
        let mut request = self
            .inner
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(what, request, url, secret).await
    }

    async fn send(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
        url: &str,
        secret: &str,
    ) -> Result<String, Error> {
        let fail = |why: String| Error::Credentials(format!("{what}: {why}"));
        let response = request.send().await.map_err(|e| {
            let cause = crate::network::network_cause(&e);
            fail(format!(
                "{} is not reachable ({cause})",
                crate::network::host_of(url)
            ))
        })?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| fail(format!("the answer broke off: {}", e.without_url())))?;
        let body = &body[..body.len().min(64 << 10)];
        let text = String::from_utf8_lossy(body).into_owned();
        if !(200..300).contains(&status) {
            // Scrubbed before cutting, so no part of the secret is left at the cut.
            let shown = if secret.is_empty() {
                text
            } else {
                text.replace(secret, crate::REDACTED)
            };
            return Err(fail(format!(
                "HTTP {status} from {}: {}",
                crate::network::host_of(url),
                crate::excerpt(shown.as_bytes(), 120)
            )));
        }
        Ok(text)
    }
}

/// An instance metadata service: where it is (overridable for tests and proxies) and the client
/// that asks it.
#[derive(Debug, Clone)]
pub struct Metadata {
    base: String,
    http: MetadataClient,
}

impl Metadata {
    /// The service at `base` (`http://100.100.100.200`, ...).
    pub fn new(base: &str) -> Result<Self, Error> {
        Ok(Metadata {
            base: base.trim_end_matches('/').to_owned(),
            http: MetadataClient::new()?,
        })
    }

    /// The same service at another address.
    pub fn with_base(mut self, base: impl Into<String>) -> Self {
        self.base = base.into().trim_end_matches('/').to_owned();
        self
    }

    /// `method base+path` (see [`MetadataClient::text`]).
    pub async fn text(
        &self,
        what: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<String, Error> {
        let url = format!("{}{path}", self.base);
        self.http.text(what, method, &url, headers).await
    }

    /// `role`, or the first role the listing at `path` names (one per line); a name that
    /// could leave the path (`/`, `..`) is refused.
    pub async fn role(
        &self,
        kind: &str,
        role: Option<&str>,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<String, Error> {
        let role = match role {
            Some(r) => r.to_owned(),
            None => self
                .text(&format!("{kind} name"), "GET", path, headers)
                .await?
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .ok_or_else(|| {
                    Error::Credentials(format!("{kind}: this instance has none attached"))
                })?
                .to_owned(),
        };
        if role.contains('/') || role.contains("..") || role.trim().is_empty() {
            return Err(Error::Credentials(format!(
                "{kind}: {role:?} is not a role name"
            )));
        }
        Ok(role)
    }
}

/// A role of this instance at a metadata service: the one named, or the first one the service
/// lists. The vendors' instance-role fetchers are this plus the shape of their answer.
#[derive(Debug, Clone)]
pub struct InstanceRole {
    /// The role's name, when the caller gave one.
    pub role: Option<String>,
    /// The metadata service.
    pub metadata: Metadata,
}

impl InstanceRole {
    /// `role` (or the one listed) at the service at `base`.
    pub fn new(base: &str, role: Option<String>) -> Result<Self, Error> {
        Ok(InstanceRole {
            role: role.filter(|r| !r.trim().is_empty()),
            metadata: Metadata::new(base)?,
        })
    }

    /// The same at another address (tests, proxies).
    pub fn with_base(mut self, base: impl Into<String>) -> Self {
        self.metadata = self.metadata.with_base(base);
        self
    }

    /// `kind` and the role, for people: `ECS RAM role ops (metadata service)`.
    pub fn describe(&self, kind: &str) -> String {
        match &self.role {
            Some(r) => format!("{kind} {r} (metadata service)"),
            None => format!("{kind} the instance lists (metadata service)"),
        }
    }

    /// The role's name (see [`Metadata::role`]) and the body of `roles` + name: its credentials.
    pub async fn credentials_body(
        &self,
        kind: &str,
        roles: &str,
        headers: &[(&str, &str)],
    ) -> Result<(String, String), Error> {
        let role = self
            .metadata
            .role(kind, self.role.as_deref(), roles, headers)
            .await?;
        let what = format!("{kind} {role}");
        let body = self
            .metadata
            .text(&what, "GET", &format!("{roles}{role}"), headers)
            .await?;
        Ok((what, body))
    }
}

/// Checks on a metadata or token service's answer, each error naming `what` was asked.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a>(pub &'a str);

impl Answer<'_> {
    /// `body` parsed as the JSON `shape`.
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        body: &str,
        shape: &str,
    ) -> Result<T, Error> {
        serde_json::from_str(body).map_err(|e| {
            Error::Credentials(format!(
                "{}: the answer is not the {shape} JSON: {e}",
                self.0
            ))
        })
    }

    /// An error unless the answer's `Code` is absent or `Success`.
    pub fn success(&self, code: Option<&str>) -> Result<(), Error> {
        match code.filter(|c| *c != "Success") {
            Some(code) => Err(Error::Credentials(format!(
                "{}: the service answered Code {}",
                self.0,
                crate::excerpt(code.as_bytes(), 60)
            ))),
            None => Ok(()),
        }
    }

    /// The field `name`, which must be there and not empty.
    pub fn required(&self, value: Option<String>, name: &str) -> Result<String, Error> {
        value
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Credentials(format!("{}: the answer has no {name}", self.0)))
    }

    /// The RFC 3339 time of the required field `name`.
    pub fn rfc3339(&self, value: Option<String>, name: &str) -> Result<SystemTime, Error> {
        let value = self.required(value, name)?;
        let value = value.as_str();
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
            .map(SystemTime::from)
            .map_err(|_| {
                Error::Credentials(format!(
                    "{}: {name} {} is not an RFC 3339 time",
                    self.0,
                    crate::excerpt(value.as_bytes(), 40)
                ))
            })
    }

    /// Temporary credentials from the answer's required fields.
    pub fn temporary(
        &self,
        id: Option<String>,
        secret: Option<String>,
        token: Option<String>,
        names: [&str; 3],
        expires_at: SystemTime,
    ) -> Result<TemporaryCredentials, Error> {
        let id = self.required(id, names[0])?;
        let secret = self.required(secret, names[1])?;
        let token = self.required(token, names[2])?;
        Ok(TemporaryCredentials {
            credentials: Credentials::new(id, secret).with_session_token(token),
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::testing::ManualClock;

    #[derive(Debug)]
    struct Counting {
        clock: ManualClock,
        calls: AtomicU32,
        fail_from: u32,
    }

    impl FetchCredentials for Counting {
        fn describe(&self) -> String {
            "counting".into()
        }
        fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                if n >= self.fail_from {
                    return Err(Error::Credentials("metadata: down".into()));
                }
                Ok(TemporaryCredentials {
                    credentials: Credentials::new(format!("STS.id{n}"), "CANARY-secret")
                        .with_session_token("CANARY-token"),
                    expires_at: self.clock.now() + Duration::from_secs(3600),
                })
            })
        }
    }

    fn source(fail_from: u32) -> (ManualClock, Arc<Counting>, RefreshingCredentials) {
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600));
        let fetcher = Arc::new(Counting {
            clock: clock.clone(),
            calls: AtomicU32::new(0),
            fail_from,
        });
        #[derive(Debug)]
        struct Shared(Arc<Counting>);
        impl FetchCredentials for Shared {
            fn describe(&self) -> String {
                self.0.describe()
            }
            fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
                self.0.fetch()
            }
        }
        let r = RefreshingCredentials::with_clock(Shared(fetcher.clone()), Arc::new(clock.clone()));
        (clock, fetcher, r)
    }

    #[tokio::test]
    async fn credentials_are_cached_and_refreshed_before_they_expire() {
        let (clock, fetcher, r) = source(u32::MAX);
        assert_eq!(r.get().await.unwrap().access_key_id(), "STS.id1");
        clock.advance(Duration::from_secs(3000));
        assert_eq!(r.get().await.unwrap().access_key_id(), "STS.id1", "cached");
        assert_eq!(fetcher.calls.load(Ordering::SeqCst), 1);
        // 5 minutes before the expiry: fetched again.
        clock.advance(Duration::from_secs(301));
        assert_eq!(r.get().await.unwrap().access_key_id(), "STS.id2");
        assert_eq!(fetcher.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_working_credentials_until_they_expire() {
        let (clock, _, r) = source(2);
        assert_eq!(r.get().await.unwrap().access_key_id(), "STS.id1");
        clock.advance(Duration::from_secs(3400));
        assert_eq!(
            r.get().await.unwrap().access_key_id(),
            "STS.id1",
            "still valid"
        );
        clock.advance(Duration::from_secs(300));
        let err = r.get().await.unwrap_err();
        assert!(err.to_string().contains("metadata: down"), "{err}");
    }

    #[tokio::test]
    async fn secrets_never_show_in_debug() {
        let (_, _, r) = source(u32::MAX);
        let c = r.get().await.unwrap();
        let shown = format!("{r:?} {:?}", CredentialSource::Fixed(c));
        assert!(!shown.contains("CANARY"), "{shown}");
    }
}
