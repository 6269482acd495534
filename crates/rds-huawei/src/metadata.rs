//! Credentials without long-term keys: the ECS instance's agency, from the instance metadata
//! service, as the official SDKs' `MetadataAccessor` gets them (a metadata token first).

use cloud_http::{Answer, BoxFuture, Error, FetchCredentials, Metadata, TemporaryCredentials};
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
    metadata: Metadata,
}

#[derive(Deserialize)]
struct SecurityKey {
    credential: Option<Key>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Key {
    access: Option<String>,
    secret: Option<String>,
    securitytoken: Option<String>,
    expires_at: Option<String>,
}

impl EcsAgency {
    /// The instance's agency, from `http://169.254.169.254`.
    pub fn new() -> Result<Self, Error> {
        Ok(EcsAgency {
            metadata: Metadata::new(ECS_METADATA_ENDPOINT)?,
        })
    }

    /// Asks this metadata endpoint instead (tests, proxies).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.metadata = self.metadata.with_base(endpoint);
        self
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let token = self
            .metadata
            .text(
                "ECS metadata token",
                "PUT",
                "/meta-data/latest/api/token",
                &[("X-Metadata-Token-Ttl-Seconds", TOKEN_TTL_SECONDS)],
            )
            .await?;
        let what = "ECS agency credentials";
        let body = self
            .metadata
            .text(
                what,
                "GET",
                "/openstack/latest/securitykey",
                &[("X-Metadata-Token", token.trim())],
            )
            .await
            .map_err(|e| {
                Error::Credentials(format!(
                    "{e} (is an agency configured for this ECS instance, under Management \
                     Information?)"
                ))
            })?;
        let answer = Answer(what);
        let parsed: SecurityKey = answer.json(&body, "securitykey")?;
        let key = parsed
            .credential
            .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no credential")))?;
        let expires_at = answer.rfc3339(key.expires_at, "expires_at")?;
        let credentials = answer.temporary(
            key.access,
            key.secret,
            key.securitytoken,
            ["access", "secret", "securitytoken"],
            expires_at,
        )?;
        tracing::info!("credentials of the ECS instance's agency obtained");
        Ok(credentials)
    }
}

impl FetchCredentials for EcsAgency {
    fn describe(&self) -> String {
        "ECS agency (metadata service)".into()
    }

    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}
