//! `cloud-backup aliyun`: every operation of the `dbs-aliyun` crate, flags named after the API
//! parameters, output in the API's response shape and field names (times in epoch
//! milliseconds, as DBS sends them). The RDS, PolarDB and MongoDB listings (`rds-...`,
//! `polardb-...`, `mongodb-...`) print their response types' serialization: the product's
//! field names, times as `yyyy-MM-ddTHH:mm:ssZ`, download links in full.

use std::convert::Infallible;
use std::time::Duration;

use backup_core::aliyun::{
    BackupMode, BackupSetStatus, BackupType, MongoDbDescribeBackupsRequest,
    MongoDbDescribeClusterBackupsRequest, PolarDbDescribeBackupsRequest, RdsDescribeBackupsRequest,
    RdsDescribeDbInstanceAttributeRequest,
};
use backup_core::aliyun::{
    BackupPlan, BackupPlanStatus, Client, CreateDownloadRequest, CreateRestoreTaskRequest,
    CrossAccount, DatabaseAccount, DescribeBackupPlanListRequest, DescribeDownloadSupportRequest,
    DescribeDownloadTaskRequest, DescribeFullBackupListRequest, DescribeRestoreTaskListRequest,
    DestinationTls, DownloadLinks, DownloadSource, DownloadStatus, DownloadTarget, DownloadTask,
    DownloadTaskType, DuplicateConflict, Export, FullBackup, LogicalFormat, MongoDbExport,
    MongoDbFormat, Page, RestoreDestination, RestoreObject, RestoreSource, RestoreTask,
    RestoreTaskSelector, RetryDownloadTaskRequest, SortOrder, StartRestoreTaskRequest,
    StorageInfoRequest, StorageInfoTarget,
};
use backup_core::aliyun::{
    CREDENTIALS_URI_VARIABLE, CredentialSource, CredentialsUri, ECS_ROLE_VARIABLE, EcsRamRole,
    OIDC_VARIABLES, OidcRole, RamRoleArn, RefreshingCredentials,
};
use backup_core::cloud_http::Error as ApiError;
use backup_core::cloud_sign::{ChainProvider, ProvideCredentials, Vendor};
use clap::{ArgGroup, Args, Subcommand};
use time::OffsetDateTime;

use crate::args;
use crate::cli::{Context, Output, Via};
use crate::error::Failure;
use crate::output::{Json, Object};
use crate::progress::Progress;

/// The DBS operations.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// CreateDownload: start an advanced download task of a full backup set or of a point in time
    CreateDownload(CreateDownload),
    /// DescribeDownloadTask: one page of an instance's download tasks
    DescribeDownloadTask(DescribeDownloadTask),
    /// DescribeDownloadBackupSetStorageInfo: the download links of a finished URL-type task
    /// (printed in full: they are credentials)
    DescribeDownloadBackupSetStorageInfo(StorageInfo),
    /// DescribeDownloadSupport: whether an instance supports advanced download
    DescribeDownloadSupport(DescribeDownloadSupport),
    /// RetryDownloadTask: retry a failed download task
    RetryDownloadTask(RetryDownloadTask),
    /// CreateRestoreTask: create a restore job (start it with start-restore-task)
    CreateRestoreTask(Box<CreateRestoreTask>),
    /// StartRestoreTask: start a created restore job
    StartRestoreTask(StartRestoreTask),
    /// DescribeRestoreTaskList: one page of restore jobs
    DescribeRestoreTaskList(DescribeRestoreTaskList),
    /// DescribeBackupPlanList: one page of backup plans
    DescribeBackupPlanList(DescribeBackupPlanList),
    /// DescribeFullBackupList: one page of a backup plan's full backups
    DescribeFullBackupList(DescribeFullBackupList),
    /// RDS DescribeBackups: one page of an instance's backup sets, with their download links
    /// (printed in full: they are credentials)
    RdsDescribeBackups(RdsDescribeBackups),
    /// RDS DescribeDBInstanceAttribute: an instance's engine, region and storage type
    /// (cloud-disk backups are snapshots, exported with create-download)
    RdsDescribeDbInstanceAttribute(RdsDescribeDbInstanceAttribute),
    /// PolarDB DescribeBackups: one page of a cluster's backup sets in a time window (no links:
    /// export them with create-download --bak-set-id)
    PolardbDescribeBackups(PolardbDescribeBackups),
    /// ApsaraDB for MongoDB DescribeBackups: one page of an instance's (or a shard's) backup
    /// sets, with their download links (printed in full)
    MongodbDescribeBackups(MongodbDescribeBackups),
    /// ApsaraDB for MongoDB DescribeClusterBackups: one page of a sharded cluster's backups,
    /// one set with links per shard (printed in full)
    MongodbDescribeClusterBackups(MongodbDescribeClusterBackups),
}

impl Command {
    /// Whether the operation starts a task `--wait` can wait for.
    pub fn waits(&self) -> bool {
        matches!(
            self,
            Command::CreateDownload(_) | Command::StartRestoreTask(_)
        )
    }

    /// Checks the flags, builds the client, calls the operation and renders the response.
    pub async fn run(self, ctx: &Context) -> Output {
        match self {
            Command::CreateDownload(a) => {
                let request = a.request()?;
                let client = client(ctx)?;
                let created = client.create_download(&request).await?;
                let task = if ctx.wait() {
                    let progress = Progress::spinner();
                    let waited = client
                        .wait_for_download(&created.key, &ctx.waiter(), |t| {
                            progress.message(task_state(t));
                        })
                        .await;
                    progress.finish();
                    waited?
                } else {
                    created.task
                };
                Ok(Object::new()
                    .field("RequestId", created.request_id)
                    .field("Data", download_task(&task))
                    .build())
            }
            Command::DescribeDownloadTask(a) => {
                let all = a.pages.all;
                let request = a.request()?;
                let client = client(ctx)?;
                let page = if all {
                    client.describe_download_task_all(&request).await?
                } else {
                    client.describe_download_task(&request).await?
                };
                Ok(download_task_page(&page))
            }
            Command::DescribeDownloadBackupSetStorageInfo(a) => {
                let request = a.request()?;
                let links = client(ctx)?
                    .describe_download_backup_set_storage_info(&request)
                    .await?;
                Ok(download_links(&links))
            }
            Command::DescribeDownloadSupport(a) => {
                let mut request = DescribeDownloadSupportRequest::new(a.instance_name);
                request.region_code = a.region.region_code;
                let support = client(ctx)?.describe_download_support(&request).await?;
                Ok(Object::new()
                    .field("RequestId", support.request_id)
                    .field("Data", support.supported)
                    .build())
            }
            Command::RetryDownloadTask(a) => {
                let request = RetryDownloadTaskRequest {
                    region_code: a.region.region_code,
                    instance_name: a.instance_name,
                    task_id: a.task_id,
                    cluster_name: a.cluster_name,
                };
                let retried = client(ctx)?.retry_download_task(&request).await?;
                Ok(Object::new()
                    .field("RequestId", retried.request_id)
                    .field("Data", retried.data)
                    .build())
            }
            Command::CreateRestoreTask(a) => {
                let request = a.request()?;
                let created = client(ctx)?.create_restore_task(&request).await?;
                Ok(Object::new()
                    .field("RequestId", created.request_id)
                    .field("RestoreTaskId", created.restore_task_id)
                    .field("ClientToken", created.client_token)
                    .build())
            }
            Command::StartRestoreTask(a) => {
                let request = StartRestoreTaskRequest {
                    restore_task_id: a.restore_task_id,
                    client_token: a.client_token,
                };
                let client = client(ctx)?;
                let started = client.start_restore_task(&request).await?;
                let mut out = Object::new()
                    .field("RequestId", started.request_id)
                    .field("RestoreTaskId", &started.restore_task_id)
                    .field("ClientToken", started.client_token);
                if ctx.wait() {
                    let progress = Progress::spinner();
                    let waited = client
                        .wait_for_restore(&started.restore_task_id, &ctx.waiter(), |t| {
                            progress.message(restore_state(t));
                        })
                        .await;
                    progress.finish();
                    out = out.field("RestoreTaskDetail", restore_task(&waited?));
                }
                Ok(out.build())
            }
            Command::DescribeRestoreTaskList(a) => {
                let all = a.pages.all;
                let request = a.request()?;
                let client = client(ctx)?;
                let page = if all {
                    client.describe_restore_task_list_all(&request).await?
                } else {
                    client.describe_restore_task_list(&request).await?
                };
                Ok(page_2019(&page, "RestoreTaskDetail", restore_task))
            }
            Command::DescribeBackupPlanList(a) => {
                let all = a.pages.all;
                let request = a.request();
                let client = client(ctx)?;
                let page = if all {
                    client.describe_backup_plan_list_all(&request).await?
                } else {
                    client.describe_backup_plan_list(&request).await?
                };
                Ok(page_2019(&page, "BackupPlanDetail", backup_plan))
            }
            Command::DescribeFullBackupList(a) => {
                let request = DescribeFullBackupListRequest {
                    backup_plan_id: a.backup_plan_id,
                    backup_set_id: a.backup_set_id,
                    show_storage_type: a.show_storage_type,
                    page_num: a.page_num,
                    page_size: a.page_size,
                };
                let client = client(ctx)?;
                let page = if a.pages.all {
                    client.describe_full_backup_list_all(&request).await?
                } else {
                    client.describe_full_backup_list(&request).await?
                };
                Ok(page_2019(&page, "FullBackupFile", full_backup))
            }
            Command::RdsDescribeBackups(a) => {
                let (all, request, client) = (a.pages.all(), a.request(), client(ctx)?);
                let rds = client.rds();
                let (page, every) = (
                    rds.describe_backups(&request),
                    rds.describe_backups_all(&request),
                );
                listing(all, page, every).await
            }
            Command::RdsDescribeDbInstanceAttribute(a) => {
                let request = RdsDescribeDbInstanceAttributeRequest::new(a.db_instance_id);
                Json::of(
                    &client(ctx)?
                        .rds()
                        .describe_db_instance_attribute(&request)
                        .await?,
                )
            }
            Command::PolardbDescribeBackups(a) => {
                let (all, request, client) = (a.pages.all(), a.request(), client(ctx)?);
                let polardb = client.polardb();
                let (page, every) = (
                    polardb.describe_backups(&request),
                    polardb.describe_backups_all(&request),
                );
                listing(all, page, every).await
            }
            Command::MongodbDescribeBackups(a) => {
                let (all, request, client) = (a.pages.all(), a.request(), client(ctx)?);
                let mongodb = client.mongodb();
                let (page, every) = (
                    mongodb.describe_backups(&request),
                    mongodb.describe_backups_all(&request),
                );
                listing(all, page, every).await
            }
            Command::MongodbDescribeClusterBackups(a) => {
                let (all, request, client) = (a.pages.all, a.request(), client(ctx)?);
                let mongodb = client.mongodb();
                let (page, every) = (
                    mongodb.describe_cluster_backups(&request),
                    mongodb.describe_cluster_backups_all(&request),
                );
                listing(all, page, every).await
            }
        }
    }
}

/// A product listing's answer, printed in the product's shape: one page, or with `--all` every
/// page. Only the one asked for is awaited (a future that is not awaited sends nothing).
async fn listing<T: serde::Serialize>(
    all: bool,
    page: impl Future<Output = Result<T, ApiError>>,
    every: impl Future<Output = Result<T, ApiError>>,
) -> Output {
    Json::of(&if all { every.await? } else { page.await? })
}

/// Where the Aliyun credentials come from, in the official chain's order: keys in the
/// environment, an OIDC role (ACK RRSA), the profile file (a profile in mode EcsRamRole: the
/// instance's role; in mode RamRoleArn or ChainableRamRoleArn: a role assumed with STS), the
/// ECS instance's RAM role named by `ALIBABA_CLOUD_ECS_METADATA`, a credentials URI
/// (`ALIBABA_CLOUD_CREDENTIALS_URI`); with `--profile`, that profile alone. Temporary credentials are refreshed before they expire.
/// `None`: nothing is configured. `configure list` reports this very resolution.
pub(crate) fn credential_source(ctx: &Context) -> Result<Option<CredentialSource>, Failure> {
    use backup_core::cloud_sign::{EnvironmentProvider, ProfileFileProvider, ProviderContext};
    let os = ProviderContext::from_os();
    let found = |p: &dyn ProvideCredentials| {
        p.provide(&os)
            .map_err(|e| Failure::from(ApiError::Credentials(e.to_string())))
    };
    let refreshing =
        |f: RefreshingCredentials| CredentialSource::Refreshing(std::sync::Arc::new(f));
    // The instance's RAM role (`role`, or the one the metadata service lists).
    let ecs = |role: Option<String>, via: String| -> Result<CredentialSource, Failure> {
        let mut ecs = EcsRamRole::new(role)?;
        if let Ok(endpoint) = std::env::var(crate::cli::METADATA_ENDPOINT_VARIABLE)
            && !endpoint.is_empty()
        {
            ecs = ecs.endpoint(endpoint);
        }
        Ok(refreshing(RefreshingCredentials::new(Via(ecs, via))))
    };
    let by_profile = || {
        format!(
            "profile {} in mode EcsRamRole",
            ctx.profile().unwrap_or("default")
        )
    };
    let mut file = ProfileFileProvider::new(Vendor::Aliyun);
    if let Some(p) = ctx.profile() {
        file = file.with_profile(p);
    }
    // A profile in mode EcsRamRole names the role in ram_role_name (empty: the listed one).
    let profile_role = file.aliyun_ecs_role(&os);
    // A profile in mode RamRoleArn (or ChainableRamRoleArn) assumes a role with its keys.
    let assumed = |profile: &backup_core::cloud_sign::AliyunRoleProfile| {
        let (sts, http) = ctx.sts_override()?;
        let mut role = RamRoleArn::from_profile(profile, &os)?.http_client(http);
        if let Some(sts) = sts {
            role = role.sts_endpoint(sts);
        }
        let via = format!(
            "{} profile '{}' in mode RamRoleArn",
            profile.origin, profile.profile
        );
        Ok::<_, Failure>(refreshing(RefreshingCredentials::new(Via(role, via))))
    };
    let role_profile = file
        .aliyun_role_arn(&os)
        .map_err(|e| Failure::from(ApiError::Credentials(e.to_string())))?;
    if ctx.profile().is_some() {
        if let Some(role) = profile_role {
            return ecs(Some(role), by_profile()).map(Some);
        }
        if let Some(profile) = &role_profile {
            return assumed(profile).map(Some);
        }
        let chain = ChainProvider::default_for(Vendor::Aliyun, ctx.profile());
        return Ok(found(&chain)?.map(CredentialSource::Fixed));
    }
    // The official chain's order: keys in the environment, an OIDC role (ACK RRSA), the
    // profile file, the ECS instance's RAM role.
    if let Some(c) = found(&EnvironmentProvider::new(Vendor::Aliyun))? {
        return Ok(Some(CredentialSource::Fixed(c)));
    }
    if let Some(mut oidc) = OidcRole::from_env(&os)? {
        if let Ok(url) = std::env::var(crate::cli::STS_ENDPOINT_VARIABLE)
            && !url.is_empty()
        {
            oidc = oidc.sts_endpoint(url);
        }
        let via = Via(oidc, OIDC_VARIABLES.join(", "));
        return Ok(Some(refreshing(RefreshingCredentials::new(via))));
    }
    if let Some(role) = profile_role {
        return ecs(Some(role), by_profile()).map(Some);
    }
    if let Some(profile) = &role_profile {
        return assumed(profile).map(Some);
    }
    if let Some(c) = found(&file)? {
        return Ok(Some(CredentialSource::Fixed(c)));
    }
    if let Some(role) = std::env::var(ECS_ROLE_VARIABLE)
        .ok()
        .filter(|r| !r.trim().is_empty())
    {
        return ecs(Some(role), ECS_ROLE_VARIABLE.to_owned()).map(Some);
    }
    // The official chain's last source: a URL of the user's own.
    match CredentialsUri::from_env(&os)? {
        Some(uri) => {
            let via = Via(uri, CREDENTIALS_URI_VARIABLE.to_owned());
            Ok(Some(refreshing(RefreshingCredentials::new(via))))
        }
        None => Ok(None),
    }
}

/// A client for the context's region, endpoint and transport, with credentials from the
/// environment, the profile file or the instance's RAM role ([`credential_source`]).
pub(crate) fn client(ctx: &Context) -> Result<Client, Failure> {
    let mut builder = Client::builder()
        .region(ctx.region(Vendor::Aliyun)?)
        .http_client(ctx.http()?)
        .credential_source(credential_source(ctx)?.ok_or_else(|| {
            let hint = match ctx.profile() {
                Some(_) => Vendor::Aliyun.setup_hint(),
                None => format!(
                    "{} (or, on an ECS instance, set {ECS_ROLE_VARIABLE} to its RAM role; on \
                     ACK, the RRSA variables {})",
                    Vendor::Aliyun.setup_hint(),
                    OIDC_VARIABLES.join(", ")
                ),
            };
            Failure::from(ApiError::Credentials(hint))
        })?);
    if let Some(endpoint) = ctx.endpoint() {
        builder = builder.endpoint(endpoint.clone());
    }
    Ok(builder.build()?)
}

/// `--region-code`, which most download operations take.
#[derive(Debug, Args)]
pub struct RegionCode {
    /// The instance's region (RegionCode) [default: --region]
    #[arg(long, value_name = "REGION")]
    region_code: Option<String>,
}

/// Flags of `create-download`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["bak_set_id", "download_point_in_time"])))]
pub struct CreateDownload {
    /// The instance id (InstanceName)
    #[arg(long, value_name = "ID")]
    instance_name: String,
    #[command(flatten)]
    region: RegionCode,
    /// Download this full backup set (BakSetId, sent with BakSetType=full)
    #[arg(long, value_name = "ID")]
    bak_set_id: Option<String>,
    /// BakSetType as the API documents it: full (with --bak-set-id) or pitr (with
    /// --download-point-in-time); optional, since the other flags say it, and checked against them
    #[arg(long, value_name = "TYPE", value_parser = ["full", "pitr"], ignore_case = true)]
    bak_set_type: Option<String>,
    /// The backup set's size in bytes (BakSetSize)
    #[arg(long, value_name = "BYTES", requires = "bak_set_id")]
    bak_set_size: Option<u64>,
    /// Download the data as of this time instead (DownloadPointInTime, sent with
    /// BakSetType=pitr): RFC 3339, 'YYYY-MM-DD hh:mm:ss' (UTC) or epoch milliseconds
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    download_point_in_time: Option<OffsetDateTime>,
    /// The format (FormatType): bson is for MongoDB, qp.xb for RDS MySQL physical backups; the
    /// API's spellings (CSV, SQL, Parquet, Bson) are accepted too
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "csv-with-header", "sql", "parquet", "bson", "qp.xb"], ignore_case = true)]
    format_type: String,
    /// RDS MySQL physical backup file (IsPhysical=true); --format-type qp.xb implies it
    #[arg(long)]
    is_physical: bool,
    /// MongoDB: whether the instance is a sharded cluster (IsCluster); giving any MongoDB flag
    /// makes this a MongoDB download
    #[arg(long, value_name = "BOOL", conflicts_with = "is_physical")]
    is_cluster: Option<bool>,
    /// MongoDB sharded cluster: its id (ClusterName); implies --is-cluster true
    #[arg(long, value_name = "ID", conflicts_with = "is_physical")]
    cluster_name: Option<String>,
    /// MongoDB: the authentication database (AdminDatabase) [default: admin]
    #[arg(long, value_name = "NAME", conflicts_with = "is_physical")]
    admin_database: Option<String>,
    /// MongoDB: whether every collection's primary key is unique (PrimaryKeyTypeOnly) [default:
    /// false]
    #[arg(long, value_name = "BOOL", conflicts_with = "is_physical")]
    primary_key_type_only: Option<bool>,
    /// Where the data goes (TargetType): URL for download links, OSS for your own bucket
    #[arg(long, value_name = "TYPE", default_value = "URL", value_parser = ["URL", "OSS"], ignore_case = true)]
    target_type: String,
    /// OSS target: the bucket (TargetBucket)
    #[arg(long, value_name = "BUCKET")]
    target_bucket: Option<String>,
    /// OSS target: the path in the bucket (TargetPath)
    #[arg(long, value_name = "PATH")]
    target_path: Option<String>,
    /// OSS target: the bucket's region (TargetOssRegion)
    #[arg(long, value_name = "REGION")]
    target_oss_region: Option<String>,
    /// Compress with zstd (UseZstd) [default: the service's, no]
    #[arg(long, value_name = "BOOL")]
    use_zstd: Option<bool>,
}

/// The export `--format-type` names for an RDS or PolarDB backup set (any case: the API spells
/// them CSV, SQL, Parquet): qp.xb is the physical backup file, the rest logical formats.
pub(crate) fn format_export(format: &str) -> Result<Export, Failure> {
    match format.to_ascii_lowercase().as_str() {
        "qp.xb" => Ok(Export::RdsMySqlPhysical),
        other => Ok(Export::Logical(logical(other)?)),
    }
}

/// The logical format named by `--format-type` (lower-cased), never a silent default.
fn logical(format: &str) -> Result<LogicalFormat, Failure> {
    Ok(match format {
        "csv" => LogicalFormat::Csv,
        "csv-with-header" => LogicalFormat::CsvWithHeader,
        "sql" => LogicalFormat::Sql,
        "parquet" => LogicalFormat::Parquet,
        other => {
            return Err(Failure::usage(format!(
                "--format-type {other} is not a logical format (csv, csv-with-header, sql, parquet)"
            )));
        }
    })
}

impl CreateDownload {
    fn request(self) -> Result<CreateDownloadRequest, Failure> {
        match (
            self.bak_set_type.as_deref(),
            self.bak_set_id.is_some(),
            self.download_point_in_time.is_some(),
        ) {
            (Some("full"), false, _) | (Some("full"), _, true) => {
                return Err(Failure::usage(
                    "--bak-set-type full goes with --bak-set-id (and not --download-point-in-time)",
                ));
            }
            (Some("pitr"), _, false) | (Some("pitr"), true, _) => {
                return Err(Failure::usage(
                    "--bak-set-type pitr goes with --download-point-in-time (and not --bak-set-id)",
                ));
            }
            _ => {}
        }
        let source = match (self.bak_set_id, self.download_point_in_time) {
            (Some(id), None) => DownloadSource::BackupSet {
                id,
                size: self.bak_set_size,
            },
            (None, Some(t)) => DownloadSource::PointInTime(t),
            _ => {
                return Err(Failure::usage(
                    "give exactly one of --bak-set-id and --download-point-in-time",
                ));
            }
        };
        // clap accepts the API's spellings (CSV, Parquet, ...) as they were typed.
        let format_type = self.format_type.to_ascii_lowercase();
        let format = format_type.as_str();
        let mongo = format == "bson"
            || self.is_cluster.is_some()
            || self.cluster_name.is_some()
            || self.admin_database.is_some()
            || self.primary_key_type_only.is_some();
        let export = if format == "qp.xb" {
            if mongo {
                return Err(Failure::usage(
                    "--format-type qp.xb (an RDS MySQL physical backup) contradicts the MongoDB \
                     flags --is-cluster, --cluster-name, --admin-database and \
                     --primary-key-type-only",
                ));
            }
            Export::RdsMySqlPhysical
        } else if self.is_physical {
            return Err(Failure::usage(format!(
                "--is-physical needs --format-type qp.xb (got {format})"
            )));
        } else if mongo {
            let mut export = MongoDbExport::new(match format {
                "bson" => MongoDbFormat::Bson,
                other => MongoDbFormat::Logical(logical(other)?),
            });
            if let Some(db) = self.admin_database {
                export.admin_database = db;
            }
            if let Some(only) = self.primary_key_type_only {
                export.primary_key_type_only = only;
            }
            match (self.is_cluster, self.cluster_name) {
                (Some(false), Some(_)) => {
                    return Err(Failure::usage(
                        "--cluster-name contradicts --is-cluster false",
                    ));
                }
                (Some(true), None) => {
                    return Err(Failure::usage("--is-cluster true needs --cluster-name"));
                }
                (_, Some(cluster)) => export = export.sharded_cluster(cluster),
                (_, None) => {}
            }
            Export::MongoDb(export)
        } else {
            Export::Logical(logical(format)?)
        };
        let oss = [
            ("--target-bucket", self.target_bucket),
            ("--target-path", self.target_path),
            ("--target-oss-region", self.target_oss_region),
        ];
        let target = if self.target_type.eq_ignore_ascii_case("OSS") {
            let [bucket, path, region] = oss.map(|(flag, value)| {
                value.ok_or_else(|| Failure::usage(format!("--target-type OSS needs {flag}")))
            });
            DownloadTarget::Oss {
                bucket: bucket?,
                path: path?,
                region: region?,
            }
        } else {
            if let Some((flag, _)) = oss.iter().find(|(_, v)| v.is_some()) {
                return Err(Failure::usage(format!("{flag} needs --target-type OSS")));
            }
            DownloadTarget::Url
        };
        let mut request = CreateDownloadRequest::new(self.instance_name, source, export, target);
        request.region_code = self.region.region_code;
        request.use_zstd = self.use_zstd;
        Ok(request)
    }
}

/// Flags of `describe-download-task`.
#[derive(Debug, Args)]
pub struct DescribeDownloadTask {
    /// The instance id (InstanceName)
    #[arg(long, value_name = "ID")]
    instance_name: String,
    #[command(flatten)]
    region: RegionCode,
    /// Only tasks of this kind (TaskType): full or pitr
    #[arg(long, value_name = "TYPE", value_parser = ["full", "pitr"])]
    task_type: Option<String>,
    /// Only tasks of this backup set (BackupSetId)
    #[arg(long, value_name = "ID")]
    backup_set_id: Option<String>,
    /// Only tasks of this data source (DatasourceId)
    #[arg(long, value_name = "ID")]
    datasource_id: Option<String>,
    /// Only tasks in this state (State): initializing, queueing, running, failed, finished,
    /// expired
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// Only tasks created at or after (StartTime)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    start_time: Option<OffsetDateTime>,
    /// Only tasks created at or before (EndTime)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    end_time: Option<OffsetDateTime>,
    /// Page number, from 1 (CurrentPage)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    current_page: Option<u32>,
    /// Tasks per page, 1 to 100 (PageSize)
    #[arg(long, value_name = "N")]
    page_size: Option<u32>,
    #[command(flatten)]
    pages: args::AllPages,
    /// Sort by creation time (OrderColumn=gmt_create, OrderDirect): asc or desc
    #[arg(long, value_name = "ORDER", value_parser = ["asc", "desc"])]
    order_direct: Option<String>,
    /// MongoDB sharded cluster id (ClusterName)
    #[arg(long, value_name = "ID")]
    cluster_name: Option<String>,
}

impl DescribeDownloadTask {
    fn request(self) -> Result<DescribeDownloadTaskRequest, Failure> {
        if let (Some(start), Some(end)) = (self.start_time, self.end_time)
            && start > end
        {
            return Err(Failure::usage("--start-time is after --end-time"));
        }
        let mut request = DescribeDownloadTaskRequest::new(self.instance_name);
        request.region_code = self.region.region_code;
        request.task_type = self.task_type.map(|t| match t.as_str() {
            "pitr" => DownloadTaskType::PointInTime,
            _ => DownloadTaskType::Full,
        });
        request.backup_set_id = self.backup_set_id;
        request.datasource_id = self.datasource_id;
        request.state = self.state.as_deref().map(DownloadStatus::parse);
        request.created_after = self.start_time;
        request.created_before = self.end_time;
        request.current_page = self.current_page;
        request.page_size = self.page_size;
        request.order = self.order_direct.map(|o| match o.as_str() {
            "asc" => SortOrder::Ascending,
            _ => SortOrder::Descending,
        });
        request.cluster_name = self.cluster_name;
        Ok(request)
    }
}

/// Flags of `describe-download-backup-set-storage-info`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["task_id", "backup_set_id"])))]
pub struct StorageInfo {
    /// The download task (TaskId)
    #[arg(long, value_name = "ID")]
    task_id: Option<String>,
    /// Or the backup set (BackupSetId), with --instance-name
    #[arg(long, value_name = "ID", requires = "instance_name")]
    backup_set_id: Option<String>,
    /// The instance of --backup-set-id (InstanceName)
    #[arg(long, value_name = "ID", requires = "backup_set_id")]
    instance_name: Option<String>,
    #[command(flatten)]
    region: RegionCode,
    /// How long the links stay valid, 300 to 86400 seconds (Duration)
    #[arg(long, value_name = "SECONDS", default_value_t = 7200)]
    duration: u64,
    /// MongoDB sharded cluster id (ClusterName)
    #[arg(long, value_name = "ID")]
    cluster_name: Option<String>,
}

impl StorageInfo {
    fn request(self) -> Result<StorageInfoRequest, Failure> {
        let target = match (self.task_id, self.backup_set_id, self.instance_name) {
            (Some(task), None, None) => StorageInfoTarget::Task(task),
            (None, Some(backup_set_id), Some(instance_name)) => StorageInfoTarget::BackupSet {
                backup_set_id,
                instance_name,
            },
            _ => {
                return Err(Failure::usage(
                    "give either --task-id, or --backup-set-id with --instance-name",
                ));
            }
        };
        Ok(StorageInfoRequest {
            region_code: self.region.region_code,
            target,
            duration: Duration::from_secs(self.duration),
            cluster_name: self.cluster_name,
        })
    }
}

/// Flags of `describe-download-support`.
#[derive(Debug, Args)]
pub struct DescribeDownloadSupport {
    /// The instance id (InstanceName)
    #[arg(long, value_name = "ID")]
    instance_name: String,
    #[command(flatten)]
    region: RegionCode,
}

/// Flags of `retry-download-task`.
#[derive(Debug, Args)]
pub struct RetryDownloadTask {
    /// The instance id (InstanceName)
    #[arg(long, value_name = "ID")]
    instance_name: String,
    /// The failed task (TaskId)
    #[arg(long, value_name = "ID")]
    task_id: String,
    #[command(flatten)]
    region: RegionCode,
    /// MongoDB sharded cluster id (ClusterName)
    #[arg(long, value_name = "ID")]
    cluster_name: Option<String>,
}

/// Flags of `create-restore-task`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["backup_set_id", "restore_time"])))]
pub struct CreateRestoreTask {
    /// The backup plan (BackupPlanId)
    #[arg(long, value_name = "ID")]
    backup_plan_id: String,
    /// A name for the job (RestoreTaskName)
    #[arg(long, value_name = "NAME")]
    restore_task_name: String,
    /// Restore this full backup set (BackupSetId)
    #[arg(long, value_name = "ID")]
    backup_set_id: Option<String>,
    /// Or restore to this point in time (RestoreTime)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    restore_time: Option<OffsetDateTime>,
    /// The destination's kind (DestinationEndpointInstanceType); each kind needs its own
    /// destination flags
    #[arg(long, value_name = "TYPE", value_parser = ["RDS", "ECS", "DDS", "Express", "Agent", "Other", "dg"])]
    destination_endpoint_instance_type: String,
    /// RDS, ECS, DDS, Express, Agent (optional for dg): the region
    /// (DestinationEndpointRegion)
    #[arg(long, value_name = "REGION")]
    destination_endpoint_region: Option<String>,
    /// RDS, ECS, DDS, Express (optional for dg): the instance (DestinationEndpointInstanceID)
    #[arg(long, value_name = "ID")]
    destination_endpoint_instance_id: Option<String>,
    /// Express, Agent, Other: the address (DestinationEndpointIP)
    #[arg(long, value_name = "IP")]
    destination_endpoint_ip: Option<String>,
    /// ECS, Express, Agent, Other: the port (DestinationEndpointPort)
    #[arg(long, value_name = "PORT")]
    destination_endpoint_port: Option<u16>,
    /// Agent: the backup gateway (BackupGatewayId)
    #[arg(long, value_name = "ID")]
    backup_gateway_id: Option<u64>,
    /// Agent: the restore directory (RestoreDir), required by DBS for MySQL
    #[arg(long, value_name = "DIR")]
    restore_dir: Option<String>,
    /// The databases (RestoreObjects), as the API's JSON:
    /// '[{"DBName":"orders","NewDBName":"orders_restored"}]'; required except for Agent
    #[arg(long, value_name = "JSON", value_parser = restore_objects)]
    restore_objects: Option<RestoreObjects>,
    /// The destination database user (DestinationEndpointUserName)
    #[arg(long, value_name = "USER")]
    destination_endpoint_user_name: Option<String>,
    /// Its password (DestinationEndpointPassword); prefer the environment variable, which
    /// other users cannot see in the process list
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "CLOUD_BACKUP_DESTINATION_PASSWORD",
        hide_env_values = true
    )]
    destination_endpoint_password: Option<String>,
    /// The destination database (DestinationEndpointDatabaseName), for PostgreSQL and MongoDB
    #[arg(long, value_name = "NAME")]
    destination_endpoint_database_name: Option<String>,
    /// The Oracle SID (DestinationEndpointOracleSID)
    #[arg(long, value_name = "SID")]
    destination_endpoint_oracle_sid: Option<String>,
    /// The database program directory (RestoreHome)
    #[arg(long, value_name = "DIR")]
    restore_home: Option<String>,
    /// On a name conflict (DuplicateConflict): renamenew
    #[arg(long, value_name = "POLICY", value_parser = ["renamenew"])]
    duplicate_conflict: Option<String>,
    /// Cross-account backup: the owner's UID (CrossAliyunId)
    #[arg(long, value_name = "UID", requires = "cross_role_name")]
    cross_aliyun_id: Option<String>,
    /// Cross-account backup: the RAM role DBS assumes (CrossRoleName)
    #[arg(long, value_name = "ROLE", requires = "cross_aliyun_id")]
    cross_role_name: Option<String>,
    /// Connect to the destination over TLS (EnableDestinationEndpointSsl)
    #[arg(long)]
    enable_destination_endpoint_ssl: bool,
    /// The CA certificate to verify the destination with (SslCaPem)
    #[arg(long, value_name = "PEM", requires = "enable_destination_endpoint_ssl")]
    ssl_ca_pem: Option<String>,
    /// The idempotency token (ClientToken): repeat a failed call with the same token to never
    /// create two jobs [default: a new one]
    #[arg(long, value_name = "TOKEN")]
    client_token: Option<String>,
}

/// The databases of `--restore-objects`.
#[derive(Debug, Clone)]
pub struct RestoreObjects(Vec<RestoreObject>);

/// Parses `[{"DBName": "a", "NewDBName": "b"}, ...]`.
fn restore_objects(value: &str) -> Result<RestoreObjects, String> {
    let rule =
        r#"expected a JSON array such as [{"DBName":"orders","NewDBName":"orders_restored"}]"#;
    let parsed: serde_json::Value = serde_json::from_str(value).map_err(|_| rule.to_owned())?;
    let items = parsed.as_array().ok_or_else(|| rule.to_owned())?;
    items
        .iter()
        .map(|item| {
            let db_name = item["DBName"].as_str().ok_or_else(|| rule.to_owned())?;
            let new_db_name = match &item["NewDBName"] {
                serde_json::Value::Null => None,
                serde_json::Value::String(n) => Some(n.clone()),
                _ => return Err(rule.to_owned()),
            };
            Ok(RestoreObject {
                db_name: db_name.to_owned(),
                new_db_name,
            })
        })
        .collect::<Result<_, _>>()
        .map(RestoreObjects)
}

impl CreateRestoreTask {
    fn destination(&self) -> Result<RestoreDestination, Failure> {
        let kind = self.destination_endpoint_instance_type.as_str();
        let need = |value: Option<String>, flag: &str| {
            value.ok_or_else(|| {
                Failure::usage(format!(
                    "--destination-endpoint-instance-type {kind} needs --{flag}"
                ))
            })
        };
        let region = || {
            need(
                self.destination_endpoint_region.clone(),
                "destination-endpoint-region",
            )
        };
        let instance = || {
            need(
                self.destination_endpoint_instance_id.clone(),
                "destination-endpoint-instance-id",
            )
        };
        let ip = || {
            need(
                self.destination_endpoint_ip.clone(),
                "destination-endpoint-ip",
            )
        };
        let port = || {
            self.destination_endpoint_port.ok_or_else(|| {
                Failure::usage(format!(
                    "--destination-endpoint-instance-type {kind} needs --destination-endpoint-port"
                ))
            })
        };
        // What each kind takes, to refuse flags that contradict the kind.
        let (destination, takes): (RestoreDestination, &[&str]) = match kind {
            "RDS" => (
                RestoreDestination::Rds {
                    region: region()?,
                    instance_id: instance()?,
                },
                &["region", "instance-id"],
            ),
            "ECS" => (
                RestoreDestination::Ecs {
                    region: region()?,
                    instance_id: instance()?,
                    port: port()?,
                },
                &["region", "instance-id", "port"],
            ),
            "DDS" => (
                RestoreDestination::Dds {
                    region: region()?,
                    instance_id: instance()?,
                },
                &["region", "instance-id"],
            ),
            "Express" => (
                RestoreDestination::Express {
                    region: region()?,
                    instance_id: instance()?,
                    ip: ip()?,
                    port: port()?,
                },
                &["region", "instance-id", "ip", "port"],
            ),
            "Agent" => (
                RestoreDestination::Agent {
                    region: region()?,
                    ip: ip()?,
                    port: port()?,
                    backup_gateway_id: self.backup_gateway_id.ok_or_else(|| {
                        Failure::usage(
                            "--destination-endpoint-instance-type Agent needs --backup-gateway-id",
                        )
                    })?,
                    restore_dir: self.restore_dir.clone(),
                },
                &["region", "ip", "port", "backup-gateway-id", "restore-dir"],
            ),
            "Other" => (
                RestoreDestination::Other {
                    ip: ip()?,
                    port: port()?,
                },
                &["ip", "port"],
            ),
            _ => (
                RestoreDestination::DatabaseGateway {
                    region: self.destination_endpoint_region.clone(),
                    instance_id: self.destination_endpoint_instance_id.clone(),
                },
                &["region", "instance-id"],
            ),
        };
        let given = [
            ("region", self.destination_endpoint_region.is_some()),
            (
                "instance-id",
                self.destination_endpoint_instance_id.is_some(),
            ),
            ("ip", self.destination_endpoint_ip.is_some()),
            ("port", self.destination_endpoint_port.is_some()),
            ("backup-gateway-id", self.backup_gateway_id.is_some()),
            ("restore-dir", self.restore_dir.is_some()),
        ];
        if let Some((name, _)) = given
            .iter()
            .find(|(name, set)| *set && !takes.contains(name))
        {
            let flag = match *name {
                "backup-gateway-id" | "restore-dir" => format!("--{name}"),
                other => format!("--destination-endpoint-{other}"),
            };
            return Err(Failure::usage(format!(
                "{flag} does not apply to --destination-endpoint-instance-type {kind}"
            )));
        }
        Ok(destination)
    }

    fn request(self) -> Result<CreateRestoreTaskRequest, Failure> {
        let destination = self.destination()?;
        let source = match (self.backup_set_id, self.restore_time) {
            (Some(id), None) => RestoreSource::BackupSet(id),
            (None, Some(t)) => RestoreSource::PointInTime(t),
            _ => {
                return Err(Failure::usage(
                    "give exactly one of --backup-set-id and --restore-time",
                ));
            }
        };
        let account = match (
            self.destination_endpoint_user_name,
            self.destination_endpoint_password,
        ) {
            (Some(user), Some(password)) => Some(DatabaseAccount::new(user, password)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(Failure::usage(
                    "--destination-endpoint-user-name needs --destination-endpoint-password \
                     (or CLOUD_BACKUP_DESTINATION_PASSWORD)",
                ));
            }
            (None, Some(_)) => {
                return Err(Failure::usage(
                    "a destination password (--destination-endpoint-password or \
                     CLOUD_BACKUP_DESTINATION_PASSWORD) needs --destination-endpoint-user-name",
                ));
            }
        };
        let mut request = CreateRestoreTaskRequest::new(
            self.backup_plan_id,
            self.restore_task_name,
            source,
            destination,
        );
        request.restore_objects = self.restore_objects.map(|o| o.0).unwrap_or_default();
        request.account = account;
        request.database_name = self.destination_endpoint_database_name;
        request.oracle_sid = self.destination_endpoint_oracle_sid;
        request.restore_home = self.restore_home;
        request.duplicate_conflict = self
            .duplicate_conflict
            .map(|_| DuplicateConflict::RenameNew);
        request.cross_account =
            self.cross_aliyun_id
                .zip(self.cross_role_name)
                .map(|(aliyun_id, role_name)| CrossAccount {
                    aliyun_id,
                    role_name,
                });
        request.tls = self
            .enable_destination_endpoint_ssl
            .then_some(DestinationTls {
                ca_pem: self.ssl_ca_pem,
            });
        request.client_token = self.client_token;
        Ok(request)
    }
}

/// Flags of `start-restore-task`.
#[derive(Debug, Args)]
pub struct StartRestoreTask {
    /// The job (RestoreTaskId)
    #[arg(long, value_name = "ID")]
    restore_task_id: String,
    /// The idempotency token (ClientToken) [default: a new one]
    #[arg(long, value_name = "TOKEN")]
    client_token: Option<String>,
}

/// Flags of `describe-restore-task-list`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("selector").required(true).args(["backup_plan_id", "restore_task_id"])))]
pub struct DescribeRestoreTaskList {
    /// The jobs of this backup plan (BackupPlanId)
    #[arg(long, value_name = "ID")]
    backup_plan_id: Option<String>,
    /// Or these jobs (RestoreTaskId); repeat the flag for several
    #[arg(long, value_name = "ID")]
    restore_task_id: Vec<String>,
    /// From (StartTimestamp)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    start_timestamp: Option<OffsetDateTime>,
    /// Until (EndTimestamp)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    end_timestamp: Option<OffsetDateTime>,
    /// Page number, from 0 (PageNum)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    page_num: Option<u32>,
    /// Jobs per page, 1 to 100 (PageSize)
    #[arg(long, value_name = "N")]
    page_size: Option<u32>,
    #[command(flatten)]
    pages: args::AllPages,
}

impl DescribeRestoreTaskList {
    fn request(self) -> Result<DescribeRestoreTaskListRequest, Failure> {
        let selector = match self.backup_plan_id {
            Some(plan) if self.restore_task_id.is_empty() => RestoreTaskSelector::BackupPlan(plan),
            None if !self.restore_task_id.is_empty() => {
                RestoreTaskSelector::Tasks(self.restore_task_id)
            }
            _ => {
                return Err(Failure::usage(
                    "give either --backup-plan-id or --restore-task-id",
                ));
            }
        };
        let mut request = DescribeRestoreTaskListRequest::new(selector);
        request.start = self.start_timestamp;
        request.end = self.end_timestamp;
        request.page_num = self.page_num;
        request.page_size = self.page_size;
        Ok(request)
    }
}

/// Flags of `describe-backup-plan-list`.
#[derive(Debug, Args)]
pub struct DescribeBackupPlanList {
    /// Only these plans (BackupPlanId); repeat the flag for several
    #[arg(long, value_name = "ID")]
    backup_plan_id: Vec<String>,
    /// Only plans in this DBS region (the API's Region filter; --region is the client's)
    #[arg(long, value_name = "REGION")]
    plan_region: Option<String>,
    /// Only plans of this name (BackupPlanName)
    #[arg(long, value_name = "NAME")]
    backup_plan_name: Option<String>,
    /// Only plans in this state (BackupPlanStatus): wait, init, running, stop, pause, locked,
    /// check_pass
    #[arg(long, value_name = "STATE")]
    backup_plan_status: Option<String>,
    /// Only plans of this resource group (ResourceGroupId)
    #[arg(long, value_name = "ID")]
    resource_group_id: Option<String>,
    /// Page number, from 0 (PageNum)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    page_num: Option<u32>,
    /// Plans per page, 1 to 100 (PageSize)
    #[arg(long, value_name = "N")]
    page_size: Option<u32>,
    #[command(flatten)]
    pages: args::AllPages,
}

impl DescribeBackupPlanList {
    fn request(self) -> DescribeBackupPlanListRequest {
        DescribeBackupPlanListRequest {
            backup_plan_ids: self.backup_plan_id,
            region: self.plan_region,
            backup_plan_name: self.backup_plan_name,
            backup_plan_status: self
                .backup_plan_status
                .as_deref()
                .map(BackupPlanStatus::parse),
            resource_group_id: self.resource_group_id,
            page_num: self.page_num,
            page_size: self.page_size,
        }
    }
}

/// Flags of `describe-full-backup-list`.
#[derive(Debug, Args)]
pub struct DescribeFullBackupList {
    /// The backup plan (BackupPlanId)
    #[arg(long, value_name = "ID")]
    backup_plan_id: String,
    /// Only this backup set (BackupSetId)
    #[arg(long, value_name = "ID")]
    backup_set_id: Option<String>,
    /// Report the storage class (ShowStorageType)
    #[arg(long, value_name = "BOOL")]
    show_storage_type: Option<bool>,
    /// Page number, from 0 (PageNum)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    page_num: Option<u32>,
    /// Backups per page: 30, 50 or 100 (PageSize)
    #[arg(long, value_name = "N")]
    page_size: Option<u32>,
    #[command(flatten)]
    pages: args::AllPages,
}

// ------------------------------------------------------------------------------------------
// The database products' backup listings (RDS, PolarDB, ApsaraDB for MongoDB). Their answers
// print through the response types' `Serialize`: the product's field names, links in full.
// ------------------------------------------------------------------------------------------

/// An open enum's value (`BackupStatus`, `BackupMode`, `BackupType`) as the flag gives it: a
/// value the service may know and this tool not is passed on.
fn open_value<T: for<'a> From<&'a str>>(value: &str) -> Result<T, Infallible> {
    Ok(T::from(value))
}

/// The backup-set filters of `rds-describe-backups` and `polardb-describe-backups`.
#[derive(Debug, Args)]
pub struct SetFilters {
    /// Only this backup set (BackupId)
    #[arg(long, value_name = "ID")]
    backup_id: Option<String>,
    /// Only sets in this state (BackupStatus): Success or Failed
    #[arg(long, value_name = "STATUS", value_parser = open_value::<BackupSetStatus>)]
    backup_status: Option<BackupSetStatus>,
    /// Only automated or manual sets (BackupMode): Automated or Manual
    #[arg(long, value_name = "MODE", value_parser = open_value::<BackupMode>)]
    backup_mode: Option<BackupMode>,
}

/// The optional window of `rds-describe-backups` and `mongodb-describe-backups`.
#[derive(Debug, Args)]
pub struct SetWindow {
    /// Sets started at or after (StartTime; RFC 3339, 'YYYY-MM-DD hh:mm:ss' UTC or epoch
    /// milliseconds, sent in UTC minutes)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    start_time: Option<OffsetDateTime>,
    /// Sets started at or before (EndTime, like --start-time)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    end_time: Option<OffsetDateTime>,
}

/// The pages of the backup-set listings that number them `PageNumber`.
#[derive(Debug, Args)]
pub struct SetPages {
    /// Sets per page: 30, 50 or 100 (PageSize) [default: the service's, 30; with --all, 100]
    #[arg(long, value_name = "N")]
    page_size: Option<u32>,
    /// Page number, from 1 (PageNumber)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    page_number: Option<u32>,
    #[command(flatten)]
    all: args::AllPages,
}

impl SetPages {
    /// `--all`.
    fn all(&self) -> bool {
        self.all.all
    }
}

/// The regions of geo-redundant backups, for both MongoDB listings.
#[derive(Debug, Args)]
pub struct GeoRegions {
    /// The instance's region, for a released instance or geo-redundant backups (SrcRegion)
    #[arg(long, value_name = "REGION")]
    src_region: Option<String>,
    /// The region of the geo-redundant backups (DestRegion)
    #[arg(long, value_name = "REGION")]
    dest_region: Option<String>,
}

/// Flags of `rds-describe-backups`.
#[derive(Debug, Args)]
pub struct RdsDescribeBackups {
    /// The instance (DBInstanceId)
    #[arg(long, value_name = "ID")]
    db_instance_id: String,
    #[command(flatten)]
    filters: SetFilters,
    /// Only full or incremental sets (BackupType): FullBackup or IncrementalBackup
    #[arg(long, value_name = "TYPE", value_parser = open_value::<BackupType>)]
    backup_type: Option<BackupType>,
    #[command(flatten)]
    window: SetWindow,
    #[command(flatten)]
    pages: SetPages,
}

impl RdsDescribeBackups {
    fn request(self) -> RdsDescribeBackupsRequest {
        RdsDescribeBackupsRequest {
            db_instance_id: self.db_instance_id,
            backup_id: self.filters.backup_id,
            backup_status: self.filters.backup_status,
            backup_mode: self.filters.backup_mode,
            backup_type: self.backup_type,
            start_time: self.window.start_time,
            end_time: self.window.end_time,
            page_size: self.pages.page_size,
            page_number: self.pages.page_number,
        }
    }
}

/// Flags of `rds-describe-db-instance-attribute`.
#[derive(Debug, Args)]
pub struct RdsDescribeDbInstanceAttribute {
    /// The instance (DBInstanceId)
    #[arg(long, value_name = "ID")]
    db_instance_id: String,
}

/// Flags of `polardb-describe-backups`.
#[derive(Debug, Args)]
pub struct PolardbDescribeBackups {
    /// The cluster (DBClusterId)
    #[arg(long, value_name = "ID")]
    db_cluster_id: String,
    /// Sets started at or after (StartTime, required by PolarDB; RFC 3339, 'YYYY-MM-DD
    /// hh:mm:ss' UTC or epoch milliseconds, sent in UTC minutes)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    start_time: OffsetDateTime,
    /// Sets started at or before (EndTime, required by PolarDB, like --start-time)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    end_time: OffsetDateTime,
    #[command(flatten)]
    filters: SetFilters,
    /// The destination region of cross-region backups (BackupRegion)
    #[arg(long, value_name = "REGION")]
    backup_region: Option<String>,
    #[command(flatten)]
    pages: SetPages,
}

impl PolardbDescribeBackups {
    fn request(self) -> PolarDbDescribeBackupsRequest {
        let mut request =
            PolarDbDescribeBackupsRequest::new(self.db_cluster_id, self.start_time, self.end_time);
        request.backup_id = self.filters.backup_id;
        request.backup_status = self.filters.backup_status;
        request.backup_mode = self.filters.backup_mode;
        request.backup_region = self.backup_region;
        request.page_size = self.pages.page_size;
        request.page_number = self.pages.page_number;
        request
    }
}

/// Flags of `mongodb-describe-backups`.
#[derive(Debug, Args)]
pub struct MongodbDescribeBackups {
    /// The instance (DBInstanceId)
    #[arg(long, value_name = "ID")]
    db_instance_id: String,
    /// The shard of a sharded cluster (NodeId, required for one)
    #[arg(long, value_name = "ID")]
    node_id: Option<String>,
    /// Only this backup set (BackupId; for a sharded cluster, one per shard, comma-separated)
    #[arg(long, value_name = "ID")]
    backup_id: Option<String>,
    /// Only the sets of this backup job (BackupJobId)
    #[arg(long, value_name = "ID")]
    backup_job_id: Option<String>,
    #[command(flatten)]
    window: SetWindow,
    #[command(flatten)]
    pages: SetPages,
    #[command(flatten)]
    regions: GeoRegions,
}

impl MongodbDescribeBackups {
    fn request(self) -> MongoDbDescribeBackupsRequest {
        MongoDbDescribeBackupsRequest {
            db_instance_id: self.db_instance_id,
            node_id: self.node_id,
            backup_id: self.backup_id,
            backup_job_id: self.backup_job_id,
            start_time: self.window.start_time,
            end_time: self.window.end_time,
            page_size: self.pages.page_size,
            page_number: self.pages.page_number,
            src_region: self.regions.src_region,
            dest_region: self.regions.dest_region,
        }
    }
}

/// Flags of `mongodb-describe-cluster-backups`.
#[derive(Debug, Args)]
pub struct MongodbDescribeClusterBackups {
    /// The sharded cluster (DBInstanceId)
    #[arg(long, value_name = "ID")]
    db_instance_id: String,
    /// Only this cluster backup (BackupId, cb-...)
    #[arg(long, value_name = "ID")]
    backup_id: Option<String>,
    /// Only the backups of this backup job (BackupJobId)
    #[arg(long, value_name = "ID")]
    backup_job_id: Option<String>,
    /// Backups started at or after (StartTime; RFC 3339, 'YYYY-MM-DD hh:mm:ss' UTC or epoch
    /// milliseconds, sent in UTC minutes)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    start_time: Option<OffsetDateTime>,
    /// Backups started at or before (EndTime, like --start-time)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    end_time: Option<OffsetDateTime>,
    /// true: the cluster backups without each shard's set (IsOnlyGetClusterBackUp)
    /// [default: the service's, false]
    #[arg(long, value_name = "BOOL")]
    is_only_get_cluster_backup: Option<bool>,
    /// Backups per page: 30, 50 or 100 (PageSize) [default: the service's, 30; with --all, 100]
    #[arg(long, value_name = "N")]
    page_size: Option<u32>,
    /// Page number, from 1 (PageNo: this operation's name for it)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    page_no: Option<u32>,
    #[command(flatten)]
    pages: args::AllPages,
    #[command(flatten)]
    regions: GeoRegions,
}

impl MongodbDescribeClusterBackups {
    fn request(self) -> MongoDbDescribeClusterBackupsRequest {
        MongoDbDescribeClusterBackupsRequest {
            db_instance_id: self.db_instance_id,
            backup_id: self.backup_id,
            backup_job_id: self.backup_job_id,
            start_time: self.start_time,
            end_time: self.end_time,
            is_only_get_cluster_backup: self.is_only_get_cluster_backup,
            page_size: self.page_size,
            page_no: self.page_no,
            src_region: self.regions.src_region,
            dest_region: self.regions.dest_region,
        }
    }
}

// ------------------------------------------------------------------------------------------
// Responses in DBS's shapes: the vendor crate's types do not implement `Serialize`.
// ------------------------------------------------------------------------------------------

/// Epoch milliseconds, as DBS sends times.
fn ms(t: Option<OffsetDateTime>) -> Option<i64> {
    t.map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The line `--wait` shows while a download task runs.
pub fn task_state(t: &DownloadTask) -> String {
    match &t.progress {
        Some(p) => format!("{} {} ({p} tables)", t.task_id, t.status),
        None => format!("{} {}", t.task_id, t.status),
    }
}

fn restore_state(t: &RestoreTask) -> String {
    match t.full_data_restore_progress {
        Some(p) => format!(
            "{} {} ({p}% of the data)",
            t.restore_task_id, t.restore_status
        ),
        None => format!("{} {}", t.restore_task_id, t.restore_status),
    }
}

/// A download task, as `Data` of `CreateDownload` and in `DescribeDownloadTask`'s list.
pub fn download_task(t: &DownloadTask) -> Json {
    Object::new()
        .field("TaskId", &t.task_id)
        .field("DownloadStatus", t.status.as_str())
        .field("Progress", t.progress.as_ref())
        .field("BakSetId", t.bak_set_id.as_ref())
        .field("BackupSetTime", ms(t.backup_set_time))
        .field("RegionCode", t.region_code.as_ref())
        .field("TargetPath", t.target_path.as_ref())
        .field("TargetType", t.target_type.as_ref().map(|x| x.as_str()))
        .field("DbList", t.db_list.as_ref())
        .field("ExportDataSize", t.export_data_size)
        .field("ImportDataSize", t.import_data_size)
        .field("GmtCreate", ms(t.gmt_create))
        .field("Format", t.format.as_ref().map(|f| f.as_str()))
        .build()
}

fn download_task_page(page: &Page<DownloadTask>) -> Json {
    let data = Object::new()
        .field(
            "Content",
            Object::new().field(
                "List",
                page.items.iter().map(download_task).collect::<Vec<_>>(),
            ),
        )
        .field("PageNumber", page.page_number)
        .field("PageSize", page.page_size)
        .field("TotalElements", page.total_elements)
        .field("TotalPages", page.total_pages);
    Object::new()
        .field("RequestId", page.request_id.as_ref())
        .field("Data", data)
        .build()
}

/// `DescribeDownloadBackupSetStorageInfo`'s answer, links in full.
pub fn download_links(links: &DownloadLinks) -> Json {
    let data = Object::new()
        .field("PublicUrl", links.public_url.as_ref().map(|u| u.expose()))
        .field("PrivateUrl", links.private_url.as_ref().map(|u| u.expose()))
        .field("ExpirationTime", ms(links.expiration_time));
    Object::new()
        .field("RequestId", links.request_id.as_ref())
        .field("Data", data)
        .build()
}

/// A page of a 2019-03-06 listing: `Items.<list>`, `PageNum`, `PageSize`, `TotalElements`,
/// `TotalPages`.
fn page_2019<T>(page: &Page<T>, list: &str, item: fn(&T) -> Json) -> Json {
    Object::new()
        .field("RequestId", page.request_id.as_ref())
        .field(
            "Items",
            Object::new().field(list, page.items.iter().map(item).collect::<Vec<_>>()),
        )
        .field("PageNum", page.page_number)
        .field("PageSize", page.page_size)
        .field("TotalElements", page.total_elements)
        .field("TotalPages", page.total_pages)
        .build()
}

fn restore_task(t: &RestoreTask) -> Json {
    Object::new()
        .field("RestoreTaskId", &t.restore_task_id)
        .field("RestoreTaskName", t.restore_task_name.as_ref())
        .field("RestoreStatus", t.restore_status.as_str())
        .field("BackupPlanId", t.backup_plan_id.as_ref())
        .field("BackupSetId", t.backup_set_id.as_ref())
        .field("RestoreTime", ms(t.restore_time))
        .field("RestoreTaskCreateTime", ms(t.restore_task_create_time))
        .field("RestoreTaskFinishTime", ms(t.restore_task_finish_time))
        .field(
            "FullStruforeRestoreProgress",
            t.full_strufore_restore_progress,
        )
        .field("FullDataRestoreProgress", t.full_data_restore_progress)
        .field(
            "FullStruAfterRestoreProgress",
            t.full_stru_after_restore_progress,
        )
        .field("ContinuousRestoreProgress", t.continuous_restore_progress)
        .field(
            "DestinationEndpointInstanceType",
            t.destination_endpoint_instance_type.as_ref(),
        )
        .field(
            "DestinationEndpointRegion",
            t.destination_endpoint_region.as_ref(),
        )
        .field(
            "DestinationEndpointInstanceID",
            t.destination_endpoint_instance_id.as_ref(),
        )
        .field(
            "DestinationEndpointIpPort",
            t.destination_endpoint_ip_port.as_ref(),
        )
        .field(
            "DestinationEndpointDatabaseName",
            t.destination_endpoint_database_name.as_ref(),
        )
        .field("RestoreObjects", t.restore_objects.as_ref())
        .field("ErrMessage", t.err_message.as_ref())
        .build()
}

fn backup_plan(p: &BackupPlan) -> Json {
    Object::new()
        .field("BackupPlanId", &p.backup_plan_id)
        .field("BackupPlanName", p.backup_plan_name.as_ref())
        .field("BackupPlanStatus", p.backup_plan_status.as_str())
        .field("DatabaseType", p.database_type.as_ref())
        .field("BackupMethod", p.backup_method.as_ref())
        .field(
            "SourceEndpointInstanceType",
            p.source_endpoint_instance_type.as_ref(),
        )
        .field("SourceEndpointRegion", p.source_endpoint_region.as_ref())
        .field(
            "SourceEndpointInstanceID",
            p.source_endpoint_instance_id.as_ref(),
        )
        .field("SourceEndpointIpPort", p.source_endpoint_ip_port.as_ref())
        .field(
            "SourceEndpointDatabaseName",
            p.source_endpoint_database_name.as_ref(),
        )
        .field("BackupPeriod", p.backup_period.as_ref())
        .field("BackupStartTime", p.backup_start_time.as_ref())
        .field("BackupRetentionPeriod", p.backup_retention_period)
        .field("EnableBackupLog", p.enable_backup_log)
        .field(
            "BeginTimestampForRestore",
            ms(p.begin_timestamp_for_restore),
        )
        .field("EndTimestampForRestore", ms(p.end_timestamp_for_restore))
        .field("BackupPlanCreateTime", ms(p.backup_plan_create_time))
        .field("OSSBucketName", p.oss_bucket_name.as_ref())
        .field("OSSBucketRegion", p.oss_bucket_region.as_ref())
        .field("BackupStorageType", p.backup_storage_type.as_ref())
        .field("InstanceClass", p.instance_class.as_ref())
        .field("ResourceGroupId", p.resource_group_id.as_ref())
        .field("ErrMessage", p.err_message.as_ref())
        .build()
}

fn full_backup(b: &FullBackup) -> Json {
    Object::new()
        .field("BackupSetId", &b.backup_set_id)
        .field("BackupStatus", b.backup_status.as_str())
        .field("BackupSize", b.backup_size)
        .field("CreateTime", ms(b.create_time))
        .field("StartTime", ms(b.start_time))
        .field("EndTime", ms(b.end_time))
        .field("FinishTime", ms(b.finish_time))
        .field("BackupSetExpiredTime", ms(b.backup_set_expired_time))
        .field("StorageMethod", b.storage_method.as_ref())
        .field("BackupObjects", b.backup_objects.as_ref())
        .field("SourceEndpointIpPort", b.source_endpoint_ip_port.as_ref())
        .field("ErrMessage", b.err_message.as_ref())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_types_in_any_case_map_to_their_export_never_a_default() {
        for (given, want) in [
            ("csv", Export::Logical(LogicalFormat::Csv)),
            ("CSV", Export::Logical(LogicalFormat::Csv)),
            ("Parquet", Export::Logical(LogicalFormat::Parquet)),
            ("SQL", Export::Logical(LogicalFormat::Sql)),
            (
                "CSV-with-header",
                Export::Logical(LogicalFormat::CsvWithHeader),
            ),
            ("QP.XB", Export::RdsMySqlPhysical),
        ] {
            assert_eq!(format_export(given).unwrap(), want, "{given}");
        }
        let err = format_export("Bson").unwrap_err().to_string();
        assert!(
            err.contains("--format-type bson is not a logical format"),
            "{err}"
        );
    }
}
