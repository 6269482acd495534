//! The client: configuration, one method per operation, the check after an ambiguous create,
//! and the waiter.

use std::fmt;
use std::sync::{Arc, Mutex};

use cloud_http::CredentialSource;
use cloud_http::{
    ApiRequest, Endpoint, HttpClient, Idempotency, Operation, PollState, WaiterConfig,
};
use cloud_sign::{
    ChainProvider, Credentials, ProvideCredentials, ProviderContext, StaticProvider, Vendor,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::{
    BackupDownloadTask, CreateBackupDownloadTaskRequest, CreateBackupDownloadTaskResponse,
    DescribeBackupDownloadTaskRequest, DescribeBackupDownloadTaskResponse,
    DescribeDbBackupsRequest, DescribeDbBackupsResponse, DescribeDbInstancesRequest,
    DescribeDbInstancesResponse, OrderBy, OrderByType, TaskStatus,
};
use crate::protocol::{API_VERSION, CONTENT_TYPE, LANGUAGE, TencentProtocol, VENDOR};
use crate::rate_limit::RateLimiter;
use crate::{Error, Result};

/// The global endpoint host.
pub const DEFAULT_HOST: &str = "mongodb.tencentcloudapi.com";

/// Tencent Cloud regions this crate knows: the region constants of Tencent's official Go SDK
/// (`tencentcloud/common/regions`). A region outside it may still exist (new regions open):
/// reach it with an explicit endpoint.
pub const KNOWN_REGIONS: &[&str] = &[
    "ap-bangkok",
    "ap-beijing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-guangzhou",
    "ap-guangzhou-open",
    "ap-hongkong",
    "ap-jakarta",
    "ap-mumbai",
    "ap-seoul",
    "ap-shanghai",
    "ap-nanjing",
    "ap-shanghai-fsi",
    "ap-shenzhen-fsi",
    "ap-singapore",
    "ap-tokyo",
    "eu-frankfurt",
    "eu-moscow",
    "na-ashburn",
    "na-siliconvalley",
    "na-toronto",
    "sa-saopaulo",
];

/// The page size the helpers use when listing tasks (the API's maximum).
const PAGE: u32 = 100;

/// Builds a [`Client`].
///
/// ```no_run
/// use mongodb_tencent::{Client, Credentials};
/// # fn f() -> mongodb_tencent::Result<()> {
/// let client = Client::builder()
///     .region("ap-guangzhou")
///     .credentials(Credentials::new("AKIDEXAMPLE", "exampleSecretKey"))
///     .rate_limit(20)
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct ClientBuilder {
    region: Option<String>,
    provider: Option<Box<dyn ProvideCredentials>>,
    source: Option<CredentialSource>,
    profile: Option<String>,
    endpoint: Option<Endpoint>,
    regional_endpoint: bool,
    http: Option<HttpClient>,
    rate_limit: Option<u32>,
}

impl ClientBuilder {
    /// The region sent as `X-TC-Region` (`ap-guangzhou`, `ap-shanghai`, ...). Required.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Uses these credentials.
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.credentials_provider(StaticProvider::new(credentials))
    }

    /// Resolves credentials from this provider (once, in [`ClientBuilder::build`]).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.provider = Some(Box::new(provider));
        self
    }

    /// Takes the credentials of every call from `source`: for temporary credentials refreshed
    /// before they expire, such as the CVM instance's role ([`CvmRole`](crate::CvmRole)). Wins
    /// over [`ClientBuilder::credentials`] and providers.
    pub fn credential_source(mut self, source: CredentialSource) -> Self {
        self.source = Some(source);
        self
    }

    /// The profile (section of `~/.tencentcloud/credentials`) the default chain reads.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Sends every call to `endpoint` instead of `https://mongodb.tencentcloudapi.com`
    /// (private endpoints, proxies, the `fake-cloud` emulator). Wins over
    /// [`ClientBuilder::regional_endpoint`].
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Uses the regional host `mongodb.<region>.tencentcloudapi.com` instead of the global one.
    pub fn regional_endpoint(mut self, regional: bool) -> Self {
        self.regional_endpoint = regional;
        self
    }

    /// Uses this transport (timeouts, retries, proxies, an injected clock, an offline backend).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Spaces calls at least `1 / per_second` seconds apart (the API allows 20 per second for
    /// the task operations), shared by all clones of the client. Off by default. Retries are
    /// paced by the transport's backoff, not by this limiter.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = Some(per_second);
        self
    }

    /// Checks the settings and resolves credentials: from the given credentials or provider,
    /// else from the default chain (environment `TENCENTCLOUD_SECRET_ID` /
    /// `TENCENTCLOUD_SECRET_KEY`, then the profile file).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a missing or malformed region, a zero rate limit, or a
    /// transport that cannot be built; [`Error::Credentials`] when no credentials are found or
    /// they are broken.
    pub fn build(self) -> Result<Client> {
        let region = self.region.unwrap_or_default();
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
        if self.rate_limit == Some(0) {
            return Err(Error::invalid(
                "rate_limit",
                "must be at least 1 request per second",
            ));
        }
        let endpoint = self.endpoint.unwrap_or_else(|| {
            if self.regional_endpoint {
                Endpoint::https(format!("mongodb.{region}.tencentcloudapi.com"))
            } else {
                Endpoint::https(DEFAULT_HOST)
            }
        });
        let credentials = match self.source {
            Some(source) => source,
            None => {
                let provider = self.provider.unwrap_or_else(|| {
                    Box::new(ChainProvider::default_for(
                        Vendor::Tencent,
                        self.profile.as_deref(),
                    ))
                });
                match provider.provide(&ProviderContext::from_os()) {
                    Ok(Some(c)) => CredentialSource::Fixed(c),
                    Ok(None) => return Err(Error::Credentials(Vendor::Tencent.setup_hint())),
                    Err(e) => return Err(Error::Credentials(e.to_string())),
                }
            }
        };
        let http = match self.http {
            Some(h) => h,
            None => HttpClient::builder().build()?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoint,
                region,
                credentials,
                protocol: TencentProtocol::new(),
                limiter: self.rate_limit.map(RateLimiter::new),
            }),
        })
    }
}

struct Inner {
    http: HttpClient,
    endpoint: Endpoint,
    region: String,
    credentials: CredentialSource,
    protocol: TencentProtocol,
    limiter: Option<RateLimiter>,
}

/// A TencentDB for MongoDB client (API version 2019-07-25). Cheap to clone: clones share the
/// transport, the credentials, the signing-key cache and the rate limiter.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("region", &self.inner.region)
            .field("endpoint", &self.inner.endpoint.to_string())
            .field("credentials", &self.inner.credentials)
            .field(
                "rate_limit_per_second",
                &self.inner.limiter.as_ref().map(RateLimiter::per_second),
            )
            .finish_non_exhaustive()
    }
}

/// The envelope every answer comes in.
#[derive(serde::Deserialize)]
struct Envelope<T> {
    #[serde(rename = "Response")]
    response: T,
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The region sent as `X-TC-Region`.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The endpoint calls go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The transport (its clock, sleep and configuration).
    pub fn http_client(&self) -> &HttpClient {
        &self.inner.http
    }

    async fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        action: &'static str,
        idempotency: Idempotency,
        body: &Req,
    ) -> Result<Resp> {
        let operation = Operation::new(VENDOR, action, idempotency);
        let mut request = ApiRequest::new("POST", "/");
        request.headers = [
            ("Content-Type", CONTENT_TYPE),
            ("X-TC-Action", action),
            ("X-TC-Version", API_VERSION),
            ("X-TC-Region", self.inner.region.as_str()),
            ("X-TC-Language", LANGUAGE),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.into()))
        .collect();
        request.body =
            serde_json::to_vec(body).map_err(|e| Error::invalid(action, e.to_string()))?;
        if let Some(limiter) = &self.inner.limiter {
            limiter.acquire(&self.inner.http).await;
        }
        let credentials = self.inner.credentials.get().await?;
        let raw = self
            .inner
            .http
            .send(
                &self.inner.endpoint,
                &operation,
                &request,
                &self.inner.protocol.with(&credentials),
            )
            .await?;
        raw.json::<Envelope<Resp>>().map(|e| e.response)
    }

    /// `CreateBackupDownloadTask`: starts preparing the download of one backup file, one task
    /// per listed replica set / shard. Poll with [`Client::wait_for_backup_download`].
    ///
    /// **Not safe to retry blindly.** The API takes no idempotency token, so the transport
    /// resends it only when the failure proves the service did not act (the connection was never
    /// made, the call was throttled, or its timestamp was refused); after a timeout, a reset
    /// connection or an `InternalError` it returns the error instead. When
    /// `err.may_have_reached_server()` is true, the task may or may not exist: ask the service
    /// before creating it again. [`Client::find_backup_download_tasks`] does exactly that check
    /// (`DescribeBackupDownloadTask` filtered by `InstanceId` and `BackupName`, newest task per
    /// requested replica set):
    ///
    /// ```no_run
    /// # use mongodb_tencent::{Client, CreateBackupDownloadTaskRequest, Result};
    /// # async fn f(client: &Client, request: &CreateBackupDownloadTaskRequest) -> Result<()> {
    /// match client.create_backup_download_task(request).await {
    ///     Ok(created) => println!("{} task(s) started", created.tasks.len()),
    ///     Err(err) if err.may_have_reached_server() => {
    ///         let existing = client.find_backup_download_tasks(request).await?;
    ///         if existing.len() == request.backup_sets.len() {
    ///             // Every replica set has a task (this call's or an earlier one's): wait for them.
    ///         } else if existing.is_empty() {
    ///             // Nothing was created: sending the same request again is safe.
    ///             client.create_backup_download_task(request).await?;
    ///         } else {
    ///             // Some replica sets have a task: create only the missing ones.
    ///         }
    ///     }
    ///     Err(err) => return Err(err),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// The check reflects what the service lists at that moment; a task created a moment ago
    /// normally appears at once, but allow a few seconds before concluding it does not exist.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) when [`CreateBackupDownloadTaskRequest::validate`]
    /// fails; service codes include `InvalidParameterValue.BackupFileNotFound`,
    /// `InvalidParameterValue.NotFoundInstance`, `InvalidParameter.PermissionDenied`,
    /// `InternalError.CheckAppIdFailed` and `InternalError` (see [`codes`](crate::codes)).
    pub async fn create_backup_download_task(
        &self,
        request: &CreateBackupDownloadTaskRequest,
    ) -> Result<CreateBackupDownloadTaskResponse> {
        request.validate()?;
        self.call("CreateBackupDownloadTask", Idempotency::Unsafe, request)
            .await
    }

    /// `DescribeBackupDownloadTask`: lists download tasks; a finished task carries its `Url`.
    /// A read: safe to retry, and retried automatically on throttling, 5xx and `InternalError`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) when
    /// [`DescribeBackupDownloadTaskRequest::validate`] fails; otherwise the service's errors.
    pub async fn describe_backup_download_task(
        &self,
        request: &DescribeBackupDownloadTaskRequest,
    ) -> Result<DescribeBackupDownloadTaskResponse> {
        request.validate()?;
        self.call(
            "DescribeBackupDownloadTask",
            Idempotency::Idempotent,
            request,
        )
        .await
    }

    /// `DescribeDBBackups`: lists an instance's backups, to find the `BackupName` to download.
    /// A read: safe to retry, and retried automatically on throttling, 5xx and `InternalError`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) when [`DescribeDbBackupsRequest::validate`]
    /// fails; otherwise the service's errors.
    pub async fn describe_db_backups(
        &self,
        request: &DescribeDbBackupsRequest,
    ) -> Result<DescribeDbBackupsResponse> {
        request.validate()?;
        self.call("DescribeDBBackups", Idempotency::Idempotent, request)
            .await
    }

    /// `DescribeDBInstances`: lists instances with their replica sets or shards
    /// ([`InstanceDetail::replica_set_ids`](crate::InstanceDetail::replica_set_ids) gives what
    /// `CreateBackupDownloadTask`'s `BackupSets` wants). Filters on ids, architecture, state,
    /// network, project, tags or a search key; 20 per page unless `Limit` says otherwise. A
    /// read: safe to retry, and retried automatically on throttling (the API allows 20 calls per
    /// second), 5xx and `InternalError`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) when [`DescribeDbInstancesRequest::validate`]
    /// fails; otherwise the service's errors.
    pub async fn describe_db_instances(
        &self,
        request: &DescribeDbInstancesRequest,
    ) -> Result<DescribeDbInstancesResponse> {
        request.validate()?;
        self.call("DescribeDBInstances", Idempotency::Idempotent, request)
            .await
    }

    /// Every page of `DescribeBackupDownloadTask`, in order (the request's `offset` is ignored;
    /// its `limit`, default 100, is the size of each page): one response with all the tasks,
    /// the last `TotalCount` and `RequestId`. A listing that does not end is an error, not a
    /// hang ([`cloud_http::all_pages`]).
    pub async fn describe_backup_download_task_all(
        &self,
        request: &DescribeBackupDownloadTaskRequest,
    ) -> Result<DescribeBackupDownloadTaskResponse> {
        let fetch = |r: DescribeBackupDownloadTaskRequest| async move {
            let r = self.describe_backup_download_task(&r).await?;
            Ok((r.tasks, r.total_count, r.request_id))
        };
        let (tasks, total_count, request_id) = every_page(
            "DescribeBackupDownloadTask",
            request,
            |r| (&mut r.limit, &mut r.offset),
            fetch,
        )
        .await?;
        Ok(DescribeBackupDownloadTaskResponse {
            total_count,
            tasks,
            request_id,
        })
    }

    /// Every page of `DescribeDBBackups`, in order (`offset` ignored; `limit`, default 100,
    /// per page), as [`Client::describe_backup_download_task_all`].
    pub async fn describe_db_backups_all(
        &self,
        request: &DescribeDbBackupsRequest,
    ) -> Result<DescribeDbBackupsResponse> {
        let fetch = |r: DescribeDbBackupsRequest| async move {
            let r = self.describe_db_backups(&r).await?;
            Ok((r.backup_list, r.total_count, r.request_id))
        };
        let (backup_list, total_count, request_id) = every_page(
            "DescribeDBBackups",
            request,
            |r| (&mut r.limit, &mut r.offset),
            fetch,
        )
        .await?;
        Ok(DescribeDbBackupsResponse {
            backup_list,
            total_count,
            request_id,
        })
    }

    /// Every page of `DescribeDBInstances`, in order (`offset` ignored; `limit`, default 100,
    /// per page), as [`Client::describe_backup_download_task_all`].
    pub async fn describe_db_instances_all(
        &self,
        request: &DescribeDbInstancesRequest,
    ) -> Result<DescribeDbInstancesResponse> {
        let fetch = |r: DescribeDbInstancesRequest| async move {
            let r = self.describe_db_instances(&r).await?;
            Ok((r.instance_details, r.total_count, r.request_id))
        };
        let (instance_details, total_count, request_id) = every_page(
            "DescribeDBInstances",
            request,
            |r| (&mut r.limit, &mut r.offset),
            fetch,
        )
        .await?;
        Ok(DescribeDbInstancesResponse {
            total_count,
            instance_details,
            request_id,
        })
    }

    /// The check after an ambiguous [`Client::create_backup_download_task`] failure: lists the
    /// download tasks of `request`'s instance and backup (`DescribeBackupDownloadTask` with
    /// `InstanceId` and `BackupName`, ordered by `createTime` descending, page by page until
    /// every replica set is found or the list ends) and returns the first, i.e. newest, task of
    /// each requested replica set that has one, in the request's order. A read: safe to retry.
    ///
    /// Every replica set present means the tasks exist (possibly from an earlier call, possibly
    /// finished or failed: look at their `Status`); an empty list means none was created.
    pub async fn find_backup_download_tasks(
        &self,
        request: &CreateBackupDownloadTaskRequest,
    ) -> Result<Vec<BackupDownloadTask>> {
        request.validate()?;
        let wanted: Vec<&str> = request.replica_set_ids().collect();
        let mut newest: Vec<Option<BackupDownloadTask>> = vec![None; wanted.len()];
        let mut offset = 0u32;
        loop {
            let page = self
                .describe_backup_download_task(&DescribeBackupDownloadTaskRequest {
                    backup_name: Some(request.backup_name.clone()),
                    limit: Some(PAGE),
                    offset: Some(offset),
                    order_by: Some(OrderBy::CreateTime),
                    order_by_type: Some(OrderByType::Desc),
                    ..DescribeBackupDownloadTaskRequest::new(request.instance_id.as_str())
                })
                .await?;
            let listed = page.tasks.len() as u32;
            for task in page.tasks {
                if let Some(i) = wanted.iter().position(|id| *id == task.replica_set_id)
                    && newest[i].is_none()
                {
                    newest[i] = Some(task);
                }
            }
            offset = offset.saturating_add(listed);
            let all_found = newest.iter().all(Option::is_some);
            if all_found || listed == 0 || u64::from(offset) >= page.total_count {
                break;
            }
        }
        Ok(newest.into_iter().flatten().collect())
    }

    /// Waits until the task of every replica set in `request` is finished (`Status` 2 with its
    /// `Url`) and returns those tasks in the request's order, or fails with
    /// [`Error::TaskFailed`] as soon as one task has failed (`Status` 3).
    ///
    /// Each poll is [`Client::find_backup_download_tasks`]; `on_progress` gets the tasks found
    /// (with `Status` and `Percent`) after every poll. Polls are spaced as `config` says
    /// (default: 2 s doubling to 30 s, up to 1 h), then [`Error::WaitTimeout`]: the tasks
    /// themselves go on. The `Url`s are short-lived: download soon, or call this again to
    /// refresh them.
    pub async fn wait_for_backup_download<F>(
        &self,
        request: &CreateBackupDownloadTaskRequest,
        config: &WaiterConfig,
        on_progress: F,
    ) -> Result<Vec<BackupDownloadTask>>
    where
        F: FnMut(&[BackupDownloadTask]) + Send,
    {
        request.validate()?;
        let on_progress = Mutex::new(on_progress);
        let what = format!(
            "backup download of {:?} of {}",
            request.backup_name, request.instance_id
        );
        self.inner
            .http
            .wait_until(&what, config, || {
                let (client, on_progress) = (self, &on_progress);
                async move {
                    let tasks = client.find_backup_download_tasks(request).await?;
                    (on_progress.lock().unwrap_or_else(|e| e.into_inner()))(&tasks);
                    download_state(request, tasks)
                }
            })
            .await
    }
}

/// One poll's verdict: ready when every requested replica set's task is finished with a `Url`.
fn download_state(
    request: &CreateBackupDownloadTaskRequest,
    tasks: Vec<BackupDownloadTask>,
) -> Result<PollState<Vec<BackupDownloadTask>>> {
    if let Some(failed) = tasks.iter().find(|t| t.status == TaskStatus::Failed) {
        return Err(Error::TaskFailed {
            what: format!(
                "backup download of {:?} of {}, replica set {}",
                request.backup_name, request.instance_id, failed.replica_set_id
            ),
            state: failed.status.to_string(),
        });
    }
    let pending: Vec<String> = request
        .replica_set_ids()
        .filter_map(|id| match tasks.iter().find(|t| t.replica_set_id == id) {
            None => Some(format!("{id}: not listed yet")),
            Some(t) if t.status == TaskStatus::Finished && !t.url.is_empty() => None,
            Some(t) if t.status == TaskStatus::Finished => {
                Some(format!("{id}: finished, no Url yet"))
            }
            Some(t) => Some(format!("{id}: {} {}%", t.status, t.percent)),
        })
        .collect();
    Ok(if pending.is_empty() {
        PollState::Ready(tasks)
    } else {
        PollState::Pending(pending.join(", "))
    })
}

/// Every page of an offset/limit listing: `paging` gives the request's `limit` (default 100,
/// the size of each page) and `offset` (set for each page); `fetch` sends one page and gives its
/// items, `TotalCount` and `RequestId`. The items of all pages, the last total (a `TotalCount`
/// of 0 beside items is a count the service left out) and the last request id.
async fn every_page<R, T, Fut>(
    action: &'static str,
    request: &R,
    paging: fn(&mut R) -> (&mut Option<u32>, &mut Option<u32>),
    fetch: impl Fn(R) -> Fut,
) -> Result<(Vec<T>, u64, String)>
where
    R: Clone,
    Fut: Future<Output = Result<(Vec<T>, u64, String)>>,
{
    let mut request = request.clone();
    let size = *paging(&mut request).0.get_or_insert(100);
    let operation = cloud_http::OperationName {
        vendor: crate::protocol::VENDOR,
        action,
    };
    let last_id = Mutex::new(String::new());
    let (items, total) = cloud_http::all_pages(operation, size.into(), |_, fetched| {
        *paging(&mut request).1 = Some(fetched as u32);
        let (page, last_id) = (fetch(request.clone()), &last_id);
        async move {
            let (items, total_count, request_id) = page.await?;
            *last_id.lock().unwrap_or_else(|p| p.into_inner()) = request_id;
            let total = (total_count > 0 || items.is_empty()).then_some(total_count);
            Ok(cloud_http::PageOf { items, total })
        }
    })
    .await?;
    let total = total.unwrap_or(items.len() as u64);
    let request_id = last_id.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok((items, total, request_id))
}
