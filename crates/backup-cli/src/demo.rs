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
use backup_core::cloud_http::{Endpoint, HttpClient, WaiterConfig};
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
    endpoint: Endpoint,
    http: HttpClient,
    downloader: Downloader,
    dir: PathBuf,
}

/// Runs the three flows and prints what each step did.
pub async fn run() -> Result<(), Failure> {
    let started = Instant::now();
    let cloud = FakeCloud::builder().task_pace(2).start().await;
    let dir = tempfile::tempdir()
        .map_err(|e| Failure::service(format!("cannot create a temporary directory: {e}")))?;
    let demo = Demo {
        endpoint: Endpoint::parse(&cloud.endpoint())?,
        http: api_http(true)?,
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
    let files =
        demo.aliyun(&cloud).await? + demo.tencent(&cloud).await? + demo.huawei(&cloud).await?;
    println!(
        "\nDone in {:.1} s: {files} backup files exported, downloaded and verified through the \
         same code paths as against the real clouds.",
        started.elapsed().as_secs_f64()
    );
    println!("Next: `cloud-backup --help`, then `cloud-backup aliyun create-download --help`.");
    Ok(())
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
    async fn aliyun(&self, cloud: &FakeCloud) -> Result<usize, Failure> {
        println!(
            "\nAlibaba Cloud RDS + DBS: the newest backup set of {ALIYUN_INSTANCE} (a cloud-disk \
             instance), exported by DBS advanced download to a URL"
        );
        let client = aliyun::Client::builder()
            .region("cn-hangzhou")
            .credentials(cloud.aliyun_credentials())
            .endpoint(self.endpoint.clone())
            .http_client(self.http.clone())
            .build()?;
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
    async fn tencent(&self, cloud: &FakeCloud) -> Result<usize, Failure> {
        println!(
            "\nTencent Cloud MongoDB: the newest backup of {TENCENT_INSTANCE}, every replica set"
        );
        let client = tencent::Client::builder()
            .region("ap-guangzhou")
            .credentials(cloud.tencent_credentials())
            .endpoint(self.endpoint.clone())
            .http_client(self.http.clone())
            .build()?;
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
    async fn huawei(&self, cloud: &FakeCloud) -> Result<usize, Failure> {
        println!("\nHuawei Cloud DDS: the newest backup of {HUAWEI_INSTANCE}, one file per shard");
        let client = huawei::Client::builder()
            .region("cn-north-4")
            .credentials(cloud.huawei_credentials())
            .endpoint(self.endpoint.clone())
            .iam_endpoint(self.endpoint.clone())
            .http_client(self.http.clone())
            .build()?;
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
