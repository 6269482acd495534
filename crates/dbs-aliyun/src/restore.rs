//! Restore and backup listings (API version 2019-03-06): requests and responses of
//! `CreateRestoreTask`, `StartRestoreTask`, `DescribeRestoreTaskList`, `DescribeBackupPlanList`
//! and `DescribeFullBackupList`.

use cloud_http::Error;
use cloud_http::model::lenient::{opt_bool, opt_epoch_time, opt_int, opt_string, req_string};
use cloud_http::open_enum;
use cloud_sign::SecretString;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::wire::{
    Query, api_time, in_range, not_before_epoch, opt_message, ordered_window, require, require_opt,
    unknown,
};

// ---------------------------------------------------------------------------------------------
// CreateRestoreTask
// ---------------------------------------------------------------------------------------------

/// What to restore from: a full backup set (`BackupSetId`) or a point in time (`RestoreTime`).
/// The two are mutually exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreSource {
    /// A full backup set (`BackupSetId`).
    BackupSet(String),
    /// A point in time (`RestoreTime`, sent in milliseconds).
    PointInTime(OffsetDateTime),
}

/// Where the data is restored to (`DestinationEndpointInstanceType`), each kind with the fields
/// DBS requires for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreDestination {
    /// An ApsaraDB RDS instance (`RDS`).
    Rds {
        /// `DestinationEndpointRegion`.
        region: String,
        /// `DestinationEndpointInstanceID`.
        instance_id: String,
    },
    /// A database on an ECS instance (`ECS`).
    Ecs {
        /// `DestinationEndpointRegion`.
        region: String,
        /// `DestinationEndpointInstanceID`.
        instance_id: String,
        /// `DestinationEndpointPort`.
        port: u16,
    },
    /// An ApsaraDB for MongoDB instance (`DDS`).
    Dds {
        /// `DestinationEndpointRegion`.
        region: String,
        /// `DestinationEndpointInstanceID`.
        instance_id: String,
    },
    /// A database reached over a leased line, VPN Gateway or Smart Access Gateway (`Express`).
    Express {
        /// `DestinationEndpointRegion`.
        region: String,
        /// `DestinationEndpointInstanceID`.
        instance_id: String,
        /// `DestinationEndpointIP`.
        ip: String,
        /// `DestinationEndpointPort`.
        port: u16,
    },
    /// A database reached through a DBS backup gateway (`Agent`).
    Agent {
        /// `DestinationEndpointRegion`.
        region: String,
        /// `DestinationEndpointIP`.
        ip: String,
        /// `DestinationEndpointPort`.
        port: u16,
        /// `BackupGatewayId`.
        backup_gateway_id: u64,
        /// `RestoreDir`: required by DBS when the backup plan is for MySQL.
        restore_dir: Option<String>,
    },
    /// A database reached over the Internet (`Other`).
    Other {
        /// `DestinationEndpointIP`.
        ip: String,
        /// `DestinationEndpointPort`.
        port: u16,
    },
    /// A self-managed database without a public address, reached through Database Gateway
    /// (`dg`). DBS documents no required fields for it; give what your gateway setup needs.
    DatabaseGateway {
        /// `DestinationEndpointRegion`.
        region: Option<String>,
        /// `DestinationEndpointInstanceID`.
        instance_id: Option<String>,
    },
}

impl RestoreDestination {
    fn put(&self, q: &mut Query) -> Result<(), Error> {
        let (kind, region, instance_id, ip, port) = match self {
            RestoreDestination::Rds {
                region,
                instance_id,
            } => ("RDS", Some(region), Some(instance_id), None, None),
            RestoreDestination::Ecs {
                region,
                instance_id,
                port,
            } => ("ECS", Some(region), Some(instance_id), None, Some(*port)),
            RestoreDestination::Dds {
                region,
                instance_id,
            } => ("DDS", Some(region), Some(instance_id), None, None),
            RestoreDestination::Express {
                region,
                instance_id,
                ip,
                port,
            } => (
                "Express",
                Some(region),
                Some(instance_id),
                Some(ip),
                Some(*port),
            ),
            RestoreDestination::Agent {
                region, ip, port, ..
            } => ("Agent", Some(region), None, Some(ip), Some(*port)),
            RestoreDestination::Other { ip, port } => ("Other", None, None, Some(ip), Some(*port)),
            RestoreDestination::DatabaseGateway {
                region,
                instance_id,
            } => ("dg", region.as_ref(), instance_id.as_ref(), None, None),
        };
        if let Some(region) = region {
            require("DestinationEndpointRegion", region)?;
        }
        if let Some(id) = instance_id {
            require("DestinationEndpointInstanceID", id)?;
        }
        if let Some(ip) = ip {
            require("DestinationEndpointIP", ip)?;
        }
        if port == Some(0) {
            return Err(Error::invalid("DestinationEndpointPort", "must not be 0"));
        }
        q.put("DestinationEndpointInstanceType", kind)
            .opt("DestinationEndpointRegion", region)
            .opt("DestinationEndpointInstanceID", instance_id)
            .opt("DestinationEndpointIP", ip)
            .opt("DestinationEndpointPort", port);
        if let RestoreDestination::Agent {
            backup_gateway_id,
            restore_dir,
            ..
        } = self
        {
            require_opt("RestoreDir", restore_dir.as_deref())?;
            q.put("BackupGatewayId", backup_gateway_id)
                .opt("RestoreDir", restore_dir.as_deref());
        }
        Ok(())
    }
}

/// The account DBS uses on the destination database (`DestinationEndpointUserName`,
/// `DestinationEndpointPassword`). DBS requires it except for Redis, and for MSSQL behind a
/// backup gateway. The password never appears in `Debug`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseAccount {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: SecretString,
}

impl DatabaseAccount {
    /// An account.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        DatabaseAccount {
            user: user.into(),
            password: SecretString::new(password),
        }
    }
}

/// A database to restore (`RestoreObjects` entry), optionally under a new name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreObject {
    /// The database in the backup (`DBName`).
    #[serde(rename = "DBName")]
    pub db_name: String,
    /// The name to restore it as (`NewDBName`); the same name when `None`.
    #[serde(rename = "NewDBName", skip_serializing_if = "Option::is_none")]
    pub new_db_name: Option<String>,
}

impl RestoreObject {
    /// Restore `db_name` as `new_db_name`.
    pub fn renamed(db_name: impl Into<String>, new_db_name: impl Into<String>) -> Self {
        RestoreObject {
            db_name: db_name.into(),
            new_db_name: Some(new_db_name.into()),
        }
    }
}

/// What to do when an object of the same name exists (`DuplicateConflict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DuplicateConflict {
    /// `renamenew`: rename the restored object.
    RenameNew,
}

/// A backup made across Alibaba Cloud accounts (`CrossAliyunId`, `CrossRoleName`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossAccount {
    /// The UID of the account that owns the backup.
    pub aliyun_id: String,
    /// The RAM role DBS assumes in that account.
    pub role_name: String,
}

/// TLS to the destination database (`EnableDestinationEndpointSsl=true`, optional `SslCaPem`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DestinationTls {
    /// The CA certificate (PEM) to verify the database with (`SslCaPem`).
    pub ca_pem: Option<String>,
}

/// `CreateRestoreTask`: create a restore job (start it with
/// [`Client::start_restore_task`](crate::Client::start_restore_task)).
///
/// ```
/// use dbs_aliyun::{CreateRestoreTaskRequest, DatabaseAccount, RestoreDestination, RestoreObject, RestoreSource};
/// let mut request = CreateRestoreTaskRequest::new(
///     "dbs1hvb0w1234",
///     "restore-orders",
///     RestoreSource::BackupSet("1ibh2f5u123".into()),
///     RestoreDestination::Rds { region: "cn-hangzhou".into(), instance_id: "rm-bp1xxxx".into() },
/// );
/// request.account = Some(DatabaseAccount::new("dbs", "s3cret"));
/// request.restore_objects = vec![RestoreObject::renamed("orders", "orders_restored")];
/// assert!(!format!("{request:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRestoreTaskRequest {
    /// The backup plan (`BackupPlanId`).
    pub backup_plan_id: String,
    /// A name for the job (`RestoreTaskName`).
    pub restore_task_name: String,
    /// Backup set or point in time.
    pub source: RestoreSource,
    /// The destination and the fields its kind requires.
    pub destination: RestoreDestination,
    /// The databases to restore (`RestoreObjects`): required except for an `Agent` destination.
    pub restore_objects: Vec<RestoreObject>,
    /// The destination account.
    pub account: Option<DatabaseAccount>,
    /// The destination database (`DestinationEndpointDatabaseName`): required by DBS for
    /// PostgreSQL and MongoDB.
    pub database_name: Option<String>,
    /// The Oracle SID (`DestinationEndpointOracleSID`): required by DBS for Oracle.
    pub oracle_sid: Option<String>,
    /// The database program directory (`RestoreHome`).
    pub restore_home: Option<String>,
    /// Same-name conflict handling (`DuplicateConflict`).
    pub duplicate_conflict: Option<DuplicateConflict>,
    /// A cross-account backup.
    pub cross_account: Option<CrossAccount>,
    /// TLS to the destination.
    pub tls: Option<DestinationTls>,
    /// The idempotency token (`ClientToken`); one is generated per call when `None`. Give your
    /// own to be able to repeat the logical call yourself after an error (at most 64 ASCII
    /// characters).
    pub client_token: Option<String>,
}

impl CreateRestoreTaskRequest {
    /// A restore job with the required fields; fill the optional ones as needed.
    pub fn new(
        backup_plan_id: impl Into<String>,
        restore_task_name: impl Into<String>,
        source: RestoreSource,
        destination: RestoreDestination,
    ) -> Self {
        CreateRestoreTaskRequest {
            backup_plan_id: backup_plan_id.into(),
            restore_task_name: restore_task_name.into(),
            source,
            destination,
            restore_objects: Vec::new(),
            account: None,
            database_name: None,
            oracle_sid: None,
            restore_home: None,
            duplicate_conflict: None,
            cross_account: None,
            tls: None,
            client_token: None,
        }
    }

    pub(crate) fn to_query(&self, client_token: &str) -> Result<Query, Error> {
        require("BackupPlanId", &self.backup_plan_id)?;
        require("RestoreTaskName", &self.restore_task_name)?;
        let mut q = Query::default();
        q.put("BackupPlanId", &self.backup_plan_id)
            .put("RestoreTaskName", &self.restore_task_name);
        match &self.source {
            RestoreSource::BackupSet(id) => {
                require("BackupSetId", id)?;
                q.put("BackupSetId", id);
            }
            RestoreSource::PointInTime(t) => {
                not_before_epoch("RestoreTime", Some(*t))?;
                q.time("RestoreTime", Some(*t));
            }
        }
        self.destination.put(&mut q)?;
        let agent = matches!(self.destination, RestoreDestination::Agent { .. });
        if self.restore_objects.is_empty() && !agent {
            return Err(Error::invalid(
                "RestoreObjects",
                "must name at least one database unless the destination is an Agent",
            ));
        }
        for o in &self.restore_objects {
            require("RestoreObjects.DBName", &o.db_name)?;
            require_opt("RestoreObjects.NewDBName", o.new_db_name.as_deref())?;
        }
        if !self.restore_objects.is_empty() {
            let json = serde_json::to_string(&self.restore_objects)
                .map_err(|e| Error::invalid("RestoreObjects", e.to_string()))?;
            q.put("RestoreObjects", json);
        }
        if let Some(account) = &self.account {
            require("DestinationEndpointUserName", &account.user)?;
            q.put("DestinationEndpointUserName", &account.user)
                .put_secret("DestinationEndpointPassword", &account.password);
        }
        require_opt(
            "DestinationEndpointDatabaseName",
            self.database_name.as_deref(),
        )?;
        require_opt("DestinationEndpointOracleSID", self.oracle_sid.as_deref())?;
        require_opt("RestoreHome", self.restore_home.as_deref())?;
        q.opt(
            "DestinationEndpointDatabaseName",
            self.database_name.as_deref(),
        )
        .opt("DestinationEndpointOracleSID", self.oracle_sid.as_deref())
        .opt("RestoreHome", self.restore_home.as_deref())
        .opt(
            "DuplicateConflict",
            self.duplicate_conflict
                .map(|DuplicateConflict::RenameNew| "renamenew"),
        );
        if let Some(cross) = &self.cross_account {
            require("CrossAliyunId", &cross.aliyun_id)?;
            require("CrossRoleName", &cross.role_name)?;
            q.put("CrossAliyunId", &cross.aliyun_id)
                .put("CrossRoleName", &cross.role_name);
        }
        if let Some(tls) = &self.tls {
            require_opt("SslCaPem", tls.ca_pem.as_deref())?;
            q.put("EnableDestinationEndpointSsl", true)
                .opt("SslCaPem", tls.ca_pem.as_deref());
        }
        q.put("ClientToken", client_token);
        Ok(q)
    }
}

/// A caller's `ClientToken`: at most 64 printable ASCII characters, not empty.
pub(crate) fn check_client_token(token: &str) -> Result<(), Error> {
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(
            "ClientToken",
            "must be 1 to 64 printable ASCII characters",
        ));
    }
    Ok(())
}

/// The answer to `CreateRestoreTask`. Serializes in DBS's shape (`RestoreTaskId`, `RequestId`)
/// with the `ClientToken` the call was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CreatedRestoreTask {
    /// The new job (`RestoreTaskId`).
    pub restore_task_id: String,
    /// The `ClientToken` the call was made with.
    pub client_token: String,
    /// The request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RestoreTaskIdWire {
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) restore_task_id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// StartRestoreTask
// ---------------------------------------------------------------------------------------------

/// `StartRestoreTask`: start a created restore job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRestoreTaskRequest {
    /// The job (`RestoreTaskId`).
    pub restore_task_id: String,
    /// The idempotency token (`ClientToken`); one is generated per call when `None`.
    pub client_token: Option<String>,
}

impl StartRestoreTaskRequest {
    /// Starts `restore_task_id`.
    pub fn new(restore_task_id: impl Into<String>) -> Self {
        StartRestoreTaskRequest {
            restore_task_id: restore_task_id.into(),
            client_token: None,
        }
    }

    pub(crate) fn to_query(&self, client_token: &str) -> Result<Query, Error> {
        require("RestoreTaskId", &self.restore_task_id)?;
        let mut q = Query::default();
        q.put("RestoreTaskId", &self.restore_task_id)
            .put("ClientToken", client_token);
        Ok(q)
    }
}

/// The answer to `StartRestoreTask`. Serializes in DBS's shape (`RestoreTaskId`, `RequestId`)
/// with the `ClientToken` the call was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct StartedRestoreTask {
    /// The job (`RestoreTaskId`).
    pub restore_task_id: String,
    /// The `ClientToken` the call was made with.
    pub client_token: String,
    /// The request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// DescribeRestoreTaskList
// ---------------------------------------------------------------------------------------------

/// Which restore jobs to list: DBS refuses both selectors at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreTaskSelector {
    /// The jobs of a backup plan (`BackupPlanId`).
    BackupPlan(String),
    /// These jobs (`RestoreTaskId`, comma-separated on the wire).
    Tasks(Vec<String>),
}

/// `DescribeRestoreTaskList`: list restore jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeRestoreTaskListRequest {
    /// Plan or jobs.
    pub selector: RestoreTaskSelector,
    /// From (`StartTimestamp`, ms).
    pub start: Option<OffsetDateTime>,
    /// Until (`EndTimestamp`, ms).
    pub end: Option<OffsetDateTime>,
    /// Page number, from 0 (`PageNum`).
    pub page_num: Option<u32>,
    /// Jobs per page, 1 to 100 (`PageSize`).
    pub page_size: Option<u32>,
}

impl DescribeRestoreTaskListRequest {
    /// The job `restore_task_id`.
    pub fn task(restore_task_id: impl Into<String>) -> Self {
        Self::new(RestoreTaskSelector::Tasks(vec![restore_task_id.into()]))
    }

    /// Jobs chosen by `selector`, first page.
    pub fn new(selector: RestoreTaskSelector) -> Self {
        DescribeRestoreTaskListRequest {
            selector,
            start: None,
            end: None,
            page_num: None,
            page_size: None,
        }
    }

    pub(crate) fn to_query(&self) -> Result<Query, Error> {
        not_before_epoch("StartTimestamp", self.start)?;
        not_before_epoch("EndTimestamp", self.end)?;
        ordered_window("StartTimestamp", self.start, "EndTimestamp", self.end)?;
        in_range("PageSize", self.page_size, 1, 100)?;
        let mut q = Query::default();
        match &self.selector {
            RestoreTaskSelector::BackupPlan(id) => {
                require("BackupPlanId", id)?;
                q.put("BackupPlanId", id);
            }
            RestoreTaskSelector::Tasks(ids) => {
                if ids.is_empty() {
                    return Err(Error::invalid(
                        "RestoreTaskId",
                        "must name at least one job",
                    ));
                }
                for id in ids {
                    require("RestoreTaskId", id)?;
                    if id.contains(',') {
                        return Err(Error::invalid(
                            "RestoreTaskId",
                            "an id must not contain ','",
                        ));
                    }
                }
                q.put("RestoreTaskId", ids.join(","));
            }
        }
        q.time("StartTimestamp", self.start)
            .time("EndTimestamp", self.end)
            .opt("PageNum", self.page_num)
            .opt("PageSize", self.page_size);
        Ok(q)
    }
}

open_enum! {
    #[open_enum(case_insensitive)]
    /// The state of a restore job (`RestoreStatus`).
    #[non_exhaustive]
    pub enum RestoreStatus {
        /// `init`: not started, or the precheck failed.
        Init = "init",
        /// `check_pass`: the precheck passed.
        CheckPass = "check_pass",
        /// `running`.
        Running = "running",
        /// `pause`: paused.
        Pause = "pause",
        /// `stop`: the job failed.
        Stop = "stop",
        /// `finish` (or `finished`): done. DBS does not list this value for restore jobs; it is
        /// the value its backup jobs use for completion.
        Finished = "finish" | "finished",
    }
}

/// A restore job.
///
/// Serializes with DBS's field names, times in epoch milliseconds as DBS sends them, absent
/// fields left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RestoreTask {
    /// The job (`RestoreTaskId`).
    #[serde(deserialize_with = "req_string")]
    pub restore_task_id: String,
    /// The job's name (`RestoreTaskName`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub restore_task_name: Option<String>,
    /// The state (`RestoreStatus`); `Unknown("")` when the service sent none.
    #[serde(default = "unknown")]
    pub restore_status: RestoreStatus,
    /// The backup plan (`BackupPlanId`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_plan_id: Option<String>,
    /// The full backup set restored (`BackupSetId`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_set_id: Option<String>,
    /// The point in time restored (`RestoreTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub restore_time: Option<OffsetDateTime>,
    /// Created (`RestoreTaskCreateTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub restore_task_create_time: Option<OffsetDateTime>,
    /// Finished (`RestoreTaskFinishTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub restore_task_finish_time: Option<OffsetDateTime>,
    /// Percent of the schema restored before the data (`FullStruforeRestoreProgress`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub full_strufore_restore_progress: Option<u64>,
    /// Percent of the full data restored (`FullDataRestoreProgress`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub full_data_restore_progress: Option<u64>,
    /// Percent of the schema restored after the data (`FullStruAfterRestoreProgress`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub full_stru_after_restore_progress: Option<u64>,
    /// Percent of the incremental log restored (`ContinuousRestoreProgress`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub continuous_restore_progress: Option<u64>,
    /// The destination kind (`DestinationEndpointInstanceType`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_endpoint_instance_type: Option<String>,
    /// The destination region (`DestinationEndpointRegion`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_endpoint_region: Option<String>,
    /// The destination instance (`DestinationEndpointInstanceID`).
    #[serde(
        default,
        rename = "DestinationEndpointInstanceID",
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_endpoint_instance_id: Option<String>,
    /// The destination address (`DestinationEndpointIpPort`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_endpoint_ip_port: Option<String>,
    /// The destination database (`DestinationEndpointDatabaseName`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_endpoint_database_name: Option<String>,
    /// The objects restored (`RestoreObjects`), the JSON text DBS sent.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub restore_objects: Option<String>,
    /// The error, if any (`ErrMessage`; DBS sends `NULL` for none).
    #[serde(
        default,
        deserialize_with = "opt_message",
        skip_serializing_if = "Option::is_none"
    )]
    pub err_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RestoreTaskListWire {
    #[serde(default)]
    pub(crate) items: Option<RestoreTaskItems>,
    #[serde(flatten)]
    pub(crate) counts: crate::page::PageCounts,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RestoreTaskItems {
    #[serde(default)]
    pub(crate) restore_task_detail: Vec<RestoreTask>,
}

// ---------------------------------------------------------------------------------------------
// DescribeBackupPlanList
// ---------------------------------------------------------------------------------------------

open_enum! {
    #[open_enum(case_insensitive)]
    /// The state of a backup plan (`BackupPlanStatus`).
    #[non_exhaustive]
    pub enum BackupPlanStatus {
        /// `wait`: not configured.
        Wait = "wait",
        /// `init`: not started (precheck failed).
        Init = "init",
        /// `running`.
        Running = "running",
        /// `stop`: failed.
        Stop = "stop",
        /// `pause`: paused.
        Pause = "pause",
        /// `locked`.
        Locked = "locked",
        /// `check_pass`: the precheck passed.
        CheckPass = "check_pass",
    }
}

/// `DescribeBackupPlanList`: find backup plans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DescribeBackupPlanListRequest {
    /// These plans (`BackupPlanId`, comma-separated on the wire); all when empty.
    pub backup_plan_ids: Vec<String>,
    /// The DBS region (`Region`).
    pub region: Option<String>,
    /// Plans of this name (`BackupPlanName`).
    pub backup_plan_name: Option<String>,
    /// Plans in this state (`BackupPlanStatus`).
    pub backup_plan_status: Option<BackupPlanStatus>,
    /// Plans of this resource group (`ResourceGroupId`).
    pub resource_group_id: Option<String>,
    /// Page number, from 0 (`PageNum`).
    pub page_num: Option<u32>,
    /// Plans per page, 1 to 100 (`PageSize`).
    pub page_size: Option<u32>,
}

impl DescribeBackupPlanListRequest {
    pub(crate) fn to_query(&self) -> Result<Query, Error> {
        in_range("PageSize", self.page_size, 1, 100)?;
        for id in &self.backup_plan_ids {
            require("BackupPlanId", id)?;
            if id.contains(',') {
                return Err(Error::invalid("BackupPlanId", "an id must not contain ','"));
            }
        }
        require_opt("Region", self.region.as_deref())?;
        require_opt("BackupPlanName", self.backup_plan_name.as_deref())?;
        require_opt("ResourceGroupId", self.resource_group_id.as_deref())?;
        let mut q = Query::default();
        if !self.backup_plan_ids.is_empty() {
            q.put("BackupPlanId", self.backup_plan_ids.join(","));
        }
        q.opt("Region", self.region.as_deref())
            .opt("BackupPlanName", self.backup_plan_name.as_deref())
            .opt(
                "BackupPlanStatus",
                self.backup_plan_status
                    .as_ref()
                    .map(BackupPlanStatus::as_str),
            )
            .opt("ResourceGroupId", self.resource_group_id.as_deref())
            .opt("PageNum", self.page_num)
            .opt("PageSize", self.page_size);
        Ok(q)
    }
}

/// A backup plan.
///
/// Serializes with DBS's field names, times in epoch milliseconds as DBS sends them, absent
/// fields left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct BackupPlan {
    /// The plan (`BackupPlanId`).
    #[serde(deserialize_with = "req_string")]
    pub backup_plan_id: String,
    /// Its name (`BackupPlanName`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_plan_name: Option<String>,
    /// Its state (`BackupPlanStatus`); `Unknown("")` when the service sent none.
    #[serde(default = "unknown")]
    pub backup_plan_status: BackupPlanStatus,
    /// The database engine (`DatabaseType`, e.g. `MySQL`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub database_type: Option<String>,
    /// `logical`, `physical` or `duplication` (`BackupMethod`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_method: Option<String>,
    /// The source kind (`SourceEndpointInstanceType`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_endpoint_instance_type: Option<String>,
    /// The source region (`SourceEndpointRegion`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_endpoint_region: Option<String>,
    /// The source instance (`SourceEndpointInstanceID`).
    #[serde(
        default,
        rename = "SourceEndpointInstanceID",
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_endpoint_instance_id: Option<String>,
    /// The source address (`SourceEndpointIpPort`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_endpoint_ip_port: Option<String>,
    /// The source database (`SourceEndpointDatabaseName`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_endpoint_database_name: Option<String>,
    /// The full backup weekdays (`BackupPeriod`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_period: Option<String>,
    /// The full backup start time, `HH:mm` (`BackupStartTime`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_start_time: Option<String>,
    /// Days backups are kept (`BackupRetentionPeriod`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_retention_period: Option<u64>,
    /// Whether incremental log backup is on (`EnableBackupLog`).
    #[serde(
        default,
        deserialize_with = "opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_backup_log: Option<bool>,
    /// The earliest restorable time (`BeginTimestampForRestore`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub begin_timestamp_for_restore: Option<OffsetDateTime>,
    /// The latest restorable time (`EndTimestampForRestore`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_timestamp_for_restore: Option<OffsetDateTime>,
    /// Created (`BackupPlanCreateTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_plan_create_time: Option<OffsetDateTime>,
    /// The OSS bucket holding the backups (`OSSBucketName`).
    #[serde(
        default,
        rename = "OSSBucketName",
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub oss_bucket_name: Option<String>,
    /// The bucket's region (`OSSBucketRegion`).
    #[serde(
        default,
        rename = "OSSBucketRegion",
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub oss_bucket_region: Option<String>,
    /// `system` for DBS's built-in storage, none for the user's OSS (`BackupStorageType`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_storage_type: Option<String>,
    /// The plan's size class (`InstanceClass`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_class: Option<String>,
    /// The resource group (`ResourceGroupId`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_group_id: Option<String>,
    /// The precheck error, if any (`ErrMessage`).
    #[serde(
        default,
        deserialize_with = "opt_message",
        skip_serializing_if = "Option::is_none"
    )]
    pub err_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BackupPlanListWire {
    #[serde(default)]
    pub(crate) items: Option<BackupPlanItems>,
    #[serde(flatten)]
    pub(crate) counts: crate::page::PageCounts,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BackupPlanItems {
    #[serde(default)]
    pub(crate) backup_plan_detail: Vec<BackupPlan>,
}

// ---------------------------------------------------------------------------------------------
// DescribeFullBackupList
// ---------------------------------------------------------------------------------------------

/// `DescribeFullBackupList`: a backup plan's full backups, to find a backup set id.
///
/// DBS also takes `StartTimestamp` / `EndTimestamp` filters whose unit it does not document
/// (its example is in seconds, every other DBS time is in milliseconds); they are left out
/// rather than guessed. Filter on [`FullBackup::start_time`] instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeFullBackupListRequest {
    /// The plan (`BackupPlanId`).
    pub backup_plan_id: String,
    /// Only this backup set (`BackupSetId`).
    pub backup_set_id: Option<String>,
    /// Report the storage class (`ShowStorageType`).
    pub show_storage_type: Option<bool>,
    /// Page number, from 0 (`PageNum`).
    pub page_num: Option<u32>,
    /// Backups per page: 30, 50 or 100 (`PageSize`).
    pub page_size: Option<u32>,
}

impl DescribeFullBackupListRequest {
    /// The full backups of `backup_plan_id`, first page.
    pub fn new(backup_plan_id: impl Into<String>) -> Self {
        DescribeFullBackupListRequest {
            backup_plan_id: backup_plan_id.into(),
            backup_set_id: None,
            show_storage_type: None,
            page_num: None,
            page_size: None,
        }
    }

    pub(crate) fn to_query(&self) -> Result<Query, Error> {
        require("BackupPlanId", &self.backup_plan_id)?;
        require_opt("BackupSetId", self.backup_set_id.as_deref())?;
        if let Some(size) = self.page_size
            && ![30, 50, 100].contains(&size)
        {
            return Err(Error::invalid(
                "PageSize",
                format!("must be 30, 50 or 100 (got {size})"),
            ));
        }
        let mut q = Query::default();
        q.put("BackupPlanId", &self.backup_plan_id)
            .opt("BackupSetId", self.backup_set_id.as_deref())
            .opt("ShowStorageType", self.show_storage_type)
            .opt("PageNum", self.page_num)
            .opt("PageSize", self.page_size);
        Ok(q)
    }
}

open_enum! {
    #[open_enum(case_insensitive)]
    /// The state of a full backup job (`BackupStatus`).
    #[non_exhaustive]
    pub enum BackupStatus {
        /// `schedule`: initializing.
        Schedule = "schedule",
        /// `running`.
        Running = "running",
        /// `finish`: done; the backup set can be restored or downloaded.
        Finish = "finish",
        /// `stop`: failed.
        Stop = "stop",
        /// `pause`: paused.
        Pause = "pause",
    }
}

/// A full backup (a backup set).
///
/// Serializes with DBS's field names, times in epoch milliseconds as DBS sends them, absent
/// fields left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct FullBackup {
    /// The backup set (`BackupSetId`).
    #[serde(deserialize_with = "req_string")]
    pub backup_set_id: String,
    /// The state (`BackupStatus`); `Unknown("")` when the service sent none.
    #[serde(default = "unknown")]
    pub backup_status: BackupStatus,
    /// Bytes (`BackupSize`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_size: Option<u64>,
    /// The job was created (`CreateTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<OffsetDateTime>,
    /// The backup started (`StartTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<OffsetDateTime>,
    /// The backup ended (`EndTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<OffsetDateTime>,
    /// The job finished (`FinishTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub finish_time: Option<OffsetDateTime>,
    /// The backup set is kept until (`BackupSetExpiredTime`).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "api_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_set_expired_time: Option<OffsetDateTime>,
    /// `Standard`, `IA`, `Archive` or `UNKNOWN` (`StorageMethod`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub storage_method: Option<String>,
    /// The objects backed up, the JSON text DBS sent (`BackupObjects`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_objects: Option<String>,
    /// The source address (`SourceEndpointIpPort`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_endpoint_ip_port: Option<String>,
    /// The error, if any (`ErrMessage`).
    #[serde(
        default,
        deserialize_with = "opt_message",
        skip_serializing_if = "Option::is_none"
    )]
    pub err_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FullBackupListWire {
    #[serde(default)]
    pub(crate) items: Option<FullBackupItems>,
    #[serde(flatten)]
    pub(crate) counts: crate::page::PageCounts,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FullBackupItems {
    #[serde(default)]
    pub(crate) full_backup_file: Vec<FullBackup>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rds() -> RestoreDestination {
        RestoreDestination::Rds {
            region: "cn-hangzhou".into(),
            instance_id: "rm-1".into(),
        }
    }

    fn value(q: &Query, name: &str) -> Option<String> {
        q.0.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.expose().to_owned())
    }

    #[test]
    fn restore_objects_become_the_documented_json_string() {
        let mut r =
            CreateRestoreTaskRequest::new("p", "n", RestoreSource::BackupSet("s".into()), rds());
        r.restore_objects = vec![
            RestoreObject::renamed("src", "dst"),
            RestoreObject {
                db_name: "keep".into(),
                new_db_name: None,
            },
        ];
        let q = r.to_query("tok").unwrap();
        assert_eq!(
            value(&q, "RestoreObjects").unwrap(),
            r#"[{"DBName":"src","NewDBName":"dst"},{"DBName":"keep"}]"#
        );
        assert_eq!(value(&q, "ClientToken").unwrap(), "tok");
    }

    #[test]
    fn restore_objects_are_required_except_for_agents() {
        let r =
            CreateRestoreTaskRequest::new("p", "n", RestoreSource::BackupSet("s".into()), rds());
        assert_eq!(
            r.to_query("t").unwrap_err().to_string(),
            "invalid input: RestoreObjects: must name at least one database unless the destination is an Agent"
        );
        let agent = RestoreDestination::Agent {
            region: "cn-hangzhou".into(),
            ip: "10.0.0.1".into(),
            port: 3306,
            backup_gateway_id: 4312,
            restore_dir: Some("/data".into()),
        };
        let r =
            CreateRestoreTaskRequest::new("p", "n", RestoreSource::BackupSet("s".into()), agent);
        let q = r.to_query("t").unwrap();
        assert_eq!(
            value(&q, "DestinationEndpointInstanceType").unwrap(),
            "Agent"
        );
        assert_eq!(value(&q, "BackupGatewayId").unwrap(), "4312");
        assert_eq!(value(&q, "DestinationEndpointPort").unwrap(), "3306");
        assert_eq!(value(&q, "RestoreDir").unwrap(), "/data");
        assert_eq!(value(&q, "RestoreObjects"), None);
        assert_eq!(value(&q, "DestinationEndpointInstanceID"), None);
    }

    #[test]
    fn each_destination_sends_exactly_its_fields() {
        let cases = [
            (
                RestoreDestination::Ecs {
                    region: "r".into(),
                    instance_id: "i".into(),
                    port: 22,
                },
                "ECS",
                [
                    "DestinationEndpointRegion",
                    "DestinationEndpointInstanceID",
                    "DestinationEndpointPort",
                ]
                .as_slice(),
            ),
            (
                RestoreDestination::Express {
                    region: "r".into(),
                    instance_id: "i".into(),
                    ip: "h".into(),
                    port: 1,
                },
                "Express",
                [
                    "DestinationEndpointRegion",
                    "DestinationEndpointInstanceID",
                    "DestinationEndpointIP",
                    "DestinationEndpointPort",
                ]
                .as_slice(),
            ),
            (
                RestoreDestination::Other {
                    ip: "h".into(),
                    port: 1,
                },
                "Other",
                ["DestinationEndpointIP", "DestinationEndpointPort"].as_slice(),
            ),
            (
                RestoreDestination::Dds {
                    region: "r".into(),
                    instance_id: "i".into(),
                },
                "DDS",
                ["DestinationEndpointRegion", "DestinationEndpointInstanceID"].as_slice(),
            ),
            (
                RestoreDestination::DatabaseGateway {
                    region: None,
                    instance_id: None,
                },
                "dg",
                [].as_slice(),
            ),
        ];
        let all = [
            "DestinationEndpointRegion",
            "DestinationEndpointInstanceID",
            "DestinationEndpointIP",
            "DestinationEndpointPort",
            "BackupGatewayId",
        ];
        for (dest, kind, fields) in cases {
            let mut q = Query::default();
            dest.put(&mut q).unwrap();
            assert_eq!(value(&q, "DestinationEndpointInstanceType").unwrap(), kind);
            for f in all {
                assert_eq!(value(&q, f).is_some(), fields.contains(&f), "{kind} {f}");
            }
        }
        let mut q = Query::default();
        let err = RestoreDestination::Other {
            ip: "h".into(),
            port: 0,
        }
        .put(&mut q)
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input: DestinationEndpointPort: must not be 0"
        );
    }

    #[test]
    fn the_destination_password_is_a_secret_parameter() {
        let mut r =
            CreateRestoreTaskRequest::new("p", "n", RestoreSource::BackupSet("s".into()), rds());
        r.restore_objects = vec![RestoreObject::renamed("a", "b")];
        r.account = Some(DatabaseAccount::new("dbs", "pw"));
        let q = r.to_query("t").unwrap();
        for (name, value) in &q.0 {
            assert_eq!(
                value.is_secret(),
                name == "DestinationEndpointPassword",
                "{name}"
            );
        }
        assert_eq!(value(&q, "DestinationEndpointPassword").unwrap(), "pw");
        assert!(!format!("{q:?}").contains("\"pw\""));
    }

    #[test]
    fn point_in_time_is_sent_in_milliseconds() {
        let t = time::macros::datetime!(2019-04-06 14:21:17 UTC);
        let mut r = CreateRestoreTaskRequest::new("p", "n", RestoreSource::PointInTime(t), rds());
        r.restore_objects = vec![RestoreObject::renamed("a", "b")];
        let q = r.to_query("t").unwrap();
        assert_eq!(value(&q, "RestoreTime").unwrap(), "1554560477000");
        assert_eq!(value(&q, "BackupSetId"), None);
    }

    #[test]
    fn client_tokens_are_checked() {
        assert!(check_client_token("ETnLKlblzczshOTUbOC12345").is_ok());
        for bad in ["", "has space", "é", &"x".repeat(65)] {
            assert!(check_client_token(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn listing_selectors_and_page_sizes_are_validated() {
        let r = DescribeRestoreTaskListRequest::new(RestoreTaskSelector::Tasks(vec![]));
        assert!(
            r.to_query()
                .unwrap_err()
                .to_string()
                .starts_with("invalid input: RestoreTaskId:")
        );
        let r = DescribeRestoreTaskListRequest::new(RestoreTaskSelector::Tasks(vec![
            "a".into(),
            "b".into(),
        ]));
        assert_eq!(
            value(&r.to_query().unwrap(), "RestoreTaskId").unwrap(),
            "a,b"
        );
        let mut r = DescribeFullBackupListRequest::new("plan");
        r.page_size = Some(40);
        assert_eq!(
            r.to_query().unwrap_err().to_string(),
            "invalid input: PageSize: must be 30, 50 or 100 (got 40)"
        );
        let r = DescribeBackupPlanListRequest {
            page_size: Some(0),
            ..Default::default()
        };
        assert!(
            r.to_query()
                .unwrap_err()
                .to_string()
                .starts_with("invalid input: PageSize:")
        );
    }
}
