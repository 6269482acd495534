//! Credentials without long-term keys: the ECS instance's agency, from the instance metadata
//! service, as the official SDKs' `MetadataAccessor` gets them (a metadata token first).

use std::time::SystemTime;

use cloud_http::{BoxFuture, Error, FetchCredentials, MetadataClient, TemporaryCredentials};
use cloud_sign::Credentials;
use serde::Deserialize;

/// The ECS instance metadata service.
pub const ECS_METADATA_ENDPOINT: &str = "http://169.254.169.254";

/// How long the metadata token lives (seconds), as the official SDKs ask (6 hours).
const TOKEN_TTL_SECONDS: &str = "21600";

/// The agency (cloud service delegation) attached to this ECS instance: temporary AK/SK and
/// security token from `GET /openstack/latest/securitykey`, after a metadata token
/// (`PUT /meta-data/latest/api/token`). Wrap it in [`cloud_http::RefreshingCredentials`] and
/// give it to the client as [`Auth::Refreshing`](crate::Auth::Refreshing).
///
/// ```
/// use std::sync::Arc;
/// use rds_huawei::{Auth, Client, EcsAgency, RefreshingCredentials};
/// let agency = EcsAgency::new().unwrap();
/// let client = Client::builder()
///     .region("cn-north-4")
///     .project_id("0123456789abcdef0123456789abcdef")
///     .auth(Auth::Refreshing(Arc::new(RefreshingCredentials::new(agency))))
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
#[derive(Debug, Clone)]
pub struct EcsAgency {
    endpoint: String,
    http: MetadataClient,
}

#[derive(Deserialize)]
struct SecurityKey {
    credential: Option<Key>,
}

#[derive(Deserialize)]
struct Key {
    #[serde(default)]
    access: Option<String>,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    securitytoken: Option<String>,
    #[serde(default)]
    expires_at: Option<String>,
}

impl EcsAgency {
    /// The instance's agency, from `http://169.254.169.254`.
    pub fn new() -> Result<Self, Error> {
        Ok(EcsAgency {
            endpoint: ECS_METADATA_ENDPOINT.to_owned(),
            http: MetadataClient::new()?,
        })
    }

    /// Asks this metadata endpoint instead (tests, proxies).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let base = &self.endpoint;
        let token = self
            .http
            .text(
                "ECS metadata token",
                "PUT",
                &format!("{base}/meta-data/latest/api/token"),
                &[("X-Metadata-Token-Ttl-Seconds", TOKEN_TTL_SECONDS)],
            )
            .await?;
        let what = "ECS agency credentials";
        let body = self
            .http
            .text(
                what,
                "GET",
                &format!("{base}/openstack/latest/securitykey"),
                &[("X-Metadata-Token", token.trim())],
            )
            .await
            .map_err(|e| {
                Error::Credentials(format!(
                    "{e} (is an agency configured for this ECS instance, under Management \
                     Information?)"
                ))
            })?;
        let parsed: SecurityKey = serde_json::from_str(&body).map_err(|e| {
            Error::Credentials(format!(
                "{what}: the metadata service's answer is not the securitykey JSON: {e}"
            ))
        })?;
        let key = parsed
            .credential
            .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no credential")))?;
        let field = |v: Option<String>, name: &str| {
            v.filter(|s| !s.is_empty())
                .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no {name}")))
        };
        let access = field(key.access, "access")?;
        let secret = field(key.secret, "secret")?;
        let token = field(key.securitytoken, "securitytoken")?;
        let expires = field(key.expires_at, "expires_at")?;
        let expires_at =
            time::OffsetDateTime::parse(&expires, &time::format_description::well_known::Rfc3339)
                .map(SystemTime::from)
                .map_err(|_| {
                    Error::Credentials(format!(
                        "{what}: expires_at {} is not an RFC 3339 time",
                        cloud_http::excerpt(expires.as_bytes(), 40)
                    ))
                })?;
        tracing::info!("credentials of the ECS instance's agency obtained");
        Ok(TemporaryCredentials {
            credentials: Credentials::new(access, secret).with_session_token(token),
            expires_at,
        })
    }
}

impl FetchCredentials for EcsAgency {
    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}
