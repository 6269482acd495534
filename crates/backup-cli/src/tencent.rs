//! `cloud-backup tencent`: every operation of the `mongodb-tencent` crate, flags named after the
//! API parameters, output with the API's field names (the `Response` envelope removed).

use backup_core::cloud_sign::Vendor;
use backup_core::tencent::{
    BackupDownloadTask, BackupMethod, Client, ClusterType, CreateBackupDownloadTaskRequest,
    DescribeBackupDownloadTaskRequest, DescribeDbBackupsRequest, DescribeDbInstancesRequest,
    InstanceOrderBy, InstanceStatus, InstanceTypeFilter, OrderBy, OrderByType, PayMode, TagInfo,
    TaskStatus,
};
use clap::{Args, Subcommand};
use time::PrimitiveDateTime;

use crate::args;
use crate::cli::{Context, Output};
use crate::error::Failure;
use crate::output::{Json, Object};
use crate::progress::Progress;

/// The TencentDB for MongoDB operations.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// CreateBackupDownloadTask: start preparing the download of a backup, one task per replica
    /// set or shard
    CreateBackupDownloadTask(CreateBackupDownloadTask),
    /// DescribeBackupDownloadTask: list download tasks; a finished task carries its Url (printed
    /// in full: it is a credential)
    DescribeBackupDownloadTask(DescribeBackupDownloadTask),
    /// DescribeDBBackups: list an instance's backups, to find the BackupName to download
    #[command(name = "describe-db-backups")]
    DescribeDbBackups(DescribeDbBackups),
    /// DescribeDBInstances: list instances with their replica sets or shards, the ids
    /// create-backup-download-task's --replica-set-id takes
    #[command(name = "describe-db-instances")]
    DescribeDbInstances(DescribeDbInstances),
}

impl Command {
    /// Whether the operation starts a task `--wait` can wait for.
    pub fn waits(&self) -> bool {
        matches!(self, Command::CreateBackupDownloadTask(_))
    }

    /// Checks the flags, builds the client, calls the operation and renders the response.
    pub async fn run(self, ctx: &Context) -> Output {
        match self {
            Command::CreateBackupDownloadTask(a) => {
                let request = CreateBackupDownloadTaskRequest::new(
                    a.instance_id,
                    a.backup_name,
                    a.replica_set_id,
                );
                let client = client(ctx)?;
                let created = client.create_backup_download_task(&request).await?;
                if !ctx.wait() {
                    return Json::of(&created);
                }
                let progress = Progress::spinner();
                let waited = client
                    .wait_for_backup_download(&request, &ctx.waiter(), |tasks| {
                        progress.message(tasks_state(tasks));
                    })
                    .await;
                progress.finish();
                Ok(Object::new()
                    .field("Tasks", Json::of(&waited?)?)
                    .field("RequestId", created.request_id)
                    .build())
            }
            Command::DescribeBackupDownloadTask(a) => {
                let all = a.pages.all;
                let request = a.request();
                let client = client(ctx)?;
                if all {
                    Json::of(&client.describe_backup_download_task_all(&request).await?)
                } else {
                    Json::of(&client.describe_backup_download_task(&request).await?)
                }
            }
            Command::DescribeDbBackups(a) => {
                let request = DescribeDbBackupsRequest {
                    instance_id: a.instance_id,
                    backup_method: a.backup_method.map(BackupMethod::from),
                    limit: a.limit,
                    offset: a.offset,
                };
                let client = client(ctx)?;
                if a.pages.all {
                    Json::of(&client.describe_db_backups_all(&request).await?)
                } else {
                    Json::of(&client.describe_db_backups(&request).await?)
                }
            }
            Command::DescribeDbInstances(a) => {
                let all = a.pages.all;
                let request = a.request();
                let client = client(ctx)?;
                if all {
                    Json::of(&client.describe_db_instances_all(&request).await?)
                } else {
                    Json::of(&client.describe_db_instances(&request).await?)
                }
            }
        }
    }
}

/// A client for the context's region, endpoint and transport, with credentials from the
/// environment or the profile file.
pub(crate) fn client(ctx: &Context) -> Result<Client, Failure> {
    let mut builder = Client::builder()
        .region(ctx.region(Vendor::Tencent)?)
        .http_client(ctx.http()?);
    if let Some(profile) = ctx.profile() {
        builder = builder.profile(profile);
    }
    if let Some(endpoint) = ctx.endpoint() {
        builder = builder.endpoint(endpoint.clone());
    }
    if let Some(source) = credential_source(ctx)? {
        builder = builder.credential_source(source);
    }
    builder.build().map_err(|e| {
        crate::cli::with_instance_hint(
            e,
            &format!(
                "on a CVM instance, set {} to its CAM role",
                backup_core::tencent::CVM_ROLE_VARIABLE
            ),
        )
    })
}

/// The credentials of every call, resolved once here: the keys of the default chain (the
/// environment, then the profile files), where a tccli profile that assumes a role (`role-arn`)
/// gives that role's credentials instead (STS `AssumeRole` with its keys); else a TKE OIDC role
/// (the official `TKE_*` variables), else the CVM instance's CAM role named by
/// `TENCENTCLOUD_CAM_ROLE_NAME` (all roles refreshed before they expire); with `--profile`, that
/// profile alone. `None`: nothing is configured (the builder then says how). `configure list`
/// reports this very resolution.
pub(crate) fn credential_source(
    ctx: &Context,
) -> Result<Option<backup_core::tencent::CredentialSource>, Failure> {
    use backup_core::cloud_sign::{
        ChainProvider, EnvironmentProvider, ProfileFileProvider, ProvideCredentials,
        ProviderContext, TccliProvider,
    };
    use backup_core::tencent::{
        CVM_ROLE_VARIABLE, CredentialSource, RefreshingCredentials, TkeOidcRole,
    };
    let os = ProviderContext::from_os();
    let broken = |e: backup_core::cloud_sign::CredentialsError| {
        Failure::from(backup_core::tencent::Error::Credentials(e.to_string()))
    };
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if ctx.profile().is_none() {
        // The default chain's order: the environment and the SDK's file come before tccli's
        // default profile, whose role (if it has one) is looked up next.
        let before_tccli = ChainProvider::new(vec![
            Box::new(EnvironmentProvider::new(Vendor::Tencent)),
            Box::new(ProfileFileProvider::new(Vendor::Tencent)),
        ]);
        if let Some(keys) = before_tccli.provide(&os).map_err(broken)? {
            return Ok(Some(CredentialSource::Fixed(keys)));
        }
    }
    let mut tccli = TccliProvider::new();
    if let Some(p) = ctx.profile() {
        tccli = tccli.with_profile(p);
    }
    if let Some(source) = tccli_role(ctx, &tccli, &os)? {
        return Ok(Some(CredentialSource::Refreshing(std::sync::Arc::new(
            source,
        ))));
    }
    // Keys, when there are any, win (and a stray TKE_* variable is then no error).
    let keys = ChainProvider::default_for(Vendor::Tencent, ctx.profile())
        .provide(&os)
        .map_err(broken)?;
    if keys.is_some() || ctx.profile().is_some() {
        return Ok(keys.map(CredentialSource::Fixed));
    }
    let role = std::env::var(CVM_ROLE_VARIABLE)
        .ok()
        .filter(|r| !r.trim().is_empty());
    let oidc = TkeOidcRole::from_env(&os)?;
    let source = match (oidc, role) {
        (Some(mut oidc), _) => {
            if let Some(url) = env(crate::cli::STS_ENDPOINT_VARIABLE) {
                oidc = oidc.sts_endpoint(url);
            }
            RefreshingCredentials::new(crate::cli::Via(
                oidc,
                backup_core::tencent::TKE_OIDC_VARIABLES.join(", "),
            ))
        }
        (None, Some(role)) => RefreshingCredentials::new(crate::cli::Via(
            cvm_role(Some(role))?,
            CVM_ROLE_VARIABLE.to_owned(),
        )),
        (None, None) => return Ok(None),
    };
    Ok(Some(CredentialSource::Refreshing(std::sync::Arc::new(
        source,
    ))))
}

/// The session name of a tccli role profile without `role-session-name` (tccli itself would
/// then sign with the profile's bare keys, which are not the role's).
const SESSION_NAME: &str = "cloud-backup";

/// The role a tccli profile assumes (`role-arn`): STS `AssumeRole` with the profile's keys
/// (sent to `CLOUD_BACKUP_STS_ENDPOINT` when set). `None` for a profile of keys or none at all;
/// a CVM-role profile (`"type": "cvm-role"`) is left to the keys' lookup, which refuses it.
fn tccli_role(
    ctx: &Context,
    tccli: &backup_core::cloud_sign::TccliProvider,
    os: &backup_core::cloud_sign::ProviderContext,
) -> Result<Option<backup_core::tencent::RefreshingCredentials>, Failure> {
    use backup_core::tencent::{Error, RefreshingCredentials, StsAssumeRole};
    let broken = |e: backup_core::cloud_sign::CredentialsError| {
        Failure::from(Error::Credentials(e.to_string()))
    };
    let Some(profile) = tccli.assume_role(os).map_err(broken)? else {
        return Ok(None);
    };
    let via = format!(
        "{} profile '{}' (role-arn)",
        profile.origin, profile.profile
    );
    let session = profile.session_name.as_deref().unwrap_or(SESSION_NAME);
    let mut role = StsAssumeRole::builder(profile.source, &profile.role_arn, session);
    // The CLI's timeouts and retries; CLOUD_BACKUP_STS_ENDPOINT (plain http allowed there).
    let (sts, http) = ctx.sts_override()?;
    role = role.http_client(http);
    if let Some(sts) = sts {
        role = role.sts_endpoint(sts.to_string());
    }
    let role = role
        .build()
        .map_err(|e| Failure::from(Error::Credentials(format!("credentials from {via}: {e}"))))?;
    Ok(Some(RefreshingCredentials::new(crate::cli::Via(role, via))))
}

/// The CVM instance's role `role` (or the one the metadata service lists), at the metadata
/// service `CLOUD_BACKUP_ECS_METADATA_ENDPOINT` names, when set.
fn cvm_role(role: Option<String>) -> Result<backup_core::tencent::CvmRole, Failure> {
    let mut cvm = backup_core::tencent::CvmRole::new(role)?;
    if let Ok(endpoint) = std::env::var(crate::cli::METADATA_ENDPOINT_VARIABLE)
        && !endpoint.is_empty()
    {
        cvm = cvm.endpoint(endpoint);
    }
    Ok(cvm)
}

/// The line `--wait` shows while the tasks run: each replica set's state and percentage.
pub fn tasks_state(tasks: &[BackupDownloadTask]) -> String {
    if tasks.is_empty() {
        return "no task listed yet".to_owned();
    }
    let states: Vec<String> = tasks
        .iter()
        .map(|t| format!("{} {} {}%", t.replica_set_id, t.status, t.percent))
        .collect();
    states.join(", ")
}

/// Flags of `create-backup-download-task`.
#[derive(Debug, Args)]
pub struct CreateBackupDownloadTask {
    /// The instance (InstanceId), e.g. cmgo-p8vnipr5
    #[arg(long, value_name = "ID")]
    instance_id: String,
    /// The backup file (BackupName), as describe-db-backups lists it
    #[arg(long, value_name = "NAME")]
    backup_name: String,
    /// A replica set or shard to download (BackupSets.N.ReplicaSetId), e.g. cmgo-p8vnipr5_0 for
    /// a replica set; repeat the flag for every shard of a sharded cluster
    #[arg(long, value_name = "ID", required = true)]
    replica_set_id: Vec<String>,
}

/// Flags of `describe-backup-download-task`.
#[derive(Debug, Args)]
pub struct DescribeBackupDownloadTask {
    /// The instance (InstanceId)
    #[arg(long, value_name = "ID")]
    instance_id: String,
    /// Only tasks of this backup file (BackupName)
    #[arg(long, value_name = "NAME")]
    backup_name: Option<String>,
    /// Only tasks created at or after (StartTime), 'YYYY-MM-DD hh:mm:ss' in the service's time
    #[arg(long, value_name = "TIME", value_parser = args::local_time)]
    start_time: Option<PrimitiveDateTime>,
    /// Only tasks created at or before (EndTime), 'YYYY-MM-DD hh:mm:ss'
    #[arg(long, value_name = "TIME", value_parser = args::local_time)]
    end_time: Option<PrimitiveDateTime>,
    /// At most this many tasks, 1 to 100 (Limit) [default: the service's, 20]
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// Skip this many tasks (Offset)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    offset: Option<u32>,
    #[command(flatten)]
    pages: args::AllPages,
    /// Sort by (OrderBy): createTime or finishTime
    #[arg(long, value_name = "FIELD", value_parser = ["createTime", "finishTime"])]
    order_by: Option<String>,
    /// Sort direction (OrderByType): asc or desc
    #[arg(long, value_name = "ORDER", value_parser = ["asc", "desc"])]
    order_by_type: Option<String>,
    /// Only tasks in this state (Status): 0 waiting, 1 downloading, 2 finished, 3 failed, 4
    /// waiting to retry; repeat the flag for several
    #[arg(long, value_name = "N")]
    status: Vec<i64>,
}

impl DescribeBackupDownloadTask {
    fn request(self) -> DescribeBackupDownloadTaskRequest {
        DescribeBackupDownloadTaskRequest {
            instance_id: self.instance_id,
            backup_name: self.backup_name,
            start_time: self.start_time,
            end_time: self.end_time,
            limit: self.limit,
            offset: self.offset,
            order_by: self.order_by.map(|o| match o.as_str() {
                "finishTime" => OrderBy::FinishTime,
                _ => OrderBy::CreateTime,
            }),
            order_by_type: self.order_by_type.map(|o| match o.as_str() {
                "asc" => OrderByType::Asc,
                _ => OrderByType::Desc,
            }),
            status: self.status.into_iter().map(TaskStatus::from).collect(),
        }
    }
}

/// Flags of `describe-db-backups`.
#[derive(Debug, Args)]
pub struct DescribeDbBackups {
    /// The instance (InstanceId)
    #[arg(long, value_name = "ID")]
    instance_id: String,
    /// Only backups made this way (BackupMethod): 0 logical, 1 physical, 3 snapshot
    #[arg(long, value_name = "N")]
    backup_method: Option<i64>,
    /// At most this many backups, 1 to 100 (Limit)
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// Skip this many backups (Offset)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    offset: Option<u32>,
    #[command(flatten)]
    pages: args::AllPages,
}

/// Flags of `describe-db-instances`.
#[derive(Debug, Args)]
pub struct DescribeDbInstances {
    /// Only this instance (InstanceIds.N); repeat the flag for several [default: every instance]
    #[arg(long, value_name = "ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    instance_id: Vec<String>,
    /// Only instances of this kind (InstanceType): 0 all, 1 formal, 2 temporary, 3 read-only, -1
    /// formal, read-only and disaster recovery
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    instance_type: Option<i64>,
    /// Only this architecture (ClusterType): 0 replica set, 1 sharded cluster, -1 both
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    cluster_type: Option<i64>,
    /// Only instances in this state (Status): 0 to be initialized, 1 processing, 2 running, -2
    /// isolated (monthly subscription), -3 isolated (pay-as-you-go); repeat the flag for several
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    status: Vec<i64>,
    /// Only instances in this VPC (VpcId)
    #[arg(long, value_name = "ID")]
    vpc_id: Option<String>,
    /// Only instances in this subnet of --vpc-id (SubnetId)
    #[arg(long, value_name = "ID", requires = "vpc_id")]
    subnet_id: Option<String>,
    /// Only instances billed this way (PayMode): 0 pay-as-you-go, 1 monthly subscription, -1
    /// both
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pay_mode: Option<i64>,
    /// Only instances of this project (ProjectIds.N); repeat the flag for several
    #[arg(long, value_name = "ID")]
    project_id: Vec<u64>,
    /// Only instances with this tag (Tags.N), KEY=VALUE; repeat the flag for several
    #[arg(long, value_name = "KEY=VALUE", value_parser = tag)]
    tag: Vec<TagInfo>,
    /// Only instances whose id, name or private IP address matches (SearchKey)
    #[arg(long, value_name = "TEXT")]
    search_key: Option<String>,
    /// At most this many instances, 1 to 100 (Limit) [default: the service's, 20]
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// Skip this many instances (Offset)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    offset: Option<u32>,
    #[command(flatten)]
    pages: args::AllPages,
    /// Sort by (OrderBy): ProjectId, InstanceName or CreateTime
    #[arg(long, value_name = "FIELD", value_parser = ["ProjectId", "InstanceName", "CreateTime"])]
    order_by: Option<String>,
    /// Sort direction (OrderByType): ASC or DESC
    #[arg(long, value_name = "ORDER", value_parser = ["ASC", "DESC"], ignore_case = true)]
    order_by_type: Option<String>,
}

impl DescribeDbInstances {
    fn request(self) -> DescribeDbInstancesRequest {
        DescribeDbInstancesRequest {
            instance_ids: self.instance_id,
            instance_type: self.instance_type.map(InstanceTypeFilter::from),
            cluster_type: self.cluster_type.map(ClusterType::from),
            status: self.status.into_iter().map(InstanceStatus::from).collect(),
            vpc_id: self.vpc_id,
            subnet_id: self.subnet_id,
            pay_mode: self.pay_mode.map(PayMode::from),
            limit: self.limit,
            offset: self.offset,
            order_by: self.order_by.map(|o| match o.as_str() {
                "ProjectId" => InstanceOrderBy::ProjectId,
                "InstanceName" => InstanceOrderBy::InstanceName,
                _ => InstanceOrderBy::CreateTime,
            }),
            order_by_type: self.order_by_type.map(|o| {
                if o.eq_ignore_ascii_case("asc") {
                    OrderByType::Asc
                } else {
                    OrderByType::Desc
                }
            }),
            project_ids: self.project_id,
            search_key: self.search_key,
            tags: self.tag,
        }
    }
}

/// A tag filter `KEY=VALUE` (the value may be empty; the key may not).
fn tag(value: &str) -> Result<TagInfo, String> {
    match value.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok(TagInfo::new(key.trim(), value)),
        _ => Err("expected KEY=VALUE".to_owned()),
    }
}
