//! A raw HTTP/1.1 client for tests that must send what well-behaved
//! clients do not: partial heads, raw quotes, pipelined requests.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One parsed response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) body: String,
}

/// Reads `n` responses (each with a `Content-Length` body) from `s`, or
/// fewer if the connection closes or `within` passes.
pub(crate) async fn read_replies(s: &mut TcpStream, n: usize, within: Duration) -> Vec<Reply> {
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    while out.len() < n {
        if let Some(r) = parse(&mut buf) {
            out.push(r);
            continue;
        }
        let mut chunk = [0u8; 8192];
        match tokio::time::timeout_at(deadline, s.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(k)) => buf.extend_from_slice(&chunk[..k]),
        }
    }
    out
}

fn parse(buf: &mut Vec<u8>) -> Option<Reply> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let status = head.get(9..12)?.parse().ok()?;
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    if buf.len() < end + len {
        return None;
    }
    let body = String::from_utf8_lossy(&buf[end..end + len]).into_owned();
    buf.drain(..end + len);
    Some(Reply { status, head, body })
}

/// Sends `bytes` on a new connection and reads `n` responses.
pub(crate) async fn exchange(addr: &str, bytes: &[u8], n: usize) -> Vec<Reply> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    read_replies(&mut s, n, Duration::from_secs(5)).await
}

/// Whether the server closes `s` within `within` (a read sees EOF or an error).
pub(crate) async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut b = [0u8; 1024];
    loop {
        match tokio::time::timeout(within, s.read(&mut b)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}
