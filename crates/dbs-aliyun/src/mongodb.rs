//! ApsaraDB for MongoDB (product id `dds`, API version 2015-12-01): `DescribeBackups`, a
//! replica set's (or one shard's) backup sets with their download links, and
//! `DescribeClusterBackups`, a sharded cluster's backups with one set per shard.
//!
//! Field names and JSON types follow the official SDK models (`dds-20151201`
//! `DescribeBackupsResponseBody`, `DescribeClusterBackupsResponseBody`).

use cloud_http::Error;
use cloud_http::model::lenient::{opt_int, opt_string, req_string};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::client::{Action, Client};
use crate::download::DownloadUrl;
use crate::endpoint::Product;
use crate::listing::{
    BackupMethod, BackupMode, BackupSetStatus, BackupType, PagedRequest, ProductQuery,
    ProductRequest, answers, api_time, backup_list, describe, describe_all, opt_flag, opt_link,
    optional_fields, paged,
};
use crate::wire::Query;

/// The ApsaraDB for MongoDB API version.
const VERSION: &str = "2015-12-01";

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
        describe(self.client, request).await
    }

    /// Every page of `DescribeBackups`, in order, as one answer (the request's `page_number`
    /// is ignored; its `page_size`, default 100, is the size of each page).
    pub async fn describe_backups_all(
        &self,
        request: &MongoDbDescribeBackupsRequest,
    ) -> Result<MongoDbDescribeBackupsResponse, Error> {
        describe_all(self.client, request).await
    }

    /// `DescribeClusterBackups`: one page of a sharded cluster's backups, each with one
    /// backup set (and its links) per shard.
    pub async fn describe_cluster_backups(
        &self,
        request: &MongoDbDescribeClusterBackupsRequest,
    ) -> Result<MongoDbDescribeClusterBackupsResponse, Error> {
        describe(self.client, request).await
    }

    /// Every page of `DescribeClusterBackups`, in order, as one answer (the request's
    /// `page_no` is ignored; its `page_size`, default 100, is the size of each page). The
    /// service gives no total: the listing ends at a short page.
    pub async fn describe_cluster_backups_all(
        &self,
        request: &MongoDbDescribeClusterBackupsRequest,
    ) -> Result<MongoDbDescribeClusterBackupsResponse, Error> {
        describe_all(self.client, request).await
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
}

impl ProductRequest for MongoDbDescribeBackupsRequest {
    const PRODUCT: Product = Product::MongoDb;
    const ACTION: Action = Action::read("DescribeBackups", VERSION);
    type Answer = MongoDbDescribeBackupsResponse;

    fn to_query(&self) -> Result<Query, Error> {
        Ok(ProductQuery::new("DBInstanceId", &self.db_instance_id)?
            .id("NodeId", &self.node_id)?
            .id("BackupId", &self.backup_id)?
            .id("BackupJobId", &self.backup_job_id)?
            .id("SrcRegion", &self.src_region)?
            .id("DestRegion", &self.dest_region)?
            .window(self.start_time, self.end_time)?
            .page(self.page_size, "PageNumber", self.page_number)?
            .into_query())
    }
}

impl PagedRequest for MongoDbDescribeBackupsRequest {
    fn paging(&mut self) -> (&mut Option<u32>, &mut Option<u32>) {
        (&mut self.page_size, &mut self.page_number)
    }
}

optional_fields! {
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
        #[serde(deserialize_with = "opt_int")]
        pub page_number: Option<u64>,
        /// Sets per page (`PageSize`).
        #[serde(deserialize_with = "opt_int")]
        pub page_size: Option<u64>,
        /// Sets on all pages (`TotalCount`).
        #[serde(deserialize_with = "opt_int")]
        pub total_count: Option<u64>,
        /// The request id (`RequestId`; the `x-acs-request-id` header when the body has none).
        #[serde(deserialize_with = "opt_string")]
        pub request_id: Option<String>,
    }
}

paged!(MongoDbDescribeBackupsResponse {
    backups: MongoDbBackup,
    total: total_count
});

optional_fields! {
    /// A MongoDB backup set.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct MongoDbBackup {
        /// The backup set (`BackupId`, a number sent as a string or a number).
        #[serde(deserialize_with = "req_string")]
        pub backup_id: String,
        /// The backup job (`BackupJobId`).
        #[serde(deserialize_with = "opt_string")]
        pub backup_job_id: Option<String>,
        /// The backup's name (`BackupName`).
        #[serde(deserialize_with = "opt_string")]
        pub backup_name: Option<String>,
        /// The databases backed up (`BackupDBNames`).
        #[serde(rename = "BackupDBNames", deserialize_with = "opt_string")]
        pub backup_db_names: Option<String>,
        /// The state (`BackupStatus`): only `Success` sets can be used.
        pub backup_status: Option<BackupSetStatus>,
        /// When the backup started (`BackupStartTime`).
        #[serde(with = "api_time")]
        pub backup_start_time: Option<OffsetDateTime>,
        /// When it ended (`BackupEndTime`).
        #[serde(with = "api_time")]
        pub backup_end_time: Option<OffsetDateTime>,
        /// When it expires (`BackupExpireTime`; `9999-01-01T00:00:00Z` is never).
        #[serde(with = "api_time")]
        pub backup_expire_time: Option<OffsetDateTime>,
        /// Snapshot, physical or logical (`BackupMethod`).
        pub backup_method: Option<BackupMethod>,
        /// Automated or manual (`BackupMode`).
        pub backup_mode: Option<BackupMode>,
        /// Full or incremental (`BackupType`).
        pub backup_type: Option<BackupType>,
        /// The backup's scope (`BackupScale`).
        #[serde(deserialize_with = "opt_string")]
        pub backup_scale: Option<String>,
        /// Size in bytes (`BackupSize`).
        #[serde(deserialize_with = "opt_int")]
        pub backup_size: Option<u64>,
        /// The Internet download link (`BackupDownloadURL`); none when the set cannot be
        /// downloaded. A credential: `Debug` cuts its query string, `Serialize` writes it whole.
        #[serde(rename = "BackupDownloadURL", deserialize_with = "opt_link")]
        pub backup_download_url: Option<DownloadUrl>,
        /// The link from an ECS instance in the same network (`BackupIntranetDownloadURL`). A
        /// credential, like `backup_download_url`.
        #[serde(rename = "BackupIntranetDownloadURL", deserialize_with = "opt_link")]
        pub backup_intranet_download_url: Option<DownloadUrl>,
        /// The engine's version when the backup was made (`EngineVersion`).
        #[serde(deserialize_with = "opt_string")]
        pub engine_version: Option<String>,
        /// Whether the set is usable (`IsAvail`).
        #[serde(deserialize_with = "opt_flag")]
        pub is_avail: Option<bool>,
    }
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
}

impl ProductRequest for MongoDbDescribeClusterBackupsRequest {
    const PRODUCT: Product = Product::MongoDb;
    const ACTION: Action = Action::read("DescribeClusterBackups", VERSION);
    type Answer = MongoDbDescribeClusterBackupsResponse;

    fn to_query(&self) -> Result<Query, Error> {
        Ok(ProductQuery::new("DBInstanceId", &self.db_instance_id)?
            .id("BackupId", &self.backup_id)?
            .id("BackupJobId", &self.backup_job_id)?
            .id("SrcRegion", &self.src_region)?
            .id("DestRegion", &self.dest_region)?
            .window(self.start_time, self.end_time)?
            .opt("IsOnlyGetClusterBackUp", self.is_only_get_cluster_backup)
            .page(self.page_size, "PageNo", self.page_no)?
            .into_query())
    }
}

impl PagedRequest for MongoDbDescribeClusterBackupsRequest {
    fn paging(&mut self) -> (&mut Option<u32>, &mut Option<u32>) {
        (&mut self.page_size, &mut self.page_no)
    }
}

optional_fields! {
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
        #[serde(deserialize_with = "opt_int")]
        pub page_number: Option<u64>,
        /// Backups per page (`PageSize`).
        #[serde(deserialize_with = "opt_int")]
        pub page_size: Option<u64>,
        /// The most entries the request could return (`MaxResults`).
        #[serde(deserialize_with = "opt_int")]
        pub max_results: Option<u64>,
        /// The request id (`RequestId`; the `x-acs-request-id` header when the body has none).
        #[serde(deserialize_with = "opt_string")]
        pub request_id: Option<String>,
    }
}

// No total in this answer: `every_page` ends at a short page.
paged!(MongoDbDescribeClusterBackupsResponse {
    cluster_backups: MongoDbClusterBackup
});
answers!(
    MongoDbDescribeBackupsResponse,
    MongoDbDescribeClusterBackupsResponse
);

optional_fields! {
    /// A backup of a whole sharded cluster: one backup set per shard.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct MongoDbClusterBackup {
        /// The cluster backup (`ClusterBackupId`, `cb-...`).
        #[serde(deserialize_with = "req_string")]
        pub cluster_backup_id: String,
        /// The cluster backup's state (`ClusterBackupStatus`: `OK` once every shard's set is).
        #[serde(deserialize_with = "opt_string")]
        pub cluster_backup_status: Option<String>,
        /// Automated or manual (`ClusterBackupMode`).
        pub cluster_backup_mode: Option<BackupMode>,
        /// Bytes in all shards' sets (`ClusterBackupSize`, sent as a string).
        #[serde(deserialize_with = "opt_int")]
        pub cluster_backup_size: Option<u64>,
        /// When the cluster backup started (`ClusterBackupStartTime`).
        #[serde(with = "api_time")]
        pub cluster_backup_start_time: Option<OffsetDateTime>,
        /// When it ended (`ClusterBackupEndTime`).
        #[serde(with = "api_time")]
        pub cluster_backup_end_time: Option<OffsetDateTime>,
        /// When it expires (`BackupExpireTime`; `9999-01-01T00:00:00Z` is never).
        #[serde(with = "api_time")]
        pub backup_expire_time: Option<OffsetDateTime>,
        /// The log backup attached to it (`AttachLogStatus`: `Init`, `No_Need`, `Running`,
        /// `Ready`, `Failed`).
        #[serde(deserialize_with = "opt_string")]
        pub attach_log_status: Option<String>,
        /// Whether every shard's set is complete (`IsAvail`, `1` or `0`).
        #[serde(deserialize_with = "opt_flag")]
        pub is_avail: Option<bool>,
        /// Percent done, for a running backup (`Progress`).
        #[serde(deserialize_with = "opt_string")]
        pub progress: Option<String>,
        /// The engine's version when the backup was made (`EngineVersion`).
        #[serde(deserialize_with = "opt_string")]
        pub engine_version: Option<String>,
        /// Whether it was migrated from older backup sets (`ExtraInfo.RegistryFromHistory`).
        pub extra_info: Option<MongoDbClusterExtraInfo>,
        /// One backup set per shard (`Backups`).
        #[serde(default, deserialize_with = "cloud_http::model::lenient::null_default")]
        pub backups: Vec<MongoDbShardBackup>,
    }
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

optional_fields! {
    /// `ExtraInfo` of a cluster backup.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct MongoDbClusterExtraInfo {
        /// `1` when the cluster backup was migrated from historical sets (`RegistryFromHistory`).
        #[serde(deserialize_with = "opt_string")]
        pub registry_from_history: Option<String>,
    }
}

optional_fields! {
    /// One shard's backup set in a cluster backup.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct MongoDbShardBackup {
        /// The backup set (`BackupId`).
        #[serde(deserialize_with = "req_string")]
        pub backup_id: String,
        /// The shard (`InstanceName`, `d-...`).
        #[serde(deserialize_with = "opt_string")]
        pub instance_name: Option<String>,
        /// The backup's file name (`BackupName`).
        #[serde(deserialize_with = "opt_string")]
        pub backup_name: Option<String>,
        /// The state (`BackupStatus`).
        pub backup_status: Option<BackupSetStatus>,
        /// When the shard's backup started (`BackupStartTime`).
        #[serde(with = "api_time")]
        pub backup_start_time: Option<OffsetDateTime>,
        /// When it ended (`BackupEndTime`).
        #[serde(with = "api_time")]
        pub backup_end_time: Option<OffsetDateTime>,
        /// Size in bytes (`BackupSize`, sent as a string).
        #[serde(deserialize_with = "opt_int")]
        pub backup_size: Option<u64>,
        /// The Internet download link (`BackupDownloadURL`). A credential.
        #[serde(rename = "BackupDownloadURL", deserialize_with = "opt_link")]
        pub backup_download_url: Option<DownloadUrl>,
        /// The link from the same network (`BackupIntranetDownloadURL`). A credential.
        #[serde(rename = "BackupIntranetDownloadURL", deserialize_with = "opt_link")]
        pub backup_intranet_download_url: Option<DownloadUrl>,
        /// Whether the set is usable (`IsAvail`, `"1"` or `"0"`).
        #[serde(deserialize_with = "opt_flag")]
        pub is_avail: Option<bool>,
        /// The node the set was made on (`ExtraInfo`).
        pub extra_info: Option<MongoDbNodeInfo>,
    }
}

optional_fields! {
    /// `ExtraInfo` of a shard's backup set: the node it was made on.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct MongoDbNodeInfo {
        /// The node (`NodeId`, `d-...`): `DescribeBackups`'s `NodeId`.
        #[serde(deserialize_with = "opt_string")]
        pub node_id: Option<String>,
        /// The node's kind (`NodeType`: `db`, ...).
        #[serde(deserialize_with = "opt_string")]
        pub node_type: Option<String>,
        /// The node's instance type (`InstanceClass`).
        #[serde(deserialize_with = "opt_string")]
        pub instance_class: Option<String>,
        /// The node's storage in MB (`StorageSize`, sent as a string).
        #[serde(deserialize_with = "opt_int")]
        pub storage_size: Option<u64>,
    }
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
