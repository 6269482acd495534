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
    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}
