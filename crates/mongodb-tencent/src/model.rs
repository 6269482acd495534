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

open_int_enum! {
    /// The architecture of an instance (`ClusterType`).
    pub enum ClusterType {
        /// `0`: a replica set instance: one replica set, `<InstanceId>_0`.
        ReplicaSet = 0 => "replica set",
        /// `1`: a sharded cluster: one replica set per shard, `<InstanceId>_0`, `_1`, ...
        Sharded = 1 => "sharded cluster",
    }
}

open_int_enum! {
    /// The state of an instance (`Status` of `DescribeDBInstances`).
    pub enum InstanceStatus {
        /// `0`: to be initialized.
        Initializing = 0 => "to be initialized",
        /// `1`: a change is in progress (specification, parameters, ...).
        Processing = 1 => "processing",
        /// `2`: running normally.
        Running = 2 => "running",
        /// `-2`: isolated (a monthly subscription that expired).
        IsolatedSubscription = -2 => "isolated (monthly subscription)",
        /// `-3`: isolated (pay-as-you-go).
        IsolatedPayAsYouGo = -3 => "isolated (pay-as-you-go)",
    }
}

open_int_enum! {
    /// The kind of an instance (`InstanceType` of an [`InstanceDetail`]).
    pub enum InstanceType {
        /// `1`: a formal (regular) instance.
        Formal = 1 => "formal",
        /// `2`: a temporary instance (a clone).
        Temporary = 2 => "temporary",
        /// `3`: a read-only instance.
        ReadOnly = 3 => "read-only",
        /// `4`: a disaster recovery instance.
        DisasterRecovery = 4 => "disaster recovery",
    }
}

open_int_enum! {
    /// Which kinds of instance `DescribeDBInstances` lists (its `InstanceType` filter).
    pub enum InstanceTypeFilter {
        /// `0`: every instance.
        All = 0 => "all",
        /// `1`: formal instances.
        Formal = 1 => "formal",
        /// `2`: temporary instances.
        Temporary = 2 => "temporary",
        /// `3`: read-only instances.
        ReadOnly = 3 => "read-only",
        /// `-1`: formal, read-only and disaster recovery instances.
        FormalReadOnlyAndDisasterRecovery = -1 => "formal, read-only and disaster recovery",
    }
}

open_int_enum! {
    /// How an instance is billed (`PayMode`).
    pub enum PayMode {
        /// `0`: pay-as-you-go.
        PayAsYouGo = 0 => "pay-as-you-go",
        /// `1`: monthly subscription.
        Subscription = 1 => "monthly subscription",
    }
}

open_int_enum! {
    /// The network of an instance (`NetType`).
    pub enum NetType {
        /// `0`: the basic (classic) network.
        Basic = 0 => "basic network",
        /// `1`: a VPC.
        Vpc = 1 => "VPC",
    }
}

/// `OrderBy` of `DescribeDBInstances`: the field the instances are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InstanceOrderBy {
    /// `ProjectId`.
    ProjectId,
    /// `InstanceName`.
    InstanceName,
    /// `CreateTime`.
    CreateTime,
}

/// `DescribeDBInstances` documents `OrderByType` in capitals (`ASC`, `DESC`), unlike
/// `DescribeBackupDownloadTask`.
fn upper_order<S: Serializer>(t: &Option<OrderByType>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(OrderByType::Asc) => s.serialize_str("ASC"),
        Some(OrderByType::Desc) => s.serialize_str("DESC"),
        None => s.serialize_none(),
    }
}

/// A tag (`TagInfo`): `{"TagKey": "...", "TagValue": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagInfo {
    /// `TagKey`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub tag_key: String,
    /// `TagValue`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub tag_value: String,
}

impl TagInfo {
    /// A tag `key` = `value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        TagInfo {
            tag_key: key.into(),
            tag_value: value.into(),
        }
    }
}

/// `DescribeDBInstances`: list instances with their replica sets or shards, the ids
/// [`CreateBackupDownloadTaskRequest`] wants in `BackupSets`. Every filter is optional:
/// [`Default`] lists every instance of the region, 20 per page (the service's default).
///
/// ```
/// use mongodb_tencent::{ClusterType, DescribeDbInstancesRequest, InstanceStatus};
/// let r = DescribeDbInstancesRequest {
///     cluster_type: Some(ClusterType::Sharded),
///     status: vec![InstanceStatus::Running],
///     limit: Some(100),
///     ..DescribeDbInstancesRequest::new(["cmgo-p8vnipr5"])
/// };
/// assert!(r.validate().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDbInstancesRequest {
    /// `InstanceIds`: only these instances (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instance_ids: Vec<String>,
    /// `InstanceType`: only instances of this kind (service default: formal instances).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<InstanceTypeFilter>,
    /// `ClusterType`: only replica sets or only sharded clusters (unset: both; `Unknown(-1)`
    /// sends the API's own "both").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_type: Option<ClusterType>,
    /// `Status`: only instances in these states (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<InstanceStatus>,
    /// `VpcId`: only instances in this VPC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// `SubnetId`: only instances in this subnet of `VpcId` (which must then be set too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    /// `PayMode`: only instances billed this way (unset: both).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_mode: Option<PayMode>,
    /// `Limit`: 1–100 (service default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `Offset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// `OrderBy` (service default: ascending by its own order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<InstanceOrderBy>,
    /// `OrderByType`, sent as `ASC` or `DESC` as this operation documents it.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "upper_order"
    )]
    pub order_by_type: Option<OrderByType>,
    /// `ProjectIds`: only instances of these projects (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub project_ids: Vec<u64>,
    /// `SearchKey`: an instance id, an instance name or a private IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_key: Option<String>,
    /// `Tags`: only instances with these tags (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagInfo>,
}

impl DescribeDbInstancesRequest {
    /// The instances `instance_ids` (none: every instance), with the service's defaults.
    pub fn new<I>(instance_ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        DescribeDbInstancesRequest {
            instance_ids: instance_ids.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Checks the request as [`Client::describe_db_instances`](crate::Client::describe_db_instances)
    /// does before sending: every `InstanceIds` entry non-empty, `Limit` 1–100, `VpcId`,
    /// `SubnetId` and `SearchKey` non-empty when given (leave them unset to match every
    /// instance), `SubnetId` only with `VpcId`, every tag with a `TagKey`.
    pub fn validate(&self) -> Result<(), Error> {
        for (i, id) in self.instance_ids.iter().enumerate() {
            require(&format!("InstanceIds.{i}"), id)?;
        }
        check_limit(self.limit)?;
        for (field, value) in [
            ("VpcId", &self.vpc_id),
            ("SubnetId", &self.subnet_id),
            ("SearchKey", &self.search_key),
        ] {
            if let Some(value) = value {
                require(field, value)?;
            }
        }
        if self.subnet_id.is_some() && self.vpc_id.is_none() {
            return Err(Error::invalid("SubnetId", "requires VpcId"));
        }
        for (i, tag) in self.tags.iter().enumerate() {
            require(&format!("Tags.{i}.TagKey"), &tag.tag_key)?;
        }
        Ok(())
    }
}

/// A floating-point number sent as a number, a decimal string, `""` or `null` (both 0).
fn lenient_float<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    use serde::de::Error as _;
    use serde_json::Value;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(0.0),
        Some(Value::Number(n)) => n
            .as_f64()
            .ok_or_else(|| D::Error::custom(format!("number {n} is not usable"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(0.0),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| D::Error::custom(format!("expected a number, got {s:?}"))),
        Some(other) => Err(D::Error::custom(format!("expected a number, got {other}"))),
    }
}

/// One replica set of an instance, or one shard of a sharded cluster (`ShardInfo`, listed as
/// `ReplicaSets`). Sizes are in MB, as the API gives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShardInfo {
    /// `ReplicaSetId`: `<InstanceId>_0`, `_1`, ...: what `BackupSets.N.ReplicaSetId` of
    /// `CreateBackupDownloadTask` takes.
    pub replica_set_id: String,
    /// `ReplicaSetName`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub replica_set_name: String,
    /// `RealReplicaSetId`: the physical id (differs from `ReplicaSetId` after a rollback that
    /// replaced the instance).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub real_replica_set_id: String,
    /// `Memory`, in MB.
    #[serde(rename = "Memory", default, deserialize_with = "lenient::int")]
    pub memory_mb: u64,
    /// `Volume`: the disk, in MB.
    #[serde(rename = "Volume", default, deserialize_with = "lenient::int")]
    pub volume_mb: u64,
    /// `UsedVolume`: the disk used, in MB (a fraction is possible).
    #[serde(rename = "UsedVolume", default, deserialize_with = "lenient_float")]
    pub used_volume_mb: f64,
    /// `OplogSize`, in MB.
    #[serde(rename = "OplogSize", default, deserialize_with = "lenient::int")]
    pub oplog_size_mb: u64,
    /// `SecondaryNum`: secondary nodes.
    #[serde(default, deserialize_with = "lenient::int")]
    pub secondary_num: u64,
}

/// Another instance an instance is related to (`DBInstanceInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DbInstanceInfo {
    /// `InstanceId`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub instance_id: String,
    /// `Region`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub region: String,
}

/// One instance (`InstanceDetail`). Sizes are in MB, as the API gives them; times are
/// `YYYY-MM-DD hh:mm:ss` in the service's time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceDetail {
    /// `InstanceId`.
    pub instance_id: String,
    /// `InstanceName`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub instance_name: String,
    /// `ClusterType`: replica set or sharded cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_type: Option<ClusterType>,
    /// `Status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InstanceStatus>,
    /// `InstanceStatusDesc`: the state in words.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub instance_status_desc: String,
    /// `InstanceType`: formal, temporary, read-only or disaster recovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<InstanceType>,
    /// `Region`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub region: String,
    /// `Zone`: the availability zone.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub zone: String,
    /// `MongoVersion`: the engine version (`MONGO_40_WT`, `MONGO_44_WT`, ...).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub mongo_version: String,
    /// `ReplicationSetNum`: replica sets (shards of a sharded cluster, 1 otherwise).
    #[serde(default, deserialize_with = "lenient::int")]
    pub replication_set_num: u64,
    /// `ReplicaSets`: the replica set or the shards, with their ids.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub replica_sets: Vec<ShardInfo>,
    /// `SecondaryNum`: secondary nodes.
    #[serde(default, deserialize_with = "lenient::int")]
    pub secondary_num: u64,
    /// `Memory`, in MB.
    #[serde(rename = "Memory", default, deserialize_with = "lenient::int")]
    pub memory_mb: u64,
    /// `Volume`: the disk, in MB.
    #[serde(rename = "Volume", default, deserialize_with = "lenient::int")]
    pub volume_mb: u64,
    /// `UsedVolume`: the disk used, in MB.
    #[serde(rename = "UsedVolume", default, deserialize_with = "lenient::int")]
    pub used_volume_mb: u64,
    /// `CpuNum`: CPU cores.
    #[serde(default, deserialize_with = "lenient::int")]
    pub cpu_num: u64,
    /// `MachineType` (`HIO10G`, `HCD`, ...).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub machine_type: String,
    /// `CreateTime`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub create_time: String,
    /// `DeadLine`: when the instance expires.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub dead_line: String,
    /// `MaintenanceStart`: the maintenance window's start (`hh:mm:ss`).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub maintenance_start: String,
    /// `MaintenanceEnd`: the maintenance window's end.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub maintenance_end: String,
    /// `PayMode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_mode: Option<PayMode>,
    /// `ProjectId`.
    #[serde(default, deserialize_with = "lenient::int")]
    pub project_id: u64,
    /// `NetType`: basic network or VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_type: Option<NetType>,
    /// `VpcId`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub vpc_id: String,
    /// `SubnetId`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub subnet_id: String,
    /// `Vip`: the instance's address (several, `;`-separated, for some instances).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub vip: String,
    /// `Vport`: its port.
    #[serde(default, deserialize_with = "lenient::int")]
    pub vport: u16,
    /// `RealInstanceId`: the physical id (differs from `InstanceId` after a rollback that
    /// replaced the instance).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub real_instance_id: String,
    /// `InstanceVer`: the instance's version mark.
    #[serde(default, deserialize_with = "lenient::int")]
    pub instance_ver: u64,
    /// `ClusterVer`: the cluster's version mark.
    #[serde(default, deserialize_with = "lenient::int")]
    pub cluster_ver: u64,
    /// `ReadonlyInstances`: its read-only instances.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub readonly_instances: Vec<DbInstanceInfo>,
    /// `StandbyInstances`: its disaster recovery instances.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub standby_instances: Vec<DbInstanceInfo>,
    /// `CloneInstances`: its temporary instances.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub clone_instances: Vec<DbInstanceInfo>,
    /// `RelatedInstance`: the temporary instance of a formal one, the formal instance of a
    /// temporary one, the primary of a read-only or disaster recovery one (empty ids: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_instance: Option<DbInstanceInfo>,
    /// `Tags`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub tags: Vec<TagInfo>,
}

impl InstanceDetail {
    /// The ids of its replica sets (`ReplicaSets[].ReplicaSetId`), in the service's order: the
    /// one replica set of a replica set instance, every shard of a sharded cluster. A full
    /// download lists them all in `CreateBackupDownloadTask`'s `BackupSets`:
    ///
    /// ```no_run
    /// # use mongodb_tencent::{Client, CreateBackupDownloadTaskRequest, InstanceDetail, Result};
    /// # async fn f(client: &Client, instance: &InstanceDetail, backup_name: &str) -> Result<()> {
    /// let request = CreateBackupDownloadTaskRequest::new(
    ///     &instance.instance_id,
    ///     backup_name,
    ///     instance.replica_set_ids(),
    /// );
    /// client.create_backup_download_task(&request).await?;
    /// # Ok(()) }
    /// ```
    pub fn replica_set_ids(&self) -> impl Iterator<Item = &str> {
        self.replica_sets.iter().map(|s| s.replica_set_id.as_str())
    }
}

/// The answer to `DescribeDBInstances`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDbInstancesResponse {
    /// `TotalCount`: instances matching the filters (across pages).
    #[serde(default, deserialize_with = "lenient::int")]
    pub total_count: u64,
    /// `InstanceDetails`: this page.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub instance_details: Vec<InstanceDetail>,
    /// `RequestId`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub request_id: String,
}

impl DescribeDbInstancesResponse {
    /// The instance of this page with that id.
    pub fn instance(&self, instance_id: &str) -> Option<&InstanceDetail> {
        self.instance_details
            .iter()
            .find(|i| i.instance_id == instance_id)
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
    fn instance_codes_map_to_the_documented_variants() {
        assert_eq!(
            InstanceStatus::from(-2),
            InstanceStatus::IsolatedSubscription
        );
        assert_eq!(InstanceStatus::from(-3), InstanceStatus::IsolatedPayAsYouGo);
        assert_eq!(i64::from(InstanceStatus::Running), 2);
        assert_eq!(ClusterType::from(1), ClusterType::Sharded);
        assert_eq!(ClusterType::ReplicaSet.to_string(), "replica set");
        assert_eq!(InstanceType::from(4), InstanceType::DisasterRecovery);
        assert_eq!(
            i64::from(InstanceTypeFilter::FormalReadOnlyAndDisasterRecovery),
            -1
        );
        assert_eq!(PayMode::from(1), PayMode::Subscription);
        assert_eq!(NetType::from(7), NetType::Unknown(7));
        let r = DescribeDbInstancesRequest {
            order_by: Some(InstanceOrderBy::InstanceName),
            order_by_type: Some(OrderByType::Asc),
            cluster_type: Some(ClusterType::Unknown(-1)),
            ..DescribeDbInstancesRequest::default()
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"ClusterType":-1,"OrderBy":"InstanceName","OrderByType":"ASC"}"#
        );
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
