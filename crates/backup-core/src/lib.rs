//! One API to export and download managed-database backups from Alibaba Cloud DBS, Tencent Cloud
//! MongoDB and Huawei Cloud DDS/RDS.
//!
//! This facade will re-export the vendor crates behind features (`aliyun`, `tencent`, `huawei`,
//! `full`) and add the vendor-neutral export-and-download workflow with a resumable, verifying
//! downloader.
