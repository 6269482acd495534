//! Credentials without long-term keys: the ECS instance's RAM role, from the instance metadata
//! service, as the official SDKs' `EcsRamRoleCredentialsProvider` gets them (IMDSv2 token
//! first).

use cloud_http::{
    Answer, ApiRequest, BoxFuture, Endpoint, Error, FetchCredentials, HttpClient, Idempotency,
    InstanceRole, Operation, TemporaryCredentials,
};
use cloud_sign::Credentials;
use serde::Deserialize;

use crate::protocol::Acs3;

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

impl RoleCredentials {
    /// The temporary credentials of every Aliyun answer (`AccessKeyId`, `AccessKeySecret`,
    /// `SecurityToken`, `Expiration` in RFC 3339), each required.
    fn temporary(self, answer: &Answer<'_>) -> Result<TemporaryCredentials, Error> {
        let expires_at = answer.rfc3339(self.expiration, "Expiration")?;
        answer.temporary(
            self.access_key_id,
            self.access_key_secret,
            self.security_token,
            ["AccessKeyId", "AccessKeySecret", "SecurityToken"],
            expires_at,
        )
    }
}

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
        let credentials = parsed.temporary(&answer)?;
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
        oidc.sts = format!("https://{}", sts_host(ctx, None, false));
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
        assumed(&what, &body, "AssumeRoleWithOIDC")
    }
}

/// The role's temporary credentials in an STS answer (`AssumeRole`, `AssumeRoleWithOIDC`).
fn assumed(what: &str, body: &str, action: &str) -> Result<TemporaryCredentials, Error> {
    let answer = Answer(what);
    let parsed: AssumedRole = answer.json(body, action)?;
    parsed
        .credentials
        .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no Credentials")))?
        .temporary(&answer)
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

/// The STS host the official SDKs pick: `sts[-vpc].<region>.aliyuncs.com` with a region (the
/// given one, else `ALIBABA_CLOUD_STS_REGION`), else `sts.aliyuncs.com`; the VPC endpoint when
/// asked or `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`.
fn sts_host(ctx: &cloud_sign::ProviderContext, region: Option<&str>, vpc: bool) -> String {
    let var = |n: &str| ctx.var(n).filter(|v| !v.trim().is_empty());
    let vpc = vpc
        || var("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let prefix = if vpc { "sts-vpc" } else { "sts" };
    match region
        .map(str::to_owned)
        .or_else(|| var("ALIBABA_CLOUD_STS_REGION"))
    {
        Some(region) => format!("{prefix}.{}.aliyuncs.com", region.trim()),
        None => format!("{prefix}.aliyuncs.com"),
    }
}

/// The STS API version of `AssumeRole` and `AssumeRoleWithOIDC`.
const STS_VERSION: &str = "2015-04-01";

/// A RAM role assumed with keys, through STS `AssumeRole` (2015-04-01), as the official SDKs'
/// `RAMRoleARNCredentialsProvider` and the `aliyun` CLI's profile mode `RamRoleArn`: the keys
/// (long-term, or temporary with their token) sign the call with `ACS3-HMAC-SHA256`, and the
/// role's temporary credentials sign everything else. Wrap it in
/// [`RefreshingCredentials`](crate::RefreshingCredentials) so the role is assumed again before
/// its credentials expire.
///
/// ```
/// use std::sync::Arc;
/// use dbs_aliyun::{Client, CredentialSource, Credentials, RamRoleArn, RefreshingCredentials};
/// let keys = Credentials::new("LTAI5tExample", "example-secret");
/// let role = RamRoleArn::new(keys, "acs:ram::1234567890:role/backup-reader")
///     .unwrap()
///     .session_name("nightly-backup")
///     .unwrap()
///     .duration_seconds(3600)
///     .unwrap();
/// let client = Client::builder()
///     .region("cn-hangzhou")
///     .credential_source(CredentialSource::Refreshing(Arc::new(RefreshingCredentials::new(role))))
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
#[derive(Debug, Clone)]
pub struct RamRoleArn {
    source: Credentials,
    role_arn: String,
    session_name: String,
    duration_seconds: u32,
    policy: Option<String>,
    external_id: Option<String>,
    sts: Endpoint,
    http: Option<HttpClient>,
    origin: Option<String>,
}

impl RamRoleArn {
    /// The role `role_arn` (`acs:ram::<account>:role/<name>`), assumed with `source`; session
    /// `cloud-backup`, 3600 s, STS at `sts.aliyuncs.com`.
    pub fn new(source: Credentials, role_arn: impl Into<String>) -> Result<Self, Error> {
        let role_arn = role_arn.into().trim().to_owned();
        let valid = role_arn
            .strip_prefix("acs:ram::")
            .and_then(|rest| rest.split_once(":role/"))
            .is_some_and(|(account, name)| !account.is_empty() && !name.is_empty());
        if !valid {
            return Err(Error::invalid(
                "RoleArn",
                format!(
                    "must be acs:ram::<account id>:role/<role name> (got {})",
                    cloud_http::excerpt(role_arn.as_bytes(), 80)
                ),
            ));
        }
        Ok(RamRoleArn {
            source,
            role_arn,
            session_name: "cloud-backup".into(),
            duration_seconds: 3600,
            policy: None,
            external_id: None,
            sts: Endpoint::https("sts.aliyuncs.com"),
            http: None,
            origin: None,
        })
    }

    /// The role of an `aliyun` CLI profile in mode `RamRoleArn` or `ChainableRamRoleArn`
    /// ([`cloud_sign::ProfileFileProvider::aliyun_role_arn`]), with its session name, duration,
    /// STS region, VPC endpoint, policy and external id; the official variables
    /// `ALIBABA_CLOUD_STS_REGION` and `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED` apply when the
    /// profile sets neither.
    pub fn from_profile(
        profile: &cloud_sign::AliyunRoleProfile,
        ctx: &cloud_sign::ProviderContext,
    ) -> Result<Self, Error> {
        let named = |e: Error| {
            Error::Credentials(format!(
                "{} profile '{}': {e}",
                profile.origin, profile.profile
            ))
        };
        let mut role = RamRoleArn::new(profile.source.clone(), &profile.role_arn).map_err(named)?;
        if let Some(name) = &profile.session_name {
            role = role.session_name(name).map_err(named)?;
        }
        if let Some(seconds) = profile.duration_seconds {
            role = role.duration_seconds(seconds).map_err(named)?;
        }
        role.policy = profile.policy.clone();
        role.external_id = profile.external_id.clone();
        role.sts = Endpoint::https(sts_host(
            ctx,
            profile.sts_region.as_deref(),
            profile.enable_vpc,
        ));
        role.origin = Some(format!("{} profile '{}'", profile.origin, profile.profile));
        Ok(role)
    }

    /// `RoleSessionName`: 2 to 64 letters, digits and `. @ - _` (it shows in the role's audit
    /// trail).
    pub fn session_name(mut self, name: impl Into<String>) -> Result<Self, Error> {
        let name = name.into();
        let valid = (2..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_'));
        if !valid {
            return Err(Error::invalid(
                "RoleSessionName",
                format!(
                    "must be 2 to 64 letters, digits and . @ - _ (got {})",
                    cloud_http::excerpt(name.as_bytes(), 80)
                ),
            ));
        }
        self.session_name = name;
        Ok(self)
    }

    /// `DurationSeconds`: 900 up to the role's maximum session duration (at most 43200).
    pub fn duration_seconds(mut self, seconds: u32) -> Result<Self, Error> {
        if !(900..=43200).contains(&seconds) {
            return Err(Error::invalid(
                "DurationSeconds",
                format!("must be 900 to 43200 seconds (got {seconds})"),
            ));
        }
        self.duration_seconds = seconds;
        Ok(self)
    }

    /// `Policy`: a policy (JSON) that narrows the role's permissions for this session.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// `ExternalId`, when the role's trust policy requires one.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// Sends to this STS endpoint instead (tests, proxies, private endpoints).
    pub fn sts_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.sts = endpoint;
        self
    }

    /// The transport of the STS call (timeouts, retries, `allow_http` for tests); by default
    /// one with the default settings.
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    fn what(&self) -> String {
        format!("RAM role {}", self.role_arn)
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let what = self.what();
        let mut request = ApiRequest::new("POST", "/");
        request
            .put("RoleArn", &self.role_arn)
            .put("RoleSessionName", &self.session_name)
            .put("DurationSeconds", self.duration_seconds.to_string());
        if let Some(policy) = &self.policy {
            request.put("Policy", policy);
        }
        if let Some(id) = &self.external_id {
            request.put("ExternalId", id);
        }
        let operation = Operation::new("aliyun-sts", "AssumeRole", Idempotency::Idempotent);
        let protocol = Acs3 {
            credentials: &self.source,
            version: STS_VERSION,
        };
        let http = match &self.http {
            Some(h) => h.clone(),
            None => HttpClient::builder().build()?,
        };
        let raw = http
            .send(&self.sts, &operation, &request, &protocol)
            .await
            .map_err(|e| Error::Credentials(format!("{what}: STS AssumeRole failed: {e}")))?;
        let credentials = assumed(&what, &String::from_utf8_lossy(&raw.body), "AssumeRole")?;
        tracing::info!(role = %self.role_arn, "RAM role assumed");
        Ok(credentials)
    }
}

impl FetchCredentials for RamRoleArn {
    fn describe(&self) -> String {
        let keys = self.source.source();
        match &self.origin {
            Some(origin) => format!(
                "RAM role {} (STS AssumeRole with the keys of {origin})",
                self.role_arn
            ),
            None => format!(
                "RAM role {} (STS AssumeRole with keys from the {keys})",
                self.role_arn
            ),
        }
    }

    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}

/// The variable of the official chain's last source: a URL answering temporary credentials.
pub const CREDENTIALS_URI_VARIABLE: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";

/// Temporary credentials from a URL of your own (a sidecar, a vault agent), as the official
/// SDKs' `URLCredentialsProvider` (`ALIBABA_CLOUD_CREDENTIALS_URI`): a `GET` answering
/// `{"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}` (and optionally
/// `"Code": "Success"`). The URL's query string is never shown (it may carry a secret).
///
/// ```
/// use dbs_aliyun::CredentialsUri;
/// let uri = CredentialsUri::new("http://127.0.0.1:8000/credentials").unwrap();
/// # let _ = uri;
/// ```
#[derive(Debug, Clone)]
pub struct CredentialsUri {
    url: cloud_sign::SecretString,
    shown: String,
    http: cloud_http::MetadataClient,
}

impl CredentialsUri {
    /// The credentials served at `url` (`http://` or `https://`).
    pub fn new(url: impl Into<String>) -> Result<Self, Error> {
        let url = url.into();
        let shown = cloud_http::redact_urls(url.trim());
        let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
        if !scheme_ok || url.len() <= "https://".len() {
            return Err(Error::invalid(
                CREDENTIALS_URI_VARIABLE,
                format!("must be an http:// or https:// URL (got {shown})"),
            ));
        }
        Ok(CredentialsUri {
            url: cloud_sign::SecretString::new(url.trim().to_owned()),
            shown,
            http: cloud_http::MetadataClient::for_token_service()?,
        })
    }

    /// From `ALIBABA_CLOUD_CREDENTIALS_URI`, when it is set.
    pub fn from_env(ctx: &cloud_sign::ProviderContext) -> Result<Option<Self>, Error> {
        ctx.var(CREDENTIALS_URI_VARIABLE)
            .filter(|v| !v.trim().is_empty())
            .map(CredentialsUri::new)
            .transpose()
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let what = format!("credentials URI {}", self.shown);
        let body = self.http.text(&what, "GET", self.url.expose(), &[]).await?;
        let answer = Answer(&what);
        let parsed: RoleCredentials = answer.json(&body, "credentials")?;
        answer.success(parsed.code.as_deref())?;
        parsed.temporary(&answer)
    }
}

impl FetchCredentials for CredentialsUri {
    fn describe(&self) -> String {
        format!("credentials URI {}", self.shown)
    }

    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}
