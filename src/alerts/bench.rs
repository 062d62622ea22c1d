//! In-process benchmarks of alerts, for `tandem-bench-alerts` or an ignored test: one new job matched against every
//! alert, and a daily digest run.
//!
//! [`seed_alerts`] gives every seeker already in the database (the synthetic ones of `seed --synthetic N`) one
//! daily alert from one of two sets ([`AlertSet`]). [`time_matching`] then matches sample jobs one at a time in
//! memory, as the matcher does, and records the matches as pending in bounded chunks; [`time_digest`] sends the
//! daily digests those make.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::criteria::JobFacts;
use super::digest::{self, DigestReport};
use super::email::AlertMailer;
use super::matcher::{load_percolator, match_job};
use super::model::Frequency;
use super::percolator::Percolator;
use super::store;
use super::AlertError;
use crate::db::{DbPool, StoreError};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Which synthetic alerts to give the seekers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertSet {
    /// Today's permissive set, a stress case: half saved searches for the profile's first two skills in the
    /// seeker's home country, half bare profile matches (which one generic required skill can meet).
    Stress,
    /// Alerts as seekers make them: 40 % saved searches for the two most specific skills of the profile (those
    /// fewest profiles hold), 20 % free-text searches for the domain of the seeker's headline, 40 % profile matches
    /// in the sectors the seeker is open to (as are a third of the searches); each in the country of the seeker's
    /// first desired place, half of them in its city too.
    Realistic,
}

impl AlertSet {
    pub fn name(self) -> &'static str {
        match self {
            Self::Stress => "stress",
            Self::Realistic => "realistic",
        }
    }
}

/// How many alerts of each kind [`seed_alerts`] made.
#[derive(Clone, Copy, Debug)]
pub struct SeededAlerts {
    pub saved_searches: i64,
    pub profile_matches: i64,
}

/// Deletes every alert and match: a fresh start for the next set.
pub async fn clear_alerts(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    diesel::sql_query("TRUNCATE alert_matches, alerts CASCADE").execute(conn).await?;
    Ok(())
}

/// Gives each seeker without an alert one daily alert of the set (see [`AlertSet`]).
pub async fn seed_alerts(conn: &mut AsyncPgConnection, set: AlertSet) -> Result<SeededAlerts, StoreError> {
    let sql = match set {
        AlertSet::Stress => STRESS,
        AlertSet::Realistic => REALISTIC,
    };
    diesel::sql_query(sql).execute(conn).await?;
    diesel::sql_query("ANALYZE alerts").execute(conn).await?;
    let searches: Count =
        diesel::sql_query("SELECT count(*) AS n FROM alerts WHERE query IS NOT NULL").get_result(conn).await?;
    let profiles: Count = diesel::sql_query("SELECT count(*) AS n FROM alerts WHERE query IS NULL AND match_profile")
        .get_result(conn)
        .await?;
    Ok(SeededAlerts { saved_searches: searches.n, profile_matches: profiles.n })
}

/// The permissive set of issue 4.
const STRESS: &str = "
    INSERT INTO alerts (id, seeker_id, name, query, match_profile, frequency)
    SELECT gen_random_uuid(), p.user_id,
           CASE WHEN hashtext(p.user_id::text) % 2 = 0 THEN 'Benchmark search' ELSE 'Benchmark profile match' END,
           CASE WHEN hashtext(p.user_id::text) % 2 = 0 THEN jsonb_build_object(
               'q', NULL,
               'skills', coalesce((SELECT jsonb_agg(jsonb_build_object('skill_id', s.skill_id, 'name', s.name))
                                   FROM (SELECT skill_id, name FROM profile_skills ps
                                         WHERE ps.seeker_id = p.user_id AND ps.skill_id IS NOT NULL
                                         ORDER BY position LIMIT 2) s), '[]'::jsonb),
               'sectors', '[]'::jsonb, 'country', p.country, 'city', NULL, 'remote', NULL) END,
           hashtext(p.user_id::text) % 2 <> 0, 'daily'
    FROM seeker_profiles p
    WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.seeker_id = p.user_id)";

/// The realistic set; `h` picks each seeker's kind of alert deterministically.
const REALISTIC: &str = "
    WITH holders AS (
        SELECT skill_id, count(*) AS n FROM profile_skills WHERE skill_id IS NOT NULL GROUP BY skill_id
    ), seekers AS (
        SELECT p.user_id, p.headline, p.open_to_sectors, abs(hashtext(p.user_id::text || ':alert')) % 100 AS h,
               coalesce(d.country, p.country) AS country, d.city
        FROM seeker_profiles p
        LEFT JOIN LATERAL (SELECT country, city FROM profile_desired_locations d
                           WHERE d.seeker_id = p.user_id ORDER BY position LIMIT 1) d ON true
        WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.seeker_id = p.user_id)
    )
    INSERT INTO alerts (id, seeker_id, name, query, match_profile, frequency)
    SELECT gen_random_uuid(), s.user_id,
           CASE WHEN s.h < 40 THEN 'Benchmark specific skills' WHEN s.h < 60 THEN 'Benchmark free text'
                ELSE 'Benchmark profile match nearby' END,
           jsonb_build_object(
               'q', CASE WHEN s.h >= 40 AND s.h < 60 THEN nullif(split_part(s.headline, ' in ', 2), '') END,
               'skills', CASE WHEN s.h < 40 THEN coalesce(
                   (SELECT jsonb_agg(jsonb_build_object('skill_id', r.skill_id, 'name', r.name))
                    FROM (SELECT ps.skill_id, ps.name FROM profile_skills ps JOIN holders c USING (skill_id)
                          WHERE ps.seeker_id = s.user_id ORDER BY c.n, ps.skill_id LIMIT 2) r), '[]'::jsonb)
                   ELSE '[]'::jsonb END,
               'sectors', CASE WHEN s.h >= 60 OR s.h % 3 = 0 THEN to_jsonb(s.open_to_sectors) ELSE '[]'::jsonb END,
               'country', s.country,
               'city', CASE WHEN s.h % 2 = 0 THEN s.city END,
               'remote', NULL),
           s.h >= 60, 'daily'
    FROM seekers s";

/// What matching the sample jobs took.
#[derive(Clone, Debug)]
pub struct MatchTimings {
    /// Loading every alert (and the profile matches' owners' skills) into the percolator.
    pub load: Duration,
    pub alerts_loaded: u64,
    /// Per job: its facts and matching it in memory.
    pub per_job: Vec<Duration>,
    /// Matches found per job.
    pub matches: Vec<usize>,
    /// Recording the matches of all jobs as pending, chunk by chunk.
    pub record: Duration,
    pub recorded: usize,
}

impl MatchTimings {
    /// The `q`-quantile of the per-job times (0.5, 0.99...).
    pub fn quantile(&self, q: f64) -> Duration {
        let mut sorted = self.per_job.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1).min(sorted.len().saturating_sub(1));
        sorted.get(index).copied().unwrap_or_default()
    }

    pub fn mean_matches(&self) -> f64 {
        self.matches.iter().sum::<usize>() as f64 / self.matches.len().max(1) as f64
    }

    /// The share of all alerts the average job matches, in percent.
    pub fn match_percent(&self) -> f64 {
        100.0 * self.mean_matches() / self.alerts_loaded.max(1) as f64
    }
}

/// Matches recorded per statement batch in [`time_matching`]: memory stays bounded however many jobs are run.
const RECORD_CHUNK: usize = 100_000;

/// Matches `jobs` published jobs (a fixed sample) one at a time against every alert; with `record`, records the
/// matches as pending, in chunks, as it goes (untimed per job, timed in all).
pub async fn time_matching(pool: &DbPool, jobs: i64, record: bool) -> Result<MatchTimings, AlertError> {
    let mut conn = pool.get().await.map_err(StoreError::from)?;
    let mut percolator = Percolator::new();
    let started = Instant::now();
    load_percolator(&mut conn, &mut percolator).await?;
    let load = started.elapsed();
    let ids: Vec<Id> =
        diesel::sql_query("SELECT id FROM jobs WHERE status = 'published' ORDER BY hashtext(id::text), id LIMIT $1")
            .bind::<BigInt, _>(jobs)
            .load(&mut conn)
            .await?;
    let ids: Vec<Uuid> = ids.into_iter().map(|i| i.id).collect();
    let (mut per_job, mut matches, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    let (mut record_time, mut recorded) = (Duration::ZERO, 0);
    for chunk in ids.chunks(500) {
        for job in crate::jobs::load_jobs(&mut conn, chunk).await? {
            let started = Instant::now();
            let Some(facts) = JobFacts::of(&job, percolator.analyzers(), Utc::now()) else { continue };
            let found = match_job(&percolator, &facts);
            per_job.push(started.elapsed());
            matches.push(found.len());
            if record {
                rows.extend(found.iter().map(|m| m.pending(job.id)));
            }
            if rows.len() >= RECORD_CHUNK {
                let started = Instant::now();
                recorded += store::insert_new_matches(&mut conn, &rows).await?.len();
                record_time += started.elapsed();
                rows.clear();
            }
        }
    }
    let started = Instant::now();
    recorded += store::insert_new_matches(&mut conn, &rows).await?.len();
    record_time += started.elapsed();
    Ok(MatchTimings { load, alerts_loaded: percolator.len(), per_job, matches, record: record_time, recorded })
}

/// Sends the daily digests of every pending match and says how long it took.
pub async fn time_digest(pool: &DbPool, mailer: &AlertMailer) -> Result<(Duration, DigestReport), AlertError> {
    let started = Instant::now();
    let report = digest::send_due(pool, mailer, Frequency::Daily).await?;
    Ok((started.elapsed(), report))
}

/// How many seekers have pending matches: the digest's audience.
pub async fn seekers_with_pending(conn: &mut AsyncPgConnection) -> Result<i64, StoreError> {
    let row: Count = diesel::sql_query(
        "SELECT count(DISTINCT a.seeker_id) AS n FROM alert_matches m JOIN alerts a ON a.id = m.alert_id
         WHERE m.status = 'pending'",
    )
    .get_result(conn)
    .await?;
    Ok(row.n)
}

/// A one-line summary of the per-job times, for printing.
pub fn summary(t: &MatchTimings) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "{} alerts loaded in {:.1} s; {} jobs: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.0} matches per \
         job on average ({:.3} % of the alerts); recording {} of them took {:.1} s",
        t.alerts_loaded,
        t.load.as_secs_f64(),
        t.per_job.len(),
        ms(t.quantile(0.5)),
        ms(t.quantile(0.95)),
        ms(t.quantile(0.99)),
        ms(t.quantile(1.0)),
        t.mean_matches(),
        t.match_percent(),
        t.recorded,
        t.record.as_secs_f64()
    )
}
