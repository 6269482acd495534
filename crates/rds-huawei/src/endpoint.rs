//! Which host a region's DDS, RDS and IAM APIs live on.

use std::fmt;

/// The two database services this crate talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// Document Database Service (MongoDB compatible), `dds.<region>.myhuaweicloud.com`.
    Dds,
    /// Relational Database Service (MySQL, PostgreSQL, SQL Server), `rds.<region>.myhuaweicloud.com`.
    Rds,
}

impl Service {
    /// The first label of the service's host name: `dds` or `rds`.
    pub fn host_prefix(self) -> &'static str {
        match self {
            Service::Dds => "dds",
            Service::Rds => "rds",
        }
    }

    /// The vendor name used in errors and traces: `huawei-dds` or `huawei-rds`.
    pub(crate) fn vendor(self) -> &'static str {
        match self {
            Service::Dds => "huawei-dds",
            Service::Rds => "huawei-rds",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::Dds => "DDS",
            Service::Rds => "RDS",
        })
    }
}

/// Huawei Cloud regions this crate knows: those of the official SDKs' `DdsRegion` and `RdsRegion`
/// tables together. A region outside it may still exist (new regions open): reach it with an
/// explicit endpoint.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "cn-north-4",
    "cn-north-1",
    "cn-north-2",
    "cn-north-9",
    "cn-east-2",
    "cn-east-3",
    "cn-south-1",
    "cn-south-2",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ru-northwest-2",
    "ru-moscow-1",
    "sa-brazil-1",
    "la-north-2",
    "la-south-2",
    "na-mexico-1",
    "tr-west-1",
    "me-east-1",
    "ae-ad-1",
    "eu-west-0",
    "eu-west-101",
    "my-kualalumpur-1",
];

/// The domain a region's public endpoints live under: `myhuaweicloud.eu` for the European
/// sovereign region `eu-west-101`, `myhuaweicloud.com` everywhere else.
///
/// ```
/// assert_eq!(rds_huawei::domain_suffix("eu-west-101"), "myhuaweicloud.eu");
/// assert_eq!(rds_huawei::domain_suffix("cn-north-4"), "myhuaweicloud.com");
/// ```
pub fn domain_suffix(region: &str) -> &'static str {
    match region {
        "eu-west-101" => "myhuaweicloud.eu",
        _ => "myhuaweicloud.com",
    }
}

/// The public host of a service in a region: `<prefix>.<region>.<domain_suffix(region)>`.
/// `prefix` is `dds`, `rds` ([`Service::host_prefix`]) or `iam`.
///
/// ```
/// assert_eq!(rds_huawei::default_host("dds", "cn-north-4"), "dds.cn-north-4.myhuaweicloud.com");
/// assert_eq!(rds_huawei::default_host("iam", "eu-west-101"), "iam.eu-west-101.myhuaweicloud.eu");
/// ```
pub fn default_host(prefix: &str, region: &str) -> String {
    format!("{prefix}.{region}.{}", domain_suffix(region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_follow_the_region_and_its_domain() {
        assert_eq!(
            default_host(Service::Dds.host_prefix(), "cn-north-4"),
            "dds.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            default_host(Service::Rds.host_prefix(), "ap-southeast-1"),
            "rds.ap-southeast-1.myhuaweicloud.com"
        );
        assert_eq!(
            default_host(Service::Rds.host_prefix(), "eu-west-101"),
            "rds.eu-west-101.myhuaweicloud.eu"
        );
        assert_eq!(
            default_host("iam", "eu-west-101"),
            "iam.eu-west-101.myhuaweicloud.eu"
        );
        // Only the sovereign region moves: its neighbours stay on .com.
        assert_eq!(domain_suffix("eu-west-0"), "myhuaweicloud.com");
        assert_eq!(domain_suffix("eu-west-1010"), "myhuaweicloud.com");
    }
}
