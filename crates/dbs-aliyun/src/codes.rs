//! Error codes DBS documents, to compare with [`Error::code`](crate::Error::code).
//!
//! ```
//! # fn check(err: dbs_aliyun::Error) {
//! use dbs_aliyun::codes;
//! if err.code() == Some(codes::DOWNLOAD_JOB_ALREADY_EXIST) {
//!     // A download of this backup set was submitted recently: find it instead.
//! }
//! # }
//! ```
//!
//! Business errors (answered with HTTP 200 and `Success` false) are never retried; of the
//! gateway errors, `Throttling*`, `ServiceUnavailable` and `InternalError` are.

/// 200: the download task does not exist.
pub const DOWNLOAD_TASK_CANNOT_FIND: &str = "DBS.DownloadTask.CannotFind";
/// 200: a download of this data was submitted in recent days.
pub const DOWNLOAD_JOB_ALREADY_EXIST: &str = "DBS.DownloadTask.JobAlreadyExist";
/// 200: the instance already has a running or failed download task.
pub const DOWNLOAD_ONLY_ONE_RUNNING_OR_FAILED_TASK: &str =
    "DBS.DownloadTask.OnlyOneRunningOrFailedTask";
/// 200: DBS cannot access the target OSS bucket.
pub const DOWNLOAD_OSS_FORBID: &str = "DBS.DownloadTask.OssForbid";
/// 200: the target bucket's storage class is not Standard.
pub const DOWNLOAD_OSS_STORAGE_TYPE_INVALID: &str = "DBS.DownloadTask.OssStorageTypeInvalid";
/// 200: the instance does not exist.
pub const INSTANCE_NOT_FOUND: &str = "Forbidden.InstanceNotFound";
/// 200: the backup set does not meet the requirements.
pub const DOWNLOAD_BAK_SET_ERROR: &str = "DBS.DownloadTask.BakSetError";
/// 200: advanced download does not support this instance, engine, region or user; the
/// `DBS.DownloadTask.*NotSupport` family.
pub const DOWNLOAD_NOT_SUPPORT: &str = "DBS.DownloadTask.NotSupport";
/// 200: a parameter is invalid.
pub const PARAM_IS_INVALID: &str = "DBS.ParamIsInValid";
/// 403: the caller lacks the permission.
pub const REQUEST_FORBIDDEN: &str = "Request.Forbidden";
/// 403: rejected by DBS's permission check.
pub const NO_PERMISSION: &str = "DBS.NoPermissionException";
/// 404: the data source does not exist.
pub const NOT_EXISTS: &str = "DBS.NotExists";
/// The signature did not match: wrong secret, or a request altered in transit.
pub const SIGNATURE_DOES_NOT_MATCH: &str = "SignatureDoesNotMatch";
/// The access key id does not exist.
pub const INVALID_ACCESS_KEY_ID_NOT_FOUND: &str = "InvalidAccessKeyId.NotFound";
