//! A lying object store and an untrusted local directory, played by the tests' own hostile
//! server (`tests::hostile`): whatever the store answers and whatever is planted beside the
//! target, the outcome is a correct file or a clear error — never a file written through a
//! link, a replaced file, a file mixed from two versions, an endless `.part`, or a wrong file
//! reported as verified.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use backup_core::checksum::crc64_ecma;
use backup_core::download::{
    DownloadError, DownloadOptions, DownloadReport, Downloader, Parallelism, lock_path, part_paths,
};
use tests::hostile::{Body, Hostile, Reply, Request, ranged};

/// `len` bytes that differ with `seed`.
fn content(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 9) as u8)
        .collect()
}

/// Three connections from the start on granules of 64 KiB, short stall limits, few retries.
fn options() -> DownloadOptions {
    DownloadOptions {
        connections: 3,
        parallelism: Parallelism::Fixed,
        chunk_size: 64 * 1024,
        idle_timeout: Duration::from_millis(400),
        max_retries: 2,
        ..DownloadOptions::default()
    }
}

async fn download(
    url: &str,
    dest: &Path,
    options: &DownloadOptions,
) -> Result<DownloadReport, DownloadError> {
    Downloader::new()
        .unwrap()
        .download(url, dest, options, None, &|_| {})
        .await
}

/// The CRC-64 header OSS sends for `content`.
fn crc(content: &[u8]) -> String {
    crc64_ecma(content).to_string()
}

/// An honest store of `body` with ranges and its CRC-64 header.
async fn honest(body: Vec<u8>) -> Hostile {
    Hostile::serve(move |req| {
        ranged(
            req,
            &body,
            &[("etag", "\"v1\""), ("x-oss-hash-crc64ecma", &crc(&body))],
        )
    })
    .await
}

/// No final file, no `.part`, no resume state, no lock.
fn nothing_left(dest: &Path) {
    let (part, meta) = part_paths(dest);
    for p in [dest.to_path_buf(), part, meta, lock_path(dest)] {
        assert!(
            std::fs::symlink_metadata(&p).is_err(),
            "{} was left",
            p.display()
        );
    }
}

#[tokio::test]
async fn a_symlink_fifo_directory_or_hard_link_at_our_names_is_never_followed() {
    let body = content(200_000, 1);
    let store = honest(body.clone()).await;
    let url = store.url("/obj");
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    let dest = dir.path().join("backup.tar");
    let (part, meta) = part_paths(&dest);
    let planted: Vec<(PathBuf, &str)> = vec![
        (part.clone(), "symlink"),
        (meta.clone(), "symlink"),
        (PathBuf::from(format!("{}.tmp", meta.display())), "symlink"),
        (lock_path(&dest), "symlink"),
        (part.clone(), "fifo"),
        (part.clone(), "dir"),
        (part.clone(), "hardlink"),
        (lock_path(&dest), "fifo"),
    ];
    for (at, kind) in planted {
        std::fs::write(&victim, b"keep me").unwrap();
        match kind {
            "symlink" => std::os::unix::fs::symlink(&victim, &at).unwrap(),
            "hardlink" => std::fs::hard_link(&victim, &at).unwrap(),
            "dir" => std::fs::create_dir(&at).unwrap(),
            _ => assert!(
                std::process::Command::new("mkfifo")
                    .arg(&at)
                    .status()
                    .unwrap()
                    .success()
            ),
        }
        let case = format!("{kind} at {}", at.display());
        let opts = options();
        let run = tokio::time::timeout(Duration::from_secs(20), download(&url, &dest, &opts));
        let err = run
            .await
            .unwrap_or_else(|_| panic!("{case}: hung"))
            .unwrap_err();
        assert!(
            err.to_string().contains("not a file cloud-backup created")
                || err.to_string().contains("hard links"),
            "{case}: {err}"
        );
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep me", "{case}");
        assert!(!dest.exists(), "{case}: no final file");
        if kind == "dir" {
            std::fs::remove_dir(&at).unwrap();
        } else {
            std::fs::remove_file(&at).unwrap();
        }
        let _ = std::fs::remove_file(&part);
        let _ = std::fs::remove_file(&meta);
    }
    // With nothing planted, the same download works.
    let report = download(&url, &dest, &options()).await.unwrap();
    assert_eq!(std::fs::read(&report.path).unwrap(), body);
}

#[tokio::test]
async fn an_existing_file_is_kept_skipped_when_verified_and_replaced_only_when_asked() {
    let body = content(150_000, 2);
    let store = honest(body.clone()).await;
    let url = store.url("/obj");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f");

    // A different file there: kept, and the error says why and how to replace it.
    std::fs::write(&dest, b"an older, different backup").unwrap();
    let err = download(&url, &dest, &options()).await.unwrap_err();
    assert!(matches!(err, DownloadError::Exists { .. }), "{err}");
    assert!(err.to_string().contains("--overwrite"), "{err}");
    assert_eq!(std::fs::read(&dest).unwrap(), b"an older, different backup");

    // A symlink there is not followed: kept without --overwrite, the link itself replaced with.
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"keep me").unwrap();
    std::fs::remove_file(&dest).unwrap();
    std::os::unix::fs::symlink(&victim, &dest).unwrap();
    assert!(download(&url, &dest, &options()).await.is_err());
    let overwrite = DownloadOptions {
        overwrite: true,
        ..options()
    };
    let report = download(&url, &dest, &overwrite).await.unwrap();
    assert!(!report.skipped);
    assert!(
        !std::fs::symlink_metadata(&dest)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");

    // The same size but one byte changed: not this object, kept, and the download stops.
    let mut tampered = body.clone();
    tampered[0] ^= 1;
    std::fs::write(&dest, &tampered).unwrap();
    let err = download(&url, &dest, &options()).await.unwrap_err();
    assert!(matches!(err, DownloadError::Exists { .. }), "{err}");
    assert_eq!(std::fs::read(&dest).unwrap(), tampered);
    std::fs::write(&dest, &body).unwrap();

    // The same object again: verified against the store's checksum and skipped.
    let before = store.requests().len();
    let report = download(&url, &dest, &options()).await.unwrap();
    assert!(report.skipped, "{report:?}");
    assert_eq!(report.verified, ["size", "crc64ecma"]);
    assert_eq!(
        store.requests().len(),
        before + 1,
        "only the probe was sent"
    );
}

#[tokio::test]
async fn a_second_run_on_the_same_file_exits_at_once_naming_the_first() {
    // No ranges and a slow body: the first run holds the target for about a second.
    let body = content(300, 3);
    let slow = body.clone();
    let store = Hostile::serve(move |_| {
        Reply::status(200).body(Body::Trickle {
            bytes: slow.clone(),
            every: Duration::from_millis(3),
        })
    })
    .await;
    let url = store.url("/obj");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f");
    let first = {
        let (url, dest) = (url.clone(), dest.clone());
        tokio::spawn(async move { download(&url, &dest, &options()).await })
    };
    while store.requests().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    let err = download(&url, &dest, &options()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500), "at once");
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "another cloud-backup (pid {}) is writing",
            std::process::id()
        )) && text.contains(&dest.display().to_string()),
        "{text}"
    );
    assert_eq!(store.requests().len(), 1, "the second run sent nothing");
    let report = first.await.unwrap().unwrap();
    assert_eq!(std::fs::read(&report.path).unwrap(), body);
    assert!(!lock_path(&dest).exists());
}

#[tokio::test]
async fn files_and_directories_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let store = honest(content(1000, 4)).await;
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("a/b");
    let export = OneFile(store.url("/obj"));
    let files = export.files();
    let old = rustix_umask(0);
    let reports = backup_core::export::download_files(
        &export,
        &files,
        &to,
        &Downloader::new().unwrap(),
        &options(),
        &|_| {},
    )
    .await;
    rustix_umask(old);
    let reports = reports.unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&reports[0].path), 0o600);
    assert_eq!(mode(&to), 0o700);
    assert_eq!(mode(&dir.path().join("a")), 0o700);
}

/// Sets the process umask, returning the old one.
fn rustix_umask(mask: u32) -> u32 {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(mask)).as_raw_mode()
}

/// An export of one file at a fixed link (no vendor API).
struct OneFile(String);

impl OneFile {
    fn files(&self) -> Vec<backup_core::export::ExportedFile> {
        vec![backup_core::export::ExportedFile::new(
            "backup.tar",
            self.0.clone(),
        )]
    }
}

impl backup_core::export::BackupExport for OneFile {
    fn vendor(&self) -> &'static str {
        "test"
    }
    fn export<'a>(
        &'a self,
        _: backup_core::export::ExportProgressFn<'a>,
    ) -> cloud_http::BoxFuture<'a, Result<Vec<backup_core::export::ExportedFile>, cloud_http::Error>>
    {
        Box::pin(async move { Ok(self.files()) })
    }
    fn refresh<'a>(
        &'a self,
        _: &'a backup_core::export::ExportedFile,
    ) -> cloud_http::BoxFuture<'a, Result<String, cloud_http::Error>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

/// A store that switches from version A to version B after `switch_after` requests, and
/// either ignores the conditions we send (`If-Match`, `If-Range`) or honours them.
async fn changing(a: Vec<u8>, b: Vec<u8>, switch_after: usize, honours_if_match: bool) -> Hostile {
    let served = AtomicUsize::new(0);
    Hostile::serve(move |req: &Request| {
        let n = served.fetch_add(1, Ordering::SeqCst);
        let (body, tag) = if n < switch_after {
            (&a, "\"va\"")
        } else {
            (&b, "\"vb\"")
        };
        if honours_if_match && req.header("if-match").is_some_and(|m| m != tag) {
            return Reply::status(412);
        }
        ranged(req, body, &[("etag", tag)])
    })
    .await
}

#[tokio::test]
async fn an_object_that_changes_mid_download_is_restarted_never_mixed() {
    let a = content(400_000, 5);
    let b = content(400_000, 6);
    for honours in [false, true] {
        let store = changing(a.clone(), b.clone(), 3, honours).await;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f");
        let report = download(&store.url("/obj"), &dest, &options())
            .await
            .unwrap();
        let got = std::fs::read(&report.path).unwrap();
        assert!(
            got == b,
            "honours If-Match: {honours}: the file is version B, whole"
        );
        let conditional = store
            .requests()
            .iter()
            .filter(|r| r.range().is_some_and(|(s, _)| s > 0))
            .all(|r| r.header("if-match").is_some() && r.header("if-range").is_some());
        assert!(conditional, "every range after the probe is conditional");
    }
}

#[tokio::test]
async fn a_range_answer_longer_than_asked_is_refused() {
    let body = content(300_000, 7);
    let copy = body.clone();
    let store = Hostile::serve(move |req| {
        let mut reply = ranged(req, &copy, &[("etag", "\"v1\"")]);
        if let (Some((s, _)), Body::Bytes(bytes)) = (req.range(), &reply.body)
            && s > 0
        {
            let mut longer = bytes.clone();
            longer.extend_from_slice(&[0u8; 5000]);
            reply.body = Body::Chunked(longer);
        }
        reply
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f");
    let err = download(&store.url("/obj"), &dest, &options())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("more than"), "{err}");
    assert!(!dest.exists());
}

#[tokio::test]
async fn an_endless_body_stops_at_the_known_size_and_leaves_nothing() {
    let store =
        Hostile::serve(|_| Reply::status(200).body(Body::Endless(vec![7u8; 64 * 1024]))).await;
    for (expected_size, max_size) in [(Some(1 << 20), None), (None, Some(1 << 20))] {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f");
        let url = store.url("/x");
        let options = DownloadOptions {
            expected_size,
            max_size,
            ..options()
        };
        let run = tokio::time::timeout(Duration::from_secs(20), download(&url, &dest, &options));
        let err = run.await.expect("stops").unwrap_err();
        assert!(
            err.to_string().contains("longer than the 1048576 bytes"),
            "{err}"
        );
        nothing_left(&dest);
    }
}

#[tokio::test]
async fn probe_edge_cases_give_a_correct_file_or_a_clear_error() {
    let body = content(100_000, 8);
    // (what the store answers to the one-byte probe, the content a plain GET gets, outcome)
    let cases: Vec<(&str, Reply, Option<Vec<u8>>)> = vec![
        (
            "unknown total",
            Reply::status(206)
                .header("content-range", "bytes 0-0/*")
                .body(Body::Bytes(body[..1].to_vec())),
            Some(body.clone()),
        ),
        (
            "unparseable total",
            Reply::status(206)
                .header("content-range", "bytes 0-0/lots")
                .body(Body::Bytes(body[..1].to_vec())),
            None,
        ),
        (
            "zero total",
            Reply::status(206)
                .header("content-range", "bytes 0-0/0")
                .body(Body::Bytes(body[..1].to_vec())),
            None,
        ),
        (
            "no content-range",
            Reply::status(206).body(Body::Bytes(body[..1].to_vec())),
            None,
        ),
        ("204", Reply::status(204), None),
        ("200 and empty", Reply::ok(Vec::new()), Some(Vec::new())),
        (
            "416 for an empty object",
            Reply::status(416).header("content-range", "bytes */0"),
            Some(Vec::new()),
        ),
        (
            "416 for a non-empty object",
            Reply::status(416).header("content-range", "bytes */100"),
            None,
        ),
    ];
    for (case, probe_reply, want) in cases {
        let whole = body.clone();
        let store = Hostile::serve(move |req| match req.range() {
            Some(_) => probe_reply.clone(),
            None => Reply::ok(whole.clone()),
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f");
        let result = download(&store.url("/obj"), &dest, &options()).await;
        match (want, result) {
            (Some(want), Ok(report)) => {
                assert_eq!(std::fs::read(&report.path).unwrap(), want, "{case}");
                assert_eq!(report.bytes, want.len() as u64, "{case}");
            }
            (None, Err(e)) => {
                assert!(matches!(e, DownloadError::Refused(_)), "{case}: {e}");
                nothing_left(&dest);
            }
            (want, got) => panic!(
                "{case}: wanted {:?} bytes, got {got:?}",
                want.map(|w| w.len())
            ),
        }
    }
}

#[tokio::test]
async fn etags_that_are_not_md5s_are_not_used_as_md5s_and_bad_crc_headers_are_reported() {
    let body = content(50_000, 9);
    // 32 hex digits, but not the MD5 of the content.
    let fake_md5 = "\"0123456789abcdef0123456789abcdef\"";
    for (case, headers, warn) in [
        (
            "appendable",
            vec![("etag", fake_md5), ("x-oss-object-type", "Appendable")],
            false,
        ),
        (
            "kms",
            vec![("etag", fake_md5), ("x-obs-server-side-encryption", "kms")],
            false,
        ),
        (
            "weak",
            vec![("etag", "W/\"0123456789abcdef0123456789abcdef\"")],
            false,
        ),
        (
            "multipart",
            vec![("etag", "\"0123456789abcdef0123456789abcdef-3\"")],
            false,
        ),
        (
            "malformed crc",
            vec![("etag", "\"v\""), ("x-oss-hash-crc64ecma", "0x1234")],
            true,
        ),
    ] {
        let (copy, hs): (Vec<u8>, Vec<(String, String)>) = (
            body.clone(),
            headers
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        );
        let store = Hostile::serve(move |req| {
            let h: Vec<(&str, &str)> = hs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            ranged(req, &copy, &h)
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        let report = download(&store.url("/o"), &dir.path().join("f"), &options())
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(report.verified, ["size"], "{case}");
        assert_eq!(std::fs::read(&report.path).unwrap(), body, "{case}");
        assert_eq!(
            !report.warnings.is_empty(),
            warn,
            "{case}: {:?}",
            report.warnings
        );
    }
}

/// A store with ranges whose next `stalls` range answers (the one-byte probe apart) send half
/// their bytes and then fall silent.
async fn stalling(body: Vec<u8>, stalls: Arc<AtomicUsize>) -> Hostile {
    Hostile::serve(move |req| {
        let reply = ranged(
            req,
            &body,
            &[("etag", "\"v1\""), ("x-oss-hash-crc64ecma", &crc(&body))],
        );
        let probe = req.range() == Some((0, Some(0)));
        match &reply.body {
            Body::Bytes(bytes)
                if !probe
                    && req.range().is_some()
                    && stalls
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok() =>
            {
                let half = bytes[..bytes.len() / 2].to_vec();
                let length = bytes.len() as u64;
                reply.body(Body::Stall {
                    first: half,
                    length,
                    silence: Duration::from_secs(30),
                })
            }
            _ => reply,
        }
    })
    .await
}

#[tokio::test]
async fn a_stalled_range_is_retried_from_where_it_stopped() {
    let body = content(256 * 1024, 10);
    let store = stalling(body.clone(), Arc::new(AtomicUsize::new(2))).await;
    let dir = tempfile::tempdir().unwrap();
    let options = DownloadOptions {
        connections: 1,
        max_retries: 3,
        ..options()
    };
    // One connection, one range: the first two answers stall half-way; each retry asks only
    // for what is missing (what arrived was written and counted before the stall).
    let started = Instant::now();
    let report = download(&store.url("/o"), &dir.path().join("f"), &options)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "within a bounded time"
    );
    assert!(std::fs::read(&report.path).unwrap() == body);
    let starts: Vec<u64> = store
        .requests()
        .iter()
        .filter_map(|r| r.range())
        .map(|r| r.0)
        .collect();
    assert_eq!(
        starts,
        [0, 0, 131_072, 196_608],
        "probe, then resumed ranges"
    );
}

#[tokio::test]
async fn a_trickling_connection_is_declared_stalled_by_the_minimum_speed() {
    let store = Hostile::serve(|_| {
        Reply::status(200).body(Body::Trickle {
            bytes: vec![1u8; 2000],
            every: Duration::from_millis(20),
        })
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let options = DownloadOptions {
        min_speed: 10_000,
        speed_window: Duration::from_millis(300),
        ..options()
    };
    let started = Instant::now();
    let err = download(&store.url("/o"), &dir.path().join("f"), &options)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("below the minimum speed of 10000 bytes/s"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    nothing_left(&dir.path().join("f"));
}

/// Leaves a partial download of `body` at `dest` (every range answer stalls half-way), and
/// returns the store, honest from then on.
async fn partial(body: &[u8], dest: &Path) -> (Hostile, Arc<AtomicUsize>) {
    let stall = Arc::new(AtomicUsize::new(usize::MAX));
    let store = stalling(body.to_vec(), stall.clone()).await;
    let options = DownloadOptions {
        connections: 2,
        max_retries: 0,
        ..options()
    };
    assert!(download(&store.url("/o"), dest, &options).await.is_err());
    let (part, meta) = part_paths(dest);
    assert!(part.exists() && meta.exists(), "a partial download is left");
    stall.store(0, Ordering::SeqCst);
    (store, stall)
}

#[tokio::test]
async fn a_resume_state_edited_or_beside_a_swapped_part_is_not_trusted() {
    let body = content(512 * 1024, 11);
    for tamper in [
        "none",
        "claims everything",
        "swapped part",
        "chunk_size 1",
        "edited part",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f");
        let (store, _stall) = partial(&body, &dest).await;
        let (part, meta) = part_paths(&dest);
        let mut state: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
        match tamper {
            "claims everything" => {
                let chunk = state["chunk_size"].as_u64().unwrap();
                let n = state["written"].as_array().unwrap().len();
                let size = body.len() as u64;
                state["written"] = (0..n as u64)
                    .map(|i| chunk.min(size - i * chunk))
                    .collect::<Vec<_>>()
                    .into();
                std::fs::write(&meta, state.to_string()).unwrap();
            }
            "swapped part" => {
                std::fs::remove_file(&part).unwrap();
                std::fs::write(&part, vec![0u8; body.len()]).unwrap();
            }
            "chunk_size 1" => {
                state["chunk_size"] = 1.into();
                std::fs::write(&meta, state.to_string()).unwrap();
            }
            "edited part" => {
                // Same file, bytes changed where the state says they were written: the resume
                // goes on, and the file on disk (not the streams) is what gets verified.
                use std::os::unix::fs::FileExt;
                let f = std::fs::OpenOptions::new().write(true).open(&part).unwrap();
                f.write_all_at(b"tampered", 10).unwrap();
            }
            _ => {}
        }
        let result = download(&store.url("/o"), &dest, &options()).await;
        match tamper {
            "edited part" => {
                let err = result.unwrap_err();
                assert!(
                    matches!(err, DownloadError::ChecksumMismatch { .. }),
                    "{tamper}: {err}"
                );
                nothing_left(&dest);
            }
            _ => {
                let report = result.unwrap_or_else(|e| panic!("{tamper}: {e}"));
                assert!(
                    std::fs::read(&dest).unwrap() == body,
                    "{tamper}: the right bytes"
                );
                assert_eq!(
                    report.resumed_bytes > 0,
                    tamper == "none",
                    "{tamper}: {report:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_stalled_connection_s_range_is_taken_over_by_an_idle_one() {
    // The first connection's range sends 64 KiB, then nothing: the other connection, done with
    // its half, takes over the back half of what the stalled one has left.
    let body = content(1 << 20, 9);
    let copy = body.clone();
    let store = Hostile::serve(move |req| {
        let mut reply = ranged(req, &copy, &[("etag", "\"v1\"")]);
        if let (Some((0, Some(last))), Body::Bytes(bytes)) = (req.range(), &reply.body)
            && last > 0
        {
            reply.body = Body::Stall {
                first: bytes[..64 * 1024].to_vec(),
                length: bytes.len() as u64,
                silence: Duration::from_secs(3),
            };
        }
        reply
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f");
    let opts = DownloadOptions {
        connections: 2,
        ..options()
    };
    let report = download(&store.url("/obj"), &dest, &opts).await.unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    assert!(report.splits >= 1, "{report:?}");
    // The straggler's range was cut: some request asks for a range that starts past the
    // middle but not at it (the helper's share of the first half... or of its retry).
    let starts: Vec<u64> = store
        .requests()
        .iter()
        .filter_map(|r| r.range().map(|(s, _)| s))
        .collect();
    assert!(
        starts
            .iter()
            .any(|&s| s > 0 && s < 512 * 1024 && s % (64 * 1024) == 0 && s != 64 * 1024),
        "no split of the stalled half: {starts:?}"
    );
}
