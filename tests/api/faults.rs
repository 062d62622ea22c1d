//! Faults: database connections killed mid-batch and mid-request, cancelled statements, collided transactions
//! and a whole PostgreSQL outage (through a proxy that can be cut) answer 503 and lose nothing.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{json, Value};
use tandem::alerts::{AlertSettings, AlertWorkers};
use tandem::app::Application;
use tandem::db::StoreError;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use uuid::Uuid;

use crate::helpers::{Account, Resp, TestApp};
use crate::orgs::create_org;

const INDEXER: &str = "tandem-indexer";
const MATCHER: &str = "tandem-alert-matcher";
const SETTLE: Duration = Duration::from_secs(20);

/// A connection of the test's own to the test database, beside the server's.
async fn direct(app: &TestApp) -> AsyncPgConnection {
    AsyncPgConnection::establish(&app.database_url()).await.expect("a direct connection")
}

#[derive(diesel::QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// How many sessions of this test's database wait for a lock: those named `who`, or with `who` = `requests`
/// the pool's unnamed sessions that serve requests.
async fn waiting(conn: &mut AsyncPgConnection, app: &TestApp, who: &str) -> i64 {
    diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity
         WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
           AND (application_name = $2 OR ($2 = 'requests' AND application_name NOT LIKE 'tandem-%'))",
    )
    .bind::<diesel::sql_types::Text, _>(&app.db_name)
    .bind::<diesel::sql_types::Text, _>(who)
    .get_result::<N>(conn)
    .await
    .expect("pg_stat_activity")
    .n
}

/// Calls `function` (`pg_terminate_backend` or `pg_cancel_backend`) on the sessions [`waiting`] counts.
async fn interrupt(conn: &mut AsyncPgConnection, app: &TestApp, who: &str, function: &str) -> i64 {
    diesel::sql_query(format!(
        "SELECT count({function}(pid)) AS n FROM pg_stat_activity
         WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
           AND (application_name = $2 OR ($2 = 'requests' AND application_name NOT LIKE 'tandem-%'))"
    ))
    .bind::<diesel::sql_types::Text, _>(&app.db_name)
    .bind::<diesel::sql_types::Text, _>(who)
    .get_result::<N>(conn)
    .await
    .expect("interrupt")
    .n
}

/// Holds `table` locked against every reader until dropped or released, so whoever reads it next stops there.
struct TableLock(AsyncPgConnection);

impl TableLock {
    async fn take(app: &TestApp, table: &str) -> Self {
        let mut conn = direct(app).await;
        conn.batch_execute(&format!("BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            .await
            .expect("lock the table");
        Self(conn)
    }

    async fn release(mut self) {
        self.0.batch_execute("ROLLBACK").await.expect("release the lock");
    }
}

/// Kills the sessions of `who` while they wait for the lock: the work they were doing is interrupted half-way.
async fn kill_while_waiting(app: &TestApp, who: &str, function: &str) {
    let mut watcher = direct(app).await;
    let started = Instant::now();
    while waiting(&mut watcher, app, who).await == 0 {
        assert!(started.elapsed() < SETTLE, "{who} never reached the locked table");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(interrupt(&mut watcher, app, who, function).await >= 1, "{who} interrupted");
}

/// Closes a job and queues its re-indexing in one transaction, without the API.
async fn close_job_directly(app: &TestApp, job: Uuid) {
    let mut conn = direct(app).await;
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            diesel::sql_query("UPDATE jobs SET status = 'closed' WHERE id = $1")
                .bind::<diesel::sql_types::Uuid, _>(job)
                .execute(conn)
                .await?;
            tandem::outbox::enqueue(conn, tandem::outbox::Entity::Job, job).await
        }
        .scope_boxed()
    })
    .await
    .expect("close the job");
}

fn profile(headline: &str, searchable: bool) -> Value {
    json!({
        "full_name": "Secret Name",
        "headline": headline,
        "summary": "Eight years at the bench.",
        "location": {"city": "Göteborg", "country": "SE"},
        "languages": [{"code": "en", "level": "C1"}],
        // By id, as a client that picked them from suggestions sends them.
        "skills": [{"skill_id": "ls-cell-culture"}, {"skill_id": "ls-gmp"}],
        "work_permit": "eu_eea_citizen",
        "searchable": searchable
    })
}

fn job(org: Uuid, title: &str) -> Value {
    json!({
        "organization_id": org,
        "title": title,
        "description": "Join our cell therapy manufacturing team in Gothenburg.",
        "skills": [{"skill_id": "ls-cell-culture", "required": true}],
        "location": {"city": "Göteborg", "country": "SE"},
        "remote": "hybrid",
        "employment_type": "permanent",
        "sector": "pharma",
        "languages": [{"code": "en", "level": "B2"}],
        "status": "published"
    })
}

fn ids(r: &Resp, field: &str) -> HashSet<Uuid> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i[field].as_str().expect("id").parse().expect("uuid"))
        .collect()
}

async fn uuids(app: &TestApp, sql: &str) -> HashSet<Uuid> {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    let rows: Vec<Id> = diesel::sql_query(sql).load(&mut direct(app).await).await.expect("ids");
    rows.into_iter().map(|r| r.id).collect()
}

/// What search finds is exactly what PostgreSQL says is searchable (profiles) and published (jobs).
async fn assert_search_equals_postgres(app: &TestApp, employer: &Account) {
    let caught_up = app.state.search.catch_up(&app.state.pool, SETTLE).await;
    let searchable = uuids(app, "SELECT candidate_id AS id FROM seeker_profiles WHERE searchable").await;
    let published = uuids(app, "SELECT id FROM jobs WHERE status = 'published'").await;
    assert_eq!(ids(&app.get("/api/v1/candidates?limit=100", employer.t()).await, "candidate_id"), searchable);
    assert_eq!(app.state.search.document_ids("candidate").expect("index"), searchable, "the index holds no one else");
    assert_eq!(ids(&app.get("/api/v1/jobs?limit=100", None).await, "id"), published);
    caught_up.expect("the index has applied every change");
}

#[tokio::test]
async fn changes_whose_batch_lost_its_connection_are_indexed_all_the_same() {
    let app = TestApp::spawn().await;
    let employer = app.employer("Eva").await;
    let org = create_org(&app, &employer, "Eva AB").await;
    let seeker = app.seeker("Sam").await;
    let r = app.put("/api/v1/me/profile", seeker.t(), profile("Hidden for now", false)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let candidate = r.uuid("candidate_id");
    let r = app.post("/api/v1/jobs", employer.t(), job(org, "Closing soon")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let closing = r.uuid("id");
    assert_search_equals_postgres(&app, &employer).await;

    // The indexer reads the batch, loads the profile, then stops at the job's organisation; there its connection
    // dies. (The job is closed as its owner's transaction would: the row and its outbox entry together, since the
    // API itself would wait on the locked table.)
    let lock = TableLock::take(&app, "organizations").await;
    let r = app.put("/api/v1/me/profile", seeker.t(), profile("Now open to offers", true)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    close_job_directly(&app, closing).await;
    kill_while_waiting(&app, INDEXER, "pg_terminate_backend").await;
    lock.release().await;

    assert_search_equals_postgres(&app, &employer).await;
    let found = ids(&app.get("/api/v1/candidates?q=offers", employer.t()).await, "candidate_id");
    assert_eq!(found, HashSet::from([candidate]), "the profile made searchable is found, with its new headline");
    let found = ids(&app.get("/api/v1/jobs?limit=100", None).await, "id");
    assert!(!found.contains(&closing), "the closed job is no longer listed");
}

#[tokio::test]
async fn the_alert_matcher_records_a_batch_whose_connection_died_exactly_once() {
    let app = TestApp::spawn().await;
    let matcher = AlertWorkers::start_with(
        &app.state,
        AlertSettings { poll: Duration::from_millis(100), scheduler: false, ..AlertSettings::default() },
    );
    let seeker = app.seeker("Ada").await;
    let alert = json!({"name": "Cells", "query": {"skills": ["ls-cell-culture"]}, "match_profile": false, "frequency": "instant"});
    let r = app.post("/api/v1/me/alerts", seeker.t(), alert).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let employer = app.employer("Eva").await;
    let org = create_org(&app, &employer, "Eva AB").await;
    app.alert_matcher_caught_up().await;

    // The matcher matches the job and stops, inside its recording transaction, at the matches table.
    let lock = TableLock::take(&app, "alert_matches").await;
    let r = app.post("/api/v1/jobs", employer.t(), job(org, "Cell culture lead")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let job_id = r.uuid("id");
    kill_while_waiting(&app, MATCHER, "pg_terminate_backend").await;
    lock.release().await;

    app.alert_matcher_caught_up().await;
    let matched = app.count(&format!("SELECT count(*) AS n FROM alert_matches WHERE job_id = '{job_id}'")).await;
    assert_eq!(matched, 1, "the job is matched to the alert once");
    let mails = app.count("SELECT count(*) AS n FROM mail_outbox WHERE kind = 'alert'").await;
    assert_eq!(mails, 1, "one instant mail, not none and not two");
    matcher.shutdown().await;
}

/// Sends a request that stops at the locked `skill_labels`, interrupts its session with `function`, and
/// returns the answer.
async fn interrupted_request(app: &TestApp, function: &str) -> Resp {
    let lock = TableLock::take(app, "skill_labels").await;
    let client = app.client.clone();
    let url = app.url("/api/v1/skills?q=cell");
    let request = tokio::spawn(async move { client.get(url).send().await.expect("sent") });
    kill_while_waiting(app, "requests", function).await;
    lock.release().await;
    let response = request.await.expect("request task");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Resp {
        status,
        content_type: headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned(),
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
        text,
    }
}

#[track_caller]
fn assert_unavailable(r: &Resp) {
    r.problem(503);
    let retry: u64 = r
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After in seconds on {}", r.text));
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
}

#[tokio::test]
async fn a_request_whose_connection_is_terminated_answers_503_and_the_next_one_is_served() {
    let app = TestApp::spawn().await;
    let r = interrupted_request(&app, "pg_terminate_backend").await;
    assert_unavailable(&r);
    // The dead connection went back to the pool and was thrown out there, not handed to the next request.
    for _ in 0..20 {
        let r = app.get("/api/v1/skills?q=cell", None).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
}

#[tokio::test]
async fn a_cancelled_statement_answers_503() {
    // A statement timeout (after 30 s) is the same condition as a cancel: SQLSTATE 57014.
    let app = TestApp::spawn().await;
    let r = interrupted_request(&app, "pg_cancel_backend").await;
    assert_unavailable(&r);
    assert_eq!(app.get("/api/v1/skills?q=cell", None).await.status, 200);
}

/// Runs a transaction that collides (SQLSTATE 40001, as a serializable transaction that lost a race) while
/// the sequence `tries` is at most `collide_until`; the sequence counts runs, since rollbacks do not undo it.
async fn run_colliding(conn: &mut AsyncPgConnection, collide_until: i64) -> Result<(), StoreError> {
    tandem::db::transaction::<_, StoreError, _>(conn, move |conn| {
        async move {
            conn.batch_execute(&format!(
                "DO $$ BEGIN IF nextval('tries') <= {collide_until} THEN
                     RAISE EXCEPTION USING ERRCODE = '40001',
                         MESSAGE = 'could not serialize access due to concurrent update';
                 END IF; END $$"
            ))
            .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

async fn tries(conn: &mut AsyncPgConnection) -> i64 {
    diesel::sql_query("SELECT last_value AS n FROM tries").get_result::<N>(conn).await.expect("tries").n
}

#[tokio::test]
async fn a_transaction_that_collides_runs_once_more_and_a_second_collision_is_unavailable() {
    let app = TestApp::spawn().await;
    let mut conn = direct(&app).await;
    conn.batch_execute("CREATE SEQUENCE tries").await.expect("sequence");
    run_colliding(&mut conn, 1).await.expect("the second run succeeds");
    assert_eq!(tries(&mut conn).await, 2, "one collision, one retry");
    let e = run_colliding(&mut conn, 4).await;
    assert!(matches!(e, Err(StoreError::Contended(_))), "{e:?}");
    assert_eq!(tries(&mut conn).await, 4, "retried once only");
    run_colliding(&mut conn, 0).await.expect("no collision");
    assert_eq!(tries(&mut conn).await, 5, "run once");
    let api: tandem::error::ApiError = StoreError::Contended("x".to_owned()).into();
    assert_eq!(actix_web::ResponseError::status_code(&api).as_u16(), 503);
}

/// A TCP proxy in front of PostgreSQL that can be cut (every connection closed, new ones hung up on at once)
/// and restored: a database outage for one server, without stopping the PostgreSQL other tests share.
struct Proxy {
    port: u16,
    cut: watch::Sender<bool>,
}

impl Proxy {
    async fn start(target: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy listens");
        let port = listener.local_addr().expect("address").port();
        let (cut, _) = watch::channel(false);
        let watch = cut.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *watch.borrow() {
                    drop(client);
                    continue;
                }
                tokio::spawn(forward(client, target, watch.subscribe()));
            }
        });
        Self { port, cut }
    }

    fn cut(&self) {
        self.cut.send_replace(true);
    }

    fn restore(&self) {
        self.cut.send_replace(false);
    }
}

/// Copies bytes both ways until either side closes or the proxy is cut.
async fn forward(mut client: TcpStream, target: &str, mut cut: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(target).await else { return };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cut.wait_for(|cut| *cut) => {}
    }
}

/// A second server on the test's database, reaching PostgreSQL through `proxy`, with an index of its own.
struct Proxied {
    server_state: tandem::state::AppState,
    base: String,
    client: reqwest::Client,
}

impl Proxied {
    async fn start(app: &TestApp, proxy: &Proxy) -> Self {
        let mut config = (*app.state.config).clone();
        config.database_url = app.database_url().replace("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port));
        assert_ne!(config.database_url, app.database_url(), "the tests' PostgreSQL is at 127.0.0.1:5432");
        config.index_dir = app.dir.path().join("proxied-index");
        let server = Application::build(config).await.expect("the proxied server builds");
        let base = format!("http://127.0.0.1:{}", server.port());
        let server_state = server.state.clone();
        tokio::spawn(server.run_until_stopped());
        Self { server_state, base, client: reqwest::Client::new() }
    }

    async fn send(&self, method: reqwest::Method, path: &str, who: &Account, body: Option<Value>) -> Resp {
        let mut request = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&who.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.timeout(Duration::from_secs(30)).send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Resp {
            status,
            content_type: headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
            text,
        }
    }

    async fn get(&self, path: &str, who: &Account) -> Resp {
        self.send(reqwest::Method::GET, path, who, None).await
    }

    async fn put_profile(&self, who: &Account, body: Value) -> Resp {
        self.send(reqwest::Method::PUT, "/api/v1/me/profile", who, Some(body)).await
    }

    async fn found(&self, employer: &Account, q: &str) -> HashSet<Uuid> {
        self.server_state.search.catch_up(&self.server_state.pool, SETTLE).await.expect("the index catches up");
        ids(&self.get(&format!("/api/v1/candidates?q={q}"), employer).await, "candidate_id")
    }
}

#[tokio::test]
async fn a_postgres_outage_answers_503_and_the_service_recovers_with_nothing_lost() {
    let app = TestApp::spawn().await;
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let server = Proxied::start(&app, &proxy).await;
    let employer = app.employer("Eva").await;
    create_org(&app, &employer, "Eva AB").await;
    let (before, after) = (app.seeker("Bea").await, app.seeker("Ari").await);

    let r = server.put_profile(&before, profile("Acknowledged before", true)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let acknowledged = r.uuid("candidate_id");
    proxy.cut();

    for _ in 0..3 {
        let asked = Instant::now();
        let r = server.get("/api/v1/me/profile", &before).await;
        assert_unavailable(&r);
        assert!(asked.elapsed() < Duration::from_secs(10), "answered in {:?}, not left hanging", asked.elapsed());
    }
    assert_unavailable(&server.put_profile(&before, profile("Refused during", true)).await);
    assert_unavailable(&server.get("/api/v1/candidates?q=acknowledged", &employer).await);

    proxy.restore();
    let restored = Instant::now();
    loop {
        let r = server.get("/api/v1/me/profile", &before).await;
        if r.status == 200 {
            assert_eq!(r.body["headline"], "Acknowledged before", "the change refused with 503 was not made");
            break;
        }
        assert_unavailable(&r);
        assert!(restored.elapsed() < Duration::from_secs(30), "recovered within 30 s of PostgreSQL's return");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    assert_eq!(server.found(&employer, "acknowledged").await, HashSet::from([acknowledged]));
    let r = server.put_profile(&after, profile("Saved after recovery", true)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(server.found(&employer, "recovery").await, HashSet::from([r.uuid("candidate_id")]));
}
