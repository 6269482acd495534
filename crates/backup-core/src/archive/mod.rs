//! The archive: every database of a plan, on three clouds, copied into storage the user
//! controls — verified, resumable, safe to re-run and to overlap, with retention.
//!
//! ```text
//! plan ─> discover ─> select ─> export ─> transfer ─> commit manifest ─> retention
//! ```
//!
//! - [`plan`]: the TOML plan.
//! - [`Destination`]: a local directory or an S3(-compatible) bucket; the catalog is the
//!   destination itself, `<prefix>/<cloud>/<instance>/<backup-id>/` with the files and a
//!   `manifest.json` written last ([`Manifest`]).
//! - [`Archive`]: `run`, `list`, `verify` and `prune`, each returning a report.
//!
//! ```no_run
//! # async fn go(connect: &dyn backup_core::archive::Connect) -> Result<(), Box<dyn std::error::Error>> {
//! use backup_core::archive::{Archive, RunOptions, plan};
//! let plan = plan::parse(&std::fs::read_to_string("plan.toml")?)?;
//! let archive = Archive::new(&plan, connect, &|_| {})?;
//! let report = archive.run(&RunOptions::default()).await;
//! println!("{}", serde_json::to_string_pretty(&report)?);
//! # Ok(()) }
//! ```

mod hash;
pub mod plan;
mod sources;
mod store;
mod upload;

use std::path::PathBuf;
use std::time::Instant;

use futures_util::{StreamExt, TryStreamExt};
use object_store::ObjectStoreExt;
use object_store::path::Path;
use serde::Serialize;
use time::OffsetDateTime;

pub use plan::{Plan, Product, Retention, Select, Source};
pub use sources::{Connect, ConnectError};
pub use store::{
    Destination, LEASE, Lease, MANIFEST, Manifest, ManifestBackup, ManifestExport, ManifestFile,
    ManifestRun, ManifestSource, SCHEMA,
};

use crate::backups::Backup;
use crate::download::{DownloadError, DownloadOptions, Downloader};
use crate::export::{BackupExport, DeclaredSize, ExportedFile, WorkflowError};
use sources::Clients;
use store::Claim;

/// Why an archive step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The plan cannot be used as written.
    #[error("{0}")]
    Plan(String),
    /// A vendor client could not be made (credentials, region).
    #[error("{0}")]
    Connect(String),
    /// A vendor API refused or failed.
    #[error(transparent)]
    Api(#[from] cloud_http::Error),
    /// A source cannot be archived as listed.
    #[error("{0}")]
    Source(String),
    /// The destination failed.
    #[error("destination {path}: {source}")]
    Store {
        /// The object.
        path: String,
        /// What the store said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Metadata in the destination is not ours or not readable.
    #[error("destination {path}: {why}")]
    Corrupt {
        /// The object.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// A file could not be transferred or verified.
    #[error("{file}: {source}")]
    Transfer {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: DownloadError,
    },
    /// A file's size disagrees with the vendor's declaration.
    #[error("{file}: the API declared {declared} but {actual} bytes arrived")]
    DeclaredSize {
        /// The file.
        file: String,
        /// The declaration.
        declared: DeclaredSize,
        /// What arrived.
        actual: u64,
    },
    /// The export or a local download failed.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

impl ArchiveError {
    fn store(path: &Path, source: object_store::Error) -> Self {
        ArchiveError::Store {
            path: path.to_string(),
            source: Box::new(source),
        }
    }
}

/// What a run, list, verify or prune covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Say what would be done; send no create call, write nothing.
    pub dry_run: bool,
    /// Only shard `index` of `count` of the sources ([`Source::in_shard`]).
    pub shard: Option<(u32, u32)>,
    /// Only these sources (by [`Source::id`] or instance id); empty: all.
    pub only: Vec<String>,
}

impl RunOptions {
    /// Everything, for real.
    pub fn new() -> Self {
        RunOptions::default()
    }
    /// Say what would be done, do nothing.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }
    /// Only shard `index` of `count`.
    pub fn shard(mut self, shard: Option<(u32, u32)>) -> Self {
        self.shard = shard;
        self
    }
    /// Only these sources.
    pub fn only(mut self, only: Vec<String>) -> Self {
        self.only = only;
        self
    }
}

/// What the archive reports while it works.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A server-side task's state.
    Task {
        /// The source's id.
        source: &'a str,
        /// The backup.
        backup: &'a str,
        /// The vendor's state and percent, as text.
        state: &'a str,
    },
    /// A file's transfer.
    Transfer {
        /// The source's id.
        source: &'a str,
        /// The file's name.
        file: &'a str,
        /// Bytes so far.
        done: u64,
        /// Its size, when known.
        total: Option<u64>,
    },
    /// A file is done (or failed).
    FileDone {
        /// The source's id.
        source: &'a str,
        /// The file's name.
        file: &'a str,
    },
    /// Something worth saying (a busy backup, a taken-over lease).
    Note(&'a str),
}

/// A callback receiving [`Event`]s.
pub type EventFn<'a> = &'a (dyn Fn(Event<'_>) + Send + Sync);

/// What became of a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupStatus {
    /// Copied and committed by this run.
    Archived,
    /// Already committed: nothing was done (no export, no create call).
    Skipped,
    /// Another run holds its lease: left to it.
    Busy,
    /// Would be archived (`--dry-run`).
    Planned,
    /// Failed: see the error; nothing was committed.
    Failed,
}

/// One backup of a run's report.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct BackupReport {
    /// The backup's id.
    pub backup: String,
    /// What became of it.
    pub status: BackupStatus,
    /// Its files.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Bytes that were already in the destination from an interrupted run.
    pub resumed_bytes: u64,
    /// How long it took.
    pub duration_ms: u64,
    /// The export's server-side task, when there was one.
    pub task_id: Option<String>,
    /// Why it failed, or who holds it.
    pub error: Option<String>,
}

/// What became of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// At least one backup archived, none failed.
    Archived,
    /// Nothing to do: everything selected is committed (or busy).
    Skipped,
    /// `--dry-run`: something would be archived.
    Planned,
    /// The listing failed, nothing was selectable, or a backup failed.
    Failed,
}

/// One source of a run's report.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct SourceReport {
    /// [`Source::id`].
    pub source: String,
    /// What became of it.
    pub status: SourceStatus,
    /// Each selected backup.
    pub backups: Vec<BackupReport>,
    /// Why the source failed before any backup (listing, selection).
    pub error: Option<String>,
}

/// A backup deleted (or, dry, to be deleted) by retention.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Pruned {
    /// [`Source::id`].
    pub source: String,
    /// The backup's id (a partial backup's directory name).
    pub backup: String,
    /// Whether it was committed (else partial).
    pub committed: bool,
    /// Why it is not kept.
    pub reason: &'static str,
}

/// The report of `run`.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct RunReport {
    /// The destination.
    pub destination: String,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// Each source of the run (its shard), in the plan's order.
    pub sources: Vec<SourceReport>,
    /// What retention deleted afterwards.
    pub pruned: Vec<Pruned>,
    /// Retention failures (a source's backups could not be listed or deleted).
    pub prune_errors: Vec<String>,
}

/// How a whole run went, for exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything is archived (or skipped).
    Ok,
    /// Some sources failed, others did not.
    Partial,
    /// Every source failed.
    Failed,
}

impl RunReport {
    /// How it went.
    pub fn outcome(&self) -> Outcome {
        let failed = self
            .sources
            .iter()
            .filter(|s| s.status == SourceStatus::Failed)
            .count();
        if failed == 0 && self.prune_errors.is_empty() {
            Outcome::Ok
        } else if failed == self.sources.len() && !self.sources.is_empty() {
            Outcome::Failed
        } else {
            Outcome::Partial
        }
    }
}

/// One backup in the destination (`list`).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Stored {
    /// [`Source::id`].
    pub source: String,
    /// The backup's id (a partial backup's directory name).
    pub backup: String,
    /// `committed` or `partial`.
    pub status: &'static str,
    /// The backup's time, when committed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub time: Option<OffsetDateTime>,
    /// Files (committed: the manifest's; partial: the objects there).
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
}

/// One file checked by `verify`.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Checked {
    /// [`Source::id`].
    pub source: String,
    /// The backup.
    pub backup: String,
    /// The file.
    pub file: String,
    /// `ok`, `mismatch` or `missing`.
    pub status: &'static str,
    /// What differs.
    pub error: Option<String>,
}

/// The report of `verify`.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct VerifyReport {
    /// The destination.
    pub destination: String,
    /// Every file of every committed backup.
    pub files: Vec<Checked>,
    /// Backups that could not be read at all.
    pub errors: Vec<String>,
}

impl VerifyReport {
    /// Whether every file is there and matches.
    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.files.iter().all(|f| f.status == "ok")
    }
}

/// The report of `prune`.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct PruneReport {
    /// The destination.
    pub destination: String,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// What was (or would be) deleted.
    pub pruned: Vec<Pruned>,
    /// Sources whose backups could not be listed or deleted.
    pub errors: Vec<String>,
}

/// The newest-first committed backups `retention` does not keep, by index: the newest is
/// always kept; a backup is kept when among the `keep_last` newest or newer than
/// `keep_within`; with no rule, all are kept. Backups without a time are never deleted.
pub fn not_kept(
    times: &[Option<OffsetDateTime>],
    retention: &Retention,
    now: OffsetDateTime,
) -> Vec<usize> {
    if !retention.is_set() {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(times[*i]));
    let within = retention
        .keep_within
        .map(|d| now - time::Duration::try_from(d).unwrap_or(time::Duration::MAX));
    let mut out = Vec::new();
    for (rank, i) in order.into_iter().enumerate() {
        let Some(t) = times[i] else { continue };
        let by_count = retention.keep_last.is_some_and(|n| rank < n as usize);
        let by_age = within.is_some_and(|w| t >= w);
        if rank > 0 && !by_count && !by_age {
            out.push(i);
        }
    }
    out.sort_unstable();
    out
}

/// A plan at work: its destination, clients and downloader.
pub struct Archive<'a> {
    plan: &'a Plan,
    dest: Destination,
    clients: Clients<'a>,
    downloader: Downloader,
    owner: String,
    events: EventFn<'a>,
}

impl<'a> Archive<'a> {
    /// Opens the plan's destination; vendor clients are made when a source needs them.
    pub fn new(
        plan: &'a Plan,
        connect: &'a dyn Connect,
        events: EventFn<'a>,
    ) -> Result<Self, ArchiveError> {
        let dest = Destination::open(&plan.destination)?;
        let downloader = Downloader::new().map_err(|source| ArchiveError::Transfer {
            file: String::new(),
            source,
        })?;
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
        Ok(Archive {
            plan,
            dest,
            clients: Clients::new(connect),
            downloader,
            owner: format!("{host}:{}:{:016x}", std::process::id(), fastrand::u64(..)),
            events,
        })
    }

    /// The destination.
    pub fn destination(&self) -> &Destination {
        &self.dest
    }

    fn sources(&self, options: &RunOptions) -> Vec<&'a Source> {
        self.plan
            .sources
            .iter()
            .filter(|s| options.shard.is_none_or(|(i, n)| s.in_shard(i, n)))
            .filter(|s| {
                options.only.is_empty()
                    || options
                        .only
                        .iter()
                        .any(|o| *o == s.id() || *o == s.instance)
            })
            .collect()
    }

    /// Archives every source of the run (at most [`plan::RunConfig::concurrency`] at once),
    /// then applies retention to the sources that did not fail.
    pub async fn run(&self, options: &RunOptions) -> RunReport {
        let sources = self.sources(options);
        let mut reports: Vec<(usize, SourceReport)> =
            futures_util::stream::iter(sources.iter().enumerate())
                .map(|(i, s)| async move { (i, self.run_source(s, options).await) })
                .buffer_unordered(self.plan.run.concurrency)
                .collect()
                .await;
        reports.sort_by_key(|(i, _)| *i);
        let reports: Vec<SourceReport> = reports.into_iter().map(|(_, r)| r).collect();
        let mut pruned = Vec::new();
        let mut prune_errors = Vec::new();
        for (source, report) in sources.iter().zip(&reports) {
            if report.status == SourceStatus::Failed {
                continue;
            }
            match self.prune_source(source, options.dry_run).await {
                Ok(p) => pruned.extend(p),
                Err(e) => prune_errors.push(format!("{}: {e}", source.id())),
            }
        }
        RunReport {
            destination: self.dest.shown().to_owned(),
            dry_run: options.dry_run,
            sources: reports,
            pruned,
            prune_errors,
        }
    }

    async fn run_source(&self, source: &Source, options: &RunOptions) -> SourceReport {
        let id = source.id();
        let failed = |error: String| SourceReport {
            source: id.clone(),
            status: SourceStatus::Failed,
            backups: Vec::new(),
            error: Some(crate::terminal::escape(&error)),
        };
        let list = match self.clients.list(source).await {
            Ok(list) => list,
            Err(e) => return failed(format!("listing its backups failed: {e}")),
        };
        let chosen = sources::choose(&list, &source.select, OffsetDateTime::now_utc());
        if chosen.is_empty() && !matches!(source.select, Select::AllSince(_)) {
            return failed(format!(
                "no successful, downloadable backup matches select = {} among its {} backup(s)",
                match &source.select {
                    Select::Latest => "latest".to_owned(),
                    Select::Id(id) => format!("\"{id}\""),
                    Select::AllSince(_) => "all-since".to_owned(),
                },
                list.len()
            ));
        }
        let mut backups = Vec::with_capacity(chosen.len());
        for backup in &chosen {
            backups.push(self.run_backup(source, &id, backup, options.dry_run).await);
        }
        let status = if backups.iter().any(|b| b.status == BackupStatus::Failed) {
            SourceStatus::Failed
        } else if backups.iter().any(|b| b.status == BackupStatus::Archived) {
            SourceStatus::Archived
        } else if backups.iter().any(|b| b.status == BackupStatus::Planned) {
            SourceStatus::Planned
        } else {
            SourceStatus::Skipped
        };
        SourceReport {
            source: id,
            status,
            backups,
            error: None,
        }
    }

    async fn run_backup(
        &self,
        source: &Source,
        source_id: &str,
        backup: &Backup,
        dry_run: bool,
    ) -> BackupReport {
        let started = Instant::now();
        let mut report = BackupReport {
            backup: backup.id.clone(),
            status: BackupStatus::Failed,
            files: 0,
            bytes: 0,
            resumed_bytes: 0,
            duration_ms: 0,
            task_id: None,
            error: None,
        };
        let dir = self.dest.backup_dir(source, &backup.id);
        let done = |mut r: BackupReport| {
            r.duration_ms = started.elapsed().as_millis() as u64;
            r
        };
        match self
            .dest
            .read_json::<Manifest>(&dir.clone().join(MANIFEST))
            .await
        {
            Ok(Some(m)) if m.backup.id == backup.id => {
                report.status = BackupStatus::Skipped;
                report.files = m.files.len();
                report.bytes = m.files.iter().map(|f| f.bytes).sum();
                return done(report);
            }
            Ok(Some(m)) => {
                report.error = Some(format!(
                    "{dir} holds backup {} (the same name once made safe); not overwritten",
                    crate::terminal::escape(&m.backup.id)
                ));
                return done(report);
            }
            Ok(None) => {}
            Err(e) => {
                report.error = Some(e.to_string());
                return done(report);
            }
        }
        if dry_run {
            report.status = BackupStatus::Planned;
            report.bytes = backup.size_bytes.unwrap_or(0);
            return done(report);
        }
        let ttl = self.plan.run.lease_ttl;
        match self.dest.claim(&dir, &self.owner, ttl).await {
            Ok(Claim::Held) => {}
            Ok(Claim::Busy(lease)) => {
                let text = format!(
                    "another run ({}) holds it until {}",
                    lease.owner,
                    lease
                        .expires
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default()
                );
                (self.events)(Event::Note(&format!(
                    "{source_id} {}: {text}; skipped",
                    backup.id
                )));
                report.status = BackupStatus::Busy;
                report.error = Some(text);
                return done(report);
            }
            Err(e) => {
                report.error = Some(e.to_string());
                return done(report);
            }
        }
        let renew = async {
            loop {
                tokio::time::sleep(ttl / 3).await;
                if let Err(e) = self.dest.renew(&dir, &self.owner, ttl).await {
                    tracing::warn!(error = %e, "the lease could not be renewed");
                }
            }
        };
        let result = tokio::select! {
            r = self.archive_backup(source, source_id, backup, &dir, &mut report) => r,
            () = renew => unreachable!("the renewal loop never ends"),
        };
        if let Err(e) = self.dest.release(&dir, &self.owner).await {
            tracing::warn!(error = %e, "the lease could not be released; it expires by itself");
        }
        match result {
            Ok(()) => report.status = BackupStatus::Archived,
            Err(e) => report.error = Some(crate::terminal::escape(&e.to_string())),
        }
        done(report)
    }

    async fn archive_backup(
        &self,
        source: &Source,
        source_id: &str,
        backup: &Backup,
        dir: &Path,
        report: &mut BackupReport,
    ) -> Result<(), ArchiveError> {
        let started = OffsetDateTime::now_utc();
        let export = self.clients.exporter(source, backup).await?;
        let files = export
            .export(&|p| {
                let percent = p.percent.map(|v| format!(" {v}%")).unwrap_or_default();
                let part = if p.part.is_empty() {
                    String::new()
                } else {
                    format!("{} ", p.part)
                };
                let state = format!("{part}{}{percent}", p.state);
                (self.events)(Event::Task {
                    source: source_id,
                    backup: &backup.id,
                    state: &state,
                });
            })
            .await
            .map_err(WorkflowError::from)?;
        report.task_id = export.task_id();
        if files.is_empty() {
            return Err(ArchiveError::Source(format!(
                "the export of {} has no files",
                crate::terminal::escape(&backup.id)
            )));
        }
        let names: Vec<String> = crate::export::local_names(&files)
            .iter()
            .map(|n| store::segment(n.as_str()).to_string())
            .collect();
        let mut archived = Vec::with_capacity(files.len());
        for (file, name) in files.iter().zip(&names) {
            let entry = self
                .transfer(export.as_ref(), source_id, file, name, dir)
                .await;
            (self.events)(Event::FileDone {
                source: source_id,
                file: name,
            });
            let (entry, resumed) = entry?;
            report.files += 1;
            report.bytes += entry.bytes;
            report.resumed_bytes += resumed;
            archived.push(entry);
        }
        let manifest = Manifest {
            schema: SCHEMA,
            tool: concat!("cloud-backup ", env!("CARGO_PKG_VERSION")).to_owned(),
            source: ManifestSource {
                cloud: source.product.cloud().to_owned(),
                product: source.product.name().to_owned(),
                region: source.region.clone(),
                instance: source.instance.clone(),
            },
            backup: ManifestBackup {
                id: backup.id.clone(),
                start: backup.start,
                end: backup.end,
                method: backup.method.clone(),
                kind: backup.kind.clone(),
                declared_bytes: backup.size_bytes,
            },
            export: ManifestExport {
                vendor: export.vendor().to_owned(),
                task_id: export.task_id(),
            },
            files: archived,
            run: ManifestRun {
                started,
                finished: OffsetDateTime::now_utc(),
            },
        };
        self.dest
            .write_json(&dir.clone().join(MANIFEST), &manifest, false)
            .await?;
        tracing::info!(source = %source_id, backup = %backup.id, "committed");
        Ok(())
    }

    /// One file into `dir`: through the downloader for a local destination, streamed into a
    /// multipart upload otherwise. Returns its manifest entry and the bytes resumed.
    async fn transfer(
        &self,
        export: &dyn BackupExport,
        source_id: &str,
        file: &ExportedFile,
        name: &str,
        dir: &Path,
    ) -> Result<(ManifestFile, u64), ArchiveError> {
        let location = dir.clone().join(name);
        let refresher = crate::export::FileRefresher::new(export, file);
        let progress = |done: u64, total: Option<u64>| {
            (self.events)(Event::Transfer {
                source: source_id,
                file: name,
                done,
                total,
            })
        };
        if let Some(path) = self.dest.local_path(&location) {
            let options = DownloadOptions {
                report_sha256: true,
                // Only this run (it holds the lease) writes here, and nothing here is
                // committed yet: a stale file of an interrupted run is replaced.
                overwrite: true,
                ..DownloadOptions::default()
            };
            let dir_path: PathBuf = path.parent().map(ToOwned::to_owned).unwrap_or_default();
            let report = crate::export::download_named(
                export,
                file,
                &path,
                &dir_path,
                &self.downloader,
                &options,
                &|p| progress(p.bytes_done, p.total),
            )
            .await?;
            let sha256 = report.sha256.clone().ok_or_else(|| ArchiveError::Corrupt {
                path: location.to_string(),
                why: "no SHA-256 was computed".into(),
            })?;
            let entry = ManifestFile {
                name: name.to_owned(),
                part: file.part.clone(),
                bytes: report.bytes,
                sha256,
                crc64: file.crc64,
                verified: report.verified.iter().map(|v| (*v).to_owned()).collect(),
            };
            return Ok((entry, report.resumed_bytes));
        }
        let up = upload::upload(
            &self.dest,
            &location,
            file,
            &refresher,
            &self.downloader,
            &progress,
        )
        .await?;
        let entry = ManifestFile {
            name: name.to_owned(),
            part: file.part.clone(),
            bytes: up.bytes,
            sha256: up.sha256,
            crc64: file.crc64.or(Some(up.crc64)),
            verified: up.verified,
        };
        Ok((entry, up.resumed_bytes))
    }

    /// The backups of a source in the destination: `(directory, manifest, lease)`.
    async fn stored(
        &self,
        source: &Source,
    ) -> Result<Vec<(Path, Option<Manifest>, Option<Lease>)>, ArchiveError> {
        let mut out = Vec::new();
        for dir in self.dest.backup_dirs(source).await? {
            let manifest = self
                .dest
                .read_json::<Manifest>(&dir.clone().join(MANIFEST))
                .await?;
            let lease = self
                .dest
                .read_json::<Lease>(&dir.clone().join(LEASE))
                .await?;
            out.push((dir, manifest, lease));
        }
        Ok(out)
    }

    /// What the destination holds, per source.
    pub async fn list(&self, options: &RunOptions) -> Result<Vec<Stored>, ArchiveError> {
        let mut out = Vec::new();
        for source in self.sources(options) {
            let mut rows = Vec::new();
            for (dir, manifest, _) in self.stored(source).await? {
                rows.push(match manifest {
                    Some(m) => Stored {
                        source: source.id(),
                        backup: m.backup.id.clone(),
                        status: "committed",
                        time: m.backup.time(),
                        files: m.files.len(),
                        bytes: m.files.iter().map(|f| f.bytes).sum(),
                    },
                    None => {
                        let objects: Vec<_> = self
                            .dest
                            .list(&dir)
                            .await?
                            .into_iter()
                            .filter(|o| {
                                o.location
                                    .filename()
                                    .is_some_and(|n| !n.starts_with('.') && n != LEASE)
                            })
                            .collect();
                        Stored {
                            source: source.id(),
                            backup: dir.filename().unwrap_or_default().to_owned(),
                            status: "partial",
                            time: None,
                            files: objects.len(),
                            bytes: objects.iter().map(|o| o.size).sum(),
                        }
                    }
                });
            }
            rows.sort_by_key(|r| std::cmp::Reverse(r.time));
            out.extend(rows);
        }
        Ok(out)
    }

    /// Reads every file of every committed backup back from the destination and checks its
    /// size and SHA-256 against the manifest.
    pub async fn verify(&self, options: &RunOptions) -> VerifyReport {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for source in self.sources(options) {
            let stored = match self.stored(source).await {
                Ok(s) => s,
                Err(e) => {
                    errors.push(format!("{}: {e}", source.id()));
                    continue;
                }
            };
            for (dir, manifest, _) in stored {
                let Some(m) = manifest else { continue };
                for f in &m.files {
                    let (status, error) =
                        match self.check(&dir.clone().join(f.name.as_str()), f).await {
                            Ok(()) => ("ok", None),
                            Err((status, why)) => (status, Some(why)),
                        };
                    files.push(Checked {
                        source: source.id(),
                        backup: m.backup.id.clone(),
                        file: f.name.clone(),
                        status,
                        error,
                    });
                }
            }
        }
        VerifyReport {
            destination: self.dest.shown().to_owned(),
            files,
            errors,
        }
    }

    async fn check(
        &self,
        location: &Path,
        want: &ManifestFile,
    ) -> Result<(), (&'static str, String)> {
        let got = match self.dest.store.get(location).await {
            Ok(g) => g,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(("missing", "not in the destination".into()));
            }
            Err(e) => return Err(("missing", e.to_string())),
        };
        let mut stream = got.into_stream();
        let mut sha = hash::Sha256::new();
        let mut bytes = 0u64;
        while let Some(chunk) = stream
            .try_next()
            .await
            .map_err(|e| ("missing", e.to_string()))?
        {
            bytes += chunk.len() as u64;
            sha.update(&chunk);
        }
        if bytes != want.bytes {
            return Err((
                "mismatch",
                format!("{bytes} bytes, the manifest says {}", want.bytes),
            ));
        }
        let sha = sha.finish_hex();
        if sha != want.sha256 {
            return Err((
                "mismatch",
                format!("SHA-256 {sha}, the manifest says {}", want.sha256),
            ));
        }
        Ok(())
    }

    /// Applies retention alone.
    pub async fn prune(&self, options: &RunOptions) -> PruneReport {
        let mut pruned = Vec::new();
        let mut errors = Vec::new();
        for source in self.sources(options) {
            match self.prune_source(source, options.dry_run).await {
                Ok(p) => pruned.extend(p),
                Err(e) => errors.push(format!("{}: {e}", source.id())),
            }
        }
        PruneReport {
            destination: self.dest.shown().to_owned(),
            dry_run: options.dry_run,
            pruned,
            errors,
        }
    }

    /// Retention of one source: committed backups it does not keep, and partial backups whose
    /// lease is gone or expired (no run is working on them). Nothing without a rule.
    async fn prune_source(
        &self,
        source: &Source,
        dry_run: bool,
    ) -> Result<Vec<Pruned>, ArchiveError> {
        if !self.plan.retention.is_set() {
            return Ok(Vec::new());
        }
        let now = OffsetDateTime::now_utc();
        let stored = self.stored(source).await?;
        let committed: Vec<&(Path, Option<Manifest>, Option<Lease>)> =
            stored.iter().filter(|s| s.1.is_some()).collect();
        let times: Vec<Option<OffsetDateTime>> = committed
            .iter()
            .map(|s| s.1.as_ref().and_then(|m| m.backup.time()))
            .collect();
        let mut doomed: Vec<(Path, String, bool, &'static str)> =
            not_kept(&times, &self.plan.retention, now)
                .into_iter()
                .map(|i| {
                    let (dir, m, _) = committed[i];
                    let id = m.as_ref().map(|m| m.backup.id.clone()).unwrap_or_default();
                    (dir.clone(), id, true, "not kept by the retention rules")
                })
                .collect();
        for (dir, manifest, lease) in &stored {
            if manifest.is_none() && lease.as_ref().is_none_or(|l| l.expires <= now) {
                let id = dir.filename().unwrap_or_default().to_owned();
                doomed.push((
                    dir.clone(),
                    id,
                    false,
                    "partial, and no run is working on it",
                ));
            }
        }
        let mut out = Vec::new();
        for (dir, backup, committed, reason) in doomed {
            if !dry_run {
                self.delete_backup(&dir).await?;
            }
            out.push(Pruned {
                source: source.id(),
                backup,
                committed,
                reason,
            });
        }
        Ok(out)
    }

    /// Deletes a backup: the manifest first (so a half-deleted backup reads as partial), then
    /// its unfinished uploads, then every object.
    async fn delete_backup(&self, dir: &Path) -> Result<(), ArchiveError> {
        self.dest.delete(&dir.clone().join(MANIFEST)).await?;
        let objects = self.dest.list(dir).await?;
        for o in &objects {
            if o.location
                .filename()
                .is_some_and(|n| n.starts_with(".upload-"))
            {
                upload::abort_saved(&self.dest, &o.location).await;
            }
        }
        for o in objects {
            self.dest.delete(&o.location).await?;
        }
        if let Some(path) = self.dest.local_path(dir) {
            // Local leftovers the store does not list (the downloader's sidecars) and the
            // directory itself.
            let _ = std::fs::remove_dir(&path);
        }
        Ok(())
    }
}

impl std::fmt::Debug for Archive<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("destination", &self.dest)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use time::macros::datetime;

    use super::*;

    #[test]
    fn retention_keeps_what_it_says_and_always_the_newest() {
        let now = datetime!(2026-02-01 0:00 UTC);
        let day = |d: i64| Some(now - time::Duration::days(d));
        // Listed out of order: 1, 10, 3, 40, 20 days old, one without a time.
        let times = [day(1), day(10), day(3), day(40), day(20), None];
        let keep = |last: Option<u32>, within: Option<u64>| Retention {
            keep_last: last,
            keep_within: within.map(|d| Duration::from_secs(d * 86_400)),
        };
        assert_eq!(
            not_kept(&times, &keep(None, None), now),
            Vec::<usize>::new()
        );
        assert_eq!(not_kept(&times, &keep(Some(2), None), now), [1, 3, 4]);
        assert_eq!(not_kept(&times, &keep(None, Some(15)), now), [3, 4]);
        assert_eq!(not_kept(&times, &keep(Some(4), Some(5)), now), [3]);
        // Nothing within the window: the newest stays all the same.
        assert_eq!(not_kept(&times, &keep(None, Some(0)), now), [1, 2, 3, 4]);
        assert_eq!(
            not_kept(&times[3..4], &keep(Some(1), Some(1)), now),
            Vec::<usize>::new()
        );
    }
}
