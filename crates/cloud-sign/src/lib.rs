//! Sans-IO request signing for three clouds, and the credentials that feed it.
//!
//! - [`aliyun`]: Alibaba Cloud `ACS3-HMAC-SHA256`.
//! - [`tencent`]: Tencent Cloud `TC3-HMAC-SHA256`, with a per-day signing-key cache.
//! - [`huawei`]: Huawei Cloud `SDK-HMAC-SHA256`.
//!
//! Each signer takes a borrowed [`SignableRequest`], explicit time (and, for Aliyun, nonce) and
//! [`Credentials`], and returns a [`SigningOutput`]: the headers to add, plus the canonical
//! request and string-to-sign. This crate reads no clock, draws no random numbers and sends
//! nothing; the transport (`cloud-http`) does that.
//!
//! Credentials come from [`provider`]s (static, environment, vendor profile files, chain) that
//! read the OS only through an injected [`ProviderContext`]. Secrets are zeroized on drop and
//! print as `** redacted **`.
//!
//! ```
//! use cloud_sign::{canonical_query, huawei, Credentials, SignableRequest};
//! use time::macros::datetime;
//!
//! let query = [("backup_id", "c0c9f155c7b7423a9d30f0175998b63bbr01")];
//! let headers = [("X-Project-Id", "0123456789abcdef")];
//! let request = SignableRequest::new("GET", "rds.cn-north-4.myhuaweicloud.com", "/v3/0123456789abcdef/backup-files")
//!     .with_query(&query)
//!     .with_headers(&headers);
//! let creds = Credentials::new("HPUAEXAMPLE", "exampleSecretKey");
//! let signed = huawei::sign(&request, datetime!(2026-01-01 0:00 UTC), &creds);
//! assert_eq!(
//!     signed.signature(),
//!     "d0dcb8dacf243b0a7066d143caed1302da2d322bceab14a77a8925f1a581bb22"
//! );
//! // The wire query is exactly the canonical query that was signed.
//! let url = format!("https://rds.cn-north-4.myhuaweicloud.com/v3/0123456789abcdef/backup-files?{}", canonical_query(&query));
//! assert!(url.ends_with("backup_id=c0c9f155c7b7423a9d30f0175998b63bbr01"));
//! ```

pub mod aliyun;
mod credentials;
mod encode;
pub mod huawei;
pub mod provider;
mod request;
pub mod tencent;

pub use credentials::{Credentials, SecretString};
pub use encode::{canonical_query, encode_path, percent_encode};
pub use provider::{
    AliyunRoleProfile, ChainProvider, CredentialsError, EnvironmentProvider, HuaweiFederation,
    ProfileFileProvider, ProvideCredentials, ProviderContext, StaticProvider, TccliAssumeRole,
    TccliProvider, Vendor,
};
pub use request::{EMPTY_PAYLOAD_SHA256, Payload, SignableRequest, SigningOutput};

/// The README (the crates.io page): its examples are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
