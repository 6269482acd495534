//! RDS (Relational Database Service: MySQL, PostgreSQL, SQL Server): backup listing and
//! download links.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::macros::format_description;

use cloud_http::model::lenient;
use cloud_http::{ParamValue, open_enum};

use crate::Result;
use crate::client::{Call, Client};
use crate::endpoint::Service;
use crate::model::{
    BackupDownloadLinks, BackupList, BackupStatus, Datastore, Language, LenientTime, TimeRange,
    check_language, check_list_filters, kib_to_bytes, list_query, require_non_empty,
};

/// The RDS operations of a [`Client`] (from [`Client::rds`]).
#[derive(Debug, Clone, Copy)]
pub struct Rds<'a> {
    client: &'a Client,
}

impl<'a> Rds<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Rds { client }
    }

    /// `ShowBackupDownloadLink`: the files of a backup and a pre-signed link for each, valid
    /// about 15 minutes; call again for fresh links. `GET /v3/{project_id}/backup-files?backup_id=`.
    ///
    /// A read: safe to retry (and retried on throttling and 502/503/504).
    pub async fn show_backup_download_link(
        &self,
        request: &ShowBackupDownloadLinkRequest,
    ) -> Result<BackupDownloadLinks> {
        self.client.download_links(request).await
    }

    /// `ListBackups`: an instance's backups matching the filters.
    /// `GET /v3/{project_id}/backups?instance_id=`.
    ///
    /// A read: safe to retry (and retried on throttling and 502/503/504).
    pub async fn list_backups(&self, request: &ListBackupsRequest) -> Result<ListBackupsResponse> {
        self.client.execute(request).await
    }

    /// Every page of `ListBackups`, in order (the request's `offset` is ignored; its `limit`,
    /// default 100, is the size of each page): one list with all the backups.
    pub async fn list_backups_all(
        &self,
        request: &ListBackupsRequest,
    ) -> Result<ListBackupsResponse> {
        self.client
            .all_backups(request, |r| (&mut r.limit, &mut r.offset))
            .await
    }
}

/// Input of RDS `ShowBackupDownloadLink`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowBackupDownloadLinkRequest {
    /// The backup (`backup_id`).
    pub backup_id: String,
    /// The language of the service's messages (`X-Language`).
    pub language: Option<Language>,
}

impl ShowBackupDownloadLinkRequest {
    /// The links of backup `backup_id`.
    pub fn new(backup_id: impl Into<String>) -> Self {
        ShowBackupDownloadLinkRequest {
            backup_id: backup_id.into(),
            language: None,
        }
    }

    /// Asks for messages in `language`.
    pub fn with_language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }
}

impl Call for ShowBackupDownloadLinkRequest {
    const SERVICE: Service = Service::Rds;
    const ACTION: &'static str = "ShowBackupDownloadLink";
    type Output = BackupDownloadLinks;

    fn validate(&self) -> Result<()> {
        require_non_empty("backup_id", &self.backup_id)?;
        check_language(self.language.as_ref())
    }

    fn path(&self, project_id: &str) -> String {
        format!("/v3/{project_id}/backup-files")
    }

    fn query(&self) -> Vec<(String, ParamValue)> {
        vec![("backup_id".into(), (&self.backup_id).into())]
    }

    fn language(&self) -> Option<&Language> {
        self.language.as_ref()
    }
}

open_enum! {
    /// An RDS backup's type (`backup_type` filter, `type` field).
    pub enum BackupType {
        /// Automated full backup.
        Auto = "auto",
        /// Manual full backup.
        Manual = "manual",
        /// Differential full backup (SQL Server).
        Fragment = "fragment",
        /// Automated incremental backup.
        Incremental = "incremental",
    }
}

/// Input of RDS `ListBackups`: an instance (required by the service), plus optional filters.
///
/// ```
/// use rds_huawei::rds::{BackupType, ListBackupsRequest};
/// let request = ListBackupsRequest {
///     backup_type: Some(BackupType::Auto),
///     limit: Some(20),
///     ..ListBackupsRequest::new("c0c9f155c7b7423a9d30f0175998b63bin01")
/// };
/// # let _ = request;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListBackupsRequest {
    /// The instance (`instance_id`).
    pub instance_id: String,
    /// Only this backup (`backup_id`).
    pub backup_id: Option<String>,
    /// Only this type (`backup_type`).
    pub backup_type: Option<BackupType>,
    /// Skip this many backups (`offset`).
    pub offset: Option<u32>,
    /// At most this many, 1 to 100 (`limit`).
    pub limit: Option<u32>,
    /// Only backups in this window (`begin_time` and `end_time`, sent as
    /// `yyyy-mm-ddThh:mm:ss+0000`).
    pub time_range: Option<TimeRange>,
}

impl ListBackupsRequest {
    /// All backups of instance `instance_id`.
    pub fn new(instance_id: impl Into<String>) -> Self {
        ListBackupsRequest {
            instance_id: instance_id.into(),
            backup_id: None,
            backup_type: None,
            offset: None,
            limit: None,
            time_range: None,
        }
    }
}

impl Call for ListBackupsRequest {
    const SERVICE: Service = Service::Rds;
    const ACTION: &'static str = "ListBackups";
    type Output = ListBackupsResponse;

    fn validate(&self) -> Result<()> {
        check_list_filters(
            Some(&self.instance_id),
            self.backup_id.as_deref(),
            self.limit,
        )?;
        if let Some(t) = &self.backup_type {
            require_non_empty("backup_type", t.as_str())?;
        }
        Ok(())
    }

    fn path(&self, project_id: &str) -> String {
        format!("/v3/{project_id}/backups")
    }

    fn query(&self) -> Vec<(String, ParamValue)> {
        let mut q = list_query(
            Some(&self.instance_id),
            self.backup_id.as_deref(),
            self.backup_type.as_ref().map(BackupType::as_str),
            self.offset,
            self.limit,
        );
        if let Some(range) = &self.time_range {
            range.push_query(
                &mut q,
                format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+0000"),
            );
        }
        q
    }
}

/// Output of RDS `ListBackups`.
pub type ListBackupsResponse = BackupList<Backup>;

/// A database included in an RDS backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupDatabase {
    /// Database name.
    #[serde(default)]
    pub name: String,
}

/// An RDS backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backup {
    /// Backup id.
    pub id: String,
    /// The instance backed up.
    #[serde(default)]
    pub instance_id: String,
    /// Backup name.
    #[serde(default)]
    pub name: String,
    /// The databases in the backup (SQL Server per-database backups); empty for whole-instance
    /// backups.
    #[serde(default)]
    pub databases: Vec<BackupDatabase>,
    /// When the backup started (`yyyy-mm-ddThh:mm:ssZ`, offset without a colon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<LenientTime>,
    /// When the backup ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<LenientTime>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<BackupStatus>,
    /// Backup type (`type`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub backup_type: Option<BackupType>,
    /// Size in **KiB** (wire field `size`); see [`Backup::size_bytes`].
    #[serde(rename = "size", default, deserialize_with = "lenient::int")]
    pub size_kb: u64,
    /// Engine and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datastore: Option<Datastore>,
    /// Fields this crate does not model, kept as sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl Backup {
    /// The size in bytes (`size_kb * 1024`).
    pub fn size_bytes(&self) -> u64 {
        kib_to_bytes(self.size_kb)
    }
}
