//! Mail delivery against a real SMTP server (mailin-embedded on a local port) and the file outbox: what arrives,
//! retries while the server is away, bounces, several workers at once, and draining on shutdown.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use minijinja::context;
use tandem::config::Config;
use tandem::db::StoreError;
use tandem::mail::render::render;
use tandem::mail::worker::{MailWorkers, WorkerSettings};
use tandem::mail::{self as store, MailKind, NewMail, OutboxRow};
use uuid::Uuid;

use crate::helpers::{eventually, TestApp};

use crate::smtp::SmtpServer;

/// Retries within a test's patience.
pub fn quick() -> WorkerSettings {
    WorkerSettings {
        first_retry: Duration::from_millis(100),
        max_retry: Duration::from_millis(400),
        idle_poll: Duration::from_millis(50),
        smtp_connect_timeout: Duration::from_secs(5),
        smtp_send_timeout: Duration::from_secs(5),
        ..WorkerSettings::default()
    }
}

pub fn smtp_config(app: &TestApp, port: u16) -> Config {
    Config { smtp_url: Some(SmtpServer::url(port)), ..(*app.state.config).clone() }
}

pub fn workers(app: &TestApp, config: &Config, n: usize, settings: WorkerSettings) -> MailWorkers {
    MailWorkers::start_with(app.state.pool.clone(), config, n, settings).expect("workers start")
}

pub fn notice(to: &str) -> NewMail {
    let content = render(
        "notice",
        context! {
            title => "Your profile is live",
            name => "Ada",
            message => "Employers in the network can now find you.",
            link => context! { url => "http://tandem.test/profile", label => "See your profile" },
        },
    )
    .expect("renders");
    NewMail::new(MailKind::Notice, to, content)
}

/// Queues a mail the way features do: inside a transaction of their own.
pub async fn enqueue(app: &TestApp, mail: NewMail) -> Uuid {
    let mut conn = app.state.pool.get().await.expect("conn");
    conn.transaction::<_, StoreError, _>(|conn| async move { store::enqueue(conn, mail).await }.scope_boxed())
        .await
        .expect("enqueued")
}

pub async fn row(app: &TestApp, id: Uuid) -> OutboxRow {
    let mut conn = app.state.pool.get().await.expect("conn");
    store::get(&mut conn, id).await.expect("row")
}

pub async fn status(app: &TestApp, id: Uuid) -> String {
    row(app, id).await.status
}

#[tokio::test]
async fn smtp_delivers_a_text_and_an_html_part_with_the_headers_and_a_message_id_from_the_row() {
    let app = TestApp::spawn().await;
    let server = SmtpServer::start();
    let config = smtp_config(&app, server.port);
    let mail = notice("ada@example.org")
        .with_header("List-Unsubscribe", "<http://tandem.test/api/v1/alerts/unsubscribe?token=abc>")
        .with_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    let id = enqueue(&app, mail).await;
    let mailer = workers(&app, &config, 1, quick());

    eventually("the mail to arrive", || async { server.received().len() == 1 }).await;
    let got = &server.received()[0];
    assert_eq!(got.from, "no-reply@localhost");
    assert_eq!(got.to, vec!["ada@example.org".to_owned()]);
    assert_eq!(got.header("Message-ID").as_deref(), Some(format!("<{id}@localhost>").as_str()));
    assert_eq!(got.header("Subject").as_deref(), Some("Your profile is live"));
    assert_eq!(got.header("From").as_deref(), Some("Tandem <no-reply@localhost>"));
    assert_eq!(got.header("To").as_deref(), Some("ada@example.org"));
    assert!(got.header("Date").is_some());
    assert_eq!(
        got.header("List-Unsubscribe").as_deref(),
        Some("<http://tandem.test/api/v1/alerts/unsubscribe?token=abc>")
    );
    assert_eq!(got.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    assert!(got.header("Content-Type").is_some_and(|v| v.starts_with("multipart/alternative")), "{}", got.data);
    let plain = got.data.find("Content-Type: text/plain").expect("a text part");
    let html = got.data.find("Content-Type: text/html").expect("an html part");
    assert!(plain < html, "the text part comes first, so clients that can prefer the html part");
    assert!(got.data.contains("Hello Ada,"), "{}", got.data);
    assert!(got.data.contains("<p>Hello Ada,</p>"), "{}", got.data);

    eventually("the row to be marked sent", || async { status(&app, id).await == "sent" }).await;
    let sent = row(&app, id).await;
    assert_eq!(sent.attempts, 1);
    assert!(sent.sent_at.is_some() && sent.last_error.is_none());
    mailer.shutdown().await;
}

#[tokio::test]
async fn mail_enqueued_in_a_transaction_that_rolls_back_is_never_sent() {
    let app = TestApp::spawn().await;
    let server = SmtpServer::start();
    let mailer = workers(&app, &smtp_config(&app, server.port), 1, quick());

    let mut conn = app.state.pool.get().await.expect("conn");
    let rolled_back = conn
        .transaction::<(), StoreError, _>(|conn| {
            async move {
                store::enqueue(conn, notice("rollback@example.org")).await?;
                Err(StoreError::NotFound) // the feature's own change failed after queueing its mail
            }
            .scope_boxed()
        })
        .await;
    assert!(rolled_back.is_err());
    let committed = enqueue(&app, notice("commit@example.org")).await;

    eventually("the committed mail", || async { server.received().len() == 1 }).await;
    assert_eq!(server.received()[0].to, vec!["commit@example.org".to_owned()]);
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_outbox").await, 1);
    // The SMTP server holds the mail a moment before the mailer hears its reply and marks the row.
    eventually("the committed row to be marked sent", || async { status(&app, committed).await == "sent" }).await;
    mailer.shutdown().await;
}

#[tokio::test]
async fn without_an_smtp_url_each_mail_is_written_as_an_eml_file_named_by_its_id() {
    let app = TestApp::spawn().await;
    let config = (*app.state.config).clone();
    assert!(config.smtp_url.is_none());
    let outbox = config.mail_outbox_dir.clone();
    let first = enqueue(&app, notice("ada@example.org")).await;
    let second = enqueue(&app, notice("bo@example.org").with_header("X-Tandem-Test", "yes")).await;
    let mailer = workers(&app, &config, 2, quick());

    for id in [first, second] {
        eventually("the row to be marked sent", || async { status(&app, id).await == "sent" }).await;
    }
    let mut names: Vec<String> = std::fs::read_dir(&outbox)
        .expect("the outbox directory exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected = vec![format!("{first}.eml"), format!("{second}.eml")];
    expected.sort();
    assert_eq!(names, expected, "one file per mail and no temporary files left");

    let eml = std::fs::read_to_string(outbox.join(format!("{second}.eml"))).expect("eml");
    assert!(eml.contains(&format!("Message-ID: <{second}@localhost>")), "{eml}");
    assert!(eml.contains("To: bo@example.org"), "{eml}");
    assert!(eml.contains("X-Tandem-Test: yes"), "{eml}");
    assert!(eml.contains("multipart/alternative") && eml.contains("text/plain") && eml.contains("text/html"));
    mailer.shutdown().await;
}

#[tokio::test]
async fn mail_queued_while_the_smtp_server_is_down_is_delivered_once_it_is_back() {
    let app = TestApp::spawn().await;
    let port = SmtpServer::free_port();
    let mailer = workers(&app, &smtp_config(&app, port), 2, quick());
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(enqueue(&app, notice(&format!("waiting{n}@example.org"))).await);
    }

    eventually("failed attempts to be recorded", || async {
        app.count(
            "SELECT count(*) AS n FROM mail_outbox WHERE status = 'pending' AND attempts >= 2 \
                   AND last_error IS NOT NULL",
        )
        .await
            == 3
    })
    .await;
    assert!(row(&app, ids[0]).await.last_error.is_some_and(|e| !e.is_empty()));

    let server = SmtpServer::start_on(port);
    eventually("every mail to arrive", || async {
        app.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent'").await == 3
    })
    .await;
    let received = server.received();
    assert_eq!(received.len(), 3, "each mail exactly once");
    for id in &ids {
        let sent = row(&app, *id).await;
        assert!(sent.last_error.is_none(), "the error is cleared once sent");
        let message_id = format!("<{id}@localhost>");
        assert_eq!(received.iter().filter(|m| m.header("Message-ID") == Some(message_id.clone())).count(), 1);
    }
    mailer.shutdown().await;
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_until_the_recipient_is_accepted() {
    let app = TestApp::spawn().await;
    let server = SmtpServer::start();
    server.defer("busy@example.org", 2);
    let id = enqueue(&app, notice("busy@example.org")).await;
    let mailer = workers(&app, &smtp_config(&app, server.port), 1, quick());

    eventually("the mail to be sent", || async { status(&app, id).await == "sent" }).await;
    assert_eq!(row(&app, id).await.attempts, 3);
    assert_eq!(server.received_for("busy@example.org").len(), 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_bounces").await, 0, "a 4xx is no bounce");
    mailer.shutdown().await;
}

#[tokio::test]
async fn mail_that_keeps_failing_is_given_up_after_its_queue_lifetime() {
    let app = TestApp::spawn().await;
    let port = SmtpServer::free_port();
    let settings = WorkerSettings { give_up_after: Duration::ZERO, ..quick() };
    let id = enqueue(&app, notice("late@example.org")).await;
    let mailer = workers(&app, &smtp_config(&app, port), 1, settings);

    eventually("the mail to be given up", || async { status(&app, id).await == "failed" }).await;
    let failed = row(&app, id).await;
    assert!(failed.last_error.as_deref().is_some_and(|e| e.starts_with("gave up after 1 attempts")), "{failed:?}");
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_bounces").await, 0);
    mailer.shutdown().await;
}

#[tokio::test]
async fn a_server_that_stops_answering_does_not_stall_the_workers() {
    let app = TestApp::spawn().await;
    // Accepts connections and never says a word: not even the greeting.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let held = Arc::new(Mutex::new(Vec::new()));
    let holder = held.clone();
    std::thread::spawn(move || {
        for stream in silent.incoming().flatten() {
            holder.lock().expect("held").push(stream);
        }
    });
    let settings = WorkerSettings { smtp_send_timeout: Duration::from_millis(300), ..quick() };
    let id = enqueue(&app, notice("patient@example.org")).await;
    let mailer = workers(&app, &smtp_config(&app, port), 1, settings);

    eventually("two timed-out attempts", || async { row(&app, id).await.attempts >= 2 }).await;
    let waiting = row(&app, id).await;
    assert_eq!(waiting.status, "pending");
    assert!(waiting.last_error.as_deref().is_some_and(|e| e.contains("did not finish")), "{waiting:?}");
    tokio::time::timeout(Duration::from_secs(10), mailer.shutdown()).await.expect("shutdown does not hang");
}

#[tokio::test]
async fn a_recipient_refused_for_good_is_marked_bouncing_and_later_mail_to_it_is_held() {
    let app = TestApp::spawn().await;
    let server = SmtpServer::start();
    server.refuse("gone@example.org");
    // Queued together, so one worker claims them in one batch.
    let first = enqueue(&app, notice("gone@example.org")).await;
    let queued_meanwhile = enqueue(&app, notice("gone@example.org")).await;
    let other = enqueue(&app, notice("here@example.org")).await;
    let mailer = workers(&app, &smtp_config(&app, server.port), 1, quick());

    eventually("the refusal to be recorded", || async { status(&app, first).await == "failed" }).await;
    let failed = row(&app, first).await;
    assert!(failed.last_error.as_deref().is_some_and(|e| e.contains("550")), "{failed:?}");
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_bounces WHERE address = 'gone@example.org'").await, 1);
    eventually("the other mail", || async { status(&app, other).await == "sent" }).await;
    assert_eq!(status(&app, queued_meanwhile).await, "held");

    // Later mail, whatever the case of the address, is held at once and never offered to the server.
    let later = enqueue(&app, notice("Gone@Example.org")).await;
    assert_eq!(status(&app, later).await, "held");
    let control = enqueue(&app, notice("here@example.org")).await;
    eventually("a later mail to another address", || async { status(&app, control).await == "sent" }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(status(&app, later).await, "held");
    assert_eq!(server.refusals("gone@example.org"), 1, "the address was tried once only");
    assert!(server.received().iter().all(|m| !m.to.iter().any(|to| to.eq_ignore_ascii_case("gone@example.org"))));
    assert_eq!(server.received_for("here@example.org").len(), 2);
    mailer.shutdown().await;
}

#[tokio::test]
async fn a_message_refused_for_its_content_fails_but_the_address_stays_usable() {
    let app = TestApp::spawn().await;
    let server = SmtpServer::start();
    server.reject_content_for("picky@example.org");
    let refused = enqueue(&app, notice("picky@example.org")).await;
    let mailer = workers(&app, &smtp_config(&app, server.port), 1, quick());

    eventually("the refusal to be recorded", || async { status(&app, refused).await == "failed" }).await;
    assert!(row(&app, refused).await.last_error.as_deref().is_some_and(|e| e.contains("554")));
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_bounces").await, 0);

    server.allow_content_for("picky@example.org");
    let later = enqueue(&app, notice("picky@example.org")).await;
    eventually("the later mail to be sent", || async { status(&app, later).await == "sent" }).await;
    assert_eq!(server.received_for("picky@example.org").len(), 1);
    mailer.shutdown().await;
}

#[tokio::test]
async fn workers_of_two_processes_racing_over_many_rows_deliver_each_exactly_once() {
    let app = TestApp::spawn().await;
    let server = SmtpServer::start();
    let config = smtp_config(&app, server.port);
    let total = 150;
    let mut ids = HashSet::new();
    for n in 0..total {
        ids.insert(enqueue(&app, notice(&format!("race{n}@example.org"))).await);
    }
    let small_batches = WorkerSettings { batch_size: 3, ..quick() };
    let one = workers(&app, &config, 2, small_batches.clone());
    let two = workers(&app, &config, 2, small_batches);

    eventually("every row to be sent", || async {
        app.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent'").await == total
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = server.received();
    assert_eq!(received.len(), ids.len(), "no mail sent twice");
    let message_ids: HashSet<String> = received.iter().filter_map(|m| m.header("Message-ID")).collect();
    let expected: HashSet<String> = ids.iter().map(|id| format!("<{id}@localhost>")).collect();
    assert_eq!(message_ids, expected);
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_outbox WHERE attempts <> 1").await, 0);
    one.shutdown().await;
    two.shutdown().await;
}

#[tokio::test]
async fn shutdown_finishes_the_mail_in_flight_and_the_rest_waits_for_the_next_start() {
    let app = TestApp::spawn().await;
    let server = SmtpServer::start();
    server.slow_down(Duration::from_millis(30));
    let config = smtp_config(&app, server.port);
    let total = 40;
    for n in 0..total {
        enqueue(&app, notice(&format!("drain{n}@example.org"))).await;
    }
    let mailer = workers(&app, &config, 2, WorkerSettings { batch_size: 5, ..quick() });
    eventually("sending to begin", || async { !server.received().is_empty() }).await;
    mailer.shutdown().await;

    let sent = app.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent'").await;
    let claimed_unsent =
        app.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'pending' AND attempts > 0").await;
    assert_eq!(claimed_unsent, 0, "every claimed mail was finished before shutdown returned");
    assert_eq!(usize::try_from(sent).expect("count"), server.received().len());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.received().len(), usize::try_from(sent).expect("count"), "nothing is sent after shutdown");
    assert!(sent < total, "shutdown stopped the workers before the queue was empty ({sent} sent)");

    let restarted = workers(&app, &config, 2, quick());
    eventually("the rest to be sent after a restart", || async {
        app.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent'").await == total
    })
    .await;
    assert_eq!(server.received().len(), usize::try_from(total).expect("count"));
    restarted.shutdown().await;
}

// `mail::bench` exists only with the `bench` feature (`.ci/run` runs this test with it).
#[cfg(feature = "bench")]
#[tokio::test]
async fn the_bench_hook_sends_through_the_pooled_and_the_unpooled_transport() {
    let server = SmtpServer::start();
    let comparison = tandem::mail::bench::compare_pooling(
        &SmtpServer::url(server.port),
        "Tandem <no-reply@tandem.test>",
        "bench@example.org",
        12,
        3,
    )
    .await
    .expect("both runs succeed");
    assert_eq!(comparison.messages, 12);
    assert!(comparison.pooled_per_second() > 0.0 && comparison.unpooled_per_second() > 0.0);
    let received = server.received();
    assert_eq!(received.len(), 24);
    let distinct: HashSet<_> = received.iter().filter_map(|m| m.header("Message-ID")).collect();
    assert_eq!(distinct.len(), 12, "each run sends the same twelve messages");
}

#[cfg(feature = "bench")]
#[tokio::test]
async fn the_delivery_bench_renders_queues_and_delivers_every_digest_through_the_workers() {
    let app = TestApp::spawn().await;
    let server = SmtpServer::start();
    let config = Config { mail_workers: 2, ..smtp_config(&app, server.port) };
    let timing = tandem::mail::bench::time_delivery(&app.state.pool, &config, 1_500).await.expect("delivered");
    assert_eq!((timing.mails, timing.workers), (1_500, 2));
    assert!(timing.per_second() > 0.0 && timing.queued <= timing.total);
    let received = server.received();
    assert_eq!(received.len(), 1_500, "every digest once");
    assert!(received[0].header("Subject").is_some_and(|s| s.contains("new jobs for")), "{:?}", received[0].data);
    assert!(received[0].header("List-Unsubscribe").is_some());
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent'").await, 1_500);
}
