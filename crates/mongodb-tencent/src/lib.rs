//! Tencent Cloud TencentDB for MongoDB backup downloads (API version 2019-07-25).
//!
//! Find an instance's replica sets, list its backups, start the download of the newest for all
//! its replica sets, wait for the links, and print them:
//!
//! ```no_run
//! use mongodb_tencent::{
//!     Client, CreateBackupDownloadTaskRequest, DescribeDbBackupsRequest,
//!     DescribeDbInstancesRequest, WaiterConfig,
//! };
//!
//! # async fn run() -> mongodb_tencent::Result<()> {
//! // Credentials from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY or ~/.tencentcloud/credentials.
//! let client = Client::builder().region("ap-guangzhou").rate_limit(20).build()?;
//!
//! let instance = "cmgo-p8vnipr5";
//! // Its one replica set `<instance>_0`, or every shard of a sharded cluster (`_0`, `_1`, ...).
//! let instances = client
//!     .describe_db_instances(&DescribeDbInstancesRequest::new([instance]))
//!     .await?;
//! let Some(detail) = instances.instance(instance) else {
//!     println!("no instance {instance} in this region");
//!     return Ok(());
//! };
//!
//! let backups = client
//!     .describe_db_backups(&DescribeDbBackupsRequest {
//!         limit: Some(100),
//!         ..DescribeDbBackupsRequest::new(instance)
//!     })
//!     .await?;
//! let Some(newest) = backups.newest_successful() else {
//!     println!("{instance} has no finished backup");
//!     return Ok(());
//! };
//! println!("downloading {} ({} bytes)", newest.backup_name, newest.backup_size_bytes());
//!
//! let request =
//!     CreateBackupDownloadTaskRequest::new(instance, &newest.backup_name, detail.replica_set_ids());
//! client.create_backup_download_task(&request).await?;
//!
//! let tasks = client
//!     .wait_for_backup_download(&request, &WaiterConfig::default(), |tasks| {
//!         for t in tasks {
//!             eprintln!("{}: {} {}%", t.replica_set_id, t.status, t.percent);
//!         }
//!     })
//!     .await?;
//! for task in &tasks {
//!     // The full link: anyone holding it can read the backup. `{:?}` would cut its query.
//!     println!("{}: {}", task.replica_set_id, task.url.as_str());
//! }
//! # Ok(()) }
//! ```
//!
//! # What the client does for you
//!
//! - Signs every attempt with TC3-HMAC-SHA256 (`cloud-sign`; the derived key is cached per day)
//!   and sends `POST /` with a JSON body to `mongodb.tencentcloudapi.com` (or the regional host
//!   with [`ClientBuilder::regional_endpoint`], or any [`Endpoint`]).
//! - Turns `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` into [`Error::Service`]
//!   with the code, message and request id ([`codes`] lists the ones worth matching).
//! - Retries `RequestLimitExceeded*` for every call; 5xx, `InternalError` and
//!   `ResourceUnavailable` only for the reads; never other `AuthFailure.*` or parameter errors.
//!   On `AuthFailure.SignatureExpire` it measures its clock's offset from the server's `Date`
//!   header and re-signs once.
//! - [`Client::create_backup_download_task`] has no idempotency token and is never resent once
//!   it may have reached the server; [`Client::find_backup_download_tasks`] is the check to run
//!   instead.
//! - Validates requests before sending ([`Error::InvalidInput`] names the API field).
//! - Optionally spaces calls ([`ClientBuilder::rate_limit`]).
//!
//! Download links ([`DownloadUrl`]) are credentials: `Debug` and `Display` cut their query string.

mod client;
mod credentials;
mod model;
mod protocol;
mod rate_limit;

pub use client::{Client, ClientBuilder, DEFAULT_HOST, KNOWN_REGIONS};
pub use cloud_http::{CredentialSource, RefreshingCredentials};
pub use credentials::{
    CVM_METADATA_ENDPOINT, CVM_ROLE_VARIABLE, CvmRole, STS_DEFAULT_DURATION_SECONDS,
    STS_DEFAULT_REGION, STS_DURATION_SECONDS, STS_HOST, StsAssumeRole, StsAssumeRoleBuilder,
    TKE_OIDC_VARIABLES, TkeOidcRole,
};
pub use model::{
    BackupDownloadTask, BackupDownloadTaskStatus, BackupMethod, BackupStatus, BackupType,
    ClusterType, CreateBackupDownloadTaskRequest, CreateBackupDownloadTaskResponse, DbBackup,
    DbInstanceInfo, DescribeBackupDownloadTaskRequest, DescribeBackupDownloadTaskResponse,
    DescribeDbBackupsRequest, DescribeDbBackupsResponse, DescribeDbInstancesRequest,
    DescribeDbInstancesResponse, DownloadUrl, InstanceDetail, InstanceOrderBy, InstanceStatus,
    InstanceType, InstanceTypeFilter, NetType, OrderBy, OrderByType, PayMode, ReplicaSetInfo,
    ShardInfo, TagInfo, TaskStatus, format_api_time,
};

pub use cloud_http::{Endpoint, Error, HttpClient, HttpConfig, WaiterConfig};
pub use cloud_sign::{Credentials, CredentialsError, ProvideCredentials, ProviderContext};
pub use time;

/// The result of this crate's calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Error codes worth matching on ([`Error::code`]).
pub mod codes {
    /// Internal error. Retried for reads; not for `CreateBackupDownloadTask`.
    pub const INTERNAL_ERROR: &str = "InternalError";
    /// The account's appId could not be verified.
    pub const CHECK_APP_ID_FAILED: &str = "InternalError.CheckAppIdFailed";
    /// The sub-account may not perform this operation.
    pub const PERMISSION_DENIED: &str = "InvalidParameter.PermissionDenied";
    /// No backup file of that name.
    pub const BACKUP_FILE_NOT_FOUND: &str = "InvalidParameterValue.BackupFileNotFound";
    /// No instance of that id.
    pub const NOT_FOUND_INSTANCE: &str = "InvalidParameterValue.NotFoundInstance";
    /// The signature's timestamp is more than 5 minutes off (corrected once automatically).
    pub const SIGNATURE_EXPIRE: &str = "AuthFailure.SignatureExpire";
    /// The signature does not match (wrong secret key).
    pub const SIGNATURE_FAILURE: &str = "AuthFailure.SignatureFailure";
    /// Unknown SecretId.
    pub const SECRET_ID_NOT_FOUND: &str = "AuthFailure.SecretIdNotFound";
    /// The session token is invalid or expired.
    pub const TOKEN_FAILURE: &str = "AuthFailure.TokenFailure";
    /// Throttled (also `RequestLimitExceeded.*`); retried with backoff.
    pub const REQUEST_LIMIT_EXCEEDED: &str = "RequestLimitExceeded";
    /// The resource is temporarily unavailable. Retried for reads.
    pub const RESOURCE_UNAVAILABLE: &str = "ResourceUnavailable";
    /// The credentials are not authorised for this operation.
    pub const UNAUTHORIZED_OPERATION: &str = "UnauthorizedOperation";
    /// A failed HTTP answer without a `Response.Error` envelope (this crate's code).
    pub const UNEXPECTED_HTTP_STATUS: &str = crate::protocol::UNEXPECTED_HTTP_STATUS;
}

/// The README (the crates.io page): its examples are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
