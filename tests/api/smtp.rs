//! A real SMTP server on a local port for the tests: records what it accepts, and can be told to refuse; and the
//! decoding of what it received.

use base64::Engine;
use mailin_embedded::{response, Action, Handler, Response, Server, SslConfig};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// A header field's value, unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(v) = value.as_mut() {
                    v.push_str(line);
                }
                continue;
            }
            if value.is_some() {
                break;
            }
            if let Some((n, v)) = line.split_once(':') {
                if n.eq_ignore_ascii_case(name) {
                    value = Some(v.trim().to_owned());
                }
            }
        }
        value
    }
}

#[derive(Default)]
struct Rules {
    /// Addresses refused at RCPT with a permanent 550.
    refused: HashSet<String>,
    /// Addresses refused at RCPT with 451, this many more times.
    deferred: HashMap<String, usize>,
    /// Addresses whose messages are refused after DATA with 554.
    rejected_content: HashSet<String>,
    /// RCPT commands refused with a 5xx, per address.
    refusals: HashMap<String, usize>,
    /// Time taken to accept each message.
    slowness: Duration,
}

#[derive(Clone)]
struct Sink {
    rules: Arc<Mutex<Rules>>,
    inbox: Arc<Mutex<Vec<Received>>>,
    current: Option<Received>,
}

impl Handler for Sink {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.current = Some(Received { from: from.to_owned(), to: Vec::new(), data: String::new() });
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let mut rules = self.rules.lock().expect("rules");
        if rules.refused.contains(to) {
            *rules.refusals.entry(to.to_owned()).or_default() += 1;
            return Response::custom(550, format!("5.1.1 <{to}>: Recipient address rejected: User unknown"));
        }
        if let Some(left) = rules.deferred.get_mut(to).filter(|left| **left > 0) {
            *left -= 1;
            return Response::custom(451, "4.3.0 Try again later".to_owned());
        }
        drop(rules);
        if let Some(current) = self.current.as_mut() {
            current.to.push(to.to_owned());
        }
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = self.current.as_mut() {
            current.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let Some(message) = self.current.take() else { return response::OK };
        let (slowness, rejected) = {
            let rules = self.rules.lock().expect("rules");
            (rules.slowness, message.to.iter().any(|to| rules.rejected_content.contains(to)))
        };
        std::thread::sleep(slowness);
        if rejected {
            let mut refusal = Response::custom(554, "5.7.1 Message rejected as spam".to_owned());
            // mailin stays in its DATA state after refusing a message (RFC 5321 ends the transaction there),
            // so the refusal closes the connection, as many real servers do.
            refusal.action = Action::Close;
            return refusal;
        }
        self.inbox.lock().expect("inbox").push(message);
        response::OK
    }
}

pub struct SmtpServer {
    pub port: u16,
    rules: Arc<Mutex<Rules>>,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    pub fn start() -> Self {
        Self::listen(TcpListener::bind("127.0.0.1:0").expect("bind"))
    }

    /// A port nothing listens on yet (until `start_on` it).
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
    }

    pub fn start_on(port: u16) -> Self {
        Self::listen(TcpListener::bind(("127.0.0.1", port)).expect("bind the reserved port"))
    }

    fn listen(listener: TcpListener) -> Self {
        let port = listener.local_addr().expect("addr").port();
        let rules = Arc::new(Mutex::new(Rules::default()));
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink { rules: rules.clone(), inbox: inbox.clone(), current: None };
        let mut server = Server::new(sink);
        server.with_name("sink.test").with_num_threads(64).with_tcp_listener(listener);
        server.with_ssl(SslConfig::None).expect("no tls");
        // The server has no way to stop; its thread ends with the test process.
        std::thread::spawn(move || {
            if let Err(e) = server.serve() {
                eprintln!("the test SMTP server stopped: {e}");
            }
        });
        Self { port, rules, inbox }
    }

    pub fn url(port: u16) -> String {
        format!("smtp://127.0.0.1:{port}")
    }

    pub fn refuse(&self, address: &str) {
        self.rules.lock().expect("rules").refused.insert(address.to_owned());
    }

    pub fn defer(&self, address: &str, times: usize) {
        self.rules.lock().expect("rules").deferred.insert(address.to_owned(), times);
    }

    pub fn reject_content_for(&self, address: &str) {
        self.rules.lock().expect("rules").rejected_content.insert(address.to_owned());
    }

    pub fn allow_content_for(&self, address: &str) {
        self.rules.lock().expect("rules").rejected_content.remove(address);
    }

    pub fn slow_down(&self, per_message: Duration) {
        self.rules.lock().expect("rules").slowness = per_message;
    }

    pub fn refusals(&self, address: &str) -> usize {
        self.rules.lock().expect("rules").refusals.get(address).copied().unwrap_or(0)
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().expect("inbox").clone()
    }

    pub fn received_for(&self, address: &str) -> Vec<Received> {
        self.received().into_iter().filter(|m| m.to.iter().any(|to| to == address)).collect()
    }
}

/// A received message's text and HTML parts, decoded.
pub fn parts(mail: &Received) -> (String, String) {
    let content_type = mail.header("Content-Type").expect("content type");
    let boundary = content_type.split("boundary=").nth(1).expect("multipart").trim_matches('"').to_owned();
    let (mut text, mut html) = (String::new(), String::new());
    for part in mail.data.split(&format!("--{boundary}")).skip(1) {
        let Some((head, body)) = part.split_once("\r\n\r\n") else { continue };
        let head = head.to_ascii_lowercase();
        let decoded = if head.contains("content-transfer-encoding: base64") {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).expect("base64"))
                .expect("utf-8")
        } else if head.contains("content-transfer-encoding: quoted-printable") {
            quoted_printable(body)
        } else {
            body.to_owned()
        };
        let decoded = decoded.replace("\r\n", "\n");
        if head.contains("content-type: text/plain") {
            text = decoded;
        } else if head.contains("content-type: text/html") {
            // minijinja escapes `/` in HTML; links read better with it back.
            html = decoded.replace("&#x2f;", "/");
        }
    }
    assert!(!text.is_empty() && !html.is_empty(), "both parts in {}", mail.data);
    (text, html)
}

/// Quoted-printable text (RFC 2045) decoded, soft line breaks joined.
pub fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8")
}
