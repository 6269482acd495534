//! `cloud-backup backups`: an instance's backups on any cloud, in one shape (id, times, size in
//! bytes, state, method, kind, how its files can be had), newest first.

use backup_core::backups::{self, Backup, Selection};
use clap::{Args, Subcommand};
use time::OffsetDateTime;

use crate::args;
use crate::cli::{Context, Output};
use crate::error::Failure;
use crate::output::{Json, Object};
use crate::{huawei, tencent};

/// Flags of `backups`.
#[derive(Debug, Args)]
pub struct Backups {
    #[command(subcommand)]
    vendor: Vendor,
}

/// Which cloud's instance.
#[derive(Debug, Subcommand)]
enum Vendor {
    /// Alibaba Cloud RDS, PolarDB or ApsaraDB for MongoDB: the product's DescribeBackups, every
    /// page (PolarDB: the last two years)
    Aliyun(AliyunArgs),
    /// Tencent Cloud MongoDB: DescribeDBBackups, every page
    Tencent(TencentArgs),
    /// Huawei Cloud DDS / RDS: ListBackups, every page
    Huawei(HuaweiArgs),
}

/// Flags of `backups aliyun`.
#[derive(Debug, Args)]
pub struct AliyunArgs {
    /// The instance (RDS, MongoDB DBInstanceId) or cluster (PolarDB DBClusterId)
    #[arg(long, visible_alias = "instance-id", value_name = "ID")]
    pub instance: String,
    /// The product
    #[arg(long, value_parser = ["rds", "polardb", "mongodb"], default_value = "rds")]
    pub product: String,
}

/// How far back a PolarDB listing looks (PolarDB requires a window): two years, the longest
/// retention of its backups.
const POLARDB_WINDOW_DAYS: i64 = 730;

/// Every backup of an Aliyun instance of `product` (`rds`, `polardb`: the last two years,
/// `mongodb`), newest first.
pub async fn aliyun_list(
    client: &backup_core::aliyun::Client,
    product: &str,
    instance: &str,
) -> Result<Vec<Backup>, Failure> {
    Ok(match product {
        "polardb" => {
            let now = OffsetDateTime::now_utc();
            let since = now - time::Duration::days(POLARDB_WINDOW_DAYS);
            backups::aliyun_polardb(client, instance, since, now).await?
        }
        "mongodb" => backups::aliyun_mongodb(client, instance).await?,
        _ => backups::aliyun_rds(client, instance).await?,
    })
}

/// Flags of `backups tencent`.
#[derive(Debug, Args)]
pub struct TencentArgs {
    /// The instance (InstanceId), e.g. cmgo-p8vnipr5
    #[arg(long, visible_alias = "instance-id", value_name = "ID")]
    pub instance: String,
}

/// Flags of `backups huawei`.
#[derive(Debug, Args)]
pub struct HuaweiArgs {
    /// The service of the instance
    #[arg(long, value_parser = ["dds", "rds"])]
    pub service: String,
    /// The instance (instance_id)
    #[arg(long, visible_alias = "instance-id", value_name = "ID")]
    pub instance: String,
    /// The project id [default: HUAWEICLOUD_SDK_PROJECT_ID, the profile's, or IAM's for the
    /// region]
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
}

/// Which backup `export` takes: `--backup ID`, `--latest`, or the newest before/after a time.
#[derive(Debug, Args, Clone)]
#[group(multiple = false)]
pub struct Choice {
    /// The backup of this id among the instance's (as `backups` lists it; Tencent: its name)
    #[arg(long, value_name = "ID")]
    pub backup: Option<String>,
    /// The newest successful backup of the instance
    #[arg(long)]
    pub latest: bool,
    /// The newest successful backup that ended at or before this time (RFC 3339,
    /// 'YYYY-MM-DD hh:mm:ss' UTC, or epoch milliseconds)
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    pub before: Option<OffsetDateTime>,
    /// The newest successful backup that ended at or after this time
    #[arg(long, value_name = "TIME", value_parser = args::time)]
    pub after: Option<OffsetDateTime>,
}

impl Choice {
    /// The selection these flags make, when they make one.
    pub fn selection(&self) -> Option<Selection> {
        if let Some(id) = &self.backup {
            return Some(Selection::Id(id.clone()));
        }
        match (self.latest, self.before, self.after) {
            (true, _, _) => Some(Selection::Latest),
            (_, Some(t), _) => Some(Selection::Before(t)),
            (_, _, Some(t)) => Some(Selection::After(t)),
            _ => None,
        }
    }
}

/// The backup `selection` picks among `list` (the instance's), or an error saying none fits.
pub fn chosen(list: &[Backup], selection: &Selection, instance: &str) -> Result<Backup, Failure> {
    backups::select(list, selection).cloned().ok_or_else(|| {
        let which = match selection {
            Selection::Latest => "no successful backup".to_owned(),
            Selection::Id(id) => format!("no successful backup {id}"),
            Selection::Before(t) => format!("no successful backup at or before {t}"),
            Selection::After(t) => format!("no successful backup at or after {t}"),
        };
        Failure::service(format!(
            "instance {instance} has {which} ({} listed)",
            list.len()
        ))
    })
}

/// Every backup of a Tencent instance, newest first.
pub async fn tencent_list(ctx: &Context, instance: &str) -> Result<Vec<Backup>, Failure> {
    Ok(backups::tencent(&tencent::client(ctx)?, instance).await?)
}

/// Every backup of a Huawei DDS or RDS instance, newest first.
pub async fn huawei_list(
    client: &backup_core::huawei::Client,
    service: &str,
    instance: &str,
) -> Result<Vec<Backup>, Failure> {
    Ok(match service {
        "dds" => backups::huawei_dds(client, instance).await?,
        _ => backups::huawei_rds(client, instance).await?,
    })
}

impl Backups {
    /// Lists the instance's backups.
    pub async fn run(self, ctx: &Context) -> Output {
        let (instance, list) = match self.vendor {
            Vendor::Aliyun(a) => {
                let client = crate::aliyun::client(ctx)?;
                let list = aliyun_list(&client, &a.product, &a.instance).await?;
                (a.instance, list)
            }
            Vendor::Tencent(a) => {
                let list = tencent_list(ctx, &a.instance).await?;
                (a.instance, list)
            }
            Vendor::Huawei(a) => {
                let client = huawei::client(ctx, a.project_id)?;
                let list = huawei_list(&client, &a.service, &a.instance).await?;
                (a.instance, list)
            }
        };
        Ok(Object::new()
            .field("instance", instance)
            .field("backups", Json::of(&list)?)
            .build())
    }
}
