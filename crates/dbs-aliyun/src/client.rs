//! The DBS client: one async method per operation, and waiters.

use std::sync::Mutex;
use std::time::Duration;

use cloud_http::CredentialSource;
use cloud_http::model::lenient::parse_bool;
use cloud_http::{
    ApiRequest, Endpoint, Error, HttpClient, Idempotency, Operation, PollState, WaiterConfig,
};
use cloud_sign::{ChainProvider, Credentials, ProvideCredentials, ProviderContext, Vendor};
use serde::de::DeserializeOwned;

use crate::download::{
    CreateDownloadRequest, CreateDownloadWire, CreatedDownload, DataTextWire,
    DescribeDownloadSupportRequest, DescribeDownloadTaskRequest, DownloadLinks, DownloadStatus,
    DownloadSupport, DownloadTask, DownloadTaskKey, DownloadTaskListWire, RetriedDownload,
    RetryDownloadTaskRequest, SortOrder, StorageInfoRequest, StorageInfoWire,
};
use crate::endpoint::{Product, ProductEndpoints, endpoint_host};
use crate::mongodb::MongoDb;
use crate::page::{Page, Paged};
use crate::polardb::PolarDb;
use crate::protocol::{Acs3, VENDOR};
use crate::rds::Rds;
use crate::restore::{
    BackupPlan, BackupPlanListWire, CreateRestoreTaskRequest, CreatedRestoreTask,
    DescribeBackupPlanListRequest, DescribeFullBackupListRequest, DescribeRestoreTaskListRequest,
    FullBackup, FullBackupListWire, RestoreStatus, RestoreTask, RestoreTaskIdWire,
    RestoreTaskListWire, StartRestoreTaskRequest, StartedRestoreTask, check_client_token,
};
use crate::wire::Query;

const V2021: &str = "2021-01-01";
const V2019: &str = "2019-03-06";

/// An operation: its action, API version and whether it may be sent twice.
pub(crate) struct Action {
    pub(crate) name: &'static str,
    pub(crate) version: &'static str,
    pub(crate) idempotency: Idempotency,
}

impl Action {
    /// A read: resent on throttling, 5xx and connection failures.
    pub(crate) const fn read(name: &'static str, version: &'static str) -> Self {
        Action {
            name,
            version,
            idempotency: Idempotency::Idempotent,
        }
    }
}

const CREATE_DOWNLOAD: Action = Action {
    name: "CreateDownload",
    version: V2021,
    idempotency: Idempotency::Unsafe,
};
const DESCRIBE_DOWNLOAD_TASK: Action = Action {
    name: "DescribeDownloadTask",
    version: V2021,
    idempotency: Idempotency::Idempotent,
};
const DESCRIBE_STORAGE_INFO: Action = Action {
    name: "DescribeDownloadBackupSetStorageInfo",
    version: V2021,
    idempotency: Idempotency::Idempotent,
};
const DESCRIBE_DOWNLOAD_SUPPORT: Action = Action {
    name: "DescribeDownloadSupport",
    version: V2021,
    idempotency: Idempotency::Idempotent,
};
const RETRY_DOWNLOAD_TASK: Action = Action {
    name: "RetryDownloadTask",
    version: V2021,
    idempotency: Idempotency::Unsafe,
};
const CREATE_RESTORE_TASK: Action = Action {
    name: "CreateRestoreTask",
    version: V2019,
    idempotency: Idempotency::Token,
};
const START_RESTORE_TASK: Action = Action {
    name: "StartRestoreTask",
    version: V2019,
    idempotency: Idempotency::Token,
};
const DESCRIBE_RESTORE_TASK_LIST: Action = Action {
    name: "DescribeRestoreTaskList",
    version: V2019,
    idempotency: Idempotency::Idempotent,
};
const DESCRIBE_BACKUP_PLAN_LIST: Action = Action {
    name: "DescribeBackupPlanList",
    version: V2019,
    idempotency: Idempotency::Idempotent,
};
const DESCRIBE_FULL_BACKUP_LIST: Action = Action {
    name: "DescribeFullBackupList",
    version: V2019,
    idempotency: Idempotency::Idempotent,
};

/// Tasks fetched per page while a waiter looks for its download task.
const WAIT_PAGE_SIZE: u32 = 50;
/// Pages a waiter reads at most per poll while looking for its download task.
const WAIT_MAX_PAGES: u32 = 10;
/// How far before its reported creation time a waiter starts listing (clock differences).
const WAIT_CREATED_SLACK: Duration = Duration::from_secs(300);

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    region: Option<String>,
    credentials: Option<CredentialSource>,
    provider: Option<Box<dyn ProvideCredentials>>,
    provider_context: Option<ProviderContext>,
    endpoint: Option<Endpoint>,
    http: Option<HttpClient>,
}

impl ClientBuilder {
    /// The region (`cn-hangzhou`, `ap-southeast-1`, ...), sent as `RegionCode`; the endpoint
    /// comes from the region table ([`endpoint_host`](crate::endpoint_host)) unless overridden.
    /// Required.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Uses these credentials instead of looking for them.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(CredentialSource::Fixed(credentials));
        self
    }

    /// Takes the credentials of every call from `source`: for temporary credentials that are
    /// refreshed before they expire, such as the ECS instance's RAM role:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use dbs_aliyun::{Client, CredentialSource, EcsRamRole, RefreshingCredentials};
    /// let role = EcsRamRole::new(None).unwrap();
    /// let client = Client::builder()
    ///     .region("cn-hangzhou")
    ///     .credential_source(CredentialSource::Refreshing(Arc::new(RefreshingCredentials::new(role))))
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn credential_source(mut self, source: CredentialSource) -> Self {
        self.credentials = Some(source);
        self
    }

    /// Looks for credentials with this provider instead of the default chain (environment, then
    /// `~/.aliyun/config.json`).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.provider = Some(Box::new(provider));
        self
    }

    /// What credential providers may read (environment, home directory); the real OS by
    /// default.
    pub fn provider_context(mut self, context: ProviderContext) -> Self {
        self.provider_context = Some(context);
        self
    }

    /// Sends to this endpoint instead of the region's (private / VPC endpoints, proxies,
    /// emulators). Plain `http://` also needs `allow_http` in the transport's configuration.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Uses this transport (timeouts, retries, a custom `reqwest` client, test doubles).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Resolves the endpoint and the credentials and builds the client. Credentials are looked
    /// up once, here: a missing or broken configuration fails now with
    /// [`Error::Credentials`], not at the first call.
    pub fn build(self) -> Result<Client, Error> {
        let region = self.region.unwrap_or_default();
        let products = ProductEndpoints::resolve(&region, self.endpoint.as_ref())?;
        let endpoint = match self.endpoint {
            Some(e) => {
                // The region is still sent as `RegionCode`; check it all the same.
                endpoint_host(&region)?;
                e
            }
            None => Endpoint::https(endpoint_host(&region)?),
        };
        let credentials = match self.credentials {
            Some(c) => c,
            None => {
                let context = self
                    .provider_context
                    .unwrap_or_else(ProviderContext::from_os);
                let provider = self
                    .provider
                    .unwrap_or_else(|| Box::new(ChainProvider::default_for(Vendor::Aliyun, None)));
                let found = provider
                    .provide(&context)
                    .map_err(|e| Error::Credentials(e.to_string()))?
                    .ok_or_else(|| Error::Credentials(Vendor::Aliyun.setup_hint()))?;
                CredentialSource::Fixed(found)
            }
        };
        let http = match self.http {
            Some(h) => h,
            None => HttpClient::builder().build()?,
        };
        Ok(Client {
            http,
            endpoint,
            credentials,
            region,
            products,
        })
    }
}

/// An Alibaba Cloud DBS client for one region. Cheap to clone.
///
/// The database products' own backup listings are reached through [`Client::rds`],
/// [`Client::polardb`] and [`Client::mongodb`], with the same credentials and transport.
#[derive(Debug, Clone)]
pub struct Client {
    http: HttpClient,
    endpoint: Endpoint,
    credentials: CredentialSource,
    region: String,
    /// Where each database product's calls go.
    products: ProductEndpoints,
}

impl Client {
    /// A builder; [`ClientBuilder::region`] is required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The endpoint `product`'s requests go to: the explicit endpoint the client was built with
    /// (private endpoints, emulators), else the product's host for the region
    /// ([`product_host`](crate::product_host)).
    pub fn product_endpoint(&self, product: Product) -> &Endpoint {
        self.products.get(product)
    }

    /// RDS's backup operations (`DescribeBackups`, `DescribeDBInstanceAttribute`).
    pub fn rds(&self) -> Rds<'_> {
        Rds::new(self)
    }

    /// PolarDB's backup operations (`DescribeBackups`).
    pub fn polardb(&self) -> PolarDb<'_> {
        PolarDb::new(self)
    }

    /// ApsaraDB for MongoDB's backup operations (`DescribeBackups`, `DescribeClusterBackups`).
    pub fn mongodb(&self) -> MongoDb<'_> {
        MongoDb::new(self)
    }

    /// The transport.
    pub fn http_client(&self) -> &HttpClient {
        &self.http
    }

    fn region_code<'a>(&'a self, given: Option<&'a str>) -> Result<&'a str, Error> {
        match given {
            Some(r) => {
                crate::wire::require("RegionCode", r)?;
                Ok(r)
            }
            None => Ok(&self.region),
        }
    }

    /// Sends one operation (signed anew on every attempt) and parses the successful body.
    async fn call<T: DeserializeOwned>(
        &self,
        action: &Action,
        query: Query,
    ) -> Result<(T, cloud_http::RawResponse), Error> {
        self.send(&self.endpoint, VENDOR, action, query).await
    }

    /// [`Client::call`] for an operation of a database product: to its endpoint, named after it.
    pub(crate) async fn call_product<T: DeserializeOwned>(
        &self,
        product: Product,
        action: &Action,
        query: Query,
    ) -> Result<(T, cloud_http::RawResponse), Error> {
        self.send(self.products.get(product), product.vendor(), action, query)
            .await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        vendor: &'static str,
        action: &Action,
        query: Query,
    ) -> Result<(T, cloud_http::RawResponse), Error> {
        let mut request = ApiRequest::new("POST", "/");
        request.query = query.0;
        let operation = Operation::new(vendor, action.name, action.idempotency);
        let credentials = self.credentials.get().await?;
        let protocol = Acs3 {
            credentials: &credentials,
            version: action.version,
        };
        let raw = self
            .http
            .send(endpoint, &operation, &request, &protocol)
            .await?;
        let parsed = raw.json::<T>()?;
        Ok((parsed, raw))
    }

    /// `CreateDownload` (2021-01-01): starts an advanced download task.
    ///
    /// Not retried after the request may have reached the server (DBS takes no idempotency
    /// token for it); throttled and never-sent attempts are retried.
    pub async fn create_download(
        &self,
        request: &CreateDownloadRequest,
    ) -> Result<CreatedDownload, Error> {
        let region = self.region_code(request.region_code.as_deref())?;
        let query = request.to_query(region)?;
        let (wire, raw): (CreateDownloadWire, _) = self.call(&CREATE_DOWNLOAD, query).await?;
        let task = wire
            .data
            .ok_or_else(|| raw.unreadable("the response has no Data"))?;
        Ok(CreatedDownload {
            key: request.key(region, &task),
            task,
            request_id: raw.request_id,
        })
    }

    /// `DescribeDownloadTask` (2021-01-01): one page of an instance's download tasks.
    pub async fn describe_download_task(
        &self,
        request: &DescribeDownloadTaskRequest,
    ) -> Result<Page<DownloadTask>, Error> {
        let region = self.region_code(request.region_code.as_deref())?;
        let query = request.to_query(region)?;
        let (wire, raw): (DownloadTaskListWire, _) =
            self.call(&DESCRIBE_DOWNLOAD_TASK, query).await?;
        let data = wire
            .data
            .ok_or_else(|| raw.unreadable("the response has no Data"))?;
        let items = data.content.map(|c| c.list).unwrap_or_default();
        Ok(Page::new(items, data.counts, raw.request_id))
    }

    /// `DescribeDownloadBackupSetStorageInfo` (2021-01-01): the download links of a finished
    /// URL-type task. The links are credentials: see [`DownloadUrl`](crate::DownloadUrl).
    pub async fn describe_download_backup_set_storage_info(
        &self,
        request: &StorageInfoRequest,
    ) -> Result<DownloadLinks, Error> {
        let region = self.region_code(request.region_code.as_deref())?;
        let query = request.to_query(region)?;
        let (wire, raw): (StorageInfoWire, _) = self.call(&DESCRIBE_STORAGE_INFO, query).await?;
        let mut links = wire
            .data
            .ok_or_else(|| raw.unreadable("the response has no Data"))?;
        links.request_id = raw.request_id;
        Ok(links)
    }

    /// `DescribeDownloadSupport` (2021-01-01): whether an instance supports advanced download.
    pub async fn describe_download_support(
        &self,
        request: &DescribeDownloadSupportRequest,
    ) -> Result<DownloadSupport, Error> {
        let region = self.region_code(request.region_code.as_deref())?;
        let query = request.to_query(region)?;
        let (wire, raw): (DataTextWire, _) = self.call(&DESCRIBE_DOWNLOAD_SUPPORT, query).await?;
        let supported = wire
            .data
            .as_deref()
            .and_then(parse_bool)
            .ok_or_else(|| raw.unreadable("Data is not true or false"))?;
        Ok(DownloadSupport {
            supported,
            request_id: raw.request_id,
        })
    }

    /// `RetryDownloadTask` (2021-01-01): retries a failed download task. Like
    /// [`Client::create_download`], not retried once it may have reached the server.
    pub async fn retry_download_task(
        &self,
        request: &RetryDownloadTaskRequest,
    ) -> Result<RetriedDownload, Error> {
        let region = self.region_code(request.region_code.as_deref())?;
        let query = request.to_query(region)?;
        let (wire, raw): (DataTextWire, _) = self.call(&RETRY_DOWNLOAD_TASK, query).await?;
        Ok(RetriedDownload {
            data: wire.data,
            request_id: raw.request_id,
        })
    }

    /// The caller's token, checked, or a fresh one for this logical call. It is part of the
    /// request built once, so every attempt carries the same token.
    fn client_token(&self, given: Option<&str>) -> Result<String, Error> {
        match given {
            Some(t) => {
                check_client_token(t)?;
                Ok(t.to_owned())
            }
            None => Ok(self.http.random().nonce()),
        }
    }

    /// `CreateRestoreTask` (2019-03-06): creates a restore job. Carries a `ClientToken` (the
    /// caller's, or one generated for this call and kept across retries), so it is retried
    /// like a read.
    pub async fn create_restore_task(
        &self,
        request: &CreateRestoreTaskRequest,
    ) -> Result<CreatedRestoreTask, Error> {
        let token = self.client_token(request.client_token.as_deref())?;
        let query = request.to_query(&token)?;
        let (wire, raw): (RestoreTaskIdWire, _) = self.call(&CREATE_RESTORE_TASK, query).await?;
        let restore_task_id = wire
            .restore_task_id
            .ok_or_else(|| raw.unreadable("the response has no RestoreTaskId"))?;
        Ok(CreatedRestoreTask {
            restore_task_id,
            client_token: token,
            request_id: raw.request_id,
        })
    }

    /// `StartRestoreTask` (2019-03-06): starts a created restore job, with a `ClientToken` like
    /// [`Client::create_restore_task`].
    pub async fn start_restore_task(
        &self,
        request: &StartRestoreTaskRequest,
    ) -> Result<StartedRestoreTask, Error> {
        let token = self.client_token(request.client_token.as_deref())?;
        let query = request.to_query(&token)?;
        let (wire, raw): (RestoreTaskIdWire, _) = self.call(&START_RESTORE_TASK, query).await?;
        Ok(StartedRestoreTask {
            restore_task_id: wire
                .restore_task_id
                .unwrap_or_else(|| request.restore_task_id.clone()),
            client_token: token,
            request_id: raw.request_id,
        })
    }

    /// `DescribeRestoreTaskList` (2019-03-06): one page of restore jobs.
    pub async fn describe_restore_task_list(
        &self,
        request: &DescribeRestoreTaskListRequest,
    ) -> Result<Page<RestoreTask>, Error> {
        let (wire, raw): (RestoreTaskListWire, _) = self
            .call(&DESCRIBE_RESTORE_TASK_LIST, request.to_query()?)
            .await?;
        let items = wire
            .items
            .map(|i| i.restore_task_detail)
            .unwrap_or_default();
        Ok(Page::new(items, wire.counts, raw.request_id))
    }

    /// `DescribeBackupPlanList` (2019-03-06): one page of backup plans.
    pub async fn describe_backup_plan_list(
        &self,
        request: &DescribeBackupPlanListRequest,
    ) -> Result<Page<BackupPlan>, Error> {
        let (wire, raw): (BackupPlanListWire, _) = self
            .call(&DESCRIBE_BACKUP_PLAN_LIST, request.to_query()?)
            .await?;
        let items = wire.items.map(|i| i.backup_plan_detail).unwrap_or_default();
        Ok(Page::new(items, wire.counts, raw.request_id))
    }

    /// `DescribeFullBackupList` (2019-03-06): one page of a plan's full backups.
    pub async fn describe_full_backup_list(
        &self,
        request: &DescribeFullBackupListRequest,
    ) -> Result<Page<FullBackup>, Error> {
        let (wire, raw): (FullBackupListWire, _) = self
            .call(&DESCRIBE_FULL_BACKUP_LIST, request.to_query()?)
            .await?;
        let items = wire.items.map(|i| i.full_backup_file).unwrap_or_default();
        Ok(Page::new(items, wire.counts, raw.request_id))
    }

    /// Every page of `DescribeDownloadTask`, in order (the request's `current_page` is ignored;
    /// its `page_size`, default 100, is the size of each page). Stops at the last page; a
    /// listing that does not end is an error, not a hang ([`cloud_http::all_pages`]).
    pub async fn describe_download_task_all(
        &self,
        request: &DescribeDownloadTaskRequest,
    ) -> Result<Page<DownloadTask>, Error> {
        let fetch =
            |r: DescribeDownloadTaskRequest| async move { self.describe_download_task(&r).await };
        every_page(
            &DESCRIBE_DOWNLOAD_TASK,
            request,
            1,
            |r| (&mut r.page_size, &mut r.current_page),
            fetch,
        )
        .await
    }

    /// Every page of `DescribeRestoreTaskList`, in order (`page_num` ignored; `page_size`,
    /// default 100, per page).
    pub async fn describe_restore_task_list_all(
        &self,
        request: &DescribeRestoreTaskListRequest,
    ) -> Result<Page<RestoreTask>, Error> {
        let fetch = |r: DescribeRestoreTaskListRequest| async move {
            self.describe_restore_task_list(&r).await
        };
        every_page(
            &DESCRIBE_RESTORE_TASK_LIST,
            request,
            0,
            |r| (&mut r.page_size, &mut r.page_num),
            fetch,
        )
        .await
    }

    /// Every page of `DescribeBackupPlanList`, in order (`page_num` ignored; `page_size`,
    /// default 100, per page).
    pub async fn describe_backup_plan_list_all(
        &self,
        request: &DescribeBackupPlanListRequest,
    ) -> Result<Page<BackupPlan>, Error> {
        let fetch = |r: DescribeBackupPlanListRequest| async move {
            self.describe_backup_plan_list(&r).await
        };
        every_page(
            &DESCRIBE_BACKUP_PLAN_LIST,
            request,
            0,
            |r| (&mut r.page_size, &mut r.page_num),
            fetch,
        )
        .await
    }

    /// Every page of `DescribeFullBackupList`, in order (`page_num` ignored; `page_size` 30, 50
    /// or 100, default 100, per page).
    pub async fn describe_full_backup_list_all(
        &self,
        request: &DescribeFullBackupListRequest,
    ) -> Result<Page<FullBackup>, Error> {
        let fetch = |r: DescribeFullBackupListRequest| async move {
            self.describe_full_backup_list(&r).await
        };
        every_page(
            &DESCRIBE_FULL_BACKUP_LIST,
            request,
            0,
            |r| (&mut r.page_size, &mut r.page_num),
            fetch,
        )
        .await
    }

    /// Looks for the task `key` names in its instance's listing, newest first.
    async fn find_download_task(
        &self,
        key: &DownloadTaskKey,
    ) -> Result<Option<DownloadTask>, Error> {
        let mut request = DescribeDownloadTaskRequest::new(key.instance_name.clone());
        request.region_code = key.region_code.clone();
        request.cluster_name = key.cluster_name.clone();
        request.created_after = key.created.map(|t| t - WAIT_CREATED_SLACK);
        request.order = Some(SortOrder::Descending);
        request.page_size = Some(WAIT_PAGE_SIZE);
        for page_number in 1..=WAIT_MAX_PAGES {
            request.current_page = Some(page_number);
            let page = self.describe_download_task(&request).await?;
            let exhausted = page.items.len() < WAIT_PAGE_SIZE as usize
                || page
                    .total_pages
                    .is_some_and(|t| u64::from(page_number) >= t);
            if let Some(task) = page.items.into_iter().find(|t| t.task_id == key.task_id) {
                return Ok(Some(task));
            }
            if exhausted {
                break;
            }
        }
        tracing::debug!(task_id = %key.task_id, instance = %key.instance_name, "download task not listed");
        Ok(None)
    }

    /// Polls a download task until it is `finished` (returned), `failed` or `expired`
    /// ([`Error::TaskFailed`]), or `config.max_wait` passes ([`Error::WaitTimeout`]). Every poll
    /// reports the task to `on_progress` (read its [`DownloadTask::progress`]). A task not
    /// listed yet counts as pending.
    ///
    /// Errors of the polls themselves (after the transport's retries) end the wait.
    pub async fn wait_for_download<F>(
        &self,
        key: &DownloadTaskKey,
        config: &WaiterConfig,
        on_progress: F,
    ) -> Result<DownloadTask, Error>
    where
        F: FnMut(&DownloadTask) + Send,
    {
        let on_progress = Mutex::new(on_progress);
        let what = format!("DBS download task {}", key.task_id);
        self.http
            .wait_until(&what, config, || {
                let on_progress = &on_progress;
                let what = &what;
                async move {
                    let Some(task) = self.find_download_task(key).await? else {
                        return Ok(PollState::Pending("not listed yet".to_owned()));
                    };
                    (on_progress.lock().unwrap_or_else(|e| e.into_inner()))(&task);
                    match &task.status {
                        DownloadStatus::Finished => Ok(PollState::Ready(task)),
                        DownloadStatus::Failed | DownloadStatus::Expired => {
                            Err(Error::TaskFailed {
                                what: what.clone(),
                                state: task.status.to_string(),
                            })
                        }
                        other => Ok(PollState::Pending(pending_state(
                            other.as_str(),
                            task.progress.as_deref(),
                        ))),
                    }
                }
            })
            .await
    }

    /// Polls a restore job until it ends: `finish` (returned) or `stop`
    /// ([`Error::TaskFailed`]), or `config.max_wait` passes ([`Error::WaitTimeout`]). A paused
    /// job is still waited for (it can be resumed). Every poll reports the job to
    /// `on_progress`.
    pub async fn wait_for_restore<F>(
        &self,
        restore_task_id: &str,
        config: &WaiterConfig,
        on_progress: F,
    ) -> Result<RestoreTask, Error>
    where
        F: FnMut(&RestoreTask) + Send,
    {
        let on_progress = Mutex::new(on_progress);
        let what = format!("DBS restore task {restore_task_id}");
        let request = DescribeRestoreTaskListRequest::task(restore_task_id);
        self.http
            .wait_until(&what, config, || {
                let (on_progress, what, request) = (&on_progress, &what, &request);
                async move {
                    let page = self.describe_restore_task_list(request).await?;
                    let Some(task) = page
                        .items
                        .into_iter()
                        .find(|t| t.restore_task_id == restore_task_id)
                    else {
                        return Ok(PollState::Pending("not listed yet".to_owned()));
                    };
                    (on_progress.lock().unwrap_or_else(|e| e.into_inner()))(&task);
                    match &task.restore_status {
                        RestoreStatus::Finished => Ok(PollState::Ready(task)),
                        RestoreStatus::Stop => Err(Error::TaskFailed {
                            what: what.clone(),
                            state: match &task.err_message {
                                Some(m) => format!("stop ({})", cloud_http::redact_urls(m)),
                                None => "stop".to_owned(),
                            },
                        }),
                        other => Ok(PollState::Pending(other.as_str().to_owned())),
                    }
                }
            })
            .await
    }
}

fn pending_state(status: &str, progress: Option<&str>) -> String {
    let status = if status.is_empty() { "unknown" } else { status };
    match progress {
        Some(p) => format!("{status} ({p} tables)"),
        None => status.to_owned(),
    }
}

/// Every page of a listing as one ([`Paged`]): the items of all pages, the last page's other
/// fields and total count, no page number. `paging` gives the request's page size (default 100)
/// and page number (set for each page, from `first`: 1 for `CurrentPage`, `PageNumber` and
/// `PageNo`, 0 for `PageNum`). `operation` names the listing in the error of one that does not
/// end.
pub(crate) async fn every_page<R, P, Fut>(
    operation: impl Into<cloud_http::OperationName>,
    request: &R,
    first: u32,
    paging: fn(&mut R) -> (&mut Option<u32>, &mut Option<u32>),
    fetch: impl Fn(R) -> Fut,
) -> Result<P, Error>
where
    R: Clone,
    P: Paged,
    Fut: Future<Output = Result<P, Error>>,
{
    let operation = operation.into();
    let mut request = request.clone();
    let page_size = *paging(&mut request).0.get_or_insert(100);
    // The last page, its items taken out (a Mutex, not a `&mut`: every page's future borrows
    // it).
    let last: Mutex<Option<P>> = Mutex::default();
    let (items, total) =
        cloud_http::all_pages(operation.clone(), u64::from(page_size), |index, _| {
            *paging(&mut request).1 = Some(first + index as u32);
            let page = fetch(request.clone());
            let last = &last;
            async move {
                let mut page = page.await?;
                let (items, total) = page.take_items();
                *last.lock().unwrap_or_else(|p| p.into_inner()) = Some(page);
                Ok(cloud_http::PageOf { total, items })
            }
        })
        .await?;
    match last.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(page) => Ok(page.into_all(items, total)),
        // `all_pages` asks for a first page and stops at its error: not reached.
        None => Err(Error::UnreadableResponse {
            operation,
            status: 200,
            request_id: None,
            reason: "the listing returned no page".to_owned(),
            excerpt: String::new(),
        }),
    }
}

impl From<&Action> for cloud_http::OperationName {
    /// A DBS operation's name.
    fn from(action: &Action) -> Self {
        cloud_http::OperationName {
            vendor: VENDOR,
            action: action.name,
        }
    }
}
