//! The destination and its catalog: `<prefix>/<cloud>/<instance>/<backup-id>/` holds a backup's
//! files, its `manifest.json` (written last: without it the backup is partial) and, while a run
//! works on it, its `lease.json`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use object_store::local::LocalFileSystem;
use object_store::multipart::MultipartStore;
use object_store::path::{Path, PathPart};
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ArchiveError;
use super::plan::{DestinationConfig, Source};
use crate::names::SafeName;

/// The manifest's name in a backup's directory.
pub const MANIFEST: &str = "manifest.json";
/// The lease's name in a backup's directory.
pub const LEASE: &str = "lease.json";
/// What the manifest's `schema` is.
pub const SCHEMA: u32 = 1;
/// The most bytes of a manifest or lease read back (they are small; a huge one is not ours).
const MAX_METADATA: usize = 16 << 20;

/// Where the archive lives: an object store (local files or S3), a prefix in it.
#[derive(Clone)]
pub struct Destination {
    pub(crate) store: Arc<dyn ObjectStore>,
    pub(crate) multipart: Option<Arc<dyn MultipartStore>>,
    local: Option<Arc<LocalFileSystem>>,
    prefix: Path,
    shown: String,
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Destination")
            .field("url", &self.shown)
            .finish_non_exhaustive()
    }
}

impl Destination {
    /// Opens the destination `config` names: a local directory (created, mode `0700`, if
    /// missing) or an S3 bucket, with the S3 settings of the environment (`AWS_*`) under the
    /// plan's endpoint, region and `allow_http`.
    pub fn open(config: &DestinationConfig) -> Result<Self, ArchiveError> {
        let url = config.url.trim();
        let bad = |rule: String| ArchiveError::Plan(format!("[destination] url: {rule}"));
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(bad("s3:// needs a bucket (s3://bucket/prefix)".into()));
            }
            // The API transport's choice of rustls provider, for object_store's reqwest client.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let mut builder = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_allow_http(config.allow_http);
            if let Some(endpoint) = &config.endpoint {
                if endpoint.starts_with("http://") && !config.allow_http {
                    return Err(ArchiveError::Plan(
                        "[destination] endpoint: plain http is refused unless allow_http = true"
                            .into(),
                    ));
                }
                builder = builder.with_endpoint(endpoint);
            }
            if let Some(region) = &config.region {
                builder = builder.with_region(region);
            }
            let s3 = Arc::new(builder.build().map_err(|e| bad(e.to_string()))?);
            return Ok(Destination {
                store: s3.clone(),
                multipart: Some(s3),
                local: None,
                prefix: Path::from(prefix),
                shown: format!("s3://{bucket}/{prefix}"),
            });
        }
        if let Some((scheme, _)) = url.split_once("://")
            && scheme != "file"
        {
            return Err(bad(format!(
                "scheme {}:// is not supported: use file:// (or a path) or s3:// (any \
                 S3-compatible store, with endpoint)",
                crate::terminal::escape(scheme)
            )));
        }
        let path = PathBuf::from(url.strip_prefix("file://").unwrap_or(url));
        crate::local::create_dir_private(&path)
            .map_err(|e| bad(format!("{}: {e}", path.display())))?;
        let root =
            std::fs::canonicalize(&path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
        let local = Arc::new(
            LocalFileSystem::new_with_prefix(&root)
                .map_err(|e| bad(format!("{}: {e}", root.display())))?
                .with_automatic_cleanup(true),
        );
        Ok(Destination {
            store: local.clone(),
            multipart: None,
            local: Some(local),
            prefix: Path::default(),
            shown: root.display().to_string(),
        })
    }

    /// The destination as the user named it (no credentials).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether it is a local directory (files are written by the downloader there).
    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }

    /// A source's directory, `<prefix>/<cloud>/<instance>`.
    pub(crate) fn source_dir(&self, source: &Source) -> Path {
        let mut path = self.prefix.clone();
        for part in [source.product.cloud(), source.instance.as_str()] {
            path = path.clone().join(PathPart::from(part));
        }
        path
    }

    /// A backup's directory: its id made a safe name (the manifest keeps the id as sent).
    pub(crate) fn backup_dir(&self, source: &Source, backup_id: &str) -> Path {
        self.source_dir(source)
            .clone()
            .join(PathPart::from(segment(backup_id).as_str()))
    }

    /// Where `location` is on the local file system, for a local destination.
    pub(crate) fn local_path(&self, location: &Path) -> Option<PathBuf> {
        self.local
            .as_ref()
            .and_then(|l| l.path_to_filesystem(location).ok())
    }

    /// Small JSON metadata at `location`, `None` when absent.
    pub(crate) async fn read_json<T: for<'de> Deserialize<'de>>(
        &self,
        location: &Path,
    ) -> Result<Option<T>, ArchiveError> {
        let got = match self.store.get(location).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(ArchiveError::store(location, e)),
        };
        if got.meta.size > MAX_METADATA as u64 {
            return Err(ArchiveError::Corrupt {
                path: location.to_string(),
                why: format!("{} bytes: too large for metadata", got.meta.size),
            });
        }
        let bytes = got
            .bytes()
            .await
            .map_err(|e| ArchiveError::store(location, e))?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| ArchiveError::Corrupt {
                path: location.to_string(),
                why: e.to_string(),
            })
    }

    /// Writes JSON metadata; with `create`, only if nothing is there (`Ok(false)` when
    /// something is).
    pub(crate) async fn write_json<T: Serialize>(
        &self,
        location: &Path,
        value: &T,
        create: bool,
    ) -> Result<bool, ArchiveError> {
        let bytes = serde_json::to_vec_pretty(value).map_err(|e| ArchiveError::Corrupt {
            path: location.to_string(),
            why: e.to_string(),
        })?;
        let opts = PutOptions {
            mode: if create {
                PutMode::Create
            } else {
                PutMode::Overwrite
            },
            ..PutOptions::default()
        };
        match self
            .store
            .put_opts(location, PutPayload::from(bytes), opts)
            .await
        {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) if create => Ok(false),
            Err(e) => Err(ArchiveError::store(location, e)),
        }
    }

    /// Deletes `location`; absent is fine.
    pub(crate) async fn delete(&self, location: &Path) -> Result<(), ArchiveError> {
        match self.store.delete(location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(ArchiveError::store(location, e)),
        }
    }

    /// Every object under `dir`.
    pub(crate) async fn list(
        &self,
        dir: &Path,
    ) -> Result<Vec<object_store::ObjectMeta>, ArchiveError> {
        use futures_util::TryStreamExt;
        self.store
            .list(Some(dir))
            .try_collect()
            .await
            .map_err(|e| ArchiveError::store(dir, e))
    }

    /// The backup directories under a source's directory.
    pub(crate) async fn backup_dirs(&self, source: &Source) -> Result<Vec<Path>, ArchiveError> {
        let dir = self.source_dir(source);
        match self.store.list_with_delimiter(Some(&dir)).await {
            Ok(list) => Ok(list.common_prefixes),
            Err(object_store::Error::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(ArchiveError::store(&dir, e)),
        }
    }
}

/// An id or name as one safe path segment (see [`SafeName::sanitize`]); the archive's own
/// file names are never produced (a vendor file called `manifest.json` becomes
/// `data-manifest.json`).
pub(crate) fn segment(raw: &str) -> SafeName {
    let name = SafeName::sanitize_or(raw, "unnamed");
    if [MANIFEST, LEASE]
        .iter()
        .any(|ours| name.as_str().eq_ignore_ascii_case(ours))
    {
        return SafeName::sanitize_or(&format!("data-{name}"), "unnamed");
    }
    name
}

/// What a committed backup holds: written last, read by `list`, `verify` and retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Manifest {
    /// [`SCHEMA`].
    pub schema: u32,
    /// The tool that wrote it, `cloud-backup <version>`.
    pub tool: String,
    /// The source.
    pub source: ManifestSource,
    /// The backup.
    pub backup: ManifestBackup,
    /// How its files were had.
    pub export: ManifestExport,
    /// Every file.
    pub files: Vec<ManifestFile>,
    /// The run that wrote it.
    pub run: ManifestRun,
}

/// The manifest's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ManifestSource {
    /// `aliyun`, `tencent`, `huawei`.
    pub cloud: String,
    /// The product or service.
    pub product: String,
    /// The region.
    pub region: String,
    /// The instance.
    pub instance: String,
}

/// The manifest's backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ManifestBackup {
    /// The id as the vendor sent it.
    pub id: String,
    /// When it started.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub start: Option<OffsetDateTime>,
    /// When it ended.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub end: Option<OffsetDateTime>,
    /// Its method, as the vendor says.
    pub method: Option<String>,
    /// Its kind, as the vendor says.
    pub kind: Option<String>,
    /// The size the vendor declared.
    pub declared_bytes: Option<u64>,
}

impl ManifestBackup {
    /// The time it is ordered by: its end, else its start.
    pub fn time(&self) -> Option<OffsetDateTime> {
        self.end.or(self.start)
    }
}

/// The manifest's export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ManifestExport {
    /// The vendor.
    pub vendor: String,
    /// The server-side task, when there was one.
    pub task_id: Option<String>,
}

/// One archived file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ManifestFile {
    /// Its name in the backup's directory.
    pub name: String,
    /// Which part of the backup (replica set, shard); empty otherwise.
    pub part: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// The vendor's CRC-64/ECMA, when it gave one.
    pub crc64: Option<u64>,
    /// What was verified on the way (`size`, `crc64ecma`, `md5`).
    pub verified: Vec<String>,
}

/// The manifest's run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ManifestRun {
    /// When the run started on this backup.
    #[serde(with = "time::serde::rfc3339")]
    pub started: OffsetDateTime,
    /// When the manifest was written.
    #[serde(with = "time::serde::rfc3339")]
    pub finished: OffsetDateTime,
}

/// A run's claim on a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// Who holds it (host, process, a random nonce).
    pub owner: String,
    /// Until when, unless renewed.
    #[serde(with = "time::serde::rfc3339")]
    pub expires: OffsetDateTime,
}

/// What taking a lease gave.
#[derive(Debug)]
pub(crate) enum Claim {
    /// Ours.
    Held,
    /// Another run's, still valid.
    Busy(Lease),
}

impl Destination {
    /// Takes the lease on `dir` for `owner`: created only if absent; an expired lease is taken
    /// over by whoever first creates its takeover marker (named after it), so two runs that
    /// both saw it expired never both hold it.
    pub(crate) async fn claim(
        &self,
        dir: &Path,
        owner: &str,
        ttl: Duration,
    ) -> Result<Claim, ArchiveError> {
        let lease_path = dir.clone().join(LEASE);
        let lease = Lease {
            owner: owner.to_owned(),
            expires: OffsetDateTime::now_utc() + ttl,
        };
        for _ in 0..3 {
            if self.write_json(&lease_path, &lease, true).await? {
                return Ok(Claim::Held);
            }
            let Some(current) = self.read_json::<Lease>(&lease_path).await? else {
                continue; // released meanwhile: try again
            };
            if current.expires > OffsetDateTime::now_utc() {
                return Ok(Claim::Busy(current));
            }
            let marker = dir.clone().join(format!(
                ".takeover-{:016x}",
                super::plan::fnv1a(format!("{}{}", current.owner, current.expires).as_bytes())
            ));
            if !self.write_json(&marker, &lease, true).await? {
                return Ok(Claim::Busy(current));
            }
            tracing::warn!(owner = %current.owner, "taking over an expired lease");
            self.delete(&lease_path).await?;
        }
        Err(ArchiveError::Corrupt {
            path: lease_path.to_string(),
            why: "the lease kept changing while it was taken".into(),
        })
    }

    /// Extends our lease.
    pub(crate) async fn renew(
        &self,
        dir: &Path,
        owner: &str,
        ttl: Duration,
    ) -> Result<(), ArchiveError> {
        let lease = Lease {
            owner: owner.to_owned(),
            expires: OffsetDateTime::now_utc() + ttl,
        };
        self.write_json(&dir.clone().join(LEASE), &lease, false)
            .await?;
        Ok(())
    }

    /// Gives the lease back (and removes takeover markers).
    pub(crate) async fn release(&self, dir: &Path, owner: &str) -> Result<(), ArchiveError> {
        let lease_path = dir.clone().join(LEASE);
        if let Some(current) = self.read_json::<Lease>(&lease_path).await?
            && current.owner != owner
        {
            return Ok(()); // taken over: not ours to delete
        }
        for meta in self.list(dir).await? {
            if meta
                .location
                .filename()
                .is_some_and(|n| n.starts_with(".takeover-"))
            {
                self.delete(&meta.location).await?;
            }
        }
        self.delete(&lease_path).await
    }
}
