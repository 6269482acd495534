//! The local directory is not trusted: every file the downloader creates, opens, replaces or
//! renames goes through this module.
//!
//! - Nothing is followed: `O_NOFOLLOW` on every open, so a symlink planted at `NAME.part`,
//!   `NAME.part.json` or their temporary names is refused, not written through.
//! - Only our own files are reused: an existing entry is opened again only when it is a regular
//!   file, with one link, owned by the user running us. A FIFO, directory, device, hard link or
//!   another user's file is refused with an error naming it.
//! - New files are created with create-new semantics and mode `0600`, directories with `0700`
//!   (whatever the umask: it can only remove permissions).
//! - A final file is put in place with a rename that never replaces (`renameat2(RENAME_NOREPLACE)`
//!   on Linux, `link` + `unlink` elsewhere) unless the caller explicitly overwrites.
//! - One process per target: [`TargetLock`] (`flock` on `NAME.lock`, holding the owner's pid).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Mode of the files we create.
pub(crate) const FILE_MODE: u32 = 0o600;
/// Mode of the directories we create.
pub(crate) const DIR_MODE: u32 = 0o700;

/// What is wrong with an existing entry we were about to use.
fn refused(path: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} is {what}, not a file cloud-backup created: refusing to use it (remove it and run again)",
            path.display()
        ),
    )
}

/// Describes a non-regular entry.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a directory"
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return "a FIFO";
            }
            if t.is_socket() {
                return "a socket";
            }
            if t.is_block_device() || t.is_char_device() {
                return "a device";
            }
        }
        "not a regular file"
    }
}

/// Checks that an opened handle is a regular file of ours with a single link.
fn check_ours(path: &Path, file: &File) -> io::Result<()> {
    check_meta(path, &file.metadata()?)
}

/// Checks that `meta` (of `path`) is a regular file of ours with a single link.
fn check_meta(path: &Path, meta: &std::fs::Metadata) -> io::Result<()> {
    if !meta.file_type().is_file() {
        return Err(refused(path, kind_of(meta)));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() != 1 {
            return Err(refused(path, "a file with other hard links"));
        }
        if meta.uid() != rustix::process::geteuid().as_raw() {
            return Err(refused(path, "owned by another user"));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn no_follow(options: &mut OpenOptions, extra: i32) {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO must not block; it is refused right after by check_ours.
    options.custom_flags(
        (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::CLOEXEC)
            .bits() as i32
            | extra,
    );
    options.mode(FILE_MODE);
}

#[cfg(not(unix))]
fn no_follow(_options: &mut OpenOptions, _extra: i32) {}

/// A symlink at the path makes `open(O_NOFOLLOW)` fail with `ELOOP`: say what it is instead.
fn explain(path: &Path, e: io::Error) -> io::Error {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() && e.kind() != io::ErrorKind::NotFound => {
            refused(path, kind_of(&m))
        }
        _ => e,
    }
}

/// Creates `path`, which must not exist, for reading and writing (mode `0600`).
pub(crate) fn create_new(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true).create_new(true);
    no_follow(&mut o, 0);
    o.open(path).map_err(|e| explain(path, e))
}

/// Creates `path` afresh: an existing regular file of ours there is removed first (it is stale
/// state of an earlier run: the caller holds the target's lock); anything else is refused.
pub(crate) fn create_fresh(path: &Path) -> io::Result<File> {
    match create_new(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            remove_ours(path)?;
            create_new(path)
        }
        other => other,
    }
}

/// Opens an existing file of ours for reading and writing.
pub(crate) fn open_ours(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true);
    no_follow(&mut o, 0);
    let f = o.open(path).map_err(|e| explain(path, e))?;
    check_ours(path, &f)?;
    restrict(&f)?;
    Ok(f)
}

/// Opens an existing regular file for reading only (a final file to check, say). It need not
/// be ours, but it must be a regular file reached without following a link.
pub(crate) fn open_read(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true);
    no_follow(&mut o, 0);
    let f = o.open(path).map_err(|e| explain(path, e))?;
    let meta = f.metadata()?;
    if !meta.file_type().is_file() {
        return Err(refused(path, kind_of(&meta)));
    }
    Ok(f)
}

/// Reads a small file of ours (at most `max` bytes), `None` when it does not exist.
pub(crate) fn read_ours(path: &Path, max: u64) -> io::Result<Option<Vec<u8>>> {
    let mut o = OpenOptions::new();
    o.read(true);
    no_follow(&mut o, 0);
    let f = match o.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(explain(path, e)),
    };
    check_ours(path, &f)?;
    let mut out = Vec::new();
    f.take(max + 1).read_to_end(&mut out)?;
    if out.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is larger than {max} bytes", path.display()),
        ));
    }
    Ok(Some(out))
}

/// Removes `path` if it is a regular file of ours (or nothing); refuses anything else.
pub(crate) fn remove_ours(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) => {
            check_meta(path, &m)?;
            match std::fs::remove_file(path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                other => other,
            }
        }
    }
}

/// Sets mode `0600` on a file of ours (one made by an older version may be wider).
fn restrict(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Writes `bytes` to `path` atomically and durably: a fresh temporary file (`PATH.tmp`, created
/// new, never followed), fsynced, renamed over `path` (a rename replaces a link, never writes
/// through it).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = with_suffix(path, ".tmp");
    let mut f = create_fresh(&tmp)?;
    f.write_all(bytes)?;
    f.sync_data()?;
    drop(f);
    if let Ok(m) = std::fs::symlink_metadata(path)
        && m.file_type().is_dir()
    {
        let _ = std::fs::remove_file(&tmp);
        return Err(refused(path, "a directory"));
    }
    std::fs::rename(&tmp, path)
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(suffix);
    path.with_file_name(name)
}

/// Creates `dir` and its missing parents with mode `0700`.
pub(crate) fn create_dir_private(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(DIR_MODE);
    }
    b.create(dir)
}

/// Moves `from` to `to`. Without `replace`, fails with `AlreadyExists` when `to` exists (atomic
/// on Linux; `link` + `unlink` elsewhere, which is also atomic in what it refuses). With
/// `replace`, an existing `to` is replaced, but never a directory.
pub(crate) fn rename(from: &Path, to: &Path, replace: bool) -> io::Result<()> {
    if replace {
        if let Ok(m) = std::fs::symlink_metadata(to)
            && m.file_type().is_dir()
        {
            return Err(refused(to, "a directory"));
        }
        return std::fs::rename(from, to);
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::EXIST => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists", to.display()),
                ));
            }
            // Filesystems without RENAME_NOREPLACE: fall back to link + unlink.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

/// Makes a directory entry durable (after a rename into it).
pub(crate) fn sync_dir(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The exclusive right to write one target file, held for as long as the value lives: `flock`
/// on `TARGET.lock`, a file that holds the owner's pid. The lock dies with the process (a
/// killed run leaves at most a stale, unlocked file, which the next run takes over).
#[derive(Debug)]
pub(crate) struct TargetLock {
    path: PathBuf,
    /// Holds the `flock` (released when closed).
    #[allow(dead_code)]
    file: File,
}

/// Why a target could not be locked.
#[derive(Debug)]
pub(crate) enum LockError {
    /// Another process holds it; its pid when it wrote one.
    Busy(Option<u32>),
    /// A file operation failed.
    Io(io::Error),
}

impl TargetLock {
    /// Takes the lock of `target` (`TARGET.lock`), failing at once if another process holds it.
    pub(crate) fn acquire(target: &Path) -> Result<TargetLock, LockError> {
        let path = with_suffix(target, ".lock");
        for _ in 0..8 {
            let file = match create_new(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    match open_ours(&path) {
                        Ok(f) => f,
                        // Removed between the two opens: try again.
                        Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                        Err(e) => return Err(LockError::Io(e)),
                    }
                }
                Err(e) => return Err(LockError::Io(e)),
            };
            #[cfg(unix)]
            {
                use rustix::fs::{FlockOperation, flock};
                if let Err(e) = flock(&file, FlockOperation::NonBlockingLockExclusive) {
                    if e == rustix::io::Errno::WOULDBLOCK {
                        let mut text = String::new();
                        let _ = (&file).take(32).read_to_string(&mut text);
                        return Err(LockError::Busy(text.trim().parse().ok()));
                    }
                    return Err(LockError::Io(e.into()));
                }
                // The holder before us may have removed the file after we opened it: the lock
                // counts only if the path still names the file we locked.
                use std::os::unix::fs::MetadataExt;
                let ours = file.metadata().map_err(LockError::Io)?;
                match std::fs::symlink_metadata(&path) {
                    Ok(now) if now.dev() == ours.dev() && now.ino() == ours.ino() => {}
                    _ => continue,
                }
            }
            file.set_len(0).map_err(LockError::Io)?;
            (&file)
                .write_all(format!("{}\n", std::process::id()).as_bytes())
                .map_err(LockError::Io)?;
            return Ok(TargetLock { path, file });
        }
        Err(LockError::Io(io::Error::other(format!(
            "{} keeps changing; could not lock it",
            path.display()
        ))))
    }
}

impl Drop for TargetLock {
    fn drop(&mut self) {
        // Removed while still locked, so that nobody locks a file that is about to vanish.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn symlinks_fifos_directories_and_hard_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep me").unwrap();
        let link = dir.path().join("x.part");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let err = open_ours(&link).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let err = create_fresh(&link).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(
            write_atomic(&link, b"x").is_ok(),
            "rename replaces the link itself"
        );
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");

        let fifo = dir.path().join("f.part");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        assert!(open_ours(&fifo).unwrap_err().to_string().contains("FIFO"));
        assert!(
            read_ours(&fifo, 10)
                .unwrap_err()
                .to_string()
                .contains("FIFO")
        );

        let sub = dir.path().join("d.part");
        std::fs::create_dir(&sub).unwrap();
        assert!(open_ours(&sub).is_err());
        assert!(
            remove_ours(&sub)
                .unwrap_err()
                .to_string()
                .contains("directory")
        );

        let hard = dir.path().join("h.part");
        std::fs::hard_link(&victim, &hard).unwrap();
        assert!(
            open_ours(&hard)
                .unwrap_err()
                .to_string()
                .contains("hard links")
        );
    }

    #[test]
    fn new_files_and_directories_are_private_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let old = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0));
        let sub = dir.path().join("a/b");
        create_dir_private(&sub).unwrap();
        let f = sub.join("f");
        drop(create_new(&f).unwrap());
        rustix::process::umask(old);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&sub), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&f), 0o600);
    }

    #[test]
    fn rename_without_replace_keeps_the_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, b"new").unwrap();
        std::fs::write(&b, b"old").unwrap();
        let err = rename(&a, &b, false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&b).unwrap(), b"old");
        rename(&a, &b, true).unwrap();
        assert_eq!(std::fs::read(&b).unwrap(), b"new");
    }

    #[test]
    fn a_second_lock_of_the_same_target_fails_with_the_owners_pid() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t");
        let first = TargetLock::acquire(&target).unwrap();
        match TargetLock::acquire(&target) {
            Err(LockError::Busy(pid)) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected busy, got {other:?}"),
        }
        drop(first);
        assert!(!with_suffix(&target, ".lock").exists());
        let again = TargetLock::acquire(&target).unwrap();
        drop(again);
    }
}

/// Bytes free for an unprivileged user on the file system holding `dir`; `None` where it
/// cannot be told (not Unix, or `statvfs` failed).
pub(crate) fn available_space(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        let st = rustix::fs::statvfs(dir).ok()?;
        Some(st.f_bavail.saturating_mul(st.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}
