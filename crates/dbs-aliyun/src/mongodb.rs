//! ApsaraDB for MongoDB (product id `dds`, API version 2015-12-01): `DescribeBackups`, a
//! replica set's (or one shard's) backup sets with their download links, and
//! `DescribeClusterBackups`, a sharded cluster's backups with one set per shard.
//!
//! Field names and JSON types follow the official SDK models (`dds-20151201`
//! `DescribeBackupsResponseBody`, `DescribeClusterBackupsResponseBody`).

use cloud_http::model::lenient::{opt_int, opt_string, req_string};
use cloud_http::{Error, Idempotency};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::client::{Action, Client, every_page};
use crate::download::DownloadUrl;
use crate::endpoint::Product;
use crate::listing::{
    BackupMethod, BackupMode, BackupSetStatus, BackupType, End, api_second, backup_list,
    check_page_number, check_page_size, check_window, minute, opt_api_time, opt_flag, opt_link,
};
use crate::page::Paged;
use crate::wire::{Query, require, require_opt};

const DESCRIBE_BACKUPS: Action = Action {
    name: "DescribeBackups",
    version: "2015-12-01",
    idempotency: Idempotency::Idempotent,
};
const DESCRIBE_CLUSTER_BACKUPS: Action = Action {
    name: "DescribeClusterBackups",
    version: "2015-12-01",
    idempotency: Idempotency::Idempotent,
};

/// A MongoDB operation's name, for errors.
fn operation(action: &Action) -> cloud_http::OperationName {
    cloud_http::OperationName {
        vendor: Product::MongoDb.vendor(),
        action: action.name,
    }
}

/// The ApsaraDB for MongoDB operations of a [`Client`] (from [`Client::mongodb`]): sent to
/// MongoDB's host for the client's region (or the client's explicit endpoint), signed like
/// DBS's.
#[derive(Debug, Clone, Copy)]
pub struct MongoDb<'a> {
    client: &'a Client,
}

impl<'a> MongoDb<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        MongoDb { client }
    }

    /// `DescribeBackups`: one page of an instance's (or, with `node_id`, one shard's) backup
    /// sets, with their download links (credentials: see [`DownloadUrl`]). A read: retried on
    /// throttling, 5xx and connection failures.
    pub async fn describe_backups(
        &self,
        request: &MongoDbDescribeBackupsRequest,
    ) -> Result<MongoDbDescribeBackupsResponse, Error> {
        let query = request.to_query()?;
        let (mut answer, raw): (MongoDbDescribeBackupsResponse, _) = self
            .client
            .call_product(Product::MongoDb, &DESCRIBE_BACKUPS, query)
            .await?;
        answer.request_id = answer.request_id.or(raw.request_id);
        Ok(answer)
    }

    /// Every page of `DescribeBackups`, in order, as one answer (the request's `page_number`
    /// is ignored; its `page_size`, default 100, is the size of each page).
    pub async fn describe_backups_all(
        &self,
        request: &MongoDbDescribeBackupsRequest,
    ) -> Result<MongoDbDescribeBackupsResponse, Error> {
        let fetch =
            |r: MongoDbDescribeBackupsRequest| async move { self.describe_backups(&r).await };
        every_page(
            operation(&DESCRIBE_BACKUPS),
            request,
            1,
            |r| (&mut r.page_size, &mut r.page_number),
            fetch,
        )
        .await
    }

    /// `DescribeClusterBackups`: one page of a sharded cluster's backups, each with one
    /// backup set (and its links) per shard.
    pub async fn describe_cluster_backups(
        &self,
        request: &MongoDbDescribeClusterBackupsRequest,
    ) -> Result<MongoDbDescribeClusterBackupsResponse, Error> {
        let query = request.to_query()?;
        let (mut answer, raw): (MongoDbDescribeClusterBackupsResponse, _) = self
            .client
            .call_product(Product::MongoDb, &DESCRIBE_CLUSTER_BACKUPS, query)
            .await?;
        answer.request_id = answer.request_id.or(raw.request_id);
        Ok(answer)
    }

    /// Every page of `DescribeClusterBackups`, in order, as one answer (the request's
    /// `page_no` is ignored; its `page_size`, default 100, is the size of each page). The
    /// service gives no total: the listing ends at a short page.
    pub async fn describe_cluster_backups_all(
        &self,
        request: &MongoDbDescribeClusterBackupsRequest,
    ) -> Result<MongoDbDescribeClusterBackupsResponse, Error> {
        let fetch = |r: MongoDbDescribeClusterBackupsRequest| async move {
            self.describe_cluster_backups(&r).await
        };
        every_page(
            operation(&DESCRIBE_CLUSTER_BACKUPS),
            request,
            1,
            |r| (&mut r.page_size, &mut r.page_no),
            fetch,
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------
// DescribeBackups
// ---------------------------------------------------------------------------------------------

/// `DescribeBackups`: an instance's backup sets. For a sharded cluster, `node_id` (the
/// shard) is required by the service; [`MongoDb::describe_cluster_backups`] lists every
/// shard's at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MongoDbDescribeBackupsRequest {
    /// The instance (`DBInstanceId`). Required.
    pub db_instance_id: String,
    /// The shard of a sharded cluster (`NodeId`, `d-...`).
    pub node_id: Option<String>,
    /// Only this backup set (`BackupId`; for a sharded cluster, one id per shard, separated
    /// by commas).
    pub backup_id: Option<String>,
    /// Only the sets of this backup job (`BackupJobId`).
    pub backup_job_id: Option<String>,
    /// Sets started at or after (`StartTime`, sent as `yyyy-MM-ddTHH:mmZ` in UTC, rounded
    /// down to the minute; ignored by the service with `backup_id`).
    pub start_time: Option<OffsetDateTime>,
    /// Sets started at or before (`EndTime`, sent like `start_time`, rounded up).
    pub end_time: Option<OffsetDateTime>,
    /// Sets per page: 30 (the service's default), 50 or 100 (`PageSize`).
    pub page_size: Option<u32>,
    /// Page number, from 1 (`PageNumber`).
    pub page_number: Option<u32>,
    /// The instance's region, for a released instance or geo-redundant backups
    /// (`SrcRegion`).
    pub src_region: Option<String>,
    /// The region the geo-redundant backups are in (`DestRegion`).
    pub dest_region: Option<String>,
}

impl MongoDbDescribeBackupsRequest {
    /// Every backup set of `db_instance_id`, first page.
    pub fn new(db_instance_id: impl Into<String>) -> Self {
        MongoDbDescribeBackupsRequest {
            db_instance_id: db_instance_id.into(),
            ..Self::default()
        }
    }

    pub(crate) fn to_query(&self) -> Result<Query, Error> {
        require("DBInstanceId", &self.db_instance_id)?;
        for (field, value) in [
            ("NodeId", &self.node_id),
            ("BackupId", &self.backup_id),
            ("BackupJobId", &self.backup_job_id),
            ("SrcRegion", &self.src_region),
            ("DestRegion", &self.dest_region),
        ] {
            require_opt(field, value.as_deref())?;
        }
        check_window(self.start_time, self.end_time)?;
        check_page_size("PageSize", self.page_size)?;
        check_page_number("PageNumber", self.page_number)?;
        let mut q = Query::default();
        q.put("DBInstanceId", &self.db_instance_id)
            .opt("NodeId", self.node_id.as_deref())
            .opt("BackupId", self.backup_id.as_deref())
            .opt("BackupJobId", self.backup_job_id.as_deref())
            .opt("StartTime", self.start_time.map(|t| minute(t, End::Start)))
            .opt("EndTime", self.end_time.map(|t| minute(t, End::End)))
            .opt("PageSize", self.page_size)
            .opt("PageNumber", self.page_number)
            .opt("SrcRegion", self.src_region.as_deref())
            .opt("DestRegion", self.dest_region.as_deref());
        Ok(q)
    }
}

/// The answer to `DescribeBackups`: one page of backup sets (or every page, from
/// [`MongoDb::describe_backups_all`]).
///
/// Serializes in MongoDB's shape and field names (`Backups.Backup`, `PageNumber`,
/// `TotalCount`, ...), times as `yyyy-MM-ddTHH:mm:ssZ`, absent fields left out. **Links
/// serialize in full**, signature included: serialize this only where the links are wanted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MongoDbDescribeBackupsResponse {
    /// The backup sets (`Backups.Backup`; note `Backups`, not RDS's `Items`).
    #[serde(rename = "Backups", default, with = "backup_list")]
    pub backups: Vec<MongoDbBackup>,
    /// This page's number (`PageNumber`; none for every page at once).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_number: Option<u64>,
    /// Sets per page (`PageSize`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_size: Option<u64>,
    /// Sets on all pages (`TotalCount`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_count: Option<u64>,
    /// The request id (`RequestId`; the `x-acs-request-id` header when the body has none).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<String>,
}

impl Paged for MongoDbDescribeBackupsResponse {
    type Item = MongoDbBackup;

    fn take_items(&mut self) -> (Vec<MongoDbBackup>, Option<u64>) {
        (std::mem::take(&mut self.backups), self.total_count)
    }

    fn into_all(self, backups: Vec<MongoDbBackup>, total: Option<u64>) -> Self {
        MongoDbDescribeBackupsResponse {
            page_number: None,
            total_count: total,
            backups,
            ..self
        }
    }
}

/// A MongoDB backup set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MongoDbBackup {
    /// The backup set (`BackupId`, a number sent as a string or a number).
    #[serde(deserialize_with = "req_string")]
    pub backup_id: String,
    /// The backup job (`BackupJobId`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_job_id: Option<String>,
    /// The backup's name (`BackupName`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_name: Option<String>,
    /// The databases backed up (`BackupDBNames`).
    #[serde(
        rename = "BackupDBNames",
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_db_names: Option<String>,
    /// The state (`BackupStatus`): only `Success` sets can be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_status: Option<BackupSetStatus>,
    /// When the backup started (`BackupStartTime`).
    #[serde(
        default,
        deserialize_with = "opt_api_time",
        serialize_with = "api_second",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_start_time: Option<OffsetDateTime>,
    /// When it ended (`BackupEndTime`).
    #[serde(
        default,
        deserialize_with = "opt_api_time",
        serialize_with = "api_second",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_end_time: Option<OffsetDateTime>,
    /// When it expires (`BackupExpireTime`; `9999-01-01T00:00:00Z` is never).
    #[serde(
        default,
        deserialize_with = "opt_api_time",
        serialize_with = "api_second",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_expire_time: Option<OffsetDateTime>,
    /// Snapshot, physical or logical (`BackupMethod`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_method: Option<BackupMethod>,
    /// Automated or manual (`BackupMode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_mode: Option<BackupMode>,
    /// Full or incremental (`BackupType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_type: Option<BackupType>,
    /// The backup's scope (`BackupScale`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_scale: Option<String>,
    /// Size in bytes (`BackupSize`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_size: Option<u64>,
    /// The Internet download link (`BackupDownloadURL`); none when the set cannot be
    /// downloaded. A credential: `Debug` cuts its query string, `Serialize` writes it whole.
    #[serde(
        rename = "BackupDownloadURL",
        default,
        deserialize_with = "opt_link",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_download_url: Option<DownloadUrl>,
    /// The link from an ECS instance in the same network (`BackupIntranetDownloadURL`). A
    /// credential, like `backup_download_url`.
    #[serde(
        rename = "BackupIntranetDownloadURL",
        default,
        deserialize_with = "opt_link",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_intranet_download_url: Option<DownloadUrl>,
    /// The engine's version when the backup was made (`EngineVersion`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub engine_version: Option<String>,
    /// Whether the set is usable (`IsAvail`).
    #[serde(
        default,
        deserialize_with = "opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_avail: Option<bool>,
}

impl MongoDbBackup {
    /// Whether the set finished (`BackupStatus` `Success`).
    pub fn succeeded(&self) -> bool {
        self.backup_status == Some(BackupSetStatus::Success)
    }
}

// ---------------------------------------------------------------------------------------------
// DescribeClusterBackups
// ---------------------------------------------------------------------------------------------

/// `DescribeClusterBackups`: a sharded cluster's backups (cloud-disk clusters). Its page
/// number is `PageNo`, not `PageNumber`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MongoDbDescribeClusterBackupsRequest {
    /// The sharded cluster (`DBInstanceId`). Required.
    pub db_instance_id: String,
    /// Only this cluster backup (`BackupId`, `cb-...`).
    pub backup_id: Option<String>,
    /// Only the backups of this backup job (`BackupJobId`).
    pub backup_job_id: Option<String>,
    /// Backups started at or after (`StartTime`, sent as `yyyy-MM-ddTHH:mmZ` in UTC,
    /// rounded down to the minute).
    pub start_time: Option<OffsetDateTime>,
    /// Backups started at or before (`EndTime`, sent like `start_time`, rounded up).
    pub end_time: Option<OffsetDateTime>,
    /// `true`: the cluster backups only, without each shard's set
    /// (`IsOnlyGetClusterBackUp`; the service's default is `false`).
    pub is_only_get_cluster_backup: Option<bool>,
    /// Backups per page: 30 (the service's default), 50 or 100 (`PageSize`).
    pub page_size: Option<u32>,
    /// Page number, from 1 (`PageNo`).
    pub page_no: Option<u32>,
    /// The instance's region, for a released instance or geo-redundant backups
    /// (`SrcRegion`).
    pub src_region: Option<String>,
    /// The region the geo-redundant backups are in (`DestRegion`).
    pub dest_region: Option<String>,
}

impl MongoDbDescribeClusterBackupsRequest {
    /// Every backup of the sharded cluster `db_instance_id`, first page.
    pub fn new(db_instance_id: impl Into<String>) -> Self {
        MongoDbDescribeClusterBackupsRequest {
            db_instance_id: db_instance_id.into(),
            ..Self::default()
        }
    }

    pub(crate) fn to_query(&self) -> Result<Query, Error> {
        require("DBInstanceId", &self.db_instance_id)?;
        for (field, value) in [
            ("BackupId", &self.backup_id),
            ("BackupJobId", &self.backup_job_id),
            ("SrcRegion", &self.src_region),
            ("DestRegion", &self.dest_region),
        ] {
            require_opt(field, value.as_deref())?;
        }
        check_window(self.start_time, self.end_time)?;
        check_page_size("PageSize", self.page_size)?;
        check_page_number("PageNo", self.page_no)?;
        let mut q = Query::default();
        q.put("DBInstanceId", &self.db_instance_id)
            .opt("BackupId", self.backup_id.as_deref())
            .opt("BackupJobId", self.backup_job_id.as_deref())
            .opt("StartTime", self.start_time.map(|t| minute(t, End::Start)))
            .opt("EndTime", self.end_time.map(|t| minute(t, End::End)))
            .opt("IsOnlyGetClusterBackUp", self.is_only_get_cluster_backup)
            .opt("PageSize", self.page_size)
            .opt("PageNo", self.page_no)
            .opt("SrcRegion", self.src_region.as_deref())
            .opt("DestRegion", self.dest_region.as_deref());
        Ok(q)
    }
}

/// The answer to `DescribeClusterBackups`: one page of cluster backups (or every page, from
/// [`MongoDb::describe_cluster_backups_all`]).
///
/// Serializes in MongoDB's shape and field names (`ClusterBackups`, `PageNumber`, `PageSize`,
/// `MaxResults`), times as `yyyy-MM-ddTHH:mm:ssZ`, absent fields left out. **Links serialize
/// in full**.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MongoDbDescribeClusterBackupsResponse {
    /// The cluster backups (`ClusterBackups`).
    #[serde(default, deserialize_with = "cloud_http::model::lenient::null_default")]
    pub cluster_backups: Vec<MongoDbClusterBackup>,
    /// This page's number (`PageNumber`; none for every page at once).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_number: Option<u64>,
    /// Backups per page (`PageSize`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_size: Option<u64>,
    /// The most entries the request could return (`MaxResults`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_results: Option<u64>,
    /// The request id (`RequestId`; the `x-acs-request-id` header when the body has none).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<String>,
}

impl Paged for MongoDbDescribeClusterBackupsResponse {
    type Item = MongoDbClusterBackup;

    fn take_items(&mut self) -> (Vec<MongoDbClusterBackup>, Option<u64>) {
        // No total in this answer: `every_page` ends at a short page.
        (std::mem::take(&mut self.cluster_backups), None)
    }

    fn into_all(self, cluster_backups: Vec<MongoDbClusterBackup>, _: Option<u64>) -> Self {
        MongoDbDescribeClusterBackupsResponse {
            page_number: None,
            cluster_backups,
            ..self
        }
    }
}

/// A backup of a whole sharded cluster: one backup set per shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MongoDbClusterBackup {
    /// The cluster backup (`ClusterBackupId`, `cb-...`).
    #[serde(deserialize_with = "req_string")]
    pub cluster_backup_id: String,
    /// The cluster backup's state (`ClusterBackupStatus`: `OK` once every shard's set is).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub cluster_backup_status: Option<String>,
    /// Automated or manual (`ClusterBackupMode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_backup_mode: Option<BackupMode>,
    /// Bytes in all shards' sets (`ClusterBackupSize`, sent as a string).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub cluster_backup_size: Option<u64>,
    /// When the cluster backup started (`ClusterBackupStartTime`).
    #[serde(
        default,
        deserialize_with = "opt_api_time",
        serialize_with = "api_second",
        skip_serializing_if = "Option::is_none"
    )]
    pub cluster_backup_start_time: Option<OffsetDateTime>,
    /// When it ended (`ClusterBackupEndTime`).
    #[serde(
        default,
        deserialize_with = "opt_api_time",
        serialize_with = "api_second",
        skip_serializing_if = "Option::is_none"
    )]
    pub cluster_backup_end_time: Option<OffsetDateTime>,
    /// When it expires (`BackupExpireTime`; `9999-01-01T00:00:00Z` is never).
    #[serde(
        default,
        deserialize_with = "opt_api_time",
        serialize_with = "api_second",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_expire_time: Option<OffsetDateTime>,
    /// The log backup attached to it (`AttachLogStatus`: `Init`, `No_Need`, `Running`,
    /// `Ready`, `Failed`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub attach_log_status: Option<String>,
    /// Whether every shard's set is complete (`IsAvail`, `1` or `0`).
    #[serde(
        default,
        deserialize_with = "opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_avail: Option<bool>,
    /// Percent done, for a running backup (`Progress`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub progress: Option<String>,
    /// The engine's version when the backup was made (`EngineVersion`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub engine_version: Option<String>,
    /// Whether it was migrated from older backup sets (`ExtraInfo.RegistryFromHistory`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_info: Option<MongoDbClusterExtraInfo>,
    /// One backup set per shard (`Backups`).
    #[serde(default, deserialize_with = "cloud_http::model::lenient::null_default")]
    pub backups: Vec<MongoDbShardBackup>,
}

impl MongoDbClusterBackup {
    /// Whether the cluster backup is complete and usable (`IsAvail` 1, or `OK` when the
    /// service leaves `IsAvail` out).
    pub fn succeeded(&self) -> bool {
        self.is_avail.unwrap_or_else(|| {
            self.cluster_backup_status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("OK"))
        })
    }
}

/// `ExtraInfo` of a cluster backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MongoDbClusterExtraInfo {
    /// `1` when the cluster backup was migrated from historical sets (`RegistryFromHistory`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub registry_from_history: Option<String>,
}

/// One shard's backup set in a cluster backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MongoDbShardBackup {
    /// The backup set (`BackupId`).
    #[serde(deserialize_with = "req_string")]
    pub backup_id: String,
    /// The shard (`InstanceName`, `d-...`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_name: Option<String>,
    /// The backup's file name (`BackupName`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_name: Option<String>,
    /// The state (`BackupStatus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_status: Option<BackupSetStatus>,
    /// When the shard's backup started (`BackupStartTime`).
    #[serde(
        default,
        deserialize_with = "opt_api_time",
        serialize_with = "api_second",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_start_time: Option<OffsetDateTime>,
    /// When it ended (`BackupEndTime`).
    #[serde(
        default,
        deserialize_with = "opt_api_time",
        serialize_with = "api_second",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_end_time: Option<OffsetDateTime>,
    /// Size in bytes (`BackupSize`, sent as a string).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_size: Option<u64>,
    /// The Internet download link (`BackupDownloadURL`). A credential.
    #[serde(
        rename = "BackupDownloadURL",
        default,
        deserialize_with = "opt_link",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_download_url: Option<DownloadUrl>,
    /// The link from the same network (`BackupIntranetDownloadURL`). A credential.
    #[serde(
        rename = "BackupIntranetDownloadURL",
        default,
        deserialize_with = "opt_link",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_intranet_download_url: Option<DownloadUrl>,
    /// Whether the set is usable (`IsAvail`, `"1"` or `"0"`).
    #[serde(
        default,
        deserialize_with = "opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_avail: Option<bool>,
    /// The node the set was made on (`ExtraInfo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_info: Option<MongoDbNodeInfo>,
}

/// `ExtraInfo` of a shard's backup set: the node it was made on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MongoDbNodeInfo {
    /// The node (`NodeId`, `d-...`): `DescribeBackups`'s `NodeId`.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub node_id: Option<String>,
    /// The node's kind (`NodeType`: `db`, ...).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub node_type: Option<String>,
    /// The node's instance type (`InstanceClass`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_class: Option<String>,
    /// The node's storage in MB (`StorageSize`, sent as a string).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub storage_size: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(q: Query) -> Vec<String> {
        q.0.into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn cluster_backups_page_with_page_no() {
        let r = MongoDbDescribeClusterBackupsRequest {
            page_no: Some(2),
            page_size: Some(30),
            is_only_get_cluster_backup: Some(false),
            ..MongoDbDescribeClusterBackupsRequest::new("dds-1")
        };
        let k = keys(r.to_query().unwrap());
        assert!(k.contains(&"PageNo".to_owned()) && !k.contains(&"PageNumber".to_owned()));
        assert!(k.contains(&"IsOnlyGetClusterBackUp".to_owned()));
        let bad = MongoDbDescribeClusterBackupsRequest {
            page_no: Some(0),
            ..MongoDbDescribeClusterBackupsRequest::new("dds-1")
        };
        assert!(
            bad.to_query()
                .unwrap_err()
                .to_string()
                .starts_with("invalid input: PageNo:")
        );
    }

    #[test]
    fn blank_optional_ids_are_refused_by_name() {
        let r = MongoDbDescribeBackupsRequest {
            node_id: Some(" ".into()),
            ..MongoDbDescribeBackupsRequest::new("dds-1")
        };
        assert_eq!(
            r.to_query().unwrap_err().to_string(),
            "invalid input: NodeId: must not be empty"
        );
    }

    #[test]
    fn a_cluster_backup_is_usable_when_the_service_says() {
        let b: MongoDbClusterBackup =
            serde_json::from_str(r#"{"ClusterBackupId":"cb-1","ClusterBackupStatus":"OK"}"#)
                .unwrap();
        assert!(b.succeeded());
        let b: MongoDbClusterBackup =
            serde_json::from_str(r#"{"ClusterBackupId":"cb-1","IsAvail":0,"Backups":null}"#)
                .unwrap();
        assert!(!b.succeeded());
        assert!(b.backups.is_empty());
    }
}
