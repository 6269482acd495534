//! The downloader's own HTTP/1.1 client for storage links.
//!
//! Storage downloads are one `GET` at a time per connection, large, and bound by how often the
//! receiving side wakes up: a reader that wakes for every few segments that arrive spends its
//! time (and, on a VM, inter-processor interrupts) being woken. This client owns its sockets so
//! that on Linux it can set `SO_RCVLOWAT` from what it knows about the response: the kernel then
//! wakes the reader only once a useful amount (at most 256 KiB, about 5 ms of data at the rate
//! seen so far) is queued, never more than the body still owes, so the last bytes are never kept
//! waiting. Measured in `docs/benchmarks.md`.
//!
//! HTTP is hyper's (`client::conn::http1`), TLS is rustls with the platform's verifier (as the
//! `reqwest` client elsewhere), connections are kept for the next range of the same host, and
//! redirects follow the downloader's rule (at most 5, never from https to http).

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HOST, HeaderMap, HeaderName, HeaderValue, LOCATION, USER_AGENT};
use reqwest::Url;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Any error of the network below a response.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The most a reader waits for in one wake-up.
const MAX_LOWAT: u64 = 256 * 1024;
/// Connection and TLS handshake limit (as the `reqwest` client's connect timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the response's headers may take once the request is sent.
const HEADERS_TIMEOUT: Duration = Duration::from_secs(60);
/// Idle connections kept for the next request.
const MAX_IDLE: usize = 64;

/// Why a request got no response.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A redirect the downloader does not follow.
    Refused(String),
    /// Connecting, TLS or HTTP failed (worth retrying).
    Network(BoxError),
}

/// The client: TLS settings and idle connections.
pub(crate) struct Direct {
    tls: tokio_rustls::TlsConnector,
    user_agent: HeaderValue,
    idle: Arc<Mutex<Vec<Idle>>>,
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct").finish_non_exhaustive()
    }
}

/// Scheme is https, host, port.
type Key = (bool, String, u16);

struct Idle {
    key: Key,
    send: SendRequest<Empty<Bytes>>,
    meter: Arc<Meter>,
}

impl Direct {
    /// A client trusting the platform's roots plus `extra_roots` (DER certificates).
    pub(crate) fn new(extra_roots: Vec<Vec<u8>>, user_agent: &str) -> Result<Self, BoxError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = if extra_roots.is_empty() {
            rustls_platform_verifier::Verifier::new(provider.clone())?
        } else {
            rustls_platform_verifier::Verifier::new_with_extra_roots(
                extra_roots
                    .into_iter()
                    .map(rustls::pki_types::CertificateDer::from),
                provider.clone(),
            )?
        };
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Direct {
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
            user_agent: HeaderValue::from_str(user_agent)?,
            idle: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// `GET url` with `headers`, following redirects by `verdict` (previous scheme, next
    /// scheme, hops so far).
    pub(crate) async fn get(
        &self,
        url: &str,
        headers: &[(HeaderName, HeaderValue)],
        verdict: fn(Option<&str>, &str, usize) -> Result<(), &'static str>,
    ) -> Result<Response, Failure> {
        let mut url = Url::parse(url).map_err(|e| Failure::Refused(format!("bad link: {e}")))?;
        let mut hops = 0;
        loop {
            // Not worth a retry: the scheme will not change.
            if !matches!(url.scheme(), "http" | "https") {
                return Err(Failure::Refused(format!(
                    "unsupported link scheme `{}` (only https and http)",
                    url.scheme()
                )));
            }
            let resp = self
                .get_once(&url, headers)
                .await
                .map_err(Failure::Network)?;
            if !matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
                return Ok(resp);
            }
            let Some(next) = resp
                .headers
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok())
            else {
                return Ok(resp);
            };
            verdict(Some(url.scheme()), next.scheme(), hops)
                .map_err(|why| Failure::Refused(why.to_owned()))?;
            hops += 1;
            url = next;
        }
    }

    async fn get_once(
        &self,
        url: &Url,
        headers: &[(HeaderName, HeaderValue)],
    ) -> Result<Response, BoxError> {
        let tls = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(format!("unsupported scheme {other}").into()),
        };
        let host = url.host_str().ok_or("the link has no host")?;
        let port = url.port_or_known_default().ok_or("the link has no port")?;
        let key: Key = (tls, host.to_owned(), port);
        let (mut send, meter) = match self.reuse(&key).await {
            Some(found) => found,
            None => self.connect(&key).await?,
        };
        let mut target = url.path().to_owned();
        if let Some(q) = url.query() {
            target.push('?');
            target.push_str(q);
        }
        let host_header = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        };
        let mut req = hyper::Request::get(target)
            .header(HOST, host_header)
            .header(USER_AGENT, self.user_agent.clone());
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let req = req.body(Empty::new())?;
        meter.begin();
        let resp = tokio::time::timeout(HEADERS_TIMEOUT, send.send_request(req))
            .await
            .map_err(|_| "no response headers within 60 s")??;
        let (parts, body) = resp.into_parts();
        if let Some(len) = parts
            .headers
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
        {
            meter.expect_body(len);
        }
        Ok(Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
            back: Some((Idle { key, send, meter }, Arc::downgrade(&self.idle))),
        })
    }

    /// An idle connection to `key` that is still usable.
    async fn reuse(&self, key: &Key) -> Option<(SendRequest<Empty<Bytes>>, Arc<Meter>)> {
        loop {
            let found = {
                let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                let i = idle.iter().rposition(|c| &c.key == key)?;
                idle.swap_remove(i)
            };
            let Idle {
                mut send, meter, ..
            } = found;
            // A connection finishing its last response becomes ready at once; one the server
            // closed fails here and is dropped.
            if let Ok(Ok(())) = tokio::time::timeout(Duration::from_secs(1), send.ready()).await {
                return Some((send, meter));
            }
        }
    }

    async fn connect(
        &self,
        key: &Key,
    ) -> Result<(SendRequest<Empty<Bytes>>, Arc<Meter>), BoxError> {
        let (tls, host, port) = key;
        // An IPv6 literal comes in brackets.
        let ip: Option<std::net::IpAddr> = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .parse()
            .ok();
        let tcp = match ip {
            Some(ip) => {
                tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((ip, *port))).await
            }
            None => {
                tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host.as_str(), *port)))
                    .await
            }
        }
        .map_err(|_| "connect timed out")??;
        tcp.set_nodelay(true)?;
        let mut meter = Meter::new();
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            use std::os::fd::AsFd;
            meter.socket = tcp.as_fd().try_clone_to_owned().ok();
        }
        let meter = Arc::new(meter);
        let io = Metered {
            tcp,
            meter: meter.clone(),
            lowat: 1,
        };
        let stream = if *tls {
            let name = match ip {
                Some(ip) => rustls::pki_types::ServerName::IpAddress(ip.into()),
                None => rustls::pki_types::ServerName::try_from(host.clone())?,
            };
            let tls = tokio::time::timeout(CONNECT_TIMEOUT, self.tls.connect(name, io))
                .await
                .map_err(|_| "TLS handshake timed out")??;
            Stream::Tls(Box::new(tls))
        } else {
            Stream::Plain(io)
        };
        let (send, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok((send, meter))
    }
}

/// A response whose body is read with [`Response::chunk`]; its connection goes back to the
/// idle list once the body has been read to the end.
pub(crate) struct Response {
    status: u16,
    headers: HeaderMap,
    body: hyper::body::Incoming,
    back: Option<(Idle, std::sync::Weak<Mutex<Vec<Idle>>>)>,
}

impl Response {
    pub(crate) fn status(&self) -> u16 {
        self.status
    }
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// Stops waiting for more than one byte at a time for the rest of this response: the
    /// low-water mark follows the rate measured so far, so when a fast response slows down,
    /// bytes can sit in the socket below the mark; before a stall is declared, the reader must
    /// see them. Returns whether the response was not relaxed already.
    pub(crate) fn relax(&self) -> bool {
        let Some((idle, _)) = &self.back else {
            return false;
        };
        if idle.meter.relaxed.swap(true, Ordering::Relaxed) {
            return false;
        }
        // The reader may be parked on the old mark: lowering it now wakes it (Linux signals
        // readiness when SO_RCVLOWAT is lowered below what is queued).
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Some(fd) = &idle.meter.socket {
            use std::os::fd::AsFd;
            set_rcvlowat(fd.as_fd(), 1);
        }
        true
    }

    /// The next piece of the body, `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, BoxError> {
        loop {
            match self.body.frame().await {
                None => {
                    if let Some((idle, list)) = self.back.take()
                        && let Some(list) = list.upgrade()
                    {
                        let mut list = list.lock().unwrap_or_else(|e| e.into_inner());
                        if list.len() >= MAX_IDLE {
                            list.remove(0);
                        }
                        list.push(idle);
                    }
                    return Ok(None);
                }
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data()
                        && !data.is_empty()
                    {
                        return Ok(Some(data));
                    }
                }
            }
        }
    }
}

/// What a connection's socket and its current response share.
#[derive(Debug)]
struct Meter {
    /// Bytes read from the socket so far (TLS records included).
    read: AtomicU64,
    /// Socket offset before which the current body certainly does not end; 0 when unknown.
    end: AtomicU64,
    /// `read` when the current request was sent.
    begun_at: AtomicU64,
    /// When the current request was sent, in nanoseconds since `origin`.
    begun_ns: AtomicU64,
    /// Wake for every byte for the rest of the current response (see [`Response::relax`]).
    relaxed: AtomicBool,
    /// The socket (a duplicate of its descriptor), so that a relaxed mark is set at once,
    /// while the connection's reader is still waiting.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    socket: Option<std::os::fd::OwnedFd>,
    origin: Instant,
}

impl Meter {
    fn new() -> Self {
        Meter {
            read: AtomicU64::new(0),
            end: AtomicU64::new(0),
            begun_at: AtomicU64::new(0),
            begun_ns: AtomicU64::new(0),
            relaxed: AtomicBool::new(false),
            #[cfg(any(target_os = "linux", target_os = "android"))]
            socket: None,
            origin: Instant::now(),
        }
    }

    /// A request is about to be sent: everything of the previous response has been read.
    fn begin(&self) {
        self.end.store(0, Ordering::Relaxed);
        self.relaxed.store(false, Ordering::Relaxed);
        self.begun_at
            .store(self.read.load(Ordering::Relaxed), Ordering::Relaxed);
        self.begun_ns
            .store(self.origin.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    /// The response announced a body of `len` bytes. Its status line, headers (and, with TLS,
    /// record overhead) come on top, so `begun_at + len` is a lower bound of where it ends.
    fn expect_body(&self, len: u64) {
        let at = self.begun_at.load(Ordering::Relaxed);
        self.end
            .store(at.saturating_add(len).max(1), Ordering::Relaxed);
    }

    /// How many bytes the reader should wait for before waking: 1 while nothing is known;
    /// otherwise about 5 ms of data at the rate of this response so far, at most 256 KiB, and
    /// never more than the body can still owe.
    fn low_water(&self) -> u64 {
        let end = self.end.load(Ordering::Relaxed);
        if end == 0 || self.relaxed.load(Ordering::Relaxed) {
            return 1;
        }
        let read = self.read.load(Ordering::Relaxed);
        let got = read - self.begun_at.load(Ordering::Relaxed).min(read);
        let ns = (self.origin.elapsed().as_nanos() as u64)
            .saturating_sub(self.begun_ns.load(Ordering::Relaxed))
            .max(1);
        // bytes per 5 ms = got / ns * 5e6
        let per_5ms = ((got as u128 * 5_000_000) / ns as u128).min(MAX_LOWAT as u128) as u64;
        per_5ms.min(end.saturating_sub(read)).clamp(1, MAX_LOWAT)
    }
}

/// The TCP socket, counting what is read and keeping `SO_RCVLOWAT` at the meter's advice.
struct Metered {
    tcp: TcpStream,
    meter: Arc<Meter>,
    /// The value set on the socket; 0 once setting it failed (then it is not tried again).
    lowat: u64,
}

impl AsyncRead for Metered {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let me = &mut *self;
        if me.lowat != 0 {
            let want = me.meter.low_water();
            // Lower at once (the body may be near its end); raise only by a quarter or more, to
            // keep the system calls few.
            if want < me.lowat || want > me.lowat + me.lowat / 4 {
                me.lowat = if set_rcvlowat(socket_of(&me.tcp), want) {
                    want
                } else {
                    0
                };
            }
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut me.tcp).poll_read(cx, buf);
        let n = (buf.filled().len() - before) as u64;
        me.meter.read.fetch_add(n, Ordering::Relaxed);
        polled
    }
}

impl AsyncWrite for Metered {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, data)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn socket_of(tcp: &TcpStream) -> std::os::fd::BorrowedFd<'_> {
    std::os::fd::AsFd::as_fd(tcp)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn socket_of(tcp: &TcpStream) -> &TcpStream {
    tcp
}

/// Sets `SO_RCVLOWAT`; false where that is not possible.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[allow(unsafe_code)]
fn set_rcvlowat(socket: std::os::fd::BorrowedFd<'_>, bytes: u64) -> bool {
    use std::os::fd::AsRawFd;
    let value: libc::c_int = bytes.min(libc::c_int::MAX as u64) as libc::c_int;
    // SAFETY: `socket` is an open socket for the duration of the call (borrowed), and the option value is a
    // live `c_int` whose size is passed along; setsockopt only reads it.
    let r = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVLOWAT,
            (&raw const value).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    r == 0
}

/// Elsewhere the reader wakes for whatever arrives.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn set_rcvlowat<T>(_: T, _: u64) -> bool {
    false
}

enum Stream {
    Plain(Metered),
    Tls(Box<tokio_rustls::client::TlsStream<Metered>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, data),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, data),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_water_is_one_until_the_body_length_is_known() {
        let m = Meter::new();
        m.begin();
        m.read.store(10_000_000, Ordering::Relaxed);
        assert_eq!(m.low_water(), 1);
    }

    #[test]
    fn low_water_never_exceeds_what_the_body_still_owes() {
        let m = Meter::new();
        m.read.store(1000, Ordering::Relaxed);
        m.begin();
        m.expect_body(10 << 20);
        // A fast response: 9.9 MiB in no time at all.
        m.read.store(1000 + (10 << 20) - 300, Ordering::Relaxed);
        assert_eq!(m.low_water(), 300);
        m.read.store(1000 + (10 << 20), Ordering::Relaxed);
        assert_eq!(m.low_water(), 1, "at the end the reader waits for nothing");
    }

    #[test]
    fn low_water_follows_the_rate_and_is_capped() {
        let m = Meter::new();
        m.begin();
        m.expect_body(1 << 40);
        // Nothing received yet: wake for anything.
        assert_eq!(m.low_water(), 1);
        // A huge amount at once: capped at 256 KiB.
        m.read.store(1 << 30, Ordering::Relaxed);
        assert_eq!(m.low_water(), MAX_LOWAT);
        // A slow response (100 bytes over at least this long): a few bytes at most.
        m.read.store(100, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(20));
        assert!(m.low_water() <= 25, "{}", m.low_water());
    }
}
