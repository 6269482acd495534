//! Offline tests of the DDS, RDS and IAM calls: signed-request and parsed-response snapshots,
//! error shapes, retries, project-id resolution, IAM-token auth, validation and redaction.

mod agency;
mod builder;
mod canary;
mod errors;
mod federation;
mod project;
mod requests;
mod responses;
mod token;
mod validation;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cloud_http::testing::{InstantSleep, ManualClock, Recorder, SequenceRandom, offline_client};
use cloud_http::{FetchCredentials, HttpClient, HttpConfig};
use rds_huawei::{Auth, Client, ClientBuilder, Credentials, RefreshingCredentials};

/// 2026-01-01T00:00:00Z, the date of the signing.md vectors.
pub const T0: u64 = 1_767_225_600;
/// The signing.md project.
pub const PROJECT: &str = "0123456789abcdef";
/// The signing.md H1 instance.
pub const DDS_INSTANCE: &str = "befb1cfe1f96403780396b0c54f85d11in02";
/// The signing.md H1 backup.
pub const DDS_BACKUP: &str = "bd062e1af2d248b3bb4cd3dbb4183888br02";
/// The signing.md H3 backup.
pub const RDS_BACKUP: &str = "c0c9f155c7b7423a9d30f0175998b63bbr01";

/// The signing.md AK/SK, without a project id.
pub fn credentials() -> Credentials {
    Credentials::new("HPUAEXAMPLE", "exampleSecretKey")
}

/// The offline recorder as a transport, its clock at [`T0`].
pub fn offline(recorder: &Recorder) -> HttpClient {
    offline_client(SystemTime::UNIX_EPOCH + Duration::from_secs(T0), recorder)
}

/// A transport with `config` on a manual clock at [`T0`], with instant sleeps and fixed
/// randomness, for a scripted local server.
pub fn http_with(config: HttpConfig) -> HttpClient {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(T0));
    HttpClient::builder()
        .config(config)
        .clock(Arc::new(clock.clone()))
        .sleep(Arc::new(InstantSleep::new(clock)))
        .random(Arc::new(SequenceRandom::default()))
        .build()
        .unwrap()
}

/// [`http_with`] the default configuration; `allow_http` lets it reach a local server.
pub fn http(allow_http: bool) -> HttpClient {
    http_with(HttpConfig {
        allow_http,
        ..HttpConfig::default()
    })
}

/// A client on `http`, region cn-north-4, shaped by `f`.
pub fn client_on(http: HttpClient, f: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Client {
    f(Client::builder().region("cn-north-4").http_client(http))
        .build()
        .expect("client builds")
}

/// A client on the offline recorder, region cn-north-4, shaped by `f`.
pub fn client_with(recorder: &Recorder, f: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Client {
    client_on(offline(recorder), f)
}

/// Credentials that `fetcher` gives, refreshed before they expire.
pub fn refreshing(fetcher: impl FetchCredentials + 'static) -> Auth {
    Auth::Refreshing(Arc::new(RefreshingCredentials::new(fetcher)))
}

/// A client with the signing.md credentials and project.
pub fn client(recorder: &Recorder) -> Client {
    client_with(recorder, |b| {
        b.credentials(credentials().with_project_id(PROJECT))
    })
}

/// The signing.md H1 request: DDS `ShowBackupDownloadLink`.
pub fn h1_request() -> rds_huawei::dds::ShowBackupDownloadLinkRequest {
    rds_huawei::dds::ShowBackupDownloadLinkRequest::new(DDS_INSTANCE, DDS_BACKUP)
}

/// Sends the H1 request.
pub async fn show_h1(client: &Client) -> rds_huawei::Result<rds_huawei::BackupDownloadLinks> {
    client.dds().show_backup_download_link(&h1_request()).await
}

/// Sends a DDS `ListBackups` without filters.
pub async fn list_dds(client: &Client) -> rds_huawei::Result<rds_huawei::dds::ListBackupsResponse> {
    client
        .dds()
        .list_backups(&rds_huawei::dds::ListBackupsRequest::default())
        .await
}

/// The field an [`rds_huawei::Error::InvalidInput`] names (panics on any other error).
pub fn invalid_field(err: &rds_huawei::Error) -> &str {
    match err {
        rds_huawei::Error::InvalidInput { field, .. } => field,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

/// The signature in a recorded request's `Authorization` header.
pub fn signature(request: &cloud_http::PreparedRequest) -> &str {
    let auth = request.header("authorization").expect("signed");
    auth.rsplit_once("Signature=").expect("has a signature").1
}

/// The seed's example response (DDS), malformed date included.
pub const SEED_DDS_LINKS: &str = r#"{
   "files": [
    {
        "name": "43e4feaab48f11e89039fa163ebaa7e4br02.xxx",
        "size": 2803,
        "download_link":"https://obs.domainname.com/rdsbucket.username.1/xxxxxx",
        "link_expired_time":"2018-08-016T10:15:14+0000"
     }
     ],
    "bucket": "rdsbucket.bucketname"
}"#;

/// The IAM answer listing one project named after the region.
pub const ONE_PROJECT: &str = r#"{"projects":[{"domain_id":"d78cbac186b744899480f25bd022f468","is_domain":false,"parent_id":"d78cbac186b744899480f25bd022f468","name":"cn-north-4","description":"","links":{"next":null,"previous":null,"self":"https://iam.myhuaweicloud.com/v3/projects/0123456789abcdef"},"id":"0123456789abcdef","enabled":true}],"links":{"next":null,"previous":null,"self":"https://iam.myhuaweicloud.com/v3/projects?name=cn-north-4"}}"#;

#[test]
fn clients_and_operation_futures_can_cross_threads() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_shareable<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_shareable::<Client>();
    let recorder = Recorder::new();
    let client = client(&recorder);
    let dds_link = rds_huawei::dds::ShowBackupDownloadLinkRequest::new("i", "b");
    let dds_list = rds_huawei::dds::ListBackupsRequest::default();
    let rds_link = rds_huawei::rds::ShowBackupDownloadLinkRequest::new("b");
    let rds_list = rds_huawei::rds::ListBackupsRequest::new("i");
    assert_send(&client.dds().show_backup_download_link(&dds_link));
    assert_send(&client.dds().list_backups(&dds_list));
    assert_send(&client.rds().show_backup_download_link(&rds_link));
    assert_send(&client.rds().list_backups(&rds_list));
    assert_send(&client.project_id());
    assert!(
        recorder.requests().is_empty(),
        "futures do nothing until polled"
    );
}
