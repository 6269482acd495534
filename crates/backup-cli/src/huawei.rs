//! `cloud-backup huawei`: every operation of the `rds-huawei` crate, service first (`dds-...`,
//! `rds-...`), flags named after the API parameters, output with the API's field names.

use std::sync::Arc;

use backup_core::cloud_http::{CredentialSource, Endpoint, Error as ApiError};
use backup_core::cloud_sign::{ChainProvider, ProvideCredentials, ProviderContext, Vendor};
use backup_core::huawei::{
    Auth, BackupStatus, Client, HuaweiFederation, IdTokenFederation, Language,
    RefreshingCredentials, SortOrder, SortRule, TimeRange, dds, rds,
};
use clap::{Args, Subcommand};
use time::OffsetDateTime;

use crate::args;
use crate::cli::{Context, Output};
use crate::error::Failure;
use crate::output::Json;

/// `cloud-backup huawei`: the project id and the operation.
#[derive(Debug, Args)]
pub struct Huawei {
    /// The project id [default: HUAWEICLOUD_SDK_PROJECT_ID or the profile's project_id, else
    /// the project IAM lists under the region's name]
    #[arg(long, global = true, value_name = "ID")]
    project_id: Option<String>,
    #[command(subcommand)]
    command: Command,
}

/// The DDS and RDS operations.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// DDS ShowBackupDownloadLink: a backup's files, one per shard, each with a link valid about
    /// 15 minutes (printed in full: links are credentials)
    DdsShowBackupDownloadLink(DdsShowBackupDownloadLink),
    /// RDS ShowBackupDownloadLink: a backup's files, each with a link valid about 15 minutes
    RdsShowBackupDownloadLink(RdsShowBackupDownloadLink),
    /// DDS ListBackups: the backups matching the filters, newest first
    DdsListBackups(DdsListBackups),
    /// RDS ListBackups: an instance's backups matching the filters
    RdsListBackups(RdsListBackups),
}

impl Huawei {
    /// Checks the flags, builds the client, calls the operation and renders the response.
    pub async fn run(self, ctx: &Context) -> Output {
        let project_id = self.project_id;
        let client = || client(ctx, project_id.clone());
        match self.command {
            Command::DdsShowBackupDownloadLink(a) => {
                let mut request =
                    dds::ShowBackupDownloadLinkRequest::new(a.instance_id, a.backup_id);
                request.language = a.language.get();
                Json::of(&client()?.dds().show_backup_download_link(&request).await?)
            }
            Command::RdsShowBackupDownloadLink(a) => {
                let mut request = rds::ShowBackupDownloadLinkRequest::new(a.backup_id);
                request.language = a.language.get();
                Json::of(&client()?.rds().show_backup_download_link(&request).await?)
            }
            Command::DdsListBackups(a) => {
                let all = a.filters.pages.all;
                let request = a.request()?;
                let client = client()?;
                let dds = client.dds();
                if all {
                    Json::of(&dds.list_backups_all(&request).await?)
                } else {
                    Json::of(&dds.list_backups(&request).await?)
                }
            }
            Command::RdsListBackups(a) => {
                let f = a.filters;
                let all = f.pages.all;
                let request = rds::ListBackupsRequest {
                    time_range: f.range()?,
                    backup_id: f.backup_id,
                    backup_type: f.backup_type.as_deref().map(rds::BackupType::from),
                    offset: f.offset,
                    limit: f.limit,
                    ..rds::ListBackupsRequest::new(a.instance_id)
                };
                let client = client()?;
                let rds = client.rds();
                if all {
                    Json::of(&rds.list_backups_all(&request).await?)
                } else {
                    Json::of(&rds.list_backups(&request).await?)
                }
            }
        }
    }
}

/// A client for the context's region and transport, with credentials in the official chain's
/// order ([`credential_source`]): a federated identity configured in the environment or the
/// profile file, keys from the environment or the profile file (resolved by the client
/// builder), else (with `CLOUD_BACKUP_USE_INSTANCE_CREDENTIALS` set) the ECS instance's
/// agency. `--endpoint` serves DDS, RDS and the IAM project lookup.
pub(crate) fn client(ctx: &Context, project_id: Option<String>) -> Result<Client, Failure> {
    let mut builder = Client::builder()
        .region(ctx.region(Vendor::Huawei)?)
        .http_client(ctx.http()?);
    if let Some(profile) = ctx.profile() {
        builder = builder.profile(profile);
    }
    if let Some(federated) = federation(ctx)? {
        // The project lookup goes to the identity's IAM (unless --endpoint, below, says
        // otherwise), signed with its temporary credentials.
        builder = builder
            .auth(Auth::Refreshing(federated.source))
            .iam_endpoint(federated.iam);
        if let Some(project_id) = federated.project_id {
            builder = builder.project_id(project_id);
        }
    } else if let Some(agency) = agency(ctx)? {
        builder = builder.auth(Auth::Refreshing(Arc::new(agency)));
    }
    if let Some(project_id) = project_id {
        builder = builder.project_id(project_id);
    }
    if let Some(endpoint) = ctx.endpoint() {
        builder = builder
            .endpoint(endpoint.clone())
            .iam_endpoint(endpoint.clone());
    }
    builder.build().map_err(|e| {
        crate::cli::with_instance_hint(
            e,
            &format!(
                "on an ECS instance with an agency, set {}=1",
                crate::cli::INSTANCE_CREDENTIALS_VARIABLE
            ),
        )
    })
}

/// Where the Huawei credentials come from, in the official chain's order: the environment (a
/// federated identity, `HUAWEICLOUD_SDK_IDP_ID` and `HUAWEICLOUD_SDK_ID_TOKEN_FILE`, before
/// keys), the profile file (its `idp_id` and `id_token_file` before its `ak` and `sk`), then,
/// opted in, the ECS instance's agency; with `--profile`, that profile alone. `None`: nothing
/// is configured. [`client`] follows it; `configure list` reports it.
pub(crate) fn credential_source(ctx: &Context) -> Result<Option<CredentialSource>, Failure> {
    if let Some(federated) = federation(ctx)? {
        return Ok(Some(CredentialSource::Refreshing(federated.source)));
    }
    let keys = ChainProvider::default_for(Vendor::Huawei, ctx.profile())
        .provide(&ProviderContext::from_os())
        .map_err(|e| Failure::from(ApiError::Credentials(e.to_string())))?;
    if let Some(keys) = keys {
        return Ok(Some(CredentialSource::Fixed(keys)));
    }
    Ok(agency(ctx)?.map(|a| CredentialSource::Refreshing(Arc::new(a))))
}

/// A federated identity the commands use: its temporary credentials, the project id configured
/// beside it, and the IAM it is exchanged at.
struct Federated {
    source: Arc<RefreshingCredentials>,
    project_id: Option<String>,
    iam: Endpoint,
}

/// The federated identity of the official chain ([`HuaweiFederation::resolve`]), when one is
/// configured where the chain looks before keys. Its IAM: the profile's `iam_endpoint` or
/// `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else `--endpoint` (a CLI pointed somewhere sends no token
/// elsewhere behind the user's back), else the region's.
fn federation(ctx: &Context) -> Result<Option<Federated>, Failure> {
    let Some(config) = HuaweiFederation::resolve(&ProviderContext::from_os(), ctx.profile())
        .map_err(|e| Failure::from(ApiError::Credentials(e.to_string())))?
    else {
        return Ok(None);
    };
    let region = ctx.region(Vendor::Huawei).map_err(|mut e| {
        e.prefix(&format!(
            "the federated identity of {} is exchanged at its region's IAM",
            config.origin
        ));
        e
    })?;
    let mut federation = IdTokenFederation::from_config(&config, &region)?.http_client(ctx.http()?);
    if config.iam_endpoint.is_none()
        && let Some(endpoint) = ctx.endpoint()
    {
        federation = federation.iam_endpoint(endpoint.clone());
    }
    let iam = federation.iam().clone();
    let source = RefreshingCredentials::new(crate::cli::Via(federation, config.origin));
    Ok(Some(Federated {
        source: Arc::new(source),
        project_id: config.project_id,
        iam,
    }))
}

/// The ECS instance's agency, when the commands use it ([`crate::cli::instance_credentials`]);
/// `configure list` reports the same.
pub(crate) fn agency(ctx: &Context) -> Result<Option<RefreshingCredentials>, Failure> {
    let Some(endpoint) = crate::cli::instance_credentials(Vendor::Huawei, ctx)? else {
        return Ok(None);
    };
    let mut agency = backup_core::huawei::EcsAgency::new()?;
    if let Some(e) = endpoint {
        agency = agency.endpoint(e);
    }
    Ok(Some(RefreshingCredentials::new(crate::cli::Via(
        agency,
        crate::cli::INSTANCE_CREDENTIALS_VARIABLE.to_owned(),
    ))))
}

/// `--x-language`.
#[derive(Debug, Args)]
pub struct LanguageArg {
    /// The language of the service's messages (X-Language header): en-us or zh-cn
    #[arg(long, value_name = "LANGUAGE")]
    x_language: Option<String>,
}

impl LanguageArg {
    fn get(&self) -> Option<Language> {
        self.x_language.as_deref().map(Language::from)
    }
}

/// The filters both services' `ListBackups` take.
#[derive(Debug, Args)]
pub struct Filters {
    /// Only this backup (backup_id)
    #[arg(long, value_name = "ID")]
    backup_id: Option<String>,
    /// Only this type (backup_type): for DDS Auto, Manual or Incremental [default: full
    /// backups]; for RDS auto, manual, fragment or incremental
    #[arg(long, value_name = "TYPE")]
    backup_type: Option<String>,
    /// Skip this many backups (offset)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    offset: Option<u32>,
    /// At most this many, 1 to 100 (limit)
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    #[command(flatten)]
    pages: args::AllPages,
    /// Only backups from this time (begin_time, with --end-time): RFC 3339,
    /// 'YYYY-MM-DD hh:mm:ss' (UTC) or epoch milliseconds
    #[arg(long, value_name = "TIME", value_parser = args::time, requires = "end_time")]
    begin_time: Option<OffsetDateTime>,
    /// Only backups until this time (end_time, with --begin-time)
    #[arg(long, value_name = "TIME", value_parser = args::time, requires = "begin_time")]
    end_time: Option<OffsetDateTime>,
}

impl Filters {
    fn range(&self) -> Result<Option<TimeRange>, Failure> {
        match (self.begin_time, self.end_time) {
            (Some(begin), Some(end)) => Ok(Some(TimeRange::new(begin, end)?)),
            (None, None) => Ok(None),
            _ => Err(Failure::usage("give --begin-time and --end-time together")),
        }
    }
}

/// Flags of `dds-show-backup-download-link`.
#[derive(Debug, Args)]
pub struct DdsShowBackupDownloadLink {
    /// The instance (instance_id)
    #[arg(long, value_name = "ID")]
    instance_id: String,
    /// The backup (backup_id)
    #[arg(long, value_name = "ID")]
    backup_id: String,
    #[command(flatten)]
    language: LanguageArg,
}

/// Flags of `rds-show-backup-download-link`.
#[derive(Debug, Args)]
pub struct RdsShowBackupDownloadLink {
    /// The backup (backup_id)
    #[arg(long, value_name = "ID")]
    backup_id: String,
    #[command(flatten)]
    language: LanguageArg,
}

/// Flags of `dds-list-backups`.
#[derive(Debug, Args)]
pub struct DdsListBackups {
    /// Only this instance's backups (instance_id); required with --backup-type Incremental
    #[arg(long, value_name = "ID")]
    instance_id: Option<String>,
    #[command(flatten)]
    filters: Filters,
    /// Only instances of this topology (mode): Sharding, ReplicaSet or Single
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// Only backups in this status (backup_status): BUILDING, COMPLETED, FAILED, DISABLED
    #[arg(long, value_name = "STATUS")]
    backup_status: Option<String>,
    /// Sort by this field (order_field, with --order-rule), e.g. begin_time
    #[arg(long, value_name = "FIELD", requires = "order_rule")]
    order_field: Option<String>,
    /// Sort direction (order_rule, with --order-field): asc or desc
    #[arg(long, value_name = "RULE", requires = "order_field")]
    order_rule: Option<String>,
}

impl DdsListBackups {
    fn request(self) -> Result<dds::ListBackupsRequest, Failure> {
        let order = match (self.order_field, self.order_rule) {
            (Some(field), Some(rule)) => Some(SortOrder {
                field,
                rule: SortRule::from(rule.as_str()),
            }),
            (None, None) => None,
            _ => {
                return Err(Failure::usage(
                    "give --order-field and --order-rule together",
                ));
            }
        };
        let f = self.filters;
        Ok(dds::ListBackupsRequest {
            instance_id: self.instance_id,
            time_range: f.range()?,
            backup_id: f.backup_id,
            backup_type: f.backup_type.as_deref().map(dds::BackupType::from),
            offset: f.offset,
            limit: f.limit,
            mode: self.mode.as_deref().map(dds::InstanceMode::from),
            backup_status: self.backup_status.as_deref().map(BackupStatus::from),
            order,
        })
    }
}

/// Flags of `rds-list-backups`.
#[derive(Debug, Args)]
pub struct RdsListBackups {
    /// The instance (instance_id)
    #[arg(long, value_name = "ID")]
    instance_id: String,
    #[command(flatten)]
    filters: Filters,
}
