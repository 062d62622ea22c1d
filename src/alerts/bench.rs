//! In-process benchmarks of alerts, for `tandem-bench` or an ignored test: one new job matched against every
//! alert, and a daily digest run.
//!
//! [`seed_alerts`] gives every seeker already in the database (the synthetic ones of `seed --synthetic N`) one
//! daily alert: half a saved search for two of their own skills in their own country, half a profile match.
//! [`time_matching`] then matches sample jobs one at a time, as the matcher does, and records the matches as
//! pending; [`time_digest`] sends the daily digests those make.

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

/// How many alerts of each kind [`seed_alerts`] made.
#[derive(Clone, Copy, Debug)]
pub struct SeededAlerts {
    pub saved_searches: i64,
    pub profile_matches: i64,
}

/// Gives each seeker without an alert one daily alert (see the module documentation).
pub async fn seed_alerts(conn: &mut AsyncPgConnection) -> Result<SeededAlerts, StoreError> {
    let saved_searches = diesel::sql_query(
        "INSERT INTO alerts (id, seeker_id, name, query, match_profile, frequency)
         SELECT gen_random_uuid(), p.user_id, 'Benchmark search',
                jsonb_build_object(
                    'q', NULL,
                    'skills', coalesce((SELECT jsonb_agg(jsonb_build_object('skill_id', s.skill_id, 'name', s.name))
                                        FROM (SELECT skill_id, name FROM profile_skills ps
                                              WHERE ps.seeker_id = p.user_id AND ps.skill_id IS NOT NULL
                                              ORDER BY position LIMIT 2) s), '[]'::jsonb),
                    'sectors', '[]'::jsonb, 'country', p.country, 'city', NULL, 'remote', NULL),
                false, 'daily'
         FROM seeker_profiles p
         WHERE hashtext(p.user_id::text) % 2 = 0
           AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.seeker_id = p.user_id)",
    )
    .execute(conn)
    .await?;
    let profile_matches = diesel::sql_query(
        "INSERT INTO alerts (id, seeker_id, name, query, match_profile, frequency)
         SELECT gen_random_uuid(), p.user_id, 'Benchmark profile match', NULL, true, 'daily'
         FROM seeker_profiles p
         WHERE hashtext(p.user_id::text) % 2 <> 0
           AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.seeker_id = p.user_id)",
    )
    .execute(conn)
    .await?;
    diesel::sql_query("ANALYZE alerts").execute(conn).await?;
    Ok(SeededAlerts { saved_searches: saved_searches as i64, profile_matches: profile_matches as i64 })
}

/// What matching the sample jobs took.
#[derive(Clone, Debug)]
pub struct MatchTimings {
    /// Loading every saved search into the percolator.
    pub load: Duration,
    pub searches_loaded: u64,
    /// Per job: facts, percolation, profile lookup, exact tests and loading the matched alerts' owners.
    pub per_job: Vec<Duration>,
    /// Matches found per job.
    pub matches: Vec<usize>,
    /// Recording the matches of all jobs as pending.
    pub record: Duration,
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
}

/// Matches `jobs` published jobs (a fixed sample) one at a time against every alert and records the matches.
pub async fn time_matching(pool: &DbPool, jobs: i64) -> Result<MatchTimings, AlertError> {
    let mut conn = pool.get().await.map_err(StoreError::from)?;
    let percolator = Percolator::new()?;
    let started = Instant::now();
    load_percolator(&mut conn, &percolator).await?;
    let load = started.elapsed();
    let ids: Vec<Id> =
        diesel::sql_query("SELECT id FROM jobs WHERE status = 'published' ORDER BY hashtext(id::text), id LIMIT $1")
            .bind::<BigInt, _>(jobs)
            .load(&mut conn)
            .await?;
    let ids: Vec<Uuid> = ids.into_iter().map(|i| i.id).collect();
    let views = crate::jobs::load_jobs(&mut conn, &ids).await?;
    let (mut per_job, mut matches, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    for job in &views {
        let started = Instant::now();
        let Some(facts) = JobFacts::of(job, percolator.analyzers(), Utc::now()) else { continue };
        let found = match_job(&mut conn, &percolator, &facts).await?;
        per_job.push(started.elapsed());
        matches.push(found.matches.len());
        rows.extend(found.matches.iter().map(|m| m.pending(job.id)));
    }
    let started = Instant::now();
    store::insert_new_matches(&mut conn, &rows).await?;
    Ok(MatchTimings { load, searches_loaded: percolator.len(), per_job, matches, record: started.elapsed() })
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
        "{} searches loaded in {:.1} s; {} jobs: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {:.0} matches per \
         job on average; recording them took {:.1} s",
        t.searches_loaded,
        t.load.as_secs_f64(),
        t.per_job.len(),
        ms(t.quantile(0.5)),
        ms(t.quantile(0.95)),
        ms(t.quantile(0.99)),
        ms(t.quantile(1.0)),
        t.mean_matches(),
        t.record.as_secs_f64()
    )
}
