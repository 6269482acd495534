//! Credentials without long-term keys: the ECS instance's RAM role, from the instance metadata
//! service, as the official SDKs' `EcsRamRoleCredentialsProvider` gets them (IMDSv2 token
//! first).

use std::time::SystemTime;

use cloud_http::{BoxFuture, Error, FetchCredentials, MetadataClient, TemporaryCredentials};
use cloud_sign::Credentials;
use serde::Deserialize;

/// The ECS instance metadata service.
pub const ECS_METADATA_ENDPOINT: &str = "http://100.100.100.200";

/// The variable naming the instance's RAM role (the official SDKs' `ALIBABA_CLOUD_ECS_METADATA`).
pub const ECS_ROLE_VARIABLE: &str = "ALIBABA_CLOUD_ECS_METADATA";

/// How long the IMDSv2 token lives (seconds), as the official SDKs ask.
const TOKEN_TTL_SECONDS: &str = "21600";

/// The RAM role attached to this ECS instance: temporary credentials from the metadata service
/// (`/latest/meta-data/ram/security-credentials/<role>`), with an IMDSv2 session token
/// (`PUT /latest/api/token`). Wrap it in [`cloud_http::RefreshingCredentials`] so it is asked
/// again before the credentials expire.
///
/// ```
/// use dbs_aliyun::EcsRamRole;
/// let role = EcsRamRole::new(Some("backup-reader".into())).unwrap();
/// // For tests, or a metadata proxy: another endpoint.
/// let role = role.endpoint("http://127.0.0.1:8080");
/// # let _ = role;
/// ```
#[derive(Debug, Clone)]
pub struct EcsRamRole {
    role: Option<String>,
    endpoint: String,
    http: MetadataClient,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleCredentials {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    access_key_id: Option<String>,
    #[serde(default)]
    access_key_secret: Option<String>,
    #[serde(default)]
    security_token: Option<String>,
    #[serde(default)]
    expiration: Option<String>,
}

impl EcsRamRole {
    /// The instance's role `role`, or (with `None`) the one the metadata service names.
    pub fn new(role: Option<String>) -> Result<Self, Error> {
        Ok(EcsRamRole {
            role: role.filter(|r| !r.trim().is_empty()),
            endpoint: ECS_METADATA_ENDPOINT.to_owned(),
            http: MetadataClient::new()?,
        })
    }

    /// Asks this metadata endpoint instead of `http://100.100.100.200` (tests, proxies).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let base = &self.endpoint;
        let token = self
            .http
            .text(
                "ECS metadata token (IMDSv2)",
                "PUT",
                &format!("{base}/latest/api/token"),
                &[("X-aliyun-ecs-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS)],
            )
            .await?;
        let token = token.trim().to_owned();
        let auth = [("X-aliyun-ecs-metadata-token", token.as_str())];
        let list = format!("{base}/latest/meta-data/ram/security-credentials/");
        let role = match &self.role {
            Some(r) => r.clone(),
            None => {
                let names = self
                    .http
                    .text("ECS RAM role name", "GET", &list, &auth)
                    .await?;
                names
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .ok_or_else(|| {
                        Error::Credentials(
                            "ECS RAM role: this instance has no RAM role attached".into(),
                        )
                    })?
                    .to_owned()
            }
        };
        if role.contains('/') || role.contains("..") {
            return Err(Error::Credentials(format!(
                "ECS RAM role: {role:?} is not a role name"
            )));
        }
        let what = format!("ECS RAM role {role}");
        let body = self
            .http
            .text(&what, "GET", &format!("{list}{role}"), &auth)
            .await?;
        let parsed: RoleCredentials = serde_json::from_str(&body).map_err(|e| {
            Error::Credentials(format!(
                "{what}: the metadata service's answer is not the credentials JSON: {e}"
            ))
        })?;
        if let Some(code) = parsed.code.as_deref().filter(|c| *c != "Success") {
            return Err(Error::Credentials(format!(
                "{what}: the metadata service answered Code {}",
                cloud_http::excerpt(code.as_bytes(), 60)
            )));
        }
        let field = |v: Option<String>, name: &str| {
            v.filter(|s| !s.is_empty())
                .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no {name}")))
        };
        let id = field(parsed.access_key_id, "AccessKeyId")?;
        let secret = field(parsed.access_key_secret, "AccessKeySecret")?;
        let session = field(parsed.security_token, "SecurityToken")?;
        let expiration = field(parsed.expiration, "Expiration")?;
        let expires_at = time::OffsetDateTime::parse(
            &expiration,
            &time::format_description::well_known::Rfc3339,
        )
        .map(SystemTime::from)
        .map_err(|_| {
            Error::Credentials(format!(
                "{what}: Expiration {} is not an RFC 3339 time",
                cloud_http::excerpt(expiration.as_bytes(), 40)
            ))
        })?;
        tracing::info!(role = %role, "credentials of the ECS instance's RAM role obtained");
        Ok(TemporaryCredentials {
            credentials: Credentials::new(id, secret).with_session_token(session),
            expires_at,
        })
    }
}

impl FetchCredentials for EcsRamRole {
    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}
