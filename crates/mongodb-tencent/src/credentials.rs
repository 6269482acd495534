//! Temporary credentials: the CVM instance's CAM role, from the instance metadata service, as
//! the official SDKs' `CVMRoleCredential` gets them; a TKE pod's OIDC role; and a CAM role
//! assumed with keys through STS `AssumeRole`, as the official SDKs' `STSAssumeRoleCredential`.

use std::time::{Duration, SystemTime};

use cloud_http::{Answer, BoxFuture, Error, FetchCredentials, InstanceRole, TemporaryCredentials};
use cloud_sign::Credentials;
use serde::Deserialize;

/// The CVM instance metadata service.
pub const CVM_METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";

/// The variable naming the instance's CAM role (as Tencent's Terraform provider reads it).
pub const CVM_ROLE_VARIABLE: &str = "TENCENTCLOUD_CAM_ROLE_NAME";

/// The CAM role bound to this CVM instance: temporary credentials from
/// `/latest/meta-data/cam/security-credentials/<role>`. Wrap it in
/// [`cloud_http::RefreshingCredentials`] and give it to
/// [`ClientBuilder::credential_source`](crate::ClientBuilder::credential_source).
///
/// ```
/// use std::sync::Arc;
/// use mongodb_tencent::{Client, CredentialSource, CvmRole, RefreshingCredentials};
/// let role = CvmRole::new(Some("backup-reader".into())).unwrap();
/// let client = Client::builder()
///     .region("ap-guangzhou")
///     .credential_source(CredentialSource::Refreshing(Arc::new(RefreshingCredentials::new(role))))
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
#[derive(Debug, Clone)]
pub struct CvmRole(InstanceRole);

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct RoleCredentials {
    code: Option<String>,
    tmp_secret_id: Option<String>,
    tmp_secret_key: Option<String>,
    token: Option<String>,
    /// Unix seconds.
    expired_time: Option<u64>,
}

/// Where the metadata service lists the instance's roles.
const ROLES: &str = "/latest/meta-data/cam/security-credentials/";

impl CvmRole {
    /// The instance's role `role`, or (with `None`) the one the metadata service names.
    pub fn new(role: Option<String>) -> Result<Self, Error> {
        InstanceRole::new(CVM_METADATA_ENDPOINT, role).map(CvmRole)
    }

    /// Asks this metadata endpoint instead (tests, proxies).
    pub fn endpoint(self, endpoint: impl Into<String>) -> Self {
        CvmRole(self.0.with_base(endpoint))
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let (what, body) = self.0.credentials_body("CVM role", ROLES, &[]).await?;
        let answer = Answer(&what);
        let parsed: RoleCredentials = answer.json(&body, "credentials")?;
        answer.success(parsed.code.as_deref())?;
        let expires = parsed
            .expired_time
            .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no ExpiredTime")))?;
        answer.temporary(
            parsed.tmp_secret_id,
            parsed.tmp_secret_key,
            parsed.token,
            ["TmpSecretId", "TmpSecretKey", "Token"],
            SystemTime::UNIX_EPOCH + Duration::from_secs(expires),
        )
    }
}

impl FetchCredentials for CvmRole {
    fn describe(&self) -> String {
        self.0.describe("CVM role")
    }

    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}

/// The variables of a TKE OIDC role, as the official SDKs read them.
pub const TKE_OIDC_VARIABLES: [&str; 4] = [
    "TKE_REGION",
    "TKE_PROVIDER_ID",
    "TKE_IDENTITY_TOKEN_FILE",
    "TKE_ROLE_ARN",
];

/// A CAM role assumed with a web identity token (a TKE pod's service account token), through
/// STS `AssumeRoleWithWebIdentity` (2018-08-13), as the official SDKs' `OIDCRoleArnCredential`:
/// an unsigned JSON `POST` (`Authorization: SKIP`), the token read from its file at every
/// refresh.
#[derive(Debug, Clone)]
pub struct TkeOidcRole {
    region: String,
    provider_id: String,
    token_file: std::path::PathBuf,
    role_arn: String,
    sts: String,
    http: cloud_http::MetadataClient,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct WebIdentityAnswer {
    response: Option<WebIdentityResponse>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct WebIdentityResponse {
    credentials: Option<RoleCredentials>,
    expired_time: Option<u64>,
    error: Option<serde_json::Value>,
}

impl TkeOidcRole {
    /// From the official variables ([`TKE_OIDC_VARIABLES`]): `None` when none is set, an error
    /// naming what is missing when only some are.
    pub fn from_env(ctx: &cloud_sign::ProviderContext) -> Result<Option<Self>, Error> {
        let values = TKE_OIDC_VARIABLES.map(|n| ctx.var(n).filter(|v| !v.trim().is_empty()));
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        let missing: Vec<&str> = TKE_OIDC_VARIABLES
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        let [Some(region), Some(provider_id), Some(file), Some(role_arn)] = values else {
            return Err(Error::Credentials(format!(
                "a TKE OIDC role needs {} too",
                missing.join(" and ")
            )));
        };
        Ok(Some(TkeOidcRole {
            region,
            provider_id,
            token_file: file.into(),
            role_arn,
            sts: "https://sts.tencentcloudapi.com".into(),
            http: cloud_http::MetadataClient::for_token_service()?,
        }))
    }

    /// Sends to this STS endpoint instead (a URL: tests, proxies, `sts.internal...`).
    pub fn sts_endpoint(mut self, url: impl Into<String>) -> Self {
        self.sts = url.into().trim_end_matches('/').to_owned();
        self
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let what = format!("TKE OIDC role {}", self.role_arn);
        let token = std::fs::read_to_string(&self.token_file).map_err(|e| {
            Error::Credentials(format!(
                "{what}: the token file {} cannot be read: {e}",
                self.token_file.display()
            ))
        })?;
        let now = std::time::SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
            .to_string();
        let body = serde_json::json!({
            "ProviderId": self.provider_id,
            "WebIdentityToken": token.trim(),
            "RoleArn": self.role_arn,
            "RoleSessionName": "cloud-backup",
            "DurationSeconds": 7200,
        });
        let text = self
            .http
            .post_json(
                &what,
                &format!("{}/", self.sts),
                &[
                    ("Authorization", "SKIP"),
                    ("X-TC-Action", "AssumeRoleWithWebIdentity"),
                    ("X-TC-Version", "2018-08-13"),
                    ("X-TC-Region", &self.region),
                    ("X-TC-Timestamp", &now),
                ],
                &body,
                token.trim(),
            )
            .await?;
        let answer = Answer(&what);
        let parsed: WebIdentityAnswer = answer.json(&text, "AssumeRoleWithWebIdentity")?;
        let response = parsed
            .response
            .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no Response")))?;
        if let Some(e) = response.error {
            let code = e.get("Code").and_then(|c| c.as_str()).unwrap_or("unknown");
            return Err(Error::Credentials(format!(
                "{what}: STS answered {}",
                cloud_http::excerpt(code.as_bytes(), 80)
            )));
        }
        let c = response
            .credentials
            .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no Credentials")))?;
        let expires = response
            .expired_time
            .ok_or_else(|| Error::Credentials(format!("{what}: the answer has no ExpiredTime")))?;
        answer.temporary(
            c.tmp_secret_id,
            c.tmp_secret_key,
            c.token,
            ["TmpSecretId", "TmpSecretKey", "Token"],
            SystemTime::UNIX_EPOCH + Duration::from_secs(expires),
        )
    }
}

impl FetchCredentials for TkeOidcRole {
    fn describe(&self) -> String {
        format!(
            "TKE OIDC role {} (STS AssumeRoleWithWebIdentity, token file {})",
            self.role_arn,
            self.token_file.display()
        )
    }

    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}

/// The STS host [`StsAssumeRole`] calls by default.
pub const STS_HOST: &str = "sts.tencentcloudapi.com";

/// The region STS calls are sent to by default, as the official SDKs' `STSAssumeRoleCredential`
/// sends them (the credentials work in every region).
pub const STS_DEFAULT_REGION: &str = "ap-guangzhou";

/// How long assumed-role credentials last unless told otherwise (the official SDKs' default).
pub const STS_DEFAULT_DURATION_SECONDS: u32 = 7200;

/// The shortest and longest durations [`StsAssumeRoleBuilder::duration_seconds`] takes. The
/// service documents at most 12 hours and no minimum; the 15-minute floor is this crate's,
/// since credentials are fetched again [`cloud_http::credentials::REFRESH_BEFORE`] (5 minutes)
/// before they expire.
pub const STS_DURATION_SECONDS: std::ops::RangeInclusive<u32> = 900..=43200;

/// The vendor name of STS calls in errors and traces.
const STS_VENDOR: &str = "tencent-sts";
/// The TC3 service of STS.
const STS_SERVICE: &str = "sts";
/// `X-TC-Version` of STS.
const STS_VERSION: &str = "2018-08-13";

/// A CAM role assumed with keys: STS `AssumeRole` (2018-08-13), a JSON `POST` to
/// `sts.tencentcloudapi.com` signed with TC3-HMAC-SHA256 by the source keys, exactly like the
/// official SDKs' `STSAssumeRoleCredential` (and tccli's profiles with `role-arn`). The role's
/// temporary credentials (`TmpSecretId`, `TmpSecretKey`, `Token`, until `ExpiredTime`) then sign
/// every call. Wrap it in [`cloud_http::RefreshingCredentials`], which fetches new ones before
/// they expire.
///
/// ```
/// use std::sync::Arc;
/// use mongodb_tencent::{Client, CredentialSource, Credentials, RefreshingCredentials, StsAssumeRole};
/// let role = StsAssumeRole::builder(
///     Credentials::new("AKIDEXAMPLE", "exampleSecretKey"),
///     "qcs::cam::uin/100000000001:roleName/backup-reader",
///     "nightly-backup",
/// )
/// .duration_seconds(3600)
/// .build()
/// .unwrap();
/// let client = Client::builder()
///     .region("ap-guangzhou")
///     .credential_source(CredentialSource::Refreshing(Arc::new(RefreshingCredentials::new(role))))
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
///
/// `Debug`, [`FetchCredentials::describe`] and errors never show the source secret key nor the
/// temporary secret and token.
pub struct StsAssumeRole {
    source: Credentials,
    role_arn: String,
    session_name: String,
    duration_seconds: u32,
    region: String,
    endpoint: cloud_http::Endpoint,
    http: cloud_http::HttpClient,
    protocol: crate::protocol::TencentProtocol,
}

impl std::fmt::Debug for StsAssumeRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StsAssumeRole")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("duration_seconds", &self.duration_seconds)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint.to_string())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Builds a [`StsAssumeRole`]: [`StsAssumeRole::builder`].
#[derive(Debug)]
pub struct StsAssumeRoleBuilder {
    source: Credentials,
    role_arn: String,
    session_name: String,
    duration_seconds: u32,
    region: String,
    endpoint: Option<String>,
    http: Option<cloud_http::HttpClient>,
}

impl StsAssumeRole {
    /// Assumes `role_arn` (`qcs::cam::uin/<uin>:roleName/<name>` or `...:role/<id>`) with the
    /// `source` keys, naming the session `session_name` (2 to 128 of letters, digits and
    /// `_+=,.@-`; CAM's logs show it). Defaults: [`STS_DEFAULT_DURATION_SECONDS`],
    /// [`STS_DEFAULT_REGION`], `https://`[`STS_HOST`].
    pub fn builder(
        source: Credentials,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> StsAssumeRoleBuilder {
        StsAssumeRoleBuilder {
            source,
            role_arn: role_arn.into(),
            session_name: session_name.into(),
            duration_seconds: STS_DEFAULT_DURATION_SECONDS,
            region: STS_DEFAULT_REGION.to_owned(),
            endpoint: None,
            http: None,
        }
    }

    /// The role assumed.
    pub fn role_arn(&self) -> &str {
        &self.role_arn
    }

    /// The session name sent as `RoleSessionName`.
    pub fn session_name(&self) -> &str {
        &self.session_name
    }

    /// The `DurationSeconds` asked for.
    pub fn duration_seconds(&self) -> u32 {
        self.duration_seconds
    }

    /// What an error says first: the role, and where its source keys came from.
    fn what(&self) -> String {
        format!(
            "STS AssumeRole of {} (source keys from {})",
            self.role_arn,
            self.source.source()
        )
    }

    /// `text` without the source secret key (no answer should carry it; this makes sure).
    fn scrub(&self, text: String) -> String {
        let secret = self.source.secret().expose();
        if secret.is_empty() {
            text
        } else {
            text.replace(secret, cloud_http::REDACTED)
        }
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let what = self.what();
        #[derive(serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            role_arn: &'a str,
            role_session_name: &'a str,
            duration_seconds: u32,
        }
        let body = serde_json::to_vec(&Body {
            role_arn: &self.role_arn,
            role_session_name: &self.session_name,
            duration_seconds: self.duration_seconds,
        })
        .map_err(|e| Error::invalid("AssumeRole", e.to_string()))?;
        let request = crate::protocol::json_request("AssumeRole", STS_VERSION, &self.region, body);
        let operation = cloud_http::Operation::new(
            STS_VENDOR,
            "AssumeRole",
            cloud_http::Idempotency::Idempotent,
        );
        let raw = self
            .http
            .send(
                &self.endpoint,
                &operation,
                &request,
                &self.protocol.for_service(STS_SERVICE, &self.source),
            )
            .await
            .map_err(|e| Error::Credentials(self.scrub(format!("{what}: {e}"))))?;
        // Parsed by hand, field by field: a serde error message could quote a value, and the
        // answer holds the temporary secret.
        let fail = |why: String| Error::Credentials(format!("{what}: {why}"));
        let answer: serde_json::Value = serde_json::from_slice(&raw.body).map_err(|e| {
            fail(format!(
                "the answer is not JSON ({:?} error at line {} column {})",
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        let response = answer
            .get("Response")
            .filter(|r| r.is_object())
            .ok_or_else(|| fail("the answer has no Response".into()))?;
        let credentials = response
            .get("Credentials")
            .filter(|c| c.is_object())
            .ok_or_else(|| fail("the answer has no Credentials".into()))?;
        let text =
            |v: &serde_json::Value, k: &str| v.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let expires = match response.get("ExpiredTime") {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        let expires_at = match expires {
            Some(unix) => SystemTime::UNIX_EPOCH + Duration::from_secs(unix),
            // `Expiration` (RFC 3339) says the same, should `ExpiredTime` be missing.
            None => {
                Answer(&what).rfc3339(text(response, "Expiration"), "ExpiredTime or Expiration")?
            }
        };
        Answer(&what).temporary(
            text(credentials, "TmpSecretId"),
            text(credentials, "TmpSecretKey"),
            text(credentials, "Token"),
            ["TmpSecretId", "TmpSecretKey", "Token"],
            expires_at,
        )
    }
}

impl StsAssumeRoleBuilder {
    /// How long the credentials last (`DurationSeconds`), within [`STS_DURATION_SECONDS`].
    pub fn duration_seconds(mut self, seconds: u32) -> Self {
        self.duration_seconds = seconds;
        self
    }

    /// The region sent as `X-TC-Region` (default [`STS_DEFAULT_REGION`]).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Sends to this STS endpoint instead (a URL: tests, proxies,
    /// `https://sts.internal.tencentcloudapi.com`). A plain `http://` URL named here is allowed
    /// when no [`StsAssumeRoleBuilder::http_client`] is given.
    pub fn sts_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Uses this transport (timeouts, retries, an injected clock, an offline backend), as it is.
    pub fn http_client(mut self, http: cloud_http::HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the field (`RoleArn`, `RoleSessionName`,
    /// `DurationSeconds`, `region`, `endpoint`) when it is malformed, or when the transport
    /// cannot be built.
    pub fn build(self) -> Result<StsAssumeRole, Error> {
        let role_arn = self.role_arn.trim().to_owned();
        if !is_role_arn(&role_arn) {
            return Err(Error::invalid(
                "RoleArn",
                format!(
                    "must be a CAM role such as qcs::cam::uin/100000000001:roleName/backup (got {})",
                    cloud_http::excerpt(role_arn.as_bytes(), 120)
                ),
            ));
        }
        let session_name = self.session_name.trim().to_owned();
        let session_ok = (2..=128).contains(&session_name.len())
            && session_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
        if !session_ok {
            return Err(Error::invalid(
                "RoleSessionName",
                format!(
                    "must be 2 to 128 letters, digits or _+=,.@- (got {})",
                    cloud_http::excerpt(session_name.as_bytes(), 140)
                ),
            ));
        }
        if !STS_DURATION_SECONDS.contains(&self.duration_seconds) {
            return Err(Error::invalid(
                "DurationSeconds",
                format!(
                    "must be {} to {} seconds (got {})",
                    STS_DURATION_SECONDS.start(),
                    STS_DURATION_SECONDS.end(),
                    self.duration_seconds
                ),
            ));
        }
        let region = self.region.trim().to_owned();
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(Error::invalid(
                "region",
                format!("must be a region id such as ap-guangzhou (got {region:?})"),
            ));
        }
        let endpoint = match &self.endpoint {
            Some(url) => cloud_http::Endpoint::parse(url.trim())?,
            None => cloud_http::Endpoint::https(STS_HOST),
        };
        let http = match self.http {
            Some(http) => http,
            None => cloud_http::HttpClient::builder()
                .config(cloud_http::HttpConfig {
                    // Only a URL the caller named can be plain http.
                    allow_http: self.endpoint.is_some(),
                    ..cloud_http::HttpConfig::default()
                })
                .build()?,
        };
        Ok(StsAssumeRole {
            source: self.source,
            role_arn,
            session_name,
            duration_seconds: self.duration_seconds,
            region,
            endpoint,
            http,
            protocol: crate::protocol::TencentProtocol::new(),
        })
    }
}

/// `qcs::cam::uin/<digits>:role/<...>` or `...:roleName/<...>` (service roles included:
/// `role/tencentcloudServiceRole/<id>`), as the STS documentation lists them.
fn is_role_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("qcs::cam::uin/") else {
        return false;
    };
    let Some((uin, role)) = rest.split_once(':') else {
        return false;
    };
    let name = role
        .strip_prefix("roleName/")
        .or_else(|| role.strip_prefix("role/"));
    !uin.is_empty()
        && uin.bytes().all(|b| b.is_ascii_digit())
        && name.is_some_and(|n| !n.is_empty() && !n.chars().any(char::is_whitespace))
}

impl FetchCredentials for StsAssumeRole {
    fn describe(&self) -> String {
        format!(
            "STS AssumeRole {} (session {}, {} s, source keys {} from {})",
            self.role_arn,
            self.session_name,
            self.duration_seconds,
            self.source
                .access_key_id()
                .chars()
                .take(4)
                .collect::<String>()
                + "****",
            self.source.source()
        )
    }

    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}
