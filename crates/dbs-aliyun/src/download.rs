//! Advanced download (API version 2021-01-01): requests and responses of `CreateDownload`,
//! `DescribeDownloadTask`, `DescribeDownloadBackupSetStorageInfo`, `DescribeDownloadSupport` and
//! `RetryDownloadTask`.

use std::time::Duration;

use cloud_http::Error;
use cloud_http::model::lenient::{opt_epoch_time, opt_int, opt_string, req_string};
use cloud_http::{open_enum, secret_url};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::wire::{
    Query, api_time, in_range, not_before_epoch, ordered_window, require, require_opt, unknown,
};

// ---------------------------------------------------------------------------------------------
// CreateDownload
// ---------------------------------------------------------------------------------------------

/// What to download: a full backup set (`BakSetType=full`) or the data as of a point in time
/// (`BakSetType=pitr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadSource {
    /// A full backup set (`BakSetId`), optionally with its size in bytes (`BakSetSize`).
    BackupSet {
        /// The backup set id (`BakSetId`), from the instance's `DescribeBackups`.
        id: String,
        /// The backup set's size in bytes (`BakSetSize`), when known.
        size: Option<u64>,
    },
    /// The data as it was at this point in time (`DownloadPointInTime`, sent in milliseconds).
    PointInTime(OffsetDateTime),
}

impl DownloadSource {
    /// A full backup set of unknown size.
    pub fn backup_set(id: impl Into<String>) -> Self {
        DownloadSource::BackupSet {
            id: id.into(),
            size: None,
        }
    }
}

/// Where DBS puts the downloaded data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadTarget {
    /// Download links (`TargetType=URL`), fetched with
    /// [`Client::describe_download_backup_set_storage_info`](crate::Client::describe_download_backup_set_storage_info)
    /// once the task has finished. They expire three days after the task finishes.
    Url,
    /// Your own OSS bucket (`TargetType=OSS`). The account needs the `AliyunDBSDefaultRole` role.
    Oss {
        /// The bucket (`TargetBucket`).
        bucket: String,
        /// The path in the bucket (`TargetPath`).
        path: String,
        /// The bucket's region (`TargetOssRegion`).
        region: String,
    },
}

/// A logical export format every supported engine can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicalFormat {
    /// `csv`.
    Csv,
    /// `csv-with-header`.
    CsvWithHeader,
    /// `sql`.
    Sql,
    /// `parquet`.
    Parquet,
}

impl LogicalFormat {
    fn wire(self) -> &'static str {
        match self {
            LogicalFormat::Csv => "csv",
            LogicalFormat::CsvWithHeader => "csv-with-header",
            LogicalFormat::Sql => "sql",
            LogicalFormat::Parquet => "parquet",
        }
    }
}

/// The format of a MongoDB download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MongoDbFormat {
    /// `bson`, available for MongoDB only.
    Bson,
    /// A logical format.
    Logical(LogicalFormat),
}

/// A MongoDB instance's shape, which decides `IsCluster` and `ClusterName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MongoDbTopology {
    /// A replica set or standalone instance (`IsCluster=false`).
    ReplicaSet,
    /// A sharded cluster (`IsCluster=true`) with its id (`ClusterName`, `dds-...`).
    ShardedCluster {
        /// The sharded cluster's id.
        cluster_name: String,
    },
}

/// The options DBS requires for ApsaraDB for MongoDB, and only for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MongoDbExport {
    /// The format.
    pub format: MongoDbFormat,
    /// Whether the primary key of a collection is unique (`PrimaryKeyTypeOnly`).
    pub primary_key_type_only: bool,
    /// The authentication database (`AdminDatabase`), `admin` by default.
    pub admin_database: String,
    /// Replica set or sharded cluster.
    pub topology: MongoDbTopology,
}

impl MongoDbExport {
    /// A replica-set export in `format` with `PrimaryKeyTypeOnly=false` and `AdminDatabase=admin`.
    pub fn new(format: MongoDbFormat) -> Self {
        MongoDbExport {
            format,
            primary_key_type_only: false,
            admin_database: "admin".to_owned(),
            topology: MongoDbTopology::ReplicaSet,
        }
    }

    /// The same export from a sharded cluster.
    pub fn sharded_cluster(mut self, cluster_name: impl Into<String>) -> Self {
        self.topology = MongoDbTopology::ShardedCluster {
            cluster_name: cluster_name.into(),
        };
        self
    }
}

/// The export format together with the options only some engines take, grouped so that
/// MongoDB-only and RDS-MySQL-only options cannot be mixed or sent to the wrong engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// A logical export (RDS MySQL, RDS PostgreSQL, PolarDB for MySQL).
    Logical(LogicalFormat),
    /// ApsaraDB for MongoDB, with the options it requires.
    MongoDb(MongoDbExport),
    /// An RDS for MySQL physical backup file: `FormatType=qp.xb` with `IsPhysical=true`.
    RdsMySqlPhysical,
}

impl Export {
    /// The `FormatType` this export sends (`csv`, `sql`, `bson`, `qp.xb`, ...); a task listed
    /// by `DescribeDownloadTask` with the same `Format` exports the same way.
    pub fn format_type(&self) -> &'static str {
        match self {
            Export::Logical(f) => f.wire(),
            Export::MongoDb(m) => match m.format {
                MongoDbFormat::Bson => "bson",
                MongoDbFormat::Logical(f) => f.wire(),
            },
            Export::RdsMySqlPhysical => "qp.xb",
        }
    }
}

/// `CreateDownload`: start an advanced download task of an instance's backup.
///
/// ```
/// use dbs_aliyun::{CreateDownloadRequest, DownloadSource, DownloadTarget, Export, LogicalFormat};
/// let request = CreateDownloadRequest::new(
///     "rm-bp1xxxxxxxx",
///     DownloadSource::backup_set("1460051234"),
///     Export::Logical(LogicalFormat::Csv),
///     DownloadTarget::Url,
/// );
/// assert_eq!(request.region_code, None); // the client's region is sent
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateDownloadRequest {
    /// The instance's region (`RegionCode`); the client's region when `None`.
    pub region_code: Option<String>,
    /// The instance id (`InstanceName`).
    pub instance_name: String,
    /// Full backup set or point in time.
    pub source: DownloadSource,
    /// Format and engine-specific options.
    pub export: Export,
    /// URL or OSS bucket.
    pub target: DownloadTarget,
    /// Compress with zstd (`UseZstd`); the service's default (no) when `None`.
    pub use_zstd: Option<bool>,
}

impl CreateDownloadRequest {
    /// A download of `instance_name` in the client's region.
    pub fn new(
        instance_name: impl Into<String>,
        source: DownloadSource,
        export: Export,
        target: DownloadTarget,
    ) -> Self {
        CreateDownloadRequest {
            region_code: None,
            instance_name: instance_name.into(),
            source,
            export,
            target,
            use_zstd: None,
        }
    }

    pub(crate) fn to_query(&self, region: &str) -> Result<Query, Error> {
        require("InstanceName", &self.instance_name)?;
        let mut q = Query::default();
        q.put("RegionCode", region)
            .put("InstanceName", &self.instance_name);
        match &self.source {
            DownloadSource::BackupSet { id, size } => {
                require("BakSetId", id)?;
                q.put("BakSetType", "full")
                    .put("BakSetId", id)
                    .opt("BakSetSize", *size);
            }
            DownloadSource::PointInTime(t) => {
                not_before_epoch("DownloadPointInTime", Some(*t))?;
                q.put("BakSetType", "pitr")
                    .time("DownloadPointInTime", Some(*t));
            }
        }
        q.put("FormatType", self.export.format_type());
        match &self.export {
            Export::Logical(_) => {}
            Export::MongoDb(m) => {
                require("AdminDatabase", &m.admin_database)?;
                q.put("PrimaryKeyTypeOnly", m.primary_key_type_only)
                    .put("AdminDatabase", &m.admin_database);
                match &m.topology {
                    MongoDbTopology::ReplicaSet => {
                        q.put("IsCluster", false);
                    }
                    MongoDbTopology::ShardedCluster { cluster_name } => {
                        require("ClusterName", cluster_name)?;
                        q.put("IsCluster", true).put("ClusterName", cluster_name);
                    }
                }
            }
            Export::RdsMySqlPhysical => {
                q.put("IsPhysical", true);
            }
        }
        match &self.target {
            DownloadTarget::Url => {
                q.put("TargetType", "URL");
            }
            DownloadTarget::Oss {
                bucket,
                path,
                region,
            } => {
                require("TargetBucket", bucket)?;
                require("TargetPath", path)?;
                require("TargetOssRegion", region)?;
                q.put("TargetType", "OSS")
                    .put("TargetBucket", bucket)
                    .put("TargetPath", path)
                    .put("TargetOssRegion", region);
            }
        }
        q.opt("UseZstd", self.use_zstd);
        Ok(q)
    }

    /// The MongoDB sharded cluster id, if any (needed again to poll the task).
    fn cluster_name(&self) -> Option<&str> {
        match &self.export {
            Export::MongoDb(MongoDbExport {
                topology: MongoDbTopology::ShardedCluster { cluster_name },
                ..
            }) => Some(cluster_name),
            _ => None,
        }
    }

    pub(crate) fn key(&self, region: &str, task: &DownloadTask) -> DownloadTaskKey {
        DownloadTaskKey {
            region_code: Some(region.to_owned()),
            instance_name: self.instance_name.clone(),
            task_id: task.task_id.clone(),
            created: task.gmt_create,
            cluster_name: self.cluster_name().map(str::to_owned),
        }
    }
}

/// The answer to `CreateDownload`: the new task, and the key to poll it with.
///
/// Serializes in DBS's shape (`Data` holding the task, `RequestId`), with the key added as `Key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreatedDownload {
    /// The task as DBS created it (`Data`).
    #[serde(rename = "Data")]
    pub task: DownloadTask,
    /// What [`Client::wait_for_download`](crate::Client::wait_for_download) needs to find it
    /// (`Key`).
    pub key: DownloadTaskKey,
    /// The request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Everything needed to find a download task again: `DescribeDownloadTask` lists an instance's
/// tasks, it does not look one up by id.
///
/// Serializes with the names of the request parameters and task fields it stands for
/// (`RegionCode`, `InstanceName`, `TaskId`, `GmtCreate` in epoch milliseconds, `ClusterName`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DownloadTaskKey {
    /// The instance's region; the client's region when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    /// The instance id.
    pub instance_name: String,
    /// The task id (`dt-...`).
    pub task_id: String,
    /// When the task was created, to narrow the listing (`GmtCreate`, epoch milliseconds).
    #[serde(
        rename = "GmtCreate",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<OffsetDateTime>,
    /// The MongoDB sharded cluster id, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
}

open_enum! {
    #[open_enum(case_insensitive)]
    /// The state of a download task.
    #[non_exhaustive]
    pub enum DownloadStatus {
        /// `initializing`.
        Initializing = "initializing",
        /// `queueing` (also seen spelled `queuing`).
        Queueing = "queueing" | "queuing",
        /// `running`.
        Running = "running",
        /// `failed`: the task failed; `RetryDownloadTask` can retry it.
        Failed = "failed",
        /// `finished`: the data is ready.
        Finished = "finished",
        /// `expired`: the download links expired (three days after finishing).
        Expired = "expired",
    }
}

impl DownloadStatus {
    /// Whether the task will not change state any more by itself.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            DownloadStatus::Failed | DownloadStatus::Finished | DownloadStatus::Expired
        )
    }
}

open_enum! {
    #[open_enum(case_insensitive)]
    /// The format of downloaded data, as DBS reports it.
    #[non_exhaustive]
    pub enum FormatType {
        /// `csv`.
        Csv = "csv",
        /// `csv-with-header`.
        CsvWithHeader = "csv-with-header",
        /// `sql`.
        Sql = "sql",
        /// `parquet`.
        Parquet = "parquet",
        /// `bson` (MongoDB).
        Bson = "bson",
        /// `qp.xb` (RDS for MySQL physical backup).
        QpXb = "qp.xb",
    }
}

open_enum! {
    #[open_enum(case_insensitive)]
    /// Where a download goes.
    #[non_exhaustive]
    pub enum TargetType {
        /// `URL`: download links.
        Url = "URL",
        /// `OSS`: the user's bucket.
        Oss = "OSS",
    }
}

/// A download task.
///
/// Serializes with DBS's field names, times in epoch milliseconds as DBS sends them, absent
/// fields left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DownloadTask {
    /// The task id (`TaskId`, `dt-...`).
    #[serde(deserialize_with = "req_string")]
    pub task_id: String,
    /// The state (`DownloadStatus`); `Unknown("")` when the service sent none.
    #[serde(rename = "DownloadStatus", default = "unknown")]
    pub status: DownloadStatus,
    /// Tables exported / tables to export (`Progress`, `"0/0"` while initializing).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub progress: Option<String>,
    /// The full backup set id (`BakSetId`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub bak_set_id: Option<String>,
    /// The point in time of the data (`BackupSetTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_set_time: Option<OffsetDateTime>,
    /// The region (`RegionCode`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub region_code: Option<String>,
    /// The OSS path (`TargetPath`), for OSS targets.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub target_path: Option<String>,
    /// URL or OSS (`TargetType`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_type: Option<TargetType>,
    /// The databases and tables, for a filtered download (`DbList`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_list: Option<String>,
    /// Bytes exported (`ExportDataSize`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub export_data_size: Option<u64>,
    /// Bytes processed (`ImportDataSize`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub import_data_size: Option<u64>,
    /// When the task was created (`GmtCreate`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub gmt_create: Option<OffsetDateTime>,
    /// The format (`Format`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<FormatType>,
}

impl DownloadTask {
    /// `Progress` as (tables exported, tables to export), when it has that form.
    pub fn tables(&self) -> Option<(u64, u64)> {
        let (done, total) = self.progress.as_deref()?.split_once('/')?;
        Some((done.trim().parse().ok()?, total.trim().parse().ok()?))
    }
}

// ---------------------------------------------------------------------------------------------
// DescribeDownloadTask
// ---------------------------------------------------------------------------------------------

/// The kind of a download task (`TaskType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DownloadTaskType {
    /// `full`: a full backup set.
    Full,
    /// `pitr`: a point in time.
    PointInTime,
}

/// Sort direction by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// Oldest first (`asc`).
    Ascending,
    /// Newest first (`desc`, the service's default).
    Descending,
}

/// `DescribeDownloadTask`: list an instance's download tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DescribeDownloadTaskRequest {
    /// The instance's region; the client's region when `None`.
    pub region_code: Option<String>,
    /// The instance id (`InstanceName`).
    pub instance_name: String,
    /// Only tasks of this kind (`TaskType`).
    pub task_type: Option<DownloadTaskType>,
    /// Only tasks of this backup set (`BackupSetId`).
    pub backup_set_id: Option<String>,
    /// Only tasks of this data source (`DatasourceId`, `ds-<instance>_<region>`).
    pub datasource_id: Option<String>,
    /// Only tasks in this state (`State`).
    pub state: Option<DownloadStatus>,
    /// Only tasks created at or after (`StartTime`, ms).
    pub created_after: Option<OffsetDateTime>,
    /// Only tasks created at or before (`EndTime`, ms).
    pub created_before: Option<OffsetDateTime>,
    /// Page number, from 1 (`CurrentPage`).
    pub current_page: Option<u32>,
    /// Tasks per page (`PageSize`).
    pub page_size: Option<u32>,
    /// Sort by creation time (`OrderColumn=gmt_create`, `OrderDirect`).
    pub order: Option<SortOrder>,
    /// The MongoDB sharded cluster id (`ClusterName`).
    pub cluster_name: Option<String>,
}

impl DescribeDownloadTaskRequest {
    /// All tasks of `instance_name`, in the client's region.
    pub fn new(instance_name: impl Into<String>) -> Self {
        DescribeDownloadTaskRequest {
            instance_name: instance_name.into(),
            ..Self::default()
        }
    }

    pub(crate) fn to_query(&self, region: &str) -> Result<Query, Error> {
        require("InstanceName", &self.instance_name)?;
        require_opt("BackupSetId", self.backup_set_id.as_deref())?;
        require_opt("DatasourceId", self.datasource_id.as_deref())?;
        require_opt("ClusterName", self.cluster_name.as_deref())?;
        not_before_epoch("StartTime", self.created_after)?;
        not_before_epoch("EndTime", self.created_before)?;
        ordered_window(
            "StartTime",
            self.created_after,
            "EndTime",
            self.created_before,
        )?;
        in_range("CurrentPage", self.current_page, 1, u32::MAX)?;
        in_range("PageSize", self.page_size, 1, 100)?;
        let mut q = Query::default();
        q.put("RegionCode", region)
            .put("InstanceName", &self.instance_name)
            .opt(
                "TaskType",
                self.task_type.map(|t| match t {
                    DownloadTaskType::Full => "full",
                    DownloadTaskType::PointInTime => "pitr",
                }),
            )
            .opt("BackupSetId", self.backup_set_id.as_deref())
            .opt("DatasourceId", self.datasource_id.as_deref())
            .opt("State", self.state.as_ref().map(DownloadStatus::as_str))
            .time("StartTime", self.created_after)
            .time("EndTime", self.created_before)
            .opt("CurrentPage", self.current_page)
            .opt("PageSize", self.page_size)
            .opt("ClusterName", self.cluster_name.as_deref());
        if let Some(order) = self.order {
            q.put("OrderColumn", "gmt_create").put(
                "OrderDirect",
                match order {
                    SortOrder::Ascending => "asc",
                    SortOrder::Descending => "desc",
                },
            );
        }
        Ok(q)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DownloadTaskListWire {
    #[serde(default)]
    pub(crate) data: Option<DownloadTaskListData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DownloadTaskListData {
    #[serde(default)]
    pub(crate) content: Option<DownloadTaskListContent>,
    #[serde(flatten)]
    pub(crate) counts: crate::page::PageCounts,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DownloadTaskListContent {
    #[serde(default)]
    pub(crate) list: Vec<DownloadTask>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateDownloadWire {
    pub(crate) data: Option<DownloadTask>,
}

// ---------------------------------------------------------------------------------------------
// DescribeDownloadBackupSetStorageInfo
// ---------------------------------------------------------------------------------------------

/// Which download the links are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageInfoTarget {
    /// A download task (`TaskId`).
    Task(String),
    /// A backup set of an instance (`BackupSetId` and `InstanceName`).
    BackupSet {
        /// The backup set id.
        backup_set_id: String,
        /// The instance id.
        instance_name: String,
    },
}

/// `DescribeDownloadBackupSetStorageInfo`: the download links of a finished URL-type task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageInfoRequest {
    /// The instance's region; the client's region when `None`.
    pub region_code: Option<String>,
    /// Task, or backup set and instance.
    pub target: StorageInfoTarget,
    /// How long the links stay valid (`Duration`): 300 to 86400 whole seconds.
    pub duration: Duration,
    /// The MongoDB sharded cluster id (`ClusterName`).
    pub cluster_name: Option<String>,
}

impl StorageInfoRequest {
    /// The links of download task `task_id`, valid for `duration` (300 s to 24 h).
    pub fn for_task(task_id: impl Into<String>, duration: Duration) -> Self {
        StorageInfoRequest {
            region_code: None,
            target: StorageInfoTarget::Task(task_id.into()),
            duration,
            cluster_name: None,
        }
    }

    pub(crate) fn to_query(&self, region: &str) -> Result<Query, Error> {
        let secs = self.duration.as_secs();
        if !(300..=86_400).contains(&secs) || self.duration.subsec_nanos() != 0 {
            return Err(Error::invalid(
                "Duration",
                format!(
                    "must be a whole number of seconds between 300 and 86400 (got {:?})",
                    self.duration
                ),
            ));
        }
        require_opt("ClusterName", self.cluster_name.as_deref())?;
        let mut q = Query::default();
        q.put("RegionCode", region).put("Duration", secs);
        match &self.target {
            StorageInfoTarget::Task(id) => {
                require("TaskId", id)?;
                q.put("TaskId", id);
            }
            StorageInfoTarget::BackupSet {
                backup_set_id,
                instance_name,
            } => {
                require("BackupSetId", backup_set_id)?;
                require("InstanceName", instance_name)?;
                q.put("BackupSetId", backup_set_id)
                    .put("InstanceName", instance_name);
            }
        }
        q.opt("ClusterName", self.cluster_name.as_deref());
        Ok(q)
    }
}

secret_url! {
    /// A download link. Anyone holding it can read the backup, so `Debug` and `Display` cut its
    /// query string (where OSS puts the signature): call [`DownloadUrl::expose`] (or `as_str`)
    /// to use it. Serializes as the whole link: a caller who serializes one asked for it.
    pub struct DownloadUrl;
}

/// The links to a finished URL-type download.
///
/// Serializes as DBS's `Data` (`PublicUrl`, `PrivateUrl`, `ExpirationTime` in epoch
/// milliseconds) with `RequestId` added. **The links serialize in full**, signature included:
/// serialize this only where the links are wanted, never into a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DownloadLinks {
    /// The Internet link (`PublicUrl`). A credential: `Debug` cuts its query string, but
    /// `Serialize` writes the whole link, as [`DownloadUrl`] does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<DownloadUrl>,
    /// The link from within the region's network (`PrivateUrl`). A credential: `Debug` cuts its
    /// query string, but `Serialize` writes the whole link, as [`DownloadUrl`] does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_url: Option<DownloadUrl>,
    /// When the links stop working (`ExpirationTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_time: Option<OffsetDateTime>,
    /// The request id (`RequestId`; serialized, not read from `Data`).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StorageInfoWire {
    pub(crate) data: Option<DownloadLinks>,
}

// ---------------------------------------------------------------------------------------------
// DescribeDownloadSupport, RetryDownloadTask
// ---------------------------------------------------------------------------------------------

/// `DescribeDownloadSupport`: whether an instance supports advanced download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeDownloadSupportRequest {
    /// The instance's region; the client's region when `None`.
    pub region_code: Option<String>,
    /// The instance id (`InstanceName`).
    pub instance_name: String,
}

impl DescribeDownloadSupportRequest {
    /// Asks about `instance_name` in the client's region.
    pub fn new(instance_name: impl Into<String>) -> Self {
        DescribeDownloadSupportRequest {
            region_code: None,
            instance_name: instance_name.into(),
        }
    }

    pub(crate) fn to_query(&self, region: &str) -> Result<Query, Error> {
        require("InstanceName", &self.instance_name)?;
        let mut q = Query::default();
        q.put("RegionCode", region)
            .put("InstanceName", &self.instance_name);
        Ok(q)
    }
}

/// The answer to `DescribeDownloadSupport`. Serializes in DBS's shape: `Data` (a JSON boolean)
/// and `RequestId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DownloadSupport {
    /// Whether the instance supports advanced download (`Data`).
    #[serde(rename = "Data")]
    pub supported: bool,
    /// The request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DataTextWire {
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) data: Option<String>,
}

/// `RetryDownloadTask`: retry a failed download task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryDownloadTaskRequest {
    /// The instance's region; the client's region when `None`.
    pub region_code: Option<String>,
    /// The instance id (`InstanceName`).
    pub instance_name: String,
    /// The failed task (`TaskId`).
    pub task_id: String,
    /// The MongoDB sharded cluster id (`ClusterName`).
    pub cluster_name: Option<String>,
}

impl RetryDownloadTaskRequest {
    /// Retries the task `key` names.
    pub fn for_task(key: &DownloadTaskKey) -> Self {
        RetryDownloadTaskRequest {
            region_code: key.region_code.clone(),
            instance_name: key.instance_name.clone(),
            task_id: key.task_id.clone(),
            cluster_name: key.cluster_name.clone(),
        }
    }

    pub(crate) fn to_query(&self, region: &str) -> Result<Query, Error> {
        require("InstanceName", &self.instance_name)?;
        require("TaskId", &self.task_id)?;
        require_opt("ClusterName", self.cluster_name.as_deref())?;
        let mut q = Query::default();
        q.put("RegionCode", region)
            .put("InstanceName", &self.instance_name)
            .put("TaskId", &self.task_id)
            .opt("ClusterName", self.cluster_name.as_deref());
        Ok(q)
    }
}

/// The answer to `RetryDownloadTask`. Serializes in DBS's shape: `Data` and `RequestId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RetriedDownload {
    /// The service's `Data`, undocumented (the task id in practice), kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// The request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: Query) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> =
            q.0.into_iter()
                .map(|(k, v)| (k, v.expose().to_owned()))
                .collect();
        v.sort();
        v
    }

    #[test]
    fn mongo_options_are_sent_only_for_mongo() {
        let mut req = CreateDownloadRequest::new(
            "dds-1",
            DownloadSource::backup_set("42"),
            Export::MongoDb(MongoDbExport::new(MongoDbFormat::Bson).sharded_cluster("dds-c1")),
            DownloadTarget::Url,
        );
        let q = pairs(req.to_query("cn-beijing").unwrap());
        for expected in [
            ("FormatType", "bson"),
            ("IsCluster", "true"),
            ("ClusterName", "dds-c1"),
            ("AdminDatabase", "admin"),
            ("PrimaryKeyTypeOnly", "false"),
        ] {
            assert!(
                q.contains(&(expected.0.into(), expected.1.into())),
                "{expected:?} in {q:?}"
            );
        }
        assert!(!q.iter().any(|(k, _)| k == "IsPhysical"));

        req.export = Export::Logical(LogicalFormat::CsvWithHeader);
        let q = pairs(req.to_query("cn-beijing").unwrap());
        assert!(q.contains(&("FormatType".into(), "csv-with-header".into())));
        for absent in [
            "IsCluster",
            "ClusterName",
            "AdminDatabase",
            "PrimaryKeyTypeOnly",
            "IsPhysical",
        ] {
            assert!(!q.iter().any(|(k, _)| k == absent), "{absent} in {q:?}");
        }

        req.export = Export::RdsMySqlPhysical;
        let q = pairs(req.to_query("cn-beijing").unwrap());
        assert!(q.contains(&("FormatType".into(), "qp.xb".into())));
        assert!(q.contains(&("IsPhysical".into(), "true".into())));
    }

    #[test]
    fn missing_fields_are_named() {
        let mut req = CreateDownloadRequest::new(
            "rm-1",
            DownloadSource::backup_set(""),
            Export::Logical(LogicalFormat::Csv),
            DownloadTarget::Url,
        );
        assert_eq!(
            req.to_query("cn-beijing").unwrap_err().to_string(),
            "invalid input: BakSetId: must not be empty"
        );
        req.source = DownloadSource::backup_set("1");
        req.target = DownloadTarget::Oss {
            bucket: "b".into(),
            path: " ".into(),
            region: "cn-beijing".into(),
        };
        assert_eq!(
            req.to_query("cn-beijing").unwrap_err().to_string(),
            "invalid input: TargetPath: must not be empty"
        );
        req.export = Export::MongoDb(MongoDbExport::new(MongoDbFormat::Bson).sharded_cluster(""));
        req.target = DownloadTarget::Url;
        assert_eq!(
            req.to_query("cn-beijing").unwrap_err().to_string(),
            "invalid input: ClusterName: must not be empty"
        );
    }

    #[test]
    fn link_duration_is_validated() {
        for (secs, ok) in [
            (299, false),
            (300, true),
            (7200, true),
            (86_400, true),
            (86_401, false),
        ] {
            let r =
                StorageInfoRequest::for_task("dt-1", Duration::from_secs(secs)).to_query("cn-x");
            assert_eq!(r.is_ok(), ok, "{secs}");
            if let Err(e) = r {
                assert!(e.to_string().starts_with("invalid input: Duration:"), "{e}");
            }
        }
        let r = StorageInfoRequest::for_task("dt-1", Duration::from_millis(300_500));
        assert!(r.to_query("cn-x").is_err());
    }

    #[test]
    fn download_urls_hide_their_query_in_debug() {
        let url = DownloadUrl::new(
            "https://b.oss-cn-hangzhou.aliyuncs.com/f.tar?Expires=1&Signature=abc",
        );
        let dbg = format!("{url:?}");
        assert!(!dbg.contains("Signature"), "{dbg}");
        assert!(
            dbg.contains("https://b.oss-cn-hangzhou.aliyuncs.com/f.tar?<redacted>"),
            "{dbg}"
        );
        assert!(url.expose().ends_with("Signature=abc"));
    }

    #[test]
    fn progress_reads_tables() {
        let task: DownloadTask = serde_json::from_str(
            r#"{"TaskId":"dt-1","Progress":"3/10","DownloadStatus":"queuing"}"#,
        )
        .unwrap();
        assert_eq!(task.tables(), Some((3, 10)));
        assert_eq!(task.status, DownloadStatus::Queueing);
        assert!(!task.status.is_terminal());
        assert!(serde_json::from_str::<DownloadTask>(r#"{"Progress":"3/10"}"#).is_err());
    }
}
