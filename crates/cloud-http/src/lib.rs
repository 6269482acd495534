//! The shared transport of the cloud-backup vendor crates.
//!
//! This crate will hold the one place that sends API requests: a `reqwest` client, re-signing of
//! every attempt with a fresh time and nonce, retries with exponential backoff and full jitter,
//! connect / attempt / operation timeouts, tracing spans and the error skeleton every vendor crate
//! builds on. It is being built under issue 3.
