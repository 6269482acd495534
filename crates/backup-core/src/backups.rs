//! One view of an instance's backups on every cloud, and choosing one: the newest successful
//! backup, a given id, or the newest before or after a time.
//!
//! ```
//! use backup_core::backups::{Backup, BackupState, Selection, select};
//! use time::macros::datetime;
//! let backup = |id: &str, end, state| Backup {
//!     end: Some(end),
//!     state,
//!     ..Backup::new(id)
//! };
//! let list = [
//!     backup("b1", datetime!(2026-01-01 0:00 UTC), BackupState::Succeeded),
//!     backup("b2", datetime!(2026-01-03 0:00 UTC), BackupState::Failed),
//!     backup("b3", datetime!(2026-01-02 0:00 UTC), BackupState::Succeeded),
//! ];
//! assert_eq!(select(&list, &Selection::Latest).unwrap().id, "b3");
//! let before = Selection::Before(datetime!(2026-01-01 12:00 UTC));
//! assert_eq!(select(&list, &before).unwrap().id, "b1");
//! ```

use serde::Serialize;
use time::OffsetDateTime;

/// Where a backup is in its life, across the vendors' words for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupState {
    /// Finished and usable (Aliyun `Success`, Tencent 2, Huawei `COMPLETED`).
    Succeeded,
    /// Still being made.
    Running,
    /// Failed.
    Failed,
    /// Anything else, as the vendor said it (deleting, disabled, expired, ...).
    Other(String),
}

/// How a backup's files can be had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// The listing (or a link operation) gives download links: no server-side task.
    Links,
    /// Only through a server-side export task (Aliyun DBS advanced download, Tencent download
    /// tasks).
    Export,
    /// Not downloadable (a failed or running backup, a snapshot without an export path).
    None,
}

/// One backup, in the same shape on every cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backup {
    /// The id the vendor's export and link operations take (Tencent: the `BackupName`).
    pub id: String,
    /// When it started.
    #[serde(with = "time::serde::rfc3339::option")]
    pub start: Option<OffsetDateTime>,
    /// When it ended (the point in time it holds, near enough).
    #[serde(with = "time::serde::rfc3339::option")]
    pub end: Option<OffsetDateTime>,
    /// Its size in bytes, when the vendor says.
    pub size_bytes: Option<u64>,
    /// Its state.
    pub state: BackupState,
    /// How it was made: `logical`, `physical`, `snapshot`, as the vendor says.
    pub method: Option<String>,
    /// Its kind: full or incremental, automatic or manual, as the vendor says.
    pub kind: Option<String>,
    /// How its files can be had.
    pub availability: Availability,
}

impl Backup {
    /// A backup of that id, everything else unknown (state [`BackupState::Other`] empty).
    pub fn new(id: impl Into<String>) -> Self {
        Backup {
            id: id.into(),
            start: None,
            end: None,
            size_bytes: None,
            state: BackupState::Other(String::new()),
            method: None,
            kind: None,
            availability: Availability::None,
        }
    }

    /// The time it is ordered and selected by: its end, else its start.
    pub fn time(&self) -> Option<OffsetDateTime> {
        self.end.or(self.start)
    }
}

/// Which backup to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The newest successful one.
    Latest,
    /// This id, whatever its time (still only if it succeeded).
    Id(String),
    /// The newest successful one at or before this time.
    Before(OffsetDateTime),
    /// The newest successful one at or after this time.
    After(OffsetDateTime),
}

/// The backup `selection` names among `backups`: only successful backups are chosen; among
/// those with a time, the newest that fits (ties: the first listed). `None` when none fits.
pub fn select<'a>(backups: &'a [Backup], selection: &Selection) -> Option<&'a Backup> {
    let usable = backups.iter().filter(|b| b.state == BackupState::Succeeded);
    if let Selection::Id(id) = selection {
        return usable.into_iter().find(|b| &b.id == id);
    }
    let fits = |t: OffsetDateTime| match selection {
        Selection::Before(limit) => t <= *limit,
        Selection::After(limit) => t >= *limit,
        _ => true,
    };
    let mut best: Option<&Backup> = None;
    for b in usable {
        let Some(t) = b.time().filter(|t| fits(*t)) else {
            continue;
        };
        if best.and_then(Backup::time).is_none_or(|bt| t > bt) {
            best = Some(b);
        }
    }
    best
}

/// A vendor's listing in the common shape, newest first.
#[cfg(any(feature = "aliyun", feature = "tencent", feature = "huawei"))]
fn newest(backups: impl IntoIterator<Item = Backup>) -> Vec<Backup> {
    let mut backups: Vec<Backup> = backups.into_iter().collect();
    newest_first(&mut backups);
    backups
}

/// Newest first (backups without a time last), as a listing is shown.
pub fn newest_first(backups: &mut [Backup]) {
    backups.sort_by_key(|b| std::cmp::Reverse(b.time()));
}

/// A Huawei DDS or RDS backup, in the common shape: links come from `ShowBackupDownloadLink`.
#[cfg(feature = "huawei")]
fn huawei(
    id: &str,
    begin: Option<&rds_huawei::LenientTime>,
    end: Option<&rds_huawei::LenientTime>,
    status: Option<&rds_huawei::BackupStatus>,
    size_bytes: u64,
    kind: Option<String>,
) -> Backup {
    let state = match status {
        Some(rds_huawei::BackupStatus::Completed) => BackupState::Succeeded,
        Some(rds_huawei::BackupStatus::Building) => BackupState::Running,
        Some(rds_huawei::BackupStatus::Failed) => BackupState::Failed,
        Some(other) => BackupState::Other(other.to_string()),
        None => BackupState::Other(String::new()),
    };
    let availability = if state == BackupState::Succeeded {
        Availability::Links
    } else {
        Availability::None
    };
    Backup {
        id: id.to_owned(),
        start: begin.and_then(rds_huawei::LenientTime::datetime),
        end: end.and_then(rds_huawei::LenientTime::datetime),
        size_bytes: Some(size_bytes),
        state,
        method: None,
        kind,
        availability,
    }
}

/// A DDS or RDS `ListBackups` item (two types with the same fields) in the common shape.
#[cfg(feature = "huawei")]
macro_rules! huawei_backup {
    ($b:expr) => {
        huawei(
            &$b.id,
            $b.begin_time.as_ref(),
            $b.end_time.as_ref(),
            $b.status.as_ref(),
            $b.size_bytes(),
            $b.backup_type.as_ref().map(ToString::to_string),
        )
    };
}

/// Every backup of a Huawei DDS instance (every page of `ListBackups`), newest first.
#[cfg(feature = "huawei")]
pub async fn huawei_dds(
    client: &rds_huawei::Client,
    instance_id: &str,
) -> Result<Vec<Backup>, cloud_http::Error> {
    let request = rds_huawei::dds::ListBackupsRequest {
        instance_id: Some(instance_id.to_owned()),
        ..Default::default()
    };
    let list = client.dds().list_backups_all(&request).await?;
    Ok(newest(list.backups.iter().map(|b| huawei_backup!(b))))
}

/// Every backup of a Huawei RDS instance (every page of `ListBackups`), newest first.
#[cfg(feature = "huawei")]
pub async fn huawei_rds(
    client: &rds_huawei::Client,
    instance_id: &str,
) -> Result<Vec<Backup>, cloud_http::Error> {
    let request = rds_huawei::rds::ListBackupsRequest::new(instance_id);
    let list = client.rds().list_backups_all(&request).await?;
    Ok(newest(list.backups.iter().map(|b| huawei_backup!(b))))
}

/// Tencent writes times as `YYYY-MM-DD hh:mm:ss` without a zone; they are read as China
/// Standard Time (UTC+8), the zone of its console and documentation.
#[cfg(feature = "tencent")]
fn tencent_time(text: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(text.trim(), &format)
        .ok()
        .map(|t| t.assume_offset(time::macros::offset!(+8)))
}

/// Every backup of a Tencent MongoDB instance (every page of `DescribeDBBackups`), newest
/// first. Its files come through download tasks ([`Availability::Export`]).
#[cfg(feature = "tencent")]
pub async fn tencent(
    client: &mongodb_tencent::Client,
    instance_id: &str,
) -> Result<Vec<Backup>, cloud_http::Error> {
    let request = mongodb_tencent::DescribeDbBackupsRequest::new(instance_id);
    let list = client.describe_db_backups_all(&request).await?;
    Ok(newest(list.backup_list.iter().map(|b| {
        let state = match b.status {
            mongodb_tencent::BackupStatus::Succeeded => BackupState::Succeeded,
            mongodb_tencent::BackupStatus::Running => BackupState::Running,
            other => BackupState::Other(other.to_string()),
        };
        let availability = if state == BackupState::Succeeded {
            Availability::Export
        } else {
            Availability::None
        };
        Backup {
            id: b.backup_name.clone(),
            start: tencent_time(&b.start_time),
            end: tencent_time(&b.end_time),
            size_bytes: Some(b.backup_size_bytes()),
            state,
            method: b.backup_method.map(|m| m.to_string()),
            kind: b.backup_type.map(|t| t.to_string()),
            availability,
        }
    })))
}

/// Every replica set (or shard) of a Tencent MongoDB instance, as `DescribeDBInstances` lists
/// them (empty when it lists none), and that answer's request id (for the caller's error).
#[cfg(feature = "tencent")]
pub async fn tencent_replica_sets(
    client: &mongodb_tencent::Client,
    instance_id: &str,
) -> Result<(Vec<String>, String), cloud_http::Error> {
    let request = mongodb_tencent::DescribeDbInstancesRequest::new([instance_id]);
    let answer = client.describe_db_instances(&request).await?;
    let sets = answer
        .instance(instance_id)
        .map(|i| i.replica_set_ids().map(str::to_owned).collect())
        .unwrap_or_default();
    Ok((sets, answer.request_id))
}

/// The common state of an Aliyun backup set.
#[cfg(feature = "aliyun")]
fn aliyun_state(status: Option<&dbs_aliyun::BackupSetStatus>) -> BackupState {
    match status {
        Some(dbs_aliyun::BackupSetStatus::Success) => BackupState::Succeeded,
        Some(dbs_aliyun::BackupSetStatus::Failed) => BackupState::Failed,
        Some(other) => BackupState::Other(other.to_string()),
        None => BackupState::Other(String::new()),
    }
}

/// Whether a listing's link is there.
#[cfg(feature = "aliyun")]
fn has_link(url: Option<&dbs_aliyun::DownloadUrl>) -> bool {
    url.is_some_and(|u| !u.expose().trim().is_empty())
}

/// An Aliyun product's backup set in the common shape; `usable` is how a successful one's files
/// are had (a failed or running one's are not).
#[cfg(feature = "aliyun")]
struct AliyunSet<'a> {
    id: &'a str,
    start: Option<OffsetDateTime>,
    end: Option<OffsetDateTime>,
    size: Option<u64>,
    status: Option<&'a dbs_aliyun::BackupSetStatus>,
    method: Option<&'a dbs_aliyun::BackupMethod>,
    kind: Option<&'a dbs_aliyun::BackupType>,
    usable: Availability,
}

#[cfg(feature = "aliyun")]
impl AliyunSet<'_> {
    fn backup(self) -> Backup {
        let state = aliyun_state(self.status);
        let availability = if state == BackupState::Succeeded {
            self.usable
        } else {
            Availability::None
        };
        Backup {
            id: self.id.to_owned(),
            start: self.start,
            end: self.end,
            size_bytes: self.size,
            state,
            method: self.method.map(ToString::to_string),
            kind: self.kind.map(ToString::to_string),
            availability,
        }
    }
}

/// Links when there is one, else `otherwise`.
#[cfg(feature = "aliyun")]
fn linked_or(url: Option<&dbs_aliyun::DownloadUrl>, otherwise: Availability) -> Availability {
    if has_link(url) {
        Availability::Links
    } else {
        otherwise
    }
}

/// Every backup set of an Aliyun RDS instance (every page of `DescribeBackups`), newest first:
/// [`Availability::Links`] when the set has a download link (local-disk instances), else
/// [`Availability::Export`] (cloud-disk snapshots, through DBS `CreateDownload`).
#[cfg(feature = "aliyun")]
pub async fn aliyun_rds(
    client: &dbs_aliyun::Client,
    instance_id: &str,
) -> Result<Vec<Backup>, cloud_http::Error> {
    let request = dbs_aliyun::RdsDescribeBackupsRequest::new(instance_id);
    let answer = client.rds().describe_backups_all(&request).await?;
    Ok(newest(answer.items.iter().map(|b| {
        AliyunSet {
            id: &b.backup_id,
            start: b.backup_start_time,
            end: b.backup_end_time,
            size: b.backup_size,
            status: b.backup_status.as_ref(),
            method: b.backup_method.as_ref(),
            kind: b.backup_type.as_ref(),
            usable: linked_or(b.backup_download_url.as_ref(), Availability::Export),
        }
        .backup()
    })))
}

/// Every backup set of an Aliyun PolarDB cluster that started between `since` and `until`
/// (PolarDB requires the window), newest first; exported through DBS ([`Availability::Export`]).
#[cfg(feature = "aliyun")]
pub async fn aliyun_polardb(
    client: &dbs_aliyun::Client,
    cluster_id: &str,
    since: OffsetDateTime,
    until: OffsetDateTime,
) -> Result<Vec<Backup>, cloud_http::Error> {
    let request = dbs_aliyun::PolarDbDescribeBackupsRequest::new(cluster_id, since, until);
    let answer = client.polardb().describe_backups_all(&request).await?;
    Ok(newest(answer.items.iter().map(|b| {
        AliyunSet {
            id: &b.backup_id,
            start: b.backup_start_time,
            end: b.backup_end_time,
            size: b.backup_set_size,
            status: b.backup_status.as_ref(),
            method: b.backup_method.as_ref(),
            kind: b.backup_type.as_ref(),
            usable: Availability::Export,
        }
        .backup()
    })))
}

/// Every backup of an ApsaraDB for MongoDB instance, newest first: a replica set's through
/// `DescribeBackups`, a sharded cluster's (which that refuses without a shard's `NodeId`)
/// through `DescribeClusterBackups`, one backup per cluster backup; downloadable through the
/// links.
#[cfg(feature = "aliyun")]
pub async fn aliyun_mongodb(
    client: &dbs_aliyun::Client,
    instance_id: &str,
) -> Result<Vec<Backup>, cloud_http::Error> {
    let request = dbs_aliyun::MongoDbDescribeBackupsRequest::new(instance_id);
    let answer = match client.mongodb().describe_backups_all(&request).await {
        Ok(answer) => answer,
        Err(cloud_http::Error::Service { error, .. })
            if error.code.contains("NodeId") || error.message.contains("NodeId") =>
        {
            return aliyun_mongodb_cluster(client, instance_id).await;
        }
        Err(e) => return Err(e),
    };
    Ok(newest(answer.backups.iter().map(|b| {
        AliyunSet {
            id: &b.backup_id,
            start: b.backup_start_time,
            end: b.backup_end_time,
            size: b.backup_size,
            status: b.backup_status.as_ref(),
            method: b.backup_method.as_ref(),
            kind: b.backup_type.as_ref(),
            usable: linked_or(b.backup_download_url.as_ref(), Availability::None),
        }
        .backup()
    })))
}

/// A sharded MongoDB cluster's backups (`DescribeClusterBackups`, every page), newest first;
/// the id is the `ClusterBackupId`, usable when every shard's set has a link.
#[cfg(feature = "aliyun")]
async fn aliyun_mongodb_cluster(
    client: &dbs_aliyun::Client,
    instance_id: &str,
) -> Result<Vec<Backup>, cloud_http::Error> {
    let request = dbs_aliyun::MongoDbDescribeClusterBackupsRequest::new(instance_id);
    let answer = client
        .mongodb()
        .describe_cluster_backups_all(&request)
        .await?;
    Ok(newest(answer.cluster_backups.iter().map(|c| {
        let state = match c.cluster_backup_status.as_deref() {
            Some("OK" | "Success") => BackupState::Succeeded,
            Some("Failed") => BackupState::Failed,
            Some("Running" | "Backing") => BackupState::Running,
            other => BackupState::Other(other.unwrap_or_default().to_owned()),
        };
        let linked = !c.backups.is_empty()
            && c.backups
                .iter()
                .all(|s| has_link(s.backup_download_url.as_ref()));
        let availability = if state == BackupState::Succeeded && linked {
            Availability::Links
        } else {
            Availability::None
        };
        Backup {
            id: c.cluster_backup_id.clone(),
            start: c.cluster_backup_start_time,
            end: c.cluster_backup_end_time,
            size_bytes: c.cluster_backup_size,
            state,
            method: None,
            kind: c.cluster_backup_mode.as_ref().map(ToString::to_string),
            availability,
        }
    })))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn b(id: &str, end: Option<OffsetDateTime>, state: BackupState) -> Backup {
        Backup {
            end,
            state,
            ..Backup::new(id)
        }
    }

    #[test]
    fn selection_takes_only_successful_backups() {
        let t = |d: u8| Some(datetime!(2026-01-01 0:00 UTC).replace_day(d).unwrap());
        let list = [
            b("old", t(1), BackupState::Succeeded),
            b("failed-newest", t(9), BackupState::Failed),
            b("running", t(8), BackupState::Running),
            b("mid", t(5), BackupState::Succeeded),
            b("no-time", None, BackupState::Succeeded),
            b("tie", t(5), BackupState::Succeeded),
        ];
        let pick = |s: Selection| select(&list, &s).map(|b| b.id.as_str());
        assert_eq!(pick(Selection::Latest), Some("mid"), "first of a tie");
        assert_eq!(pick(Selection::Before(t(4).unwrap())), Some("old"));
        assert_eq!(
            pick(Selection::Before(t(5).unwrap())),
            Some("mid"),
            "inclusive"
        );
        assert_eq!(pick(Selection::After(t(2).unwrap())), Some("mid"));
        assert_eq!(pick(Selection::After(t(6).unwrap())), None);
        assert_eq!(
            pick(Selection::Before(t(1).unwrap() - time::Duration::SECOND)),
            None
        );
        assert_eq!(pick(Selection::Id("no-time".into())), Some("no-time"));
        assert_eq!(
            pick(Selection::Id("failed-newest".into())),
            None,
            "not usable"
        );
        assert_eq!(pick(Selection::Id("nope".into())), None);
        assert_eq!(select(&[], &Selection::Latest), None);
    }

    #[test]
    fn listings_read_newest_first() {
        let t = |d: u8| Some(datetime!(2026-01-01 0:00 UTC).replace_day(d).unwrap());
        let mut list = vec![
            b("a", t(1), BackupState::Succeeded),
            b("none", None, BackupState::Succeeded),
            b("c", t(3), BackupState::Succeeded),
        ];
        newest_first(&mut list);
        let ids: Vec<&str> = list.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "none"]);
    }

    #[cfg(feature = "tencent")]
    #[test]
    fn tencent_times_are_china_standard_time() {
        assert_eq!(
            tencent_time("2026-01-01 08:00:00"),
            Some(datetime!(2026-01-01 0:00 UTC))
        );
        assert_eq!(tencent_time(""), None);
        assert_eq!(tencent_time("2026-01-01T08:00:00Z"), None);
    }
}
