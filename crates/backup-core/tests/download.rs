//! The downloader against the emulator's object storage: parallel and single streams, resume
//! after a crash at random points, link refresh, corruption, servers without ranges, changed
//! objects, and no credential header ever reaching the storage.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backup_core::download::{
    DownloadError, DownloadOptions, Downloader, Parallelism, RefreshLink, part_paths,
};
use cloud_http::BoxFuture;
use fake_cloud::{FakeCloud, Fault, Route};

const HOUR: Duration = Duration::from_secs(3600);

/// `connections` from the start (the parallel paths, whatever the link's speed).
fn options(connections: usize) -> DownloadOptions {
    DownloadOptions {
        connections,
        parallelism: Parallelism::Fixed,
        chunk_size: 256 * 1024,
        ..DownloadOptions::default()
    }
}

fn no_progress() -> impl Fn(backup_core::download::Progress) + Send + Sync {
    |_| {}
}

struct Refresher<'a> {
    cloud: &'a FakeCloud,
    key: String,
    ttl: Duration,
    calls: AtomicU32,
}

impl RefreshLink for Refresher<'_> {
    fn refresh(&self) -> BoxFuture<'_, Result<String, DownloadError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let url = self.cloud.link(&self.key, self.ttl);
        Box::pin(async move { Ok(url) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_download_is_byte_identical_and_crc_verified() {
    let cloud = FakeCloud::start().await;
    let url = cloud.publish("aliyun/t1/big.csv", 3 * 1024 * 1024 + 123, HOUR);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("big.csv");
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let report = Downloader::new()
        .unwrap()
        .download(&url, &dest, &options(4), None, &move |p| {
            s2.lock().unwrap().push(p)
        })
        .await
        .unwrap();
    let expected = cloud.object("aliyun/t1/big.csv").unwrap().content();
    assert_eq!(std::fs::read(&dest).unwrap(), expected);
    assert_eq!(report.verified, vec!["size", "crc64ecma"]);
    assert!(report.ranged);
    let (part, meta) = part_paths(&dest);
    assert!(!part.exists() && !meta.exists());
    let progress = seen.lock().unwrap();
    assert_eq!(progress.last().unwrap().bytes_done, expected.len() as u64);
    assert_eq!(progress.last().unwrap().total, Some(expected.len() as u64));
    // A probe, one request per connection's share, one per split.
    let ranges = cloud.requests_to(Route::Storage).len();
    assert_eq!(ranges, 1 + 4 + report.splits as usize, "storage requests");
    // Verified in order as it came, reading back only what arrived ahead of the hash.
    assert!(report.reread_bytes < expected.len() as u64);
}

#[tokio::test]
async fn a_file_the_disk_cannot_hold_fails_before_downloading() {
    let cloud = FakeCloud::start().await;
    // 1 EiB: more than any filesystem here holds (ext4 files stop at 16 TiB).
    let size = 1u64 << 60;
    // A key without a vendor prefix: the emulator sends no checksum (it would hash 1 EiB).
    let url = cloud.publish("plain/huge/backup.tar", size, HOUR);
    let dir = tempfile::tempdir().unwrap();
    for ranges in [true, false] {
        if !ranges {
            cloud.inject(Route::Storage, None, Fault::IgnoreRange, 1);
        }
        let dest = dir.path().join(format!("huge-{ranges}.tar"));
        let before = cloud.requests().len();
        let err = Downloader::new()
            .unwrap()
            .download(&url, &dest, &options(4), None, &no_progress())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, DownloadError::NoSpace { needed, .. } if *needed == size),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("not enough space") && text.contains("huge-"),
            "{text}"
        );
        let (part, meta) = part_paths(&dest);
        assert!(!dest.exists() && !part.exists() && !meta.exists());
        // Only the probe was sent: nothing was downloaded.
        assert_eq!(cloud.requests().len() - before, 1, "ranges {ranges}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_and_buffered_writes_give_the_same_bytes_with_unaligned_ranges() {
    let cloud = FakeCloud::start().await;
    // Odd size and ranges that are not multiples of the 4 KiB direct-I/O alignment: heads and
    // tails go through the page cache, the rest directly.
    let size = 5 * 65_537 + 4097;
    let url = cloud.publish("aliyun/d/odd.bin", size, HOUR);
    let content = cloud.object("aliyun/d/odd.bin").unwrap().content();
    let whole = cloud.publish("aliyun/d/whole.bin", size, HOUR);
    let dir = tempfile::tempdir().unwrap();
    for direct_io in [true, false] {
        for (connections, chunk_size) in [(1, 64 * 1024), (3, 65_537), (4, 1 << 20)] {
            let dest = dir.path().join(format!("{direct_io}-{connections}.bin"));
            let opts = DownloadOptions {
                connections,
                chunk_size,
                direct_io,
                ..DownloadOptions::default()
            };
            let report = Downloader::new()
                .unwrap()
                .download(&url, &dest, &opts, None, &no_progress())
                .await
                .unwrap();
            let case = format!("direct {direct_io}, {connections} connections");
            assert!(std::fs::read(&dest).unwrap() == content, "{case}");
            assert_eq!(report.verified, vec!["size", "crc64ecma"], "{case}");
            // The temporary directory is on a disk filesystem (or a tmpfs new enough to take
            // O_DIRECT): direct I/O is used exactly when asked for.
            assert_eq!(
                report.direct_io,
                direct_io && cfg!(target_os = "linux"),
                "{case}"
            );
        }
        // A server without ranges: one stream, written the same way.
        cloud.inject(Route::Storage, None, Fault::IgnoreRange, 1);
        let dest = dir.path().join(format!("{direct_io}-whole.bin"));
        let opts = DownloadOptions {
            direct_io,
            ..DownloadOptions::default()
        };
        let report = Downloader::new()
            .unwrap()
            .download(&whole, &dest, &opts, None, &no_progress())
            .await
            .unwrap();
        assert!(!report.ranged);
        assert_eq!(report.direct_io, direct_io && cfg!(target_os = "linux"));
        assert!(
            std::fs::read(&dest).unwrap() == cloud.object("aliyun/d/whole.bin").unwrap().content()
        );
    }
}

#[tokio::test]
async fn single_stream_verifies_md5_etag_and_callers_sha256() {
    let cloud = FakeCloud::start().await;
    let url = cloud.publish("huawei/dds/b1.tar.gz", 700_001, HOUR);
    let content = cloud.object("huawei/dds/b1.tar.gz").unwrap().content();
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(&content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("b1.tar.gz");
    let opts = DownloadOptions {
        sha256: Some(sha),
        expected_size: Some(700_001),
        ..options(1)
    };
    let report = Downloader::new()
        .unwrap()
        .download(&url, &dest, &opts, None, &no_progress())
        .await
        .unwrap();
    assert_eq!(report.verified, vec!["size", "md5", "sha256"]);
    assert_eq!(std::fs::read(&dest).unwrap(), content);

    // A wrong SHA-256 leaves no final file and no partial file.
    let dest2 = dir.path().join("again.tar.gz");
    let opts = DownloadOptions {
        sha256: Some("0".repeat(64)),
        ..options(1)
    };
    let err = Downloader::new()
        .unwrap()
        .download(&url, &dest2, &opts, None, &no_progress())
        .await
        .unwrap_err();
    assert!(
        matches!(err, DownloadError::ChecksumMismatch { kind: "sha256", .. }),
        "{err}"
    );
    assert!(!dest2.exists());
    assert!(!part_paths(&dest2).0.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_at_random_points_then_resumed_gives_the_same_bytes() {
    let cloud = FakeCloud::start().await;
    let size = 2 * 1024 * 1024;
    let url = cloud.publish("tencent/i/rs0/backup.tar", size, HOUR);
    let content = cloud.object("tencent/i/rs0/backup.tar").unwrap().content();
    // 512 KiB/s per connection: a 2 MiB file takes 1-4 s, so the kills land mid-way (the
    // first save with data comes after about 250 ms).
    cloud.set_bandwidth(Some(512 * 1024));
    let dir = tempfile::tempdir().unwrap();
    for (round, (connections, kill_ms)) in [(1, 300u64), (4, 120), (2, 230)].into_iter().enumerate()
    {
        let dest = dir.path().join(format!("r{round}.tar"));
        let kill = Duration::from_millis(kill_ms);
        crash_midway(&url, &dest, &options(connections), kill).await;
        let report = Downloader::new()
            .unwrap()
            .download(&url, &dest, &options(connections), None, &no_progress())
            .await
            .unwrap();
        assert!(report.resumed_bytes > 0, "round {round} resumed nothing");
        assert_eq!(std::fs::read(&dest).unwrap(), content, "round {round}");
        assert!(report.verified.contains(&"crc64ecma"));
        // This run's CRCs are combined with those of the bytes it found, read back once.
        assert_eq!(report.reread_bytes, report.resumed_bytes, "round {round}");
    }
}

/// Crashes a download: its future is dropped after `kill`. The machine's speed varies, so the
/// kill time adapts until a crash leaves a partial download (and no final file) behind.
async fn crash_midway(
    url: &str,
    dest: &std::path::Path,
    options: &DownloadOptions,
    mut kill: Duration,
) {
    let (part, meta) = part_paths(dest);
    for _ in 0..8 {
        let run = tokio::time::timeout(
            kill,
            Downloader::new()
                .unwrap()
                .download(url, dest, options, None, &no_progress()),
        )
        .await;
        if run.is_ok() {
            std::fs::remove_file(dest).unwrap();
            kill /= 2;
            continue;
        }
        assert!(!dest.exists(), "no final file after a crash");
        if saved_bytes(&meta) > 0 {
            break;
        }
        kill *= 2;
    }
    assert!(
        part.exists() && saved_bytes(&meta) > 0,
        "{}: no partial download",
        dest.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_with_other_options_keeps_the_ranges_it_started_with() {
    let cloud = FakeCloud::start().await;
    let size = 2 * 1024 * 1024 + 77;
    let url = cloud.publish("aliyun/r/backup.tar", size, HOUR);
    let content = cloud.object("aliyun/r/backup.tar").unwrap().content();
    cloud.set_bandwidth(Some(512 * 1024));
    let dir = tempfile::tempdir().unwrap();
    // Single stream first, then 4 connections; and the other way round.
    for (first, then) in [(1, 4), (4, 1)] {
        let dest = dir.path().join(format!("{first}-{then}.tar"));
        crash_midway(&url, &dest, &options(first), Duration::from_millis(300)).await;
        let report = Downloader::new()
            .unwrap()
            .download(&url, &dest, &options(then), None, &no_progress())
            .await
            .unwrap();
        assert!(report.resumed_bytes > 0, "{first} then {then}");
        assert!(
            std::fs::read(&dest).unwrap() == content,
            "{first} then {then}"
        );
    }
}

#[tokio::test]
async fn a_damaged_resume_state_starts_over_instead_of_failing() {
    let cloud = FakeCloud::start().await;
    let url = cloud.publish("aliyun/m/backup.tar", 300_000, HOUR);
    let content = cloud.object("aliyun/m/backup.tar").unwrap().content();
    let dir = tempfile::tempdir().unwrap();
    let etag = cloud.object("aliyun/m/backup.tar").unwrap().etag();
    let damaged = [
        serde_json::json!({"etag": etag, "size": 300_000, "chunk_size": 0, "written": [0]}),
        serde_json::json!({"etag": etag, "size": 300_000, "chunk_size": 262_144, "written": [0]}),
        serde_json::json!({"etag": etag, "size": 300_000, "chunk_size": 262_144, "written": [999_999, 0]}),
        serde_json::json!("not a state"),
    ];
    for (i, state) in damaged.iter().enumerate() {
        let dest = dir.path().join(format!("d{i}.tar"));
        let (part, meta) = part_paths(&dest);
        std::fs::write(&part, vec![0xAA; 1000]).unwrap();
        std::fs::write(&meta, state.to_string()).unwrap();
        let report = Downloader::new()
            .unwrap()
            .download(&url, &dest, &options(2), None, &no_progress())
            .await
            .unwrap();
        assert_eq!(report.resumed_bytes, 0, "state {i} was not trusted");
        assert!(std::fs::read(&dest).unwrap() == content, "state {i}");
    }
}

fn saved_bytes(meta: &std::path::Path) -> u64 {
    let Ok(text) = std::fs::read(meta) else {
        return 0;
    };
    let v: serde_json::Value = serde_json::from_slice(&text).unwrap();
    v["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn network_failures_mid_body_are_resumed_within_one_call() {
    let cloud = FakeCloud::start().await;
    let url = cloud.publish("aliyun/t2/f.csv", 1_000_000, HOUR);
    cloud.inject(Route::Storage, None, Fault::ResetMidBody, 2);
    cloud.inject(Route::Storage, None, Fault::TruncatedBody, 1);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f.csv");
    Downloader::new()
        .unwrap()
        .download(&url, &dest, &options(1), None, &no_progress())
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        cloud.object("aliyun/t2/f.csv").unwrap().content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_that_expires_mid_download_is_refreshed() {
    let cloud = FakeCloud::start().await;
    let key = "huawei/rds/expiring.tar.gz";
    let url = cloud.publish(key, 2 * 1024 * 1024, Duration::from_secs(900));
    cloud.set_bandwidth(Some(512 * 1024)); // ~2 s with 2 connections
    let refresher = Refresher {
        cloud: &cloud,
        key: key.into(),
        ttl: HOUR,
        calls: AtomicU32::new(0),
    };
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("expiring.tar.gz");
    let downloader = Downloader::new().unwrap();
    let (opts, progress) = (options(2), no_progress());
    let download = downloader.download(&url, &dest, &opts, Some(&refresher), &progress);
    // 300 ms in, 16 minutes pass on the server: Huawei's 15-minute link is dead, which
    // matters to the next request; then the connections break, so there are next requests.
    let expire = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cloud.set_clock_skew(16 * 60);
        cloud.sever_downloads();
    };
    let (report, ()) = tokio::join!(download, expire);
    let report = report.unwrap();
    assert!(refresher.calls.load(Ordering::SeqCst) >= 1);
    assert!(report.refreshes >= 1);
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        cloud.object(key).unwrap().content()
    );
    let refused = cloud.requests_to(Route::Storage).len();
    assert!(refused > 4);
}

#[tokio::test]
async fn an_expired_link_without_refresher_is_a_clear_error_without_the_query() {
    let cloud = FakeCloud::start().await;
    let url = cloud.publish("huawei/dds/old.tar.gz", 1000, Duration::from_secs(0));
    cloud.set_clock_skew(5);
    let dir = tempfile::tempdir().unwrap();
    let err = Downloader::new()
        .unwrap()
        .download(
            &url,
            &dir.path().join("old"),
            &options(1),
            None,
            &no_progress(),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    // The storage's own code and message are shown.
    assert!(
        matches!(&err, DownloadError::Status { status: 403, detail: Some(d), .. }
            if d.contains("AccessDenied") && d.contains("Request has expired")),
        "{text}"
    );
    assert!(!text.contains("Signature="), "{text}");
}

#[tokio::test]
async fn corrupt_content_is_detected_and_leaves_no_file() {
    let cloud = FakeCloud::start().await;
    let url = cloud.publish("aliyun/t3/c.csv", 300_000, HOUR);
    cloud.inject(Route::Storage, None, Fault::CorruptBody, 10);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("c.csv");
    for connections in [1, 3] {
        let err = Downloader::new()
            .unwrap()
            .download(&url, &dest, &options(connections), None, &no_progress())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                DownloadError::ChecksumMismatch {
                    kind: "crc64ecma",
                    ..
                }
            ),
            "{err}"
        );
        assert!(!dest.exists());
        let (part, meta) = part_paths(&dest);
        assert!(!part.exists() && !meta.exists());
    }
}

#[tokio::test]
async fn a_server_without_range_support_still_works() {
    let cloud = FakeCloud::start().await;
    let url = cloud.publish("tencent/i/rs1/n.tar", 500_000, HOUR);
    cloud.inject(Route::Storage, None, Fault::IgnoreRange, 100);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("n.tar");
    let report = Downloader::new()
        .unwrap()
        .download(&url, &dest, &options(4), None, &no_progress())
        .await
        .unwrap();
    assert!(!report.ranged);
    assert_eq!(report.verified, vec!["size", "crc64ecma"]);
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        cloud.object("tencent/i/rs1/n.tar").unwrap().content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_object_restarts_instead_of_mixing_versions() {
    let cloud = FakeCloud::start().await;
    let key = "aliyun/t4/v.csv";
    let url = cloud.publish(key, 1024 * 1024, HOUR);
    cloud.set_bandwidth(Some(2 * 1024 * 1024));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.csv");
    let downloader = Downloader::new().unwrap();
    let _ = tokio::time::timeout(
        Duration::from_millis(150),
        downloader.download(&url, &dest, &options(2), None, &no_progress()),
    )
    .await;
    assert!(part_paths(&dest).0.exists());
    cloud.replace_objects(key);
    cloud.set_bandwidth(None);
    let report = downloader
        .download(&url, &dest, &options(2), None, &no_progress())
        .await
        .unwrap();
    assert_eq!(report.resumed_bytes, 0, "the old parts were discarded");
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        cloud.object(key).unwrap().content()
    );
}

#[tokio::test]
async fn the_storage_never_sees_a_credential_header() {
    let cloud = FakeCloud::start().await;
    let url = cloud.publish("huawei/dds/clean.tar.gz", 600_000, HOUR);
    let dir = tempfile::tempdir().unwrap();
    Downloader::new()
        .unwrap()
        .download(
            &url,
            &dir.path().join("clean"),
            &options(3),
            None,
            &no_progress(),
        )
        .await
        .unwrap();
    let storage = cloud.requests_to(Route::Storage);
    assert!(!storage.is_empty());
    for r in storage {
        for (name, _) in &r.headers {
            let n = name.as_str();
            assert!(
                !(n == "authorization"
                    || n.starts_with("x-acs-")
                    || n.starts_with("x-tc-")
                    || n.starts_with("x-sdk-")
                    || n == "x-project-id"
                    || n == "x-auth-token"
                    || n == "x-security-token"),
                "credential header {n} sent to storage"
            );
        }
    }
}

#[tokio::test]
async fn bad_options_are_refused_before_any_request() {
    let cloud = FakeCloud::start().await;
    let url = cloud.publish("aliyun/x/y", 10, HOUR);
    let dir = tempfile::tempdir().unwrap();
    for (opts, field) in [
        (
            DownloadOptions {
                connections: 0,
                ..options(1)
            },
            "connections",
        ),
        (
            DownloadOptions {
                chunk_size: 10,
                ..options(1)
            },
            "chunk_size",
        ),
        (
            DownloadOptions {
                sha256: Some("xyz".into()),
                ..options(1)
            },
            "sha256",
        ),
    ] {
        let err = Downloader::new()
            .unwrap()
            .download(&url, &dir.path().join("f"), &opts, None, &no_progress())
            .await
            .unwrap_err();
        assert!(err.to_string().contains(field), "{err}");
    }
    assert!(cloud.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adaptive_downloads_open_more_connections_behind_a_per_connection_limit() {
    let cloud = FakeCloud::start().await;
    let key = "aliyun/limited/backup.tar";
    let url = cloud.publish(key, 8 * 1024 * 1024, HOUR);
    let content = cloud.object(key).unwrap().content();
    // Each connection gets 4 MiB/s: a second one doubles the throughput, so the download
    // goes on with more (up to the default maximum of 8).
    cloud.set_bandwidth(Some(4 * 1024 * 1024));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backup.tar");
    let opts = DownloadOptions {
        chunk_size: 256 * 1024,
        ..DownloadOptions::default()
    };
    assert_eq!(opts.parallelism, Parallelism::Adaptive);
    let report = Downloader::new()
        .unwrap()
        .download(&url, &dest, &opts, None, &no_progress())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), content);
    assert!(report.connections >= 2, "{report:?}");
    assert!(report.splits >= 1, "{report:?}");
    assert!(report.verified.contains(&"crc64ecma"));
    // A probe, the first stream, one request per split, and at most one per connection for
    // work given back by a step that was undone (none is retried here).
    let requests = cloud.requests_to(Route::Storage).len();
    let least = 1 + 1 + report.splits as usize;
    assert!(
        (least..=least + report.connections).contains(&requests),
        "{requests} requests for {report:?}"
    );
}

#[tokio::test]
async fn parallel_ranges_are_verified_without_reading_the_file_again() {
    let cloud = FakeCloud::start().await;
    let key = "aliyun/order/backup.tar";
    let size = 3 * 1024 * 1024;
    let url = cloud.publish(key, size, HOUR);
    let content = cloud.object(key).unwrap().content();
    let dir = tempfile::tempdir().unwrap();
    // A CRC-64 alone: the requests' CRCs are combined, whatever the connections.
    for connections in [1, 3] {
        let dest = dir.path().join(format!("crc-{connections}.tar"));
        let report = Downloader::new()
            .unwrap()
            .download(&url, &dest, &options(connections), None, &no_progress())
            .await
            .unwrap();
        assert_eq!(report.verified, vec!["size", "crc64ecma"], "{report:?}");
        assert_eq!(report.reread_bytes, 0, "{report:?}");
        assert_eq!(std::fs::read(&dest).unwrap(), content);
    }
    // With a SHA-256 to check, in order: one fresh stream hashes as it receives; with three
    // shares the first is hashed as it arrives, at most the other two are read back.
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(&content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    for connections in [1, 3] {
        let dest = dir.path().join(format!("sha-{connections}.tar"));
        let opts = DownloadOptions {
            sha256: Some(sha.clone()),
            ..options(connections)
        };
        let report = Downloader::new()
            .unwrap()
            .download(&url, &dest, &opts, None, &no_progress())
            .await
            .unwrap();
        assert_eq!(report.verified, vec!["size", "crc64ecma", "sha256"]);
        if connections == 1 {
            assert_eq!(report.reread_bytes, 0, "{report:?}");
        } else {
            assert!(report.reread_bytes <= size - size / 3, "{report:?}");
        }
        assert_eq!(std::fs::read(&dest).unwrap(), content);
    }
    // A wrong SHA-256 in parallel is caught by the in-order hash.
    let dest = dir.path().join("wrong.tar");
    let opts = DownloadOptions {
        sha256: Some("0".repeat(64)),
        ..options(3)
    };
    let err = Downloader::new()
        .unwrap()
        .download(&url, &dest, &opts, None, &no_progress())
        .await
        .unwrap_err();
    assert!(
        matches!(err, DownloadError::ChecksumMismatch { kind: "sha256", .. }),
        "{err}"
    );
    assert!(!dest.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_cut_again_and_again_while_splitting_still_give_the_exact_bytes() {
    let cloud = FakeCloud::start().await;
    let key = "aliyun/blips/backup.tar";
    let url = cloud.publish(key, 8 * 1024 * 1024 + 4321, HOUR);
    let content = cloud.object(key).unwrap().content();
    // A per-connection limit, so the download grows and splits, and every download body in
    // flight cut every 100 ms: spans resume where they stopped, splits go on meanwhile.
    cloud.set_bandwidth(Some(4 * 1024 * 1024));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backup.tar");
    let opts = DownloadOptions {
        chunk_size: 64 * 1024,
        max_retries: 50,
        ..DownloadOptions::default()
    };
    let downloader = Downloader::new().unwrap();
    let progress = no_progress();
    let download = downloader.download(&url, &dest, &opts, None, &progress);
    let done = std::sync::atomic::AtomicBool::new(false);
    let blips = async {
        let mut n = 0;
        while !done.load(Ordering::SeqCst) && n < 40 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if !done.load(Ordering::SeqCst) {
                cloud.sever_downloads();
                n += 1;
            }
        }
        n
    };
    let (report, severed) = tokio::join!(
        async {
            let r = download.await;
            done.store(true, Ordering::SeqCst);
            r
        },
        blips
    );
    let report = report.unwrap();
    assert!(severed >= 1, "the connections were never cut");
    assert_eq!(std::fs::read(&dest).unwrap(), content);
    assert_eq!(report.verified, vec!["size", "crc64ecma"]);
    assert!(report.connections >= 2, "{report:?}");
}
