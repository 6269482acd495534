//! `cloud-backup export`: the whole workflow of `backup-core` — start the vendor's export (or
//! ask for the links), wait, and download every file into a directory, verified and resumable,
//! with expired links refreshed through the vendor API.

use std::path::PathBuf;
use std::time::Duration;

use backup_core::aliyun as dbs;
use backup_core::download::DownloadOptions;
use backup_core::export::{
    AliyunExport, BackupExport, HuaweiBackup, HuaweiExport, TencentExport, WorkflowError,
    export_and_download,
};
use backup_core::tencent::CreateBackupDownloadTaskRequest;
use clap::{Args, Subcommand};

use crate::cli::{Context, Output};
use crate::error::Failure;
use crate::output::{Json, Object};
use crate::progress::ExportDisplay;
use crate::{aliyun, huawei, tencent, transfer};

/// Flags of `export`.
#[derive(Debug, Args)]
pub struct Export {
    #[command(subcommand)]
    vendor: Vendor,
}

/// Which cloud's backup to export.
#[derive(Debug, Subcommand)]
enum Vendor {
    /// Alibaba Cloud DBS: CreateDownload to a URL, wait, DescribeDownloadBackupSetStorageInfo,
    /// download
    Aliyun(AliyunArgs),
    /// Tencent Cloud MongoDB: CreateBackupDownloadTask for the replica sets, wait, download each
    Tencent(TencentArgs),
    /// Huawei Cloud DDS / RDS: ShowBackupDownloadLink, download each file
    Huawei(HuaweiArgs),
}

/// Where and how files are downloaded.
#[derive(Debug, Args)]
struct Destination {
    /// The directory to write the files into (created if missing); interrupted downloads
    /// resume from NAME.part there
    #[arg(long, value_name = "DIR")]
    to: PathBuf,
    #[command(flatten)]
    connections: crate::transfer::Connections,
    /// Write through the page cache instead of O_DIRECT (direct I/O is used on Linux when the
    /// filesystem allows it: the data reaches the disk as it arrives)
    #[arg(long)]
    no_direct_io: bool,
    #[command(flatten)]
    pace: transfer::Pace,
    /// Replace files in DIR that exist and cannot be shown to hold this backup's files (by
    /// default they are kept and the export stops; files that match are reported as skipped)
    #[arg(long)]
    overwrite: bool,
}

/// Flags of `export aliyun`.
#[derive(Debug, Args)]
struct AliyunArgs {
    /// The instance (InstanceName)
    #[arg(long, value_name = "ID")]
    instance_name: String,
    /// The full backup set to export (BakSetId)
    #[arg(long, value_name = "ID")]
    bak_set_id: String,
    /// The format (FormatType): csv, csv-with-header, sql, parquet, or qp.xb (an RDS MySQL
    /// physical backup file); the API's spellings (CSV, SQL, Parquet) are accepted too
    #[arg(long, value_name = "FORMAT", default_value = "csv", ignore_case = true,
          value_parser = ["csv", "csv-with-header", "sql", "parquet", "qp.xb"])]
    format_type: String,
    /// How long the download link stays valid, in seconds (Duration, 300 to 86400)
    #[arg(long, value_name = "SECONDS", default_value_t = 7200)]
    duration: u64,
    #[command(flatten)]
    destination: Destination,
}

/// Flags of `export tencent`.
#[derive(Debug, Args)]
struct TencentArgs {
    /// The instance (InstanceId)
    #[arg(long, value_name = "ID")]
    instance_id: String,
    /// The backup file (BackupName), as describe-db-backups lists it
    #[arg(long, value_name = "NAME")]
    backup_name: String,
    /// A replica set or shard (BackupSets.N.ReplicaSetId); repeat for every shard
    #[arg(long, value_name = "ID", required = true)]
    replica_set_id: Vec<String>,
    #[command(flatten)]
    destination: Destination,
}

/// Flags of `export huawei`.
#[derive(Debug, Args)]
struct HuaweiArgs {
    /// The service the backup belongs to
    #[arg(long, value_parser = ["dds", "rds"])]
    service: String,
    /// The DDS instance (instance_id); required for dds, refused for rds
    #[arg(long, value_name = "ID")]
    instance_id: Option<String>,
    /// The backup (backup_id)
    #[arg(long, value_name = "ID")]
    backup_id: String,
    /// The project id [default: HUAWEICLOUD_SDK_PROJECT_ID, the profile's, or IAM's for the
    /// region]
    #[arg(long, value_name = "ID")]
    project_id: Option<String>,
    #[command(flatten)]
    destination: Destination,
}

impl Export {
    /// Runs the workflow and reports every file.
    pub async fn run(self, ctx: &Context) -> Output {
        let (export, destination): (Box<dyn BackupExport>, Destination) = match self.vendor {
            Vendor::Aliyun(a) => {
                let export = crate::aliyun::format_export(&a.format_type)?;
                let request = dbs::CreateDownloadRequest::new(
                    a.instance_name,
                    dbs::DownloadSource::backup_set(a.bak_set_id),
                    export,
                    dbs::DownloadTarget::Url,
                );
                let export = AliyunExport::new(
                    aliyun::client(ctx)?,
                    request,
                    ctx.waiter(),
                    Duration::from_secs(a.duration),
                );
                (Box::new(export), a.destination)
            }
            Vendor::Tencent(a) => {
                let request = CreateBackupDownloadTaskRequest::new(
                    a.instance_id,
                    a.backup_name,
                    a.replica_set_id,
                );
                let export = TencentExport::new(tencent::client(ctx)?, request, ctx.waiter());
                (Box::new(export), a.destination)
            }
            Vendor::Huawei(a) => {
                let backup = match (a.service.as_str(), a.instance_id) {
                    ("dds", Some(instance_id)) => HuaweiBackup::Dds {
                        instance_id,
                        backup_id: a.backup_id,
                    },
                    ("dds", None) => {
                        return Err(Failure::usage("--service dds needs --instance-id"));
                    }
                    (_, Some(_)) => {
                        return Err(Failure::usage(
                            "--instance-id applies only to --service dds",
                        ));
                    }
                    (_, None) => HuaweiBackup::Rds {
                        backup_id: a.backup_id,
                    },
                };
                let export = HuaweiExport::new(huawei::client(ctx, a.project_id)?, backup);
                (Box::new(export), a.destination)
            }
        };
        let mut options = DownloadOptions {
            direct_io: !destination.no_direct_io,
            overwrite: destination.overwrite,
            ..DownloadOptions::default()
        };
        destination.pace.apply(&mut options);
        destination.connections.apply(&mut options);
        let display = ExportDisplay::new();
        let result = export_and_download(
            export.as_ref(),
            &destination.to,
            &options,
            &|p| {
                let part = if p.part.is_empty() {
                    String::new()
                } else {
                    format!("{} ", p.part)
                };
                let percent = p.percent.map(|v| format!(" {v}%")).unwrap_or_default();
                display.task(&format!("{}: {part}{}{percent}", export.vendor(), p.state));
            },
            &|f| display.file(f),
        )
        .await;
        display.finish();
        let reports = result.map_err(workflow_failure)?;
        let files: Vec<Json> = reports.iter().map(transfer::report).collect();
        Ok(Object::new()
            .field("vendor", export.vendor())
            .field("directory", destination.to.display().to_string())
            .field("files", files)
            .build())
    }
}

fn workflow_failure(e: WorkflowError) -> Failure {
    match e {
        WorkflowError::Api(e) => e.into(),
        WorkflowError::Download { file, source } => {
            let mut failure = Failure::from(source);
            failure.prefix(&file);
            failure
        }
        other => Failure::service(other.to_string()),
    }
}
