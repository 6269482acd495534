//! DDS (Document Database Service, MongoDB compatible): backup listing and download links.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::macros::format_description;

use cloud_http::model::lenient;
use cloud_http::{ParamValue, open_enum};

use crate::Result;
use crate::client::{Call, Client};
use crate::endpoint::Service;
use crate::model::{
    BackupDownloadLinks, BackupList, BackupStatus, Datastore, Language, LenientTime, SortOrder,
    TimeRange, check_language, check_list_filters, kib_to_bytes, list_query, require_non_empty,
};

/// The DDS operations of a [`Client`] (from [`Client::dds`]).
#[derive(Debug, Clone, Copy)]
pub struct Dds<'a> {
    client: &'a Client,
}

impl<'a> Dds<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Dds { client }
    }

    /// `ShowBackupDownloadLink`: the files of a backup and a pre-signed link for each (one per
    /// shard for a cluster), valid about 15 minutes; call again for fresh links.
    /// `GET /v3/{project_id}/backups/download-file?instance_id=&backup_id=`.
    ///
    /// A read: safe to retry (and retried on throttling and 502/503/504).
    pub async fn show_backup_download_link(
        &self,
        request: &ShowBackupDownloadLinkRequest,
    ) -> Result<BackupDownloadLinks> {
        self.client.download_links(request).await
    }

    /// `ListBackups`: the backups matching the filters, newest first.
    /// `GET /v3/{project_id}/backups`.
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

/// Input of DDS `ShowBackupDownloadLink`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowBackupDownloadLinkRequest {
    /// The instance (`instance_id`).
    pub instance_id: String,
    /// The backup (`backup_id`).
    pub backup_id: String,
    /// The language of the service's messages (`X-Language`).
    pub language: Option<Language>,
}

impl ShowBackupDownloadLinkRequest {
    /// The links of backup `backup_id` of instance `instance_id`.
    pub fn new(instance_id: impl Into<String>, backup_id: impl Into<String>) -> Self {
        ShowBackupDownloadLinkRequest {
            instance_id: instance_id.into(),
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
    const SERVICE: Service = Service::Dds;
    const ACTION: &'static str = "ShowBackupDownloadLink";
    type Output = BackupDownloadLinks;

    fn validate(&self) -> Result<()> {
        require_non_empty("instance_id", &self.instance_id)?;
        require_non_empty("backup_id", &self.backup_id)?;
        check_language(self.language.as_ref())
    }

    fn path(&self, project_id: &str) -> String {
        format!("/v3/{project_id}/backups/download-file")
    }

    fn query(&self) -> Vec<(String, ParamValue)> {
        vec![
            ("instance_id".into(), (&self.instance_id).into()),
            ("backup_id".into(), (&self.backup_id).into()),
        ]
    }

    fn language(&self) -> Option<&Language> {
        self.language.as_ref()
    }
}

open_enum! {
    /// A DDS backup's type (`backup_type` filter, `type` field).
    pub enum BackupType {
        /// Automated full backup.
        Auto = "Auto",
        /// Manual full backup.
        Manual = "Manual",
        /// Automated incremental backup (listing needs `instance_id`).
        Incremental = "Incremental",
    }
}

open_enum! {
    /// A DDS instance's topology (`mode` filter).
    pub enum InstanceMode {
        /// A sharded cluster.
        Sharding = "Sharding",
        /// A replica set.
        ReplicaSet = "ReplicaSet",
        /// A single node.
        Single = "Single",
    }
}

/// Input of DDS `ListBackups`; every filter is optional. Without `backup_type` the service lists
/// full backups only (automated and manual).
///
/// ```
/// use rds_huawei::dds::{BackupType, ListBackupsRequest};
/// let request = ListBackupsRequest {
///     instance_id: Some("befb1cfe1f96403780396b0c54f85d11in02".into()),
///     backup_type: Some(BackupType::Manual),
///     limit: Some(10),
///     ..Default::default()
/// };
/// # let _ = request;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListBackupsRequest {
    /// Only this instance's backups (`instance_id`); required with
    /// [`BackupType::Incremental`].
    pub instance_id: Option<String>,
    /// Only this backup (`backup_id`).
    pub backup_id: Option<String>,
    /// Only this type (`backup_type`).
    pub backup_type: Option<BackupType>,
    /// Skip this many backups, newest first (`offset`).
    pub offset: Option<u32>,
    /// At most this many, 1 to 100 (`limit`; the service's default is 100).
    pub limit: Option<u32>,
    /// Only backups in this window (`begin_time` and `end_time`, sent as
    /// `yyyy-mm-dd hh:mm:ss` UTC).
    pub time_range: Option<TimeRange>,
    /// Only instances of this topology (`mode`).
    pub mode: Option<InstanceMode>,
    /// Only backups in this status (`backup_status`).
    pub backup_status: Option<BackupStatus>,
    /// Sort order (`order_field` and `order_rule`).
    pub order: Option<SortOrder>,
}

impl Call for ListBackupsRequest {
    const SERVICE: Service = Service::Dds;
    const ACTION: &'static str = "ListBackups";
    type Output = ListBackupsResponse;

    fn validate(&self) -> Result<()> {
        check_list_filters(
            self.instance_id.as_deref(),
            self.backup_id.as_deref(),
            self.limit,
        )?;
        if self.backup_type == Some(BackupType::Incremental) && self.instance_id.is_none() {
            return Err(crate::Error::invalid(
                "instance_id",
                "required when backup_type is Incremental",
            ));
        }
        let texts = [
            (
                "backup_type",
                self.backup_type.as_ref().map(BackupType::as_str),
            ),
            ("mode", self.mode.as_ref().map(InstanceMode::as_str)),
            (
                "backup_status",
                self.backup_status.as_ref().map(BackupStatus::as_str),
            ),
            ("order_field", self.order.as_ref().map(|o| o.field.as_str())),
            ("order_rule", self.order.as_ref().map(|o| o.rule.as_str())),
        ];
        for (field, value) in texts {
            if let Some(v) = value {
                require_non_empty(field, v)?;
            }
        }
        Ok(())
    }

    fn path(&self, project_id: &str) -> String {
        format!("/v3/{project_id}/backups")
    }

    fn query(&self) -> Vec<(String, ParamValue)> {
        let mut q = list_query(
            self.instance_id.as_deref(),
            self.backup_id.as_deref(),
            self.backup_type.as_ref().map(BackupType::as_str),
            self.offset,
            self.limit,
        );
        if let Some(range) = &self.time_range {
            range.push_query(
                &mut q,
                format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
            );
        }
        if let Some(mode) = &self.mode {
            q.push(("mode".into(), mode.as_str().into()));
        }
        if let Some(status) = &self.backup_status {
            q.push(("backup_status".into(), status.as_str().into()));
        }
        if let Some(order) = &self.order {
            q.push(("order_field".into(), (&order.field).into()));
            q.push(("order_rule".into(), order.rule.as_str().into()));
        }
        q
    }
}

/// Output of DDS `ListBackups`.
pub type ListBackupsResponse = BackupList<Backup>;

/// A DDS backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backup {
    /// Backup id.
    pub id: String,
    /// Backup name.
    #[serde(default)]
    pub name: String,
    /// The instance backed up.
    #[serde(default)]
    pub instance_id: String,
    /// The instance's name.
    #[serde(default)]
    pub instance_name: String,
    /// Engine and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datastore: Option<Datastore>,
    /// Backup type (`type`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub backup_type: Option<BackupType>,
    /// When the backup started (`yyyy-mm-dd hh:mm:ss`, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<LenientTime>,
    /// When the backup ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<LenientTime>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<BackupStatus>,
    /// Size in **KiB** (wire field `size`); see [`Backup::size_bytes`].
    #[serde(rename = "size", default, deserialize_with = "lenient::int")]
    pub size_kb: u64,
    /// Description.
    #[serde(default)]
    pub description: String,
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
