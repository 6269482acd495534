//! A file streamed from its vendor link into a multipart upload, with nothing staged locally:
//! about two parts in memory (one filling, one uploading), SHA-256 and CRC-64 computed in
//! flight, and after every part the upload's id, its finished parts and the hash state saved in
//! the destination, so that a killed run's successor (on any machine) resumes the same upload.

use std::sync::Arc;
use std::time::Duration;

use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};
use serde::{Deserialize, Serialize};

use super::ArchiveError;
use super::hash::{Saved, Sha256};
use super::store::Destination;
use crate::download::{DownloadError, Downloader, LinkReader, RefreshLink, Validators};
use crate::export::{DeclaredSize, ExportedFile};

/// The smallest part (S3's minimum is 5 MiB; parts are whole 64-byte blocks for the hash).
const MIN_PART: u64 = 8 << 20;
/// Parts a file is planned in at most (S3 allows 10,000).
const MAX_PARTS: u64 = 9_000;
/// Reads of the link resumed after a network error, per file.
const MAX_REOPENS: u32 = 8;
/// No data for this long is a stall.
const IDLE: Duration = Duration::from_secs(30);

/// The resume state of one upload, saved beside the file as `.upload-<name>.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UploadState {
    upload_id: String,
    part_size: u64,
    /// The finished parts' ids, in order.
    parts: Vec<String>,
    /// Bytes in the finished parts.
    done: u64,
    sha256: Saved,
    crc64: u64,
    version: Validators,
    total: Option<u64>,
}

/// The part being uploaded: its task, and the hash state, CRC and bytes after it.
type Pending = Option<(
    tokio::task::JoinHandle<Result<PartId, object_store::Error>>,
    Saved,
    u64,
    u64,
)>;

/// What an uploaded file is.
#[derive(Debug, Clone)]
pub(crate) struct Uploaded {
    pub(crate) bytes: u64,
    pub(crate) sha256: String,
    pub(crate) crc64: u64,
    pub(crate) verified: Vec<String>,
    pub(crate) resumed_bytes: u64,
}

/// The part size for a file of `total` bytes: 8 MiB, or larger so that 9,000 parts hold it.
fn part_size(total: Option<u64>) -> u64 {
    match total {
        Some(t) => t
            .div_ceil(MAX_PARTS)
            .next_multiple_of(1 << 20)
            .max(MIN_PART),
        None => 4 * MIN_PART,
    }
}

/// The most bytes the vendor's declaration allows.
fn limit(declared: Option<DeclaredSize>, total: Option<u64>) -> Option<u64> {
    let declared = declared.map(|d| match d {
        DeclaredSize::Bytes(b) => b,
        DeclaredSize::Kilobytes(kb) => kb.saturating_add(1).saturating_mul(1024),
    });
    [declared, total].into_iter().flatten().min()
}

/// Streams `file` into `location` of `dest` (an object store with multipart uploads).
pub(crate) async fn upload(
    dest: &Destination,
    location: &Path,
    file: &ExportedFile,
    refresher: &dyn RefreshLink,
    downloader: &Downloader,
    progress: &(dyn Fn(u64, Option<u64>) + Send + Sync),
) -> Result<Uploaded, ArchiveError> {
    let store = dest
        .multipart
        .clone()
        .ok_or_else(|| ArchiveError::Plan("the destination takes no multipart uploads".into()))?;
    let name = location.filename().unwrap_or_default().to_owned();
    let state_path = parent(location)
        .clone()
        .join(format!(".upload-{name}.json"));
    let fail = |source: DownloadError| ArchiveError::Transfer {
        file: name.clone(),
        source,
    };
    let reader = LinkReader::new(downloader, file.url(), Some(refresher));

    // Resume the saved upload when the object is still the same version and ranges work.
    let saved: Option<UploadState> = dest.read_json(&state_path).await.unwrap_or(None);
    let mut resumed = None;
    if let Some(state) = saved {
        match reader.open(state.done, Some(&state.version)).await {
            Ok(body) => resumed = Some((state, body)),
            Err(e) => {
                tracing::warn!(file = %name, error = %e, "the saved upload cannot be resumed; starting over");
                let _ = store
                    .abort_multipart(location, &state.upload_id.clone())
                    .await;
                dest.delete(&state_path).await?;
            }
        }
    }
    let (mut state, mut body, mut sha, mut crc, resumed_bytes) = match resumed {
        Some((state, body)) => {
            let sha = Sha256::resume(&state.sha256).ok_or_else(|| ArchiveError::Corrupt {
                path: state_path.to_string(),
                why: "the saved hash state is not at a block boundary".into(),
            })?;
            let done = state.done;
            tracing::info!(file = %name, bytes = done, "resuming the upload");
            (state, body, sha, crc64fast::Digest::new(), done)
        }
        None => {
            let body = reader.open(0, None).await.map_err(fail)?;
            let total = body.total;
            if let (Some(declared), Some(t)) = (file.size, total)
                && !declared.matches(t)
            {
                return Err(ArchiveError::DeclaredSize {
                    file: name,
                    declared,
                    actual: t,
                });
            }
            let upload_id = store
                .create_multipart(location)
                .await
                .map_err(|e| ArchiveError::store(location, e))?;
            let state = UploadState {
                upload_id,
                part_size: part_size(total),
                parts: Vec::new(),
                done: 0,
                sha256: Sha256::new().save().expect("empty is at a boundary"),
                crc64: 0,
                version: body.version.clone(),
                total,
            };
            dest.write_json(&state_path, &state, false).await?;
            (state, body, Sha256::new(), crc64fast::Digest::new(), 0)
        }
    };
    let expected = body.expected.clone();
    let crc_expected = file.crc64.or(expected.crc64);
    let bound = limit(file.size, state.total);
    let mut read = state.done;
    // The CRC of the bytes before this run's first (combined at the end).
    let crc_before = (state.crc64, state.done);
    let mut buffer: Vec<u8> = Vec::with_capacity(state.part_size as usize);
    let mut pending: Pending = None;
    let mut reopens = 0;
    let part_crc = |c: &crc64fast::Digest, read: u64| {
        crate::checksum::crc64_combine(crc_before.0, c.sum64(), read - crc_before.1)
    };
    loop {
        let chunk = match body.chunk(IDLE).await {
            Ok(c) => c,
            Err(e) if reopens < MAX_REOPENS && !matches!(e, DownloadError::Refused(_)) => {
                reopens += 1;
                tracing::debug!(file = %name, error = %e, "read failed; resuming it");
                tokio::time::sleep(Duration::from_millis(200 << reopens.min(5))).await;
                body = reader
                    .open(read, Some(&state.version))
                    .await
                    .map_err(fail)?;
                continue;
            }
            Err(e) => return Err(fail(e)),
        };
        let end = chunk.is_none();
        if let Some(chunk) = chunk {
            if bound.is_some_and(|b| read + chunk.len() as u64 > b) {
                abandon(&store, dest, location, &state_path, &state.upload_id).await;
                return Err(fail(DownloadError::SizeMismatch {
                    expected: bound.unwrap_or_default(),
                    actual: read + chunk.len() as u64,
                }));
            }
            let mut data = &chunk[..];
            while !data.is_empty() {
                let room = state.part_size as usize - buffer.len();
                let take = room.min(data.len());
                buffer.extend_from_slice(&data[..take]);
                sha.update(&data[..take]);
                crc.write(&data[..take]);
                read += take as u64;
                data = &data[take..];
                if buffer.len() == state.part_size as usize {
                    let full = std::mem::replace(
                        &mut buffer,
                        Vec::with_capacity(state.part_size as usize),
                    );
                    finish_pending(dest, &state_path, &mut state, &mut pending).await?;
                    let snapshot = sha.save().expect("parts are whole blocks");
                    pending = Some((
                        spawn_part(&store, location, &state.upload_id, state.parts.len(), full),
                        snapshot,
                        part_crc(&crc, read),
                        read,
                    ));
                }
            }
            progress(read, state.total);
        }
        if end {
            break;
        }
    }
    finish_pending(dest, &state_path, &mut state, &mut pending).await?;
    if let Some(total) = state.total
        && read != total
    {
        abandon(&store, dest, location, &state_path, &state.upload_id).await;
        return Err(fail(DownloadError::SizeMismatch {
            expected: total,
            actual: read,
        }));
    }
    if let Some(declared) = file.size
        && !declared.matches(read)
    {
        abandon(&store, dest, location, &state_path, &state.upload_id).await;
        return Err(ArchiveError::DeclaredSize {
            file: name,
            declared,
            actual: read,
        });
    }
    if !buffer.is_empty() || state.parts.is_empty() {
        let handle = spawn_part(
            &store,
            location,
            &state.upload_id,
            state.parts.len(),
            std::mem::take(&mut buffer),
        );
        let part = uploaded(handle, location).await?;
        state.parts.push(part.content_id);
    }
    let crc_value = part_crc(&crc, read);
    let mut verified = vec!["size".to_owned()];
    if let Some(want) = crc_expected {
        if want != crc_value {
            abandon(&store, dest, location, &state_path, &state.upload_id).await;
            return Err(fail(DownloadError::ChecksumMismatch {
                kind: "crc64ecma",
                expected: want.to_string(),
                actual: crc_value.to_string(),
            }));
        }
        verified.push("crc64ecma".into());
    }
    let parts: Vec<PartId> = state
        .parts
        .iter()
        .map(|id| PartId {
            content_id: id.clone(),
        })
        .collect();
    store
        .complete_multipart(location, &state.upload_id, parts)
        .await
        .map_err(|e| ArchiveError::store(location, e))?;
    let meta = dest
        .store
        .head(location)
        .await
        .map_err(|e| ArchiveError::store(location, e))?;
    if meta.size != read {
        return Err(fail(DownloadError::SizeMismatch {
            expected: read,
            actual: meta.size,
        }));
    }
    dest.delete(&state_path).await?;
    Ok(Uploaded {
        bytes: read,
        sha256: sha.finish_hex(),
        crc64: crc_value,
        verified,
        resumed_bytes,
    })
}

/// The directory `location` is in.
fn parent(location: &Path) -> Path {
    let n = location.parts().count();
    location.parts().take(n.saturating_sub(1)).collect()
}

fn spawn_part(
    store: &Arc<dyn MultipartStore>,
    location: &Path,
    upload_id: &str,
    index: usize,
    data: Vec<u8>,
) -> tokio::task::JoinHandle<Result<PartId, object_store::Error>> {
    let (store, location, id) = (store.clone(), location.clone(), upload_id.to_owned());
    tokio::spawn(async move {
        store
            .put_part(&location, &id, index, PutPayload::from(data))
            .await
    })
}

/// Gives up an upload that cannot be completed (its bytes are wrong): aborts it and forgets its
/// saved state, so that no later run resumes it.
async fn abandon(
    store: &Arc<dyn MultipartStore>,
    dest: &Destination,
    location: &Path,
    state_path: &Path,
    upload_id: &str,
) {
    let _ = store.abort_multipart(location, &upload_id.to_owned()).await;
    let _ = dest.delete(state_path).await;
}

/// The part an upload task sent, or why it failed.
async fn uploaded(
    handle: tokio::task::JoinHandle<Result<PartId, object_store::Error>>,
    location: &Path,
) -> Result<PartId, ArchiveError> {
    match handle.await {
        Ok(Ok(part)) => Ok(part),
        Ok(Err(e)) => Err(ArchiveError::store(location, e)),
        Err(e) => Err(ArchiveError::store(
            location,
            object_store::Error::Generic {
                store: "upload",
                source: e.into(),
            },
        )),
    }
}

/// Waits for the part in flight, then records it (and the hash state after it) in the saved
/// state: from here on a resumed run starts after it.
async fn finish_pending(
    dest: &Destination,
    state_path: &Path,
    state: &mut UploadState,
    pending: &mut Pending,
) -> Result<(), ArchiveError> {
    let Some((handle, sha, crc, done)) = pending.take() else {
        return Ok(());
    };
    let part = uploaded(handle, state_path).await?;
    state.parts.push(part.content_id);
    state.sha256 = sha;
    state.crc64 = crc;
    state.done = done;
    dest.write_json(state_path, state, false).await?;
    Ok(())
}

/// Aborts the upload a saved state under `dir` names (retention of a partial backup).
pub(crate) async fn abort_saved(dest: &Destination, state_path: &Path) {
    let Some(store) = dest.multipart.clone() else {
        return;
    };
    if let Ok(Some(state)) = dest.read_json::<UploadState>(state_path).await
        && let Some(name) = state_path
            .filename()
            .and_then(|n| n.strip_prefix(".upload-"))
            .and_then(|n| n.strip_suffix(".json"))
    {
        let _ = store
            .abort_multipart(&parent(state_path).clone().join(name), &state.upload_id)
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_any_size_in_whole_blocks() {
        assert_eq!(part_size(Some(0)), MIN_PART);
        assert_eq!(part_size(Some(1 << 30)), MIN_PART);
        let huge = 5u64 << 40;
        let p = part_size(Some(huge));
        assert!(huge.div_ceil(p) <= MAX_PARTS && p.is_multiple_of(64), "{p}");
        assert_eq!(part_size(None) % 64, 0);
    }

    #[test]
    fn declarations_bound_the_body() {
        assert_eq!(limit(Some(DeclaredSize::Bytes(10)), Some(20)), Some(10));
        assert_eq!(limit(Some(DeclaredSize::Kilobytes(1)), None), Some(2048));
        assert_eq!(limit(None, None), None);
    }
}
