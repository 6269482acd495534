//! `cloud-backup export`: the whole workflow of `backup-core` — start the vendor's export (or
//! ask for the links), wait, and download every file into a directory, verified and resumable,
//! with expired links refreshed through the vendor API.

use std::path::PathBuf;
use std::time::Duration;

use backup_core::aliyun as dbs;
use backup_core::backups::Availability;
use backup_core::download::DownloadOptions;
use backup_core::export::{
    AliyunExport, AliyunLinked, AliyunLinksExport, BackupExport, FileOutcome, HuaweiBackup,
    HuaweiExport, TencentExport, WorkflowError, export_each,
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
    /// The instance or cluster (InstanceName; for --product polardb the DBClusterId)
    #[arg(long, visible_alias = "instance", value_name = "ID")]
    instance_name: String,
    /// The product whose backups --latest, --before and --after choose from
    #[arg(long, value_parser = ["rds", "polardb", "mongodb"], default_value = "rds")]
    product: String,
    /// The full backup set to export with DBS (BakSetId), as `backups aliyun` lists it; or
    /// choose one with --latest, --before or --after
    #[arg(long, value_name = "ID", conflicts_with_all = ["backup", "latest", "before", "after"])]
    bak_set_id: Option<String>,
    /// Attach to this existing DBS download task of the instance (dt-..., as an earlier export
    /// told it) instead of creating one: wait for it and download its file
    #[arg(long, value_name = "ID", conflicts_with_all = ["bak_set_id", "backup", "latest", "before", "after"])]
    task_id: Option<String>,
    #[command(flatten)]
    choice: crate::backups::Choice,
    /// Export with DBS in this format (FormatType): csv, csv-with-header, sql, parquet, or
    /// qp.xb (an RDS MySQL physical backup file); the API's spellings (CSV, SQL, Parquet) are
    /// accepted too [default: a chosen backup's own files through its link when it has one,
    /// else csv]
    #[arg(long, value_name = "FORMAT", ignore_case = true,
          value_parser = ["csv", "csv-with-header", "sql", "parquet", "qp.xb"])]
    format_type: Option<String>,
    /// Which of a backup's links to fetch: public, or intranet (only from the region's VPC;
    /// free and faster there)
    #[arg(long, value_parser = ["public", "intranet"], default_value = "public")]
    network: String,
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
    #[arg(long, visible_alias = "instance", value_name = "ID")]
    instance_id: String,
    /// The backup file (BackupName), as `backups tencent` lists it; or choose one with
    /// --latest, --before or --after
    #[arg(long, value_name = "NAME", conflicts_with_all = ["backup", "latest", "before", "after"])]
    backup_name: Option<String>,
    #[command(flatten)]
    choice: crate::backups::Choice,
    /// A replica set or shard (BackupSets.N.ReplicaSetId); repeat for several [default: every
    /// replica set of the instance, as DescribeDBInstances lists them]
    #[arg(long, value_name = "ID")]
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
    /// The instance (instance_id): required for dds, and to choose a backup with --latest,
    /// --before or --after
    #[arg(long, visible_alias = "instance", value_name = "ID")]
    instance_id: Option<String>,
    /// The backup (backup_id), as `backups huawei` lists it; or choose one with --latest,
    /// --before or --after
    #[arg(long, value_name = "ID", conflicts_with_all = ["backup", "latest", "before", "after"])]
    backup_id: Option<String>,
    #[command(flatten)]
    choice: crate::backups::Choice,
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
                let client = aliyun::client(ctx)?;
                let source = match (a.bak_set_id, a.choice.selection()) {
                    (Some(id), _) => dbs::DownloadSource::backup_set(id),
                    // Never sent: the task exists.
                    (None, None) if a.task_id.is_some() => dbs::DownloadSource::backup_set(""),
                    (None, Some(selection)) => {
                        let list =
                            crate::backups::aliyun_list(&client, &a.product, &a.instance_name)
                                .await?;
                        let chosen = crate::backups::chosen(&list, &selection, &a.instance_name)?;
                        tracing::info!(backup = %chosen.id, "backup chosen");
                        let linked =
                            chosen.availability == Availability::Links && a.format_type.is_none();
                        if linked || a.product == "mongodb" {
                            let backup = if a.product == "mongodb" && chosen.id.starts_with("cb-") {
                                AliyunLinked::MongoDbCluster {
                                    instance_id: a.instance_name,
                                    cluster_backup_id: chosen.id,
                                }
                            } else if a.product == "mongodb" {
                                AliyunLinked::MongoDb {
                                    instance_id: a.instance_name,
                                    backup_id: chosen.id,
                                }
                            } else {
                                AliyunLinked::Rds {
                                    instance_id: a.instance_name,
                                    backup_id: chosen.id,
                                }
                            };
                            let intranet = a.network == "intranet";
                            let export =
                                AliyunLinksExport::new(client, backup, intranet, ctx.allow_http());
                            return run_export(ctx, Box::new(export), a.destination).await;
                        }
                        dbs::DownloadSource::BackupSet {
                            id: chosen.id,
                            size: chosen.size_bytes,
                        }
                    }
                    (None, None) => {
                        return Err(Failure::usage(
                            "give --bak-set-id, or choose with --backup, --latest, --before or --after",
                        ));
                    }
                };
                let format = a.format_type.as_deref().unwrap_or("csv");
                let request = dbs::CreateDownloadRequest::new(
                    a.instance_name,
                    source,
                    crate::aliyun::format_export(format)?,
                    dbs::DownloadTarget::Url,
                );
                let mut export = AliyunExport::new(
                    client,
                    request,
                    ctx.waiter(),
                    Duration::from_secs(a.duration),
                );
                if let Some(task_id) = a.task_id {
                    export = export.attach(task_id);
                }
                (Box::new(export), a.destination)
            }
            Vendor::Tencent(a) => {
                let client = tencent::client(ctx)?;
                let backup_name = match (a.backup_name, a.choice.selection()) {
                    (Some(name), _) => name,
                    (None, Some(selection)) => {
                        let list = backup_core::backups::tencent(&client, &a.instance_id).await?;
                        let chosen = crate::backups::chosen(&list, &selection, &a.instance_id)?;
                        tracing::info!(backup = %chosen.id, "backup chosen");
                        chosen.id
                    }
                    (None, None) => {
                        return Err(Failure::usage(
                            "give --backup-name, or choose with --backup, --latest, --before or --after",
                        ));
                    }
                };
                let replica_sets = if a.replica_set_id.is_empty() {
                    every_replica_set(&client, &a.instance_id).await?
                } else {
                    a.replica_set_id
                };
                let request =
                    CreateBackupDownloadTaskRequest::new(a.instance_id, backup_name, replica_sets);
                let export = TencentExport::new(client, request, ctx.waiter());
                (Box::new(export), a.destination)
            }
            Vendor::Huawei(a) => {
                let client = huawei::client(ctx, a.project_id)?;
                let backup_id = match (a.backup_id, a.choice.selection(), &a.instance_id) {
                    (Some(id), _, _) => id,
                    (None, Some(selection), Some(instance)) => {
                        let list =
                            crate::backups::huawei_list(&client, &a.service, instance).await?;
                        let chosen = crate::backups::chosen(&list, &selection, instance)?;
                        tracing::info!(backup = %chosen.id, "backup chosen");
                        chosen.id
                    }
                    (None, Some(_), None) => {
                        return Err(Failure::usage(
                            "--backup, --latest, --before and --after need --instance-id",
                        ));
                    }
                    (None, None, _) => {
                        return Err(Failure::usage(
                            "give --backup-id, or choose with --backup, --latest, --before or --after",
                        ));
                    }
                };
                let backup = match (a.service.as_str(), a.instance_id) {
                    ("dds", Some(instance_id)) => HuaweiBackup::Dds {
                        instance_id,
                        backup_id,
                    },
                    ("dds", None) => {
                        return Err(Failure::usage("--service dds needs --instance-id"));
                    }
                    (_, _) => HuaweiBackup::Rds { backup_id },
                };
                let export = HuaweiExport::new(client, backup);
                (Box::new(export), a.destination)
            }
        };
        run_export(ctx, export, destination).await
    }
}

/// Exports, downloads every file into the destination, and reports each one.
async fn run_export(
    ctx: &Context,
    export: Box<dyn BackupExport>,
    destination: Destination,
) -> Output {
    {
        let mut options = DownloadOptions {
            direct_io: !destination.no_direct_io,
            overwrite: destination.overwrite,
            ..DownloadOptions::default()
        };
        destination.pace.apply(&mut options);
        destination.connections.apply(&mut options);
        let display = ExportDisplay::new();
        // The task's id as soon as it exists: an interrupted export can be inspected (and the
        // same command reuses the task).
        let announced = std::sync::Mutex::new(None::<String>);
        let result = export_each(
            export.as_ref(),
            &destination.to,
            &options,
            &|p| {
                if let Some(id) = &p.task_id {
                    let mut seen = announced.lock().unwrap_or_else(|e| e.into_inner());
                    if seen.as_deref() != Some(id.as_str()) {
                        display.note(&format!(
                            "cloud-backup: {} task {id} ({}); the same command again reuses it",
                            export.vendor(),
                            p.state
                        ));
                        *seen = Some(id.clone());
                    }
                }
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
        let outcomes = result.map_err(workflow_failure)?;
        let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
        let files: Vec<Json> = outcomes.iter().map(outcome).collect();
        let report = Object::new()
            .field("vendor", export.vendor())
            .field("task_id", export.task_id())
            .field("directory", destination.to.display().to_string())
            .field("files", files)
            .build();
        if failed == 0 {
            return Ok(report);
        }
        // The report goes out all the same: it says which files are there and which failed.
        ctx.print(&report, None)?;
        let first = outcomes
            .iter()
            .find_map(|o| o.result.as_ref().err().map(|e| format!("{}: {e}", o.name)))
            .unwrap_or_default();
        let message = format!(
            "{failed} of {} file(s) failed (first: {first})",
            outcomes.len()
        );
        Err(if failed == outcomes.len() {
            Failure::service(message)
        } else {
            Failure::partial(message)
        })
    }
}

/// Every replica set (or shard) of a Tencent instance, as `DescribeDBInstances` lists them.
async fn every_replica_set(
    client: &backup_core::tencent::Client,
    instance_id: &str,
) -> Result<Vec<String>, Failure> {
    let (sets, request_id) =
        backup_core::backups::tencent_replica_sets(client, instance_id).await?;
    if sets.is_empty() {
        return Err(Failure::service(format!(
            "DescribeDBInstances lists no replica set of {instance_id} (request id \
             {request_id}); name them with --replica-set-id"
        )));
    }
    Ok(sets)
}

/// One file of the report: its name and path, `downloaded`, `skipped` (already there and
/// verified) or `failed` with the error, and the download's details.
fn outcome(o: &FileOutcome) -> Json {
    let object = Object::new()
        .field("name", o.name.as_str())
        .field("path", o.path.display().to_string());
    match &o.result {
        Ok(r) => {
            let status = if r.skipped { "skipped" } else { "downloaded" };
            let mut object = object.field("status", status).build();
            if let (Json::Object(fields), Json::Object(details)) =
                (&mut object, transfer::report(r))
            {
                fields.extend(details.into_iter().filter(|(k, _)| k != "path"));
            }
            object
        }
        Err(e) => {
            // The name is its own field: the error without it.
            let text = match e {
                WorkflowError::Download { source, .. } => source.to_string(),
                other => other.to_string(),
            };
            object
                .field("status", "failed")
                .field("error", backup_core::terminal::escape(&text))
                .build()
        }
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
