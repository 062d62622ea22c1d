//! Matching jobs to alerts as they become visible: a second consumer of the change feed ([`crate::outbox`]), with
//! its own stored position ([`CURSOR`]). It runs on a thread of its own with a current-thread runtime and a small
//! pool of its own, like the search indexer, because the percolator's load, searches and commits are blocking
//! tantivy work that must not hold up the shared runtime's request handling. Each batch of job changes is matched, and the new (alert, job) pairs, the instant mails that
//! report them and the new position are written in one transaction, so a crash repeats a batch at worst, and the
//! pairs' primary key keeps a repeat from mailing anything twice.
//!
//! [`match_job`] is the matching itself, callable on its own (a benchmark times it).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
use tokio::sync::watch;
use uuid::Uuid;

use super::criteria::{is_visible, profile_fit, JobFacts};
use super::email::{AlertMailer, Listed, Recipient};
use super::model::{AlertKind, AlertQuery, AlertSkill, Commute, Frequency};
use super::percolator::Percolator;
use super::store::{self, Delivered, NewMatch, Subscription, PENDING};
use super::{AlertError, MatcherStatus};
use crate::config::Config;
use crate::db::{self, DbConn, DbPool, MayRetry, StoreError};
use crate::jobs::model::JobView;
use crate::outbox::{Batch, Consumer, Cursor, Entity};

/// Outbox rows read per batch at most.
const BATCH: i64 = 500;
/// Where the matcher's position is stored.
pub const CURSOR: Cursor = Cursor::named("alerts");
/// Connections in the matcher's own pool: it uses one at a time.
const POOL_SIZE: usize = 1;
/// Saved searches loaded into the percolator per query at start.
const LOAD_CHUNK: i64 = 10_000;
/// How far back new alerts are looked for on each refresh: longer than any transaction that creates one takes
/// to commit, so none is missed however late it commits.
const CREATION_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// An alert a job satisfies, with its owner and why it matched.
#[derive(Clone, Debug)]
pub struct AlertMatch {
    pub subscription: Subscription,
    pub frequency: Frequency,
    pub query: Option<AlertQuery>,
    pub matched_skills: Vec<AlertSkill>,
    /// For a partner commute alert: how near the job is to the talent's employer.
    pub commute: Option<Commute>,
}

impl AlertMatch {
    /// The row that records this match of `job_id`, pending until a mail carries it.
    pub fn pending(&self, job_id: Uuid) -> NewMatch {
        NewMatch {
            alert_id: self.subscription.alert.id,
            job_id,
            matched_skills: serde_json::to_value(&self.matched_skills).unwrap_or_default(),
            status: PENDING,
            commute: self.commute.as_ref().and_then(|c| serde_json::to_value(c).ok()),
        }
    }
}

/// What matching one job found.
#[derive(Debug, Default)]
pub struct Matched {
    pub matches: Vec<AlertMatch>,
    /// Searches the percolator still held whose alerts have been deleted; the caller forgets them.
    pub gone: Vec<Uuid>,
}

/// Finds every alert the job satisfies: saved searches through the percolator, profile-only alerts through the
/// job's skills in `profile_skills`; then tests each exactly.
pub async fn match_job(
    conn: &mut AsyncPgConnection,
    percolator: &Percolator,
    job: &JobFacts,
) -> Result<Matched, AlertError> {
    let searches = percolator.candidates(job)?;
    let skill_ids = job.skill_ids();
    let mut profile_skills: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for (alert_id, skill_id) in store::profile_alert_skills(conn, &skill_ids).await? {
        profile_skills.entry(alert_id).or_default().insert(skill_id);
    }
    let ids: Vec<Uuid> =
        searches.iter().chain(profile_skills.keys()).copied().collect::<HashSet<_>>().into_iter().collect();
    let subscriptions = store::subscriptions(conn, &ids).await?;
    let found: HashSet<Uuid> = subscriptions.iter().map(|s| s.alert.id).collect();
    let gone = searches.iter().filter(|id| !found.contains(id)).copied().collect();

    // Saved searches that also follow the profile need the profile's skills among the job's.
    let both: Vec<Uuid> = subscriptions
        .iter()
        .filter(|s| s.alert.match_profile && s.alert.query.is_some())
        .map(|s| s.alert.seeker_id)
        .collect();
    let mut seeker_skills: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for (seeker_id, skill_id) in store::profile_skills_among(conn, &both, &skill_ids).await? {
        seeker_skills.entry(seeker_id).or_default().insert(skill_id);
    }

    let mut matches = Vec::new();
    for subscription in subscriptions {
        let alert = &subscription.alert;
        let profile = match alert.query {
            Some(_) => seeker_skills.get(&alert.seeker_id),
            None => profile_skills.get(&alert.id),
        };
        if let Some(found) = test(percolator, &subscription, profile, job)? {
            matches.push(found.with(subscription));
        }
    }
    Ok(Matched { matches, gone })
}

/// What an alert matched with, before its subscription is attached.
struct Found {
    frequency: Frequency,
    query: Option<AlertQuery>,
    matched_skills: Vec<AlertSkill>,
}

impl Found {
    fn with(self, subscription: Subscription) -> AlertMatch {
        AlertMatch {
            subscription,
            frequency: self.frequency,
            query: self.query,
            matched_skills: self.matched_skills,
            commute: None,
        }
    }
}

/// Tests one alert exactly; `profile` holds the owner's skills among the job's.
fn test(
    percolator: &Percolator,
    subscription: &Subscription,
    profile: Option<&HashSet<String>>,
    job: &JobFacts,
) -> Result<Option<Found>, AlertError> {
    let alert = &subscription.alert;
    let corrupt = |what: String| AlertError::Corrupt(alert.id, what);
    let frequency =
        Frequency::parse(&alert.frequency).ok_or_else(|| corrupt(format!("frequency {}", alert.frequency)))?;
    let query: Option<AlertQuery> =
        alert.query.clone().map(serde_json::from_value).transpose().map_err(|e| corrupt(e.to_string()))?;
    let mut matched = Vec::new();
    if let Some(query) = &query {
        let words = query.q.as_deref().map(|q| percolator.analyzers().words(q)).unwrap_or_default();
        let Some(skills) = query.test(&words, job) else { return Ok(None) };
        matched = skills;
    }
    if alert.match_profile {
        let held: HashSet<&str> = profile.map(|p| p.iter().map(String::as_str).collect()).unwrap_or_default();
        let Some(skills) = profile_fit(job, &held) else { return Ok(None) };
        for skill in skills {
            if !matched.contains(&skill) {
                matched.push(skill);
            }
        }
    }
    Ok(Some(Found { frequency, query, matched_skills: matched }))
}

/// Loads every saved search into the percolator. Returns the database time it started at: alerts created from
/// then on are picked up by [`Refresher`].
pub async fn load_percolator(
    conn: &mut AsyncPgConnection,
    percolator: &Percolator,
) -> Result<DateTime<Utc>, AlertError> {
    let started = store::db_now(conn).await?;
    let mut after = None;
    loop {
        let chunk = store::queries_after(conn, after, LOAD_CHUNK).await?;
        let Some((last, _)) = chunk.last() else { break };
        after = Some(*last);
        for (id, query) in chunk {
            match serde_json::from_value::<AlertQuery>(query) {
                Ok(query) => percolator.upsert(id, &query)?,
                Err(e) => tracing::warn!(alert = %id, error = %e, "skipping an unreadable saved search"),
            }
        }
    }
    percolator.commit()?;
    Ok(started)
}

/// Keeps the percolator in step with alerts created since it was loaded (alerts never change; deleted ones are
/// forgotten when matching finds them gone).
struct Refresher {
    since: DateTime<Utc>,
    /// Alerts added by recent refreshes, so the overlapping margin does not add them again.
    recent: HashMap<Uuid, DateTime<Utc>>,
}

impl Refresher {
    async fn refresh(&mut self, conn: &mut AsyncPgConnection, percolator: &Percolator) -> Result<(), AlertError> {
        let now = store::db_now(conn).await?;
        let since = self.since - CREATION_MARGIN;
        let mut added = false;
        for (id, query, created_at) in store::queries_created_since(conn, since).await? {
            if self.recent.contains_key(&id) {
                continue;
            }
            match serde_json::from_value::<AlertQuery>(query) {
                Ok(query) => percolator.upsert(id, &query)?,
                Err(e) => tracing::warn!(alert = %id, error = %e, "skipping an unreadable saved search"),
            }
            self.recent.insert(id, created_at);
            added = true;
        }
        self.recent.retain(|_, created_at| *created_at >= since);
        self.since = now;
        if added {
            percolator.commit()?;
        }
        Ok(())
    }
}

/// The outcome for one changed job: the alerts it satisfies now (none if it is hidden or gone).
struct JobOutcome {
    job_id: Uuid,
    job: Option<JobView>,
    matches: Vec<AlertMatch>,
}

/// The matcher's session as `pg_stat_activity` shows it.
const APPLICATION_NAME: &str = "SET application_name = 'tandem-alert-matcher'";

/// The matcher: polls the change feed, matches, records.
pub struct Matcher {
    database_url: String,
    /// The matcher's own pool, made on its thread so its connections are driven by the matcher's runtime.
    pool: Option<DbPool>,
    /// A connection of its own, named (see [`APPLICATION_NAME`]); let go for good after a failure.
    conn: Option<DbConn>,
    mailer: AlertMailer,
    percolator: Option<Arc<Percolator>>,
    refresher: Option<Refresher>,
    feed: Option<Consumer>,
    poll: Duration,
    /// The partner commute radius, in km.
    commute_km: f64,
    /// Test hook: a blocking pause inside the percolator load (see `Config::percolator_load_pause`).
    load_pause: Option<Duration>,
    status: Arc<MatcherStatus>,
}

/// Runs the matcher on a new thread with a runtime of its own until `stop` says so (or its sender is gone).
pub fn spawn(matcher: Matcher, stop: watch::Receiver<bool>) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("alert-matcher".to_owned()).spawn(move || {
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime.block_on(matcher.run(stop)),
            Err(e) => tracing::error!(error = %e, "the alert matcher cannot start its runtime; no instant alerts"),
        }
    })
}

/// Whether the matcher should stop: asked to, or its [`super::AlertWorkers`] is gone.
fn stopping(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}

impl Matcher {
    pub fn new(config: &Config, mailer: AlertMailer, poll: Duration, status: Arc<MatcherStatus>) -> Self {
        Self {
            database_url: config.database_url.clone(),
            pool: None,
            conn: None,
            mailer,
            percolator: None,
            refresher: None,
            feed: None,
            poll,
            commute_km: config.partner_commute_km,
            load_pause: config.percolator_load_pause,
            status,
        }
    }

    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        while !stopping(&stop) {
            let pause = match self.step().await {
                Ok(true) => continue,
                Ok(false) => self.poll,
                Err(e) => {
                    tracing::warn!(error = %e, "alert matcher: will retry");
                    // The failed batch moved nothing; the stored position is read again because a matcher on
                    // another node may have recorded the batch meanwhile.
                    self.feed = None;
                    self.poll.max(Duration::from_secs(1))
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.changed() => {}
            }
        }
        if let Some(conn) = self.conn.take() {
            release(conn);
        }
    }

    /// One batch on the matcher's connection; a failure lets the connection go (it may be the cause).
    async fn step(&mut self) -> Result<bool, AlertError> {
        let mut conn = match self.conn.take() {
            Some(conn) => conn,
            None => self.connect().await?,
        };
        let done = self.batch(&mut conn).await;
        match done {
            Ok(_) => self.conn = Some(conn),
            Err(_) => release(conn),
        }
        done
    }

    async fn connect(&mut self) -> Result<DbConn, AlertError> {
        let pool = match &self.pool {
            Some(pool) => pool,
            None => {
                let pool = db::pool(&self.database_url, POOL_SIZE)
                    .map_err(|e| StoreError::Unavailable(format!("the matcher's pool: {e}")))?;
                self.pool.insert(pool)
            }
        };
        let mut conn = pool.get().await.map_err(StoreError::from)?;
        conn.batch_execute(APPLICATION_NAME).await?;
        Ok(conn)
    }

    /// The percolator, loaded with every saved search on first use.
    async fn percolator(&mut self, conn: &mut AsyncPgConnection) -> Result<Arc<Percolator>, AlertError> {
        if let Some(percolator) = &self.percolator {
            return Ok(percolator.clone());
        }
        self.status.set_loading(true);
        let loaded = self.load(conn).await;
        self.status.set_loading(false);
        let (percolator, since) = loaded?;
        self.status.loaded();
        tracing::info!(searches = percolator.len(), "alert matcher: saved searches loaded");
        self.refresher = Some(Refresher { since, recent: HashMap::new() });
        Ok(self.percolator.insert(Arc::new(percolator)).clone())
    }

    async fn load(&self, conn: &mut AsyncPgConnection) -> Result<(Percolator, DateTime<Utc>), AlertError> {
        let percolator = Percolator::new()?;
        if let Some(pause) = self.load_pause {
            // Deliberately blocking, as a large load is: this stalls whatever thread the load runs on.
            std::thread::sleep(pause);
        }
        let since = load_percolator(conn, &percolator).await?;
        Ok((percolator, since))
    }

    /// One batch. True if there may be more right away. The position moves only once the batch is recorded.
    async fn batch(&mut self, conn: &mut AsyncPgConnection) -> Result<bool, AlertError> {
        let percolator = self.percolator(conn).await?;
        let mut feed = match self.feed.take() {
            Some(feed) => feed,
            None => Consumer::resume(conn, CURSOR, BATCH).await?,
        };
        let done = self.match_and_record(conn, &percolator, &mut feed).await;
        self.feed = Some(feed);
        done
    }

    async fn match_and_record(
        &mut self,
        conn: &mut AsyncPgConnection,
        percolator: &Percolator,
        feed: &mut Consumer,
    ) -> Result<bool, AlertError> {
        let batch: Batch = feed.next(conn).await?;
        let full = batch.full();
        let job_ids = batch.ids(Entity::Job);
        if job_ids.is_empty() && !batch.moves() {
            feed.commit(batch);
            return Ok(full);
        }
        if let Some(refresher) = self.refresher.as_mut() {
            if !job_ids.is_empty() {
                refresher.refresh(conn, percolator).await?;
            }
        }
        let outcomes = self.match_jobs(conn, percolator, &job_ids).await?;
        let sent = record(conn, &self.mailer, &outcomes, batch.watermark()).await?;
        feed.commit(batch);
        if sent > 0 {
            tracing::info!(mails = sent, jobs = job_ids.len(), "alert matcher: instant alerts queued");
        }
        Ok(full)
    }

    async fn match_jobs(
        &self,
        conn: &mut AsyncPgConnection,
        percolator: &Percolator,
        job_ids: &[Uuid],
    ) -> Result<Vec<JobOutcome>, AlertError> {
        let mut jobs: HashMap<Uuid, JobView> =
            crate::jobs::load_jobs(conn, job_ids).await?.into_iter().map(|j| (j.id, j)).collect();
        let now = Utc::now();
        let mut outcomes = Vec::with_capacity(job_ids.len());
        let mut gone = Vec::new();
        for &job_id in job_ids {
            let job = jobs.remove(&job_id);
            let facts = job.as_ref().and_then(|j| JobFacts::of(j, percolator.analyzers(), now));
            let matches = match facts {
                Some(facts) => {
                    let matched = match_job(conn, percolator, &facts).await?;
                    gone.extend(matched.gone);
                    matched.matches
                }
                None => Vec::new(),
            };
            outcomes.push(JobOutcome { job_id, job, matches });
        }
        if !gone.is_empty() {
            percolator.remove(&gone);
            percolator.commit()?;
        }
        self.add_commute_matches(conn, &mut outcomes, now).await?;
        Ok(outcomes)
    }

    /// Adds the partner commute alerts each visible job meets.
    async fn add_commute_matches(
        &self,
        conn: &mut AsyncPgConnection,
        outcomes: &mut [JobOutcome],
        now: DateTime<Utc>,
    ) -> Result<(), AlertError> {
        let visible: Vec<&JobView> =
            outcomes.iter().filter_map(|o| o.job.as_ref()).filter(|job| is_visible(job, now)).collect();
        let mut found = super::commute::match_jobs(conn, &visible, self.commute_km).await?;
        for outcome in outcomes {
            outcome.matches.extend(found.remove(&outcome.job_id).unwrap_or_default());
        }
        Ok(())
    }
}

/// In one transaction: withdraws pending matches the jobs no longer meet, records the new matches, queues one
/// mail per instant alert with its new jobs, and moves the position to `watermark`. Returns the mails queued.
async fn record(
    conn: &mut AsyncPgConnection,
    mailer: &AlertMailer,
    outcomes: &[JobOutcome],
    watermark: i64,
) -> Result<usize, AlertError> {
    db::transaction::<_, AlertError, _>(conn, |conn| {
        async move {
            // Matchers on other nodes wait here, so two never record the same batch at once.
            CURSOR.lock(conn).await?;
            let mut rows = Vec::new();
            for outcome in outcomes {
                let still: Vec<Uuid> = outcome.matches.iter().map(|m| m.subscription.alert.id).collect();
                store::withdraw_pending(conn, outcome.job_id, &still).await?;
                rows.extend(outcome.matches.iter().map(|m| m.pending(outcome.job_id)));
            }
            let inserted: HashSet<(Uuid, Uuid)> = store::insert_new_matches(conn, &rows).await?.into_iter().collect();
            let sent = send_instant(conn, mailer, outcomes, &inserted).await?;
            CURSOR.advance(conn, watermark).await?;
            Ok(sent)
        }
        .scope_boxed()
    })
    .await
}

/// Queues a mail for each instant alert with newly recorded jobs and marks those matches sent.
async fn send_instant(
    conn: &mut AsyncPgConnection,
    mailer: &AlertMailer,
    outcomes: &[JobOutcome],
    inserted: &HashSet<(Uuid, Uuid)>,
) -> Result<usize, AlertError> {
    let mut per_alert: HashMap<Uuid, (&AlertMatch, Vec<Listed<'_>>)> = HashMap::new();
    for outcome in outcomes {
        let Some(job) = &outcome.job else { continue };
        for m in &outcome.matches {
            let alert_id = m.subscription.alert.id;
            if m.frequency != Frequency::Instant || !inserted.contains(&(alert_id, outcome.job_id)) {
                continue;
            }
            let listed = Listed { job, matched_skills: &m.matched_skills, commute: m.commute.as_ref() };
            per_alert.entry(alert_id).or_insert_with(|| (m, Vec::new())).1.push(listed);
        }
    }
    let mut delivered = Vec::new();
    for (alert_id, (m, jobs)) in &per_alert {
        let mail = mailer.mail(&recipient(m), jobs)?;
        let mail_id = crate::mail::enqueue(conn, mail).await?;
        delivered.extend(jobs.iter().map(|l| Delivered { alert_id: *alert_id, job_id: l.job.id, mail_id }));
    }
    store::mark_sent(conn, &delivered).await?;
    Ok(per_alert.len())
}

/// Closes a connection the matcher let go (it may be broken) instead of returning it to the pool.
fn release(conn: DbConn) {
    drop(DbConn::take(conn));
}

impl MayRetry for AlertError {
    fn may_retry(&self) -> bool {
        matches!(self, Self::Store(e) if e.may_retry())
    }
}

fn recipient(m: &AlertMatch) -> Recipient<'_> {
    Recipient {
        alert_id: m.subscription.alert.id,
        alert_name: &m.subscription.alert.name,
        email: &m.subscription.email,
        display_name: &m.subscription.display_name,
        frequency: m.frequency,
        query: m.query.as_ref(),
        kind: AlertKind::parse(&m.subscription.alert.kind).unwrap_or(AlertKind::Search),
    }
}
