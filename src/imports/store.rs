//! SQL of the imports feature: near-duplicate fingerprints of imported jobs and the position of followed feeds.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt};
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::StoreError;
use crate::schema::{import_feeds, job_fingerprint_bands, job_fingerprints};

/// An imported job that shares a band key with a new ad: a candidate duplicate, still to be checked.
#[derive(Debug, Queryable)]
pub struct Candidate {
    pub job_id: Uuid,
    pub source: String,
    pub fingerprint: Vec<u8>,
}

/// A fingerprint to record for a new imported job.
pub struct NewFingerprint<'a> {
    pub job_id: Uuid,
    pub source: &'a str,
    pub fingerprint: Vec<u8>,
    pub band_keys: Vec<i64>,
}

/// Imported jobs (open or closed) sharing any of the band keys, each once; with `other_than`, only those of
/// other boards (a board's own ads are never merged with each other).
pub async fn candidates(
    conn: &mut AsyncPgConnection,
    band_keys: &[i64],
    other_than: Option<&str>,
) -> Result<Vec<Candidate>, StoreError> {
    if band_keys.is_empty() {
        return Ok(Vec::new());
    }
    let sharing = job_fingerprint_bands::table
        .filter(job_fingerprint_bands::band_key.eq_any(band_keys))
        .select(job_fingerprint_bands::job_id);
    let mut query = job_fingerprints::table
        .filter(job_fingerprints::job_id.eq_any(sharing))
        .select((job_fingerprints::job_id, job_fingerprints::source, job_fingerprints::fingerprint))
        .into_boxed();
    if let Some(source) = other_than {
        query = query.filter(job_fingerprints::source.ne(source));
    }
    Ok(query.load(conn).await?)
}

/// Records new jobs' fingerprints and band keys.
pub async fn insert_fingerprints(conn: &mut AsyncPgConnection, new: &[NewFingerprint<'_>]) -> Result<(), StoreError> {
    if new.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = new
        .iter()
        .map(|f| {
            (
                job_fingerprints::job_id.eq(f.job_id),
                job_fingerprints::source.eq(f.source),
                job_fingerprints::fingerprint.eq(&f.fingerprint),
            )
        })
        .collect();
    diesel::insert_into(job_fingerprints::table).values(rows).execute(conn).await?;
    let mut pairs: Vec<(i64, Uuid)> = new.iter().flat_map(|f| f.band_keys.iter().map(|k| (*k, f.job_id))).collect();
    pairs.sort_unstable();
    pairs.dedup();
    let (keys, jobs): (Vec<i64>, Vec<Uuid>) = pairs.into_iter().unzip();
    diesel::sql_query(
        "INSERT INTO job_fingerprint_bands (band_key, job_id) SELECT * FROM unnest($1::int8[], $2::uuid[]) \
         ON CONFLICT DO NOTHING",
    )
    .bind::<Array<BigInt>, _>(keys)
    .bind::<Array<diesel::sql_types::Uuid>, _>(jobs)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces an updated job's fingerprint.
pub async fn replace_fingerprint(conn: &mut AsyncPgConnection, new: &NewFingerprint<'_>) -> Result<(), StoreError> {
    diesel::delete(job_fingerprint_bands::table.filter(job_fingerprint_bands::job_id.eq(new.job_id)))
        .execute(conn)
        .await?;
    diesel::delete(job_fingerprints::table.find(new.job_id)).execute(conn).await?;
    insert_fingerprints(conn, std::slice::from_ref(new)).await
}

/// How far a feed has been imported, if it ever was.
pub async fn feed_position(conn: &mut AsyncPgConnection, feed: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(import_feeds::table.find(feed).select(import_feeds::synced_until).first(conn).await.optional()?)
}

/// Moves a feed's position; call it in the transaction that imported up to there.
pub async fn set_feed_position(
    conn: &mut AsyncPgConnection,
    feed: &str,
    until: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(import_feeds::table)
        .values((
            import_feeds::name.eq(feed),
            import_feeds::synced_until.eq(until),
            import_feeds::updated_at.eq(Utc::now()),
        ))
        .on_conflict(import_feeds::name)
        .do_update()
        .set((
            import_feeds::synced_until.eq(excluded(import_feeds::synced_until)),
            import_feeds::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Refreshes the planner's statistics of the fingerprint tables (see `jobs::imported::refresh_statistics`).
pub async fn refresh_statistics(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    diesel::sql_query("ANALYZE job_fingerprints, job_fingerprint_bands").execute(conn).await?;
    Ok(())
}
