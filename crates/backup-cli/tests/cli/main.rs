//! `cloud-backup` end to end: the built binary against `fake-cloud` started in the test process
//! (one test binary, so it links once).

mod aliyun;
mod archive;
mod common;
mod download;
mod errors;
mod export;
mod help;
mod huawei;
mod instances;
mod listings;
mod mismatch;
mod pages;
mod tables;
mod tencent;
