//! Alibaba Cloud Database Backup (DBS): download and restore managed-database backups.
//!
//! ```no_run
//! use std::time::Duration;
//! use dbs_aliyun::*;
//! # async fn run() -> Result<(), Error> {
//! let client = Client::builder().region("cn-hangzhou").build()?; // keys: environment, then ~/.aliyun/config.json
//! let source = DownloadSource::backup_set("1460051234");
//! let request = CreateDownloadRequest::new("rm-bp1xxxxxxxx", source, Export::Logical(LogicalFormat::Csv), DownloadTarget::Url);
//! let created = client.create_download(&request).await?;
//! let task = client
//!     .wait_for_download(&created.key, &WaiterConfig::default(), |t| println!("{} {:?}", t.status, t.progress))
//!     .await?;
//! let links_request = StorageInfoRequest::for_task(&task.task_id, Duration::from_secs(3600));
//! let links = client.describe_download_backup_set_storage_info(&links_request).await?;
//! let url: &str = links.public_url.as_ref().expect("URL downloads have one").expose(); // a credential: never log it
//! # let _ = url; Ok(()) }
//! ```
//!
//! # Operations
//!
//! One async method per operation on [`Client`]:
//!
//! | method | action | API version | resent after it may have reached DBS? |
//! |---|---|---|---|
//! | [`Client::create_download`] | `CreateDownload` | 2021-01-01 | no (no token) |
//! | [`Client::describe_download_task`] | `DescribeDownloadTask` | 2021-01-01 | yes |
//! | [`Client::describe_download_backup_set_storage_info`] | `DescribeDownloadBackupSetStorageInfo` | 2021-01-01 | yes |
//! | [`Client::describe_download_support`] | `DescribeDownloadSupport` | 2021-01-01 | yes |
//! | [`Client::retry_download_task`] | `RetryDownloadTask` | 2021-01-01 | no (no token) |
//! | [`Client::create_restore_task`] | `CreateRestoreTask` | 2019-03-06 | yes, with one `ClientToken` |
//! | [`Client::start_restore_task`] | `StartRestoreTask` | 2019-03-06 | yes, with one `ClientToken` |
//! | [`Client::describe_restore_task_list`] | `DescribeRestoreTaskList` | 2019-03-06 | yes |
//! | [`Client::describe_backup_plan_list`] | `DescribeBackupPlanList` | 2019-03-06 | yes |
//! | [`Client::describe_full_backup_list`] | `DescribeFullBackupList` | 2019-03-06 | yes |
//!
//! Every request is `POST /` with all parameters in the query and an empty body, signed with
//! `ACS3-HMAC-SHA256` afresh (new time and nonce) on every attempt. Throttled calls
//! (`Throttling*`, honouring `x-acs-retry-after`) and calls that never left are retried for all
//! operations; 5xx, `ServiceUnavailable` and `InternalError` only where a repeat is harmless.
//!
//! # Requests
//!
//! The request types encode the vendor's conditional rules: a full backup set or a point in time
//! ([`DownloadSource`], [`RestoreSource`]), a URL or an OSS bucket with its fields
//! ([`DownloadTarget`]), MongoDB-only and RDS-MySQL-only options inside [`Export`], one variant
//! per restore destination with the fields DBS requires for it ([`RestoreDestination`]). What the
//! types cannot say is checked before anything is sent, with an [`Error::InvalidInput`] naming
//! the field.
//!
//! # Responses and errors
//!
//! Times are [`time::OffsetDateTime`], sizes integers, states open enums with an `Unknown`
//! variant. An HTTP 200 answer with `Success` false is an error ([`Error::Service`], with the
//! DBS code, message and request id), never a result. [`Error`] is the shared `cloud-http`
//! error; each variant says whether the request may have reached DBS. [`codes`] lists the DBS
//! error codes the vendor documents.
//!
//! Download links ([`DownloadUrl`]) are credentials: their `Debug` and `Display` cut the query
//! string.
//!
//! Every response type implements `serde::Serialize` with DBS's field names (`TaskId`,
//! `BackupSetId`, ...), times as epoch milliseconds as DBS sends them, open enums as their wire
//! value and absent fields left out, so an answer can be dumped as JSON shaped like the
//! vendor's. Download links serialize in full, signature included: serializing
//! [`DownloadLinks`] is asking for them.

mod client;
pub mod codes;
mod credentials;
mod download;
mod endpoint;
mod page;
mod protocol;
mod restore;
mod wire;

pub use client::{Client, ClientBuilder};
pub use cloud_http::{CredentialSource, RefreshingCredentials};
pub use cloud_http::{Endpoint, Error, HttpClient, ServiceError, WaiterConfig};
pub use cloud_sign::Credentials;
pub use credentials::{
    CREDENTIALS_URI_VARIABLE, CredentialsUri, ECS_METADATA_ENDPOINT, ECS_ROLE_VARIABLE, EcsRamRole,
    OIDC_VARIABLES, OidcRole, RamRoleArn,
};
pub use download::{
    CreateDownloadRequest, CreatedDownload, DescribeDownloadSupportRequest,
    DescribeDownloadTaskRequest, DownloadLinks, DownloadSource, DownloadStatus, DownloadSupport,
    DownloadTarget, DownloadTask, DownloadTaskKey, DownloadTaskType, DownloadUrl, Export,
    FormatType, LogicalFormat, MongoDbExport, MongoDbFormat, MongoDbTopology, RetriedDownload,
    RetryDownloadTaskRequest, SortOrder, StorageInfoRequest, StorageInfoTarget, TargetType,
};
pub use endpoint::{KNOWN_REGIONS, endpoint_host};
pub use page::Page;
pub use restore::{
    BackupPlan, BackupPlanStatus, BackupStatus, CreateRestoreTaskRequest, CreatedRestoreTask,
    CrossAccount, DatabaseAccount, DescribeBackupPlanListRequest, DescribeFullBackupListRequest,
    DescribeRestoreTaskListRequest, DestinationTls, DuplicateConflict, FullBackup,
    RestoreDestination, RestoreObject, RestoreSource, RestoreStatus, RestoreTask,
    RestoreTaskSelector, StartRestoreTaskRequest, StartedRestoreTask,
};

/// The README (the crates.io page): its examples are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
