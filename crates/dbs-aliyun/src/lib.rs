//! Alibaba Cloud Database Backup (DBS) client.
//!
//! This crate will hold typed requests, responses and one async method per DBS operation used to
//! download and restore backups: `CreateDownload`, `DescribeDownloadTask`,
//! `DescribeDownloadBackupSetStorageInfo`, `DescribeDownloadSupport`, `RetryDownloadTask`
//! (API version 2021-01-01) and `CreateRestoreTask`, `StartRestoreTask`,
//! `DescribeRestoreTaskList`, `DescribeBackupPlanList`, `DescribeFullBackupList` (2019-03-06).
