//! Huawei Cloud DDS and RDS backups: list them, and get the links to download their files.
//!
//! ```no_run
//! use rds_huawei::dds::{ListBackupsRequest, ShowBackupDownloadLinkRequest};
//! use rds_huawei::{BackupStatus, Client};
//!
//! # async fn run() -> rds_huawei::Result<()> {
//! // Credentials from HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK or ~/.huaweicloud/credentials;
//! // the project id from HUAWEICLOUD_SDK_PROJECT_ID, else looked up once through IAM.
//! let client = Client::builder().region("cn-north-4").build()?;
//!
//! let instance = "befb1cfe1f96403780396b0c54f85d11in02";
//! let listed = client
//!     .dds()
//!     .list_backups(&ListBackupsRequest {
//!         instance_id: Some(instance.into()),
//!         ..Default::default()
//!     })
//!     .await?;
//! let newest = listed
//!     .backups
//!     .iter()
//!     .filter(|b| b.status == Some(BackupStatus::Completed))
//!     .max_by_key(|b| b.begin_time.as_ref().and_then(|t| t.datetime()));
//!
//! if let Some(backup) = newest {
//!     let links = client
//!         .dds()
//!         .show_backup_download_link(&ShowBackupDownloadLinkRequest::new(instance, &backup.id))
//!         .await?;
//!     for file in &links.files {
//!         // `Debug` of a link hides its signature; `as_str()` is the whole link for a
//!         // downloader (a plain GET, no Authorization header), valid for about 15 minutes.
//!         println!("{} ({} bytes): {:?}", file.name, file.size_bytes(), file.download_link);
//!         let _url: &str = file.download_link.as_str();
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # One client, two services
//!
//! A [`Client`] serves DDS through [`Client::dds`] and RDS through [`Client::rds`]; both share
//! the credentials, the transport and the project id. Hosts are `dds.<region>.myhuaweicloud.com`
//! and `rds.<region>.myhuaweicloud.com` (`.myhuaweicloud.eu` in `eu-west-101`, see
//! [`default_host`]); [`ClientBuilder::endpoint`] and [`ClientBuilder::service_endpoint`]
//! override them.
//!
//! # Authentication
//!
//! [`Auth::AkSk`] signs each attempt with `SDK-HMAC-SHA256` (`X-Sdk-Date`, `X-Project-Id` and,
//! for temporary credentials, `X-Security-Token` are signed). [`Auth::IamToken`] sends an IAM
//! token as `X-Auth-Token`, with no `Authorization` header. Both go through the shared transport
//! ([`HttpClient`]): the same timeouts, retries, clock, tracing and, in tests, the same injected
//! `HttpBackend` (an offline recorder).
//!
//! Without long-term keys, [`Auth::Refreshing`] signs with temporary AK/SK fetched (and fetched
//! again before they expire) from the ECS instance's agency ([`EcsAgency`]) or from a federated
//! identity ([`IdTokenFederation`]: an OIDC id token, as on CCE, exchanged at IAM).
//!
//! # Project id
//!
//! Every path carries the project id. It comes from [`ClientBuilder::project_id`], else from the
//! credentials (`HUAWEICLOUD_SDK_PROJECT_ID`, the profile's `project_id`), else from IAM
//! (`GET /v3/projects?name=<region>` on `iam.<region>.myhuaweicloud.com`, overridable with
//! [`ClientBuilder::iam_endpoint`] or, for the default credential chain,
//! `HUAWEICLOUD_SDK_IAM_ENDPOINT`), once per client and shared by its clones.
//!
//! # Errors and retries
//!
//! Every error is the shared [`Error`]; a service's refusal is [`Error::Service`] with the
//! vendor code (`APIGW.0301`, `DBS.200001`, IAM's numeric `401`), message and `X-Request-Id`.
//! Throttling (429) and 502/503/504 are retried with backoff, re-signed each time; credential
//! and permission failures (401, 403, `APIGW.0301`) never are: more than five bad signatures in
//! a row lock the access key for five minutes.
//!
//! # Download links are credentials
//!
//! [`DownloadLink`]'s `Debug` and `Display` cut the query string (where the signature lives), and
//! this crate logs links only that way.

mod auth;
mod client;
pub mod dds;
mod endpoint;
mod errors;
mod federation;
mod metadata;
mod model;
pub mod rds;

pub use auth::Auth;
pub use client::{Client, ClientBuilder, IAM_ENDPOINT_VARIABLE};
pub use cloud_http::{CredentialSource, RefreshingCredentials};
pub use cloud_http::{Endpoint, Error, HttpClient, HttpConfig, ServiceError};
pub use cloud_sign::provider::HuaweiFederation;
pub use cloud_sign::{
    Credentials, CredentialsError, ProvideCredentials, ProviderContext, SecretString,
};
pub use dds::Dds;
pub use endpoint::{KNOWN_REGIONS, Service, default_host, domain_suffix};
pub use federation::IdTokenFederation;
pub use metadata::{ECS_METADATA_ENDPOINT, EcsAgency};
pub use model::{
    BackupDownloadLinks, BackupFile, BackupList, BackupStatus, Datastore, DownloadLink, Language,
    LenientTime, SortOrder, SortRule, TimeRange,
};
pub use rds::Rds;
pub use time;

/// The result of this crate's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The README (the crates.io page): its examples are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
