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
    fn describe(&self) -> String {
        self.0.describe("ECS RAM role")
    }

    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}

/// The variables of an OIDC role (ACK's RRSA), as the official SDKs read them.
pub const OIDC_VARIABLES: [&str; 3] = [
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
];

/// A RAM role assumed with an OIDC token (ACK's RRSA: the pod's service account token), through
/// STS `AssumeRoleWithOIDC` (2015-04-01), as the official SDKs' `OIDCCredentialsProvider`: an
/// unsigned `POST` with the role, the provider and the token read from its file at every
/// refresh (the platform rotates it).
#[derive(Debug, Clone)]
pub struct OidcRole {
    role_arn: String,
    provider_arn: String,
    token_file: std::path::PathBuf,
    session_name: String,
    sts: String,
    http: cloud_http::MetadataClient,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct AssumedRole {
    credentials: Option<RoleCredentials>,
}

impl OidcRole {
    /// The role `role_arn`, the OIDC provider `provider_arn`, the token in `token_file`.
    pub fn new(
        role_arn: impl Into<String>,
        provider_arn: impl Into<String>,
        token_file: impl Into<std::path::PathBuf>,
    ) -> Result<Self, Error> {
        Ok(OidcRole {
            role_arn: role_arn.into(),
            provider_arn: provider_arn.into(),
            token_file: token_file.into(),
            session_name: "cloud-backup".into(),
            sts: "https://sts.aliyuncs.com".into(),
            http: cloud_http::MetadataClient::for_token_service()?,
        })
    }

    /// From the official variables ([`OIDC_VARIABLES`], `ALIBABA_CLOUD_ROLE_SESSION_NAME`,
    /// `ALIBABA_CLOUD_STS_REGION`, `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`): `None` when neither
    /// the provider nor the token file is set, an error naming what is missing when only some
    /// of the three are.
    pub fn from_env(ctx: &cloud_sign::ProviderContext) -> Result<Option<Self>, Error> {
        let var = |n: &str| ctx.var(n).filter(|v| !v.trim().is_empty());
        let [role, provider, file] = OIDC_VARIABLES.map(var);
        if provider.is_none() && file.is_none() {
            return Ok(None);
        }
        let missing: Vec<&str> = OIDC_VARIABLES
            .iter()
            .zip([&role, &provider, &file])
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        let (Some(role), Some(provider), Some(file)) = (role, provider, file) else {
            return Err(Error::Credentials(format!(
                "an OIDC role needs {} too",
                missing.join(" and ")
            )));
        };
        let mut oidc = OidcRole::new(role, provider, file)?;
        if let Some(name) = var("ALIBABA_CLOUD_ROLE_SESSION_NAME") {
            oidc.session_name = name;
        }
        let prefix = if var("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            "sts-vpc"
        } else {
            "sts"
        };
        oidc.sts = match var("ALIBABA_CLOUD_STS_REGION") {
            Some(region) => format!("https://{prefix}.{region}.aliyuncs.com"),
            None if prefix == "sts" => "https://sts.aliyuncs.com".into(),
            None => "https://sts-vpc.aliyuncs.com".into(),
        };
        Ok(Some(oidc))
    }

    /// Sends to this STS endpoint instead (a URL: tests, proxies, private endpoints).
    pub fn sts_endpoint(mut self, url: impl Into<String>) -> Self {
        self.sts = url.into().trim_end_matches('/').to_owned();
        self
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let what = format!("OIDC role {}", self.role_arn);
        let token = read_token(&self.token_file).map_err(|e| {
            Error::Credentials(format!(
                "{what}: the OIDC token file {} cannot be read: {e}",
                self.token_file.display()
            ))
        })?;
        let now = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
        let stamp = now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let url = format!(
            "{}/?Version=2015-04-01&Action=AssumeRoleWithOIDC&Format=JSON&Timestamp={}",
            self.sts,
            cloud_sign::percent_encode(&stamp)
        );
        let body = self
            .http
            .post_form(
                &what,
                &url,
                &[
                    ("RoleArn", &self.role_arn),
                    ("OIDCProviderArn", &self.provider_arn),
                    ("OIDCToken", token.trim()),
                    ("RoleSessionName", &self.session_name),
                    ("DurationSeconds", "3600"),
                ],
                token.trim(),
            )
            .await?;
        let answer = Answer(&what);
        let parsed: AssumedRole = answer.json(&body, "AssumeRoleWithOIDC")?;
        let c = parsed
            .credentials
            .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no Credentials")))?;
        let expires_at = answer.rfc3339(c.expiration, "Expiration")?;
        answer.temporary(
            c.access_key_id,
            c.access_key_secret,
            c.security_token,
            ["AccessKeyId", "AccessKeySecret", "SecurityToken"],
            expires_at,
        )
    }
}

/// The token file, at most 64 KiB.
fn read_token(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(64 << 10)
        .read_to_string(&mut text)?;
    Ok(text)
}

impl FetchCredentials for OidcRole {
    fn describe(&self) -> String {
        format!(
            "OIDC role {} (STS AssumeRoleWithOIDC, token file {})",
            self.role_arn,
            self.token_file.display()
        )
    }

    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}
