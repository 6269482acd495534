//! `cloud-backup demo`: the whole stack, end to end, against `fake-cloud` started in this
//! process with its own credentials: for each cloud, start the export, wait for it, get the
//! links, then download every file into a temporary directory and verify it.
//!
//! Links are printed with their query string cut, as anything that is not a command's own
//! answer must print them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use backup_core::aliyun::{
    self, CreateDownloadRequest, DownloadSource, DownloadTarget, Export, LogicalFormat,
    StorageInfoRequest,
};
use backup_core::archive;
use backup_core::cloud_http::{Endpoint, HttpClient, WaiterConfig};
use backup_core::cloud_sign::Credentials;
use backup_core::download::{DownloadOptions, Downloader, display_url};
use backup_core::huawei::{self, BackupStatus, dds};
use backup_core::tencent::{self, CreateBackupDownloadTaskRequest, DescribeDbBackupsRequest};
use fake_cloud::FakeCloud;

use crate::cli::api_http;
use crate::error::Failure;

/// The example ids of the emulator's default catalogue.
/// A cloud-disk RDS instance: its backups are snapshots, exported through DBS.
const ALIYUN_INSTANCE: &str = "rm-bp1cloud0001";
const TENCENT_INSTANCE: &str = "cmgo-p8vnipr5";
const HUAWEI_INSTANCE: &str = "befb1cfe1f96403780396b0c54f85d11in02";

/// Polls quickly: the emulator finishes a task in two polls.
fn waiter() -> WaiterConfig {
    WaiterConfig {
        min_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(200),
        max_wait: Duration::from_secs(30),
    }
}

/// Prints one step of a flow: the API action (or what is done) and what came back.
fn step(what: &str, result: impl AsRef<str>) {
    println!("  {what:<38} {}", result.as_ref());
}

/// What the flows share.
struct Demo {
    clients: Clients,
    downloader: Downloader,
    dir: PathBuf,
}

/// Clients of the emulator, with its own credentials, in any region.
struct Clients {
    endpoint: Endpoint,
    http: HttpClient,
    keys: [Credentials; 3],
}

impl Clients {
    fn aliyun(&self, region: &str) -> Result<aliyun::Client, backup_core::cloud_http::Error> {
        aliyun::Client::builder()
            .region(region)
            .credentials(self.keys[0].clone())
            .endpoint(self.endpoint.clone())
            .http_client(self.http.clone())
            .build()
    }

    fn tencent(&self, region: &str) -> Result<tencent::Client, backup_core::cloud_http::Error> {
        tencent::Client::builder()
            .region(region)
            .credentials(self.keys[1].clone())
            .endpoint(self.endpoint.clone())
            .http_client(self.http.clone())
            .build()
    }

    fn huawei(&self, region: &str) -> Result<huawei::Client, backup_core::cloud_http::Error> {
        huawei::Client::builder()
            .region(region)
            .credentials(self.keys[2].clone())
            .endpoint(self.endpoint.clone())
            .iam_endpoint(self.endpoint.clone())
            .http_client(self.http.clone())
            .build()
    }
}

impl archive::Connect for Clients {
    fn aliyun(&self, region: &str) -> Result<aliyun::Client, archive::ConnectError> {
        Ok(Clients::aliyun(self, region)?)
    }
    fn tencent(&self, region: &str) -> Result<tencent::Client, archive::ConnectError> {
        Ok(Clients::tencent(self, region)?)
    }
    fn huawei(
        &self,
        region: &str,
        _project_id: Option<&str>,
    ) -> Result<huawei::Client, archive::ConnectError> {
        Ok(Clients::huawei(self, region)?)
    }
    fn waiter(&self) -> WaiterConfig {
        waiter()
    }
    fn allow_http(&self) -> bool {
        true
    }
}

/// The demo's archive plan: one source per cloud into `dest`.
fn demo_plan(dest: &std::path::Path) -> String {
    format!(
        r#"[destination]
url = "{}"
[retention]
keep_last = 3
[[source]]
cloud = "aliyun"
product = "rds"
instance = "rm-bp1local0001"
region = "cn-hangzhou"
[[source]]
cloud = "tencent"
instance = "{TENCENT_INSTANCE}"
region = "ap-guangzhou"
[[source]]
cloud = "huawei"
service = "dds"
instance = "{HUAWEI_INSTANCE}"
region = "cn-north-4"
"#,
        dest.display()
    )
}

/// Runs the three flows and prints what each step did.
pub async fn run() -> Result<(), Failure> {
    let started = Instant::now();
    let cloud = FakeCloud::builder().task_pace(2).start().await;
    let dir = tempfile::tempdir()
        .map_err(|e| Failure::service(format!("cannot create a temporary directory: {e}")))?;
    let demo = Demo {
        clients: Clients {
            endpoint: Endpoint::parse(&cloud.endpoint())?,
            http: api_http(true)?,
            keys: [
                cloud.aliyun_credentials(),
                cloud.tencent_credentials(),
                cloud.huawei_credentials(),
            ],
        },
        downloader: Downloader::new()?,
        dir: dir.path().to_owned(),
    };
    println!(
        "cloud-backup demo: the three clouds' backup APIs, emulated by fake-cloud at {}",
        cloud.endpoint()
    );
    println!(
        "(in this process, with the emulator's own credentials: nothing to configure, nothing \
         leaves this machine)"
    );
    let files = demo.aliyun().await? + demo.tencent().await? + demo.huawei().await?;
    demo.archive().await?;
    println!(
        "\nDone in {:.1} s: {files} backup files exported, downloaded and verified through the \
         same code paths as against the real clouds.",
        started.elapsed().as_secs_f64()
    );
    println!("Next: `cloud-backup --help`, then `cloud-backup aliyun create-download --help`.");
    Ok(())
}

/// `statuses` of a run report: `archived 3`, `skipped 3`.
fn tally(report: &archive::RunReport) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for b in report.sources.iter().flat_map(|s| &s.backups) {
        let status = serde_json::to_value(b.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        *counts.entry(status).or_default() += 1;
    }
    counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Demo {
    /// Downloads `url` into the temporary directory as `name` and prints what was verified.
    async fn download(&self, url: &str, name: &str, size: Option<u64>) -> Result<usize, Failure> {
        let options = DownloadOptions {
            expected_size: size,
            ..DownloadOptions::default()
        };
        let report = self
            .downloader
            .download(url, &self.dir.join(name), &options, None, &|_| {})
            .await?;
        step(
            "download",
            format!(
                "{name}: {} bytes, verified {}",
                report.bytes,
                report.verified.join(", ")
            ),
        );
        Ok(1)
    }

    /// Aliyun: RDS DescribeBackups (the newest successful set), DBS CreateDownload to URL,
    /// wait, DescribeDownloadBackupSetStorageInfo, download.
    /// The archive: a plan of one database per cloud into a temporary directory, run twice
    /// (the second skips everything), then verified.
    async fn archive(&self) -> Result<(), Failure> {
        println!(
            "\nThe archive (`cloud-backup archive`): the newest backup of one database per cloud, \
             into a local destination"
        );
        let dest = self.dir.join("archive");
        let plan =
            archive::plan::parse(&demo_plan(&dest)).map_err(|e| Failure::service(e.to_string()))?;
        let runner = archive::Archive::new(&plan, &self.clients, &|_| {})
            .map_err(|e| Failure::service(e.to_string()))?;
        let options = archive::RunOptions::new();
        for what in ["archive run", "archive run again"] {
            let report = runner.run(&options).await;
            if report.outcome() != archive::Outcome::Ok {
                return Err(Failure::service(format!(
                    "{what} failed: {}",
                    serde_json::to_string(&report).unwrap_or_default()
                )));
            }
            step(what, tally(&report));
        }
        let verified = runner.verify(&options).await;
        if !verified.ok() {
            return Err(Failure::service("archive verify found a mismatch"));
        }
        step(
            "archive verify",
            format!(
                "{} file(s) re-read from the destination, SHA-256 as in their manifests",
                verified.files.len()
            ),
        );
        Ok(())
    }

    async fn aliyun(&self) -> Result<usize, Failure> {
        println!(
            "\nAlibaba Cloud RDS + DBS: the newest backup set of {ALIYUN_INSTANCE} (a cloud-disk \
             instance), exported by DBS advanced download to a URL"
        );
        let client = self.clients.aliyun("cn-hangzhou")?;
        let sets = backup_core::backups::aliyun_rds(&client, ALIYUN_INSTANCE).await?;
        let newest = backup_core::backups::select(&sets, &backup_core::backups::Selection::Latest)
            .ok_or_else(|| Failure::service("RDS DescribeBackups listed no successful set"))?
            .clone();
        step(
            "DescribeBackups (RDS)",
            format!("{} sets; the newest successful: {}", sets.len(), newest.id),
        );
        let request = CreateDownloadRequest::new(
            ALIYUN_INSTANCE,
            DownloadSource::BackupSet {
                id: newest.id.clone(),
                size: newest.size_bytes,
            },
            Export::Logical(LogicalFormat::Csv),
            DownloadTarget::Url,
        );
        let created = client.create_download(&request).await?;
        step("CreateDownload", crate::aliyun::task_state(&created.task));
        let task = client
            .wait_for_download(&created.key, &waiter(), |t| {
                step("DescribeDownloadTask", crate::aliyun::task_state(t))
            })
            .await?;
        let links = client
            .describe_download_backup_set_storage_info(&StorageInfoRequest::for_task(
                &task.task_id,
                Duration::from_secs(3600),
            ))
            .await?;
        let url = links.public_url.ok_or_else(|| {
            Failure::service("DescribeDownloadBackupSetStorageInfo returned no PublicUrl")
        })?;
        step(
            "DescribeDownloadBackupSetStorageInfo",
            display_url(url.expose()),
        );
        let name = format!("{}.csv", newest.id);
        self.download(url.expose(), &name, None).await
    }

    /// Tencent MongoDB: DescribeDBBackups, CreateBackupDownloadTask for the replica set, wait,
    /// download each task's Url.
    async fn tencent(&self) -> Result<usize, Failure> {
        println!(
            "\nTencent Cloud MongoDB: the newest backup of {TENCENT_INSTANCE}, every replica set"
        );
        let client = self.clients.tencent("ap-guangzhou")?;
        let backups = client
            .describe_db_backups(&DescribeDbBackupsRequest::new(TENCENT_INSTANCE))
            .await?;
        let newest = backups.newest_successful().ok_or_else(|| {
            Failure::service(format!("{TENCENT_INSTANCE} has no finished backup"))
        })?;
        step(
            "DescribeDBBackups",
            format!(
                "{} backup(s); newest {:?}, {} KB",
                backups.total_count, newest.backup_name, newest.backup_size_kb
            ),
        );
        // A replica-set instance has one replica set, `<instance>_0`.
        let request = CreateBackupDownloadTaskRequest::new(
            TENCENT_INSTANCE,
            &newest.backup_name,
            [format!("{TENCENT_INSTANCE}_0")],
        );
        let created = client.create_backup_download_task(&request).await?;
        let started: Vec<String> = created
            .tasks
            .iter()
            .map(|t| format!("{} {}", t.replica_set_id, t.status))
            .collect();
        step("CreateBackupDownloadTask", started.join(", "));
        let tasks = client
            .wait_for_backup_download(&request, &waiter(), |tasks| {
                step(
                    "DescribeBackupDownloadTask",
                    crate::tencent::tasks_state(tasks),
                )
            })
            .await?;
        let mut files = 0;
        for task in &tasks {
            step("Url", display_url(task.url.as_str()));
            let name = format!("{}.tar", task.replica_set_id);
            files += self
                .download(task.url.as_str(), &name, Some(task.backup_size_bytes))
                .await?;
        }
        Ok(files)
    }

    /// Huawei DDS: project id through IAM, ListBackups, ShowBackupDownloadLink, download each
    /// shard's file.
    async fn huawei(&self) -> Result<usize, Failure> {
        println!("\nHuawei Cloud DDS: the newest backup of {HUAWEI_INSTANCE}, one file per shard");
        let client = self.clients.huawei("cn-north-4")?;
        let project = client.project_id().await?;
        step(
            "KeystoneListProjects (IAM)",
            format!("project id {project} for cn-north-4"),
        );
        let listed = client
            .dds()
            .list_backups(&dds::ListBackupsRequest {
                instance_id: Some(HUAWEI_INSTANCE.into()),
                ..Default::default()
            })
            .await?;
        let newest = listed
            .backups
            .iter()
            .filter(|b| b.status == Some(BackupStatus::Completed))
            .max_by_key(|b| b.begin_time.as_ref().and_then(|t| t.datetime()))
            .ok_or_else(|| {
                Failure::service(format!("{HUAWEI_INSTANCE} has no completed backup"))
            })?;
        step(
            "ListBackups",
            format!(
                "{} backup(s); newest {} ({}), {} KB",
                listed.total_count, newest.id, newest.name, newest.size_kb
            ),
        );
        let links = client
            .dds()
            .show_backup_download_link(&dds::ShowBackupDownloadLinkRequest::new(
                HUAWEI_INSTANCE,
                &newest.id,
            ))
            .await?;
        step(
            "ShowBackupDownloadLink",
            format!("{} file(s) in bucket {}", links.files.len(), links.bucket),
        );
        let mut files = 0;
        for file in &links.files {
            step(
                "download_link",
                format!(
                    "{}: {}",
                    file.name,
                    display_url(file.download_link.as_str())
                ),
            );
            files += self
                .download(file.download_link.as_str(), &file.name, None)
                .await?;
        }
        Ok(files)
    }
}
