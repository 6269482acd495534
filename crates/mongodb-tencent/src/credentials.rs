//! Credentials without long-term keys: the CVM instance's CAM role, from the instance metadata
//! service, as the official SDKs' `CVMRoleCredential` gets them.

use std::time::{Duration, SystemTime};

use cloud_http::{Answer, BoxFuture, Error, FetchCredentials, InstanceRole, TemporaryCredentials};
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
