//! Huawei Cloud DDS and RDS backup client.
//!
//! This crate will hold `ShowBackupDownloadLink` and `ListBackups` for both DDS and RDS, signed
//! with SDK-HMAC-SHA256 through `cloud-sign`, plus IAM project-id resolution.
