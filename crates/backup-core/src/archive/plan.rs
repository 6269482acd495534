//! The archive plan: a TOML file naming the destination, the retention, and every source.
//!
//! Unknown keys are errors naming the key and its line; every value is checked here, before
//! anything is sent. Secrets never belong in a plan: credentials come from the providers every
//! other command uses (per source) and from the destination's own environment.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// A parsed, checked plan.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Plan {
    /// Where the archive lives.
    pub destination: DestinationConfig,
    /// What is kept.
    pub retention: Retention,
    /// How the run works.
    pub run: RunConfig,
    /// Every database to archive, in the plan's order.
    pub sources: Vec<Source>,
}

/// `[destination]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DestinationConfig {
    /// `file:///srv/backups`, a plain path, or `s3://bucket/prefix`.
    pub url: String,
    /// An S3-compatible endpoint (OSS, COS, OBS, MinIO, Ceph) instead of AWS's.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The bucket's region (S3).
    #[serde(default)]
    pub region: Option<String>,
    /// Allow a plain-http endpoint (a MinIO on loopback); refused by default.
    #[serde(default)]
    pub allow_http: bool,
}

impl DestinationConfig {
    /// A destination at `url`, everything else default.
    pub fn new(url: impl Into<String>) -> Self {
        DestinationConfig {
            url: url.into(),
            endpoint: None,
            region: None,
            allow_http: false,
        }
    }
}

/// `[retention]`: a committed backup is kept when either rule keeps it; with neither, nothing
/// is deleted. The newest committed backup of a source is always kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retention {
    /// Keep the newest N committed backups of each source.
    pub keep_last: Option<u32>,
    /// Keep every committed backup newer than this.
    pub keep_within: Option<Duration>,
}

impl Retention {
    /// Whether any rule is set (without one, nothing is ever deleted).
    pub fn is_set(&self) -> bool {
        self.keep_last.is_some() || self.keep_within.is_some()
    }
}

/// `[run]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunConfig {
    /// Sources worked on at once (default 4, 1 to 64).
    pub concurrency: usize,
    /// How long a claim on a backup lasts without renewal (default 30 minutes).
    pub lease_ttl: Duration,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            concurrency: 4,
            lease_ttl: Duration::from_secs(30 * 60),
        }
    }
}

/// Which cloud product a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Product {
    /// Alibaba Cloud ApsaraDB RDS.
    AliyunRds,
    /// Alibaba Cloud PolarDB.
    AliyunPolarDb,
    /// Alibaba Cloud ApsaraDB for MongoDB.
    AliyunMongoDb,
    /// Tencent Cloud MongoDB.
    TencentMongoDb,
    /// Huawei Cloud DDS.
    HuaweiDds,
    /// Huawei Cloud RDS.
    HuaweiRds,
}

impl Product {
    /// `aliyun`, `tencent` or `huawei`.
    pub fn cloud(self) -> &'static str {
        match self {
            Product::AliyunRds | Product::AliyunPolarDb | Product::AliyunMongoDb => "aliyun",
            Product::TencentMongoDb => "tencent",
            Product::HuaweiDds | Product::HuaweiRds => "huawei",
        }
    }

    /// The product (Aliyun) or service (Huawei) as the plan writes it; `mongodb` for Tencent.
    pub fn name(self) -> &'static str {
        match self {
            Product::AliyunRds | Product::HuaweiRds => "rds",
            Product::AliyunPolarDb => "polardb",
            Product::AliyunMongoDb | Product::TencentMongoDb => "mongodb",
            Product::HuaweiDds => "dds",
        }
    }
}

/// Which backups of a source to archive.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Select {
    /// The newest successful one (the default).
    Latest,
    /// Every successful one that ended within this long before the run.
    AllSince(Duration),
    /// This backup id.
    Id(String),
}

/// One `[[source]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Source {
    /// The cloud product.
    pub product: Product,
    /// The instance (or cluster) id.
    pub instance: String,
    /// Its region.
    pub region: String,
    /// Which backups.
    pub select: Select,
    /// Tencent: the replica sets or shards (empty: every one of the instance).
    pub replica_sets: Vec<String>,
    /// Huawei: the project id (default: as every other command finds it).
    pub project_id: Option<String>,
    /// The line of its `[[source]]` in the plan (for messages).
    pub line: usize,
}

impl Source {
    /// A source of `product`, selecting the latest backup.
    pub fn new(product: Product, instance: impl Into<String>, region: impl Into<String>) -> Self {
        Source {
            product,
            instance: instance.into(),
            region: region.into(),
            select: Select::Latest,
            replica_sets: Vec::new(),
            project_id: None,
            line: 0,
        }
    }

    /// Its stable id, `cloud/product/region/instance`: what reports name it by and what
    /// `--shard` hashes.
    pub fn id(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.product.cloud(),
            self.product.name(),
            self.region,
            self.instance
        )
    }

    /// Whether it falls in shard `index` of `count` (FNV-1a 64 of [`Source::id`]).
    pub fn in_shard(&self, index: u32, count: u32) -> bool {
        count <= 1 || fnv1a(self.id().as_bytes()) % u64::from(count) == u64::from(index)
    }
}

/// FNV-1a 64: a stable hash (the same in every build and process).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Why a plan was refused: the key or field, its line when known, and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError(String);

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    destination: DestinationConfig,
    #[serde(default)]
    retention: RawRetention,
    #[serde(default)]
    run: RawRun,
    #[serde(default)]
    source: Vec<toml::Spanned<RawSource>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    keep_last: Option<u32>,
    keep_within: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRun {
    concurrency: Option<usize>,
    lease_ttl: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    cloud: String,
    product: Option<String>,
    service: Option<String>,
    instance: String,
    region: String,
    select: Option<String>,
    replica_sets: Option<Vec<String>>,
    project_id: Option<String>,
}

/// Parses and checks a plan.
///
/// ```
/// let plan = backup_core::archive::plan::parse(r#"
/// [destination]
/// url = "/srv/backups"
/// [[source]]
/// cloud = "huawei"
/// service = "dds"
/// instance = "befb1cfe1f96403780396b0c54f85d11in02"
/// region = "cn-north-4"
/// "#).unwrap();
/// assert_eq!(plan.sources[0].id(), "huawei/dds/cn-north-4/befb1cfe1f96403780396b0c54f85d11in02");
/// assert!(backup_core::archive::plan::parse("[destination]\nurl = \"/x\"\nkeep = 1\n")
///     .unwrap_err().to_string().contains("line 3"));
/// ```
pub fn parse(text: &str) -> Result<Plan, PlanError> {
    let raw: RawPlan = toml::from_str(text).map_err(|e| PlanError(e.to_string()))?;
    if raw.destination.url.trim().is_empty() {
        return Err(PlanError("[destination] url: must not be empty".into()));
    }
    let retention = Retention {
        keep_last: match raw.retention.keep_last {
            Some(0) => {
                return Err(PlanError(
                    "[retention] keep_last: must be at least 1 (the newest committed backup is \
                     always kept)"
                        .into(),
                ));
            }
            other => other,
        },
        keep_within: raw
            .retention
            .keep_within
            .as_deref()
            .map(|d| duration("[retention] keep_within", d))
            .transpose()?,
    };
    let mut run = RunConfig::default();
    if let Some(c) = raw.run.concurrency {
        if !(1..=64).contains(&c) {
            return Err(PlanError(format!(
                "[run] concurrency: must be 1 to 64, not {c}"
            )));
        }
        run.concurrency = c;
    }
    if let Some(ttl) = raw.run.lease_ttl.as_deref() {
        run.lease_ttl = duration("[run] lease_ttl", ttl)?;
        if run.lease_ttl < Duration::from_secs(60) {
            return Err(PlanError("[run] lease_ttl: must be at least 1m".into()));
        }
    }
    if raw.source.is_empty() {
        return Err(PlanError(
            "the plan has no [[source]]: name at least one database".into(),
        ));
    }
    let mut sources: Vec<Source> = Vec::with_capacity(raw.source.len());
    for (i, spanned) in raw.source.iter().enumerate() {
        let line = line_of(text, spanned.span().start);
        let source = source(spanned.get_ref(), line)
            .map_err(|rule| PlanError(format!("[[source]] #{} (line {line}): {rule}", i + 1)))?;
        if let Some(first) = sources.iter().find(|s| s.id() == source.id()) {
            return Err(PlanError(format!(
                "[[source]] #{} (line {line}): {} is already the source at line {}",
                i + 1,
                source.id(),
                first.line
            )));
        }
        sources.push(source);
    }
    Ok(Plan {
        destination: raw.destination,
        retention,
        run,
        sources,
    })
}

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// `30d`, `12h`, `90m`, `2w`, `45s`.
fn duration(key: &str, text: &str) -> Result<Duration, PlanError> {
    parse_duration(text).ok_or_else(|| {
        PlanError(format!(
            "{key}: `{}` is not a duration: a whole number and a unit, s, m, h, d or w (`30d`)",
            crate::terminal::escape(text)
        ))
    })
}

/// `30d`, `12h`, `90m`, `2w`, `45s` → a duration; `None` for anything else.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let number: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return None,
    };
    number
        .checked_mul(secs)
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
}

/// An id that becomes a path segment of the archive: letters, digits, `-`, `_`, `.`, not
/// starting with a dot, at most 128 characters.
fn id_rule(field: &str, value: &str) -> Result<(), String> {
    let ok = !value.is_empty()
        && value.len() <= 128
        && !value.starts_with('.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{field}: `{}` is not an id: letters, digits, -, _ and . only (not first), at most \
             128",
            crate::terminal::escape(value)
        ))
    }
}

fn source(raw: &RawSource, line: usize) -> Result<Source, String> {
    let no = |key: &str, value: &Option<String>, cloud: &str| match value {
        Some(_) => Err(format!("{key}: not a key of cloud = \"{cloud}\"")),
        None => Ok(()),
    };
    let product = match raw.cloud.as_str() {
        "aliyun" => {
            no("service", &raw.service, "aliyun")?;
            match raw.product.as_deref().unwrap_or("rds") {
                "rds" => Product::AliyunRds,
                "polardb" => Product::AliyunPolarDb,
                "mongodb" => Product::AliyunMongoDb,
                other => {
                    return Err(format!(
                        "product: must be rds, polardb or mongodb, not `{}`",
                        crate::terminal::escape(other)
                    ));
                }
            }
        }
        "tencent" => {
            no("service", &raw.service, "tencent")?;
            if raw.product.as_deref().is_some_and(|p| p != "mongodb") {
                return Err("product: Tencent sources are MongoDB instances (product = \"mongodb\" or none)".into());
            }
            Product::TencentMongoDb
        }
        "huawei" => {
            no("product", &raw.product, "huawei")?;
            match raw.service.as_deref() {
                Some("dds") => Product::HuaweiDds,
                Some("rds") => Product::HuaweiRds,
                Some(other) => {
                    return Err(format!(
                        "service: must be dds or rds, not `{}`",
                        crate::terminal::escape(other)
                    ));
                }
                None => return Err("service: required for cloud = \"huawei\" (dds or rds)".into()),
            }
        }
        other => {
            return Err(format!(
                "cloud: must be aliyun, tencent or huawei, not `{}`",
                crate::terminal::escape(other)
            ));
        }
    };
    id_rule("instance", &raw.instance)?;
    id_rule("region", &raw.region)?;
    if raw.replica_sets.is_some() && product != Product::TencentMongoDb {
        return Err("replica_sets: only for cloud = \"tencent\"".into());
    }
    if raw.project_id.is_some() && product.cloud() != "huawei" {
        return Err("project_id: only for cloud = \"huawei\"".into());
    }
    let replica_sets = raw.replica_sets.clone().unwrap_or_default();
    for set in &replica_sets {
        id_rule("replica_sets", set)?;
    }
    let select = match raw.select.as_deref().map(str::trim) {
        None | Some("latest") => Select::Latest,
        Some(s) if s.starts_with("all-since:") => {
            let d = &s["all-since:".len()..];
            Select::AllSince(parse_duration(d).ok_or_else(|| {
                format!(
                    "select: `all-since:{}` needs a duration (`all-since:7d`; units s, m, h, d, w)",
                    crate::terminal::escape(d)
                )
            })?)
        }
        Some("") => {
            return Err("select: must be latest, all-since:<duration> or a backup id".into());
        }
        Some(id) if id.chars().any(char::is_control) || id.len() > 256 => {
            return Err(
                "select: a backup id has no control characters and at most 256 bytes".into(),
            );
        }
        Some(id) => Select::Id(id.to_owned()),
    };
    Ok(Source {
        product,
        instance: raw.instance.clone(),
        region: raw.region.clone(),
        select,
        replica_sets,
        project_id: raw.project_id.clone(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[destination]
url = "s3://my-dr-bucket/db-backups"
endpoint = "https://oss-cn-hangzhou.aliyuncs.com"

[retention]
keep_last = 7
keep_within = "30d"

[run]
concurrency = 4

[[source]]
cloud = "aliyun"
product = "rds"
instance = "rm-bp1example"
region = "cn-hangzhou"
select = "latest"

[[source]]
cloud = "tencent"
instance = "cmgo-p8vnipr5"
region = "ap-guangzhou"
select = "all-since:2w"

[[source]]
cloud = "huawei"
service = "dds"
instance = "befb1cfe1f96403780396b0c54f85d11in02"
region = "cn-north-4"
select = "2026-01-01-backup"
"#;

    #[test]
    fn the_documented_plan_parses() {
        let plan = parse(GOOD).unwrap();
        assert_eq!(plan.destination.url, "s3://my-dr-bucket/db-backups");
        assert_eq!(plan.retention.keep_last, Some(7));
        assert_eq!(
            plan.retention.keep_within,
            Some(Duration::from_secs(30 * 86_400))
        );
        assert_eq!(plan.run.concurrency, 4);
        let ids: Vec<String> = plan.sources.iter().map(Source::id).collect();
        assert_eq!(
            ids,
            [
                "aliyun/rds/cn-hangzhou/rm-bp1example",
                "tencent/mongodb/ap-guangzhou/cmgo-p8vnipr5",
                "huawei/dds/cn-north-4/befb1cfe1f96403780396b0c54f85d11in02"
            ]
        );
        assert_eq!(plan.sources[0].line, 13);
        assert_eq!(
            plan.sources[1].select,
            Select::AllSince(Duration::from_secs(14 * 86_400))
        );
        assert_eq!(
            plan.sources[2].select,
            Select::Id("2026-01-01-backup".into())
        );
    }

    fn refused(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let e = refused("[destination]\nurl = \"/x\"\n\n[run]\nconcurency = 2\n");
        assert!(e.contains("concurency") && e.contains("line 5"), "{e}");
        let e = refused(&GOOD.replace("select = \"latest\"", "selct = \"latest\""));
        assert!(e.contains("selct") && e.contains("line 18"), "{e}");
        let e = refused("[destinaton]\nurl = \"/x\"\n");
        assert!(e.contains("destinaton") && e.contains("line 1"), "{e}");
    }

    #[test]
    fn values_are_checked_naming_the_field_and_the_source_line() {
        let base = "[destination]\nurl = \"/x\"\n[[source]]\n";
        let cases = [
            (
                "cloud = \"aws\"\ninstance = \"i\"\nregion = \"r\"",
                "cloud: must be",
            ),
            (
                "cloud = \"aliyun\"\nproduct = \"redis\"\ninstance = \"i\"\nregion = \"r\"",
                "product: must be rds, polardb or mongodb",
            ),
            (
                "cloud = \"huawei\"\ninstance = \"i\"\nregion = \"r\"",
                "service: required",
            ),
            (
                "cloud = \"aliyun\"\ninstance = \"../../etc\"\nregion = \"r\"",
                "instance: `../../etc` is not an id",
            ),
            (
                "cloud = \"tencent\"\ninstance = \"i\"\nregion = \"r\"\nselect = \"all-since:soon\"",
                "select: `all-since:soon` needs a duration",
            ),
            (
                "cloud = \"aliyun\"\ninstance = \"i\"\nregion = \"r\"\nreplica_sets = [\"x\"]",
                "replica_sets: only for",
            ),
            (
                "cloud = \"tencent\"\nservice = \"dds\"\ninstance = \"i\"\nregion = \"r\"",
                "service: not a key",
            ),
        ];
        for (body, want) in cases {
            let e = refused(&format!("{base}{body}\n"));
            assert!(
                e.contains(want) && e.contains("[[source]] #1 (line 3)"),
                "{body}: {e}"
            );
        }
        assert!(refused("[destination]\nurl = \"/x\"\n").contains("no [[source]]"));
        let e = refused(&format!(
            "{base}cloud = \"tencent\"\ninstance = \"i\"\nregion = \"r\"\n[[source]]\ncloud = \"tencent\"\ninstance = \"i\"\nregion = \"r\"\n"
        ));
        assert!(e.contains("already the source at line 3"), "{e}");
        let e = refused(&GOOD.replace("keep_last = 7", "keep_last = 0"));
        assert!(e.contains("keep_last: must be at least 1"), "{e}");
        let e = refused(&GOOD.replace("keep_within = \"30d\"", "keep_within = \"a month\""));
        assert!(
            e.contains("keep_within: `a month` is not a duration"),
            "{e}"
        );
        let e = refused(&GOOD.replace("concurrency = 4", "concurrency = 0"));
        assert!(e.contains("concurrency: must be 1 to 64"), "{e}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("45s"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("90m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1w"), Some(Duration::from_secs(604_800)));
        for bad in [
            "",
            "d",
            "0d",
            "-1d",
            "1.5d",
            "1y",
            "1 d",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn shards_split_the_sources_disjointly_and_completely() {
        let sources: Vec<Source> = (0..200)
            .map(|i| Source::new(Product::HuaweiRds, format!("i{i}"), "cn-north-4"))
            .collect();
        let mut counts = [0usize; 3];
        for s in &sources {
            let shards: Vec<u32> = (0..3).filter(|i| s.in_shard(*i, 3)).collect();
            assert_eq!(shards.len(), 1, "exactly one shard each");
            counts[shards[0] as usize] += 1;
        }
        assert!(counts.iter().all(|c| *c > 40), "roughly even: {counts:?}");
        assert!(sources.iter().all(|s| s.in_shard(0, 1)));
        // Stable: the id alone decides (FNV-1a of the id).
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
