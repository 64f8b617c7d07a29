//! Following HTTP/1.1 request framing on the raw byte stream (RFC 9112 §3,
//! §6, §7.1) to percent-encode, in request targets only, the bytes the
//! `http` crate refuses in a query (`"`, `<`, `>`, …) before hyper parses
//! them.
//!
//! Microsoft Entra ID's SCIM Validator sends
//! `GET /Users?filter=userName+eq+"dale.mohr%40romaguera.uk"`, and so does
//! `curl '…?filter=userName+eq+"x"'`: raw double quotes, which RFC 3986
//! §2.1 says must be percent-encoded. The `http` crate refuses them and
//! hyper would answer an empty `400` before any application code runs.
//! [`Framer`] rewrites them as `%22`, which is what the client meant.
//!
//! The state is a few integers and one header line of at most
//! [`MAX_HEADER_LINE`] bytes: nothing is buffered beyond that. Only the
//! query of a request line is rewritten, and only its first
//! `max_request_line` bytes; body bytes (by `Content-Length` or chunked
//! framing) pass untouched, so keep-alive and pipelined requests stay
//! intact. On anything this framer does not fully understand (conflicting
//! lengths, an unknown transfer coding, `CONNECT`, `Upgrade`, a malformed
//! chunk) it stops rewriting for the rest of the connection and passes
//! bytes through: hyper then sees exactly what the client sent, and
//! rejects what is malformed with a clean `400`.

/// The bytes percent-encoded in a query: those RFC 3986 §3.4 does not allow
/// and real clients send raw. `#` is left alone (it ends the target).
const ENCODE: &[u8] = b"\"<>\\^`{|}";

/// The longest header line (name and value) read for framing; a longer
/// `Content-Length`, `Transfer-Encoding` or `Upgrade` line stops rewriting.
pub(crate) const MAX_HEADER_LINE: usize = 256;

/// Where in the stream the framer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between requests (blank lines before a request line are allowed).
    Start,
    /// In the method token.
    Method,
    /// In the target, before `?`.
    Path,
    /// In the target's query: rewritten.
    Query,
    /// After the target (the version), to the end of the line.
    Version,
    /// In a header line (or the empty line ending the head).
    Header,
    /// In a body of known length: this many bytes left.
    Body(u64),
    /// In a chunk-size line (RFC 9112 §7.1), `digits` hex digits seen.
    ChunkSize { digits: u8 },
    /// In chunk extensions, to the end of the line.
    ChunkExt,
    /// In chunk data: this many bytes left.
    ChunkData(u64),
    /// After chunk data: expecting CR LF (`seen_cr` once CR was read).
    ChunkEnd { seen_cr: bool },
    /// In the trailer section, at the start of a line when `at_line_start`.
    Trailer { line_len: usize },
    /// Lost track: everything passes through untouched from here on.
    Opaque,
}

/// What a request's head says about its body.
#[derive(Debug, Default, Clone, Copy)]
struct Head {
    content_length: Option<u64>,
    /// A `Transfer-Encoding` header was seen.
    transfer_encoding: bool,
    /// Its last coding was `chunked`.
    chunked: bool,
    /// Something this framer does not follow (`CONNECT`, `Upgrade`,
    /// conflicting lengths).
    opaque: bool,
}

/// The request-framing state of one connection (see the module docs).
#[derive(Debug)]
pub(crate) struct Framer {
    state: State,
    /// Bytes of the current request line so far.
    line_len: usize,
    max_request_line: usize,
    /// The current header line (at most [`MAX_HEADER_LINE`] bytes).
    header: Vec<u8>,
    header_overflow: bool,
    /// The method so far (only `CONNECT` matters).
    method: [u8; 8],
    method_len: usize,
    head: Head,
    /// Chunk size being parsed.
    chunk: u64,
    /// Request heads completed on this connection.
    heads: u64,
}

impl Framer {
    /// A framer for a new connection, rewriting the first
    /// `max_request_line` bytes of each request line.
    pub(crate) fn new(max_request_line: usize) -> Self {
        Framer {
            state: State::Start,
            line_len: 0,
            max_request_line,
            header: Vec::new(),
            header_overflow: false,
            method: [0; 8],
            method_len: 0,
            head: Head::default(),
            chunk: 0,
            heads: 0,
        }
    }

    /// How many request heads were completed on this connection.
    pub(crate) fn heads_completed(&self) -> u64 {
        self.heads
    }

    /// Whether no byte of a next request has arrived (between requests).
    pub(crate) fn between_requests(&self) -> bool {
        self.state == State::Start
    }

    /// Whether a request head is being received.
    pub(crate) fn in_head(&self) -> bool {
        matches!(
            self.state,
            State::Method | State::Path | State::Query | State::Version | State::Header
        )
    }

    /// Whether the framer gave up following this connection.
    pub(crate) fn is_opaque(&self) -> bool {
        self.state == State::Opaque
    }

    /// Appends `input`, rewritten, to `out`. Only ever inserts bytes (a
    /// byte becomes `%XX`), so `out` grows by `input.len()` exactly when
    /// nothing was rewritten.
    pub(crate) fn process(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let mut i = 0;
        while i < input.len() {
            match self.state {
                State::Opaque => {
                    out.extend_from_slice(&input[i..]);
                    return;
                }
                State::Body(left) | State::ChunkData(left) => {
                    let n = usize::try_from(left)
                        .unwrap_or(usize::MAX)
                        .min(input.len() - i);
                    out.extend_from_slice(&input[i..i + n]);
                    i += n;
                    let left = left - n as u64;
                    self.state = match (self.state, left) {
                        (State::Body(_), 0) => State::Start,
                        (State::Body(_), l) => State::Body(l),
                        (_, 0) => State::ChunkEnd { seen_cr: false },
                        (_, l) => State::ChunkData(l),
                    };
                }
                _ => {
                    self.byte(input[i], out);
                    i += 1;
                }
            }
        }
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        match self.state {
            State::Start => {
                out.push(b);
                if b != b'\r' && b != b'\n' {
                    self.head = Head::default();
                    self.line_len = 1;
                    self.method_len = 0;
                    self.state = State::Method;
                    self.method_byte(b);
                }
            }
            State::Method => {
                out.push(b);
                self.line_len += 1;
                match b {
                    b' ' => {
                        if &self.method[..self.method_len.min(8)] == b"CONNECT" {
                            self.head.opaque = true;
                        }
                        self.state = State::Path;
                    }
                    b'\n' => self.state = State::Opaque,
                    _ => self.method_byte(b),
                }
            }
            State::Path | State::Query => {
                self.line_len += 1;
                let rewrite = self.state == State::Query && self.line_len <= self.max_request_line;
                match b {
                    b' ' => self.state = State::Version,
                    b'\n' => self.state = State::Opaque,
                    b'?' if self.state == State::Path => self.state = State::Query,
                    _ if rewrite && ENCODE.contains(&b) => {
                        const HEX: &[u8; 16] = b"0123456789ABCDEF";
                        out.extend_from_slice(&[
                            b'%',
                            HEX[usize::from(b >> 4)],
                            HEX[usize::from(b & 0xf)],
                        ]);
                        return;
                    }
                    _ => {}
                }
                out.push(b);
            }
            State::Version => {
                out.push(b);
                if b == b'\n' {
                    self.header.clear();
                    self.header_overflow = false;
                    self.state = State::Header;
                }
            }
            State::Header => {
                out.push(b);
                if b != b'\n' {
                    if self.header.len() < MAX_HEADER_LINE {
                        self.header.push(b);
                    } else {
                        self.header_overflow = true;
                    }
                    return;
                }
                let line = self.header.strip_suffix(b"\r").unwrap_or(&self.header);
                if line.is_empty() && !self.header_overflow {
                    self.end_of_head();
                } else {
                    self.header_line();
                    self.header.clear();
                    self.header_overflow = false;
                }
            }
            State::ChunkSize { digits } => {
                out.push(b);
                match b {
                    b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' if digits < 15 => {
                        let v = match b {
                            b'0'..=b'9' => b - b'0',
                            b'a'..=b'f' => b - b'a' + 10,
                            _ => b - b'A' + 10,
                        };
                        self.chunk = self.chunk << 4 | u64::from(v);
                        self.state = State::ChunkSize { digits: digits + 1 };
                    }
                    b';' | b' ' | b'\t' if digits > 0 => self.state = State::ChunkExt,
                    b'\r' if digits > 0 => self.state = State::ChunkExt,
                    b'\n' if digits > 0 => self.end_of_chunk_size(),
                    _ => self.state = State::Opaque,
                }
            }
            State::ChunkExt => {
                out.push(b);
                if b == b'\n' {
                    self.end_of_chunk_size();
                }
            }
            State::ChunkEnd { seen_cr } => {
                out.push(b);
                self.state = match (b, seen_cr) {
                    (b'\r', false) => State::ChunkEnd { seen_cr: true },
                    (b'\n', _) => State::ChunkSize { digits: 0 },
                    _ => State::Opaque,
                };
                if self.state == (State::ChunkSize { digits: 0 }) {
                    self.chunk = 0;
                }
            }
            State::Trailer { line_len } => {
                out.push(b);
                self.state = match b {
                    b'\n' if line_len == 0 => State::Start,
                    b'\n' => State::Trailer { line_len: 0 },
                    b'\r' => State::Trailer { line_len },
                    _ => State::Trailer {
                        line_len: line_len.saturating_add(1),
                    },
                };
            }
            State::Body(_) | State::ChunkData(_) | State::Opaque => out.push(b),
        }
    }

    fn method_byte(&mut self, b: u8) {
        if let Some(slot) = self.method.get_mut(self.method_len) {
            *slot = b;
        }
        self.method_len = self.method_len.saturating_add(1);
    }

    /// A complete header line (without its LF) in `self.header`.
    fn header_line(&mut self) {
        let line = self.header.strip_suffix(b"\r").unwrap_or(&self.header);
        if line.first().is_some_and(|&c| c == b' ' || c == b'\t') {
            // Obsolete line folding (RFC 9112 §5.2): hyper rejects it.
            self.head.opaque = true;
            return;
        }
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            // Not a header line: hyper rejects the request and closes.
            self.head.opaque = true;
            return;
        };
        let name = &line[..colon];
        let value = line[colon + 1..].trim_ascii();
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        if is("content-length") {
            let parsed = (!self.header_overflow
                && !value.is_empty()
                && value.iter().all(u8::is_ascii_digit))
            .then(|| std::str::from_utf8(value).ok()?.parse::<u64>().ok())
            .flatten();
            match (parsed, self.head.content_length) {
                (Some(n), None) => self.head.content_length = Some(n),
                (Some(n), Some(m)) if n == m => {}
                _ => self.head.opaque = true,
            }
        } else if is("transfer-encoding") {
            self.head.transfer_encoding = true;
            if self.header_overflow {
                self.head.opaque = true;
            } else if let Some(last) = value.rsplit(|&c| c == b',').next() {
                self.head.chunked = last.trim_ascii().eq_ignore_ascii_case(b"chunked");
            }
        } else if is("upgrade") {
            self.head.opaque = true;
        }
    }

    fn end_of_head(&mut self) {
        self.heads += 1;
        let h = self.head;
        self.state = if h.opaque || (h.transfer_encoding && h.content_length.is_some()) {
            State::Opaque
        } else if h.transfer_encoding {
            if h.chunked {
                self.chunk = 0;
                State::ChunkSize { digits: 0 }
            } else {
                State::Opaque
            }
        } else {
            match h.content_length {
                Some(0) | None => State::Start,
                Some(n) => State::Body(n),
            }
        };
        self.header.clear();
    }

    fn end_of_chunk_size(&mut self) {
        self.state = if self.chunk == 0 {
            State::Trailer { line_len: 0 }
        } else {
            State::ChunkData(self.chunk)
        };
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// Feeds `input` in pieces of every size from 1 to its length, and
    /// checks the output and whether the framer still follows the stream.
    fn check(input: &str, want: &str, opaque: bool) {
        for step in 1..=input.len().max(1) {
            let mut f = Framer::new(64);
            let mut out = Vec::new();
            for piece in input.as_bytes().chunks(step) {
                f.process(piece, &mut out);
            }
            assert_eq!(
                String::from_utf8_lossy(&out),
                want,
                "step {step}: {input:?}"
            );
            assert_eq!(f.is_opaque(), opaque, "step {step}: {input:?}");
        }
    }

    #[test]
    fn rewrites_request_targets_only() {
        let cases: &[(&str, &str, bool)] = &[
            // Entra's SCIM Validator.
            (
                "GET /Users?filter=userName+eq+\"dale.mohr%40romaguera.uk\" HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /Users?filter=userName+eq+%22dale.mohr%40romaguera.uk%22 HTTP/1.1\r\nHost: x\r\n\r\n",
                false,
            ),
            // Every byte of the set, in the query only; the path is hyper's.
            (
                "GET /a\"b?q=\"<>\\^`{|}# HTTP/1.1\r\n\r\n",
                "GET /a\"b?q=%22%3C%3E%5C%5E%60%7B%7C%7D# HTTP/1.1\r\n\r\n",
                false,
            ),
            // Headers are never rewritten.
            (
                "GET /?a=\" HTTP/1.1\r\nX-Q: \"?\"\r\n\r\n",
                "GET /?a=%22 HTTP/1.1\r\nX-Q: \"?\"\r\n\r\n",
                false,
            ),
            // A Content-Length body passes untouched, the next request line is rewritten.
            (
                "POST /?a=\" HTTP/1.1\r\nContent-Length: 11\r\n\r\nGET /?\" H\r\n\r\nGET /?\" HTTP/1.1\r\n\r\n",
                "POST /?a=%22 HTTP/1.1\r\nContent-Length: 11\r\n\r\nGET /?\" H\r\n\r\nGET /?%22 HTTP/1.1\r\n\r\n",
                false,
            ),
            // Chunked, with an extension and a trailer.
            (
                "POST / HTTP/1.1\r\ntransfer-encoding: gzip, Chunked\r\n\r\n5;x=y\r\n/?\" H\r\n0\r\nT: v\r\n\r\nGET /?\" HTTP/1.1\r\n\r\n",
                "POST / HTTP/1.1\r\ntransfer-encoding: gzip, Chunked\r\n\r\n5;x=y\r\n/?\" H\r\n0\r\nT: v\r\n\r\nGET /?%22 HTTP/1.1\r\n\r\n",
                false,
            ),
            // Leading blank lines and bare LF line ends (httparse accepts both).
            (
                "\r\n\nGET /?\" HTTP/1.1\nContent-Length: 1\n\n\"GET /?\" HTTP/1.1\n\n",
                "\r\n\nGET /?%22 HTTP/1.1\nContent-Length: 1\n\n\"GET /?%22 HTTP/1.1\n\n",
                false,
            ),
            // Beyond max_request_line (64 here) the line is left as sent.
            (
                "GET /?q=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" HTTP/1.1\r\n\r\nGET /?\" HTTP/1.1\r\n\r\n",
                "GET /?q=%22aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" HTTP/1.1\r\n\r\nGET /?%22 HTTP/1.1\r\n\r\n",
                false,
            ),
        ];
        for (input, want, opaque) in cases {
            check(input, want, *opaque);
        }
    }

    #[test]
    fn stops_rewriting_what_it_cannot_follow() {
        let cases: &[&str] = &[
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
            "CONNECT example.com:443 HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "POST / HTTP/1.1\r\nX: a\r\n Content-Length: 5\r\n\r\n",
            "GET /?\"\r\n",
        ];
        for input in cases {
            let mut f = Framer::new(64);
            let mut out = Vec::new();
            f.process(input.as_bytes(), &mut out);
            assert!(f.is_opaque(), "{input:?}");
            let mut tail = Vec::new();
            f.process(b"GET /?\" HTTP/1.1\r\n\r\n", &mut tail);
            assert_eq!(tail, b"GET /?\" HTTP/1.1\r\n\r\n", "{input:?}");
        }
    }

    #[test]
    fn knows_where_it_is() {
        let mut f = Framer::new(64);
        let mut out = Vec::new();
        assert!(f.between_requests() && !f.in_head());
        f.process(b"GET / HT", &mut out);
        assert!(f.in_head());
        f.process(b"TP/1.1\r\nContent-Length: 2\r\n\r\na", &mut out);
        assert!(!f.in_head() && !f.between_requests());
        f.process(b"b", &mut out);
        assert!(f.between_requests());
        // A long header line is not buffered.
        f.process(b"GET / HTTP/1.1\r\nX: ", &mut out);
        f.process(&[b'a'; 10_000], &mut out);
        assert!(f.header.len() <= MAX_HEADER_LINE);
        f.process(b"\r\n\r\n", &mut out);
        assert!(f.between_requests());
    }
}
