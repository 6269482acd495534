//! The vendor-neutral export: start a backup's export (or ask for its links), wait for it, and
//! get the resulting files as download links that can be refreshed through the vendor API.
//!
//! | vendor | what "export" does | links expire |
//! |---|---|---|
//! | Aliyun DBS | `CreateDownload` to URL, wait, `DescribeDownloadBackupSetStorageInfo` | after the requested `Duration` |
//! | Tencent MongoDB | `CreateBackupDownloadTask` for the named replica sets, wait | undocumented: refreshed by describing the tasks again |
//! | Huawei DDS / RDS | `ShowBackupDownloadLink` | after 15 minutes |
//!
//! Each vendor is a type implementing [`BackupExport`] that keeps the vendor's own request type,
//! so every vendor-specific option stays available.

use std::fmt;
use std::path::{Path, PathBuf};

use cloud_http::{BoxFuture, Error};
use time::OffsetDateTime;

use crate::download::{
    DownloadError, DownloadOptions, DownloadReport, Downloader, Progress, RefreshLink, display_url,
};
use crate::names::{SafeName, distinct_names};

/// The size the vendor API declared for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclaredSize {
    /// Exactly this many bytes (Tencent `BackupSize`).
    Bytes(u64),
    /// This many KB, rounded (Huawei `size`): checked as `ceil(bytes / 1024)` within one KB.
    Kilobytes(u64),
}

impl fmt::Display for DeclaredSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeclaredSize::Bytes(b) => write!(f, "{b} bytes"),
            DeclaredSize::Kilobytes(kb) => write!(f, "{kb} KB (1 KB = 1024 bytes)"),
        }
    }
}

impl DeclaredSize {
    /// Whether `bytes` agrees with the declaration.
    pub fn matches(self, bytes: u64) -> bool {
        match self {
            DeclaredSize::Bytes(b) => b == bytes,
            DeclaredSize::Kilobytes(kb) => bytes.div_ceil(1024).abs_diff(kb) <= 1,
        }
    }
}

/// One file of an export: a name, a download link (a credential), what the API said about it.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// The name the API gave it (or the last segment of its link), as data: shown to users,
    /// never used as a path. [`download_files`] derives each file's safe, distinct local name
    /// from it ([`crate::names`]).
    pub name: String,
    url: String,
    /// The size the API declared, if any.
    pub size: Option<DeclaredSize>,
    /// The CRC-64/ECMA the API's listing gives for it (RDS `Checksum`), checked as the
    /// storage's header is.
    pub crc64: Option<u64>,
    /// When the link stops working, if the API said.
    pub expires_at: Option<OffsetDateTime>,
    /// Which part of the backup it is (Tencent replica set, Huawei shard); empty otherwise.
    pub part: String,
    /// What identifies this file among the export's when its link is refreshed (the vendor's
    /// stable identifiers, never just the name).
    key: String,
}

impl ExportedFile {
    /// A file with a link.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        ExportedFile {
            name: name.into(),
            url: url.into(),
            size: None,
            crc64: None,
            expires_at: None,
            part: String::new(),
            key: String::new(),
        }
    }
    /// The full link. Anyone holding it can read the backup: never log it.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl fmt::Debug for ExportedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportedFile")
            .field("name", &self.name)
            .field("url", &display_url(&self.url))
            .field("size", &self.size)
            .field("expires_at", &self.expires_at)
            .field("part", &self.part)
            .finish()
    }
}

/// Progress of an export: the vendor's task state, as text, and a percentage when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportProgress {
    /// Which part (replica set) the report is about; empty for the whole export.
    pub part: String,
    /// The vendor's state (`running`, `downloading`, ...).
    pub state: String,
    /// 0–100, when the vendor reports it.
    pub percent: Option<u8>,
    /// The server-side task's id, as soon as it exists (Aliyun DBS `dt-...`); `None` where
    /// the vendor's tasks have none.
    pub task_id: Option<String>,
}

/// A callback receiving export progress.
pub type ExportProgressFn<'a> = &'a (dyn Fn(&ExportProgress) + Send + Sync);

/// One vendor's way to export a backup and refresh its links.
pub trait BackupExport: Send + Sync {
    /// `aliyun`, `tencent` or `huawei`.
    fn vendor(&self) -> &'static str;
    /// Starts the export if the vendor needs one, waits for it, and returns the files.
    fn export<'a>(
        &'a self,
        progress: ExportProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Vec<ExportedFile>, Error>>;
    /// A fresh link for a file of a finished export.
    fn refresh<'a>(&'a self, file: &'a ExportedFile) -> BoxFuture<'a, Result<String, Error>>;
    /// The server-side task the export created or reused, once it has one.
    fn task_id(&self) -> Option<String> {
        None
    }
    /// The bytes the export will bring, when known before it starts (a backup set's size):
    /// checked against the destination's free space before anything slow.
    fn declared_bytes(&self) -> Option<u64> {
        None
    }
}

/// The last segment of a link's path (raw data, see [`crate::names::url_file_name`]), or
/// `fallback` when it gives no usable name.
#[cfg_attr(not(any(feature = "aliyun", feature = "tencent")), allow(dead_code))]
fn file_name_from_url(url: &str, fallback: &str) -> String {
    crate::names::url_file_name(url)
        .filter(|n| SafeName::sanitize(n).is_some())
        .unwrap_or_else(|| fallback.to_owned())
}

/// Aliyun DBS advanced download to URL.
#[cfg(feature = "aliyun")]
pub struct AliyunExport {
    client: dbs_aliyun::Client,
    request: dbs_aliyun::CreateDownloadRequest,
    waiter: cloud_http::WaiterConfig,
    link_validity: std::time::Duration,
    task_id: std::sync::Mutex<Option<String>>,
    attach: Option<String>,
}

#[cfg(feature = "aliyun")]
impl AliyunExport {
    /// Exports with `request` (its target should be [`dbs_aliyun::DownloadTarget::Url`]); links
    /// are asked for `link_validity` (300 s – 24 h).
    pub fn new(
        client: dbs_aliyun::Client,
        request: dbs_aliyun::CreateDownloadRequest,
        waiter: cloud_http::WaiterConfig,
        link_validity: std::time::Duration,
    ) -> Self {
        AliyunExport {
            client,
            request,
            waiter,
            link_validity,
            task_id: std::sync::Mutex::new(None),
            attach: None,
        }
    }

    /// Attaches to the existing DBS task `task_id` of the request's instance instead of
    /// creating or looking for one (`--task-id`: an export interrupted earlier, or a task made
    /// elsewhere).
    pub fn attach(mut self, task_id: impl Into<String>) -> Self {
        self.attach = Some(task_id.into());
        self
    }

    /// A task of the same backup set, format and target (download links) that is running or
    /// finished and not expired: exporting again must not start (and pay for) a second one.
    /// Point-in-time exports and sharded MongoDB clusters always get a new task.
    async fn reusable_task(&self) -> Result<Option<dbs_aliyun::DownloadTaskKey>, Error> {
        let r = &self.request;
        let (dbs_aliyun::DownloadSource::BackupSet { id, .. }, dbs_aliyun::DownloadTarget::Url) =
            (&r.source, &r.target)
        else {
            return Ok(None);
        };
        if matches!(&r.export, dbs_aliyun::Export::MongoDb(m) if matches!(m.topology, dbs_aliyun::MongoDbTopology::ShardedCluster { .. }))
        {
            return Ok(None);
        }
        let mut list = dbs_aliyun::DescribeDownloadTaskRequest::new(r.instance_name.clone());
        list.region_code = r.region_code.clone();
        list.backup_set_id = Some(id.clone());
        let page = self.client.describe_download_task(&list).await?;
        let format = r.export.format_type();
        Ok(page
            .items
            .into_iter()
            .find(|t| {
                t.bak_set_id.as_deref() == Some(id.as_str())
                    && t.format.as_ref().is_some_and(|f| f.as_str() == format)
                    && t.target_type
                        .as_ref()
                        .is_none_or(|k| *k == dbs_aliyun::TargetType::Url)
                    && !matches!(
                        t.status,
                        dbs_aliyun::DownloadStatus::Failed | dbs_aliyun::DownloadStatus::Expired
                    )
            })
            .map(|t| dbs_aliyun::DownloadTaskKey {
                region_code: r.region_code.clone(),
                instance_name: r.instance_name.clone(),
                task_id: t.task_id,
                created: t.gmt_create,
                cluster_name: None,
            }))
    }

    async fn links(&self, task_id: &str) -> Result<(String, Option<OffsetDateTime>), Error> {
        let req = dbs_aliyun::StorageInfoRequest::for_task(task_id, self.link_validity);
        let links = self
            .client
            .describe_download_backup_set_storage_info(&req)
            .await?;
        let url = links
            .public_url
            .as_ref()
            .map(|u| u.expose().to_owned())
            .filter(|u| !u.is_empty())
            .ok_or_else(|| Error::TaskFailed {
                what: format!("DBS download task {task_id}"),
                state: "finished without a public URL (is the target OSS?)".into(),
            })?;
        Ok((url, links.expiration_time))
    }
}

#[cfg(feature = "aliyun")]
impl BackupExport for AliyunExport {
    fn vendor(&self) -> &'static str {
        "aliyun"
    }

    fn export<'a>(
        &'a self,
        progress: ExportProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Vec<ExportedFile>, Error>> {
        Box::pin(async move {
            let attached = self.attach.as_ref().map(|id| dbs_aliyun::DownloadTaskKey {
                region_code: self.request.region_code.clone(),
                instance_name: self.request.instance_name.clone(),
                task_id: id.clone(),
                created: None,
                cluster_name: None,
            });
            let found = match attached {
                Some(key) => Some((key, "attached")),
                None => self.reusable_task().await?.map(|key| (key, "reused")),
            };
            let (key, state) = match found {
                Some((key, how)) => {
                    tracing::info!(task = %crate::terminal::escape(&key.task_id), how, "using an existing DBS download task");
                    (key, how)
                }
                None => {
                    let created = self.client.create_download(&self.request).await?;
                    tracing::info!("DBS download task created; waiting for it");
                    (created.key, "created")
                }
            };
            *self.task_id.lock().unwrap_or_else(|e| e.into_inner()) = Some(key.task_id.clone());
            progress(&ExportProgress {
                part: String::new(),
                state: state.into(),
                percent: None,
                task_id: Some(key.task_id.clone()),
            });
            let task = self
                .client
                .wait_for_download(&key, &self.waiter, |t| {
                    progress(&ExportProgress {
                        part: String::new(),
                        state: t.status.to_string(),
                        percent: t.progress.as_deref().and_then(fraction_percent),
                        task_id: Some(t.task_id.clone()),
                    })
                })
                .await?;
            *self.task_id.lock().unwrap_or_else(|e| e.into_inner()) = Some(task.task_id.clone());
            tracing::info!(task = %crate::terminal::escape(&task.task_id), "DBS download task finished");
            let (url, expires_at) = self.links(&task.task_id).await?;
            tracing::info!(url = %display_url(&url), "download link obtained");
            let mut file = ExportedFile::new(
                file_name_from_url(&url, &format!("{}.download", task.task_id)),
                url,
            );
            file.expires_at = expires_at;
            file.key = task.task_id.clone();
            Ok(vec![file])
        })
    }

    fn task_id(&self) -> Option<String> {
        self.task_id
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn declared_bytes(&self) -> Option<u64> {
        match &self.request.source {
            dbs_aliyun::DownloadSource::BackupSet { size, .. } => *size,
            _ => None,
        }
    }

    fn refresh<'a>(&'a self, _file: &'a ExportedFile) -> BoxFuture<'a, Result<String, Error>> {
        Box::pin(async move {
            let task_id = self
                .task_id
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
                .ok_or_else(|| Error::invalid("task", "export() has not finished yet"))?;
            Ok(self.links(&task_id).await?.0)
        })
    }
}

/// An Aliyun backup whose files its product's listing links to: no server-side task.
#[cfg(feature = "aliyun")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliyunLinked {
    /// An RDS backup set (`DescribeBackups` of the instance, this `BackupId`).
    Rds {
        /// `DBInstanceId`.
        instance_id: String,
        /// `BackupId`.
        backup_id: String,
    },
    /// An ApsaraDB for MongoDB replica set's backup (`DescribeBackups`, this `BackupId`).
    MongoDb {
        /// `DBInstanceId`.
        instance_id: String,
        /// `BackupId`.
        backup_id: String,
    },
    /// A sharded MongoDB cluster's backup (`DescribeClusterBackups`, this `ClusterBackupId`):
    /// one file per shard.
    MongoDbCluster {
        /// `DBInstanceId`.
        instance_id: String,
        /// `ClusterBackupId` (`cb-...`).
        cluster_backup_id: String,
    },
}

/// The files of an Aliyun RDS or MongoDB backup, straight from the links of its listing (the
/// path most Aliyun users take: no DBS task, no cost). A link that expires is refreshed by
/// listing the backup again. RDS's `Checksum` (CRC-64) is checked as the storage's header is.
#[cfg(feature = "aliyun")]
pub struct AliyunLinksExport {
    client: dbs_aliyun::Client,
    backup: AliyunLinked,
    intranet: bool,
    allow_http: bool,
}

#[cfg(feature = "aliyun")]
impl AliyunLinksExport {
    /// The files of `backup`, through its public links (or, with `intranet`, the links that
    /// work only from the region's VPC: free and faster there). Plain `http://` links to
    /// Aliyun storage (`*.aliyuncs.com`, which serves the same signed object over https) are
    /// fetched over https; other plain http links only with `allow_http`.
    pub fn new(
        client: dbs_aliyun::Client,
        backup: AliyunLinked,
        intranet: bool,
        allow_http: bool,
    ) -> Self {
        AliyunLinksExport {
            client,
            backup,
            intranet,
            allow_http,
        }
    }

    /// The public or the intranet link, as asked, when there is one.
    fn pick(
        &self,
        public: Option<&dbs_aliyun::DownloadUrl>,
        private: Option<&dbs_aliyun::DownloadUrl>,
    ) -> Option<String> {
        let url = if self.intranet { private } else { public };
        url.map(|u| u.expose().trim().to_owned())
            .filter(|u| !u.is_empty())
    }

    /// One file per shard of a sharded MongoDB cluster's backup.
    async fn cluster_files(
        &self,
        instance_id: &str,
        cluster_backup_id: &str,
    ) -> Result<Vec<ExportedFile>, Error> {
        let mut request = dbs_aliyun::MongoDbDescribeClusterBackupsRequest::new(instance_id);
        request.backup_id = Some(cluster_backup_id.to_owned());
        let answer = self
            .client
            .mongodb()
            .describe_cluster_backups(&request)
            .await?;
        let what = |kind: &str, id: &str| format!("{kind} {}", crate::terminal::escape(id));
        let cluster = answer
            .cluster_backups
            .into_iter()
            .find(|c| c.cluster_backup_id == cluster_backup_id)
            .ok_or_else(|| Error::TaskFailed {
                what: what("MongoDB cluster backup", cluster_backup_id),
                state: "not listed".into(),
            })?;
        let mut files = Vec::with_capacity(cluster.backups.len());
        for shard in &cluster.backups {
            let url = self
                .pick(
                    shard.backup_download_url.as_ref(),
                    shard.backup_intranet_download_url.as_ref(),
                )
                .ok_or_else(|| Error::TaskFailed {
                    what: what("MongoDB shard backup", &shard.backup_id),
                    state: "listed without a download link".into(),
                })?;
            let url = storage_link(&url, self.allow_http)?;
            let part = shard
                .instance_name
                .clone()
                .unwrap_or_else(|| shard.backup_id.clone());
            let mut file =
                ExportedFile::new(file_name_from_url(&url, &format!("{part}.backup")), url);
            file.size = shard.backup_size.map(DeclaredSize::Bytes);
            file.key = shard.backup_id.clone();
            file.part = part;
            files.push(file);
        }
        Ok(files)
    }

    async fn files(&self) -> Result<Vec<ExportedFile>, Error> {
        let pick = |public, private| self.pick(public, private);
        let (what, backup_id, url, size, crc64) = match &self.backup {
            AliyunLinked::Rds {
                instance_id,
                backup_id,
            } => {
                let mut request = dbs_aliyun::RdsDescribeBackupsRequest::new(instance_id);
                request.backup_id = Some(backup_id.clone());
                let answer = self.client.rds().describe_backups(&request).await?;
                let found = answer.items.into_iter().find(|b| &b.backup_id == backup_id);
                let url = found.as_ref().and_then(|b| {
                    pick(
                        b.backup_download_url.as_ref(),
                        b.backup_intranet_download_url.as_ref(),
                    )
                });
                let crc64 = found.as_ref().and_then(dbs_aliyun::RdsBackup::crc64);
                let size = found.as_ref().and_then(|b| b.backup_size);
                (
                    format!("RDS backup {backup_id}"),
                    backup_id,
                    url,
                    size,
                    crc64,
                )
            }
            AliyunLinked::MongoDb {
                instance_id,
                backup_id,
            } => {
                let mut request = dbs_aliyun::MongoDbDescribeBackupsRequest::new(instance_id);
                request.backup_id = Some(backup_id.clone());
                let answer = self.client.mongodb().describe_backups(&request).await?;
                let found = answer
                    .backups
                    .into_iter()
                    .find(|b| &b.backup_id == backup_id);
                let url = found.as_ref().and_then(|b| {
                    pick(
                        b.backup_download_url.as_ref(),
                        b.backup_intranet_download_url.as_ref(),
                    )
                });
                let size = found.as_ref().and_then(|b| b.backup_size);
                (
                    format!("MongoDB backup {backup_id}"),
                    backup_id,
                    url,
                    size,
                    None,
                )
            }
            AliyunLinked::MongoDbCluster {
                instance_id,
                cluster_backup_id,
            } => return self.cluster_files(instance_id, cluster_backup_id).await,
        };
        let network = if self.intranet { "intranet" } else { "public" };
        let url = url.ok_or_else(|| Error::TaskFailed {
            what: crate::terminal::escape(&what),
            state: format!("listed without a {network} download link"),
        })?;
        let url = storage_link(&url, self.allow_http)?;
        let mut file = ExportedFile::new(
            file_name_from_url(&url, &format!("{backup_id}.backup")),
            url,
        );
        file.size = size.map(DeclaredSize::Bytes);
        file.crc64 = crc64;
        file.key = backup_id.clone();
        Ok(vec![file])
    }
}

/// A storage link as it is fetched: `http://` to Aliyun storage becomes `https://` (the
/// signature does not cover the scheme); any other plain http link is refused unless
/// `allow_http`.
#[cfg(feature = "aliyun")]
fn storage_link(url: &str, allow_http: bool) -> Result<String, Error> {
    let parsed = reqwest::Url::parse(url).map_err(|_| {
        Error::invalid(
            "download link",
            format!("{} is not a URL", display_url(url)),
        )
    })?;
    match parsed.scheme() {
        "https" => Ok(url.to_owned()),
        "http" => {
            let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
            if host.ends_with(".aliyuncs.com") {
                Ok(format!("https://{}", &url["http://".len()..]))
            } else if allow_http {
                Ok(url.to_owned())
            } else {
                Err(Error::invalid(
                    "download link",
                    format!(
                        "{} is plain http to a host that is not Aliyun storage; allow it \
                         explicitly (--allow-http)",
                        display_url(url)
                    ),
                ))
            }
        }
        other => Err(Error::invalid(
            "download link",
            format!("scheme {other}: is not http or https"),
        )),
    }
}

#[cfg(feature = "aliyun")]
impl BackupExport for AliyunLinksExport {
    fn vendor(&self) -> &'static str {
        "aliyun"
    }

    fn export<'a>(
        &'a self,
        progress: ExportProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Vec<ExportedFile>, Error>> {
        Box::pin(async move {
            progress(&ExportProgress {
                part: String::new(),
                state: "listing the backup's links".into(),
                percent: None,
                task_id: None,
            });
            let files = self.files().await?;
            tracing::info!(
                files = files.len(),
                "download links obtained from the listing"
            );
            Ok(files)
        })
    }

    fn refresh<'a>(&'a self, file: &'a ExportedFile) -> BoxFuture<'a, Result<String, Error>> {
        Box::pin(async move {
            let files = self.files().await?;
            files
                .into_iter()
                .find(|f| f.key == file.key)
                .map(|f| f.url)
                .ok_or_else(|| Error::TaskFailed {
                    what: format!("backup {}", crate::terminal::escape(&file.key)),
                    state: "no longer listed".into(),
                })
        })
    }
}

/// `"3/4"` or `"75"` → percent.
#[cfg_attr(not(feature = "aliyun"), allow(dead_code))]
fn fraction_percent(p: &str) -> Option<u8> {
    match p.split_once('/') {
        Some((a, b)) => {
            let (a, b): (u64, u64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (b > 0).then(|| (a * 100 / b).min(100) as u8)
        }
        None => p
            .trim()
            .trim_end_matches('%')
            .parse::<u64>()
            .ok()
            .map(|v| v.min(100) as u8),
    }
}

/// Tencent MongoDB backup download tasks, one file per replica set.
#[cfg(feature = "tencent")]
pub struct TencentExport {
    client: mongodb_tencent::Client,
    request: mongodb_tencent::CreateBackupDownloadTaskRequest,
    waiter: cloud_http::WaiterConfig,
}

#[cfg(feature = "tencent")]
impl TencentExport {
    /// Exports `request` (instance, backup name, replica sets).
    pub fn new(
        client: mongodb_tencent::Client,
        request: mongodb_tencent::CreateBackupDownloadTaskRequest,
        waiter: cloud_http::WaiterConfig,
    ) -> Self {
        TencentExport {
            client,
            request,
            waiter,
        }
    }

    async fn finished(
        &self,
        progress: ExportProgressFn<'_>,
    ) -> Result<Vec<mongodb_tencent::BackupDownloadTask>, Error> {
        self.client
            .wait_for_backup_download(&self.request, &self.waiter, |tasks| {
                for t in tasks {
                    progress(&ExportProgress {
                        part: t.replica_set_id.clone(),
                        state: t.status.to_string(),
                        percent: u8::try_from(t.percent.clamp(0, 100)).ok(),
                        task_id: None,
                    });
                }
            })
            .await
    }
}

#[cfg(feature = "tencent")]
impl BackupExport for TencentExport {
    fn vendor(&self) -> &'static str {
        "tencent"
    }

    fn export<'a>(
        &'a self,
        progress: ExportProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Vec<ExportedFile>, Error>> {
        Box::pin(async move {
            // Exporting again must not start a second task per replica set: reuse the newest
            // task of each, when every one has a task that has not failed.
            let existing = self
                .client
                .find_backup_download_tasks(&self.request)
                .await?;
            let reusable = existing.len() == self.request.backup_sets.len()
                && existing
                    .iter()
                    .all(|t| t.status != mongodb_tencent::TaskStatus::Failed);
            if reusable {
                tracing::info!("reusing the backup download tasks of this backup");
            } else {
                self.client
                    .create_backup_download_task(&self.request)
                    .await?;
                tracing::info!("Tencent backup download tasks created; waiting for them");
            }
            let tasks = self.finished(progress).await?;
            tracing::info!(files = tasks.len(), "download links obtained");
            Ok(tasks
                .into_iter()
                .map(|t| {
                    let url = t.url.as_str().to_owned();
                    let mut f = ExportedFile::new(
                        file_name_from_url(&url, &format!("{}.tar", t.replica_set_id)),
                        url,
                    );
                    f.size = Some(DeclaredSize::Bytes(t.backup_size_bytes));
                    f.key = t.replica_set_id.clone();
                    f.part = t.replica_set_id;
                    f
                })
                .collect())
        })
    }

    fn refresh<'a>(&'a self, file: &'a ExportedFile) -> BoxFuture<'a, Result<String, Error>> {
        Box::pin(async move {
            let tasks = self.finished(&|_| {}).await?;
            tasks
                .into_iter()
                .find(|t| t.replica_set_id == file.key)
                .map(|t| t.url.as_str().to_owned())
                .ok_or_else(|| Error::TaskFailed {
                    what: format!("download task of {}", file.part),
                    state: "no longer listed".into(),
                })
        })
    }
}

/// Which Huawei backup to get links for.
#[cfg(feature = "huawei")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HuaweiBackup {
    /// A DDS backup (one file per shard for a cluster).
    Dds {
        /// `instance_id`.
        instance_id: String,
        /// `backup_id`.
        backup_id: String,
    },
    /// An RDS backup.
    Rds {
        /// `backup_id`.
        backup_id: String,
    },
}

/// Huawei DDS / RDS download links (valid 15 minutes, refreshed by asking again).
#[cfg(feature = "huawei")]
pub struct HuaweiExport {
    client: rds_huawei::Client,
    backup: HuaweiBackup,
}

#[cfg(feature = "huawei")]
impl HuaweiExport {
    /// Links for `backup`.
    pub fn new(client: rds_huawei::Client, backup: HuaweiBackup) -> Self {
        HuaweiExport { client, backup }
    }

    async fn files(&self) -> Result<Vec<ExportedFile>, Error> {
        let links = match &self.backup {
            HuaweiBackup::Dds {
                instance_id,
                backup_id,
            } => {
                let req =
                    rds_huawei::dds::ShowBackupDownloadLinkRequest::new(instance_id, backup_id);
                self.client.dds().show_backup_download_link(&req).await?
            }
            HuaweiBackup::Rds { backup_id } => {
                let req = rds_huawei::rds::ShowBackupDownloadLinkRequest::new(backup_id);
                self.client.rds().show_backup_download_link(&req).await?
            }
        };
        // A file is identified by its group (shard), its name and which of the files with
        // both it is: two files of the same name stay two files, also when refreshed.
        let mut seen: std::collections::HashMap<(Option<String>, String), usize> =
            std::collections::HashMap::new();
        Ok(links
            .files
            .into_iter()
            .map(|f| {
                let occurrence = seen
                    .entry((f.group_name.clone(), f.name.clone()))
                    .and_modify(|n| *n += 1)
                    .or_insert(0);
                let url = f.download_link.as_str().to_owned();
                let mut file = ExportedFile::new(f.name.clone(), url);
                file.size = Some(DeclaredSize::Kilobytes(f.size_kb));
                file.expires_at = f.link_expired_time.as_ref().and_then(|t| t.datetime());
                file.key = format!(
                    "{}\u{0}{}\u{0}{occurrence}",
                    f.group_name.as_deref().unwrap_or(""),
                    f.name
                );
                file.part = f.group_name.unwrap_or_default();
                file
            })
            .collect())
    }
}

#[cfg(feature = "huawei")]
impl BackupExport for HuaweiExport {
    fn vendor(&self) -> &'static str {
        "huawei"
    }

    fn export<'a>(
        &'a self,
        progress: ExportProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Vec<ExportedFile>, Error>> {
        Box::pin(async move {
            let files = self.files().await?;
            tracing::info!(files = files.len(), "download links obtained");
            progress(&ExportProgress {
                part: String::new(),
                state: "links ready".into(),
                percent: Some(100),
                task_id: None,
            });
            Ok(files)
        })
    }

    fn refresh<'a>(&'a self, file: &'a ExportedFile) -> BoxFuture<'a, Result<String, Error>> {
        Box::pin(async move {
            let fresh = self
                .files()
                .await?
                .into_iter()
                .find(|f| f.key == file.key)
                .ok_or_else(|| Error::TaskFailed {
                    what: format!("backup file {}", crate::terminal::escape(&file.name)),
                    state: "no longer listed".into(),
                })?;
            if fresh.size != file.size {
                return Err(Error::TaskFailed {
                    what: format!("backup file {}", crate::terminal::escape(&file.name)),
                    state: "listed again with another size".into(),
                });
            }
            Ok(fresh.url)
        })
    }
}

/// Why the whole workflow failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The vendor API refused or failed.
    #[error(transparent)]
    Api(#[from] Error),
    /// A file could not be downloaded or verified.
    #[error("{file}: {source}")]
    Download {
        /// The file's name.
        file: String,
        /// What went wrong.
        #[source]
        source: DownloadError,
    },
    /// A downloaded file's size disagrees with the API's declaration; the file was removed.
    #[error("{file}: the API declared {declared} but {actual} bytes arrived")]
    DeclaredSizeMismatch {
        /// The file's name.
        file: String,
        /// The declaration.
        declared: DeclaredSize,
        /// What arrived.
        actual: u64,
    },
    /// The destination's file system has less room than the files declare.
    #[error(
        "{}: {} free, the files need {} more; free some space or choose another --to",
        path.display(),
        crate::terminal::bytes_text(*available),
        crate::terminal::bytes_text(*needed)
    )]
    NoSpace {
        /// The directory.
        path: PathBuf,
        /// Bytes the files still need.
        needed: u64,
        /// Bytes free for this user.
        available: u64,
    },
    /// The destination directory is not usable.
    #[error("{path}: {source}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// Refreshes one file's link through its export.
pub(crate) struct FileRefresher<'a> {
    export: &'a dyn BackupExport,
    file: &'a ExportedFile,
}

#[cfg_attr(
    not(all(feature = "aliyun", feature = "tencent", feature = "huawei")),
    allow(dead_code)
)]
impl<'a> FileRefresher<'a> {
    pub(crate) fn new(export: &'a dyn BackupExport, file: &'a ExportedFile) -> Self {
        FileRefresher { export, file }
    }
}

impl RefreshLink for FileRefresher<'_> {
    fn refresh(&self) -> BoxFuture<'_, Result<String, DownloadError>> {
        Box::pin(async move {
            self.export
                .refresh(self.file)
                .await
                .map_err(|e| DownloadError::Expired(e.to_string()))
        })
    }
}

/// The local file name of each file of an export, in order: the API's name (or its link's)
/// made safe ([`SafeName::sanitize`]; `part-N` when nothing usable is left), and distinct from
/// every other's ([`distinct_names`]: prefixed with the part, then the index, on a collision).
pub fn local_names(files: &[ExportedFile]) -> Vec<SafeName> {
    let names: Vec<SafeName> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let fallback = if f.part.is_empty() {
                format!("file-{}", i + 1)
            } else {
                format!("{}-{}", f.part, i + 1)
            };
            SafeName::sanitize_or(&f.name, &fallback)
        })
        .collect();
    let parts: Vec<&str> = files.iter().map(|f| f.part.as_str()).collect();
    distinct_names(&names, &parts)
}

/// One download event of an export's files: which file (its local name, `index` of `count`,
/// from 1) and how far it is.
#[derive(Debug, Clone, Copy)]
pub struct FileProgress<'a> {
    /// The file's local name.
    pub name: &'a str,
    /// Which file this is, from 1.
    pub index: usize,
    /// How many files the export has.
    pub count: usize,
    /// The download's progress.
    pub progress: Progress,
}

/// What [`download_files`] and [`export_and_download`] report download progress to.
pub type FileProgressFn<'a> = &'a (dyn Fn(FileProgress<'_>) + Send + Sync);

/// What became of one file of an export.
#[derive(Debug)]
#[non_exhaustive]
pub struct FileOutcome {
    /// The file's local name ([`local_names`]).
    pub name: String,
    /// Where it is, or was to be written.
    pub path: PathBuf,
    /// Its download (downloaded, or already there and verified: [`DownloadReport::skipped`]),
    /// or why it failed.
    pub result: Result<DownloadReport, WorkflowError>,
}

/// Downloads every file of an export into `dir` (created if missing, mode `0700`), one after
/// the other, each under its own safe name ([`local_names`]), verified, resumable and with its
/// link refreshed through the vendor API when it expires; a file that fails does not stop the
/// others (its outcome says why). `progress` gets each event with the file's local name and its
/// place among the files. Before the first byte: `dir` must take a new file and have room for
/// what the files declare (less what is already there), else [`WorkflowError::NoSpace`].
pub async fn download_each(
    export: &dyn BackupExport,
    files: &[ExportedFile],
    dir: &Path,
    downloader: &Downloader,
    options: &DownloadOptions,
    progress: FileProgressFn<'_>,
) -> Result<Vec<FileOutcome>, WorkflowError> {
    check_writable(dir)?;
    let names = local_names(files);
    check_space(dir, files, &names)?;
    let mut outcomes = Vec::with_capacity(files.len());
    let count = files.len();
    for (i, (file, name)) in files.iter().zip(&names).enumerate() {
        let dest = dir.join(name);
        let result = download_one(
            export,
            file,
            name,
            &dest,
            (i, count),
            downloader,
            options,
            progress,
        )
        .await;
        if let Err(e) = &result {
            tracing::warn!(file = %name, error = %e, "file failed; going on with the others");
        }
        outcomes.push(FileOutcome {
            name: name.to_string(),
            path: dest,
            result,
        });
    }
    Ok(outcomes)
}

/// [`download_each`], then the first failure, if any: every file downloaded and verified, or
/// an error.
pub async fn download_files(
    export: &dyn BackupExport,
    files: &[ExportedFile],
    dir: &Path,
    downloader: &Downloader,
    options: &DownloadOptions,
    progress: FileProgressFn<'_>,
) -> Result<Vec<DownloadReport>, WorkflowError> {
    download_each(export, files, dir, downloader, options, progress)
        .await?
        .into_iter()
        .map(|o| o.result)
        .collect()
}

/// Refuses to start when `dir`'s file system has less room than the files declare, less what
/// their final or partial files there already hold (a partial file may already have its whole
/// size allocated). Files of unknown size count as empty: this is a floor, not a promise.
fn check_space(
    dir: &Path,
    files: &[ExportedFile],
    names: &[SafeName],
) -> Result<(), WorkflowError> {
    let mut needed = 0u64;
    for (file, name) in files.iter().zip(names) {
        let declared = match file.size {
            Some(DeclaredSize::Bytes(b)) => b,
            Some(DeclaredSize::Kilobytes(kb)) => kb.saturating_mul(1024),
            None => 0,
        };
        let dest = dir.join(name);
        let held = [crate::download::part_paths(&dest).0, dest.clone()]
            .iter()
            .filter_map(|p| std::fs::symlink_metadata(p).ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .max()
            .unwrap_or(0);
        needed = needed.saturating_add(declared.saturating_sub(held));
    }
    match crate::local::available_space(dir) {
        Some(available) if available < needed => Err(WorkflowError::NoSpace {
            path: dir.to_owned(),
            needed,
            available,
        }),
        _ => Ok(()),
    }
}

/// One file of [`download_each`]: `index` of `count` (from 0).
#[allow(clippy::too_many_arguments)]
async fn download_one(
    export: &dyn BackupExport,
    file: &ExportedFile,
    name: &SafeName,
    dest: &Path,
    (i, count): (usize, usize),
    downloader: &Downloader,
    options: &DownloadOptions,
    progress: FileProgressFn<'_>,
) -> Result<DownloadReport, WorkflowError> {
    {
        let mut opts = options.clone();
        opts.crc64 = file.crc64.or(opts.crc64);
        match file.size {
            Some(DeclaredSize::Bytes(b)) => opts.expected_size = Some(b),
            // ceil(bytes / 1024) within one KB of the declaration: never more than this.
            Some(DeclaredSize::Kilobytes(kb)) => {
                opts.max_size = Some(kb.saturating_add(1).saturating_mul(1024))
            }
            None => {}
        }
        let refresher = FileRefresher { export, file };
        let report = downloader
            .download(file.url(), dest, &opts, Some(&refresher), &|p| {
                progress(FileProgress {
                    name: name.as_str(),
                    index: i + 1,
                    count,
                    progress: p,
                })
            })
            .await
            .map_err(|source| WorkflowError::Download {
                file: name.to_string(),
                source,
            })?;
        if let Some(declared) = file.size
            && !declared.matches(report.bytes)
        {
            if !report.skipped {
                let _ = crate::local::remove_ours(dest);
            }
            return Err(WorkflowError::DeclaredSizeMismatch {
                file: name.to_string(),
                declared,
                actual: report.bytes,
            });
        }
        if report.skipped {
            tracing::info!(file = %name, bytes = report.bytes, verified = ?report.verified, "already there and verified; skipped");
        } else {
            tracing::info!(file = %name, bytes = report.bytes, verified = ?report.verified, "file downloaded and verified");
        }
        Ok(report)
    }
}

/// One file of an export to `dest` in `dir` (created if missing), verified against what the
/// API declared, its link refreshed through `export` (the archive's local transfers).
#[cfg_attr(
    not(all(feature = "aliyun", feature = "tencent", feature = "huawei")),
    allow(dead_code)
)]
pub(crate) async fn download_named(
    export: &dyn BackupExport,
    file: &ExportedFile,
    dest: &Path,
    dir: &Path,
    downloader: &Downloader,
    options: &DownloadOptions,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<DownloadReport, WorkflowError> {
    check_writable(dir)?;
    let name = SafeName::sanitize_or(
        &dest.file_name().unwrap_or_default().to_string_lossy(),
        "file",
    );
    download_one(
        export,
        file,
        &name,
        dest,
        (0, 1),
        downloader,
        options,
        &|f| progress(f.progress),
    )
    .await
}

/// Creates `dir` (mode `0700`) if missing and checks that a file can be created in it.
fn check_writable(dir: &Path) -> Result<(), WorkflowError> {
    let io = |source| WorkflowError::Io {
        path: dir.to_owned(),
        source,
    };
    crate::local::create_dir_private(dir).map_err(io)?;
    let probe = dir.join(format!(".cloud-backup-write-check-{}", std::process::id()));
    let _ = crate::local::remove_ours(&probe);
    drop(crate::local::create_new(&probe).map_err(io)?);
    crate::local::remove_ours(&probe).map_err(io)
}

/// The whole workflow: export, wait, download every file into `dir`, verified; each file's
/// outcome ([`download_each`]: one failed file does not stop the others). An error when
/// nothing could be downloaded at all: the directory is unusable, the export failed.
pub async fn export_each(
    export: &dyn BackupExport,
    dir: &Path,
    options: &DownloadOptions,
    on_export: ExportProgressFn<'_>,
    on_download: FileProgressFn<'_>,
) -> Result<Vec<FileOutcome>, WorkflowError> {
    // Before anything slow (a server-side export can take hours): the directory must exist
    // or be creatable, take a new file, and have room for what the export declares.
    check_writable(dir)?;
    if let Some(needed) = export.declared_bytes()
        && let Some(available) = crate::local::available_space(dir)
        && available < needed
    {
        return Err(WorkflowError::NoSpace {
            path: dir.to_owned(),
            needed,
            available,
        });
    }
    let files = export.export(on_export).await?;
    let downloader = Downloader::new().map_err(|source| WorkflowError::Download {
        file: String::new(),
        source,
    })?;
    download_each(export, &files, dir, &downloader, options, on_download).await
}

/// [`export_each`], then the first failure, if any.
pub async fn export_and_download(
    export: &dyn BackupExport,
    dir: &Path,
    options: &DownloadOptions,
    on_export: ExportProgressFn<'_>,
    on_download: FileProgressFn<'_>,
) -> Result<Vec<DownloadReport>, WorkflowError> {
    export_each(export, dir, options, on_export, on_download)
        .await?
        .into_iter()
        .map(|o| o.result)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_link_path_without_the_query() {
        assert_eq!(
            file_name_from_url("https://b.example.com/a/b%20c.tar?Signature=x", "f"),
            "b c.tar"
        );
        assert_eq!(
            file_name_from_url("https://b.example.com/?x", "fallback"),
            "fallback"
        );
        assert_eq!(file_name_from_url("https://h/..", "f"), "f");
        // Raw data: made safe by SafeName where it becomes a file name.
        assert_eq!(
            file_name_from_url("https://h/..%2F..%2Fetc", "f"),
            "../../etc"
        );
    }

    #[test]
    fn every_file_gets_a_safe_distinct_local_name() {
        let file = |name: &str, part: &str| {
            let mut f = ExportedFile::new(name, "https://h/x");
            f.part = part.into();
            f
        };
        let files = [
            file("a.tar", "g1"),
            file("a.tar", "../../g2"),
            file("a.tar", ""),
            file("..", ""),
            file("", "shard/1"),
            file("x/..", ""),
            file("a.tar.part", ""),
        ];
        let names: Vec<String> = local_names(&files).iter().map(|n| n.to_string()).collect();
        assert_eq!(
            names,
            [
                "a.tar",
                "_.._g2-a.tar",
                "3-a.tar",
                "file-4",
                "shard_1-5",
                "x_",
                "a.tar.part_"
            ]
        );
    }

    #[cfg(feature = "aliyun")]
    #[test]
    fn aliyun_storage_links_are_fetched_over_https() {
        assert_eq!(
            storage_link(
                "http://rdsbak-hz.oss-cn-hangzhou.aliyuncs.com/a/b.xb?Expires=1&Signature=s",
                false
            )
            .unwrap(),
            "https://rdsbak-hz.oss-cn-hangzhou.aliyuncs.com/a/b.xb?Expires=1&Signature=s"
        );
        assert_eq!(
            storage_link("https://x.oss-cn-beijing.aliyuncs.com/f", false).unwrap(),
            "https://x.oss-cn-beijing.aliyuncs.com/f"
        );
        let e = storage_link("http://evil.example.com/f?Signature=CANARY", false).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("--allow-http") && !text.contains("CANARY"),
            "{text}"
        );
        // Look-alike hosts are not Aliyun's.
        assert!(storage_link("http://aliyuncs.com.evil.example/f", false).is_err());
        assert_eq!(
            storage_link("http://127.0.0.1:9/f", true).unwrap(),
            "http://127.0.0.1:9/f"
        );
        assert!(storage_link("ftp://x.aliyuncs.com/f", true).is_err());
        assert!(storage_link("not a url", true).is_err());
    }

    #[test]
    fn declared_sizes_read_as_units_not_rust() {
        assert_eq!(
            DeclaredSize::Kilobytes(2803).to_string(),
            "2803 KB (1 KB = 1024 bytes)"
        );
        assert_eq!(DeclaredSize::Bytes(7).to_string(), "7 bytes");
    }

    #[test]
    fn declared_sizes() {
        assert!(DeclaredSize::Bytes(10).matches(10));
        assert!(!DeclaredSize::Bytes(10).matches(11));
        assert!(DeclaredSize::Kilobytes(98).matches(100_000));
        assert!(!DeclaredSize::Kilobytes(98).matches(200_000));
    }

    #[test]
    fn progress_fractions() {
        assert_eq!(fraction_percent("3/4"), Some(75));
        assert_eq!(fraction_percent("0/0"), None);
        assert_eq!(fraction_percent("42"), Some(42));
    }
}
