//! The client, its builder, project-id resolution and the one path every operation takes.

use std::fmt;
use std::sync::Arc;

use cloud_http::{ApiRequest, Endpoint, HttpClient, Idempotency, Operation, ParamValue};
use cloud_sign::{
    ChainProvider, Credentials, ProvideCredentials, ProviderContext, SecretString, Vendor,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

use crate::endpoint::{Service, default_host};
use crate::model::{BackupDownloadLinks, BackupList, Language};
use crate::{Auth, Dds, Error, Rds, Result};

/// The environment variable naming the IAM endpoint (read only when credentials come from the
/// default chain).
pub const IAM_ENDPOINT_VARIABLE: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";

/// A Huawei Cloud client for one region and one identity, serving both DDS and RDS through the
/// views [`Client::dds`] and [`Client::rds`].
///
/// One client rather than one per service, because both services share everything that costs
/// something: credentials, the transport (connection pool, retry budget) and the project id,
/// which is resolved through IAM at most once per client (per access key and region) and shared
/// by clones. Cheap to clone. `Debug` never shows a secret or token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    region: String,
    dds: Endpoint,
    rds: Endpoint,
    iam: Endpoint,
    auth: Auth,
    project_id: OnceCell<String>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("region", &i.region)
            .field("dds", &i.dds.to_string())
            .field("rds", &i.rds.to_string())
            .field("iam", &i.iam.to_string())
            .field("auth", &i.auth)
            .field("project_id", &i.project_id.get())
            .finish_non_exhaustive()
    }
}

enum AuthSource {
    Fixed(Auth),
    Provider(Box<dyn ProvideCredentials>),
}

impl fmt::Debug for AuthSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthSource::Fixed(auth) => auth.fmt(f),
            AuthSource::Provider(p) => f.debug_tuple("Provider").field(p).finish(),
        }
    }
}

/// Builds a [`Client`]. Only the region is required.
#[derive(Debug, Default)]
pub struct ClientBuilder {
    region: Option<String>,
    auth: Option<AuthSource>,
    profile: Option<String>,
    project_id: Option<String>,
    dds: Option<Endpoint>,
    rds: Option<Endpoint>,
    iam: Option<Endpoint>,
    /// The endpoint given with [`ClientBuilder::endpoint`]: the IAM lookup follows it.
    shared: Option<Endpoint>,
    http: Option<HttpClient>,
    context: Option<ProviderContext>,
}

impl ClientBuilder {
    /// The region (`cn-north-4`, `ap-southeast-1`, `eu-west-101`). Required.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Uses these AK/SK credentials (and their project id, when they carry one).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.auth = Some(AuthSource::Fixed(Auth::AkSk(credentials)));
        self
    }

    /// Asks this provider for AK/SK credentials, once, in [`ClientBuilder::build`].
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.auth = Some(AuthSource::Provider(Box::new(provider)));
        self
    }

    /// Authenticates with an IAM token (`X-Auth-Token`) instead of AK/SK. The token must be
    /// scoped to the project the calls use.
    pub fn iam_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(AuthSource::Fixed(Auth::IamToken(SecretString::new(token))));
        self
    }

    /// Uses this [`Auth`] as is.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(AuthSource::Fixed(auth));
        self
    }

    /// The section of `~/.huaweicloud/credentials` the default chain reads (default `basic`).
    /// Ignored when credentials, a provider or a token are given.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// The project id to use, over the credentials' own; skips the IAM lookup.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Sends DDS and RDS calls, and the IAM project lookup unless [`ClientBuilder::iam_endpoint`]
    /// says otherwise, to `endpoint` (a private endpoint, a proxy, an emulator): a client
    /// pointed somewhere never sends its AK/SK-signed lookup to the real IAM behind the
    /// caller's back.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.dds = Some(endpoint.clone());
        self.rds = Some(endpoint.clone());
        self.shared = Some(endpoint);
        self
    }

    /// Sends one service's calls to `endpoint`.
    pub fn service_endpoint(mut self, service: Service, endpoint: Endpoint) -> Self {
        match service {
            Service::Dds => self.dds = Some(endpoint),
            Service::Rds => self.rds = Some(endpoint),
        }
        self
    }

    /// Sends the project-id lookup to `endpoint` instead of `iam.<region>.myhuaweicloud.com`
    /// (over [`IAM_ENDPOINT_VARIABLE`]).
    pub fn iam_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.iam = Some(endpoint);
        self
    }

    /// Uses this transport (shared connection pool and retry budget, custom timeouts, test
    /// clocks, offline recorders).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// What the default credential chain (and an explicit provider) may read: environment and
    /// home directory. Default: the operating system's.
    pub fn provider_context(mut self, context: ProviderContext) -> Self {
        self.context = Some(context);
        self
    }

    /// Builds the client: resolves credentials once (the default chain is the environment,
    /// then `~/.huaweicloud/credentials`), checks the region and project id, and picks the
    /// endpoints. Sends nothing.
    pub fn build(self) -> Result<Client> {
        let region = self
            .region
            .ok_or_else(|| Error::invalid("region", "required (for example cn-north-4)"))?;
        check_region(&region)?;
        let context = self.context.unwrap_or_else(ProviderContext::from_os);
        let default_path = self.auth.is_none();
        let auth = match self.auth {
            Some(AuthSource::Fixed(auth)) => auth,
            Some(AuthSource::Provider(p)) => Auth::AkSk(provide(p.as_ref(), &context)?),
            None => Auth::AkSk(provide(
                &ChainProvider::default_for(Vendor::Huawei, self.profile.as_deref()),
                &context,
            )?),
        };
        if let Auth::IamToken(token) = &auth
            && token.expose().trim().is_empty()
        {
            return Err(Error::Credentials("the IAM token is empty".into()));
        }
        // The variable belongs to the default configuration, like the default credential chain.
        let iam_variable = context
            .var(IAM_ENDPOINT_VARIABLE)
            .filter(|v| default_path && !v.is_empty());
        let iam = match (self.iam, self.shared, iam_variable) {
            (Some(endpoint), _, _) | (None, Some(endpoint), _) => endpoint,
            (None, None, Some(url)) => parse_endpoint_variable(&url)?,
            (None, None, None) => Endpoint::https(default_host("iam", &region)),
        };
        let project_id = self
            .project_id
            .or_else(|| auth.project_id().map(str::to_owned));
        if let Some(p) = &project_id {
            check_project_id(p)?;
        }
        let http = match self.http {
            Some(h) => h,
            None => HttpClient::builder().build()?,
        };
        let service_endpoint = |given: Option<Endpoint>, service: Service| {
            given.unwrap_or_else(|| Endpoint::https(default_host(service.host_prefix(), &region)))
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                dds: service_endpoint(self.dds, Service::Dds),
                rds: service_endpoint(self.rds, Service::Rds),
                iam,
                auth,
                project_id: OnceCell::new_with(project_id),
                region,
            }),
        })
    }
}

fn provide(provider: &dyn ProvideCredentials, context: &ProviderContext) -> Result<Credentials> {
    match provider.provide(context) {
        Ok(Some(credentials)) => Ok(credentials),
        Ok(None) => Err(Error::Credentials(Vendor::Huawei.setup_hint())),
        Err(e) => Err(Error::Credentials(e.to_string())),
    }
}

fn check_region(region: &str) -> Result<()> {
    check_chars(
        "region",
        region,
        "must be a region id such as cn-north-4",
        |b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-',
    )
}

fn check_project_id(project_id: &str) -> Result<()> {
    check_chars(
        "project_id",
        project_id,
        "must be letters, digits, '-' or '_'",
        |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_',
    )
}

/// Refuses an empty `value` or one with a byte outside `allowed` (these values go into host
/// names and paths).
fn check_chars(field: &str, value: &str, rule: &str, allowed: fn(u8) -> bool) -> Result<()> {
    if !value.is_empty() && value.bytes().all(allowed) {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("{rule} (got {value:?})")))
    }
}

/// `https://iam.example.com`, `http://127.0.0.1:8080` or a bare host (`https` assumed).
fn parse_endpoint_variable(value: &str) -> Result<Endpoint> {
    let url = if value.contains("://") {
        value.to_owned()
    } else {
        format!("https://{value}")
    };
    Endpoint::parse(&url).map_err(|e| {
        let rule = match e {
            Error::InvalidInput { rule, .. } => rule,
            other => other.to_string(),
        };
        Error::invalid(IAM_ENDPOINT_VARIABLE, rule)
    })
}

#[derive(Deserialize)]
struct ProjectList {
    #[serde(default)]
    projects: Vec<Project>,
}

#[derive(Deserialize)]
struct Project {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
}

/// One operation of DDS or RDS: what to validate and how to put it on the wire.
pub(crate) trait Call {
    /// The service answering it.
    const SERVICE: Service;
    /// The API action name (errors, traces).
    const ACTION: &'static str;
    /// The parsed response.
    type Output: DeserializeOwned;
    /// Checks the input; an error here means nothing is sent (not even the IAM lookup).
    fn validate(&self) -> Result<()>;
    /// The path, `/v3/{project_id}/...`.
    fn path(&self, project_id: &str) -> String;
    /// The query pairs, unencoded; a secret value is a [`ParamValue::Secret`] (signed and sent,
    /// never shown).
    fn query(&self) -> Vec<(String, ParamValue)>;
    /// The `X-Language` header, when the caller chose one.
    fn language(&self) -> Option<&Language> {
        None
    }
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The DDS (document database) operations.
    pub fn dds(&self) -> Dds<'_> {
        Dds::new(self)
    }

    /// The RDS (relational database) operations.
    pub fn rds(&self) -> Rds<'_> {
        Rds::new(self)
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// Where a service's calls go.
    pub fn endpoint(&self, service: Service) -> &Endpoint {
        match service {
            Service::Dds => &self.inner.dds,
            Service::Rds => &self.inner.rds,
        }
    }

    /// The project id: the configured one, or the one IAM lists under the region's name
    /// (`GET /v3/projects?name=<region>`), looked up on first use and cached for this client and
    /// its clones. Zero or several projects is an [`Error::InvalidInput`] on `project_id` that
    /// says what to set. Safe to retry.
    pub async fn project_id(&self) -> Result<&str> {
        self.inner
            .project_id
            .get_or_try_init(|| self.resolve_project_id())
            .await
            .map(String::as_str)
    }

    async fn resolve_project_id(&self) -> Result<String> {
        let i = &self.inner;
        let mut request = ApiRequest::new("GET", "/v3/projects");
        request.put("name", &i.region);
        let operation = Operation::new(
            "huawei-iam",
            "KeystoneListProjects",
            Idempotency::Idempotent,
        );
        let raw = i.auth.send(&i.http, &i.iam, &operation, &request).await?;
        let list: ProjectList = raw.json()?;
        let hint = "set HUAWEICLOUD_SDK_PROJECT_ID (or project_id in ~/.huaweicloud/credentials) \
                    or ClientBuilder::project_id";
        match list.projects.as_slice() {
            [one] => {
                check_project_id(&one.id)?;
                tracing::debug!(region = %i.region, project_id = %one.id, "resolved the project id through IAM");
                Ok(one.id.clone())
            }
            [] => Err(Error::invalid(
                "project_id",
                format!(
                    "IAM lists no project named {:?} for these credentials; {hint}",
                    i.region
                ),
            )),
            several => {
                let found: Vec<String> = several
                    .iter()
                    .map(|p| format!("{} ({})", p.id, p.name))
                    .collect();
                Err(Error::invalid(
                    "project_id",
                    format!(
                        "IAM lists {} projects named {:?} ({}); {hint} to choose one",
                        several.len(),
                        i.region,
                        found.join(", ")
                    ),
                ))
            }
        }
    }

    /// Runs a `ShowBackupDownloadLink` and traces each link with its query cut: links are
    /// credentials.
    pub(crate) async fn download_links<C>(&self, call: &C) -> Result<BackupDownloadLinks>
    where
        C: Call<Output = BackupDownloadLinks>,
    {
        let links = self.execute(call).await?;
        for file in &links.files {
            tracing::debug!(name = %file.name, link = %file.download_link.redacted(), "received a download link");
        }
        Ok(links)
    }

    /// Validates, resolves the project id, sends and parses one call.
    pub(crate) async fn execute<C: Call>(&self, call: &C) -> Result<C::Output> {
        call.validate()?;
        let project_id = self.project_id().await?;
        let mut request = ApiRequest::new("GET", call.path(project_id));
        request.query = call.query();
        request.put_header("X-Project-Id", project_id);
        if let Some(language) = call.language() {
            request.put_header("X-Language", language.as_str());
        }
        let operation = Operation::new(C::SERVICE.vendor(), C::ACTION, Idempotency::Idempotent);
        let i = &self.inner;
        let raw = i
            .auth
            .send(&i.http, self.endpoint(C::SERVICE), &operation, &request)
            .await?;
        raw.json()
    }
}

impl Client {
    /// Every page of an offset/limit listing whose pages are [`BackupList`]s, in order:
    /// `paging` gives the request's `limit` (default 100, the size of each page) and `offset`
    /// (set for each page; the given one is ignored). One list with all the backups and the last
    /// `total_count`; a listing that does not end is an error, not a hang
    /// ([`cloud_http::all_pages`]).
    pub(crate) async fn all_backups<C, B>(
        &self,
        request: &C,
        paging: fn(&mut C) -> (&mut Option<u32>, &mut Option<u32>),
    ) -> Result<BackupList<B>>
    where
        C: Call<Output = BackupList<B>> + Clone,
    {
        let mut request = request.clone();
        let limit = *paging(&mut request).0.get_or_insert(100);
        let operation = cloud_http::OperationName {
            vendor: C::SERVICE.vendor(),
            action: C::ACTION,
        };
        let (backups, total) = cloud_http::all_pages(operation, limit.into(), |_, fetched| {
            *paging(&mut request).1 = Some(fetched as u32);
            let request = request.clone();
            async move {
                let page = self.execute(&request).await?;
                // A total_count of 0 beside backups is a count the service left out.
                let total =
                    (page.total_count > 0 || page.backups.is_empty()).then_some(page.total_count);
                Ok(cloud_http::PageOf {
                    items: page.backups,
                    total,
                })
            }
        })
        .await?;
        Ok(BackupList {
            total_count: total.unwrap_or(backups.len() as u64),
            backups,
        })
    }
}
