//! A small HTTP/1.1 server with keep-alive and full control over how (and whether) a response
//! is written, which the fault injection needs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::storage::Object;

/// A parsed request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub raw_query: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What to send back.
pub(crate) enum Body {
    Bytes(Vec<u8>),
    /// `len` bytes of `object` from `start`; with `head`, only the headers.
    Object {
        object: Arc<Object>,
        start: u64,
        len: u64,
    },
}

pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub head_only: bool,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Body::Bytes(value.to_string().into_bytes()),
            head_only: false,
        }
    }
    pub fn raw(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Body::Bytes(body),
            head_only: false,
        }
    }
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    fn len(&self) -> u64 {
        match &self.body {
            Body::Bytes(b) => b.len() as u64,
            Body::Object { len, .. } => *len,
        }
    }
}

/// How the writing of a response is disturbed.
#[derive(Debug, Clone, Default)]
pub(crate) struct WritePlan {
    /// Close the connection (with a reset) after this many body bytes.
    pub reset_after: Option<u64>,
    /// Send only this many body bytes, then close cleanly (the declared length is not met).
    pub truncate_after: Option<u64>,
    /// Bytes per second for this connection.
    pub bandwidth: Option<u64>,
    /// Flip the body byte at this offset.
    pub corrupt_at: Option<u64>,
    /// Reset the connection when this counter moves past the value it had at the start.
    pub severed: Option<(std::sync::Arc<std::sync::atomic::AtomicU64>, u64)>,
}

pub(crate) async fn read_request(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let mut tmp = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = sock.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    buf.drain(..head_end);
    while buf.len() < len {
        let n = sock.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    let body: Vec<u8> = buf.drain(..len).collect();
    let (path, raw_query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target, String::new()),
    };
    let query = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    Some(Request {
        method,
        path: decode(&path),
        raw_query,
        query,
        headers,
        body,
    })
}

pub(crate) fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Writes a response; returns false when the connection must be closed.
pub(crate) async fn write_response(
    sock: &mut TcpStream,
    resp: Response,
    date: &str,
    plan: WritePlan,
) -> bool {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    head.push_str(&format!(
        "content-length: {}\r\ndate: {date}\r\n",
        resp.len()
    ));
    for (n, v) in &resp.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    if sock.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    if resp.head_only {
        return true;
    }
    let limit = match (plan.reset_after, plan.truncate_after) {
        (Some(r), _) => Some(r),
        (None, Some(t)) => Some(t),
        _ => None,
    };
    let started = Instant::now();
    let mut sent: u64 = 0;
    let total = resp.len();
    let mut chunk = vec![0u8; 64 * 1024];
    while sent < total {
        let mut n = (total - sent).min(chunk.len() as u64);
        if let Some(l) = limit {
            n = n.min(l.saturating_sub(sent));
            if n == 0 {
                break;
            }
        }
        let n = n as usize;
        match &resp.body {
            Body::Bytes(b) => chunk[..n].copy_from_slice(&b[sent as usize..sent as usize + n]),
            Body::Object { object, start, .. } => object.fill(start + sent, &mut chunk[..n]),
        }
        if let Some(at) = plan.corrupt_at
            && (sent..sent + n as u64).contains(&at)
        {
            chunk[(at - sent) as usize] ^= 0xff;
        }
        if sock.write_all(&chunk[..n]).await.is_err() {
            return false;
        }
        sent += n as u64;
        if let Some((counter, at)) = &plan.severed
            && counter.load(std::sync::atomic::Ordering::SeqCst) != *at
        {
            let _ = sock.set_zero_linger();
            return false;
        }
        if let Some(bw) = plan.bandwidth {
            let due = Duration::from_secs_f64(sent as f64 / bw as f64);
            let elapsed = started.elapsed();
            if due > elapsed {
                tokio::time::sleep(due - elapsed).await;
            }
        }
    }
    if sent < total {
        if plan.reset_after.is_some() {
            let _ = sock.set_zero_linger();
        }
        let _ = sock.shutdown().await;
        return false;
    }
    true
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        412 => "Precondition Failed",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
