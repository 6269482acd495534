//! A lying vendor API, played by the tests' own hostile server (`tests::hostile`), which also
//! serves the objects its links point at: whatever names, groups, task ids and links the API
//! answers with, the export writes exactly one verified file per exported file, each under a
//! safe and distinct name inside the target directory, with the bytes of its own link — never
//! a file outside the directory, a leftover `.part`, or one file's bytes under another's name.
//! A link the storage keeps refusing is refreshed a bounded number of times, and the error names
//! the storage's code without the link's signature.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use backup_core::download::{DownloadError, DownloadOptions, DownloadReport, Downloader};
use backup_core::export::{
    AliyunExport, BackupExport, HuaweiBackup, HuaweiExport, WorkflowError, download_files,
};
use backup_core::names::SafeName;
use cloud_http::Endpoint;
use dbs_aliyun::LogicalFormat;
use fake_cloud::Object;
use serde_json::{Value, json};
use tests::hostile::{Body, Hostile, Reply, Request, ranged};
use tests::ids;

/// The project id the hostile Huawei API is called with.
const PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";

/// The signature every hostile link carries: it must never show in an error.
const SIGNATURE: &str = "SECRET-SIGNATURE";

/// The object behind link `i` of the hostile Huawei API: its own size and bytes, and an MD5
/// ETag (a `huawei/` key), so a download of it verifies.
fn object(i: usize) -> Object {
    Object::new(
        format!("huawei/obj/{i}"),
        1500 + 97 * i as u64,
        i as u64 + 1,
    )
}

/// An honest answer for `object`: ranges, its ETag and its checksum header, if any.
fn serve(req: &Request, object: &Object) -> Reply {
    let etag = object.etag();
    let checksum = object.checksum_header();
    let mut headers = vec![("etag", etag.as_str())];
    if let Some((name, value)) = &checksum {
        headers.push((name, value.as_str()));
    }
    ranged(req, &object.content(), &headers)
}

/// The storage's refusal of an expired link (OBS's S3-style XML).
fn denied() -> Reply {
    Reply::status(403)
        .header("content-type", "application/xml")
        .body(Body::Bytes(
            b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
                .to_vec(),
        ))
}

/// A signed link to `path` on the server that received `req` (links point back at it).
fn link(req: &Request, path: &str, version: usize) -> String {
    let host = req.header("host").unwrap_or("127.0.0.1");
    format!("http://{host}{path}?v={version}&Expires=4102444800&Signature={SIGNATURE}")
}

/// Whether `req` is a DDS `ShowBackupDownloadLink`.
fn is_show_links(req: &Request) -> bool {
    req.path() == format!("/v3/{PROJECT_ID}/backups/download-file")
}

/// A hostile Huawei DDS: `ShowBackupDownloadLink` lists `files` (`name`, `group_name`), file
/// `i` linked at `/obj/i?v=N&...` in the API's `N`-th answer and declared with
/// [`object`]`(i)`'s size; a request for `/obj/i` gets `storage(request, i)`.
async fn huawei_api(
    files: Vec<(String, Option<&'static str>)>,
    storage: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
) -> Hostile {
    let answers = AtomicUsize::new(0);
    Hostile::serve(move |req| {
        if is_show_links(req) {
            let version = answers.fetch_add(1, Ordering::SeqCst) + 1;
            let listed: Vec<Value> = files
                .iter()
                .enumerate()
                .map(|(i, (name, group))| {
                    let mut f = json!({
                        "name": name,
                        "size": object(i).size.div_ceil(1024),
                        "download_link": link(req, &format!("/obj/{i}"), version),
                        "link_expired_time": "2099-01-01T00:00:00+0000",
                    });
                    if let Some(group) = group {
                        f["group_id"] = json!(format!("group-{i}"));
                        f["group_name"] = json!(group);
                    }
                    f
                })
                .collect();
            return Reply::json(&json!({"files": listed, "bucket": "hostile-obs"}));
        }
        match req
            .path()
            .strip_prefix("/obj/")
            .and_then(|i| i.parse().ok())
        {
            Some(i) => storage(req, i),
            None => Reply::status(404),
        }
    })
    .await
}

/// An honest store for [`huawei_api`].
fn honest(req: &Request, i: usize) -> Reply {
    serve(req, &object(i))
}

/// The DDS export of the example backup through the hostile API at `server`.
fn huawei_export(server: &Hostile) -> HuaweiExport {
    let client = rds_huawei::Client::builder()
        .region("cn-north-4")
        .endpoint(Endpoint::parse(&server.base).expect("the server's endpoint"))
        .http_client(tests::default_transport().http)
        .credentials(rds_huawei::Credentials::new("HPUAHOSTILE", "sk").with_project_id(PROJECT_ID))
        .build()
        .expect("a Huawei client");
    HuaweiExport::new(
        client,
        HuaweiBackup::Dds {
            instance_id: ids::DDS_INSTANCE.into(),
            backup_id: ids::DDS_BACKUP.into(),
        },
    )
}

/// How many `ShowBackupDownloadLink` requests `server` received.
fn show_links_calls(server: &Hostile) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| is_show_links(r))
        .count()
}

/// A temporary `root` (inside a sandbox, so that even `../..` from `root/to` stays in sight)
/// and the download directory `root/to`.
struct Sandbox {
    dir: tempfile::TempDir,
    root: PathBuf,
    to: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path().join("root");
        std::fs::create_dir(&root).expect("root");
        let to = root.join("to");
        Sandbox { dir, root, to }
    }

    /// Exports with `export` and downloads every file into `root/to`.
    async fn export_into(
        &self,
        export: &dyn BackupExport,
    ) -> Result<Vec<DownloadReport>, WorkflowError> {
        let files = export.export(&|_| {}).await.expect("the export's files");
        let downloader = Downloader::new().expect("a downloader");
        let options = DownloadOptions::default();
        download_files(export, &files, &self.to, &downloader, &options, &|_| {}).await
    }

    /// `root/to` holds exactly one regular file per report, each under its own safe name and
    /// with `contents[i]` for report `i`, and nothing else exists anywhere in the sandbox.
    fn assert_downloaded(&self, reports: &[DownloadReport], contents: &[Vec<u8>]) {
        assert_eq!(
            reports.len(),
            contents.len(),
            "one report per exported file"
        );
        for path in walk(self.dir.path()) {
            let inside = path.parent() == Some(self.to.as_path())
                && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
            assert!(
                path == self.root || path == self.to || inside,
                "{} was created outside {} (or is not a regular file)",
                path.display(),
                self.to.display()
            );
        }
        assert!(
            !self.root.join("outside").exists(),
            "root/outside was created"
        );
        let reported: BTreeSet<&Path> = reports.iter().map(|r| r.path.as_path()).collect();
        assert_eq!(
            reported.len(),
            reports.len(),
            "every report has its own path"
        );
        let listed: Vec<PathBuf> = walk(&self.to);
        let listed: BTreeSet<&Path> = listed.iter().map(PathBuf::as_path).collect();
        assert_eq!(listed, reported, "root/to holds exactly the reported files");
        for (i, (report, content)) in reports.iter().zip(contents).enumerate() {
            let name = report
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("");
            assert!(
                SafeName::new("name", name).is_ok(),
                "file {i}: unsafe name {name:?}"
            );
            let on_disk = std::fs::read(&report.path).expect("the downloaded file");
            assert!(
                on_disk == *content,
                "file {i} ({name:?}) holds another file's bytes"
            );
        }
    }
}

/// Every entry below `dir`, links not followed.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

/// Names and groups that would be paths, escapes, terminal controls, the downloader's own
/// suffixes or too long if used as they come: every file still lands in `root/to`, once, under
/// a safe name distinct from the others', verified, with the bytes of its own link.
#[tokio::test]
async fn hostile_names_and_groups_stay_data_inside_the_directory() {
    let grouped = [("same.tar", "a/b"), ("same.tar", "../../outside")];
    let names = [
        "",
        ".",
        "..",
        "x/",
        "x/.",
        "x/..",
        "../outside/pwned",
        "/abs",
        "a.tar.part",
        "a.tar.part.json",
        "a.tar",
        "\u{1b}[31mred",
    ];
    let long = format!("{}.tar", "é".repeat(148));
    assert_eq!(long.len(), 300);
    let files: Vec<(String, Option<&str>)> = grouped
        .iter()
        .map(|(name, group)| (name.to_string(), Some(*group)))
        .chain(names.iter().map(|name| (name.to_string(), None)))
        .chain([(long, None)])
        .collect();
    let count = files.len();
    let server = huawei_api(files, honest).await;
    let sandbox = Sandbox::new();

    let reports = sandbox.export_into(&huawei_export(&server)).await.unwrap();

    let contents: Vec<Vec<u8>> = (0..count).map(|i| object(i).content()).collect();
    sandbox.assert_downloaded(&reports, &contents);
    for report in &reports {
        assert!(report.verified.contains(&"md5"), "{report:?}");
    }
}

/// A DBS task id that is a path (`../outside/pwned`) and a public link whose path has no file
/// name (`/?Expires=..&Signature=..`): the one file lands in `root/to` under a safe name,
/// verified against the storage's CRC-64, and nothing is written outside.
#[tokio::test]
async fn a_hostile_aliyun_task_id_and_a_link_without_a_file_name_stay_inside() {
    const TASK_ID: &str = "../outside/pwned";
    let backup = Object::new("aliyun/backup", 5000, 7);
    let stored = backup.clone();
    let server = Hostile::serve(move |req| {
        let data = match req.header("x-acs-action") {
            None => return serve(req, &stored),
            Some("CreateDownload") => json!({"TaskId": TASK_ID, "DownloadStatus": "initializing"}),
            Some("DescribeDownloadTask") => json!({
                "Content": {"List": [{"TaskId": TASK_ID, "DownloadStatus": "finished"}]},
                "PageNumber": 1, "PageSize": 50, "TotalElements": 1, "TotalPages": 1,
            }),
            Some("DescribeDownloadBackupSetStorageInfo") => json!({
                "PublicUrl": link(req, "/", 1),
                "ExpirationTime": 4_102_444_800_000_i64,
            }),
            Some(_) => return Reply::status(404),
        };
        Reply::json(&json!({
            "RequestId": "HOSTILE-1", "Success": "true", "Code": "200", "Data": data,
        }))
    })
    .await;
    let client = dbs_aliyun::Client::builder()
        .region("cn-hangzhou")
        .credentials(dbs_aliyun::Credentials::new("LTAIHOSTILE", "secret"))
        .endpoint(Endpoint::parse(&server.base).expect("the server's endpoint"))
        .http_client(tests::default_transport().http)
        .build()
        .expect("an Aliyun client");
    let export = AliyunExport::new(
        client,
        tests::aliyun_download(LogicalFormat::Sql),
        tests::waiter(),
        Duration::from_secs(3600),
    );
    let sandbox = Sandbox::new();

    let reports = sandbox.export_into(&export).await.unwrap();

    sandbox.assert_downloaded(&reports, &[backup.content()]);
    assert!(
        reports[0].verified.contains(&"crc64ecma"),
        "{:?}",
        reports[0]
    );
}

/// Two files of the same name (no group) whose links differ: when the storage refuses the
/// second file's first link, the refresh asks the API again and takes the second file's new
/// link, so each file ends with its own bytes (never the first file's, verified by its MD5).
#[tokio::test]
async fn a_refreshed_link_is_the_link_of_the_same_file() {
    let files = vec![
        ("same.tar".to_string(), None),
        ("same.tar".to_string(), None),
    ];
    let server = huawei_api(files, |req, i| {
        if i == 1 && req.target.contains("?v=1&") {
            denied()
        } else {
            honest(req, i)
        }
    })
    .await;
    let sandbox = Sandbox::new();

    let reports = sandbox.export_into(&huawei_export(&server)).await.unwrap();

    sandbox.assert_downloaded(&reports, &[object(0).content(), object(1).content()]);
    assert_eq!(
        show_links_calls(&server),
        2,
        "the links were asked for again once"
    );
    assert_eq!(
        (reports[0].refreshes, reports[1].refreshes),
        (0, 1),
        "only the second file's link was refreshed"
    );
    let fetched: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.path() == "/obj/1")
        .map(|r| r.target.split('&').next().unwrap_or("").to_owned())
        .collect();
    assert!(
        fetched.first().is_some_and(|t| t == "/obj/1?v=1")
            && fetched[1..].iter().all(|t| t == "/obj/1?v=2"),
        "the second file was fetched through its first link, then its refreshed one: {fetched:?}"
    );
}

/// A link the storage refuses whatever its version: the downloader refreshes it through the API
/// at most 3 times, then fails with the storage's 403 and its code (`AccessDenied`), and neither
/// the error nor its text holds the link's signature.
#[tokio::test]
async fn a_permanent_403_is_refreshed_at_most_three_times_and_reported_without_the_signature() {
    let server = huawei_api(vec![("backup.tar".to_string(), None)], |_, _| denied()).await;
    let sandbox = Sandbox::new();

    let err = sandbox
        .export_into(&huawei_export(&server))
        .await
        .unwrap_err();

    let refreshes = show_links_calls(&server) - 1;
    assert!((1..=3).contains(&refreshes), "{refreshes} refreshes");
    match &err {
        WorkflowError::Download {
            source:
                DownloadError::Status {
                    status: 403,
                    detail,
                    ..
                },
            ..
        } => assert!(
            detail
                .as_deref()
                .is_some_and(|d| d.contains("AccessDenied")),
            "{detail:?}"
        ),
        other => panic!("expected the storage's 403, got {other}"),
    }
    let text = err.to_string();
    assert!(
        !text.contains("Signature=") && !text.contains(SIGNATURE),
        "{text}"
    );
    assert!(!format!("{err:?}").contains(SIGNATURE), "{err:?}");
    assert!(walk(&sandbox.to).is_empty(), "nothing is left in root/to");
}
