//! Writing the `.part` file: every connection fills one aligned buffer while the previous one is
//! written by a blocking thread (double buffering), with positional writes so parallel ranges
//! share one file.
//!
//! On Linux the file is also opened with `O_DIRECT` when the filesystem allows it: aligned
//! pieces go straight to the device (no page-cache copy, no gigabytes of dirty pages for the
//! final fsync to wait for, no eviction of the caller's cache), unaligned heads and tails go
//! through the page cache. A filesystem that refuses `O_DIRECT` (at open or at the first write)
//! silently gets buffered writes, with writeback started in the background every 64 MiB so the
//! final fsync has little left.
//!
//! A byte is reported as written only once its write returned: a killed process can resume
//! from every byte it counted.

use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

/// Alignment of direct writes: file offset, length and memory address. 4096 covers devices with
/// 512-byte and 4 KiB logical blocks.
pub(crate) const ALIGN: usize = 4096;

/// Longest time received bytes wait in a buffer before they are written anyway: on a slow link
/// a buffer takes seconds to fill, and a crash should not lose that much.
const HOLD: Duration = Duration::from_millis(250);

/// Bytes written through the page cache between background writeback requests.
const SYNC_EVERY: u64 = 64 << 20;

struct Inner {
    buffered: File,
    direct: Option<File>,
    /// A direct write was refused; everything goes through `buffered` from then on.
    direct_refused: AtomicBool,
    unsynced: AtomicU64,
    /// A background writeback is running (at most one at a time).
    syncing: Arc<AtomicBool>,
}

/// The open `.part` file (which the caller created and sized).
pub(crate) struct PartFile {
    inner: Arc<Inner>,
}

impl PartFile {
    /// Opens `path` for writing; with `direct`, also with `O_DIRECT` where supported. Only for
    /// tests: the downloader opens the file safely itself ([`PartFile::new`]).
    #[cfg(test)]
    pub(crate) fn open(path: &Path, direct: bool) -> io::Result<Self> {
        let buffered = std::fs::OpenOptions::new().write(true).open(path)?;
        Ok(Self::new(buffered, path, direct))
    }

    /// Writes through `file`, which the caller opened (safely: see `local.rs`) at `path`; with
    /// `direct`, also opens `path` again with `O_DIRECT` where supported, without following
    /// links and only if it is still the same file.
    pub(crate) fn new(file: File, path: &Path, direct: bool) -> Self {
        let direct = if direct {
            open_direct(path).filter(|d| same_file(&file, d))
        } else {
            None
        };
        Self::from_handles(file, direct)
    }

    /// Makes the data written so far durable (`fdatasync`), before a resume state claims it.
    pub(crate) async fn sync_data(&self) -> io::Result<()> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.buffered.sync_data())
            .await
            .map_err(io::Error::other)?
    }

    fn from_handles(buffered: File, direct: Option<File>) -> Self {
        PartFile {
            inner: Arc::new(Inner {
                buffered,
                direct,
                direct_refused: AtomicBool::new(false),
                unsynced: AtomicU64::new(0),
                syncing: Arc::default(),
            }),
        }
    }

    /// Whether direct writes are in use (opened with `O_DIRECT` and never refused).
    pub(crate) fn direct(&self) -> bool {
        self.inner.direct.is_some() && !self.inner.direct_refused.load(Ordering::Relaxed)
    }

    /// A writer of consecutive bytes starting at `pos`, with `depth` writes in flight at most,
    /// so holding up to `depth + 1` buffers of `buffer_size` bytes (a multiple of [`ALIGN`]).
    pub(crate) fn writer(&self, pos: u64, buffer_size: usize, depth: usize) -> PartWriter<'_> {
        debug_assert!(buffer_size >= ALIGN && buffer_size.is_multiple_of(ALIGN));
        PartWriter {
            file: self,
            buf: AlignedBuf::new(buffer_size),
            spares: Vec::new(),
            fill: 0,
            pos,
            in_flight: VecDeque::new(),
            depth: depth.max(1),
            since: None,
        }
    }

    /// Makes the data and the file's size durable (`fsync`).
    pub(crate) async fn sync(&self) -> io::Result<()> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.buffered.sync_all())
            .await
            .map_err(io::Error::other)?
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn open_direct(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(
            (rustix::fs::OFlags::DIRECT
                | rustix::fs::OFlags::NOFOLLOW
                | rustix::fs::OFlags::CLOEXEC)
                .bits() as i32,
        )
        .open(path)
        .ok()
}

/// A file's device and inode (0, 0 where the platform has none).
pub(crate) fn file_identity(file: &File) -> io::Result<(u64, u64)> {
    let meta = file.metadata()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok((0, 0))
    }
}

fn same_file(a: &File, b: &File) -> bool {
    matches!((file_identity(a), file_identity(b)), (Ok(x), Ok(y)) if x == y)
}

/// Gives `file` its final size. On Linux the blocks are allocated now (`fallocate`), so a disk
/// too small fails before anything is downloaded, with `ENOSPC` or `EFBIG`; filesystems without
/// `fallocate`, and other systems, get a sparse file.
pub(crate) fn preallocate(file: &File, size: u64) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if size > 0 {
        use rustix::io::Errno;
        match rustix::fs::fallocate(file, rustix::fs::FallocateFlags::empty(), 0, size) {
            Ok(()) => return Ok(()),
            Err(e) if e == Errno::NOSPC || e == Errno::FBIG => return Err(e.into()),
            Err(_) => {} // not supported here: a sparse file will do
        }
    }
    file.set_len(size)
}

/// Whether an error says the filesystem cannot hold the file.
pub(crate) fn is_no_space(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::FileTooLarge
    )
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn open_direct(_path: &Path) -> Option<File> {
    None
}

#[cfg(unix)]
fn write_at(file: &File, buf: &[u8], pos: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, pos)
}

#[cfg(windows)]
fn write_at(file: &File, mut buf: &[u8], mut pos: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_write(buf, pos) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                buf = &buf[n..];
                pos += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl Inner {
    /// Writes `data` at `pos` (blocking): the aligned part directly when possible, the rest
    /// through the page cache.
    fn write(&self, data: &[u8], pos: u64) -> io::Result<()> {
        let mut direct_len = 0;
        if let Some(direct) = &self.direct
            && !self.direct_refused.load(Ordering::Relaxed)
            && pos.is_multiple_of(ALIGN as u64)
            && data.as_ptr().addr().is_multiple_of(ALIGN)
        {
            direct_len = data.len() / ALIGN * ALIGN;
            if direct_len > 0
                && let Err(e) = write_at(direct, &data[..direct_len], pos)
            {
                if e.kind() != io::ErrorKind::InvalidInput {
                    return Err(e);
                }
                // EINVAL: this filesystem accepted O_DIRECT at open but not these writes.
                tracing::debug!("direct writes refused; using the page cache");
                self.direct_refused.store(true, Ordering::Relaxed);
                direct_len = 0;
            }
        }
        if direct_len < data.len() {
            write_at(&self.buffered, &data[direct_len..], pos + direct_len as u64)?;
            self.writeback_soon((data.len() - direct_len) as u64);
        }
        Ok(())
    }

    /// Starts writeback of the page cache in the background every [`SYNC_EVERY`] bytes, so
    /// the final fsync has little left to do (the final fsync is what makes the file durable).
    fn writeback_soon(&self, n: u64) {
        let before = self.unsynced.fetch_add(n, Ordering::Relaxed);
        if before + n >= SYNC_EVERY
            && !self.syncing.swap(true, Ordering::AcqRel)
            && let Ok(f) = self.buffered.try_clone()
        {
            self.unsynced.store(0, Ordering::Relaxed);
            let flag = self.syncing.clone();
            std::thread::spawn(move || {
                let _ = f.sync_data();
                flag.store(false, Ordering::Release);
            });
        }
    }
}

/// A heap buffer whose usable part starts at an [`ALIGN`]ed address.
struct AlignedBuf {
    bytes: Vec<u8>,
    start: usize,
}

impl AlignedBuf {
    fn new(size: usize) -> Self {
        let bytes = vec![0u8; size + ALIGN];
        let start = bytes.as_ptr().align_offset(ALIGN);
        AlignedBuf { bytes, start }
    }
    fn get(&self, len: usize) -> &[u8] {
        &self.bytes[self.start..self.start + len]
    }
    fn get_mut(&mut self) -> &mut [u8] {
        let end = self.bytes.len() - ALIGN + self.start;
        &mut self.bytes[self.start..end]
    }
    fn capacity(&self) -> usize {
        self.bytes.len() - ALIGN
    }
}

type Write = JoinHandle<(AlignedBuf, io::Result<()>)>;

/// Writes consecutive bytes from one position on; see [`PartFile::writer`].
pub(crate) struct PartWriter<'a> {
    file: &'a PartFile,
    buf: AlignedBuf,
    spares: Vec<AlignedBuf>,
    /// Bytes in `buf`.
    fill: usize,
    /// File offset of `buf[0]`.
    pos: u64,
    /// Writes not yet finished, oldest first. A writer dropped mid-download (a cancelled
    /// future) detaches them: they write the right bytes of the same object into the same
    /// file, and were never counted.
    in_flight: VecDeque<(Write, u64)>,
    depth: usize,
    /// When the first byte now in `buf` arrived.
    since: Option<Instant>,
}

impl PartWriter<'_> {
    /// Bytes `buf` takes before it is written: a whole buffer, or up to the next aligned
    /// offset when `pos` is unaligned (so later writes can go direct).
    fn room(&self) -> usize {
        let misaligned = (self.pos % ALIGN as u64) as usize;
        self.buf.capacity() - misaligned
    }

    /// Takes `data`; returns how many earlier bytes finished writing meanwhile (the caller
    /// counts them as done).
    pub(crate) async fn push(&mut self, mut data: &[u8]) -> io::Result<u64> {
        let mut done = 0;
        while !data.is_empty() {
            if self.fill == 0 {
                self.since = Some(Instant::now());
            }
            let room = self.room();
            let take = data.len().min(room - self.fill);
            self.buf.get_mut()[self.fill..self.fill + take].copy_from_slice(&data[..take]);
            self.fill += take;
            data = &data[take..];
            if self.fill == room {
                done += self.submit().await?;
            }
        }
        if self.fill > 0 && self.since.is_some_and(|t| t.elapsed() >= HOLD) {
            done += self.submit().await?;
        }
        // Count finished writes now rather than when the next buffer fills, so progress and
        // the resume state follow the disk closely on slow links.
        while self
            .in_flight
            .front()
            .is_some_and(|(write, _)| write.is_finished())
        {
            done += self.wait().await?;
        }
        Ok(done)
    }

    /// Writes what is buffered and waits for every write; returns the bytes that finished.
    /// Call it on every way out, errors included, so no write outlives the download.
    pub(crate) async fn flush(&mut self) -> io::Result<u64> {
        let mut done = 0;
        if self.fill > 0 {
            done += self.submit().await?;
        }
        while !self.in_flight.is_empty() {
            done += self.wait().await?;
        }
        Ok(done)
    }

    /// Waits for the oldest write in flight, if any; returns its length. Writes are counted
    /// oldest first, so the bytes counted are always a prefix of what was pushed.
    async fn wait(&mut self) -> io::Result<u64> {
        let Some((write, len)) = self.in_flight.pop_front() else {
            return Ok(0);
        };
        let (buf, result) = write.await.map_err(io::Error::other)?;
        self.spares.push(buf);
        result.map(|()| len)
    }

    /// Hands the full buffer to a blocking thread, first waiting for the oldest write when
    /// `depth` are in flight.
    async fn submit(&mut self) -> io::Result<u64> {
        let mut done = 0;
        while self.in_flight.len() >= self.depth {
            done += self.wait().await?;
        }
        let next = match self.spares.pop() {
            Some(b) => b,
            None => AlignedBuf::new(self.buf.capacity()),
        };
        let buf = std::mem::replace(&mut self.buf, next);
        let (len, pos) = (self.fill, self.pos);
        let inner = self.file.inner.clone();
        let write = tokio::task::spawn_blocking(move || {
            let result = inner.write(buf.get(len), pos);
            (buf, result)
        });
        self.in_flight.push_back((write, len as u64));
        self.pos += len as u64;
        self.fill = 0;
        self.since = None;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn write_pieces(direct: bool, start: u64, pieces: &[&[u8]], buffer: usize) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.part");
        std::fs::write(&path, vec![b'.'; start as usize]).unwrap();
        let file = PartFile::open(&path, direct).unwrap();
        let mut w = file.writer(start, buffer, 2);
        let mut counted = 0;
        for p in pieces {
            counted += w.push(p).await.unwrap();
        }
        counted += w.flush().await.unwrap();
        let total: usize = pieces.iter().map(|p| p.len()).sum();
        assert_eq!(counted, total as u64, "every byte counted once");
        file.sync().await.unwrap();
        std::fs::read(&path).unwrap()
    }

    fn pattern(n: usize, seed: u8) -> Vec<u8> {
        (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
    }

    #[tokio::test]
    async fn pieces_of_any_size_land_in_place_with_and_without_direct_io() {
        let a = pattern(10_000, 1);
        let b = pattern(ALIGN * 5 + 17, 2);
        let c = pattern(3, 3);
        for direct in [true, false] {
            for start in [0u64, 4096, 1234] {
                for buffer in [ALIGN, 3 * ALIGN] {
                    let got = write_pieces(direct, start, &[&a, &b, &c], buffer).await;
                    let mut want = vec![b'.'; start as usize];
                    want.extend_from_slice(&a);
                    want.extend_from_slice(&b);
                    want.extend_from_slice(&c);
                    assert_eq!(got.len(), want.len(), "direct {direct} start {start}");
                    assert!(got == want, "direct {direct} start {start} buffer {buffer}");
                }
            }
        }
    }

    #[tokio::test]
    async fn an_unaligned_start_is_written_up_to_the_next_boundary_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.part");
        std::fs::write(&path, []).unwrap();
        let file = PartFile::open(&path, true).unwrap();
        let w = file.writer(100, 2 * ALIGN, 1);
        assert_eq!(w.room(), 2 * ALIGN - 100);
        let w = file.writer(2 * ALIGN as u64, 2 * ALIGN, 1);
        assert_eq!(w.room(), 2 * ALIGN);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn direct_writes_are_used_and_kept_where_the_filesystem_takes_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.part");
        std::fs::write(&path, []).unwrap();
        let file = PartFile::open(&path, true).unwrap();
        // tmpfs on older kernels refuses O_DIRECT: then the file must say so, and still work.
        let supported = open_direct(&path).is_some();
        assert_eq!(file.direct(), supported);
        let mut w = file.writer(0, ALIGN, 2);
        w.push(&pattern(ALIGN * 2 + 5, 9)).await.unwrap();
        w.flush().await.unwrap();
        drop(w);
        assert_eq!(
            file.direct(),
            supported,
            "aligned writes were not refused (no fallback to the page cache)"
        );
        assert_eq!(std::fs::read(&path).unwrap(), pattern(ALIGN * 2 + 5, 9));
        let off = PartFile::open(&path, false).unwrap();
        assert!(!off.direct(), "direct I/O can be turned off");
    }

    /// A "direct" handle whose writes fail with `err`, beside a real file.
    #[cfg(target_os = "linux")]
    fn with_failing_direct(dir: &Path, failing: &str) -> (PartFile, std::path::PathBuf) {
        let path = dir.join("f.part");
        std::fs::write(&path, []).unwrap();
        let buffered = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        let direct = std::fs::OpenOptions::new()
            .write(true)
            .open(failing)
            .unwrap();
        (PartFile::from_handles(buffered, Some(direct)), path)
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_refused_direct_write_falls_back_to_the_page_cache_for_good() {
        // Writing non-numbers to oom_score_adj fails with EINVAL, as an O_DIRECT write does
        // on a filesystem that takes the flag at open but not the writes.
        let dir = tempfile::tempdir().unwrap();
        let (file, path) = with_failing_direct(dir.path(), "/proc/self/oom_score_adj");
        assert!(file.direct());
        let data = vec![b'x'; ALIGN * 3];
        let mut w = file.writer(0, ALIGN, 2);
        let mut counted = w.push(&data).await.unwrap();
        counted += w.flush().await.unwrap();
        drop(w);
        assert_eq!(counted, data.len() as u64);
        assert!(!file.direct(), "direct writes are given up after EINVAL");
        assert_eq!(std::fs::read(&path).unwrap(), data);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn other_direct_write_errors_are_reported() {
        // /dev/full: every write fails with ENOSPC, which is not a reason to fall back.
        let dir = tempfile::tempdir().unwrap();
        let (file, _) = with_failing_direct(dir.path(), "/dev/full");
        let mut w = file.writer(0, ALIGN, 2);
        let pushed = w.push(&[7u8; ALIGN * 2]).await;
        let flushed = w.flush().await;
        let err = pushed.and(flushed).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(28), "{err}");
        assert!(file.direct());
    }

    #[tokio::test]
    async fn bytes_do_not_wait_in_a_buffer_for_long() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.part");
        std::fs::write(&path, []).unwrap();
        let file = PartFile::open(&path, true).unwrap();
        let mut w = file.writer(0, 4 * ALIGN, 2);
        // A trickle: far less than a buffer, then nothing for longer than HOLD.
        assert_eq!(w.push(b"0123456789").await.unwrap(), 0);
        tokio::time::sleep(HOLD + Duration::from_millis(50)).await;
        let mut counted = w.push(b"x").await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while counted < 11 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
            counted += w.push(&[]).await.unwrap();
        }
        assert_eq!(counted, 11, "written and counted without a flush");
        assert_eq!(std::fs::read(&path).unwrap(), b"0123456789x");
    }
}
