//! Credentials without long-term keys: the ECS instance's RAM role, from the instance metadata
//! service, as the official SDKs' `EcsRamRoleCredentialsProvider` gets them (IMDSv2 token
//! first).

use cloud_http::{Answer, BoxFuture, Error, FetchCredentials, InstanceRole, TemporaryCredentials};
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
pub struct EcsRamRole(InstanceRole);

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct RoleCredentials {
    code: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    expiration: Option<String>,
}

/// Where the metadata service lists the instance's roles.
const ROLES: &str = "/latest/meta-data/ram/security-credentials/";

impl EcsRamRole {
    /// The instance's role `role`, or (with `None`) the one the metadata service names.
    pub fn new(role: Option<String>) -> Result<Self, Error> {
        InstanceRole::new(ECS_METADATA_ENDPOINT, role).map(EcsRamRole)
    }

    /// Asks this metadata endpoint instead of `http://100.100.100.200` (tests, proxies).
    pub fn endpoint(self, endpoint: impl Into<String>) -> Self {
        EcsRamRole(self.0.with_base(endpoint))
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let token = self
            .0
            .metadata
            .text(
                "ECS metadata token (IMDSv2)",
                "PUT",
                "/latest/api/token",
                &[("X-aliyun-ecs-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS)],
            )
            .await?;
        let auth = [("X-aliyun-ecs-metadata-token", token.trim())];
        let (what, body) = self
            .0
            .credentials_body("ECS RAM role", ROLES, &auth)
            .await?;
        let answer = Answer(&what);
        let parsed: RoleCredentials = answer.json(&body, "credentials")?;
        answer.success(parsed.code.as_deref())?;
        let expires_at = answer.rfc3339(parsed.expiration, "Expiration")?;
        let credentials = answer.temporary(
            parsed.access_key_id,
            parsed.access_key_secret,
            parsed.security_token,
            ["AccessKeyId", "AccessKeySecret", "SecurityToken"],
            expires_at,
        )?;
        tracing::info!(role = %what, "credentials of the ECS instance's RAM role obtained");
        Ok(credentials)
    }
}

impl FetchCredentials for EcsRamRole {
    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}
