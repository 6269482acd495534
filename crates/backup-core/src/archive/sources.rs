//! Each source's backups, as the vendor lists them, and the export of a chosen one.

use std::collections::HashMap;
use std::sync::Mutex;

use time::OffsetDateTime;

use super::ArchiveError;
use super::plan::{Product, Select, Source};
use crate::backups::{Availability, Backup, BackupState};
use crate::export::BackupExport;

/// Any error building a client (credentials missing, a bad region).
pub type ConnectError = Box<dyn std::error::Error + Send + Sync>;

/// Makes the vendor clients a plan's sources need: the credentials, endpoint and transport
/// are the caller's (the CLI uses the same providers as every other command).
pub trait Connect: Send + Sync {
    /// An Alibaba Cloud client for `region`.
    fn aliyun(&self, region: &str) -> Result<dbs_aliyun::Client, ConnectError>;
    /// A Tencent Cloud client for `region`.
    fn tencent(&self, region: &str) -> Result<mongodb_tencent::Client, ConnectError>;
    /// A Huawei Cloud client for `region` (and the project, when the plan names one).
    fn huawei(
        &self,
        region: &str,
        project_id: Option<&str>,
    ) -> Result<rds_huawei::Client, ConnectError>;
    /// How long to wait for server-side export tasks.
    fn waiter(&self) -> cloud_http::WaiterConfig {
        cloud_http::WaiterConfig::default()
    }
    /// Whether plain-http download links may be fetched (the emulator).
    fn allow_http(&self) -> bool {
        false
    }
}

/// One client per cloud and region, shared by every source there (so that they share its
/// connection pool and rate limits).
pub(crate) struct Clients<'a> {
    connect: &'a dyn Connect,
    aliyun: Mutex<HashMap<String, dbs_aliyun::Client>>,
    tencent: Mutex<HashMap<String, mongodb_tencent::Client>>,
    huawei: Mutex<HashMap<(String, Option<String>), rds_huawei::Client>>,
}

fn cached<K: std::hash::Hash + Eq + Clone, C: Clone>(
    map: &Mutex<HashMap<K, C>>,
    key: K,
    make: impl FnOnce() -> Result<C, ConnectError>,
) -> Result<C, ArchiveError> {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = map.get(&key) {
        return Ok(c.clone());
    }
    let client = make().map_err(|e| ArchiveError::Connect(e.to_string()))?;
    map.insert(key, client.clone());
    Ok(client)
}

impl<'a> Clients<'a> {
    pub(crate) fn new(connect: &'a dyn Connect) -> Self {
        Clients {
            connect,
            aliyun: Mutex::default(),
            tencent: Mutex::default(),
            huawei: Mutex::default(),
        }
    }

    fn aliyun(&self, region: &str) -> Result<dbs_aliyun::Client, ArchiveError> {
        cached(&self.aliyun, region.to_owned(), || {
            self.connect.aliyun(region)
        })
    }

    fn tencent(&self, region: &str) -> Result<mongodb_tencent::Client, ArchiveError> {
        cached(&self.tencent, region.to_owned(), || {
            self.connect.tencent(region)
        })
    }

    fn huawei(&self, source: &Source) -> Result<rds_huawei::Client, ArchiveError> {
        let key = (source.region.clone(), source.project_id.clone());
        cached(&self.huawei, key, || {
            self.connect
                .huawei(&source.region, source.project_id.as_deref())
        })
    }

    /// Every backup of the source, newest first.
    pub(crate) async fn list(&self, source: &Source) -> Result<Vec<Backup>, ArchiveError> {
        let id = source.instance.as_str();
        Ok(match source.product {
            Product::AliyunRds => {
                crate::backups::aliyun_rds(&self.aliyun(&source.region)?, id).await?
            }
            Product::AliyunPolarDb => {
                let until = OffsetDateTime::now_utc();
                let window = match &source.select {
                    Select::AllSince(d) => {
                        time::Duration::try_from(*d).unwrap_or(time::Duration::days(730))
                    }
                    _ => time::Duration::days(730),
                };
                crate::backups::aliyun_polardb(
                    &self.aliyun(&source.region)?,
                    id,
                    until - window,
                    until,
                )
                .await?
            }
            Product::AliyunMongoDb => {
                crate::backups::aliyun_mongodb(&self.aliyun(&source.region)?, id).await?
            }
            Product::TencentMongoDb => {
                crate::backups::tencent(&self.tencent(&source.region)?, id).await?
            }
            Product::HuaweiDds => crate::backups::huawei_dds(&self.huawei(source)?, id).await?,
            Product::HuaweiRds => crate::backups::huawei_rds(&self.huawei(source)?, id).await?,
        })
    }

    /// The export of `backup` of `source`.
    pub(crate) async fn exporter(
        &self,
        source: &Source,
        backup: &Backup,
    ) -> Result<Box<dyn BackupExport>, ArchiveError> {
        use crate::export::{
            AliyunExport, AliyunLinked, AliyunLinksExport, HuaweiBackup, HuaweiExport,
            TencentExport,
        };
        let instance = source.instance.clone();
        let id = backup.id.clone();
        Ok(match source.product {
            Product::AliyunRds | Product::AliyunMongoDb | Product::AliyunPolarDb => {
                let client = self.aliyun(&source.region)?;
                let linked = match source.product {
                    Product::AliyunMongoDb if id.starts_with("cb-") => {
                        Some(AliyunLinked::MongoDbCluster {
                            instance_id: instance.clone(),
                            cluster_backup_id: id.clone(),
                        })
                    }
                    Product::AliyunMongoDb => Some(AliyunLinked::MongoDb {
                        instance_id: instance.clone(),
                        backup_id: id.clone(),
                    }),
                    Product::AliyunRds if backup.availability == Availability::Links => {
                        Some(AliyunLinked::Rds {
                            instance_id: instance.clone(),
                            backup_id: id.clone(),
                        })
                    }
                    _ => None,
                };
                match linked {
                    Some(linked) => Box::new(AliyunLinksExport::new(
                        client,
                        linked,
                        false,
                        self.connect.allow_http(),
                    )),
                    None => {
                        let request = dbs_aliyun::CreateDownloadRequest::new(
                            instance,
                            dbs_aliyun::DownloadSource::BackupSet {
                                id,
                                size: backup.size_bytes,
                            },
                            dbs_aliyun::Export::Logical(dbs_aliyun::LogicalFormat::Csv),
                            dbs_aliyun::DownloadTarget::Url,
                        );
                        Box::new(AliyunExport::new(
                            client,
                            request,
                            self.connect.waiter(),
                            std::time::Duration::from_secs(7200),
                        ))
                    }
                }
            }
            Product::TencentMongoDb => {
                let client = self.tencent(&source.region)?;
                let sets = if source.replica_sets.is_empty() {
                    let (sets, request_id) =
                        crate::backups::tencent_replica_sets(&client, &instance).await?;
                    if sets.is_empty() {
                        return Err(ArchiveError::Source(format!(
                            "DescribeDBInstances lists no replica set of {instance} (request id \
                             {request_id}); name them with replica_sets"
                        )));
                    }
                    sets
                } else {
                    source.replica_sets.clone()
                };
                let request =
                    mongodb_tencent::CreateBackupDownloadTaskRequest::new(instance, id, sets);
                Box::new(TencentExport::new(client, request, self.connect.waiter()))
            }
            Product::HuaweiDds => Box::new(HuaweiExport::new(
                self.huawei(source)?,
                HuaweiBackup::Dds {
                    instance_id: instance,
                    backup_id: id,
                },
            )),
            Product::HuaweiRds => Box::new(HuaweiExport::new(
                self.huawei(source)?,
                HuaweiBackup::Rds { backup_id: id },
            )),
        })
    }
}

/// The backups `select` takes from a listing (newest first): the newest successful one, every
/// successful one since a time, or the one of an id. Only successful, downloadable backups.
pub(crate) fn choose(list: &[Backup], select: &Select, now: OffsetDateTime) -> Vec<Backup> {
    let usable =
        |b: &&Backup| b.state == BackupState::Succeeded && b.availability != Availability::None;
    match select {
        Select::Latest => {
            let usable: Vec<Backup> = list.iter().filter(usable).cloned().collect();
            crate::backups::select(&usable, &crate::backups::Selection::Latest)
                .cloned()
                .into_iter()
                .collect()
        }
        Select::Id(id) => list
            .iter()
            .filter(usable)
            .filter(|b| &b.id == id)
            .take(1)
            .cloned()
            .collect(),
        Select::AllSince(d) => {
            let since = now - time::Duration::try_from(*d).unwrap_or(time::Duration::MAX);
            list.iter()
                .filter(usable)
                .filter(|b| b.time().is_some_and(|t| t >= since))
                .cloned()
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn selections_take_only_usable_backups() {
        let b = |id: &str, day: u8, state: BackupState, availability: Availability| Backup {
            end: Some(datetime!(2026-01-01 0:00 UTC).replace_day(day).unwrap()),
            state,
            availability,
            ..Backup::new(id)
        };
        let list = [
            b("failed", 9, BackupState::Failed, Availability::None),
            b("no-link", 8, BackupState::Succeeded, Availability::None),
            b("new", 7, BackupState::Succeeded, Availability::Links),
            b("mid", 5, BackupState::Succeeded, Availability::Export),
            b("old", 1, BackupState::Succeeded, Availability::Links),
        ];
        let now = datetime!(2026-01-10 0:00 UTC);
        let ids = |s: Select| -> Vec<String> {
            choose(&list, &s, now).into_iter().map(|b| b.id).collect()
        };
        assert_eq!(ids(Select::Latest), ["new"]);
        assert_eq!(
            ids(Select::AllSince(std::time::Duration::from_secs(6 * 86_400))),
            ["new", "mid"]
        );
        assert_eq!(ids(Select::Id("old".into())), ["old"]);
        assert!(ids(Select::Id("no-link".into())).is_empty());
        assert!(ids(Select::Id("failed".into())).is_empty());
    }
}
