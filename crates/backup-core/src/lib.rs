//! One API to export and download managed-database backups from Alibaba Cloud DBS, Tencent Cloud
//! MongoDB and Huawei Cloud DDS/RDS.
//!
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

pub mod checksum;
pub mod download;

pub use cloud_sign;
