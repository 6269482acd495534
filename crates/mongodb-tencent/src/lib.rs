//! Tencent Cloud TencentDB for MongoDB backup download client (API version 2019-07-25).
//!
//! This crate will hold `CreateBackupDownloadTask`, `DescribeBackupDownloadTask` and
//! `DescribeDBBackups`, signed with TC3-HMAC-SHA256 through `cloud-sign`.
