//! PolarDB (API version 2017-08-01): `DescribeBackups`, a cluster's backup sets. PolarDB gives
//! no download links: a backup leaves only through DBS advanced download, with its `BackupId`
//! as `CreateDownload`'s `BakSetId` and its `BackupSetSize` as `BakSetSize`.
//!
//! Field names and JSON types follow the official SDK model (`polardb-20170801`
//! `DescribeBackupsResponseBody`: every count, size and time a string).

use cloud_http::model::lenient::{opt_epoch_time, opt_int, opt_string, req_string};
use cloud_http::{Error, Idempotency};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::client::{Action, Client, every_page};
use crate::download::DownloadSource;
use crate::endpoint::Product;
use crate::listing::{
    BackupMethod, BackupMode, BackupSetStatus, BackupType, End, api_second, backup_list,
    check_page_number, check_page_size, check_window, minute, opt_api_time, opt_flag, unix_seconds,
};
use crate::page::Paged;
use crate::wire::{Query, require, require_opt};

const DESCRIBE_BACKUPS: Action = Action {
    name: "DescribeBackups",
    version: "2017-08-01",
    idempotency: Idempotency::Idempotent,
};

/// The PolarDB operations of a [`Client`] (from [`Client::polardb`]): sent to PolarDB's host
/// for the client's region (or the client's explicit endpoint), signed like DBS's.
#[derive(Debug, Clone, Copy)]
pub struct PolarDb<'a> {
    client: &'a Client,
}

impl<'a> PolarDb<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        PolarDb { client }
    }

    /// `DescribeBackups`: one page of a cluster's backup sets in a time window. A read:
    /// retried on throttling, 5xx and connection failures.
    pub async fn describe_backups(
        &self,
        request: &PolarDbDescribeBackupsRequest,
    ) -> Result<PolarDbDescribeBackupsResponse, Error> {
        let query = request.to_query()?;
        let (mut answer, raw): (PolarDbDescribeBackupsResponse, _) = self
            .client
            .call_product(Product::PolarDb, &DESCRIBE_BACKUPS, query)
            .await?;
        answer.request_id = answer.request_id.or(raw.request_id);
        Ok(answer)
    }

    /// Every page of `DescribeBackups`, in order, as one answer (the request's `page_number`
    /// is ignored; its `page_size`, default 100, is the size of each page).
    pub async fn describe_backups_all(
        &self,
        request: &PolarDbDescribeBackupsRequest,
    ) -> Result<PolarDbDescribeBackupsResponse, Error> {
        let fetch =
            |r: PolarDbDescribeBackupsRequest| async move { self.describe_backups(&r).await };
        let operation = cloud_http::OperationName {
            vendor: Product::PolarDb.vendor(),
            action: DESCRIBE_BACKUPS.name,
        };
        every_page(
            operation,
            request,
            1,
            |r| (&mut r.page_size, &mut r.page_number),
            fetch,
        )
        .await
    }
}

/// `DescribeBackups`: a cluster's backup sets started in a time window. PolarDB requires the
/// cluster and both ends of the window, so [`PolarDbDescribeBackupsRequest::new`] takes them.
///
/// ```
/// use dbs_aliyun::PolarDbDescribeBackupsRequest;
/// use time::macros::datetime;
/// let request = PolarDbDescribeBackupsRequest::new(
///     "pc-bp18z52akld3*****",
///     datetime!(2026-01-01 0:00 UTC),
///     datetime!(2026-01-08 0:00 UTC),
/// );
/// # let _ = request;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolarDbDescribeBackupsRequest {
    /// The cluster (`DBClusterId`).
    pub db_cluster_id: String,
    /// Sets started at or after (`StartTime`, sent as `yyyy-MM-ddTHH:mmZ` in UTC, rounded
    /// down to the minute).
    pub start_time: OffsetDateTime,
    /// Sets started at or before (`EndTime`, sent like `start_time`, rounded up).
    pub end_time: OffsetDateTime,
    /// Only this backup set (`BackupId`).
    pub backup_id: Option<String>,
    /// Only sets in this state (`BackupStatus`).
    pub backup_status: Option<BackupSetStatus>,
    /// Only automated or manual sets (`BackupMode`).
    pub backup_mode: Option<BackupMode>,
    /// The destination region of cross-region backups (`BackupRegion`, PolarDB for MySQL).
    pub backup_region: Option<String>,
    /// Sets per page: 30 (the service's default), 50 or 100 (`PageSize`).
    pub page_size: Option<u32>,
    /// Page number, from 1 (`PageNumber`).
    pub page_number: Option<u32>,
}

impl PolarDbDescribeBackupsRequest {
    /// The backup sets of `db_cluster_id` started between `start_time` and `end_time`.
    pub fn new(
        db_cluster_id: impl Into<String>,
        start_time: OffsetDateTime,
        end_time: OffsetDateTime,
    ) -> Self {
        PolarDbDescribeBackupsRequest {
            db_cluster_id: db_cluster_id.into(),
            start_time,
            end_time,
            backup_id: None,
            backup_status: None,
            backup_mode: None,
            backup_region: None,
            page_size: None,
            page_number: None,
        }
    }

    pub(crate) fn to_query(&self) -> Result<Query, Error> {
        require("DBClusterId", &self.db_cluster_id)?;
        require_opt("BackupId", self.backup_id.as_deref())?;
        require_opt("BackupRegion", self.backup_region.as_deref())?;
        check_window(Some(self.start_time), Some(self.end_time))?;
        check_page_size("PageSize", self.page_size)?;
        check_page_number("PageNumber", self.page_number)?;
        let mut q = Query::default();
        q.put("DBClusterId", &self.db_cluster_id)
            .put("StartTime", minute(self.start_time, End::Start))
            .put("EndTime", minute(self.end_time, End::End))
            .opt("BackupId", self.backup_id.as_deref())
            .opt(
                "BackupStatus",
                self.backup_status.as_ref().map(|s| s.as_str()),
            )
            .opt("BackupMode", self.backup_mode.as_ref().map(|m| m.as_str()))
            .opt("BackupRegion", self.backup_region.as_deref())
            .opt("PageSize", self.page_size)
            .opt("PageNumber", self.page_number);
        Ok(q)
    }
}

/// The answer to `DescribeBackups`: one page of backup sets (or every page, from
/// [`PolarDb::describe_backups_all`]).
///
/// Serializes in PolarDB's shape and field names (`Items.Backup`, `PageNumber`, ...), counts
/// and sizes as numbers, times as `yyyy-MM-ddTHH:mm:ssZ`, absent fields left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PolarDbDescribeBackupsResponse {
    /// The backup sets (`Items.Backup`).
    #[serde(rename = "Items", default, with = "backup_list")]
    pub items: Vec<PolarDbBackup>,
    /// This page's number (`PageNumber`; none for every page at once).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_number: Option<u64>,
    /// Sets on this page (`PageRecordCount`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_record_count: Option<u64>,
    /// Sets on all pages (`TotalRecordCount`).
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_record_count: Option<u64>,
    /// Bytes of level-2 backups in the region (`TotalLevel2BackupSize`).
    #[serde(
        rename = "TotalLevel2BackupSize",
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_level2_backup_size: Option<u64>,
    /// The request id (`RequestId`; the `x-acs-request-id` header when the body has none).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<String>,
}

impl Paged for PolarDbDescribeBackupsResponse {
    type Item = PolarDbBackup;

    fn take_items(&mut self) -> (Vec<PolarDbBackup>, Option<u64>) {
        (std::mem::take(&mut self.items), self.total_record_count)
    }

    fn into_all(self, items: Vec<PolarDbBackup>, total: Option<u64>) -> Self {
        PolarDbDescribeBackupsResponse {
            page_number: None,
            page_record_count: Some(items.len() as u64),
            total_record_count: total,
            items,
            ..self
        }
    }
}

/// A PolarDB backup set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PolarDbBackup {
    /// The backup set (`BackupId`): DBS `CreateDownload`'s `BakSetId`.
    #[serde(deserialize_with = "req_string")]
    pub backup_id: String,
    /// The cluster (`DBClusterId`).
    #[serde(
        rename = "DBClusterId",
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_cluster_id: Option<String>,
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
    /// Automated or manual (`BackupMode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_mode: Option<BackupMode>,
    /// Always `Snapshot` (`BackupMethod`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_method: Option<BackupMethod>,
    /// Always `FullBackup` (`BackupType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_type: Option<BackupType>,
    /// Size in bytes (`BackupSetSize`, sent as a string): DBS `CreateDownload`'s `BakSetSize`.
    #[serde(
        default,
        deserialize_with = "opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_set_size: Option<u64>,
    /// `Level-1` or `Level-2` (`BackupsLevel`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub backups_level: Option<String>,
    /// The snapshot's checkpoint (`ConsistentTime`, unix seconds as a string).
    #[serde(
        default,
        deserialize_with = "opt_epoch_time",
        serialize_with = "unix_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub consistent_time: Option<OffsetDateTime>,
    /// Whether the set is usable (`IsAvail`, `"1"` or `"0"`).
    #[serde(
        default,
        deserialize_with = "opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_avail: Option<bool>,
    /// When the set is expected to expire, with sparse backup (`ExpectExpireTime`).
    #[serde(
        default,
        deserialize_with = "opt_api_time",
        serialize_with = "api_second",
        skip_serializing_if = "Option::is_none"
    )]
    pub expect_expire_time: Option<OffsetDateTime>,
    /// `NEVER`, `EXPIRED` or `DELAY`, with sparse backup (`ExpectExpireType`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub expect_expire_type: Option<String>,
    /// The user's note (`Comment`).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub comment: Option<String>,
}

impl PolarDbBackup {
    /// Whether the set finished (`BackupStatus` `Success`).
    pub fn succeeded(&self) -> bool {
        self.backup_status == Some(BackupSetStatus::Success)
    }

    /// What DBS `CreateDownload` takes to export this set: `BakSetId` and `BakSetSize`.
    pub fn download_source(&self) -> DownloadSource {
        DownloadSource::BackupSet {
            id: self.backup_id.clone(),
            size: self.backup_set_size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_window_is_required_and_sent_in_minutes() {
        let r = PolarDbDescribeBackupsRequest::new(
            "pc-1",
            datetime!(2026-01-01 0:00 UTC),
            datetime!(2026-01-01 12:00:01 UTC),
        );
        let q: Vec<(String, String)> = r
            .to_query()
            .unwrap()
            .0
            .into_iter()
            .map(|(k, v)| (k, v.expose().to_owned()))
            .collect();
        assert!(q.contains(&("StartTime".into(), "2026-01-01T00:00Z".into())));
        assert!(q.contains(&("EndTime".into(), "2026-01-01T12:01Z".into())));
        let mut bad = r.clone();
        bad.end_time = datetime!(2025-12-31 0:00 UTC);
        let e = bad.to_query().unwrap_err().to_string();
        assert!(e.starts_with("invalid input: EndTime:"), "{e}");
        let mut bad = r;
        bad.db_cluster_id = String::new();
        assert_eq!(
            bad.to_query().unwrap_err().to_string(),
            "invalid input: DBClusterId: must not be empty"
        );
    }

    #[test]
    fn a_backup_names_its_dbs_download() {
        let b: PolarDbBackup =
            serde_json::from_str(r#"{"BackupId":"61","BackupSetSize":"4639948800"}"#).unwrap();
        assert_eq!(
            b.download_source(),
            DownloadSource::BackupSet {
                id: "61".into(),
                size: Some(4_639_948_800)
            }
        );
    }
}
