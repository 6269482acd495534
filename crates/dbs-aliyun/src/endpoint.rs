//! Which host serves DBS, and each database product, for a region.

use cloud_http::{Endpoint, Error};

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

/// A database product whose own API lists its backups: RDS, PolarDB, ApsaraDB for MongoDB.
///
/// Each has its own host and API version; the client signs them the same way as DBS
/// (`ACS3-HMAC-SHA256`). A client built with an explicit endpoint sends every product there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Product {
    /// ApsaraDB RDS (MySQL, PostgreSQL, SQL Server, MariaDB), API version 2014-08-15.
    Rds,
    /// PolarDB, API version 2017-08-01.
    PolarDb,
    /// ApsaraDB for MongoDB (product id `dds`), API version 2015-12-01.
    MongoDb,
}

impl Product {
    /// Every product.
    pub const ALL: [Product; 3] = [Product::Rds, Product::PolarDb, Product::MongoDb];

    /// The API version its operations send (`x-acs-version`).
    pub fn version(self) -> &'static str {
        match self {
            Product::Rds => "2014-08-15",
            Product::PolarDb => "2017-08-01",
            Product::MongoDb => "2015-12-01",
        }
    }

    /// The name of its operations in errors and traces (`aliyun-rds DescribeBackups`).
    pub fn vendor(self) -> &'static str {
        match self {
            Product::Rds => "aliyun-rds",
            Product::PolarDb => "aliyun-polardb",
            Product::MongoDb => "aliyun-mongodb",
        }
    }

    /// The first label of its hosts (`rds`, `polardb`, `mongodb`).
    fn label(self) -> &'static str {
        match self {
            Product::Rds => "rds",
            Product::PolarDb => "polardb",
            Product::MongoDb => "mongodb",
        }
    }

    /// The public regions the official SDK's endpoint map sends to the central
    /// `<label>.aliyuncs.com` (the SDKs' own test and internal zones left out).
    fn central_regions(self) -> &'static [&'static str] {
        match self {
            // alibabacloud-python-sdk rds-20140815 client.py `_endpoint_map`. One entry differs:
            // the SDK sends cn-hangzhou-finance to the VPC-only `rds-vpc.cn-hangzhou-finance`
            // host, the API metadata (and the other products) to the central one, as here.
            Product::Rds => &[
                "cn-qingdao",
                "cn-beijing",
                "cn-hangzhou",
                "cn-shanghai",
                "cn-shenzhen",
                "cn-heyuan",
                "cn-hongkong",
                "ap-southeast-1",
                "us-west-1",
                "us-east-1",
                "cn-hangzhou-finance",
                "cn-shanghai-finance-1",
                "cn-shenzhen-finance-1",
                "cn-north-2-gov-1",
                "cn-beijing-finance-1",
            ],
            // polardb-20170801 client.py `_endpoint_map`.
            Product::PolarDb => &[
                "cn-qingdao",
                "cn-beijing",
                "cn-wulanchabu",
                "cn-hangzhou",
                "cn-shanghai",
                "cn-heyuan",
                "cn-hangzhou-finance",
                "cn-beijing-finance-1",
            ],
            // dds-20151201 client.py `_endpoint_map`.
            Product::MongoDb => &[
                "cn-qingdao",
                "cn-beijing",
                "cn-wulanchabu",
                "cn-hangzhou",
                "cn-shanghai",
                "cn-shenzhen",
                "cn-heyuan",
                "cn-guangzhou",
                "cn-hangzhou-finance",
                "cn-shanghai-finance-1",
                "cn-shenzhen-finance-1",
                "cn-beijing-finance-1",
            ],
        }
    }
}

impl std::fmt::Display for Product {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Product::Rds => "RDS",
            Product::PolarDb => "PolarDB",
            Product::MongoDb => "ApsaraDB for MongoDB",
        })
    }
}

/// The API host of `product` for `region`, by the official SDK's endpoint map: the central
/// `<product>.aliyuncs.com` (`rds`, `polardb`, `mongodb`) for the regions the map sends there,
/// `<product>.<region>.aliyuncs.com` for every other region.
///
/// ```
/// use dbs_aliyun::{Product, product_host};
/// assert_eq!(product_host(Product::Rds, "cn-hangzhou").unwrap(), "rds.aliyuncs.com");
/// assert_eq!(product_host(Product::Rds, "eu-central-1").unwrap(), "rds.eu-central-1.aliyuncs.com");
/// assert_eq!(product_host(Product::PolarDb, "cn-shenzhen").unwrap(), "polardb.cn-shenzhen.aliyuncs.com");
/// assert_eq!(product_host(Product::MongoDb, "cn-shenzhen").unwrap(), "mongodb.aliyuncs.com");
/// ```
pub fn product_host(product: Product, region: &str) -> Result<String, Error> {
    // The same rule for a region id as DBS's.
    endpoint_host(region)?;
    let label = product.label();
    Ok(if product.central_regions().contains(&region) {
        format!("{label}.aliyuncs.com")
    } else {
        format!("{label}.{region}.aliyuncs.com")
    })
}

/// Where each product's calls go: the explicit endpoint when the client has one, else the
/// product's host for the region.
#[derive(Debug, Clone)]
pub(crate) struct ProductEndpoints([Endpoint; 3]);

impl ProductEndpoints {
    pub(crate) fn resolve(region: &str, explicit: Option<&Endpoint>) -> Result<Self, Error> {
        let one = |p: Product| match explicit {
            Some(e) => Ok(e.clone()),
            None => product_host(p, region).map(Endpoint::https),
        };
        Ok(ProductEndpoints([
            one(Product::Rds)?,
            one(Product::PolarDb)?,
            one(Product::MongoDb)?,
        ]))
    }

    pub(crate) fn get(&self, product: Product) -> &Endpoint {
        match product {
            Product::Rds => &self.0[0],
            Product::PolarDb => &self.0[1],
            Product::MongoDb => &self.0[2],
        }
    }
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

    #[test]
    fn products_use_their_central_host_where_the_sdk_map_says_else_their_regional_one() {
        for product in Product::ALL {
            for region in product.central_regions() {
                assert_eq!(
                    product_host(product, region).unwrap(),
                    format!("{}.aliyuncs.com", product.label()),
                    "{product} {region}"
                );
            }
        }
        for (product, region, host) in [
            (
                Product::Rds,
                "cn-zhangjiakou",
                "rds.cn-zhangjiakou.aliyuncs.com",
            ),
            (
                Product::Rds,
                "ap-northeast-1",
                "rds.ap-northeast-1.aliyuncs.com",
            ),
            (Product::Rds, "cn-hangzhou-finance", "rds.aliyuncs.com"),
            (
                Product::PolarDb,
                "cn-hongkong",
                "polardb.cn-hongkong.aliyuncs.com",
            ),
            (
                Product::PolarDb,
                "us-east-1",
                "polardb.us-east-1.aliyuncs.com",
            ),
            (
                Product::MongoDb,
                "cn-chengdu",
                "mongodb.cn-chengdu.aliyuncs.com",
            ),
            (Product::MongoDb, "cn-guangzhou", "mongodb.aliyuncs.com"),
            (
                Product::MongoDb,
                "me-central-1",
                "mongodb.me-central-1.aliyuncs.com",
            ),
        ] {
            assert_eq!(
                product_host(product, region).unwrap(),
                host,
                "{product} {region}"
            );
        }
    }

    #[test]
    fn product_hosts_refuse_malformed_regions_and_an_explicit_endpoint_wins() {
        let err = product_host(Product::Rds, "cn-hangzhou.evil.com/x").unwrap_err();
        assert!(
            err.to_string().starts_with("invalid input: region:"),
            "{err}"
        );
        let explicit = Endpoint::parse("http://127.0.0.1:9000").unwrap();
        let all = ProductEndpoints::resolve("cn-hangzhou", Some(&explicit)).unwrap();
        for product in Product::ALL {
            assert_eq!(all.get(product).host(), explicit.host(), "{product}");
        }
        let own = ProductEndpoints::resolve("cn-shenzhen", None).unwrap();
        assert_eq!(
            own.get(Product::PolarDb).host(),
            "polardb.cn-shenzhen.aliyuncs.com"
        );
        assert_eq!(own.get(Product::MongoDb).host(), "mongodb.aliyuncs.com");
    }
}
