//! Daily and weekly digests, as a stream: alerts are taken in batches in id order, each batch's mails list the
//! best [`DIGEST_JOBS`] new jobs of each alert (with a link to the rest), go into the mail outbox in one insert,
//! and the alerts' positions move past their matches in that transaction. And the schedule (07:00 every day,
//! Monday 07:00 every week, Stockholm time) that remembers the last slot it went out for, so a restart neither
//! skips nor repeats one.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Stockholm;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use tokio::sync::watch;
use uuid::Uuid;

use super::criteria::is_visible;
use super::email::{AlertMailer, Listed, Recipient};
use super::model::{AlertKind, AlertQuery, AlertSkill, Commute, Frequency};
use super::store::{self, DueMatch, Subscription};
use super::AlertError;
use crate::db::{DbPool, StoreError};
use crate::jobs::model::JobView;
use crate::mail::render::RenderError;
use crate::mail::NewMail;

/// Most jobs one digest lists; the rest are behind a link. As many as a page of any list in the API, and about
/// what a reader looks through in a mail; it also keeps a mail (and the outbox row) a few dozen kilobytes.
pub const DIGEST_JOBS: usize = 20;
/// Alerts handled per transaction: their mails are held in memory and inserted at once.
const BATCH: i64 = 500;
/// Parts of the alert id space sent side by side, each on a connection of its own: PostgreSQL's work for one
/// batch (reading matches, storing mail) overlaps the next one's rendering.
const STREAMS: u128 = 2;
/// The local hour digests go out at.
pub const DIGEST_HOUR: u32 = 7;

/// What a digest run queued.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DigestReport {
    /// Mails queued: one per alert with at least one visible new job.
    pub mails: usize,
    /// Jobs listed in them, all told (at most [`DIGEST_JOBS`] a mail).
    pub jobs: usize,
    /// The outbox ids of the mails queued.
    pub mail_ids: Vec<Uuid>,
}

impl std::ops::AddAssign for DigestReport {
    fn add_assign(&mut self, other: Self) {
        self.mails += other.mails;
        self.jobs += other.jobs;
        self.mail_ids.extend(other.mail_ids);
    }
}

/// Queues the digest of every alert of `frequency` with jobs matched since its last digest, now. Jobs closed or
/// expired meanwhile are left out (and forgotten). Matches recorded while the run goes on wait for the next one.
pub async fn send_due(pool: &DbPool, mailer: &AlertMailer, frequency: Frequency) -> Result<DigestReport, AlertError> {
    let horizon = {
        let mut conn = pool.get().await.map_err(StoreError::from)?;
        store::match_horizon(&mut conn).await?
    };
    let streams = (0..STREAMS).map(|i| {
        let split = |i: u128| (i > 0 && i < STREAMS).then(|| Uuid::from_u128(u128::MAX / STREAMS * i));
        send_range(pool, mailer, frequency, Range { after: split(i), until: split(i + 1), horizon })
    });
    let mut report = DigestReport::default();
    for sent in futures_util::future::try_join_all(streams).await? {
        report += sent;
    }
    Ok(report)
}

/// Sends the due digests of the alerts in `range`, batch by batch.
async fn send_range(
    pool: &DbPool,
    mailer: &AlertMailer,
    frequency: Frequency,
    mut range: Range,
) -> Result<DigestReport, AlertError> {
    let mut conn = pool.get().await.map_err(StoreError::from)?;
    let mut jobs = JobCache::default();
    let mut report = DigestReport::default();
    while let Some((last, sent)) = send_batch(&mut conn, mailer, frequency, range, &mut jobs).await? {
        range.after = Some(last);
        report += sent;
    }
    Ok(report)
}

/// Which alerts a batch takes (ids in (`after`, `until`]) and which of their matches (numbered up to `horizon`).
#[derive(Clone, Copy, Debug)]
struct Range {
    after: Option<Uuid>,
    until: Option<Uuid>,
    horizon: i64,
}

/// Jobs loaded once per run: thousands of digests list the same few thousand jobs.
#[derive(Default)]
struct JobCache {
    jobs: HashMap<Uuid, Option<Arc<JobView>>>,
}

impl JobCache {
    async fn load(&mut self, conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<(), StoreError> {
        let mut missing: Vec<Uuid> = ids.iter().filter(|id| !self.jobs.contains_key(id)).copied().collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        for job in crate::jobs::load_jobs(conn, &missing).await? {
            self.jobs.insert(job.id, Some(Arc::new(job)));
        }
        for id in missing {
            self.jobs.entry(id).or_insert(None);
        }
        Ok(())
    }

    fn visible(&self, id: Uuid, now: DateTime<Utc>) -> Option<&Arc<JobView>> {
        self.jobs.get(&id).and_then(Option::as_ref).filter(|job| is_visible(job, now))
    }
}

/// In one transaction: takes the next batch of due alerts in `range`, queues their digests and moves their
/// positions to its horizon. `None` when no alert is left.
async fn send_batch(
    conn: &mut AsyncPgConnection,
    mailer: &AlertMailer,
    frequency: Frequency,
    range: Range,
    jobs: &mut JobCache,
) -> Result<Option<(Uuid, DigestReport)>, AlertError> {
    let Range { after, until, horizon } = range;
    conn.transaction::<_, AlertError, _>(|conn| {
        async move {
            let alert_ids = store::lock_due(conn, frequency.as_str(), (after, until), horizon, BATCH).await?;
            let Some(last) = alert_ids.last().copied() else { return Ok(None) };
            let due = store::due_matches(conn, &alert_ids, horizon).await?;
            let job_ids: Vec<Uuid> = due.iter().map(|m| m.job_id).collect();
            jobs.load(conn, &job_ids).await?;
            let Picked { best, hidden } = pick(due, jobs, Utc::now());
            let digests = gather(conn, best, jobs).await?;
            let listed = digests.iter().map(|d| d.jobs.len()).sum();
            let mails = render(mailer, frequency, digests).await?;
            let mail_ids = crate::mail::enqueue_many(conn, &mails).await?;
            store::advance(conn, &alert_ids, horizon).await?;
            store::drop_pending(conn, &hidden).await?;
            Ok(Some((last, DigestReport { mails: mail_ids.len(), jobs: listed, mail_ids })))
        }
        .scope_boxed()
    })
    .await
}

/// What a batch's matches come to: for each alert, its best visible jobs, best first, and how many more it has;
/// and the matches of jobs no longer visible.
struct Picked {
    best: HashMap<Uuid, Best>,
    hidden: Vec<(Uuid, Uuid)>,
}

struct Best {
    jobs: Vec<DueMatch>,
    more: usize,
}

fn pick(due: Vec<DueMatch>, jobs: &JobCache, now: DateTime<Utc>) -> Picked {
    let mut by_alert: HashMap<Uuid, Vec<(DueMatch, &JobView)>> = HashMap::new();
    let mut hidden = Vec::new();
    for m in due {
        match jobs.visible(m.job_id, now) {
            Some(job) => by_alert.entry(m.alert_id).or_default().push((m, job)),
            None => hidden.push((m.alert_id, m.job_id)),
        }
    }
    let best = by_alert
        .into_iter()
        .map(|(alert_id, mut found)| {
            let total = found.len();
            if total > DIGEST_JOBS {
                found.select_nth_unstable_by(DIGEST_JOBS - 1, rank);
                found.truncate(DIGEST_JOBS);
            }
            found.sort_unstable_by(rank);
            let jobs = found.into_iter().map(|(m, _)| m).collect::<Vec<_>>();
            (alert_id, Best { more: total - jobs.len(), jobs })
        })
        .collect();
    Picked { best, hidden }
}

/// Best first: more of the job's skills met, then (partner commute alerts) nearer, then newer.
fn rank(a: &(DueMatch, &JobView), b: &(DueMatch, &JobView)) -> Ordering {
    let far = |m: &DueMatch| m.distance_km.unwrap_or(f64::INFINITY);
    let published = |job: &JobView| job.published_at.unwrap_or(job.created_at);
    b.0.skills
        .cmp(&a.0.skills)
        .then_with(|| far(&a.0).total_cmp(&far(&b.0)))
        .then_with(|| published(b.1).cmp(&published(a.1)))
        .then_with(|| a.0.job_id.cmp(&b.0.job_id))
}

/// One digest to render, owned, so that it can be rendered on a thread of its own.
struct Digest {
    subscription: Subscription,
    jobs: Vec<Entry>,
    more: usize,
}

struct Entry {
    job: Arc<JobView>,
    matched_skills: Vec<AlertSkill>,
    commute: Option<Commute>,
}

/// The digests of the picked jobs, with their recipients and why each job matched; alerts whose owner is gone
/// get none.
async fn gather(
    conn: &mut AsyncPgConnection,
    mut best: HashMap<Uuid, Best>,
    jobs: &JobCache,
) -> Result<Vec<Digest>, AlertError> {
    let alert_ids: Vec<Uuid> = best.keys().copied().collect();
    let subscriptions = store::subscriptions(conn, &alert_ids).await?;
    Ok(subscriptions
        .into_iter()
        .filter_map(|subscription| {
            let Best { jobs: found, more } = best.remove(&subscription.alert.id)?;
            let entries: Vec<Entry> = found.into_iter().filter_map(|m| entry(jobs, m)).collect();
            (!entries.is_empty()).then_some(Digest { subscription, jobs: entries, more })
        })
        .collect())
}

fn entry(jobs: &JobCache, m: DueMatch) -> Option<Entry> {
    Some(Entry {
        job: jobs.jobs.get(&m.job_id)?.clone()?,
        matched_skills: serde_json::from_str(&m.matched_skills).unwrap_or_default(),
        commute: m.commute.and_then(|c| serde_json::from_str(&c).ok()),
    })
}

/// Renders the batch's mails on a blocking thread: hundreds of templated mails are CPU work.
async fn render(mailer: &AlertMailer, frequency: Frequency, digests: Vec<Digest>) -> Result<Vec<NewMail>, AlertError> {
    let mailer = mailer.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        digests.iter().map(|d| d.mail(&mailer, frequency)).collect::<Result<Vec<_>, RenderError>>()
    })
    .await
    .map_err(|e| RenderError::Template { name: "alert".to_owned(), reason: format!("the rendering thread: {e}") })?;
    Ok(rendered?)
}

impl Digest {
    fn mail(&self, mailer: &AlertMailer, frequency: Frequency) -> Result<NewMail, RenderError> {
        let alert = &self.subscription.alert;
        let query: Option<AlertQuery> = alert.query.clone().and_then(|q| serde_json::from_value(q).ok());
        let to = Recipient {
            alert_id: alert.id,
            alert_name: &alert.name,
            email: &self.subscription.email,
            display_name: &self.subscription.display_name,
            frequency,
            query: query.as_ref(),
            kind: AlertKind::parse(&alert.kind).unwrap_or(AlertKind::Search),
        };
        let listed: Vec<Listed<'_>> = self
            .jobs
            .iter()
            .map(|e| Listed { job: &e.job, matched_skills: &e.matched_skills, commute: e.commute.as_ref() })
            .collect();
        mailer.mail_with_more(&to, &listed, self.more)
    }
}

/// The most recent slot at or before `now` for a scheduled frequency (`None` for instant alerts): 07:00
/// Stockholm time today or yesterday for daily, the latest Monday 07:00 for weekly.
pub fn latest_slot(frequency: Frequency, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let local = now.with_timezone(&Stockholm).date_naive();
    let days_back = match frequency {
        Frequency::Instant => return None,
        Frequency::Daily => 0,
        Frequency::Weekly => i64::from(local.weekday().num_days_from_monday()),
    };
    let step = if frequency == Frequency::Weekly { 7 } else { 1 };
    let mut day = local - chrono::Days::new(u64::try_from(days_back).unwrap_or(0));
    loop {
        let at = day.and_time(NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0)?);
        // 07:00 always exists in Stockholm (clocks change at 02:00 and 03:00); `earliest` covers any rule.
        let slot = Stockholm.from_local_datetime(&at).earliest()?.with_timezone(&Utc);
        if slot <= now {
            return Some(slot);
        }
        day = day - chrono::Days::new(step);
        debug_assert!(frequency != Frequency::Weekly || day.weekday() == Weekday::Mon);
    }
}

/// One look at the schedule: sends each scheduled digest whose latest slot has not gone out yet and records
/// the slot. The first look ever only records the current slots: there is nothing pending before alerts exist.
pub async fn tick(
    pool: &DbPool,
    mailer: &AlertMailer,
    now: DateTime<Utc>,
) -> Result<Vec<(Frequency, DigestReport)>, AlertError> {
    let mut sent = Vec::new();
    for frequency in [Frequency::Daily, Frequency::Weekly] {
        let Some(slot) = latest_slot(frequency, now) else { continue };
        let last = {
            let mut conn = pool.get().await.map_err(StoreError::from)?;
            store::last_slot(&mut conn, frequency.as_str()).await?
        };
        if last.is_some_and(|last| last < slot) {
            let report = send_due(pool, mailer, frequency).await?;
            tracing::info!(frequency = frequency.as_str(), %slot, mails = report.mails, jobs = report.jobs, "alert digests queued");
            sent.push((frequency, report));
        }
        if last.is_none_or(|last| last < slot) {
            let mut conn = pool.get().await.map_err(StoreError::from)?;
            store::set_slot(&mut conn, frequency.as_str(), slot).await?;
        }
    }
    Ok(sent)
}

/// The scheduler task: looks at the schedule every `every` until stopped.
pub async fn run_scheduler(pool: DbPool, mailer: AlertMailer, every: Duration, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if let Err(e) = tick(&pool, &mailer, Utc::now()).await {
            tracing::warn!(error = %e, "alert scheduler: will retry");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("instant").with_timezone(&Utc)
    }

    #[test]
    fn daily_slots_are_seven_in_the_morning_stockholm_time() {
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(latest_slot(Frequency::Daily, utc("2026-01-15T06:00:00Z")), Some(utc("2026-01-15T06:00:00Z")));
        assert_eq!(latest_slot(Frequency::Daily, utc("2026-01-15T05:59:59Z")), Some(utc("2026-01-14T06:00:00Z")));
        assert_eq!(latest_slot(Frequency::Daily, utc("2026-07-01T05:30:00Z")), Some(utc("2026-07-01T05:00:00Z")));
        // The morning the clocks go forward (29 March 2026).
        assert_eq!(latest_slot(Frequency::Daily, utc("2026-03-29T12:00:00Z")), Some(utc("2026-03-29T05:00:00Z")));
        assert_eq!(latest_slot(Frequency::Instant, utc("2026-01-15T06:00:00Z")), None);
    }

    #[test]
    fn weekly_slots_are_monday_mornings() {
        // 2026-01-12 is a Monday.
        assert_eq!(latest_slot(Frequency::Weekly, utc("2026-01-15T10:00:00Z")), Some(utc("2026-01-12T06:00:00Z")));
        assert_eq!(latest_slot(Frequency::Weekly, utc("2026-01-12T05:00:00Z")), Some(utc("2026-01-05T06:00:00Z")));
        assert_eq!(latest_slot(Frequency::Weekly, utc("2026-01-12T06:00:00Z")), Some(utc("2026-01-12T06:00:00Z")));
    }
}
