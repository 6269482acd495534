//! End-to-end tests of the workspace live in `tests/tests/`; this library holds what they share:
//! clients of the three vendor crates pointed at a [`FakeCloud`], on an injected clock and an
//! instant sleep so retries and waiters take no real time, and helpers to download a link and
//! compare it with the emulator's object.

pub mod hostile;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use backup_core::download::{DownloadOptions, DownloadReport, Downloader};
use cloud_http::testing::{InstantSleep, ManualClock};
use cloud_http::{Endpoint, Error, HttpClient, HttpConfig, WaiterConfig};
use dbs_aliyun::{CreateDownloadRequest, DownloadSource, DownloadTarget, Export, LogicalFormat};
use fake_cloud::{FakeCloud, HUAWEI_PROJECT_ID, Route};
use mongodb_tencent::CreateBackupDownloadTaskRequest;
use rds_huawei::dds;

/// A transport on a manual clock (starting at the real time, which the emulator checks
/// signatures against) whose sleeps return at once and advance that clock.
#[derive(Debug, Clone)]
pub struct Transport {
    /// The transport to give a client.
    pub http: HttpClient,
    /// Its clock.
    pub clock: ManualClock,
    /// Its sleep, which records every wait (retry backoffs, server hints, waiter delays).
    pub sleep: InstantSleep,
}

/// `config` with plain http allowed (the emulator has no TLS).
pub fn transport(config: HttpConfig) -> Transport {
    let clock = ManualClock::new(SystemTime::now());
    let sleep = InstantSleep::new(clock.clone());
    let http = HttpClient::builder()
        .config(HttpConfig {
            allow_http: true,
            ..config
        })
        .clock(Arc::new(clock.clone()))
        .sleep(Arc::new(sleep.clone()))
        .build()
        .expect("a transport");
    Transport { http, clock, sleep }
}

/// The default configuration (30 s per attempt, 3 attempts) with plain http allowed.
pub fn default_transport() -> Transport {
    transport(HttpConfig::default())
}

/// How long an attempt may take in [`short_attempts`]: long enough for any loopback answer
/// even on a loaded machine, short enough that waiting for a delayed answer costs little.
pub const SHORT_ATTEMPT: Duration = Duration::from_secs(1);

/// The default configuration with attempts cut at [`SHORT_ATTEMPT`], for answers delayed past
/// it.
pub fn short_attempts() -> HttpConfig {
    HttpConfig {
        attempt_timeout: SHORT_ATTEMPT,
        ..HttpConfig::default()
    }
}

/// A waiter that polls every few (instant) milliseconds and gives up after a (manual) minute.
pub fn waiter() -> WaiterConfig {
    WaiterConfig {
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_wait: Duration::from_secs(60),
    }
}

/// The emulator's endpoint.
pub fn endpoint(cloud: &FakeCloud) -> Endpoint {
    Endpoint::parse(&cloud.endpoint()).expect("the emulator's endpoint parses")
}

/// A DBS client for `cn-hangzhou` with the emulator's credentials.
pub fn aliyun(cloud: &FakeCloud, http: &HttpClient) -> dbs_aliyun::Client {
    dbs_aliyun::Client::builder()
        .region("cn-hangzhou")
        .credentials(cloud.aliyun_credentials())
        .endpoint(endpoint(cloud))
        .http_client(http.clone())
        .build()
        .expect("an Aliyun client")
}

/// A TencentDB for MongoDB client for `ap-guangzhou` with the emulator's credentials.
pub fn tencent(cloud: &FakeCloud, http: &HttpClient) -> mongodb_tencent::Client {
    mongodb_tencent::Client::builder()
        .region("ap-guangzhou")
        .credentials(cloud.tencent_credentials())
        .endpoint(endpoint(cloud))
        .http_client(http.clone())
        .build()
        .expect("a Tencent client")
}

/// A Huawei client for `cn-north-4` with the emulator's AK/SK and its project id (no IAM
/// lookup).
pub fn huawei(cloud: &FakeCloud, http: &HttpClient) -> rds_huawei::Client {
    huawei_builder(cloud, http)
        .credentials(
            cloud
                .huawei_credentials()
                .with_project_id(HUAWEI_PROJECT_ID),
        )
        .build()
        .expect("a Huawei client")
}

/// A Huawei builder for `cn-north-4` whose DDS, RDS and IAM calls go to the emulator; the
/// caller chooses the authentication.
pub fn huawei_builder(cloud: &FakeCloud, http: &HttpClient) -> rds_huawei::ClientBuilder {
    rds_huawei::Client::builder()
        .region("cn-north-4")
        .endpoint(endpoint(cloud))
        .iam_endpoint(endpoint(cloud))
        .http_client(http.clone())
}

/// The example ids of the emulator's default catalogue (from the seed documents and the signing
/// vectors).
pub mod ids {
    /// An Aliyun RDS instance.
    pub const ALIYUN_INSTANCE: &str = "rm-bp1example";
    /// Its full backup set.
    pub const ALIYUN_BACKUP_SET: &str = "1234567890";
    /// A Tencent MongoDB replica-set instance.
    pub const TENCENT_INSTANCE: &str = "cmgo-p8vnipr5";
    /// Its backup.
    pub const TENCENT_BACKUP: &str = "cmgo-p8vnipr5_2021-03-26 10:44";
    /// Its replica set.
    pub const TENCENT_REPLICA_SET: &str = "cmgo-p8vnipr5_0";
    /// A Tencent MongoDB sharded cluster (shards `_0` and `_1`).
    pub const TENCENT_SHARDED: &str = "cmgo-dygv1rnp";
    /// A Huawei DDS cluster instance (two shards).
    pub const DDS_INSTANCE: &str = "befb1cfe1f96403780396b0c54f85d11in02";
    /// Its backup.
    pub const DDS_BACKUP: &str = "bd062e1af2d248b3bb4cd3dbb4183888br02";
    /// A Huawei RDS instance.
    pub const RDS_INSTANCE: &str = "43e4feaab48f11e89039fa163ebaa7e4in01";
    /// Its backup.
    pub const RDS_BACKUP: &str = "c0c9f155c7b7423a9d30f0175998b63bbr01";
}

/// `CreateDownload` of the Aliyun example backup set to a URL, in `format`.
pub fn aliyun_download(format: LogicalFormat) -> CreateDownloadRequest {
    CreateDownloadRequest::new(
        ids::ALIYUN_INSTANCE,
        DownloadSource::backup_set(ids::ALIYUN_BACKUP_SET),
        Export::Logical(format),
        DownloadTarget::Url,
    )
}

/// `CreateBackupDownloadTask` of the Tencent example backup, for its replica set.
pub fn tencent_download() -> CreateBackupDownloadTaskRequest {
    CreateBackupDownloadTaskRequest::new(
        ids::TENCENT_INSTANCE,
        ids::TENCENT_BACKUP,
        [ids::TENCENT_REPLICA_SET],
    )
}

/// DDS `ShowBackupDownloadLink` of the Huawei example backup.
pub fn dds_links() -> dds::ShowBackupDownloadLinkRequest {
    dds::ShowBackupDownloadLinkRequest::new(ids::DDS_INSTANCE, ids::DDS_BACKUP)
}

/// The requests the emulator received for `action` on `route`.
pub fn attempts(cloud: &FakeCloud, route: Route, action: &str) -> usize {
    cloud
        .requests()
        .iter()
        .filter(|r| r.route == route && r.action == action)
        .count()
}

/// The object key of an emulator download link (`http://host/objects/<key>?...`).
pub fn object_key(url: &str) -> String {
    let path = url
        .split("/objects/")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .unwrap_or_else(|| {
            panic!(
                "not an emulator link: {}",
                url.split('?').next().unwrap_or("")
            )
        });
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .expect("keys are UTF-8")
        .into_owned()
}

/// Downloads `url` into `dir` as `name` with the workspace's downloader (two connections,
/// small ranges, so ranged requests are exercised) and asserts the file holds exactly the
/// bytes of the emulator's object behind the link. Returns the downloader's report.
pub async fn download_and_compare(
    cloud: &FakeCloud,
    url: &str,
    dir: &Path,
    name: &str,
) -> DownloadReport {
    let options = DownloadOptions {
        connections: 2,
        chunk_size: 128 * 1024,
        ..DownloadOptions::default()
    };
    let report = Downloader::new()
        .expect("a downloader")
        .download(url, &dir.join(name), &options, None, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("downloading {name}: {e}"));
    let object = cloud
        .object(&object_key(url))
        .expect("the link points at an object the emulator stores");
    let on_disk = std::fs::read(&report.path).expect("the downloaded file");
    assert_eq!(on_disk.len() as u64, object.size, "{name}: size");
    assert!(
        on_disk == object.content(),
        "{name}: the downloaded bytes differ from the emulator's object"
    );
    report
}

/// The field an [`Error::InvalidInput`] names; panics, naming the error, on any other error.
pub fn invalid_field(err: &Error) -> &str {
    match err {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected an invalid-input error, got {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_are_decoded_from_links() {
        assert_eq!(
            object_key("http://127.0.0.1:1/objects/tencent/cmgo-1/a%20b.tar?Expires=1&Signature=x"),
            "tencent/cmgo-1/a b.tar"
        );
        assert_eq!(object_key("http://h/objects/k%2"), "k%2");
    }
}
