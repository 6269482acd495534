//! ApsaraDB RDS (API version 2014-08-15): `DescribeBackups`, an instance's backup sets with
//! their download links, and `DescribeDBInstanceAttribute`, what kind of instance it is (a
//! cloud-disk instance's backups are snapshots, exported through DBS rather than downloaded).
//!
//! Field names and JSON types follow the official SDK models (`rds-20140815`
//! `DescribeBackupsResponseBody`, `DescribeDBInstanceAttributeResponseBody`).

use cloud_http::model::lenient::{opt_int, opt_string, req_string};
use cloud_http::{Error, open_enum};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::client::{Action, Client};
use crate::download::DownloadUrl;
use crate::endpoint::Product;
use crate::listing::{
    BackupMethod, BackupMode, BackupSetStatus, BackupType, PagedRequest, ProductQuery,
    ProductRequest, answers, api_time, backup_list, describe, describe_all, epoch_seconds,
    opt_flag, opt_json_text, opt_link, optional_fields, paged, wrapped_list,
};
use crate::wire::Query;

/// The RDS API version.
const VERSION: &str = "2014-08-15";

/// The RDS operations of a [`Client`] (from [`Client::rds`]): sent to RDS's host for the
/// client's region (or the client's explicit endpoint), signed like DBS's.
#[derive(Debug, Clone, Copy)]
pub struct Rds<'a> {
    client: &'a Client,
}

impl<'a> Rds<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Rds { client }
    }

    /// `DescribeBackups`: one page of an instance's backup sets, with their download links
    /// (credentials: see [`DownloadUrl`]). A read: retried on throttling, 5xx and
    /// connection failures.
    pub async fn describe_backups(
        &self,
        request: &RdsDescribeBackupsRequest,
    ) -> Result<RdsDescribeBackupsResponse, Error> {
        describe(self.client, request).await
    }

    /// Every page of `DescribeBackups`, in order, as one answer (the request's `page_number`
    /// is ignored; its `page_size`, default 100, is the size of each page). Stops at the last
    /// page; a listing that does not end is an error, not a hang.
    pub async fn describe_backups_all(
        &self,
        request: &RdsDescribeBackupsRequest,
    ) -> Result<RdsDescribeBackupsResponse, Error> {
        describe_all(self.client, request).await
    }

    /// `DescribeDBInstanceAttribute`: an instance's engine, version, region and storage type
    /// ([`RdsDbInstanceAttribute::storage_type`]).
    pub async fn describe_db_instance_attribute(
        &self,
        request: &RdsDescribeDbInstanceAttributeRequest,
    ) -> Result<RdsDescribeDbInstanceAttributeResponse, Error> {
        describe(self.client, request).await
    }
}

// ---------------------------------------------------------------------------------------------
// DescribeBackups
// ---------------------------------------------------------------------------------------------

/// `DescribeBackups`: an instance's backup sets, filtered.
///
/// ```
/// use dbs_aliyun::{BackupSetStatus, RdsDescribeBackupsRequest};
/// use time::macros::datetime;
/// let request = RdsDescribeBackupsRequest {
///     backup_status: Some(BackupSetStatus::Success),
///     start_time: Some(datetime!(2026-01-01 0:00 UTC)),
///     page_size: Some(50),
///     ..RdsDescribeBackupsRequest::new("rm-uf6wjk5xxxxxxx")
/// };
/// # let _ = request;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RdsDescribeBackupsRequest {
    /// The instance (`DBInstanceId`). Required.
    pub db_instance_id: String,
    /// Only this backup set (`BackupId`).
    pub backup_id: Option<String>,
    /// Only sets in this state (`BackupStatus`).
    pub backup_status: Option<BackupSetStatus>,
    /// Only automated or manual sets (`BackupMode`).
    pub backup_mode: Option<BackupMode>,
    /// Only full or incremental sets (`BackupType`).
    pub backup_type: Option<BackupType>,
    /// Sets started at or after (`StartTime`, sent as `yyyy-MM-ddTHH:mmZ` in UTC, rounded
    /// down to the minute). A wide window can time out on the service's side.
    pub start_time: Option<OffsetDateTime>,
    /// Sets started at or before (`EndTime`, sent like `start_time`, rounded up).
    pub end_time: Option<OffsetDateTime>,
    /// Sets per page: 30 (the service's default), 50 or 100 (`PageSize`).
    pub page_size: Option<u32>,
    /// Page number, from 1 (`PageNumber`).
    pub page_number: Option<u32>,
}

impl RdsDescribeBackupsRequest {
    /// Every backup set of `db_instance_id`, first page.
    pub fn new(db_instance_id: impl Into<String>) -> Self {
        RdsDescribeBackupsRequest {
            db_instance_id: db_instance_id.into(),
            ..Self::default()
        }
    }
}

impl ProductRequest for RdsDescribeBackupsRequest {
    const PRODUCT: Product = Product::Rds;
    const ACTION: Action = Action::read("DescribeBackups", VERSION);
    type Answer = RdsDescribeBackupsResponse;

    fn to_query(&self) -> Result<Query, Error> {
        Ok(ProductQuery::new("DBInstanceId", &self.db_instance_id)?
            .id("BackupId", &self.backup_id)?
            .opt("BackupStatus", self.backup_status.as_ref())
            .opt("BackupMode", self.backup_mode.as_ref())
            .opt("BackupType", self.backup_type.as_ref())
            .window(self.start_time, self.end_time)?
            .page(self.page_size, "PageNumber", self.page_number)?
            .into_query())
    }
}

impl PagedRequest for RdsDescribeBackupsRequest {
    fn paging(&mut self) -> (&mut Option<u32>, &mut Option<u32>) {
        (&mut self.page_size, &mut self.page_number)
    }
}

optional_fields! {
    /// The answer to `DescribeBackups`: one page of backup sets (or every page, from
    /// [`Rds::describe_backups_all`]).
    ///
    /// Serializes in RDS's shape and field names (`Items.Backup`, `PageNumber`, ...), counts and
    /// sizes as numbers, times as `yyyy-MM-ddTHH:mm:ssZ`, absent fields left out. **Links serialize
    /// in full**, signature included: serialize this only where the links are wanted.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct RdsDescribeBackupsResponse {
        /// The backup sets (`Items.Backup`).
        #[serde(rename = "Items", default, with = "backup_list")]
        pub items: Vec<RdsBackup>,
        /// This page's number (`PageNumber`; none for every page at once).
        #[serde(deserialize_with = "opt_int")]
        pub page_number: Option<u64>,
        /// Sets on this page (`PageRecordCount`).
        #[serde(deserialize_with = "opt_int")]
        pub page_record_count: Option<u64>,
        /// Sets on all pages (`TotalRecordCount`).
        #[serde(deserialize_with = "opt_int")]
        pub total_record_count: Option<u64>,
        /// Bytes in the instance's snapshot chain (`TotalEcsSnapshotSize`).
        #[serde(deserialize_with = "opt_int")]
        pub total_ecs_snapshot_size: Option<u64>,
        /// The request id (`RequestId`; the `x-acs-request-id` header when the body has none).
        #[serde(deserialize_with = "opt_string")]
        pub request_id: Option<String>,
    }
}

paged!(RdsDescribeBackupsResponse {
    items: RdsBackup,
    total: total_record_count,
    count: page_record_count
});
answers!(
    RdsDescribeBackupsResponse,
    RdsDescribeDbInstanceAttributeResponse
);

optional_fields! {
    /// An RDS backup set.
    ///
    /// Every field but the id is optional: the service leaves out what does not apply.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct RdsBackup {
        /// The backup set (`BackupId`, a number sent as a string or a number): DBS
        /// `CreateDownload`'s `BakSetId`.
        #[serde(deserialize_with = "req_string")]
        pub backup_id: String,
        /// The instance (`DBInstanceId`).
        #[serde(rename = "DBInstanceId", deserialize_with = "opt_string")]
        pub db_instance_id: Option<String>,
        /// The state (`BackupStatus`): only `Success` sets can be used.
        pub backup_status: Option<BackupSetStatus>,
        /// When the backup started (`BackupStartTime`).
        #[serde(with = "api_time")]
        pub backup_start_time: Option<OffsetDateTime>,
        /// When it ended (`BackupEndTime`).
        #[serde(with = "api_time")]
        pub backup_end_time: Option<OffsetDateTime>,
        /// Full or incremental (`BackupType`).
        pub backup_type: Option<BackupType>,
        /// Automated or manual (`BackupMode`).
        pub backup_mode: Option<BackupMode>,
        /// Logical, physical or snapshot (`BackupMethod`).
        pub backup_method: Option<BackupMethod>,
        /// Size in bytes (`BackupSize`).
        #[serde(deserialize_with = "opt_int")]
        pub backup_size: Option<u64>,
        /// The Internet download link (`BackupDownloadURL`); none when the set cannot be
        /// downloaded (snapshots). A credential: `Debug` cuts its query string, `Serialize` writes
        /// it whole.
        #[serde(rename = "BackupDownloadURL", deserialize_with = "opt_link")]
        pub backup_download_url: Option<DownloadUrl>,
        /// The link that works only from the region's VPC, with no traffic charge
        /// (`BackupIntranetDownloadURL`). A credential, like `backup_download_url`.
        #[serde(rename = "BackupIntranetDownloadURL", deserialize_with = "opt_link")]
        pub backup_intranet_download_url: Option<DownloadUrl>,
        /// Links to single databases' backups (`BackupDownloadLinkByDB.BackupDownloadLinkByDB`).
        #[serde(
            rename = "BackupDownloadLinkByDB",
            default,
            with = "link_by_db_list",
            skip_serializing_if = "Vec::is_empty"
        )]
        pub backup_download_link_by_db: Vec<RdsDatabaseLink>,
        /// The instance (primary or secondary) that made the set (`HostInstanceID`, a string or a
        /// number).
        #[serde(rename = "HostInstanceID", deserialize_with = "opt_string")]
        pub host_instance_id: Option<String>,
        /// CRC-64 of the file (`Checksum`), as the service writes it; see [`RdsBackup::crc64`].
        #[serde(deserialize_with = "opt_string")]
        pub checksum: Option<String>,
        /// The point in time the data is consistent at (`ConsistentTime`, unix seconds; `0`,
        /// meaning none, is `None`).
        #[serde(with = "epoch_seconds")]
        pub consistent_time: Option<OffsetDateTime>,
        /// Whether the set is usable (`IsAvail`, `1` or `0`).
        #[serde(deserialize_with = "opt_flag")]
        pub is_avail: Option<bool>,
        /// Whether the set can be deleted (`StoreStatus`: `Enabled`, `Disabled`).
        #[serde(deserialize_with = "opt_string")]
        pub store_status: Option<String>,
        /// Whether single databases or tables can be restored from it (`MetaStatus`: `OK`,
        /// `LARGE`, `EMPTY`).
        #[serde(deserialize_with = "opt_string")]
        pub meta_status: Option<String>,
        /// Regular (`0`) or archive (`1`) storage (`StorageClass`).
        #[serde(deserialize_with = "opt_string")]
        pub storage_class: Option<String>,
        /// SQL Server: standard (`0`) or copy-only (`1`) backup (`CopyOnlyBackup`).
        #[serde(deserialize_with = "opt_string")]
        pub copy_only_backup: Option<String>,
        /// The engine (`Engine`: `MySQL`, `SQLServer`, `PostgreSQL`, `MariaDB`).
        #[serde(deserialize_with = "opt_string")]
        pub engine: Option<String>,
        /// The engine's version (`EngineVersion`).
        #[serde(deserialize_with = "opt_string")]
        pub engine_version: Option<String>,
        /// Who started it (`BackupInitiator`: `System`, `User`).
        #[serde(deserialize_with = "opt_string")]
        pub backup_initiator: Option<String>,
        /// The set's encryption (`Encryption`: JSON text, sometimes sent as an object).
        #[serde(deserialize_with = "opt_json_text")]
        pub encryption: Option<String>,
        /// When the set is expected to expire (`ExpectExpireTime`).
        #[serde(with = "api_time")]
        pub expect_expire_time: Option<OffsetDateTime>,
    }
}

impl RdsBackup {
    /// `Checksum` as a number, when it is one (the CRC-64/ECMA a downloader computes, as OSS's
    /// `x-oss-hash-crc64ecma` reports it).
    pub fn crc64(&self) -> Option<u64> {
        self.checksum.as_deref()?.trim().parse().ok()
    }

    /// Whether the set finished (`BackupStatus` `Success`).
    pub fn succeeded(&self) -> bool {
        self.backup_status == Some(BackupSetStatus::Success)
    }
}

optional_fields! {
    /// The backup of one database of a set (an item of `BackupDownloadLinkByDB`).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct RdsDatabaseLink {
        /// The database (`DataBase`).
        #[serde(deserialize_with = "opt_string")]
        pub data_base: Option<String>,
        /// Its Internet link (`DownloadLink`). A credential.
        #[serde(deserialize_with = "opt_link")]
        pub download_link: Option<DownloadUrl>,
        /// Its link from the region's VPC (`IntranetDownloadLink`). A credential.
        #[serde(deserialize_with = "opt_link")]
        pub intranet_download_link: Option<DownloadUrl>,
    }
}

wrapped_list!(link_by_db_list, "BackupDownloadLinkByDB");
wrapped_list!(attribute_list, "DBInstanceAttribute");

// ---------------------------------------------------------------------------------------------
// DescribeDBInstanceAttribute
// ---------------------------------------------------------------------------------------------

/// `DescribeDBInstanceAttribute`: what kind of instance `db_instance_id` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdsDescribeDbInstanceAttributeRequest {
    /// The instance (`DBInstanceId`). Required.
    pub db_instance_id: String,
}

impl RdsDescribeDbInstanceAttributeRequest {
    /// The attributes of `db_instance_id`.
    pub fn new(db_instance_id: impl Into<String>) -> Self {
        RdsDescribeDbInstanceAttributeRequest {
            db_instance_id: db_instance_id.into(),
        }
    }
}

impl ProductRequest for RdsDescribeDbInstanceAttributeRequest {
    const PRODUCT: Product = Product::Rds;
    const ACTION: Action = Action::read("DescribeDBInstanceAttribute", VERSION);
    type Answer = RdsDescribeDbInstanceAttributeResponse;

    fn to_query(&self) -> Result<Query, Error> {
        Ok(ProductQuery::new("DBInstanceId", &self.db_instance_id)?.into_query())
    }
}

optional_fields! {
    /// The answer to `DescribeDBInstanceAttribute`. Serializes in RDS's shape
    /// (`Items.DBInstanceAttribute`, `RequestId`).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct RdsDescribeDbInstanceAttributeResponse {
        /// The instance (`Items.DBInstanceAttribute`: one item).
        #[serde(rename = "Items", default, with = "attribute_list")]
        pub items: Vec<RdsDbInstanceAttribute>,
        /// The request id.
        #[serde(deserialize_with = "opt_string")]
        pub request_id: Option<String>,
    }
}

open_enum! {
    #[open_enum(case_insensitive)]
    /// An RDS instance's storage (`DBInstanceStorageType`).
    #[non_exhaustive]
    pub enum RdsStorageType {
        /// `local_ssd`: local disks. Physical and logical backups with download links.
        LocalSsd = "local_ssd",
        /// `cloud_ssd`: standard SSD cloud disks.
        CloudSsd = "cloud_ssd",
        /// `cloud_essd`: ESSD PL1 cloud disks.
        CloudEssd = "cloud_essd",
        /// `cloud_essd2`: ESSD PL2.
        CloudEssd2 = "cloud_essd2",
        /// `cloud_essd3`: ESSD PL3.
        CloudEssd3 = "cloud_essd3",
        /// `general_essd`: Premium ESSD.
        GeneralEssd = "general_essd",
    }
}

impl RdsStorageType {
    /// Whether the instance is on cloud disks: its backups are snapshots with no download
    /// link, exported through DBS advanced download (`CreateDownload`) instead.
    pub fn is_cloud_disk(&self) -> bool {
        match self {
            RdsStorageType::LocalSsd => false,
            RdsStorageType::Unknown(other) => !other.starts_with("local"),
            _ => true,
        }
    }
}

optional_fields! {
    /// An RDS instance's attributes (the fields that decide how its backups are had; the
    /// service sends many more).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct RdsDbInstanceAttribute {
        /// The instance (`DBInstanceId`).
        #[serde(rename = "DBInstanceId", deserialize_with = "req_string")]
        pub db_instance_id: String,
        /// Its description (`DBInstanceDescription`).
        #[serde(rename = "DBInstanceDescription", deserialize_with = "opt_string")]
        pub db_instance_description: Option<String>,
        /// Its state (`DBInstanceStatus`: `Running`, ...).
        #[serde(rename = "DBInstanceStatus", deserialize_with = "opt_string")]
        pub db_instance_status: Option<String>,
        /// `Primary`, `Readonly`, `Guard` or `Temp` (`DBInstanceType`).
        #[serde(rename = "DBInstanceType", deserialize_with = "opt_string")]
        pub db_instance_type: Option<String>,
        /// The edition (`Category`: `Basic`, `HighAvailability`, `cluster`, ...).
        #[serde(deserialize_with = "opt_string")]
        pub category: Option<String>,
        /// The engine (`Engine`).
        #[serde(deserialize_with = "opt_string")]
        pub engine: Option<String>,
        /// The engine's version (`EngineVersion`).
        #[serde(deserialize_with = "opt_string")]
        pub engine_version: Option<String>,
        /// The region (`RegionId`).
        #[serde(deserialize_with = "opt_string")]
        pub region_id: Option<String>,
        /// The zone (`ZoneId`).
        #[serde(deserialize_with = "opt_string")]
        pub zone_id: Option<String>,
        /// Local disks or cloud disks (`DBInstanceStorageType`).
        #[serde(rename = "DBInstanceStorageType")]
        pub storage_type: Option<RdsStorageType>,
        /// Storage in GB (`DBInstanceStorage`).
        #[serde(rename = "DBInstanceStorage", deserialize_with = "opt_int")]
        pub db_instance_storage: Option<u64>,
        /// The instance type (`DBInstanceClass`).
        #[serde(rename = "DBInstanceClass", deserialize_with = "opt_string")]
        pub db_instance_class: Option<String>,
        /// `Classic` or `VPC` (`InstanceNetworkType`).
        #[serde(deserialize_with = "opt_string")]
        pub instance_network_type: Option<String>,
        /// The VPC (`VpcId`).
        #[serde(deserialize_with = "opt_string")]
        pub vpc_id: Option<String>,
        /// The billing method (`PayType`: `Postpaid`, `Prepaid`).
        #[serde(deserialize_with = "opt_string")]
        pub pay_type: Option<String>,
        /// Whether and why the instance is locked (`LockMode`: `Unlock`, ...).
        #[serde(deserialize_with = "opt_string")]
        pub lock_mode: Option<String>,
        /// The primary instance of a read-only or disaster-recovery one (`MasterInstanceId`).
        #[serde(deserialize_with = "opt_string")]
        pub master_instance_id: Option<String>,
        /// The resource group (`ResourceGroupId`).
        #[serde(deserialize_with = "opt_string")]
        pub resource_group_id: Option<String>,
        /// When it was created (`CreationTime`).
        #[serde(with = "api_time")]
        pub creation_time: Option<OffsetDateTime>,
    }
}

impl RdsDbInstanceAttribute {
    /// Whether its backups are snapshots on cloud disks (no download links), by
    /// `DBInstanceStorageType`; `None` when the service did not say.
    pub fn is_cloud_disk(&self) -> Option<bool> {
        self.storage_type
            .as_ref()
            .map(RdsStorageType::is_cloud_disk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn pairs(q: Query) -> Vec<(String, String)> {
        q.0.into_iter()
            .map(|(k, v)| (k, v.expose().to_owned()))
            .collect()
    }

    #[test]
    fn the_query_has_minutes_and_the_api_spellings() {
        let r = RdsDescribeBackupsRequest {
            backup_status: Some(BackupSetStatus::Success),
            backup_mode: Some(BackupMode::Automated),
            backup_type: Some(BackupType::FullBackup),
            start_time: Some(datetime!(2026-01-01 0:00:30 UTC)),
            end_time: Some(datetime!(2026-01-02 0:00:30 UTC)),
            page_size: Some(30),
            page_number: Some(2),
            ..RdsDescribeBackupsRequest::new("rm-1")
        };
        let q = pairs(r.to_query().unwrap());
        for want in [
            ("DBInstanceId", "rm-1"),
            ("BackupStatus", "Success"),
            ("BackupMode", "Automated"),
            ("BackupType", "FullBackup"),
            ("StartTime", "2026-01-01T00:00Z"),
            ("EndTime", "2026-01-02T00:01Z"),
            ("PageSize", "30"),
            ("PageNumber", "2"),
        ] {
            assert!(
                q.contains(&(want.0.into(), want.1.into())),
                "{want:?} in {q:?}"
            );
        }
    }

    #[test]
    fn invalid_requests_name_the_field() {
        let e = |r: RdsDescribeBackupsRequest| r.to_query().unwrap_err().to_string();
        assert_eq!(
            e(RdsDescribeBackupsRequest::new(" ")),
            "invalid input: DBInstanceId: must not be empty"
        );
        let r = RdsDescribeBackupsRequest {
            page_size: Some(10),
            ..RdsDescribeBackupsRequest::new("rm-1")
        };
        assert!(e(r).starts_with("invalid input: PageSize:"));
        let r = RdsDescribeBackupsRequest {
            page_number: Some(0),
            ..RdsDescribeBackupsRequest::new("rm-1")
        };
        assert!(e(r).starts_with("invalid input: PageNumber:"));
        let r = RdsDescribeBackupsRequest {
            start_time: Some(datetime!(2026-01-02 0:00 UTC)),
            end_time: Some(datetime!(2026-01-01 0:00 UTC)),
            ..RdsDescribeBackupsRequest::new("rm-1")
        };
        assert!(e(r).starts_with("invalid input: EndTime:"));
    }

    #[test]
    fn storage_types_tell_cloud_disks() {
        assert!(!RdsStorageType::parse("local_ssd").is_cloud_disk());
        assert!(RdsStorageType::parse("cloud_essd").is_cloud_disk());
        assert!(RdsStorageType::parse("general_essd").is_cloud_disk());
        assert!(RdsStorageType::parse("cloud_auto").is_cloud_disk());
        assert!(!RdsStorageType::parse("local_hdd").is_cloud_disk());
    }

    #[test]
    fn checksums_read_as_numbers_when_they_are() {
        let b: RdsBackup = serde_json::from_str(
            r#"{"BackupId":1,"Checksum":"18358304391234567890","BackupStatus":"Success"}"#,
        )
        .unwrap();
        assert_eq!(b.crc64(), Some(18_358_304_391_234_567_890));
        assert!(b.succeeded());
        let masked: RdsBackup =
            serde_json::from_str(r#"{"BackupId":"1","Checksum":"1835830439**********"}"#).unwrap();
        assert_eq!(masked.crc64(), None);
        assert!(!masked.succeeded());
    }
}
