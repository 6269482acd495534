//! One API to export and download managed-database backups from Alibaba Cloud DBS, Tencent Cloud
//! MongoDB and Huawei Cloud DDS/RDS.
//!
//! - [`aliyun`], [`tencent`], [`huawei`]: the vendor crates, behind the features of the same
//!   names (`full`, the default, enables all three).
//! - [`export`]: one workflow for every cloud — start the export, wait with progress, get the
//!   files as refreshable links, download them verified ([`export::export_and_download`]).
//! - [`download`]: a downloader that never loses data — `.part` files, resume with
//!   `Range`/`If-Range`, parallel ranges, link refresh, size and checksum verification, and a
//!   rename into place only after verification.
//!
//! ```no_run
//! # async fn run() -> Result<(), backup_core::download::DownloadError> {
//! use backup_core::download::{DownloadOptions, Downloader};
//! let downloader = Downloader::new()?;
//! let report = downloader
//!     .download(
//!         "https://bucket.oss-cn-hangzhou.aliyuncs.com/backup.tar?Expires=1&Signature=x",
//!         std::path::Path::new("backup.tar"),
//!         &DownloadOptions::default(),
//!         None,
//!         &|p| eprintln!("{} / {:?} bytes", p.bytes_done, p.total),
//!     )
//!     .await?;
//! println!("verified {:?}", report.verified);
//! # Ok(()) }
//! ```

// The archive needs every vendor (its docs are the module's own).
#[cfg(all(feature = "aliyun", feature = "tencent", feature = "huawei"))]
pub mod archive;
pub mod backups;
pub mod checksum;
mod direct;
pub mod download;
pub mod export;
/// Fuzz-target entry points (only with `--cfg fuzzing`).
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod local;
pub mod names;
mod part_file;
mod schedule;
pub mod terminal;

pub use cloud_http;
pub use cloud_sign;

/// Alibaba Cloud DBS (`dbs-aliyun`).
#[cfg(feature = "aliyun")]
pub use dbs_aliyun as aliyun;
/// Tencent Cloud MongoDB (`mongodb-tencent`).
#[cfg(feature = "tencent")]
pub use mongodb_tencent as tencent;
/// Huawei Cloud DDS / RDS (`rds-huawei`).
#[cfg(feature = "huawei")]
pub use rds_huawei as huawei;

/// The README (the crates.io page): its examples are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
