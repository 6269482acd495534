//! Request and response models, with the API's exact JSON field names.
//!
//! Requests are validated before anything is sent ([`Error::InvalidInput`] names the API field
//! and the rule). Responses parse leniently where the service's types drift (integers sent as
//! strings, `null` for empty values), keep unknown status values in `Unknown(..)` variants, and
//! serialize back with the API's field names. Sizes carry their unit in the field name.

use std::collections::HashSet;

use serde::{Deserialize, Serialize, Serializer};
use time::PrimitiveDateTime;

use cloud_http::model::lenient;
use cloud_http::{open_int_enum, secret_url};

use crate::Error;

open_int_enum! {
    /// The state of a backup download task (`Status`).
    pub enum TaskStatus {
        /// `0`: waiting to start.
        Waiting = 0 => "waiting",
        /// `1`: downloading (see `Percent`).
        Downloading = 1 => "downloading",
        /// `2`: finished; the task's `Url` can be downloaded.
        Finished = 2 => "finished",
        /// `3`: failed.
        Failed = 3 => "failed",
        /// `4`: failed once, waiting to be retried by the service.
        WaitingToRetry = 4 => "waiting to retry",
    }
}

open_int_enum! {
    /// How a backup was made (`BackupMethod`).
    pub enum BackupMethod {
        /// `0`: logical backup.
        Logical = 0 => "logical",
        /// `1`: physical backup.
        Physical = 1 => "physical",
        /// `3`: snapshot backup.
        Snapshot = 3 => "snapshot",
    }
}

open_int_enum! {
    /// Who started a backup (`BackupType`).
    pub enum BackupType {
        /// `0`: an automatic (scheduled) backup.
        Automatic = 0 => "automatic",
        /// `1`: a manual backup.
        Manual = 1 => "manual",
    }
}

open_int_enum! {
    /// The state of a backup (`Status` in `DescribeDBBackups`).
    pub enum BackupStatus {
        /// `1`: the backup is running.
        Running = 1 => "running",
        /// `2`: the backup succeeded.
        Succeeded = 2 => "succeeded",
    }
}

secret_url! {
    /// A download link (`Url`). Anyone holding it can read the backup, so `Debug` and
    /// `Display` show it with its query string cut; [`DownloadUrl::as_str`] gives the full link.
    /// Serializes as the full string.
    pub struct DownloadUrl;
}

/// One replica set (or shard) of an instance: `{"ReplicaSetId": "cmgo-p8vnipr5_0"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicaSetInfo {
    /// The node id: `<InstanceId>_0` for a replica set instance, `<InstanceId>_<N>` for shard N
    /// of a sharded cluster.
    pub replica_set_id: String,
}

impl ReplicaSetInfo {
    /// A replica set by id.
    pub fn new(replica_set_id: impl Into<String>) -> Self {
        ReplicaSetInfo {
            replica_set_id: replica_set_id.into(),
        }
    }
}

fn require(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(())
}

fn check_limit(limit: Option<u32>) -> Result<(), Error> {
    match limit {
        Some(l) if !(1..=100).contains(&l) => Err(Error::invalid(
            "Limit",
            format!("must be between 1 and 100 (got {l})"),
        )),
        _ => Ok(()),
    }
}

/// `CreateBackupDownloadTask`: start download tasks for one backup file, one per replica set or
/// shard. List every shard of a sharded cluster for a full download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBackupDownloadTaskRequest {
    /// `InstanceId`: the instance (`cmgo-p8vnipr5`).
    pub instance_id: String,
    /// `BackupName`: the backup file, as `DescribeDBBackups` lists it.
    pub backup_name: String,
    /// `BackupSets`: the replica sets / shards to download; at least one, no duplicates.
    pub backup_sets: Vec<ReplicaSetInfo>,
}

impl CreateBackupDownloadTaskRequest {
    /// A request for `backup_name` of `instance_id`, for the given replica set ids.
    ///
    /// ```
    /// use mongodb_tencent::CreateBackupDownloadTaskRequest;
    /// let r = CreateBackupDownloadTaskRequest::new(
    ///     "cmgo-p8vnipr5", "cmgo-p8vnipr5_2021-03-26 10:44", ["cmgo-p8vnipr5_0", "cmgo-p8vnipr5_1"]);
    /// assert_eq!(r.backup_sets.len(), 2);
    /// assert!(r.validate().is_ok());
    /// ```
    pub fn new<I>(
        instance_id: impl Into<String>,
        backup_name: impl Into<String>,
        replica_set_ids: I,
    ) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        CreateBackupDownloadTaskRequest {
            instance_id: instance_id.into(),
            backup_name: backup_name.into(),
            backup_sets: replica_set_ids
                .into_iter()
                .map(ReplicaSetInfo::new)
                .collect(),
        }
    }

    /// The requested replica set ids, in order.
    pub fn replica_set_ids(&self) -> impl Iterator<Item = &str> {
        self.backup_sets.iter().map(|s| s.replica_set_id.as_str())
    }

    /// Checks the request as [`Client::create_backup_download_task`](crate::Client::create_backup_download_task)
    /// does before sending: `InstanceId` and `BackupName` non-empty, `BackupSets` non-empty with
    /// non-empty, distinct ids.
    pub fn validate(&self) -> Result<(), Error> {
        require("InstanceId", &self.instance_id)?;
        require("BackupName", &self.backup_name)?;
        if self.backup_sets.is_empty() {
            return Err(Error::invalid(
                "BackupSets",
                "must list at least one replica set",
            ));
        }
        let mut seen = HashSet::new();
        for (i, id) in self.replica_set_ids().enumerate() {
            require(&format!("BackupSets.{i}.ReplicaSetId"), id)?;
            if !seen.insert(id) {
                return Err(Error::invalid(
                    "BackupSets",
                    format!("replica set {id:?} is listed more than once"),
                ));
            }
        }
        Ok(())
    }
}

/// The state of one task just created (`BackupDownloadTaskStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BackupDownloadTaskStatus {
    /// `ReplicaSetId`.
    pub replica_set_id: String,
    /// `Status`.
    pub status: TaskStatus,
}

/// The answer to `CreateBackupDownloadTask`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBackupDownloadTaskResponse {
    /// `Tasks`: one per requested replica set.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub tasks: Vec<BackupDownloadTaskStatus>,
    /// `RequestId`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub request_id: String,
}

/// `OrderBy` of `DescribeBackupDownloadTask`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderBy {
    /// `createTime`.
    #[serde(rename = "createTime")]
    CreateTime,
    /// `finishTime`.
    #[serde(rename = "finishTime")]
    FinishTime,
}

/// `OrderByType` of `DescribeBackupDownloadTask`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderByType {
    /// `asc`: oldest first.
    Asc,
    /// `desc`: newest first.
    Desc,
}

/// Formats a time as the API expects it: `YYYY-MM-DD hh:mm:ss`.
pub fn format_api_time(t: PrimitiveDateTime) -> String {
    t.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]"
    ))
    .expect("a date-time always formats")
}

fn api_time<S: Serializer>(t: &Option<PrimitiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format_api_time(*t)),
        None => s.serialize_none(),
    }
}

/// `DescribeBackupDownloadTask`: list download tasks of an instance, optionally filtered.
///
/// ```
/// use mongodb_tencent::{DescribeBackupDownloadTaskRequest, OrderBy, OrderByType};
/// let r = DescribeBackupDownloadTaskRequest {
///     backup_name: Some("cmgo-p8vnipr5_2021-03-26 10:44".into()),
///     order_by: Some(OrderBy::CreateTime),
///     order_by_type: Some(OrderByType::Desc),
///     ..DescribeBackupDownloadTaskRequest::new("cmgo-p8vnipr5")
/// };
/// assert!(r.validate().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeBackupDownloadTaskRequest {
    /// `InstanceId` (required).
    pub instance_id: String,
    /// `BackupName`: only tasks of this backup file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_name: Option<String>,
    /// `StartTime`: tasks created at or after (`YYYY-MM-DD hh:mm:ss`, the service's local time).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "api_time")]
    pub start_time: Option<PrimitiveDateTime>,
    /// `EndTime`: tasks created at or before.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "api_time")]
    pub end_time: Option<PrimitiveDateTime>,
    /// `Limit`: 1–100 (service default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `Offset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// `OrderBy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
    /// `OrderByType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by_type: Option<OrderByType>,
    /// `Status`: only tasks in these states (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<TaskStatus>,
}

impl DescribeBackupDownloadTaskRequest {
    /// All tasks of `instance_id`, with the service's defaults.
    pub fn new(instance_id: impl Into<String>) -> Self {
        DescribeBackupDownloadTaskRequest {
            instance_id: instance_id.into(),
            ..Self::default()
        }
    }

    /// Checks the request as the client does before sending: `InstanceId` non-empty,
    /// `BackupName` non-empty when given, `Limit` 1–100, `StartTime` not after `EndTime`.
    pub fn validate(&self) -> Result<(), Error> {
        require("InstanceId", &self.instance_id)?;
        if let Some(name) = &self.backup_name {
            require("BackupName", name)?;
        }
        check_limit(self.limit)?;
        if let (Some(start), Some(end)) = (self.start_time, self.end_time)
            && start > end
        {
            return Err(Error::invalid(
                "StartTime",
                format!(
                    "must not be after EndTime ({} > {})",
                    format_api_time(start),
                    format_api_time(end)
                ),
            ));
        }
        Ok(())
    }
}

/// One download task (`BackupDownloadTask`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BackupDownloadTask {
    /// `CreateTime` (`YYYY-MM-DD hh:mm:ss`).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub create_time: String,
    /// `BackupName`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub backup_name: String,
    /// `ReplicaSetId`.
    pub replica_set_id: String,
    /// `BackupSize`, in bytes.
    #[serde(rename = "BackupSize", default, deserialize_with = "lenient::int")]
    pub backup_size_bytes: u64,
    /// `Status`.
    pub status: TaskStatus,
    /// `Percent`: download preparation progress, 0–100.
    #[serde(default, deserialize_with = "lenient::int")]
    pub percent: i64,
    /// `TimeSpend`, in seconds.
    #[serde(rename = "TimeSpend", default, deserialize_with = "lenient::int")]
    pub time_spend_secs: u64,
    /// `Url`: the download link once the task is finished. Short-lived (validity undocumented):
    /// describe the task again to refresh it.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub url: DownloadUrl,
    /// `BackupMethod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_method: Option<BackupMethod>,
    /// `BackupDesc`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub backup_desc: String,
    /// `Region` of the storage holding the file.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub region: String,
    /// `Bucket` holding the file.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub bucket: String,
}

/// The answer to `DescribeBackupDownloadTask`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeBackupDownloadTaskResponse {
    /// `TotalCount`: tasks matching the filter (across pages).
    #[serde(default, deserialize_with = "lenient::int")]
    pub total_count: u64,
    /// `Tasks`: this page.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub tasks: Vec<BackupDownloadTask>,
    /// `RequestId`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub request_id: String,
}

/// `DescribeDBBackups`: list an instance's backups, to find a `BackupName`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDbBackupsRequest {
    /// `InstanceId` (required).
    pub instance_id: String,
    /// `BackupMethod`: only backups made this way (an integer the API accepts; `Unknown(n)`
    /// sends any other value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_method: Option<BackupMethod>,
    /// `Limit`: 1–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `Offset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
}

impl DescribeDbBackupsRequest {
    /// The backups of `instance_id`, with the service's defaults.
    pub fn new(instance_id: impl Into<String>) -> Self {
        DescribeDbBackupsRequest {
            instance_id: instance_id.into(),
            ..Self::default()
        }
    }

    /// Checks the request as the client does before sending: `InstanceId` non-empty, `Limit`
    /// 1–100.
    pub fn validate(&self) -> Result<(), Error> {
        require("InstanceId", &self.instance_id)?;
        check_limit(self.limit)
    }
}

/// One backup (`BackupInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DbBackup {
    /// `InstanceId`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub instance_id: String,
    /// `BackupType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_type: Option<BackupType>,
    /// `BackupName`: what `CreateBackupDownloadTask` takes.
    pub backup_name: String,
    /// `BackupDesc`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub backup_desc: String,
    /// `BackupSize`, in KB (see [`DbBackup::backup_size_bytes`]).
    #[serde(rename = "BackupSize", default, deserialize_with = "lenient::int")]
    pub backup_size_kb: u64,
    /// `StartTime` (`YYYY-MM-DD hh:mm:ss`).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub start_time: String,
    /// `EndTime`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub end_time: String,
    /// `Status`.
    pub status: BackupStatus,
    /// `BackupMethod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_method: Option<BackupMethod>,
    /// `BackId`.
    #[serde(default, deserialize_with = "lenient::int")]
    pub back_id: i64,
    /// `DeleteTime`: when the backup expires.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub delete_time: String,
    /// `BackupRegion`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub backup_region: String,
    /// `RestoreTime`: the point in time the backup restores to.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub restore_time: String,
}

impl DbBackup {
    /// The size in bytes (`BackupSize` × 1024).
    pub fn backup_size_bytes(&self) -> u64 {
        self.backup_size_kb.saturating_mul(1024)
    }
}

/// The answer to `DescribeDBBackups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDbBackupsResponse {
    /// `BackupList`: this page.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub backup_list: Vec<DbBackup>,
    /// `TotalCount`: backups in all pages.
    #[serde(default, deserialize_with = "lenient::int")]
    pub total_count: u64,
    /// `RequestId`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub request_id: String,
}

impl DescribeDbBackupsResponse {
    /// The succeeded backup of this page with the latest `StartTime`.
    pub fn newest_successful(&self) -> Option<&DbBackup> {
        self.backup_list
            .iter()
            .filter(|b| b.status == BackupStatus::Succeeded)
            .max_by(|a, b| a.start_time.cmp(&b.start_time))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_map_to_the_documented_variants() {
        // Parsing, printing and round trips of open_int_enum! are tested in cloud-http.
        for (json, status) in [
            ("0", TaskStatus::Waiting),
            ("4", TaskStatus::WaitingToRetry),
            ("7", TaskStatus::Unknown(7)),
            ("\"2\"", TaskStatus::Finished),
        ] {
            let parsed: TaskStatus = serde_json::from_str(json).unwrap();
            assert_eq!(parsed, status, "{json}");
        }
        assert_eq!(TaskStatus::WaitingToRetry.to_string(), "waiting to retry");
        assert_eq!(BackupMethod::from(3), BackupMethod::Snapshot);
        assert_eq!(i64::from(BackupType::Manual), 1);
        assert_eq!(BackupStatus::from(5), BackupStatus::Unknown(5));
    }

    #[test]
    fn sizes_keep_their_units() {
        let b: DbBackup = serde_json::from_str(
            r#"{"BackupName":"b","Status":2,"BackupSize":"2048","BackId":"42"}"#,
        )
        .unwrap();
        assert_eq!(b.backup_size_kb, 2048);
        assert_eq!(b.backup_size_bytes(), 2048 * 1024);
        assert_eq!(b.back_id, 42);
        let json = serde_json::to_value(&b).unwrap();
        assert_eq!(json["BackupSize"], 2048);
        assert!(json.get("backup_size_kb").is_none());
    }

    #[test]
    fn download_urls_are_redacted_in_debug_only() {
        let u = DownloadUrl::from("https://b.cos.example.com/f.tar?sign=SECRET&t=1".to_owned());
        assert_eq!(
            format!("{u:?}"),
            r#"DownloadUrl("https://b.cos.example.com/f.tar?<redacted>")"#
        );
        assert!(u.as_str().ends_with("sign=SECRET&t=1"));
        assert_eq!(
            serde_json::to_string(&u).unwrap(),
            r#""https://b.cos.example.com/f.tar?sign=SECRET&t=1""#
        );
    }
}
