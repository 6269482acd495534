//! The downloader's own HTTP/1.1 client against a small server of this file's own, plain or
//! TLS (a test CA in `fixtures/tls`): TLS with an extra root, connection reuse across ranges,
//! redirects (relative ones followed, https → http refused) and bodies whose end arrives late
//! (the receive low-water mark must never keep the last bytes waiting).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use backup_core::download::{
    DownloadError, DownloadOptions, DownloadReport, Downloader, Parallelism,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

const CA: &[u8] = include_bytes!("fixtures/tls/ca.der");
const CERT: &[u8] = include_bytes!("fixtures/tls/localhost.der");
const KEY: &[u8] = include_bytes!("fixtures/tls/localhost.key.der");

fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[derive(Clone, Copy)]
struct Behaviour {
    /// Answer `Range` requests with 206.
    ranges: bool,
    /// Send all but the last 10 bytes, wait 300 ms, then send those.
    late_tail: bool,
}

/// Ranges answered, everything sent at once.
const RANGES: Behaviour = Behaviour {
    ranges: true,
    late_tail: false,
};

struct Server {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

/// Serves `/file` (`body`), `/hop` (302 to `/file`), `/to-http` (302 to an http link) and
/// `/missing` (404 with a storage error code) over
/// keep-alive connections, with TLS when `tls`.
async fn serve(body: Vec<u8>, tls: bool, how: Behaviour) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let acceptor = tls.then(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![CERT.to_vec().into()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(KEY.to_vec().into()),
            )
            .unwrap();
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    });
    let body = Arc::new(body);
    let (conns, reqs) = (connections.clone(), requests.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            conns.fetch_add(1, Ordering::SeqCst);
            let (body, reqs, acceptor) = (body.clone(), reqs.clone(), acceptor.clone());
            tokio::spawn(async move {
                match acceptor {
                    Some(a) => {
                        if let Ok(s) = a.accept(tcp).await {
                            let _ = handle(s, &body, port, &reqs, how).await;
                        }
                    }
                    None => {
                        let _ = handle(tcp, &body, port, &reqs, how).await;
                    }
                }
            });
        }
    });
    Server {
        port,
        connections,
        requests,
    }
}

async fn handle<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    body: &[u8],
    port: u16,
    requests: &AtomicUsize,
    how: Behaviour,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut more = [0u8; 4096];
            let n = s.read(&mut more).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&more[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        buf.drain(..head_end);
        requests.fetch_add(1, Ordering::SeqCst);
        let path = head.split(' ').nth(1).unwrap_or("").to_owned();
        let range = head
            .lines()
            .find_map(|l| l.strip_prefix("range: ").or(l.strip_prefix("Range: ")))
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| {
                let (a, b) = r.split_once('-')?;
                let a: usize = a.parse().ok()?;
                let b: usize = b.parse().unwrap_or(body.len() - 1);
                Some((a, b.min(body.len() - 1)))
            });
        match path.as_str() {
            "/hop" => {
                s.write_all(b"HTTP/1.1 302 Found\r\nlocation: /file\r\ncontent-length: 0\r\n\r\n")
                    .await?;
            }
            "/missing" => {
                let xml = "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>";
                let r = format!(
                    "HTTP/1.1 404 Not Found\r\ncontent-length: {}\r\n\r\n{xml}",
                    xml.len()
                );
                s.write_all(r.as_bytes()).await?;
            }
            "/to-http" => {
                let r = format!(
                    "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{port}/file\r\ncontent-length: 0\r\n\r\n"
                );
                s.write_all(r.as_bytes()).await?;
            }
            _ => {
                let (status, part, extra) = match range {
                    Some((a, b)) if how.ranges => (
                        "206 Partial Content",
                        &body[a..=b],
                        format!("content-range: bytes {a}-{b}/{}\r\n", body.len()),
                    ),
                    _ => ("200 OK", body, String::new()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\netag: \"v1\"\r\n{extra}\r\n",
                    part.len()
                );
                s.write_all(head.as_bytes()).await?;
                if how.late_tail && part.len() > 10 {
                    s.write_all(&part[..part.len() - 10]).await?;
                    s.flush().await?;
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    s.write_all(&part[part.len() - 10..]).await?;
                } else {
                    s.write_all(part).await?;
                }
            }
        }
        s.flush().await?;
    }
}

/// Our client, trusting the test CA.
fn trusting() -> Downloader {
    Downloader::with_extra_roots(vec![CA.to_vec()]).unwrap()
}

/// Downloads `url` into a fresh directory (kept alive by the returned guard).
async fn fetch(
    downloader: &Downloader,
    url: &str,
    opts: &DownloadOptions,
) -> (
    tempfile::TempDir,
    PathBuf,
    Result<DownloadReport, DownloadError>,
) {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f.bin");
    let result = downloader.download(url, &dest, opts, None, &|_| {}).await;
    (dir, dest, result)
}

#[tokio::test]
async fn tls_with_an_extra_root_downloads_ranges_over_reused_connections() {
    let body = content(1 << 20);
    let server = serve(body.clone(), true, RANGES).await;
    let opts = DownloadOptions {
        connections: 2,
        parallelism: Parallelism::Fixed,
        chunk_size: 64 * 1024,
        ..DownloadOptions::default()
    };
    let url = format!("https://localhost:{}/file", server.port);
    let (_dir, dest, report) = fetch(&trusting(), &url, &opts).await;
    let report = report.unwrap();
    assert!(report.ranged);
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    // A probe and one request per half, plus one per split (a connection that finished
    // first takes over half of what the other has left).
    let requests = server.requests.load(Ordering::SeqCst);
    assert_eq!(requests, 3 + report.splits as usize);
    // The probe's connection is reused; a span cut by a split closes its connection.
    let conns = server.connections.load(Ordering::SeqCst);
    assert!(
        conns < requests && conns <= 2 + report.splits as usize,
        "{conns} connections for {requests} requests"
    );
}

#[tokio::test]
async fn a_private_ca_is_not_trusted_without_the_extra_root() {
    let server = serve(content(1000), true, RANGES).await;
    let url = format!("https://localhost:{}/file", server.port);
    let platform_only = Downloader::with_extra_roots(Vec::new()).unwrap();
    let (_dir, dest, result) = fetch(&platform_only, &url, &DownloadOptions::default()).await;
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::Network {
                cause: backup_core::cloud_http::NetworkCause::TlsUnknownCa,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("unknown CA"), "{err}");
    // Not retried: an untrusted certificate stays untrusted.
    assert!(
        matches!(err, DownloadError::Network { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(!dest.exists());
}

#[tokio::test]
async fn a_refused_connection_is_named_as_such() {
    // Nothing listens there (the TLS causes: the unknown-CA test above, and unit tests of
    // cloud_http::network_cause for a name mismatch and an expired certificate).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/file");
    let (_dir, _, result) = fetch(&trusting(), &url, &DownloadOptions::default()).await;
    let err = result.unwrap_err();
    assert!(err.to_string().ends_with("connection refused"), "{err}");
}

#[tokio::test]
async fn a_redirect_from_https_to_http_is_refused() {
    let server = serve(content(1000), true, RANGES).await;
    let url = format!("https://localhost:{}/to-http", server.port);
    let (_dir, dest, result) = fetch(&trusting(), &url, &DownloadOptions::default()).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, DownloadError::Refused(why) if why.contains("https to http")),
        "{err:?}"
    );
    assert!(!dest.exists());
    // Only the redirect itself was requested: the http link was never fetched.
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_relative_redirect_is_followed() {
    let body = content(200_000);
    let server = serve(body.clone(), false, RANGES).await;
    let url = format!("http://127.0.0.1:{}/hop", server.port);
    let (_dir, dest, result) = fetch(&trusting(), &url, &DownloadOptions::default()).await;
    result.unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), body);
}

/// A body whose last bytes come late: the reader must wake for them although far fewer than
/// its usual low-water mark remain. Without ranges a stall is an error (not a retry), and the
/// idle limit is far below what a stuck read would take.
#[tokio::test]
async fn the_last_bytes_of_a_body_are_never_kept_waiting() {
    let late = Behaviour {
        ranges: false,
        late_tail: true,
    };
    for tls in [false, true] {
        let body = content(3 << 20);
        let server = serve(body.clone(), tls, late).await;
        let scheme = if tls { "https" } else { "http" };
        let url = format!("{scheme}://localhost:{}/file", server.port);
        let opts = DownloadOptions {
            idle_timeout: Duration::from_secs(2),
            ..DownloadOptions::default()
        };
        let (_dir, dest, result) = fetch(&trusting(), &url, &opts).await;
        let report = result.unwrap_or_else(|e| panic!("{scheme}: {e}"));
        assert!(!report.ranged);
        assert_eq!(std::fs::read(&dest).unwrap(), body, "{scheme}");
    }
}

/// Both transports: ours, and a caller's `reqwest` client (`Downloader::with_client`, also what
/// a proxy in the environment selects).
fn downloaders() -> Vec<(&'static str, Downloader)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    vec![
        ("direct", Downloader::new().unwrap()),
        (
            "reqwest",
            Downloader::with_client(reqwest::Client::builder().build().unwrap()),
        ),
    ]
}

#[tokio::test]
async fn both_transports_download_ranges_and_whole_bodies() {
    for ranges in [true, false] {
        let body = content(700_000);
        let how = Behaviour {
            ranges,
            late_tail: false,
        };
        let server = serve(body.clone(), false, how).await;
        for (name, downloader) in downloaders() {
            let opts = DownloadOptions {
                connections: 3,
                chunk_size: 64 * 1024,
                ..DownloadOptions::default()
            };
            let url = format!("http://127.0.0.1:{}/file", server.port);
            let (_dir, dest, result) = fetch(&downloader, &url, &opts).await;
            let report = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(report.ranged, ranges, "{name}");
            assert_eq!(std::fs::read(&dest).unwrap(), body, "{name}");
        }
    }
}

#[tokio::test]
async fn both_transports_report_the_storage_error_code() {
    let server = serve(content(10), false, RANGES).await;
    for (name, downloader) in downloaders() {
        let url = format!("http://127.0.0.1:{}/missing", server.port);
        let (_dir, _, result) = fetch(&downloader, &url, &DownloadOptions::default()).await;
        let err = result.unwrap_err();
        assert!(
            matches!(&err, DownloadError::Status { status: 404, detail: Some(d), .. } if d == "NoSuchKey: gone"),
            "{name}: {err:?}"
        );
    }
}

#[tokio::test]
async fn links_that_cannot_work_are_refused_at_once() {
    for url in [
        "ftp://127.0.0.1/file",
        "http://[bad/file",
        "file:///etc/passwd",
    ] {
        let (_dir, dest, result) = fetch(&trusting(), url, &DownloadOptions::default()).await;
        let err = result.unwrap_err();
        assert!(matches!(err, DownloadError::Refused(_)), "{url}: {err:?}");
        assert!(!dest.exists());
    }
}
