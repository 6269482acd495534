//! A small hostile HTTP/1.1 server of the tests' own: every answer (status, headers, body, how
//! the body is sent: all at once, chunked without end, stalling, trickling) is chosen by the
//! test, per request, so the tests can play a lying API endpoint or object store.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path with its query.
    pub target: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of that (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    /// The `bytes=FIRST-LAST` (or `FIRST-`) range asked for.
    pub fn range(&self) -> Option<(u64, Option<u64>)> {
        let spec = self.header("range")?.strip_prefix("bytes=")?;
        let (a, b) = spec.split_once('-')?;
        Some((a.parse().ok()?, b.parse().ok()))
    }
}

/// How a body is sent.
#[derive(Debug, Clone)]
pub enum Body {
    /// These bytes, with a `Content-Length`.
    Bytes(Vec<u8>),
    /// These bytes, chunked (no length announced).
    Chunked(Vec<u8>),
    /// These bytes chunked, then the same pattern forever (chunked, never ending).
    Endless(Vec<u8>),
    /// These bytes (with the given `Content-Length`, which may be larger), then silence for
    /// the duration, then the connection is closed.
    Stall {
        /// Sent at once.
        first: Vec<u8>,
        /// Announced length.
        length: u64,
        /// Silence before closing.
        silence: Duration,
    },
    /// One byte every `every`, with the announced length of `bytes`.
    Trickle {
        /// The bytes.
        bytes: Vec<u8>,
        /// Delay between bytes.
        every: Duration,
    },
}

/// One answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers besides the framing ones.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Reply {
    /// A status with an empty body.
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Vec::new()),
        }
    }
    /// 200 with `body`.
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Reply::status(200).body(Body::Bytes(body.into()))
    }
    /// 200 with a JSON body.
    pub fn json(value: &serde_json::Value) -> Self {
        Reply::ok(value.to_string()).header("content-type", "application/json")
    }
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// Sets the body.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

/// An honest answer for `content`: 206 with the asked range (`Content-Range`), 416 when it
/// cannot be satisfied (`bytes */LEN`), 200 without a range; plus `headers` on every answer.
pub fn ranged(req: &Request, content: &[u8], headers: &[(&str, &str)]) -> Reply {
    let len = content.len() as u64;
    let mut reply = match req.range() {
        None => Reply::ok(content.to_vec()),
        Some((first, _)) if first >= len => {
            Reply::status(416).header("content-range", &format!("bytes */{len}"))
        }
        Some((first, last)) => {
            let last = last.unwrap_or(len - 1).min(len - 1);
            Reply::status(206)
                .header("content-range", &format!("bytes {first}-{last}/{len}"))
                .body(Body::Bytes(
                    content[first as usize..=last as usize].to_vec(),
                ))
        }
    };
    for (n, v) in headers {
        reply = reply.header(n, v);
    }
    reply
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// The running server (stops when dropped).
pub struct Hostile {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    requests: Arc<Mutex<Vec<Request>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Hostile {
    /// Serves every request with `handler`, on keep-alive connections.
    pub async fn serve(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (handler, log) = (handler.clone(), log.clone());
                tokio::spawn(async move {
                    let _ = connection(sock, handler, log).await;
                });
            }
        });
        Hostile {
            base,
            requests,
            task,
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn connection(
    mut sock: TcpStream,
    handler: Arc<Handler>,
    log: Arc<Mutex<Vec<Request>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        // Read one request head (and its body, by Content-Length).
        let (req, used) = loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut parsed = httparse::Request::new(&mut headers);
            if let Ok(httparse::Status::Complete(n)) = parsed.parse(&buf) {
                let req = Request {
                    method: parsed.method.unwrap_or("").to_owned(),
                    target: parsed.path.unwrap_or("").to_owned(),
                    headers: parsed
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_ascii_lowercase(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect(),
                    body: Vec::new(),
                };
                break (req, n);
            }
            let mut chunk = [0u8; 8192];
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let mut req = req;
        let len: usize = req
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < used + len {
            let mut chunk = [0u8; 8192];
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        req.body = buf[used..used + len].to_vec();
        buf.drain(..used + len);
        log.lock().unwrap().push(req.clone());
        let reply = handler(&req);
        let mut head = format!("HTTP/1.1 {} X\r\n", reply.status);
        for (n, v) in &reply.headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        match &reply.body {
            Body::Bytes(b) => head.push_str(&format!("content-length: {}\r\n", b.len())),
            Body::Stall { length, .. } => head.push_str(&format!("content-length: {length}\r\n")),
            Body::Trickle { bytes, .. } => {
                head.push_str(&format!("content-length: {}\r\n", bytes.len()))
            }
            Body::Chunked(_) | Body::Endless(_) => head.push_str("transfer-encoding: chunked\r\n"),
        }
        head.push_str("\r\n");
        sock.write_all(head.as_bytes()).await?;
        match reply.body {
            Body::Bytes(b) => sock.write_all(&b).await?,
            Body::Chunked(b) => {
                if !b.is_empty() {
                    sock.write_all(format!("{:x}\r\n", b.len()).as_bytes())
                        .await?;
                    sock.write_all(&b).await?;
                    sock.write_all(b"\r\n").await?;
                }
                sock.write_all(b"0\r\n\r\n").await?;
            }
            Body::Endless(pattern) => loop {
                sock.write_all(format!("{:x}\r\n", pattern.len()).as_bytes())
                    .await?;
                sock.write_all(&pattern).await?;
                sock.write_all(b"\r\n").await?;
            },
            Body::Stall { first, silence, .. } => {
                sock.write_all(&first).await?;
                sock.flush().await?;
                tokio::time::sleep(silence).await;
                return Ok(());
            }
            Body::Trickle { bytes, every } => {
                for b in bytes {
                    sock.write_all(&[b]).await?;
                    sock.flush().await?;
                    tokio::time::sleep(every).await;
                }
            }
        }
    }
}
