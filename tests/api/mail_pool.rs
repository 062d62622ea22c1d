//! The SMTP connection pool against servers that misbehave as real ones do: one that closes connections between
//! messages (as servers close idle clients), one that drops the line in the middle of a transaction, one that
//! stalls after the message, and a slow one under many sends. A scripted SMTP server on a local port.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tandem::mail::worker::WorkerSettings;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{eventually, TestApp};
use crate::mail::{enqueue, notice, quick, row, smtp_config, status, workers};

/// What the server does on one connection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    /// Answers everything.
    Serve,
    /// Takes one message, then closes the connection without a word.
    CloseAfterOneMessage,
    /// Closes the connection when the RCPT command arrives.
    DropAtRcpt,
    /// Reads the message but never answers the final dot, holding the connection open.
    StallAtDot,
}

#[derive(Default)]
struct Seen {
    connections: usize,
    open: usize,
    most_open: usize,
    /// (connection number, recipient) of every message accepted.
    received: Vec<(usize, String)>,
    /// Connections the client closed.
    closed_by_client: HashSet<usize>,
}

struct Scripted {
    port: u16,
    seen: Arc<Mutex<Seen>>,
}

impl Scripted {
    /// Connection `n` follows `scripts[n]`, later ones `Serve`; every accepted message takes `delay`.
    async fn start(scripts: Vec<Script>, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let n = {
                    let mut seen = shared.lock().expect("seen");
                    seen.connections += 1;
                    seen.open += 1;
                    seen.most_open = seen.most_open.max(seen.open);
                    seen.connections - 1
                };
                let script = scripts.get(n).copied().unwrap_or(Script::Serve);
                let seen = shared.clone();
                tokio::spawn(async move {
                    let _ = converse(stream, n, script, delay, &seen).await;
                    seen.lock().expect("seen").open -= 1;
                });
            }
        });
        Self { port, seen }
    }

    fn seen<T>(&self, read: impl FnOnce(&Seen) -> T) -> T {
        read(&self.seen.lock().expect("seen"))
    }
}

async fn converse(
    stream: TcpStream,
    n: usize,
    script: Script,
    delay: Duration,
    seen: &Mutex<Seen>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let closed = || seen.lock().expect("seen").closed_by_client.insert(n);
    write.write_all(b"220 scripted ESMTP\r\n").await?;
    let (mut line, mut recipient) = (String::new(), String::new());
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            closed();
            return Ok(());
        }
        match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
            "EHLO" => write.write_all(b"250-scripted\r\n250 8BITMIME\r\n").await?,
            "RCPT" if script == Script::DropAtRcpt => return Ok(()),
            "RCPT" => {
                recipient = line.trim_end().trim_start_matches("RCPT TO:").trim_matches(['<', '>']).to_owned();
                write.write_all(b"250 OK\r\n").await?;
            }
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        closed();
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                }
                if script == Script::StallAtDot {
                    while lines.read_line(&mut line).await.is_ok_and(|read| read > 0) {}
                    closed();
                    return Ok(());
                }
                tokio::time::sleep(delay).await;
                seen.lock().expect("seen").received.push((n, recipient.clone()));
                write.write_all(b"250 queued\r\n").await?;
                if script == Script::CloseAfterOneMessage {
                    return Ok(());
                }
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"250 OK\r\n").await?,
        }
    }
}

#[tokio::test]
async fn a_connection_the_server_closed_between_mails_is_replaced_and_the_next_mail_goes_out_at_once() {
    let app = TestApp::spawn().await;
    let server = Scripted::start(vec![Script::CloseAfterOneMessage; 4], Duration::ZERO).await;
    let mailer = workers(&app, &smtp_config(&app, server.port), 1, quick());

    let first = enqueue(&app, notice("first@example.org")).await;
    eventually("the first mail", || async { status(&app, first).await == "sent" }).await;
    // The pooled connection is closed by now; the next send finds out and takes a new one, without failing.
    let second = enqueue(&app, notice("second@example.org")).await;
    eventually("the second mail", || async { status(&app, second).await == "sent" }).await;
    let sent = row(&app, second).await;
    assert_eq!((sent.attempts, sent.last_error), (1, None), "sent at the first attempt, not after a retry");
    let received = server.seen(|s| s.received.clone());
    assert_eq!(received, vec![(0, "first@example.org".to_owned()), (1, "second@example.org".to_owned())]);
    mailer.shutdown().await;
}

#[tokio::test]
async fn a_line_dropped_in_the_middle_of_a_send_is_retried_on_a_new_connection_and_the_mail_arrives() {
    let app = TestApp::spawn().await;
    let server = Scripted::start(vec![Script::DropAtRcpt], Duration::ZERO).await;
    let id = enqueue(&app, notice("dropped@example.org")).await;
    let mailer = workers(&app, &smtp_config(&app, server.port), 1, quick());

    eventually("the mail to be sent", || async { status(&app, id).await == "sent" }).await;
    assert_eq!(row(&app, id).await.attempts, 2, "the dropped attempt, then the one that arrived");
    assert_eq!(server.seen(|s| s.received.clone()), vec![(1, "dropped@example.org".to_owned())]);
    mailer.shutdown().await;
}

#[tokio::test]
async fn a_server_that_stalls_after_the_message_never_gets_that_connection_used_again() {
    let app = TestApp::spawn().await;
    let server = Scripted::start(vec![Script::StallAtDot], Duration::ZERO).await;
    let settings = WorkerSettings { smtp_send_timeout: Duration::from_millis(300), ..quick() };
    let stalled = enqueue(&app, notice("stalled@example.org")).await;
    let mailer = workers(&app, &smtp_config(&app, server.port), 1, settings);

    eventually("the stalled mail to be sent on retry", || async { status(&app, stalled).await == "sent" }).await;
    let sent = row(&app, stalled).await;
    assert_eq!(sent.attempts, 2);
    assert!(server.seen(|s| s.closed_by_client.contains(&0)), "the stalled connection was closed, not pooled");
    let later = enqueue(&app, notice("later@example.org")).await;
    eventually("a later mail", || async { status(&app, later).await == "sent" }).await;
    let received = server.seen(|s| s.received.clone());
    assert_eq!(received, vec![(1, "stalled@example.org".to_owned()), (1, "later@example.org".to_owned())]);
    assert_eq!(server.seen(|s| s.connections), 2, "the later mail reused the sound connection");
    mailer.shutdown().await;
}

#[tokio::test]
async fn many_mails_to_a_slow_server_go_out_side_by_side_within_the_pools_bound() {
    let app = TestApp::spawn().await;
    let server = Scripted::start(Vec::new(), Duration::from_millis(20)).await;
    let total = 120;
    for n in 0..total {
        enqueue(&app, notice(&format!("many{n}@example.org"))).await;
    }
    let settings = WorkerSettings { concurrency: 3, batch_size: 20, ..quick() };
    let mailer = workers(&app, &smtp_config(&app, server.port), 2, settings);

    eventually("every mail to be sent", || async {
        app.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent'").await == total
    })
    .await;
    let (received, most_open) = server.seen(|s| (s.received.len(), s.most_open));
    assert_eq!(received, 120, "each mail once");
    assert!(most_open <= 6, "2 workers with 3 sends each hold at most 6 connections, not {most_open}");
    assert!(most_open >= 3, "sends went side by side ({most_open} connections at most)");
    mailer.shutdown().await;
    eventually("the pool to close its connections", || async { server.seen(|s| s.open) == 0 }).await;
}
