//! Matching jobs to alerts as they become visible: a second consumer of the change feed ([`crate::outbox`]), with
//! its own stored position ([`CURSOR`]). It runs on a thread of its own with a current-thread runtime and a small
//! pool of its own, like the search indexer, because loading every alert into its [`Percolator`] and matching
//! against it is CPU work that must not hold up the shared runtime's request handling. Each batch of job changes
//! is matched, and the new (alert, job) pairs, the instant mails that report them and the new position are written
//! in one transaction, so a crash repeats a batch at worst, and the pairs' primary key keeps a repeat from mailing
//! anything twice.
//!
//! The percolator keeps itself current from the same feed: alerts created since the last look are added before
//! each batch of jobs, profile changes in the batch (candidate entries) replace their owners' skills before its
//! jobs are matched, and alerts found deleted when their matches are recorded are forgotten.
//!
//! [`match_job`] is the matching itself, callable on its own (a benchmark times it).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
use tokio::sync::watch;
use uuid::Uuid;

use super::criteria::{is_visible, JobFacts};
use super::email::{AlertMailer, Listed, Recipient};
use super::model::{AlertKind, AlertQuery, AlertSkill, Commute, Frequency};
use super::percolator::{AlertEntry, Percolator};
use super::store::{self, Delivered, MatchableRow, NewMatch, Subscription, PENDING};
use super::{AlertError, MatcherStatus};
use crate::config::Config;
use crate::db::{self, DbConn, DbPool, MayRetry, StoreError};
use crate::jobs::model::JobView;
use crate::outbox::{Batch, Consumer, Cursor, Entity};
use crate::taxonomy::LiveTaxonomy;

/// Outbox rows read per batch at most.
const BATCH: i64 = 500;
/// Where the matcher's position is stored.
pub const CURSOR: Cursor = Cursor::named("alerts");
/// Connections in the matcher's own pool: it uses one at a time.
const POOL_SIZE: usize = 1;
/// Alerts loaded into the percolator per query at start.
const LOAD_CHUNK: i64 = 20_000;
/// How far back new alerts are looked for on each refresh: longer than any transaction that creates one takes
/// to commit, so none is missed however late it commits.
const CREATION_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// An alert a job satisfies and why. Its owner is loaded only when an instant mail goes out; digests load theirs.
#[derive(Clone, Debug)]
pub struct AlertMatch {
    pub alert_id: Uuid,
    pub frequency: Frequency,
    pub matched_skills: Vec<AlertSkill>,
    /// For a partner commute alert: how near the job is to the talent's employer.
    pub commute: Option<Commute>,
}

impl AlertMatch {
    /// The row that records this match of `job_id`, pending until a mail carries it.
    pub fn pending(&self, job_id: Uuid) -> NewMatch {
        NewMatch {
            alert_id: self.alert_id,
            job_id,
            matched_skills: serde_json::to_value(&self.matched_skills).unwrap_or_default(),
            status: PENDING,
            commute: self.commute.as_ref().and_then(|c| serde_json::to_value(c).ok()),
        }
    }
}

/// Finds every alert the job satisfies, in memory.
pub fn match_job(percolator: &Percolator, job: &JobFacts) -> Vec<AlertMatch> {
    percolator.matches(job)
}

/// The alert as the percolator holds it; `None` (with a warning) if it is stored in a form this version cannot read.
fn entry(row: MatchableRow) -> Option<AlertEntry> {
    let Some(frequency) = Frequency::parse(&row.frequency) else {
        tracing::warn!(alert = %row.id, frequency = row.frequency, "skipping an alert with an unknown frequency");
        return None;
    };
    let query = match row.query.map(serde_json::from_value::<AlertQuery>).transpose() {
        Ok(query) => query,
        Err(e) => {
            tracing::warn!(alert = %row.id, error = %e, "skipping an unreadable saved search");
            return None;
        }
    };
    Some(AlertEntry { id: row.id, seeker_id: row.seeker_id, frequency, query, match_profile: row.match_profile })
}

/// Adds the alerts, then the profile skills of owners the percolator did not follow before.
async fn add_alerts(
    conn: &mut AsyncPgConnection,
    percolator: &mut Percolator,
    rows: Vec<MatchableRow>,
) -> Result<usize, AlertError> {
    let mut new_owners = Vec::new();
    let mut added = 0;
    for alert in rows.into_iter().filter_map(entry) {
        if percolator.contains(alert.id) {
            continue;
        }
        if alert.match_profile && !percolator.follows_profile(alert.seeker_id) {
            new_owners.push(alert.seeker_id);
        }
        percolator.insert(&alert);
        added += 1;
    }
    set_profiles(conn, percolator, &new_owners).await?;
    Ok(added)
}

/// Gives the percolator the current profile skills of these seekers (none for those without a profile).
async fn set_profiles(
    conn: &mut AsyncPgConnection,
    percolator: &mut Percolator,
    seekers: &[Uuid],
) -> Result<(), AlertError> {
    if seekers.is_empty() {
        return Ok(());
    }
    let mut skills: HashMap<Uuid, Vec<String>> = seekers.iter().map(|s| (*s, Vec::new())).collect();
    for (seeker, skill) in store::profile_skill_ids(conn, seekers).await? {
        skills.entry(seeker).or_default().push(skill);
    }
    for (seeker, skills) in skills {
        percolator.set_profile(seeker, &skills);
    }
    Ok(())
}

/// Loads every alert with criteria (saved searches and profile matches) into the percolator. Returns the
/// database time it started at: alerts created from then on are picked up by [`Refresher`].
pub async fn load_percolator(
    conn: &mut AsyncPgConnection,
    percolator: &mut Percolator,
) -> Result<DateTime<Utc>, AlertError> {
    let started = store::db_now(conn).await?;
    let mut after = None;
    loop {
        let chunk = store::matchable_after(conn, after, LOAD_CHUNK).await?;
        let Some(last) = chunk.last() else { break };
        after = Some(last.id);
        add_alerts(conn, percolator, chunk).await?;
    }
    Ok(started)
}

/// Keeps the percolator in step with alerts created since it was loaded (alerts never change; deleted ones are
/// forgotten when recording finds them gone).
struct Refresher {
    since: DateTime<Utc>,
}

impl Refresher {
    async fn refresh(&mut self, conn: &mut AsyncPgConnection, percolator: &mut Percolator) -> Result<(), AlertError> {
        let now = store::db_now(conn).await?;
        let rows = store::matchable_created_since(conn, self.since - CREATION_MARGIN).await?;
        add_alerts(conn, percolator, rows).await?;
        self.since = now;
        Ok(())
    }
}

/// Replaces the skills of the seekers whose profiles changed (the batch's candidate entries).
async fn follow_profiles(
    conn: &mut AsyncPgConnection,
    percolator: &mut Percolator,
    candidate_ids: &[Uuid],
) -> Result<(), AlertError> {
    if candidate_ids.is_empty() {
        return Ok(());
    }
    let seekers: Vec<Uuid> = store::seekers_of_candidates(conn, candidate_ids)
        .await?
        .into_iter()
        .filter(|s| percolator.follows_profile(*s))
        .collect();
    set_profiles(conn, percolator, &seekers).await
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
    percolator: Option<Percolator>,
    refresher: Option<Refresher>,
    feed: Option<Consumer>,
    poll: Duration,
    /// The partner commute radius, in km.
    commute_km: f64,
    /// Test hook: a blocking pause inside the percolator load (see `Config::percolator_load_pause`).
    load_pause: Option<Duration>,
    status: std::sync::Arc<MatcherStatus>,
    /// Whose links make equivalent skills one skill; read afresh for each batch.
    taxonomy: LiveTaxonomy,
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
    pub fn new(
        config: &Config,
        mailer: AlertMailer,
        poll: Duration,
        status: std::sync::Arc<MatcherStatus>,
        taxonomy: LiveTaxonomy,
    ) -> Self {
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
            taxonomy,
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

    /// Loads every alert into the percolator on first use.
    async fn ensure_loaded(&mut self, conn: &mut AsyncPgConnection) -> Result<(), AlertError> {
        if self.percolator.is_some() {
            return Ok(());
        }
        self.status.set_loading(true);
        let loaded = self.load(conn).await;
        self.status.set_loading(false);
        let (percolator, since) = loaded?;
        self.status.loaded();
        tracing::info!(alerts = percolator.len(), "alert matcher: alerts loaded");
        self.refresher = Some(Refresher { since });
        self.percolator = Some(percolator);
        Ok(())
    }

    async fn load(&self, conn: &mut AsyncPgConnection) -> Result<(Percolator, DateTime<Utc>), AlertError> {
        let mut percolator = Percolator::new();
        if let Some(pause) = self.load_pause {
            // Deliberately blocking, as a large load is: this stalls whatever thread the load runs on.
            std::thread::sleep(pause);
        }
        let since = load_percolator(conn, &mut percolator).await?;
        Ok((percolator, since))
    }

    /// One batch. True if there may be more right away. The position moves only once the batch is recorded.
    async fn batch(&mut self, conn: &mut AsyncPgConnection) -> Result<bool, AlertError> {
        self.ensure_loaded(conn).await?;
        let mut feed = match self.feed.take() {
            Some(feed) => feed,
            None => Consumer::resume(conn, CURSOR, BATCH).await?,
        };
        let done = self.match_and_record(conn, &mut feed).await;
        self.feed = Some(feed);
        done
    }

    async fn match_and_record(
        &mut self,
        conn: &mut AsyncPgConnection,
        feed: &mut Consumer,
    ) -> Result<bool, AlertError> {
        let batch: Batch = feed.next(conn).await?;
        let full = batch.full();
        let job_ids = batch.ids(Entity::Job);
        let Some(percolator) = self.percolator.as_mut() else { return Ok(false) };
        percolator.set_links(self.taxonomy.links());
        // Profile changes are applied before the jobs of the same batch are matched, so a job posted after a
        // seeker added a skill is matched with that skill. Applying one again on a repeat does no harm.
        follow_profiles(conn, percolator, &batch.ids(Entity::Candidate)).await?;
        if job_ids.is_empty() && !batch.moves() {
            feed.commit(batch);
            return Ok(full);
        }
        if let Some(refresher) = self.refresher.as_mut() {
            if !job_ids.is_empty() {
                refresher.refresh(conn, percolator).await?;
            }
        }
        let outcomes = self.match_jobs(conn, &job_ids).await?;
        let recorded = record(conn, &self.mailer, &outcomes, batch.watermark()).await?;
        if let Some(percolator) = self.percolator.as_mut() {
            percolator.remove(&recorded.gone);
        }
        feed.commit(batch);
        if recorded.mails > 0 {
            tracing::info!(mails = recorded.mails, jobs = job_ids.len(), "alert matcher: instant alerts queued");
        }
        Ok(full)
    }

    async fn match_jobs(&self, conn: &mut AsyncPgConnection, job_ids: &[Uuid]) -> Result<Vec<JobOutcome>, AlertError> {
        let Some(percolator) = self.percolator.as_ref() else { return Ok(Vec::new()) };
        let mut jobs: HashMap<Uuid, JobView> =
            crate::jobs::load_jobs(conn, job_ids).await?.into_iter().map(|j| (j.id, j)).collect();
        let now = Utc::now();
        let mut outcomes = Vec::with_capacity(job_ids.len());
        for &job_id in job_ids {
            let job = jobs.remove(&job_id);
            let facts = job.as_ref().and_then(|j| JobFacts::of(j, percolator.analyzers(), now));
            let matches = facts.map(|facts| match_job(percolator, &facts)).unwrap_or_default();
            outcomes.push(JobOutcome { job_id, job, matches });
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

/// What recording a batch did.
struct Recorded {
    mails: usize,
    /// Matched alerts that have been deleted: the percolator forgets them.
    gone: Vec<Uuid>,
}

/// In one transaction: withdraws pending matches the jobs no longer meet, records the new matches, queues one
/// mail per instant alert with its new jobs, and moves the position to `watermark`.
async fn record(
    conn: &mut AsyncPgConnection,
    mailer: &AlertMailer,
    outcomes: &[JobOutcome],
    watermark: i64,
) -> Result<Recorded, AlertError> {
    db::transaction::<_, AlertError, _>(conn, |conn| {
        async move {
            // Matchers on other nodes wait here, so two never record the same batch at once.
            CURSOR.lock(conn).await?;
            let mut rows = Vec::new();
            for outcome in outcomes {
                let still: Vec<Uuid> = outcome.matches.iter().map(|m| m.alert_id).collect();
                store::withdraw_pending(conn, outcome.job_id, &still).await?;
                rows.extend(outcome.matches.iter().map(|m| m.pending(outcome.job_id)));
            }
            let inserted: HashSet<(Uuid, Uuid)> = store::insert_new_matches(conn, &rows).await?.into_iter().collect();
            // A pair not inserted was recorded before, or its alert is gone (deleted alerts are left out).
            let mut unrecorded: Vec<Uuid> =
                rows.iter().filter(|r| !inserted.contains(&(r.alert_id, r.job_id))).map(|r| r.alert_id).collect();
            unrecorded.sort_unstable();
            unrecorded.dedup();
            let gone = store::missing_alerts(conn, &unrecorded).await?;
            let mails = send_instant(conn, mailer, outcomes, &inserted).await?;
            CURSOR.advance(conn, watermark).await?;
            Ok(Recorded { mails, gone })
        }
        .scope_boxed()
    })
    .await
}

/// Queues a mail for each instant alert with newly recorded jobs and marks those matches sent. The owners of
/// those alerts are loaded here, and only theirs.
async fn send_instant(
    conn: &mut AsyncPgConnection,
    mailer: &AlertMailer,
    outcomes: &[JobOutcome],
    inserted: &HashSet<(Uuid, Uuid)>,
) -> Result<usize, AlertError> {
    let mut per_alert: HashMap<Uuid, Vec<Listed<'_>>> = HashMap::new();
    for outcome in outcomes {
        let Some(job) = &outcome.job else { continue };
        for m in &outcome.matches {
            if m.frequency != Frequency::Instant || !inserted.contains(&(m.alert_id, outcome.job_id)) {
                continue;
            }
            let listed = Listed { job, matched_skills: &m.matched_skills, commute: m.commute.as_ref() };
            per_alert.entry(m.alert_id).or_default().push(listed);
        }
    }
    if per_alert.is_empty() {
        return Ok(0);
    }
    let alert_ids: Vec<Uuid> = per_alert.keys().copied().collect();
    let mut delivered = Vec::new();
    let mut mails = 0;
    for subscription in store::subscriptions(conn, &alert_ids).await? {
        let Some(jobs) = per_alert.get(&subscription.alert.id) else { continue };
        let query = read_query(&subscription)?;
        let mail = mailer.mail(&recipient(&subscription, query.as_ref())?, jobs)?;
        let mail_id = crate::mail::enqueue(conn, mail).await?;
        let alert_id = subscription.alert.id;
        delivered.extend(jobs.iter().map(|l| Delivered { alert_id, job_id: l.job.id, mail_id }));
        mails += 1;
    }
    store::mark_sent(conn, &delivered).await?;
    Ok(mails)
}

fn read_query(subscription: &Subscription) -> Result<Option<AlertQuery>, AlertError> {
    let alert = &subscription.alert;
    alert
        .query
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| AlertError::Corrupt(alert.id, e.to_string()))
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

fn recipient<'a>(s: &'a Subscription, query: Option<&'a AlertQuery>) -> Result<Recipient<'a>, AlertError> {
    let frequency = Frequency::parse(&s.alert.frequency)
        .ok_or_else(|| AlertError::Corrupt(s.alert.id, format!("frequency {}", s.alert.frequency)))?;
    Ok(Recipient {
        alert_id: s.alert.id,
        alert_name: &s.alert.name,
        email: &s.email,
        display_name: &s.display_name,
        frequency,
        query,
        kind: AlertKind::parse(&s.alert.kind).unwrap_or(AlertKind::Search),
    })
}
