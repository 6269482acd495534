//! Which host serves DBS for a region.

use cloud_http::Error;

/// The central host that serves these regions.
const CENTRAL_HOST: &str = "dbs-api.cn-hangzhou.aliyuncs.com";

/// Regions served by [`CENTRAL_HOST`].
const CENTRAL_REGIONS: &[&str] = &[
    "cn-hangzhou",
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-shanghai",
    "cn-shenzhen",
    "cn-hongkong",
    "us-west-1",
    "us-east-1",
    "cn-hangzhou-finance",
    "cn-shanghai-finance-1",
    "cn-shenzhen-finance-1",
];

/// Regions with their own `dbs-api.<region>.aliyuncs.com` host.
const REGIONAL_API_REGIONS: &[&str] = &[
    "cn-chengdu",
    "cn-huhehaote",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-northeast-1",
    "ap-south-1",
    "eu-central-1",
    "eu-west-1",
    "me-east-1",
];

/// Alibaba Cloud regions this crate knows: those of the DBS SDK's endpoint map (the two tables
/// above) and Alibaba Cloud's other public regions (ApsaraDB for MongoDB's endpoint table, the
/// API portal's region list), which DBS reaches by its rule, `dbs.<region>.aliyuncs.com`.
/// A region outside it may still exist (new regions open): reach it with an explicit endpoint.
pub const KNOWN_REGIONS: &[&str] = &[
    "cn-hangzhou",
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-shanghai",
    "cn-nanjing",
    "cn-fuzhou",
    "cn-shenzhen",
    "cn-heyuan",
    "cn-guangzhou",
    "cn-chengdu",
    "cn-hongkong",
    "cn-hangzhou-finance",
    "cn-shanghai-finance-1",
    "cn-shenzhen-finance-1",
    "cn-beijing-finance-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ap-south-1",
    "us-east-1",
    "us-west-1",
    "eu-central-1",
    "eu-west-1",
    "me-east-1",
    "me-central-1",
];

/// The DBS API host for `region`, by the vendor's region table: the central
/// `dbs-api.cn-hangzhou.aliyuncs.com` for the regions it serves, `dbs-api.<region>.aliyuncs.com`
/// for the regions with their own API host, and `dbs.<region>.aliyuncs.com` for any other region.
///
/// The region must be a region id (lower-case letters, digits and `-`).
///
/// ```
/// use dbs_aliyun::endpoint_host;
/// assert_eq!(endpoint_host("cn-beijing").unwrap(), "dbs-api.cn-hangzhou.aliyuncs.com");
/// assert_eq!(endpoint_host("eu-central-1").unwrap(), "dbs-api.eu-central-1.aliyuncs.com");
/// assert_eq!(endpoint_host("cn-wulanchabu").unwrap(), "dbs.cn-wulanchabu.aliyuncs.com");
/// ```
pub fn endpoint_host(region: &str) -> Result<String, Error> {
    let valid = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if !valid {
        return Err(Error::invalid(
            "region",
            format!("must be a region id such as cn-hangzhou (got {region:?})"),
        ));
    }
    Ok(if CENTRAL_REGIONS.contains(&region) {
        CENTRAL_HOST.to_owned()
    } else if REGIONAL_API_REGIONS.contains(&region) {
        format!("dbs-api.{region}.aliyuncs.com")
    } else {
        format!("dbs.{region}.aliyuncs.com")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_of_the_endpoint_tables_is_known() {
        for region in CENTRAL_REGIONS.iter().chain(REGIONAL_API_REGIONS) {
            assert!(KNOWN_REGIONS.contains(region), "{region}");
        }
    }

    #[test]
    fn central_regions_use_the_hangzhou_host() {
        for region in CENTRAL_REGIONS {
            assert_eq!(endpoint_host(region).unwrap(), CENTRAL_HOST, "{region}");
        }
        assert_eq!(CENTRAL_REGIONS.len(), 12);
    }

    #[test]
    fn regional_api_regions_use_their_own_dbs_api_host() {
        for region in REGIONAL_API_REGIONS {
            assert_eq!(
                endpoint_host(region).unwrap(),
                format!("dbs-api.{region}.aliyuncs.com"),
                "{region}"
            );
        }
        assert_eq!(REGIONAL_API_REGIONS.len(), 11);
    }

    #[test]
    fn other_regions_use_the_dbs_host() {
        assert_eq!(
            endpoint_host("cn-wulanchabu").unwrap(),
            "dbs.cn-wulanchabu.aliyuncs.com"
        );
        assert_eq!(
            endpoint_host("ap-southeast-7").unwrap(),
            "dbs.ap-southeast-7.aliyuncs.com"
        );
    }

    #[test]
    fn malformed_regions_are_refused_naming_the_field() {
        for bad in [
            "",
            "CN-HANGZHOU",
            "cn hangzhou",
            "cn-hangzhou.evil.com/x",
            "-cn",
            "cn-",
        ] {
            let err = endpoint_host(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid input: region:"), "{bad}: {err}");
        }
    }
}
