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
//! The database products' own backup listings, on borrowed per-product views of the same
//! client ([`Client::rds`], [`Client::polardb`], [`Client::mongodb`]), each sent to the
//! product's host for the region ([`product_host`]) or to the client's explicit endpoint:
//!
//! | method | action | API version | resent after it may have reached the service? |
//! |---|---|---|---|
//! | [`Rds::describe_backups`] (and `_all`) | `DescribeBackups` | 2014-08-15 | yes |
//! | [`Rds::describe_db_instance_attribute`] | `DescribeDBInstanceAttribute` | 2014-08-15 | yes |
//! | [`PolarDb::describe_backups`] (and `_all`) | `DescribeBackups` | 2017-08-01 | yes |
//! | [`MongoDb::describe_backups`] (and `_all`) | `DescribeBackups` | 2015-12-01 | yes |
//! | [`MongoDb::describe_cluster_backups`] (and `_all`) | `DescribeClusterBackups` | 2015-12-01 | yes |
//!
//! RDS local-disk instances and MongoDB list their backup files with direct download links
//! ([`RdsBackup::backup_download_url`], [`MongoDbShardBackup::backup_download_url`], ...);
//! RDS cloud-disk instances ([`RdsDbInstanceAttribute::is_cloud_disk`]) and PolarDB list
//! snapshots without links, exported through [`Client::create_download`] with the listed
//! id and size ([`PolarDbBackup::download_source`]).
//!
//! ```no_run
//! use dbs_aliyun::*;
//! # async fn run() -> Result<(), Error> {
//! let client = Client::builder().region("cn-hangzhou").build()?;
//! let mut request = RdsDescribeBackupsRequest::new("rm-uf6wjk5xxxxxxx");
//! request.backup_status = Some(BackupSetStatus::Success);
//! let listing = client.rds().describe_backups_all(&request).await?;
//! for backup in &listing.items {
//!     if let Some(url) = &backup.backup_download_url {
//!         println!("{} {url}", backup.backup_id); // Display cuts the signature
//!     }
//! }
//! # Ok(()) }
//! ```
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
//! [`DownloadLinks`] is asking for them. The product listings' responses serialize the same
//! way with the product's field names (`Items.Backup`, `BackupDownloadURL`, ...), their times
//! as `yyyy-MM-ddTHH:mm:ssZ` as the products send them, `ConsistentTime` in unix seconds, and
//! their links in full.

mod client;
pub mod codes;
mod credentials;
mod download;
mod endpoint;
mod listing;
mod mongodb;
mod page;
mod polardb;
mod protocol;
mod rds;
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
pub use endpoint::{KNOWN_REGIONS, Product, endpoint_host, product_host};
pub use listing::{BackupMethod, BackupMode, BackupSetStatus, BackupType};
pub use mongodb::{
    MongoDb, MongoDbBackup, MongoDbClusterBackup, MongoDbClusterExtraInfo,
    MongoDbDescribeBackupsRequest, MongoDbDescribeBackupsResponse,
    MongoDbDescribeClusterBackupsRequest, MongoDbDescribeClusterBackupsResponse, MongoDbNodeInfo,
    MongoDbShardBackup,
};
pub use page::Page;
pub use polardb::{
    PolarDb, PolarDbBackup, PolarDbDescribeBackupsRequest, PolarDbDescribeBackupsResponse,
};
pub use rds::{
    Rds, RdsBackup, RdsDatabaseLink, RdsDbInstanceAttribute, RdsDescribeBackupsRequest,
    RdsDescribeBackupsResponse, RdsDescribeDbInstanceAttributeRequest,
    RdsDescribeDbInstanceAttributeResponse, RdsStorageType,
};
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
