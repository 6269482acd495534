//! The Aliyun database products' own backup listings: RDS `DescribeBackups` and
//! `DescribeDBInstanceAttribute` (2014-08-15), PolarDB `DescribeBackups` (2017-08-01),
//! ApsaraDB for MongoDB `DescribeBackups` and `DescribeClusterBackups` (2015-12-01). The three
//! `DescribeBackups` share one action name and are told apart by `x-acs-version`, as the
//! products' own hosts would by their host.
//!
//! Their instances are a catalogue of their own ([`ProductInstance`]), apart from the DBS
//! catalogue ([`Backup`](crate::Backup)), so adding them changes no DBS listing. Answers have
//! the JSON types of the official SDK models: RDS's and PolarDB's page counters as strings,
//! PolarDB's sizes and times as strings, MongoDB's page counters as numbers. Downloadable
//! backups carry links to the emulator's own objects (`aliyun/...` keys, so they are served
//! with `x-oss-hash-crc64ecma`) and RDS's `Checksum` is that same CRC-64.

use serde_json::{Value, json};
use time::macros::{datetime, format_description};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::State;
use crate::handlers::link;
use crate::http::{Request, Response};

/// Which product lists an instance's backups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AliyunProduct {
    /// ApsaraDB RDS (`DescribeBackups` 2014-08-15, `DescribeDBInstanceAttribute`).
    Rds,
    /// PolarDB (`DescribeBackups` 2017-08-01): snapshots without links.
    PolarDb,
    /// ApsaraDB for MongoDB (`DescribeBackups`, `DescribeClusterBackups` 2015-12-01).
    MongoDb,
}

impl AliyunProduct {
    fn host(self) -> &'static str {
        match self {
            AliyunProduct::Rds => "rds.aliyuncs.com",
            AliyunProduct::PolarDb => "polardb.aliyuncs.com",
            AliyunProduct::MongoDb => "mongodb.aliyuncs.com",
        }
    }
}

/// An instance (RDS), cluster (PolarDB) or replica set / sharded cluster (MongoDB) whose
/// product lists its backups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductInstance {
    /// The product.
    pub product: AliyunProduct,
    /// `rm-...`, `pc-...` or `dds-...`.
    pub instance_id: String,
    /// The engine (`MySQL`, `PostgreSQL`, `MongoDB`, ...).
    pub engine: String,
    /// The engine's version.
    pub engine_version: String,
    /// RDS `DBInstanceStorageType`: `local_ssd`, `cloud_essd`, ...; empty for the others.
    pub storage_type: String,
    /// MongoDB sharded cluster: its shards' node ids (`d-...`), each backup having one set per
    /// shard (`DescribeClusterBackups`); empty for every other instance.
    pub shards: Vec<String>,
    /// Its backups, oldest first.
    pub backups: Vec<ProductBackup>,
}

/// A backup of a [`ProductInstance`] (for a sharded cluster: a cluster backup, one set per
/// shard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductBackup {
    /// `BackupId` (for a sharded cluster, `ClusterBackupId`, `cb-...`; each shard's set is
    /// `<id>-<shard index>`).
    pub backup_id: String,
    /// `Success` or `Failed`.
    pub status: String,
    /// `Physical`, `Logical` or `Snapshot`.
    pub method: String,
    /// `Automated` or `Manual`.
    pub mode: String,
    /// When it started.
    pub start: OffsetDateTime,
    /// When it ended.
    pub end: OffsetDateTime,
    /// Size of its file (each shard's, for a sharded cluster), in bytes.
    pub size_bytes: u64,
    /// Whether the listing gives links to its files (local-disk RDS, MongoDB).
    pub downloadable: bool,
}

/// The default product catalogue, each downloadable file `size` bytes:
///
/// - `rm-bp1local0001`, RDS MySQL 8.0 on local disks: two physical backups with links and a
///   `Checksum`, one failed logical backup without;
/// - `rm-bp1cloud0001`, RDS MySQL 8.0 on `cloud_essd`: 35 daily snapshots, no links (more
///   than a page of 30);
/// - `pc-bp1polar0001`, a PolarDB for MySQL 8.0 cluster: three snapshots;
/// - `dds-bp1replica01`, a MongoDB 4.4 replica set: two physical backups with links;
/// - `dds-bp1cluster01`, a MongoDB 4.4 sharded cluster of shards `d-bp1shard0001` and
///   `d-bp1shard0002`: two cluster backups, one set with links per shard.
pub fn default_aliyun_instances(size: u64) -> Vec<ProductInstance> {
    let day = |d: i64| datetime!(2026-01-01 02:00 UTC) + time::Duration::days(d);
    let backup =
        |id: String, d: i64, status: &str, method: &str, downloadable: bool| ProductBackup {
            backup_id: id,
            status: status.into(),
            method: method.into(),
            mode: if d % 7 == 6 { "Manual" } else { "Automated" }.into(),
            start: day(d) + time::Duration::seconds(11),
            end: day(d) + time::Duration::seconds(642),
            size_bytes: size,
            downloadable,
        };
    let instance =
        |product, id: &str, engine: &str, version: &str, storage: &str| ProductInstance {
            product,
            instance_id: id.into(),
            engine: engine.into(),
            engine_version: version.into(),
            storage_type: storage.into(),
            shards: Vec::new(),
            backups: Vec::new(),
        };
    let mut local = instance(
        AliyunProduct::Rds,
        "rm-bp1local0001",
        "MySQL",
        "8.0",
        "local_ssd",
    );
    local.backups = vec![
        backup("1857321234".into(), 0, "Success", "Physical", true),
        backup("1857321235".into(), 1, "Success", "Physical", true),
        backup("1857321236".into(), 2, "Failed", "Logical", false),
    ];
    let mut cloud = instance(
        AliyunProduct::Rds,
        "rm-bp1cloud0001",
        "MySQL",
        "8.0",
        "cloud_essd",
    );
    cloud.backups = (0..35)
        .map(|d| {
            backup(
                format!("{}", 1_900_000_000 + d),
                d,
                "Success",
                "Snapshot",
                false,
            )
        })
        .collect();
    let mut polar = instance(
        AliyunProduct::PolarDb,
        "pc-bp1polar0001",
        "MySQL",
        "8.0",
        "",
    );
    polar.backups = (0..3)
        .map(|d| {
            backup(
                format!("{}", 2_100_000_000 + d),
                d,
                "Success",
                "Snapshot",
                false,
            )
        })
        .collect();
    let mut replica = instance(
        AliyunProduct::MongoDb,
        "dds-bp1replica01",
        "MongoDB",
        "4.4",
        "",
    );
    replica.backups = vec![
        backup("32102001".into(), 0, "Success", "Physical", true),
        backup("32102002".into(), 1, "Success", "Physical", true),
    ];
    let mut sharded = instance(
        AliyunProduct::MongoDb,
        "dds-bp1cluster01",
        "MongoDB",
        "4.4",
        "",
    );
    sharded.shards = vec!["d-bp1shard0001".into(), "d-bp1shard0002".into()];
    sharded.backups = vec![
        backup("cb-fakeclst0001".into(), 0, "Success", "Physical", true),
        backup("cb-fakeclst0002".into(), 1, "Success", "Physical", true),
    ];
    vec![local, cloud, polar, replica, sharded]
}

/// The answer to a product action, or `None` when `action` is not one (a DBS action).
pub(crate) fn answer(
    st: &mut State,
    port: u16,
    action: &str,
    version: &str,
    req: &Request,
) -> Option<Response> {
    let product = match (action, version) {
        ("DescribeBackups", "2014-08-15") | ("DescribeDBInstanceAttribute", "2014-08-15") => {
            AliyunProduct::Rds
        }
        ("DescribeBackups", "2017-08-01") => AliyunProduct::PolarDb,
        ("DescribeBackups", "2015-12-01") | ("DescribeClusterBackups", "2015-12-01") => {
            AliyunProduct::MongoDb
        }
        ("DescribeBackups" | "DescribeDBInstanceAttribute" | "DescribeClusterBackups", _) => {
            return Some(error(
                400,
                "rds.aliyuncs.com",
                "InvalidVersion",
                &format!("Specified parameter Version {version} is not valid for {action}."),
            ));
        }
        _ => return None,
    };
    let rid = format!("FAKE-ALIYUN-{:08}", st.next_id());
    let ctx = Ctx {
        product,
        rid,
        query: req.query.clone(),
    };
    Some(
        match (product, action) {
            (AliyunProduct::Rds, "DescribeDBInstanceAttribute") => rds_attribute(st, &ctx),
            (AliyunProduct::MongoDb, "DescribeClusterBackups") => cluster_backups(st, port, &ctx),
            _ => describe_backups(st, port, &ctx),
        }
        .unwrap_or_else(|e| e),
    )
}

/// The gateway's error shape, with the product's host.
fn error(status: u16, host: &str, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &json!({"RequestId": "fake-aliyun-product", "HostId": host, "Code": code, "Message": message,
                "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}")}),
    )
    .with_header("x-acs-request-id", "fake-aliyun-product")
}

struct Ctx {
    product: AliyunProduct,
    rid: String,
    query: Vec<(String, String)>,
}

impl Ctx {
    fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn fail(&self, status: u16, code: &str, message: &str) -> Response {
        error(status, self.product.host(), code, message)
    }

    fn ok(&self, mut v: Value) -> Response {
        v["RequestId"] = json!(self.rid);
        Response::json(200, &v).with_header("x-acs-request-id", self.rid.clone())
    }

    /// A required parameter, or the gateway's `Missing<Name>`.
    fn required(&self, name: &str) -> Result<&str, Response> {
        self.q(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            self.fail(
                400,
                &format!("Missing{name}"),
                &format!("{name} is mandatory for this action."),
            )
        })
    }

    /// `StartTime` / `EndTime`, which must be `yyyy-MM-ddTHH:mmZ`.
    fn time(&self, name: &str) -> Result<Option<OffsetDateTime>, Response> {
        let Some(v) = self.q(name) else {
            return Ok(None);
        };
        v.strip_suffix('Z')
            .and_then(|t| {
                PrimitiveDateTime::parse(
                    t,
                    format_description!("[year]-[month]-[day]T[hour]:[minute]"),
                )
                .ok()
            })
            .map(|t| Some(t.assume_utc()))
            .ok_or_else(|| {
                self.fail(
                    400,
                    &format!("Invalid{name}.Format"),
                    &format!("Specified {} is not valid.", spaced(name)),
                )
            })
    }

    /// The window: each end when given, the end not before the start.
    fn window(&self, required: bool) -> Result<(OffsetDateTime, OffsetDateTime), Response> {
        if required {
            self.required("StartTime")?;
            self.required("EndTime")?;
        }
        let start = self
            .time("StartTime")?
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let end = self
            .time("EndTime")?
            .unwrap_or(datetime!(9999-12-31 23:59 UTC));
        if end < start {
            return Err(self.fail(
                400,
                "InvalidParameterCombination",
                "The end time must be greater than the start time",
            ));
        }
        Ok((start, end))
    }

    /// `PageSize` (30, 50 or 100; default 30) and the page number (from 1) under `number`.
    fn page(&self, number: &str) -> Result<(usize, usize), Response> {
        let size = match self.q("PageSize") {
            None => 30,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if [30, 50, 100].contains(&n) => n,
                _ => {
                    return Err(self.fail(
                        400,
                        "InvalidPageSize.Malformed",
                        &format!("Specified page size {s} is not valid: 30, 50 or 100."),
                    ));
                }
            },
        };
        let page = match self.q(number) {
            None => 1,
            Some(n) => match n.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(self.fail(
                        400,
                        "InvalidPageNumbers.Malformed",
                        "Specified page number is not valid.",
                    ));
                }
            },
        };
        Ok((size, page))
    }

    fn matches(&self, name: &str, value: &str) -> bool {
        self.q(name).is_none_or(|want| want == value)
    }
}

/// `StartTime` → `start time`.
fn spaced(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn second(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap_or_default()
}

/// The instance `id` of the context's product, or the product's "not found".
fn find<'a>(st: &'a State, ctx: &Ctx, id_param: &str) -> Result<&'a ProductInstance, Response> {
    let id = ctx.required(id_param)?;
    st.aliyun_instances
        .iter()
        .find(|i| i.product == ctx.product && i.instance_id == id)
        .ok_or_else(|| match ctx.product {
            AliyunProduct::PolarDb => ctx.fail(
                404,
                "InvalidDBClusterId.NotFound",
                "The DBClusterId provided does not exist in our records.",
            ),
            _ => ctx.fail(
                404,
                "InvalidDBInstanceId.NotFound",
                "The DBInstanceId provided does not exist in records.",
            ),
        })
}

/// Links (public, intranet) to the emulator's object `key` of `size` bytes, valid a day, and
/// the object's CRC-64 as the downloader computes it.
fn links(st: &mut State, port: u16, key: String, size: u64) -> (String, String, u64) {
    let expires = st.now().unix_timestamp() + st.aliyun_link_ttl.as_secs() as i64;
    let url = link(st, port, key.clone(), size, expires);
    let crc = st.objects.get(&key).map(|o| o.checksums().0).unwrap_or(0);
    (url.clone(), url.replace("127.0.0.1", "localhost"), crc)
}

fn describe_backups(st: &mut State, port: u16, ctx: &Ctx) -> Result<Response, Response> {
    let id_param = match ctx.product {
        AliyunProduct::PolarDb => "DBClusterId",
        _ => "DBInstanceId",
    };
    let instance = find(st, ctx, id_param)?.clone();
    let (start, end) = ctx.window(ctx.product == AliyunProduct::PolarDb)?;
    let (size, page) = ctx.page("PageNumber")?;
    // A sharded cluster's sets are listed one shard at a time, by `NodeId`.
    let shard = match (ctx.product, instance.shards.is_empty(), ctx.q("NodeId")) {
        (AliyunProduct::MongoDb, false, None) => {
            return Err(ctx.fail(
                400,
                "MissingNodeId",
                "NodeId is mandatory for a sharded cluster instance.",
            ));
        }
        (AliyunProduct::MongoDb, false, Some(node)) => {
            match instance.shards.iter().position(|s| s == node) {
                Some(i) => Some(i),
                None => {
                    return Err(ctx.fail(
                        404,
                        "InvalidNodeId.NotFound",
                        "The specified node does not exist.",
                    ));
                }
            }
        }
        _ => None,
    };
    let mut matching: Vec<&ProductBackup> = instance
        .backups
        .iter()
        .filter(|b| b.start >= start && b.start <= end)
        .filter(|b| ctx.matches("BackupStatus", &b.status) && ctx.matches("BackupMode", &b.mode))
        // Every emulated backup is a full one.
        .filter(|_| ctx.matches("BackupType", "FullBackup"))
        .filter(|b| {
            let id = match shard {
                Some(i) => format!("{}-{i}", b.backup_id),
                None => b.backup_id.clone(),
            };
            ctx.q("BackupId")
                .is_none_or(|want| want.split(',').any(|w| w == id))
        })
        .collect();
    matching.reverse(); // newest first
    let total = matching.len();
    let chosen: Vec<ProductBackup> = matching
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .cloned()
        .collect();
    let mut items = Vec::new();
    for b in &chosen {
        items.push(match ctx.product {
            AliyunProduct::Rds => rds_backup(st, port, &instance, b),
            AliyunProduct::PolarDb => polardb_backup(&instance, b),
            AliyunProduct::MongoDb => mongodb_backup(st, port, &instance, b, shard),
        });
    }
    let count = items.len();
    Ok(ctx.ok(match ctx.product {
        // The SDK models these counters as strings.
        AliyunProduct::Rds => json!({
            "Items": {"Backup": items}, "PageNumber": page.to_string(),
            "PageRecordCount": count.to_string(), "TotalRecordCount": total.to_string(),
            "TotalEcsSnapshotSize": if instance.storage_type.starts_with("cloud") {
                instance.backups.iter().map(|b| b.size_bytes).sum::<u64>()
            } else { 0 },
        }),
        AliyunProduct::PolarDb => json!({
            "Items": {"Backup": items}, "PageNumber": page.to_string(),
            "PageRecordCount": count.to_string(), "TotalRecordCount": total.to_string(),
        }),
        // And these as integers.
        AliyunProduct::MongoDb => json!({
            "Backups": {"Backup": items}, "PageNumber": page, "PageSize": size, "TotalCount": total,
        }),
    }))
}

fn rds_backup(st: &mut State, port: u16, i: &ProductInstance, b: &ProductBackup) -> Value {
    let mut v = json!({
        "BackupId": b.backup_id, "DBInstanceId": i.instance_id, "BackupStatus": b.status,
        "BackupStartTime": second(b.start), "BackupEndTime": second(b.end),
        "BackupType": "FullBackup", "BackupMode": b.mode, "BackupMethod": b.method,
        "BackupSize": b.size_bytes, "HostInstanceID": "5882781",
        "ConsistentTime": if b.method == "Snapshot" { 0 } else { b.end.unix_timestamp() },
        "IsAvail": if b.status == "Success" { 1 } else { 0 },
        "StoreStatus": "Disabled", "MetaStatus": "OK", "StorageClass": "0",
        "Engine": i.engine, "EngineVersion": i.engine_version,
        "BackupInitiator": if b.mode == "Manual" { "User" } else { "System" }, "Encryption": "{}",
        "BackupDownloadURL": "", "BackupIntranetDownloadURL": "",
    });
    if b.downloadable && b.status == "Success" {
        let key = format!(
            "aliyun/rds/{}/hins_{}_data_{}_qp.xb",
            i.instance_id,
            b.backup_id,
            b.start.unix_timestamp()
        );
        let (public, intranet, crc) = links(st, port, key, b.size_bytes);
        v["BackupDownloadURL"] = json!(public);
        v["BackupIntranetDownloadURL"] = json!(intranet);
        v["Checksum"] = json!(crc.to_string());
    }
    v
}

fn polardb_backup(i: &ProductInstance, b: &ProductBackup) -> Value {
    // Every number of this model is a string.
    json!({
        "BackupId": b.backup_id, "DBClusterId": i.instance_id, "BackupStatus": b.status,
        "BackupStartTime": second(b.start), "BackupEndTime": second(b.end),
        "BackupType": "FullBackup", "BackupMode": b.mode, "BackupMethod": "Snapshot",
        "BackupSetSize": b.size_bytes.to_string(), "BackupsLevel": "Level-1",
        "ConsistentTime": b.end.unix_timestamp().to_string(),
        "IsAvail": if b.status == "Success" { "1" } else { "0" },
    })
}

fn mongodb_backup(
    st: &mut State,
    port: u16,
    i: &ProductInstance,
    b: &ProductBackup,
    shard: Option<usize>,
) -> Value {
    let id = match shard {
        Some(s) => format!("{}-{s}", b.backup_id),
        None => b.backup_id.clone(),
    };
    let mut v = json!({
        "BackupId": id, "BackupJobId": format!("job-{}", b.backup_id),
        "BackupName": format!("{id}.tar.gz"), "BackupDBNames": "",
        "BackupStatus": b.status, "BackupStartTime": second(b.start), "BackupEndTime": second(b.end),
        "BackupExpireTime": second(b.end + time::Duration::days(7)),
        "BackupMethod": b.method, "BackupMode": b.mode, "BackupType": "FullBackup",
        "BackupScale": "DBInstance", "BackupSize": b.size_bytes,
        "EngineVersion": i.engine_version, "IsAvail": b.status == "Success",
        "BackupDownloadURL": "", "BackupIntranetDownloadURL": "",
    });
    if b.downloadable && b.status == "Success" {
        let key = format!("aliyun/mongodb/{}/{id}.tar.gz", i.instance_id);
        let (public, intranet, _) = links(st, port, key, b.size_bytes);
        v["BackupDownloadURL"] = json!(public);
        v["BackupIntranetDownloadURL"] = json!(intranet);
    }
    v
}

fn cluster_backups(st: &mut State, port: u16, ctx: &Ctx) -> Result<Response, Response> {
    let instance = find(st, ctx, "DBInstanceId")?.clone();
    if instance.shards.is_empty() {
        return Err(ctx.fail(
            400,
            "InvalidDBInstanceType.NotSupport",
            "The operation is supported only by sharded cluster instances.",
        ));
    }
    let (start, end) = ctx.window(false)?;
    let (size, page) = ctx.page("PageNo")?;
    let only_cluster = ctx.q("IsOnlyGetClusterBackUp") == Some("true");
    let mut matching: Vec<ProductBackup> = instance
        .backups
        .iter()
        .filter(|b| b.start >= start && b.start <= end && ctx.matches("BackupId", &b.backup_id))
        .cloned()
        .collect();
    matching.reverse(); // newest first
    let chosen: Vec<ProductBackup> = matching
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    let mut list = Vec::new();
    for b in &chosen {
        let mut shards = Vec::new();
        if !only_cluster {
            for (n, node) in instance.shards.iter().enumerate() {
                let id = format!("{}-{n}", b.backup_id);
                let mut s = json!({
                    "BackupId": id, "InstanceName": node, "BackupName": format!("{id}.tar.gz"),
                    "BackupStatus": b.status, "BackupStartTime": second(b.start),
                    "BackupEndTime": second(b.end), "BackupSize": b.size_bytes.to_string(),
                    "IsAvail": if b.status == "Success" { "1" } else { "0" },
                    "BackupDownloadURL": "", "BackupIntranetDownloadURL": "",
                    "ExtraInfo": {"NodeId": node, "NodeType": "db",
                                  "InstanceClass": "mdb.shard.2x.xlarge.d", "StorageSize": "20480"},
                });
                if b.downloadable && b.status == "Success" {
                    let key = format!("aliyun/mongodb/{}/{id}.tar.gz", instance.instance_id);
                    let (public, intranet, _) = links(st, port, key, b.size_bytes);
                    s["BackupDownloadURL"] = json!(public);
                    s["BackupIntranetDownloadURL"] = json!(intranet);
                }
                shards.push(s);
            }
        }
        let ok = b.status == "Success";
        list.push(json!({
            "ClusterBackupId": b.backup_id, "ClusterBackupStatus": if ok { "OK" } else { "Failed" },
            "ClusterBackupMode": b.mode,
            "ClusterBackupSize": (b.size_bytes * instance.shards.len() as u64).to_string(),
            "ClusterBackupStartTime": second(b.start), "ClusterBackupEndTime": second(b.end),
            "BackupExpireTime": second(b.end + time::Duration::days(7)),
            "AttachLogStatus": "No_Need", "EngineVersion": instance.engine_version,
            "IsAvail": if ok { 1 } else { 0 }, "Progress": "", "Backups": shards,
        }));
    }
    Ok(ctx.ok(json!({
        "ClusterBackups": list, "PageNumber": page, "PageSize": size, "MaxResults": size,
    })))
}

fn rds_attribute(st: &mut State, ctx: &Ctx) -> Result<Response, Response> {
    let i = find(st, ctx, "DBInstanceId")?;
    Ok(ctx.ok(json!({"Items": {"DBInstanceAttribute": [{
        "DBInstanceId": i.instance_id, "DBInstanceDescription": format!("fake-cloud {}", i.instance_id),
        "DBInstanceStatus": "Running", "DBInstanceType": "Primary", "Category": "HighAvailability",
        "Engine": i.engine, "EngineVersion": i.engine_version, "RegionId": "cn-hangzhou",
        "ZoneId": "cn-hangzhou-h", "DBInstanceStorageType": i.storage_type, "DBInstanceStorage": 100,
        "DBInstanceClass": "mysql.n2.medium.2c", "DBInstanceMemory": 4096, "DBInstanceCPU": "2",
        "InstanceNetworkType": "VPC", "VpcId": "vpc-fakecloud01", "PayType": "Postpaid",
        "LockMode": "Unlock", "MasterInstanceId": "", "CreationTime": "2025-06-01T08:00:00Z",
        "ConnectionString": format!("{}.mysql.rds.aliyuncs.com", i.instance_id), "Port": "3306",
    }]}})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalogue_has_every_kind_of_instance() {
        let all = default_aliyun_instances(1024);
        let by = |id: &str| all.iter().find(|i| i.instance_id == id).unwrap();
        assert_eq!(by("rm-bp1local0001").storage_type, "local_ssd");
        assert!(by("rm-bp1local0001").backups.iter().any(|b| b.downloadable));
        assert_eq!(by("rm-bp1cloud0001").storage_type, "cloud_essd");
        assert!(by("rm-bp1cloud0001").backups.len() > 30);
        assert!(
            by("rm-bp1cloud0001")
                .backups
                .iter()
                .all(|b| !b.downloadable)
        );
        assert_eq!(by("pc-bp1polar0001").product, AliyunProduct::PolarDb);
        assert!(by("dds-bp1replica01").shards.is_empty());
        assert_eq!(by("dds-bp1cluster01").shards.len(), 2);
        assert_eq!(spaced("StartTime"), "start time");
    }
}
