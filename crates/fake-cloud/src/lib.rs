//! An in-process emulator of the Aliyun DBS, Tencent MongoDB and Huawei DDS/RDS backup APIs and of
//! their object-storage download links, for tests, demos and users' own test suites.
//!
//! It will verify signatures, keep task state, serve files with HTTP `Range` and inject faults.
