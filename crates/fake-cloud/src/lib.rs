//! An in-process emulator of the Aliyun DBS, Tencent MongoDB and Huawei DDS/RDS backup APIs and
//! of their object-storage download links, for tests, demos and users' own test suites.
//!
//! [`FakeCloud::start`] listens on `127.0.0.1` with an ephemeral port; point every vendor client
//! at [`FakeCloud::endpoint`] (plain http, so allow it in the client) with the emulator's
//! credentials. Requests are routed by protocol: `x-acs-action` → Aliyun (DBS, and the
//! backup listings of RDS, PolarDB and MongoDB, whose `DescribeBackups` are told apart by
//! `x-acs-version`, from a catalogue of their own: [`ProductInstance`]), `X-TC-Action` →
//! Tencent MongoDB, `/v3/projects` → Huawei IAM, `/v3/{project}/...` → Huawei DDS/RDS,
//! `/objects/...` → the object store behind download links. Behind the one endpoint, DDS and
//! RDS `ShowBackupDownloadLink` differ by path; `ListBackups` (the same path on both) is an RDS
//! listing when its `instance_id` is an RDS instance of the catalogue, a DDS listing otherwise.
//!
//! Every API request's signature, timestamp window and (Aliyun) nonce are verified with the
//! vendor's real error shapes and codes. Tasks move through the vendor's states over successive
//! polls. Faults can be injected for the next N matching requests, and every request is logged.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use fake_cloud::{FakeCloud, Fault, Route};
//! let cloud = FakeCloud::start().await;
//! assert!(cloud.endpoint().starts_with("http://127.0.0.1:"));
//! cloud.inject(Route::Tencent, None, Fault::Status(503), 2);
//! assert!(cloud.requests().is_empty());
//! # }
//! ```

mod auth;
mod handlers;
mod http;
mod products;
mod storage;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cloud_sign::Credentials;
use time::OffsetDateTime;
use tokio::net::TcpListener;

pub use products::{AliyunProduct, ProductBackup, ProductInstance, default_aliyun_instances};
pub use storage::Object;

use crate::http::{Response, WritePlan};

/// Which part of the emulator a request (or a fault) concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// Any request.
    Any,
    /// Aliyun API: DBS, and the RDS, PolarDB and MongoDB backup listings.
    Aliyun,
    /// Tencent MongoDB API.
    Tencent,
    /// Huawei DDS or RDS API.
    Huawei,
    /// Huawei IAM project lookup.
    Iam,
    /// Download links (object storage).
    Storage,
}

/// A fault to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status (500, 502, 503, ...) and the vendor's error shape.
    Status(u16),
    /// The vendor's throttling answer (`Throttling.User` + `x-acs-retry-after`,
    /// `RequestLimitExceeded`, `APIGW.0308` with HTTP 429).
    Throttle,
    /// Close the connection after reading the request, before answering.
    ResetBeforeResponse,
    /// Send the headers and half the body, then reset the connection.
    ResetMidBody,
    /// Send the headers and half the body, then close cleanly (body shorter than declared).
    TruncatedBody,
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Answer 200 with a body that is not valid JSON.
    MalformedJson,
    /// Serve the body with one byte flipped in the middle (storage corruption).
    CorruptBody,
    /// Answer a download with the whole object (200) even when a range was asked: a server
    /// without range support.
    IgnoreRange,
}

/// A backup in the emulator's catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// Which API knows it: `Route::Aliyun`, `Route::Tencent` or `Route::Huawei`.
    pub route: Route,
    /// Huawei only: `dds` or `rds`.
    pub service: &'static str,
    /// Instance id / name.
    pub instance_id: String,
    /// Backup id (Aliyun `BakSetId`, Huawei `backup_id`; Tencent: same as `name`).
    pub backup_id: String,
    /// Backup name (Tencent `BackupName`).
    pub name: String,
    /// Size of each file, in bytes.
    pub size_bytes: u64,
    /// Parts: Tencent replica sets, Huawei DDS shards (one file each); one entry otherwise.
    /// Tencent `DescribeDBInstances` lists every Tencent instance of the catalogue with the
    /// parts of its backups as `ReplicaSets`: a sharded cluster when there are several.
    pub parts: Vec<String>,
}

/// Settings of an emulator; see [`FakeCloud::builder`].
#[derive(Debug, Clone)]
pub struct FakeCloudBuilder {
    backups: Vec<Backup>,
    aliyun_instances: Vec<ProductInstance>,
    aliyun_link_ttl: Duration,
    task_pace: u32,
    huawei_link_ttl: Duration,
    tencent_link_ttl: Duration,
    port: u16,
}

impl Default for FakeCloudBuilder {
    fn default() -> Self {
        FakeCloudBuilder {
            backups: default_catalogue(1 << 20),
            aliyun_instances: default_aliyun_instances(1 << 20),
            aliyun_link_ttl: Duration::from_secs(24 * 3600),
            task_pace: 3,
            huawei_link_ttl: Duration::from_secs(15 * 60),
            tencent_link_ttl: Duration::from_secs(3600),
            port: 0,
        }
    }
}

/// The default catalogue: the example ids of the seed documents and signing vectors, each file
/// `size` bytes.
pub fn default_catalogue(size: u64) -> Vec<Backup> {
    let b = |route, service, instance: &str, id: &str, name: &str, parts: &[&str]| Backup {
        route,
        service,
        instance_id: instance.into(),
        backup_id: id.into(),
        name: name.into(),
        size_bytes: size,
        parts: parts.iter().map(|p| (*p).to_owned()).collect(),
    };
    vec![
        b(
            Route::Aliyun,
            "",
            "rm-bp1example",
            "1234567890",
            "full backup",
            &["rm-bp1example"],
        ),
        b(
            Route::Aliyun,
            "",
            "rm-wz994c1t1****",
            "146005****",
            "full backup",
            &["rm-wz994c1t1****"],
        ),
        b(
            Route::Tencent,
            "",
            "cmgo-p8vnipr5",
            "cmgo-p8vnipr5_2021-03-26 10:44",
            "cmgo-p8vnipr5_2021-03-26 10:44",
            &["cmgo-p8vnipr5_0"],
        ),
        b(
            Route::Tencent,
            "",
            "cmgo-dygv1rnp",
            "cmgo-dygv1rnp_2021-03-26 10:44",
            "cmgo-dygv1rnp_2021-03-26 10:44",
            &["cmgo-dygv1rnp_0", "cmgo-dygv1rnp_1"],
        ),
        b(
            Route::Tencent,
            "",
            "cmgo-shard7kq",
            "cmgo-shard7kq_2021-03-26 10:44",
            "cmgo-shard7kq_2021-03-26 10:44",
            &["cmgo-shard7kq_0", "cmgo-shard7kq_1", "cmgo-shard7kq_2"],
        ),
        b(
            Route::Huawei,
            "dds",
            "befb1cfe1f96403780396b0c54f85d11in02",
            "bd062e1af2d248b3bb4cd3dbb4183888br02",
            "dds-backup-1",
            &["shard_1", "shard_2"],
        ),
        b(
            Route::Huawei,
            "rds",
            "43e4feaab48f11e89039fa163ebaa7e4in01",
            "c0c9f155c7b7423a9d30f0175998b63bbr01",
            "rds-backup-1",
            &["rds-backup-1"],
        ),
    ]
}

impl FakeCloudBuilder {
    /// Replaces the catalogue.
    pub fn catalogue(mut self, backups: Vec<Backup>) -> Self {
        self.backups = backups;
        self
    }
    /// Sets every backup file's size (the product instances' backups too).
    pub fn backup_size(mut self, size: u64) -> Self {
        for b in &mut self.backups {
            b.size_bytes = size;
        }
        for b in self
            .aliyun_instances
            .iter_mut()
            .flat_map(|i| i.backups.iter_mut())
        {
            b.size_bytes = size;
        }
        self
    }
    /// Replaces the Aliyun product instances (RDS, PolarDB, MongoDB), whose own
    /// `DescribeBackups` list their backups; [`default_aliyun_instances`] by default. They are
    /// a catalogue apart from [`FakeCloudBuilder::catalogue`]'s (the DBS one).
    pub fn aliyun_instances(mut self, instances: Vec<ProductInstance>) -> Self {
        self.aliyun_instances = instances;
        self
    }
    /// Lifetime of the links in RDS and MongoDB listings (default 1 day).
    pub fn aliyun_link_ttl(mut self, ttl: Duration) -> Self {
        self.aliyun_link_ttl = ttl;
        self
    }
    /// How many polls a download task takes to finish (default 3).
    pub fn task_pace(mut self, polls: u32) -> Self {
        self.task_pace = polls.max(1);
        self
    }
    /// Lifetime of Huawei download links (default 15 minutes).
    pub fn huawei_link_ttl(mut self, ttl: Duration) -> Self {
        self.huawei_link_ttl = ttl;
        self
    }
    /// Lifetime of Tencent task URLs (default 1 hour).
    pub fn tencent_link_ttl(mut self, ttl: Duration) -> Self {
        self.tencent_link_ttl = ttl;
        self
    }

    /// Listens on this port of 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts the emulator; panics when it cannot listen (see [`FakeCloudBuilder::try_start`]).
    pub async fn start(self) -> FakeCloud {
        let port = self.port;
        self.try_start()
            .await
            .unwrap_or_else(|e| panic!("bind 127.0.0.1:{port}: {e}"))
    }

    /// Starts the emulator, or says why it cannot listen (the port is taken, say).
    pub async fn try_start(self) -> std::io::Result<FakeCloud> {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            port,
            state: Mutex::new(State::new(self)),
            severed: Arc::default(),
        });
        let s = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let _ = sock.set_nodelay(true);
                let s = s.clone();
                tokio::spawn(async move { serve_connection(sock, s).await });
            }
        });
        Ok(FakeCloud { shared, task })
    }
}

/// A request the emulator received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// Where it was routed.
    pub route: Route,
    /// The API action (`CreateDownload`, `ShowBackupDownloadLink`, `GetObject`, ...).
    pub action: String,
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// Headers, names lower-case.
    pub headers: Vec<(String, String)>,
}

impl LoggedRequest {
    /// The first header of that name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
struct FaultRule {
    route: Route,
    action: Option<String>,
    fault: Fault,
    remaining: u32,
}

pub(crate) struct AliyunTask {
    pub task_id: String,
    pub instance: String,
    pub bak_set_id: String,
    pub polls: u32,
    pub format: String,
    pub created_ms: i64,
    pub retried: bool,
}

pub(crate) struct TencentTask {
    pub instance: String,
    pub backup_name: String,
    pub replica_set: String,
    pub polls: u32,
    pub created: OffsetDateTime,
}

pub(crate) struct RestoreTask {
    pub id: String,
    pub plan: String,
    pub name: String,
    pub started: bool,
    pub polls: u32,
    pub client_token: Option<String>,
}

pub(crate) struct State {
    pub backups: Vec<Backup>,
    pub aliyun_instances: Vec<ProductInstance>,
    pub aliyun_link_ttl: Duration,
    pub task_pace: u32,
    pub huawei_link_ttl: Duration,
    pub tencent_link_ttl: Duration,
    pub aliyun_creds: Credentials,
    pub tencent_creds: Credentials,
    pub huawei_creds: Credentials,
    pub iam_token: String,
    pub project_id: String,
    pub nonces: HashSet<String>,
    pub aliyun_tasks: Vec<AliyunTask>,
    pub tencent_tasks: Vec<TencentTask>,
    pub restore_tasks: Vec<RestoreTask>,
    pub objects: HashMap<String, Arc<Object>>,
    faults: Vec<FaultRule>,
    pub log: Vec<LoggedRequest>,
    pub skew_secs: i64,
    pub bandwidth: Option<u64>,
    pub counter: u64,
}

impl State {
    fn new(b: FakeCloudBuilder) -> Self {
        State {
            backups: b.backups,
            aliyun_instances: b.aliyun_instances,
            aliyun_link_ttl: b.aliyun_link_ttl,
            task_pace: b.task_pace,
            huawei_link_ttl: b.huawei_link_ttl,
            tencent_link_ttl: b.tencent_link_ttl,
            aliyun_creds: Credentials::new(ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET),
            tencent_creds: Credentials::new(TENCENT_SECRET_ID, TENCENT_SECRET_KEY),
            huawei_creds: Credentials::new(HUAWEI_AK, HUAWEI_SK),
            iam_token: HUAWEI_IAM_TOKEN.into(),
            project_id: HUAWEI_PROJECT_ID.into(),
            nonces: HashSet::new(),
            aliyun_tasks: Vec::new(),
            tencent_tasks: Vec::new(),
            restore_tasks: Vec::new(),
            objects: HashMap::new(),
            faults: Vec::new(),
            log: Vec::new(),
            skew_secs: 0,
            bandwidth: None,
            counter: 0,
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.skew_secs)
    }

    pub fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn take_fault(&mut self, route: Route, action: &str) -> Option<Fault> {
        let rule = self.faults.iter_mut().find(|f| {
            f.remaining > 0
                && (f.route == Route::Any || f.route == route)
                && f.action.as_deref().is_none_or(|a| a == action)
        })?;
        rule.remaining -= 1;
        let fault = rule.fault;
        self.faults.retain(|f| f.remaining > 0);
        Some(fault)
    }
}

/// The emulator's Aliyun AccessKeyId.
pub const ALIYUN_ACCESS_KEY_ID: &str = "LTAI5tFakeCloudKey";
/// The emulator's Aliyun AccessKeySecret.
pub const ALIYUN_ACCESS_KEY_SECRET: &str = "fake-cloud-aliyun-secret";
/// The emulator's Tencent SecretId.
pub const TENCENT_SECRET_ID: &str = "AKIDFakeCloudSecretId";
/// The emulator's Tencent SecretKey.
pub const TENCENT_SECRET_KEY: &str = "fake-cloud-tencent-secret";
/// The emulator's Huawei AK.
pub const HUAWEI_AK: &str = "HPUAFAKECLOUDAK";
/// The emulator's Huawei SK.
pub const HUAWEI_SK: &str = "fake-cloud-huawei-secret";
/// The IAM token the emulator accepts in `X-Auth-Token`.
pub const HUAWEI_IAM_TOKEN: &str = "fake-cloud-iam-token";
/// The project id of every region in the emulator.
pub const HUAWEI_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";

struct Shared {
    port: u16,
    state: Mutex<State>,
    /// Bumped by [`FakeCloud::sever_downloads`]: download bodies started before stop.
    severed: Arc<std::sync::atomic::AtomicU64>,
}

/// A running emulator; stops when dropped.
pub struct FakeCloud {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeCloud {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for FakeCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeCloud")
            .field("endpoint", &self.endpoint())
            .finish_non_exhaustive()
    }
}

impl FakeCloud {
    /// Starts an emulator with the default catalogue (1 MiB files) and pace.
    pub async fn start() -> FakeCloud {
        FakeCloudBuilder::default().start().await
    }

    /// Settings before starting.
    pub fn builder() -> FakeCloudBuilder {
        FakeCloudBuilder::default()
    }

    /// `http://127.0.0.1:<port>`: the endpoint for every vendor client and IAM.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.port)
    }

    /// Credentials the emulator accepts for Aliyun.
    pub fn aliyun_credentials(&self) -> Credentials {
        self.state().aliyun_creds.clone()
    }
    /// Credentials the emulator accepts for Tencent.
    pub fn tencent_credentials(&self) -> Credentials {
        self.state().tencent_creds.clone()
    }
    /// Credentials the emulator accepts for Huawei (no project id: resolve it through IAM, or
    /// add [`HUAWEI_PROJECT_ID`]).
    pub fn huawei_credentials(&self) -> Credentials {
        self.state().huawei_creds.clone()
    }
    /// Require temporary credentials: the vendor's credentials get this session token.
    pub fn require_session_token(&self, route: Route, token: &str) {
        let mut st = self.state();
        match route {
            Route::Aliyun => st.aliyun_creds = st.aliyun_creds.clone().with_session_token(token),
            Route::Tencent => st.tencent_creds = st.tencent_creds.clone().with_session_token(token),
            Route::Huawei | Route::Iam => {
                st.huawei_creds = st.huawei_creds.clone().with_session_token(token)
            }
            _ => {}
        }
    }

    /// The catalogue.
    pub fn backups(&self) -> Vec<Backup> {
        self.state().backups.clone()
    }

    /// The Aliyun product instances (RDS, PolarDB, MongoDB) and their backups.
    pub fn aliyun_instances(&self) -> Vec<ProductInstance> {
        self.state().aliyun_instances.clone()
    }

    /// Injects `fault` into the next `times` requests matching `route` (and `action`, when
    /// given).
    pub fn inject(&self, route: Route, action: Option<&str>, fault: Fault, times: u32) {
        self.state().faults.push(FaultRule {
            route,
            action: action.map(str::to_owned),
            fault,
            remaining: times,
        });
    }

    /// Shifts the server clock (seconds; positive = server ahead of real time).
    pub fn set_clock_skew(&self, secs: i64) {
        self.state().skew_secs = secs;
    }

    /// Resets every download connection that is sending a body now (a load balancer restart,
    /// a network blip): their clients must ask again, with the links they have.
    pub fn sever_downloads(&self) {
        self.shared
            .severed
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Limits every download connection to `bytes_per_sec` (None: unlimited).
    pub fn set_bandwidth(&self, bytes_per_sec: Option<u64>) {
        self.state().bandwidth = bytes_per_sec;
    }

    /// Replaces the content of the object behind every link of `backup_id` (new version, new
    /// ETag), as if the backup had been re-exported.
    pub fn replace_objects(&self, key_contains: &str) {
        let mut st = self.state();
        for o in st.objects.values_mut() {
            if o.key.contains(key_contains) {
                *o = Arc::new(o.replaced());
            }
        }
    }

    /// Stores an object of `size` bytes under `key` (a path such as `aliyun/t1/file.csv`; the
    /// prefix `aliyun/`, `tencent/` or `huawei/` picks which storage's checksum headers it gets)
    /// and returns a download link valid for `ttl`.
    pub fn publish(&self, key: &str, size: u64, ttl: Duration) -> String {
        let mut st = self.state();
        let seed = st.next_id().wrapping_mul(0x9e37_79b9_7f4a_7c15);
        st.objects
            .insert(key.to_owned(), Arc::new(Object::new(key, size, seed)));
        drop(st);
        self.link(key, ttl)
    }

    /// A fresh link to an existing object, valid for `ttl` from the server's now.
    pub fn link(&self, key: &str, ttl: Duration) -> String {
        let st = self.state();
        let expires = st.now().unix_timestamp() + ttl.as_secs() as i64;
        format!(
            "http://127.0.0.1:{}/objects/{}?Expires={expires}&Signature={}",
            self.shared.port,
            cloud_sign::encode_path(key),
            storage::link_signature(key, expires)
        )
    }

    /// The object behind a download link key, for comparing downloaded bytes.
    pub fn object(&self, key: &str) -> Option<Object> {
        self.state().objects.get(key).map(|o| (**o).clone())
    }

    /// Every object the emulator has issued links for.
    pub fn objects(&self) -> Vec<Object> {
        let mut v: Vec<Object> = self
            .state()
            .objects
            .values()
            .map(|o| (**o).clone())
            .collect();
        v.sort_by(|a, b| a.key.cmp(&b.key));
        v
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state().log.clone()
    }

    /// The requests received so far on `route` (e.g. every object-storage download).
    pub fn requests_to(&self, route: Route) -> Vec<LoggedRequest> {
        let log = &self.state().log;
        log.iter().filter(|r| r.route == route).cloned().collect()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.state().log.clear();
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn route_of(req: &http::Request) -> (Route, String) {
    if let Some(a) = req.header("x-acs-action") {
        return (Route::Aliyun, a.to_owned());
    }
    if let Some(a) = req.header("x-tc-action") {
        return (Route::Tencent, a.to_owned());
    }
    if req.path.starts_with("/objects/") {
        return (Route::Storage, "GetObject".into());
    }
    if req.path == "/v3/projects" {
        return (Route::Iam, "KeystoneListProjects".into());
    }
    if req.path.ends_with("/backups/download-file") || req.path.ends_with("/backup-files") {
        return (Route::Huawei, "ShowBackupDownloadLink".into());
    }
    if req.path.ends_with("/backups") {
        return (Route::Huawei, "ListBackups".into());
    }
    (Route::Any, "Unknown".into())
}

async fn serve_connection(mut sock: tokio::net::TcpStream, shared: Arc<Shared>) {
    let mut buf = Vec::new();
    while let Some(req) = http::read_request(&mut sock, &mut buf).await {
        let (route, action) = route_of(&req);
        let (fault, bandwidth, date) = {
            let mut st = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            st.log.push(LoggedRequest {
                route,
                action: action.clone(),
                method: req.method.clone(),
                path: req.path.clone(),
                query: req.raw_query.clone(),
                headers: req.headers.clone(),
            });
            let fault = st.take_fault(route, &action);
            let date = httpdate::fmt_http_date(SystemTime::from(st.now()));
            (
                fault,
                st.bandwidth.filter(|_| route == Route::Storage),
                date,
            )
        };
        let severed = shared.severed.clone();
        let generation = severed.load(std::sync::atomic::Ordering::SeqCst);
        let mut plan = WritePlan {
            bandwidth,
            severed: (route == Route::Storage).then_some((severed, generation)),
            ..WritePlan::default()
        };
        let response = match fault {
            Some(Fault::ResetBeforeResponse) => {
                let _ = sock.set_zero_linger();
                return;
            }
            Some(Fault::Delay(d)) => {
                tokio::time::sleep(d).await;
                None
            }
            Some(Fault::Status(code)) => Some(handlers::vendor_error(route, code, None)),
            Some(Fault::Throttle) => Some(handlers::throttle(route)),
            Some(Fault::MalformedJson) => Some(Response::raw(
                200,
                "application/json",
                br#"{"RequestId": "fake-malformed", "Data": {"#.to_vec(),
            )),
            Some(
                Fault::ResetMidBody
                | Fault::TruncatedBody
                | Fault::CorruptBody
                | Fault::IgnoreRange,
            )
            | None => None,
        };
        let response = match response {
            Some(r) => r,
            None if route == Route::Storage => {
                // Checksums of big objects are computed outside the lock.
                let (object, now) = {
                    let st = shared.state.lock().unwrap_or_else(|e| e.into_inner());
                    let key = req.path.trim_start_matches("/objects/");
                    (st.objects.get(key).cloned(), st.now().unix_timestamp())
                };
                let mut req = req;
                if fault == Some(Fault::IgnoreRange) {
                    req.headers.retain(|(n, _)| n != "range");
                }
                storage::serve(&req, object, now, fault == Some(Fault::IgnoreRange))
            }
            None => {
                let mut st = shared.state.lock().unwrap_or_else(|e| e.into_inner());
                handlers::handle(&mut st, shared.port, route, &action, &req)
            }
        };
        if fault == Some(Fault::CorruptBody) {
            plan.corrupt_at = Some(match &response.body {
                http::Body::Bytes(b) => b.len() as u64 / 2,
                http::Body::Object { len, .. } => len / 2,
            });
        }
        if matches!(
            fault,
            Some(Fault::ResetMidBody) | Some(Fault::TruncatedBody)
        ) {
            let half = match &response.body {
                http::Body::Bytes(b) => b.len() as u64 / 2,
                http::Body::Object { len, .. } => len / 2,
            };
            if fault == Some(Fault::ResetMidBody) {
                plan.reset_after = Some(half);
            } else {
                plan.truncate_after = Some(half);
            }
        }
        if !http::write_response(&mut sock, response, &date, plan).await {
            return;
        }
    }
}

/// The README (the crates.io page): its examples are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
