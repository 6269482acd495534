//! Faults of the object storage behind each vendor's download links, read with the workspace's
//! downloader: interrupted or range-less answers still give the exact bytes, and corrupted
//! content is caught by the checksum that vendor's storage declares (the OSS and COS CRC-64
//! headers, the OBS single-part MD5 `ETag`) without leaving a file behind.

use std::time::Duration;

use backup_core::download::{DownloadError, DownloadOptions, Downloader, part_paths};
use dbs_aliyun::{LogicalFormat, StorageInfoRequest};
use fake_cloud::{FakeCloud, Fault, Route};
use tests::{
    aliyun_download, dds_links, default_transport, download_and_compare, tencent_download, waiter,
};

/// What the downloader must make of a storage fault.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// The exact bytes arrive (retried, resumed or read whole).
    Intact,
    /// The download fails on the vendor's checksum and leaves no file.
    Corrupt,
}

/// Storage faults (injected into the next `times` downloads of the link) and their outcome,
/// the same for every vendor; only the checksum that catches corruption differs.
const TABLE: &[(Fault, u32, Expect)] = &[
    (Fault::ResetMidBody, 1, Expect::Intact),
    (Fault::TruncatedBody, 1, Expect::Intact),
    (Fault::ResetBeforeResponse, 1, Expect::Intact),
    (Fault::Status(503), 1, Expect::Intact),
    (Fault::Throttle, 1, Expect::Intact),
    (Fault::IgnoreRange, 100, Expect::Intact),
    (Fault::CorruptBody, 100, Expect::Corrupt),
];

const SIZE: u64 = 300 * 1024;

/// A download link of `vendor`'s, obtained through its client, and the checksum its storage
/// declares.
async fn link(cloud: &FakeCloud, vendor: &str) -> (String, &'static str) {
    let t = default_transport();
    match vendor {
        "aliyun" => {
            let c = tests::aliyun(cloud, &t.http);
            let created = c
                .create_download(&aliyun_download(LogicalFormat::Sql))
                .await
                .unwrap();
            let task = c
                .wait_for_download(&created.key, &waiter(), |_| {})
                .await
                .unwrap();
            let links = c
                .describe_download_backup_set_storage_info(&StorageInfoRequest::for_task(
                    &task.task_id,
                    Duration::from_secs(600),
                ))
                .await
                .unwrap();
            (links.public_url.unwrap().expose().to_owned(), "crc64ecma")
        }
        "tencent" => {
            let c = tests::tencent(cloud, &t.http);
            let request = tencent_download();
            c.create_backup_download_task(&request).await.unwrap();
            let tasks = c
                .wait_for_backup_download(&request, &waiter(), |_| {})
                .await
                .unwrap();
            (tasks[0].url.as_str().to_owned(), "crc64ecma")
        }
        _ => {
            let links = tests::huawei(cloud, &t.http)
                .dds()
                .show_backup_download_link(&dds_links())
                .await
                .unwrap();
            (links.files[0].download_link.as_str().to_owned(), "md5")
        }
    }
}

#[tokio::test]
async fn storage_faults_on_every_vendors_links_give_the_exact_bytes_or_a_checksum_error() {
    for vendor in ["aliyun", "tencent", "huawei"] {
        for &(fault, times, expect) in TABLE {
            let cloud = FakeCloud::builder().backup_size(SIZE).start().await;
            let (url, checksum) = link(&cloud, vendor).await;
            cloud.inject(Route::Storage, None, fault, times);
            let dir = tempfile::tempdir().unwrap();
            let case = format!("{vendor} link under {fault:?}");
            match expect {
                Expect::Intact => {
                    let report = download_and_compare(&cloud, &url, dir.path(), "f").await;
                    assert!(report.verified.contains(&checksum), "{case}: {report:?}");
                }
                Expect::Corrupt => {
                    let options = DownloadOptions {
                        connections: 2,
                        chunk_size: 128 * 1024,
                        ..DownloadOptions::default()
                    };
                    let dest = dir.path().join("f");
                    let err = Downloader::new()
                        .unwrap()
                        .download(&url, &dest, &options, None, &|_| {})
                        .await
                        .unwrap_err();
                    match &err {
                        DownloadError::ChecksumMismatch { kind, .. } => {
                            assert_eq!(*kind, checksum, "{case}")
                        }
                        other => panic!("{case}: expected a checksum mismatch, got {other}"),
                    }
                    let (part, meta) = part_paths(&dest);
                    assert!(
                        !dest.exists() && !part.exists() && !meta.exists(),
                        "{case}: no file, partial or final, after a failed verification"
                    );
                }
            }
        }
    }
}
