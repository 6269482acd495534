//! The shared transport of the cloud-backup vendor crates.
//!
//! [`HttpClient`] is the one place that sends API requests. For every attempt it asks the
//! vendor's [`Protocol`] to sign the request with a fresh time and nonce, sends it with `reqwest`
//! (rustls, pooled connections), reads the response within a size cap, and asks the protocol to
//! classify it. Failures are retried in standard mode: 3 attempts, exponential backoff with full
//! jitter, a shared [`RetryBudget`], server hints (`Retry-After`, `x-acs-retry-after`) honoured.
//! A non-idempotent call is resent only when it carries an idempotency token or the failure
//! proves the server did not act on it (connection never made, throttled, timestamp refused).
//!
//! Timeouts (defaults in [`HttpConfig`]): connect 5 s, attempt 30 s, operation 120 s.
//! Errors share one skeleton, [`Error`]; each variant documents whether the request may have
//! reached the server. Clock, sleep and randomness are injectable ([`testing`]).
//!
//! The vendor crates' models share [`model`]: open enums, lenient deserializers and
//! [`SecretUrl`], the download link whose `Debug` and `Display` hide its signature.
//!
//! A secret request parameter (a database password some APIs take in the query) is declared
//! with its value, as a [`ParamValue::Secret`] ([`ApiRequest::put_secret`]): it is signed and
//! sent as it is, and every rendering of the request for people — traces, snapshots, `Debug`,
//! [`PreparedRequest::canonical_request`], error text — shows `<redacted>` instead.
//!
//! ```no_run
//! use cloud_http::{ApiRequest, Classification, Endpoint, HttpClient, Idempotency, Operation,
//!     Protocol, RawResponse, AttemptContext, Error};
//! use cloud_sign::{huawei, Credentials, SignableRequest, SigningOutput};
//!
//! struct Huawei(Credentials);
//! impl Protocol for Huawei {
//!     fn sign(&self, r: &SignableRequest<'_>, a: &AttemptContext<'_>) -> Result<SigningOutput, Error> {
//!         Ok(huawei::sign(r, a.time, &self.0))
//!     }
//!     fn classify(&self, r: &RawResponse) -> Classification {
//!         if r.status < 300 { Classification::Success } else { todo!("parse the error body") }
//!     }
//!     fn request_id(&self, r: &RawResponse) -> Option<String> {
//!         r.header("x-request-id").map(str::to_owned)
//!     }
//! }
//!
//! # async fn run() -> Result<(), Error> {
//! let client = HttpClient::builder().build()?;
//! let mut req = ApiRequest::new("GET", "/v3/projects");
//! req.put("name", "cn-north-4");
//! let op = Operation::new("huawei-iam", "KeystoneListProjects", Idempotency::Idempotent);
//! let resp = client
//!     .send(&Endpoint::https("iam.cn-north-4.myhuaweicloud.com"), &op, &req,
//!           &Huawei(Credentials::new("AK", "SK")))
//!     .await?;
//! println!("{}", resp.status);
//! # Ok(()) }
//! ```

pub mod credentials;
mod endpoint;
mod error;
pub mod model;
mod network;
mod pages;
mod params;
mod retry;
mod runtime;
pub mod testing;
mod transport;
mod waiter;

pub use credentials::{
    Answer, CredentialSource, FetchCredentials, InstanceRole, Metadata, MetadataClient,
    RefreshingCredentials, TemporaryCredentials,
};
pub use endpoint::Endpoint;
pub use error::{
    Error, MAX_CODE_BYTES, MAX_MESSAGE_BYTES, MAX_REASON_BYTES, MAX_REQUEST_ID_BYTES,
    OperationName, ServiceError, excerpt, redact_urls,
};
pub use model::SecretUrl;
pub use network::{NetworkCause, network_cause};
pub use pages::{MAX_PAGES, PageOf, all_pages};
pub use params::{ParamValue, REDACTED};
pub use retry::{RETRY_COST, RetryBudget, RetryConfig, TIMEOUT_RETRY_COST};
pub use runtime::{BoxFuture, Clock, Random, Sleep, SystemClock, SystemRandom, TokioSleep};
pub use transport::{
    ApiRequest, AttemptContext, BackendResponse, Classification, EXCERPT_BYTES, HttpBackend,
    HttpClient, HttpClientBuilder, HttpConfig, Idempotency, Operation, PreparedRequest, Protocol,
    RawResponse, RetryKind, default_reqwest_client,
};
pub use waiter::{PollState, WaiterConfig};

pub use cloud_sign;

/// What the exported macros refer to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use serde;
}

/// The README (the crates.io page): its examples are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
