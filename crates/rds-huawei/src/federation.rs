//! Credentials without long-term keys, the other way the official SDKs know: a federated
//! identity. An OIDC id token (on CCE, the workload's projected service-account token) is
//! exchanged at IAM for temporary AK/SK, as the official SDKs' `FederalAccessor` does.

use std::path::{Path, PathBuf};

use cloud_http::{
    Answer, ApiRequest, AttemptContext, BoxFuture, Classification, Endpoint, Error,
    FetchCredentials, HttpClient, Idempotency, Operation, Protocol, REDACTED, RawResponse,
    TemporaryCredentials,
};
use cloud_sign::provider::HuaweiFederation;
use cloud_sign::{SecretString, SignableRequest, SigningOutput};
use serde_json::{Value, json};

use crate::endpoint::default_host;
use crate::errors;

/// How long the temporary AK/SK are asked to live (seconds), as the official SDKs ask (6 hours).
const DURATION_SECONDS: u32 = 6 * 60 * 60;

/// IAM `CreateTokenWithIdToken`: an OIDC id token for an (unscoped) federated token.
const CREATE_TOKEN_WITH_ID_TOKEN: &str = "/v3.0/OS-AUTH/id-token/tokens";

/// IAM `CreateTemporaryAccessKeyByToken`: a token for temporary AK/SK and a security token.
const CREATE_TEMPORARY_ACCESS_KEY: &str = "/v3.0/OS-CREDENTIAL/securitytokens";

/// The content type both IAM calls carry, as the official SDKs send it.
const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// A federated identity (an OIDC identity provider configured in IAM, such as a CCE cluster's):
/// at every refresh, the id token is read again from its file (the platform rotates it) and
/// exchanged at IAM, as the official SDKs' `FederalAccessor` does, in two unsigned calls:
///
/// 1. `POST /v3.0/OS-AUTH/id-token/tokens` with the header `X-Idp-Id` and the body
///    `{"auth":{"id_token":{"id":"<id token>"}}}`: an unscoped federated token, answered in
///    the `X-Subject-Token` header;
/// 2. `POST /v3.0/OS-CREDENTIAL/securitytokens` with the body
///    `{"auth":{"identity":{"methods":["token"],"token":{"id":"<that token>","duration_seconds":21600}}}}`:
///    temporary AK/SK and a security token for 6 hours (`credential.access`, `secret`,
///    `securitytoken`, `expires_at`).
///
/// IAM is `iam.<region>.myhuaweicloud.com` unless [`IdTokenFederation::iam_endpoint`] says
/// otherwise. Wrap it in [`cloud_http::RefreshingCredentials`] and give it to the client as
/// [`Auth::Refreshing`](crate::Auth::Refreshing): the credentials are fetched at the first call
/// and again shortly before they expire. The id token, the federated token and the temporary
/// credentials never show in `Debug`, errors or logs (none is kept here; errors quoting IAM
/// have them cut out).
///
/// ```
/// use std::sync::Arc;
/// use rds_huawei::{Auth, Client, HuaweiFederation, IdTokenFederation, ProviderContext};
/// use rds_huawei::RefreshingCredentials;
///
/// // Named in code...
/// let federation = IdTokenFederation::new(
///     "cn-north-4",
///     "cce-oidc-provider",
///     "/var/run/secrets/tokens/oidc-token",
/// )
/// .unwrap();
/// let client = Client::builder()
///     .region("cn-north-4")
///     .project_id("0123456789abcdef0123456789abcdef")
///     .auth(Auth::Refreshing(Arc::new(RefreshingCredentials::new(federation))))
///     .build()
///     .unwrap();
/// # let _ = client;
///
/// // ...or as the official SDKs read it (HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE,
/// // or the profile file's idp_id and id_token_file).
/// let ctx = ProviderContext::from_map(
///     [
///         ("HUAWEICLOUD_SDK_IDP_ID", "cce-oidc-provider"),
///         ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", "/var/run/secrets/tokens/oidc-token"),
///     ],
///     None,
/// );
/// let config = HuaweiFederation::resolve(&ctx, None).unwrap().expect("configured");
/// let federation = IdTokenFederation::from_config(&config, "cn-north-4").unwrap();
/// assert_eq!(federation.iam().host(), "iam.cn-north-4.myhuaweicloud.com");
/// ```
#[derive(Debug, Clone)]
pub struct IdTokenFederation {
    idp_id: String,
    id_token_file: PathBuf,
    iam: Endpoint,
    http: Option<HttpClient>,
    origin: Option<String>,
}

impl IdTokenFederation {
    /// The identity provider `idp_id` (as IAM knows it), the id token in `id_token_file`, IAM
    /// of `region` (`iam.<region>.myhuaweicloud.com`, `.myhuaweicloud.eu` in `eu-west-101`).
    /// Sends nothing.
    pub fn new(
        region: &str,
        idp_id: impl Into<String>,
        id_token_file: impl Into<PathBuf>,
    ) -> Result<Self, Error> {
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(Error::invalid(
                "region",
                format!("must be a region id such as cn-north-4 (got {region:?})"),
            ));
        }
        let idp_id = idp_id.into().trim().to_owned();
        // It goes into a header: visible ASCII only.
        if idp_id.is_empty() || !idp_id.bytes().all(|b| (b'!'..=b'~').contains(&b)) {
            return Err(Error::invalid(
                "idp_id",
                format!(
                    "must be the identity provider's id, visible ASCII without spaces (got {})",
                    cloud_http::excerpt(idp_id.as_bytes(), 80)
                ),
            ));
        }
        let id_token_file = id_token_file.into();
        if id_token_file.as_os_str().is_empty() {
            return Err(Error::invalid("id_token_file", "must name a file"));
        }
        Ok(IdTokenFederation {
            idp_id,
            id_token_file,
            iam: Endpoint::https(default_host("iam", region)),
            http: None,
            origin: None,
        })
    }

    /// The federated identity the official chain found ([`HuaweiFederation::resolve`]): its
    /// IAM endpoint (the profile's `iam_endpoint` or `HUAWEICLOUD_SDK_IAM_ENDPOINT`: a URL, or
    /// a bare host for `https`), else `region`'s IAM. Errors name where it was configured.
    pub fn from_config(config: &HuaweiFederation, region: &str) -> Result<Self, Error> {
        let named = |e: Error| Error::Credentials(format!("{}: {e}", config.origin));
        let mut federation =
            IdTokenFederation::new(region, &config.idp_id, &config.id_token_file).map_err(named)?;
        if let Some(value) = config.iam_endpoint.as_deref().map(str::trim) {
            let url = if value.contains("://") {
                value.to_owned()
            } else {
                format!("https://{value}")
            };
            federation.iam = Endpoint::parse(&url).map_err(|e| {
                Error::Credentials(format!(
                    "{}: the IAM endpoint {} is not usable: {e}",
                    config.origin,
                    cloud_http::excerpt(value.as_bytes(), 80)
                ))
            })?;
        }
        federation.origin = Some(config.origin.clone());
        Ok(federation)
    }

    /// Sends both IAM calls to `endpoint` instead (a private endpoint, a proxy, tests).
    pub fn iam_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.iam = endpoint;
        self
    }

    /// The transport of the IAM calls (timeouts, retries, `allow_http` for tests); by default
    /// one with the default settings.
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// The IAM endpoint the id token is exchanged at.
    pub fn iam(&self) -> &Endpoint {
        &self.iam
    }

    /// The identity provider, for errors: `federated identity provider cce-oidc` (and where it
    /// was configured: `, from the environment (HUAWEICLOUD_SDK_IDP_ID, ...)`).
    fn what(&self) -> String {
        match &self.origin {
            Some(origin) => format!("federated identity provider {}, from {origin}", self.idp_id),
            None => format!("federated identity provider {}", self.idp_id),
        }
    }

    async fn fetch_now(&self) -> Result<TemporaryCredentials, Error> {
        let what = self.what();
        let file = self.id_token_file.display();
        let id_token = read_token(&self.id_token_file).map_err(|e| {
            Error::Credentials(format!(
                "{what}: the id token file {file} cannot be read: {e}"
            ))
        })?;
        let id_token = SecretString::new(id_token.trim());
        if id_token.expose().is_empty() {
            return Err(Error::Credentials(format!(
                "{what}: the id token file {file} is empty"
            )));
        }
        let http = match &self.http {
            Some(h) => h.clone(),
            None => HttpClient::builder().build()?,
        };

        // 1. The id token for a federated token (unscoped), in the X-Subject-Token header.
        let mut request = ApiRequest::new("POST", CREATE_TOKEN_WITH_ID_TOKEN);
        request
            .put_header("Content-Type", JSON_UTF8)
            .put_header("X-Idp-Id", &self.idp_id);
        request.body = json!({"auth": {"id_token": {"id": id_token.expose()}}})
            .to_string()
            .into_bytes();
        let secrets = [id_token.expose()];
        let raw = send(
            &http,
            &self.iam,
            "CreateTokenWithIdToken",
            &request,
            &secrets,
        )
        .await
        .map_err(|e| failed(&what, "CreateTokenWithIdToken", &e, &secrets))?;
        let subject = raw
            .header("x-subject-token")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(SecretString::new)
            .ok_or_else(|| {
                Error::Credentials(format!(
                    "{what}: IAM CreateTokenWithIdToken answered HTTP {} without an \
                     X-Subject-Token header [request id {}]",
                    raw.status,
                    raw.request_id.as_deref().unwrap_or("none")
                ))
            })?;

        // 2. The federated token for temporary AK/SK and a security token.
        let mut request = ApiRequest::new("POST", CREATE_TEMPORARY_ACCESS_KEY);
        request.put_header("Content-Type", JSON_UTF8);
        request.body = json!({"auth": {"identity": {
            "methods": ["token"],
            "token": {"id": subject.expose(), "duration_seconds": DURATION_SECONDS},
        }}})
        .to_string()
        .into_bytes();
        let secrets = [id_token.expose(), subject.expose()];
        let action = "CreateTemporaryAccessKeyByToken";
        let raw = send(&http, &self.iam, action, &request, &secrets)
            .await
            .map_err(|e| failed(&what, action, &e, &secrets))?;
        let credentials = temporary(&what, &raw.body)?;
        tracing::info!(idp_id = %self.idp_id, "credentials of the federated identity obtained");
        Ok(credentials)
    }
}

impl FetchCredentials for IdTokenFederation {
    fn describe(&self) -> String {
        format!(
            "federated identity provider {} (IAM {}, id token file {})",
            self.idp_id,
            self.iam.host(),
            self.id_token_file.display()
        )
    }

    fn fetch(&self) -> BoxFuture<'_, Result<TemporaryCredentials, Error>> {
        Box::pin(self.fetch_now())
    }
}

/// The token file, at most 64 KiB.
fn read_token(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(64 << 10)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// One unsigned IAM call, with `secrets` cut from any error the answer makes.
async fn send(
    http: &HttpClient,
    iam: &Endpoint,
    action: &'static str,
    request: &ApiRequest,
    secrets: &[&str],
) -> Result<RawResponse, Error> {
    let operation = Operation::new("huawei-iam", action, Idempotency::Idempotent);
    http.send(iam, &operation, request, &Iam { secrets }).await
}

/// `text` with every secret replaced by `<redacted>`.
fn scrub(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |t, s| t.replace(s, REDACTED))
}

/// An IAM call's failure as a credentials error naming the identity provider, secrets cut.
fn failed(what: &str, action: &str, e: &Error, secrets: &[&str]) -> Error {
    Error::Credentials(scrub(&format!("{what}: IAM {action} failed: {e}"), secrets))
}

/// The temporary credentials of a `securitytokens` answer. Its body holds secrets: errors
/// name fields and positions, never quote it.
fn temporary(what: &str, body: &[u8]) -> Result<TemporaryCredentials, Error> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Error::Credentials(format!(
            "{what}: the answer of IAM CreateTemporaryAccessKeyByToken is not JSON ({:?} error \
             at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    let Some(credential) = value.get("credential").filter(|c| c.is_object()) else {
        return Err(Error::Credentials(format!(
            "{what}: the answer of IAM CreateTemporaryAccessKeyByToken has no credential"
        )));
    };
    let field = |k: &str| credential.get(k).and_then(Value::as_str).map(str::to_owned);
    let answer = Answer(what);
    let expires_at = answer.rfc3339(field("expires_at"), "expires_at")?;
    answer.temporary(
        field("access"),
        field("secret"),
        field("securitytoken"),
        ["access", "secret", "securitytoken"],
        expires_at,
    )
}

/// The IAM calls' [`Protocol`]: unsigned (the token is in the body), Huawei error shapes, and
/// the secrets of the request cut from an error answer before it becomes an error (so no part
/// of one survives where the error is cut short, nor in retry logs).
struct Iam<'a> {
    secrets: &'a [&'a str],
}

impl Protocol for Iam<'_> {
    fn sign(
        &self,
        _request: &SignableRequest<'_>,
        _attempt: &AttemptContext<'_>,
    ) -> Result<SigningOutput, Error> {
        Ok(SigningOutput::unsigned(Vec::new()))
    }

    fn classify(&self, raw: &RawResponse) -> Classification {
        if (200..300).contains(&raw.status) {
            return Classification::Success;
        }
        let text = String::from_utf8_lossy(&raw.body);
        if !self
            .secrets
            .iter()
            .any(|s| !s.is_empty() && text.contains(s))
        {
            return errors::classify(raw);
        }
        let mut clean = raw.clone();
        clean.body = scrub(&text, self.secrets).into_bytes().into();
        errors::classify(&clean)
    }

    fn request_id(&self, raw: &RawResponse) -> Option<String> {
        errors::request_id(raw)
    }
}
