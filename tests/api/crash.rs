//! A crash in the middle of a large send: `tandem serve` as a process of its own, killed with SIGKILL while it
//! mails hundreds of alerts, then started again on the same database. Every mail arrives; a mail sent twice (the
//! SMTP server took it, the process died before recording that) arrives with the same Message-ID both times.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{TestApp, TEST_JWT_SECRET};
use crate::orgs::create_org;
use crate::smtp::{parts, SmtpServer};

/// Seekers with an instant alert besides the one made over HTTP: enough that a send takes seconds.
const SEEDED_SEEKERS: i64 = 299;
/// The sender's domain, which every Message-ID ends in.
const MAIL_DOMAIN: &str = "tandem.test";

/// `tandem serve` running as a child process; killed if the test ends without killing it.
struct Served {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Served {
    fn start(app: &TestApp, smtp_port: u16, dir: &Path, name: &str) -> Self {
        let port = SmtpServer::free_port();
        let log = dir.join(format!("{name}.log"));
        let stderr = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_tandem"))
            .arg("serve")
            // Away from the crate's directory, so that no `.env` there adds to the configuration.
            .current_dir(dir)
            .env("DATABASE_URL", app.database_url())
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            // Shared by both processes, as a restart on one machine would.
            .env("INDEX_DIR", dir.join("index"))
            .env("MAIL_OUTBOX_DIR", dir.join("mail"))
            .env("SMTP_URL", SmtpServer::url(smtp_port))
            .env("MAIL_FROM", format!("Tandem <no-reply@{MAIL_DOMAIN}>"))
            .env("MAIL_WORKERS", "4")
            // A claim's lease is about two send timeouts: short here, so the restart sends the dead workers' mail soon.
            .env("SMTP_TIMEOUT_SECS", "2")
            .env("JWT_SECRET", TEST_JWT_SECRET)
            .env("PUBLIC_BASE_URL", "http://tandem.test")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("tandem serve starts");
        Self { child, base: format!("http://127.0.0.1:{port}"), log }
    }

    async fn ready(&mut self, client: &reqwest::Client) {
        let url = format!("{}/healthz", self.base);
        let (url, log, child) = (&url, &self.log, &mut self.child);
        eventually("tandem serve to answer", log, || {
            let exited = child.try_wait().expect("child status");
            assert!(exited.is_none(), "tandem serve exited ({exited:?}): {}", read(log));
            async move { client.get(url).send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .await;
    }

    /// SIGKILL: no shutdown, no finishing the mail in flight.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// Waits up to 60 s for `check` to hold (two debug-built processes on a loaded machine), showing the server's log
/// if it never does.
async fn eventually<F, Fut>(what: &str, log: &Path, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}; server log:\n{}", read(log));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[derive(diesel::QueryableByName)]
struct Queued {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    recipient: String,
}

async fn outbox(app: &TestApp) -> Vec<Queued> {
    let mut conn = app.state.pool.get().await.expect("conn");
    diesel::sql_query("SELECT id, recipient FROM mail_outbox").load(&mut conn).await.expect("outbox")
}

#[tokio::test]
async fn a_server_killed_mid_send_delivers_every_mail_after_restart_and_repeats_carry_the_same_message_id() {
    let app = TestApp::spawn().await;
    let smtp = SmtpServer::start();
    // Slow enough that a send of hundreds takes seconds, so the kill lands in the middle of it.
    smtp.slow_down(Duration::from_millis(40));
    let employer = app.employer("Eva Employer").await;
    let org = create_org(&app, &employer, "Västra Pharma").await;
    let ada = app.seeker("Ada").await;
    let alert = json!({"name": "Cells", "query": {"skills": ["cell culture"]}, "match_profile": false,
                       "frequency": "instant"});
    let r = app.post("/api/v1/me/alerts", ada.t(), alert).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // Many more seekers with the same alert, written directly: registering each over HTTP would take minutes.
    let seeded = app
        .count(&format!(
            "WITH seekers AS (
                 INSERT INTO users (id, email, password_hash, display_name, role)
                 SELECT gen_random_uuid(), 'seeker-' || n || '@crash.test', 'not a hash', 'Seeker ' || n, 'seeker'
                 FROM generate_series(1, {SEEDED_SEEKERS}) n
                 RETURNING id),
             added AS (
                 INSERT INTO alerts (id, seeker_id, name, query, match_profile, frequency, kind)
                 SELECT gen_random_uuid(), s.id, a.name, a.query, a.match_profile, a.frequency, a.kind
                 FROM seekers s CROSS JOIN alerts a WHERE a.id = '{}'
                 RETURNING 1)
             SELECT count(*) AS n FROM added",
            r.uuid("id")
        ))
        .await;
    assert_eq!(seeded, SEEDED_SEEKERS);
    let total = usize::try_from(SEEDED_SEEKERS + 1).expect("count");

    let dir = tempfile::tempdir().expect("tempdir");
    let mut first = Served::start(&app, smtp.port, dir.path(), "first");
    first.ready(&app.client).await;
    let job = json!({
        "organization_id": org,
        "title": "Cell therapy scientist",
        "description": "Join our cell therapy manufacturing team.",
        "skills": [{"name": "cell culture", "required": true}],
        "location": {"city": "Göteborg", "country": "SE"},
        "remote": "hybrid",
        "employment_type": "permanent",
        "sector": "pharma",
        "languages": [{"code": "en", "level": "B2"}],
        "status": "published"
    });
    let posted =
        app.client.post(format!("{}/api/v1/jobs", first.base)).bearer_auth(&employer.token).json(&job).send().await;
    assert_eq!(posted.expect("job posted").status(), 201);

    eventually("some of the mails to arrive", &first.log, || async { smtp.received().len() >= 20 }).await;
    first.kill();
    let at_kill = smtp.received().len();
    assert!(at_kill < total, "the whole send finished before the kill ({at_kill} mails): nothing was tested");
    let queued = outbox(&app).await;
    assert_eq!(queued.len(), total, "one alert mail per seeker was queued before the kill");
    // The dead process's workers had claimed rows they will never send; their leases end on their own (about two
    // send timeouts), and the restarted server takes the rows up then.
    let mut second = Served::start(&app, smtp.port, dir.path(), "second");
    second.ready(&app.client).await;
    eventually("the restarted server to send every mail", &second.log, || async {
        app.count("SELECT count(*) AS n FROM mail_outbox WHERE status <> 'sent'").await == 0
    })
    .await;
    second.kill();

    let received = smtp.received();
    let mut by_recipient: HashMap<&str, Vec<String>> = HashMap::new();
    for mail in &received {
        assert_eq!(mail.to.len(), 1, "one recipient per alert mail");
        let message_id = mail.header("Message-ID").expect("a Message-ID");
        by_recipient.entry(mail.to[0].as_str()).or_default().push(message_id);
    }
    for row in &queued {
        let copies = by_recipient.get(row.recipient.as_str()).map(Vec::as_slice).unwrap_or_default();
        assert!(!copies.is_empty(), "the mail to {} never arrived", row.recipient);
        let expected = format!("<{}@{MAIL_DOMAIN}>", row.id);
        assert!(copies.iter().all(|id| *id == expected), "{}: {copies:?}, expected {expected}", row.recipient);
    }
    assert_eq!(by_recipient.len(), total, "no mail went to anyone else");
    let repeated = by_recipient.values().filter(|copies| copies.len() > 1).count();
    println!("{} mails received for {total} queued, {at_kill} before the kill; {repeated} sent twice", received.len());
    let ada_mails = smtp.received_for(&ada.email);
    let (text, _) = parts(&ada_mails[0]);
    assert!(text.contains("Cell therapy scientist"), "{text}");
}
