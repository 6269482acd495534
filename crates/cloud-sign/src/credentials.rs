//! Credential types: an access key id, a secret, an optional session token and, for Huawei, an
//! optional project id. Secrets are zeroized on drop and never printed.

use std::fmt;

use zeroize::Zeroizing;

use crate::request::REDACTED;

/// A secret string (secret key, security token): zeroized when dropped, printed as
/// `** redacted **` by `Debug`, with no `Display`.
#[derive(Clone)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(Zeroizing::new(value.into()))
    }
    /// The secret itself; only signers should need this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}
impl Eq for SecretString {}

/// A cloud access key pair, optionally temporary (with a session token).
///
/// ```
/// use cloud_sign::Credentials;
/// let c = Credentials::new("LTAI5tExample", "exampleSecret").with_session_token("exampleToken");
/// assert!(!format!("{c:?}").contains("exampleSecret"));
/// assert!(!format!("{c:?}").contains("exampleToken"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret: SecretString,
    session_token: Option<SecretString>,
    project_id: Option<String>,
    source: &'static str,
}

impl Credentials {
    /// Long-term credentials from an access key id and its secret.
    pub fn new(access_key_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret: SecretString::new(secret),
            session_token: None,
            project_id: None,
            source: "static",
        }
    }

    /// Adds a session (security, STS) token: the credentials are temporary.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(SecretString::new(token));
        self
    }

    /// Adds a Huawei project id (used in paths and `X-Project-Id`; not a secret).
    pub fn with_project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    pub(crate) fn with_source(mut self, source: &'static str) -> Self {
        self.source = source;
        self
    }

    /// The access key id (Aliyun AccessKeyId, Tencent SecretId, Huawei AK). Not a secret.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
    /// The secret (Aliyun AccessKeySecret, Tencent SecretKey, Huawei SK).
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }
    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&SecretString> {
        self.session_token.as_ref()
    }
    /// The Huawei project id, when configured.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }
    /// Which provider produced these credentials (`static`, `environment`, `profile file`).
    pub fn source(&self) -> &'static str {
        self.source
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &self.secret)
            .field("session_token", &self.session_token)
            .field("project_id", &self.project_id)
            .field("source", &self.source)
            .finish()
    }
}
