//! Deterministic clock, sleep and randomness for tests: sleeping advances the manual clock
//! instantly and is recorded, so retry and waiter tests take no real time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::runtime::{BoxFuture, Clock, Random, Sleep};
use crate::transport::{BackendResponse, HttpBackend, PreparedRequest};

/// A clock that only moves when told to (or when [`InstantSleep`] sleeps on it).
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: SystemTime) -> Self {
        ManualClock(Arc::new(Mutex::new(start)))
    }
    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
    /// Sets the time.
    pub fn set(&self, to: SystemTime) {
        *self.0.lock().unwrap() = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// A sleep that returns at once, advances a [`ManualClock`] and records every duration.
#[derive(Debug, Clone)]
pub struct InstantSleep {
    clock: ManualClock,
    log: Arc<Mutex<Vec<Duration>>>,
}

impl InstantSleep {
    /// Sleeps advance `clock`.
    pub fn new(clock: ManualClock) -> Self {
        InstantSleep {
            clock,
            log: Arc::default(),
        }
    }
    /// Every duration slept so far.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.log.lock().unwrap().clone()
    }
}

impl Sleep for InstantSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.clock.advance(duration);
        self.log.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// Counting randomness: nonces `00..01`, `00..02`, ...; `unit()` always returns the configured
/// value (default 0.5).
#[derive(Debug, Clone)]
pub struct SequenceRandom {
    counter: Arc<AtomicU64>,
    unit: f64,
}

impl Default for SequenceRandom {
    fn default() -> Self {
        SequenceRandom {
            counter: Arc::default(),
            unit: 0.5,
        }
    }
}

impl SequenceRandom {
    /// Jitter draws always return `unit` (clamped to `[0, 1)`).
    pub fn with_unit(unit: f64) -> Self {
        SequenceRandom {
            counter: Arc::default(),
            unit: unit.clamp(0.0, 0.999_999),
        }
    }
}

impl Random for SequenceRandom {
    fn nonce(&self) -> String {
        format!("{:032x}", self.counter.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn unit(&self) -> f64 {
        self.unit
    }
}

/// An offline [`HttpBackend`]: records every signed request and answers from a queue of canned
/// responses (an empty queue answers `200 {}`). With a fixed clock and [`SequenceRandom`], the
/// recorded requests are deterministic: snapshot them with [`PreparedRequest::to_snapshot`].
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    queue: Arc<Mutex<std::collections::VecDeque<BackendResponse>>>,
    log: Arc<Mutex<Vec<PreparedRequest>>>,
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }
    /// Queues a response.
    pub fn push(&self, status: u16, headers: &[(&str, &str)], body: &str) {
        self.queue.lock().unwrap().push_back(BackendResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        });
    }
    /// Every request received so far.
    pub fn requests(&self) -> Vec<PreparedRequest> {
        self.log.lock().unwrap().clone()
    }
}

impl HttpBackend for Recorder {
    fn call(&self, request: PreparedRequest) -> BoxFuture<'static, BackendResponse> {
        self.log.lock().unwrap().push(request);
        let resp = self
            .queue
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(BackendResponse {
                status: 200,
                headers: Vec::new(),
                body: b"{}".to_vec(),
            });
        Box::pin(std::future::ready(resp))
    }
}

/// A client wired for offline tests: fixed clock at `start`, instant sleep, counting nonces, and
/// the given recorder instead of the network.
pub fn offline_client(start: std::time::SystemTime, recorder: &Recorder) -> crate::HttpClient {
    let clock = ManualClock::new(start);
    crate::HttpClient::builder()
        .clock(Arc::new(clock.clone()))
        .sleep(Arc::new(InstantSleep::new(clock)))
        .random(Arc::new(SequenceRandom::default()))
        .backend(Arc::new(recorder.clone()))
        .build()
        .expect("offline client")
}

/// A `tracing` subscriber that enables every level (TRACE included) and writes every span and
/// event, with all their fields, into one string: to assert what logs would show.
///
/// ```
/// let capture = cloud_http::testing::TraceCapture::new();
/// {
///     let _guard = capture.set_default();
///     tracing::trace!(secret_free = "yes", "hello");
/// }
/// assert!(capture.text().contains("hello"));
/// assert!(capture.text().contains("secret_free=\"yes\""));
/// ```
#[derive(Debug, Clone, Default)]
pub struct TraceCapture {
    text: Arc<Mutex<String>>,
    next_span: Arc<AtomicU64>,
}

impl TraceCapture {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes this the current thread's subscriber until the guard is dropped.
    pub fn set_default(&self) -> tracing::subscriber::DefaultGuard {
        tracing::subscriber::set_default(self.clone())
    }

    /// Everything captured so far: one line per span or event, `LEVEL target name field=value…`.
    pub fn text(&self) -> String {
        self.text.lock().unwrap().clone()
    }
}

struct CaptureFields<'a>(&'a mut String);

impl tracing::field::Visit for CaptureFields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl tracing::Subscriber for TraceCapture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = self.text.lock().unwrap();
        let meta = span.metadata();
        out.push_str(&format!(
            "{} {} span {}",
            meta.level(),
            meta.target(),
            meta.name()
        ));
        span.record(&mut CaptureFields(&mut out));
        out.push('\n');
        tracing::span::Id::from_u64(self.next_span.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut out = self.text.lock().unwrap();
        out.push_str("record");
        values.record(&mut CaptureFields(&mut out));
        out.push('\n');
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.text.lock().unwrap();
        let meta = event.metadata();
        out.push_str(&format!("{} {} event", meta.level(), meta.target()));
        event.record(&mut CaptureFields(&mut out));
        out.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[cfg(feature = "mock-server")]
pub use mock::{MockResponse, MockServer, RecordedRequest};

#[cfg(feature = "mock-server")]
mod mock {
    //! A scripted HTTP/1.1 server on `127.0.0.1` for transport and vendor-crate tests.

    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use crate::Endpoint;

    /// A request the server received.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecordedRequest {
        /// Method.
        pub method: String,
        /// Path without the query.
        pub path: String,
        /// The raw query string (after `?`), as sent.
        pub query: String,
        /// Headers, names lower-cased, in order.
        pub headers: Vec<(String, String)>,
        /// Body.
        pub body: Vec<u8>,
    }

    impl RecordedRequest {
        /// The first header of that (case-insensitive) name.
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    /// What the server does with the next request.
    #[derive(Debug, Clone)]
    pub enum MockResponse {
        /// Answer with a status, headers and body.
        Reply {
            /// HTTP status.
            status: u16,
            /// Extra headers.
            headers: Vec<(String, String)>,
            /// Body.
            body: Vec<u8>,
        },
        /// Wait, then do the inner thing.
        Delay(Duration, Box<MockResponse>),
        /// Close the connection after reading the request, without answering.
        Reset,
    }

    impl MockResponse {
        /// A JSON reply.
        pub fn json(status: u16, body: &str) -> Self {
            MockResponse::Reply {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.as_bytes().to_vec(),
            }
        }
        /// A plain-text reply.
        pub fn text(status: u16, body: &str) -> Self {
            MockResponse::Reply {
                status,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: body.as_bytes().to_vec(),
            }
        }
        /// Adds a header to a reply.
        pub fn with_header(mut self, name: &str, value: &str) -> Self {
            if let MockResponse::Reply { headers, .. } = &mut self {
                headers.push((name.into(), value.into()));
            }
            self
        }
    }

    #[derive(Default)]
    struct State {
        script: VecDeque<MockResponse>,
        log: Vec<RecordedRequest>,
    }

    /// The server; stops when dropped.
    pub struct MockServer {
        port: u16,
        state: Arc<Mutex<State>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for MockServer {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    impl MockServer {
        /// Starts on an ephemeral port. Unscripted requests get a 500 `{"mock":"unscripted"}`.
        pub async fn start() -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let port = listener.local_addr().expect("addr").port();
            let state: Arc<Mutex<State>> = Arc::default();
            let st = state.clone();
            let task = tokio::spawn(async move {
                while let Ok((sock, _)) = listener.accept().await {
                    let st = st.clone();
                    tokio::spawn(async move {
                        let _ = serve(sock, st).await;
                    });
                }
            });
            MockServer { port, state, task }
        }

        /// `http://127.0.0.1:<port>`.
        pub fn endpoint(&self) -> Endpoint {
            Endpoint::parse(&format!("http://127.0.0.1:{}", self.port)).expect("valid")
        }

        /// Queues a response.
        pub fn push(&self, r: MockResponse) {
            self.state.lock().unwrap().script.push_back(r);
        }

        /// Everything received so far.
        pub fn requests(&self) -> Vec<RecordedRequest> {
            self.state.lock().unwrap().log.clone()
        }
    }

    async fn serve(mut sock: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
        let mut buf = Vec::new();
        let mut tmp = [0u8; 8192];
        let head_end = loop {
            let n = sock.read(&mut tmp).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&tmp[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_owned();
        let target = first.next().unwrap_or("").to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = buf[head_end..].to_vec();
        while body.len() < len {
            let n = sock.read(&mut tmp).await?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&tmp[..n]);
        }
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_owned(), q.to_owned()),
            None => (target.clone(), String::new()),
        };
        let response = {
            let mut st = state.lock().unwrap();
            st.log.push(RecordedRequest {
                method,
                path,
                query,
                headers,
                body,
            });
            st.script
                .pop_front()
                .unwrap_or_else(|| MockResponse::json(500, r#"{"mock":"unscripted"}"#))
        };
        let mut response = response;
        loop {
            match response {
                MockResponse::Delay(d, inner) => {
                    tokio::time::sleep(d).await;
                    response = *inner;
                }
                MockResponse::Reset => return Ok(()),
                MockResponse::Reply {
                    status,
                    headers,
                    body,
                } => {
                    let mut out = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                        body.len()
                    );
                    for (n, v) in headers {
                        out.push_str(&format!("{n}: {v}\r\n"));
                    }
                    out.push_str("\r\n");
                    sock.write_all(out.as_bytes()).await?;
                    sock.write_all(&body).await?;
                    sock.shutdown().await?;
                    return Ok(());
                }
            }
        }
    }
}

/// Checks temporary credentials a fetcher returned: key id, secret, session token, expiry (Unix
/// seconds), and that `Debug` shows neither the secret nor the token.
pub fn assert_temporary(
    got: &crate::TemporaryCredentials,
    id: &str,
    secret: &str,
    token: &str,
    expires_unix: u64,
) {
    let c = &got.credentials;
    assert_eq!(c.access_key_id(), id);
    assert_eq!(c.secret().expose(), secret);
    assert_eq!(c.session_token().map(|t| t.expose()), Some(token));
    assert_eq!(
        got.expires_at,
        std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(expires_unix)
    );
    let shown = format!("{got:?}");
    assert!(!shown.contains(secret) && !shown.contains(token), "{shown}");
}
