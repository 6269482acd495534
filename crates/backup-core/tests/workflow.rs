//! The vendor-neutral workflow against the emulator: export, wait, download, verify, and
//! refresh expired links through each vendor's API.

use std::sync::Mutex;
use std::time::Duration;

use backup_core::aliyun as dbs;
use backup_core::cloud_http::{Endpoint, HttpClient, HttpConfig, WaiterConfig};
use backup_core::download::DownloadOptions;
use backup_core::export::{
    AliyunExport, BackupExport, DeclaredSize, ExportProgress, HuaweiBackup, HuaweiExport,
    TencentExport, export_and_download,
};
use backup_core::{huawei, tencent};
use fake_cloud::{FakeCloud, Route};

fn http() -> HttpClient {
    HttpClient::builder()
        .config(HttpConfig {
            allow_http: true,
            ..HttpConfig::default()
        })
        .build()
        .unwrap()
}

fn endpoint(cloud: &FakeCloud) -> Endpoint {
    Endpoint::parse(&cloud.endpoint()).unwrap()
}

fn fast_waiter() -> WaiterConfig {
    WaiterConfig {
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_wait: Duration::from_secs(30),
    }
}

fn options() -> DownloadOptions {
    DownloadOptions {
        connections: 2,
        chunk_size: 256 * 1024,
        ..DownloadOptions::default()
    }
}

async fn run(
    cloud: &FakeCloud,
    export: &dyn BackupExport,
) -> (tempfile::TempDir, Vec<ExportProgress>) {
    let dir = tempfile::tempdir().unwrap();
    let seen = Mutex::new(Vec::new());
    let files = Mutex::new(Vec::new());
    let reports = export_and_download(
        export,
        dir.path(),
        &options(),
        &|p| seen.lock().unwrap().push(p.clone()),
        &|f| {
            let mut files = files.lock().unwrap();
            let entry = (f.name.to_owned(), f.index, f.count);
            if files.last() != Some(&entry) {
                files.push(entry);
            }
        },
    )
    .await
    .unwrap();
    assert!(!reports.is_empty());
    // Download events name each file in turn, 1 of N to N of N.
    let files = files.into_inner().unwrap();
    let order: Vec<(usize, usize)> = files.iter().map(|(_, i, n)| (*i, *n)).collect();
    let n = reports.len();
    assert_eq!(
        order,
        (1..=n).map(|i| (i, n)).collect::<Vec<_>>(),
        "{files:?}"
    );
    for ((name, _, _), report) in files.iter().zip(&reports) {
        assert!(
            report.path.ends_with(name),
            "{name} vs {}",
            report.path.display()
        );
    }
    // Every object the emulator issued a link for arrived intact, each in its own file.
    let mut on_disk: Vec<Vec<u8>> = reports
        .iter()
        .map(|r| std::fs::read(&r.path).unwrap())
        .collect();
    let mut expected: Vec<Vec<u8>> = cloud.objects().iter().map(|o| o.content()).collect();
    on_disk.sort();
    expected.sort();
    assert!(
        on_disk == expected,
        "downloaded files differ from the emulator's objects"
    );
    for r in &reports {
        assert!(r.verified.contains(&"size"));
    }
    for r in cloud.requests_to(Route::Storage) {
        assert!(r.header("authorization").is_none());
    }
    (dir, seen.into_inner().unwrap())
}

/// A DBS export of the emulator's example backup set, as CSV.
fn aliyun_export(cloud: &FakeCloud) -> AliyunExport {
    aliyun_export_of(cloud, dbs::DownloadSource::backup_set("1234567890"))
}

/// A DBS export of `source` of the catalogue's Aliyun instance.
fn aliyun_export_of(cloud: &FakeCloud, source: dbs::DownloadSource) -> AliyunExport {
    let client = dbs::Client::builder()
        .region("cn-hangzhou")
        .credentials(cloud.aliyun_credentials())
        .endpoint(endpoint(cloud))
        .http_client(http())
        .build()
        .unwrap();
    let request = dbs::CreateDownloadRequest::new(
        "rm-bp1example",
        source,
        dbs::Export::Logical(dbs::LogicalFormat::Csv),
        dbs::DownloadTarget::Url,
    );
    AliyunExport::new(client, request, fast_waiter(), Duration::from_secs(3600))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliyun_export_downloads_and_verifies_crc64() {
    let cloud = FakeCloud::builder().task_pace(2).start().await;
    let export = aliyun_export(&cloud);
    assert_eq!(export.vendor(), "aliyun");
    let (dir, progress) = run(&cloud, &export).await;
    assert!(!progress.is_empty(), "progress was reported");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_directory_fails_before_the_export_starts() {
    let cloud = FakeCloud::builder().task_pace(2).start().await;
    let export = aliyun_export(&cloud);
    let root = tempfile::tempdir().unwrap();
    // A file where the directory should be (a read-only mount fails the same way; the tests
    // run as root, which permissions do not stop).
    let blocked = root.path().join("file");
    std::fs::write(&blocked, b"x").unwrap();
    let err = export_and_download(&export, &blocked.join("to"), &options(), &|_| {}, &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, backup_core::export::WorkflowError::Io { .. }),
        "{err}"
    );
    assert!(
        cloud.requests().is_empty(),
        "no export was started: {:?}",
        cloud
            .requests()
            .iter()
            .map(|r| &r.action)
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tencent_export_downloads_every_replica_set() {
    let cloud = FakeCloud::builder().task_pace(2).start().await;
    let client = tencent::Client::builder()
        .region("ap-guangzhou")
        .credentials(cloud.tencent_credentials())
        .endpoint(endpoint(&cloud))
        .http_client(http())
        .build()
        .unwrap();
    let request = tencent::CreateBackupDownloadTaskRequest::new(
        "cmgo-dygv1rnp",
        "cmgo-dygv1rnp_2021-03-26 10:44",
        ["cmgo-dygv1rnp_0", "cmgo-dygv1rnp_1"],
    );
    let export = TencentExport::new(client, request, fast_waiter());
    let files = export.export(&|_| {}).await.unwrap();
    assert_eq!(files.len(), 2);
    assert!(
        files
            .iter()
            .all(|f| f.size == Some(DeclaredSize::Bytes(1 << 20)))
    );
    assert!(
        !format!("{files:?}").contains("Signature="),
        "links redacted in Debug"
    );
    let (dir, _) = run(&cloud, &export).await;
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

fn huawei_client(cloud: &FakeCloud, http: HttpClient) -> huawei::Client {
    huawei::Client::builder()
        .region("cn-north-4")
        .credentials(cloud.huawei_credentials())
        .endpoint(endpoint(cloud))
        .iam_endpoint(endpoint(cloud))
        .http_client(http)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huawei_dds_export_downloads_each_shard() {
    let cloud = FakeCloud::start().await;
    let export = HuaweiExport::new(
        huawei_client(&cloud, http()),
        HuaweiBackup::Dds {
            instance_id: "befb1cfe1f96403780396b0c54f85d11in02".into(),
            backup_id: "bd062e1af2d248b3bb4cd3dbb4183888br02".into(),
        },
    );
    let (dir, _) = run(&cloud, &export).await;
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_huawei_link_is_refreshed_through_the_api() {
    let cloud = FakeCloud::builder().backup_size(2 << 20).start().await;
    let clock = backup_core::cloud_http::testing::ManualClock::new(std::time::SystemTime::now());
    let http = HttpClient::builder()
        .config(HttpConfig {
            allow_http: true,
            ..HttpConfig::default()
        })
        .clock(std::sync::Arc::new(clock.clone()))
        .build()
        .unwrap();
    let export = HuaweiExport::new(
        huawei_client(&cloud, http),
        HuaweiBackup::Rds {
            backup_id: "c0c9f155c7b7423a9d30f0175998b63bbr01".into(),
        },
    );
    let files = export.export(&|_| {}).await.unwrap();
    assert_eq!(files.len(), 1);
    // Sixteen minutes later (for the emulator and for our clock) the link is dead; the download
    // must ask the API for a new one.
    cloud.set_clock_skew(16 * 60);
    clock.advance(Duration::from_secs(16 * 60));
    let dir = tempfile::tempdir().unwrap();
    let downloader = backup_core::download::Downloader::new().unwrap();
    let reports = backup_core::export::download_files(
        &export,
        &files,
        dir.path(),
        &downloader,
        &options(),
        &|_| {},
    )
    .await;
    let reports = match reports {
        Ok(r) => r,
        Err(e) => panic!("refresh failed: {e}"),
    };
    assert!(reports[0].refreshes >= 1);
    let shows = cloud
        .requests()
        .iter()
        .filter(|r| r.action == "ShowBackupDownloadLink")
        .count();
    assert!(shows >= 2, "the link was asked for again");
}

/// One file that fails (its name is taken by a directory) does not stop the others:
/// `download_each` gives every file's outcome, and the strict `download_files` the failure.
#[tokio::test]
async fn a_failed_file_does_not_stop_the_others() {
    let cloud = FakeCloud::start().await;
    let export = HuaweiExport::new(
        huawei_client(&cloud, http()),
        HuaweiBackup::Dds {
            instance_id: "befb1cfe1f96403780396b0c54f85d11in02".into(),
            backup_id: "bd062e1af2d248b3bb4cd3dbb4183888br02".into(),
        },
    );
    let files = export.export(&|_| {}).await.unwrap();
    assert_eq!(files.len(), 2);
    let names = backup_core::export::local_names(&files);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(names[0].as_str())).unwrap();
    let downloader = backup_core::download::Downloader::new().unwrap();
    let outcomes = backup_core::export::download_each(
        &export,
        &files,
        dir.path(),
        &downloader,
        &options(),
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes[0].result.is_err(), "{:?}", outcomes[0].result);
    assert_eq!(outcomes[0].name, names[0].as_str());
    let second = outcomes[1]
        .result
        .as_ref()
        .expect("the second file downloads");
    assert!(!second.skipped);
    let on_disk = std::fs::read(&outcomes[1].path).unwrap();
    assert!(cloud.objects().iter().any(|o| o.content() == on_disk));
    // The strict form reports the failure (the second file, already there, is skipped).
    let err = backup_core::export::download_files(
        &export,
        &files,
        dir.path(),
        &downloader,
        &options(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains(names[0].as_str()), "{err}");
}

/// Files that declare more than the destination can hold are refused before the first byte.
#[tokio::test]
async fn too_little_free_space_is_refused_before_downloading() {
    let cloud = FakeCloud::start().await;
    let export = HuaweiExport::new(
        huawei_client(&cloud, http()),
        HuaweiBackup::Rds {
            backup_id: "c0c9f155c7b7423a9d30f0175998b63bbr01".into(),
        },
    );
    let mut files = export.export(&|_| {}).await.unwrap();
    // As if the API declared an exabyte.
    files[0].size = Some(DeclaredSize::Bytes(1 << 60));
    let dir = tempfile::tempdir().unwrap();
    cloud.clear_requests();
    let downloader = backup_core::download::Downloader::new().unwrap();
    let err = backup_core::export::download_each(
        &export,
        &files,
        dir.path(),
        &downloader,
        &options(),
        &|_| {},
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, backup_core::export::WorkflowError::NoSpace { .. }),
        "{text}"
    );
    assert!(text.contains("free") && text.contains("1.0 EiB"), "{text}");
    assert!(
        cloud.requests_to(Route::Storage).is_empty(),
        "not a byte asked for"
    );
}

/// A backup set whose declared size the destination cannot hold is refused before the DBS
/// task is created (it could run for hours).
#[tokio::test]
async fn a_set_larger_than_the_free_space_is_refused_before_the_export() {
    let cloud = FakeCloud::start().await;
    let export = aliyun_export_of(
        &cloud,
        dbs::DownloadSource::BackupSet {
            id: "1234567890".into(),
            size: Some(1 << 60),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let err = backup_core::export::export_each(&export, dir.path(), &options(), &|_| {}, &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, backup_core::export::WorkflowError::NoSpace { .. }),
        "{err}"
    );
    assert!(cloud.requests().is_empty(), "nothing was asked of the API");
}
