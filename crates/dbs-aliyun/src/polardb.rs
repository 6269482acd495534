//! PolarDB (API version 2017-08-01): `DescribeBackups`, a cluster's backup sets. PolarDB gives
//! no download links: a backup leaves only through DBS advanced download, with its `BackupId`
//! as `CreateDownload`'s `BakSetId` and its `BackupSetSize` as `BakSetSize`.
//!
//! Field names and JSON types follow the official SDK model (`polardb-20170801`
//! `DescribeBackupsResponseBody`: every count, size and time a string).

use cloud_http::Error;
use cloud_http::model::lenient::{opt_int, opt_string, req_string};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::client::{Action, Client};
use crate::download::DownloadSource;
use crate::endpoint::Product;
use crate::listing::{
    BackupMethod, BackupMode, BackupSetStatus, BackupType, PagedRequest, ProductQuery,
    ProductRequest, answers, api_time, backup_list, describe, describe_all, epoch_seconds,
    opt_flag, optional_fields, paged,
};
use crate::wire::Query;

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
        describe(self.client, request).await
    }

    /// Every page of `DescribeBackups`, in order, as one answer (the request's `page_number`
    /// is ignored; its `page_size`, default 100, is the size of each page).
    pub async fn describe_backups_all(
        &self,
        request: &PolarDbDescribeBackupsRequest,
    ) -> Result<PolarDbDescribeBackupsResponse, Error> {
        describe_all(self.client, request).await
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
}

impl ProductRequest for PolarDbDescribeBackupsRequest {
    const PRODUCT: Product = Product::PolarDb;
    const ACTION: Action = Action::read("DescribeBackups", "2017-08-01");
    type Answer = PolarDbDescribeBackupsResponse;

    fn to_query(&self) -> Result<Query, Error> {
        Ok(ProductQuery::new("DBClusterId", &self.db_cluster_id)?
            .id("BackupId", &self.backup_id)?
            .opt("BackupStatus", self.backup_status.as_ref())
            .opt("BackupMode", self.backup_mode.as_ref())
            .id("BackupRegion", &self.backup_region)?
            .window(Some(self.start_time), Some(self.end_time))?
            .page(self.page_size, "PageNumber", self.page_number)?
            .into_query())
    }
}

impl PagedRequest for PolarDbDescribeBackupsRequest {
    fn paging(&mut self) -> (&mut Option<u32>, &mut Option<u32>) {
        (&mut self.page_size, &mut self.page_number)
    }
}

optional_fields! {
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
        #[serde(deserialize_with = "opt_int")]
        pub page_number: Option<u64>,
        /// Sets on this page (`PageRecordCount`).
        #[serde(deserialize_with = "opt_int")]
        pub page_record_count: Option<u64>,
        /// Sets on all pages (`TotalRecordCount`).
        #[serde(deserialize_with = "opt_int")]
        pub total_record_count: Option<u64>,
        /// Bytes of level-2 backups in the region (`TotalLevel2BackupSize`).
        #[serde(rename = "TotalLevel2BackupSize", deserialize_with = "opt_int")]
        pub total_level2_backup_size: Option<u64>,
        /// The request id (`RequestId`; the `x-acs-request-id` header when the body has none).
        #[serde(deserialize_with = "opt_string")]
        pub request_id: Option<String>,
    }
}

paged!(PolarDbDescribeBackupsResponse {
    items: PolarDbBackup,
    total: total_record_count,
    count: page_record_count
});
answers!(PolarDbDescribeBackupsResponse);

optional_fields! {
    /// A PolarDB backup set.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct PolarDbBackup {
        /// The backup set (`BackupId`): DBS `CreateDownload`'s `BakSetId`.
        #[serde(deserialize_with = "req_string")]
        pub backup_id: String,
        /// The cluster (`DBClusterId`).
        #[serde(rename = "DBClusterId", deserialize_with = "opt_string")]
        pub db_cluster_id: Option<String>,
        /// The state (`BackupStatus`): only `Success` sets can be used.
        pub backup_status: Option<BackupSetStatus>,
        /// When the backup started (`BackupStartTime`).
        #[serde(with = "api_time")]
        pub backup_start_time: Option<OffsetDateTime>,
        /// When it ended (`BackupEndTime`).
        #[serde(with = "api_time")]
        pub backup_end_time: Option<OffsetDateTime>,
        /// Automated or manual (`BackupMode`).
        pub backup_mode: Option<BackupMode>,
        /// Always `Snapshot` (`BackupMethod`).
        pub backup_method: Option<BackupMethod>,
        /// Always `FullBackup` (`BackupType`).
        pub backup_type: Option<BackupType>,
        /// Size in bytes (`BackupSetSize`, sent as a string): DBS `CreateDownload`'s `BakSetSize`.
        #[serde(deserialize_with = "opt_int")]
        pub backup_set_size: Option<u64>,
        /// `Level-1` or `Level-2` (`BackupsLevel`).
        #[serde(deserialize_with = "opt_string")]
        pub backups_level: Option<String>,
        /// The snapshot's checkpoint (`ConsistentTime`, unix seconds as a string).
        #[serde(with = "epoch_seconds")]
        pub consistent_time: Option<OffsetDateTime>,
        /// Whether the set is usable (`IsAvail`, `"1"` or `"0"`).
        #[serde(deserialize_with = "opt_flag")]
        pub is_avail: Option<bool>,
        /// When the set is expected to expire, with sparse backup (`ExpectExpireTime`).
        #[serde(with = "api_time")]
        pub expect_expire_time: Option<OffsetDateTime>,
        /// `NEVER`, `EXPIRED` or `DELAY`, with sparse backup (`ExpectExpireType`).
        #[serde(deserialize_with = "opt_string")]
        pub expect_expire_type: Option<String>,
        /// The user's note (`Comment`).
        #[serde(deserialize_with = "opt_string")]
        pub comment: Option<String>,
    }
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
