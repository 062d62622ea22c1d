//! Daily and weekly digests: one mail per alert with every pending job still visible, queued in the transaction
//! that marks those jobs sent; and the schedule (07:00 every day, Monday 07:00 every week, Stockholm time) that
//! remembers the last slot it went out for, so a restart neither skips nor repeats one.

use std::collections::HashMap;
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
use super::store::{self, Delivered, PendingMatch, Subscription};
use super::AlertError;
use crate::db::{DbPool, StoreError};
use crate::jobs::model::JobView;

/// Alerts handled per transaction.
const BATCH: i64 = 200;
/// The local hour digests go out at.
pub const DIGEST_HOUR: u32 = 7;

/// What a digest run queued.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DigestReport {
    /// Mails queued: one per alert with at least one visible pending job.
    pub mails: usize,
    /// Jobs listed in them, all told.
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

/// Queues the digest of every alert of `frequency` that has pending jobs, now. Jobs closed or expired meanwhile
/// are left out (and forgotten); jobs already sent are never pending, so they are never listed again.
pub async fn send_due(pool: &DbPool, mailer: &AlertMailer, frequency: Frequency) -> Result<DigestReport, AlertError> {
    let mut conn = pool.get().await.map_err(StoreError::from)?;
    let mut jobs = JobCache::default();
    let mut report = DigestReport::default();
    let mut after = None;
    loop {
        let alert_ids = store::alerts_with_pending(&mut conn, frequency.as_str(), after, BATCH).await?;
        let Some(last) = alert_ids.last() else { break };
        after = Some(*last);
        report += send_batch(&mut conn, mailer, frequency, &alert_ids, &mut jobs).await?;
    }
    Ok(report)
}

/// Jobs loaded once per run: thousands of digests list the same few thousand jobs.
#[derive(Default)]
struct JobCache {
    jobs: HashMap<Uuid, Option<JobView>>,
}

impl JobCache {
    async fn load(&mut self, conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<(), StoreError> {
        let missing: Vec<Uuid> = ids.iter().filter(|id| !self.jobs.contains_key(id)).copied().collect();
        if missing.is_empty() {
            return Ok(());
        }
        for job in crate::jobs::load_jobs(conn, &missing).await? {
            self.jobs.insert(job.id, Some(job));
        }
        for id in missing {
            self.jobs.entry(id).or_insert(None);
        }
        Ok(())
    }

    fn visible(&self, id: Uuid, now: DateTime<Utc>) -> Option<&JobView> {
        self.jobs.get(&id).and_then(Option::as_ref).filter(|job| is_visible(job, now))
    }
}

async fn send_batch(
    conn: &mut AsyncPgConnection,
    mailer: &AlertMailer,
    frequency: Frequency,
    alert_ids: &[Uuid],
    jobs: &mut JobCache,
) -> Result<DigestReport, AlertError> {
    conn.transaction::<_, AlertError, _>(|conn| {
        async move {
            let claimed = store::claim_pending(conn, alert_ids).await?;
            let job_ids: Vec<Uuid> = claimed.iter().map(|m| m.job_id).collect();
            jobs.load(conn, &job_ids).await?;
            let subscriptions: HashMap<Uuid, Subscription> =
                store::subscriptions(conn, alert_ids).await?.into_iter().map(|s| (s.alert.id, s)).collect();
            let now = Utc::now();
            let mut by_alert: HashMap<Uuid, Vec<&PendingMatch>> = HashMap::new();
            let mut hidden = Vec::new();
            for m in &claimed {
                match jobs.visible(m.job_id, now) {
                    Some(_) => by_alert.entry(m.alert_id).or_default().push(m),
                    None => hidden.push((m.alert_id, m.job_id)),
                }
            }
            let mut report = DigestReport::default();
            let mut delivered = Vec::new();
            for (alert_id, matches) in &by_alert {
                let Some(subscription) = subscriptions.get(alert_id) else { continue };
                let query: Option<AlertQuery> =
                    subscription.alert.query.clone().and_then(|q| serde_json::from_value(q).ok());
                let skills: Vec<Vec<AlertSkill>> = matches
                    .iter()
                    .map(|m| serde_json::from_value(m.matched_skills.clone()).unwrap_or_default())
                    .collect();
                let commutes: Vec<Option<Commute>> =
                    matches.iter().map(|m| m.commute.clone().and_then(|c| serde_json::from_value(c).ok())).collect();
                let listed: Vec<Listed<'_>> = matches
                    .iter()
                    .zip(skills.iter().zip(&commutes))
                    .filter_map(|(m, (skills, commute))| {
                        let commute = commute.as_ref();
                        jobs.visible(m.job_id, now).map(|job| Listed { job, matched_skills: skills, commute })
                    })
                    .collect();
                let to = Recipient {
                    alert_id: *alert_id,
                    alert_name: &subscription.alert.name,
                    email: &subscription.email,
                    display_name: &subscription.display_name,
                    frequency,
                    query: query.as_ref(),
                    kind: AlertKind::parse(&subscription.alert.kind).unwrap_or(AlertKind::Search),
                };
                let mail_id = crate::mail::enqueue(conn, mailer.mail(&to, &listed)?).await?;
                delivered.extend(matches.iter().map(|m| Delivered { alert_id: *alert_id, job_id: m.job_id, mail_id }));
                report.mails += 1;
                report.jobs += listed.len();
                report.mail_ids.push(mail_id);
            }
            store::mark_sent(conn, &delivered).await?;
            store::drop_pending(conn, &hidden).await?;
            Ok(report)
        }
        .scope_boxed()
    })
    .await
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
