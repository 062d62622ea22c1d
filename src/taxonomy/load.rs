//! Loads the embedded taxonomy (life-science list, ESCO collections, JobTech concepts) into an empty database.

use std::time::Instant;

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::sources::Taxonomy;
use super::store;
use crate::db::{DbPool, StoreError};

/// Loads the taxonomy if the database has none yet, in one transaction; a second process starting at the same time
/// waits for the first and then finds the work done. Skills are never reloaded once present, because profiles and
/// jobs refer to them.
pub async fn ensure_loaded(pool: &DbPool) -> Result<(), StoreError> {
    let mut conn = pool.get().await?;
    if store::has_skills(&mut conn).await? && store::has_jobtech_concepts(&mut conn).await? {
        return Ok(());
    }
    let started = Instant::now();
    // The sources are compiled in and parsed by the unit tests, so this fails only on a broken build.
    let taxonomy =
        Taxonomy::embedded().map_err(|e| StoreError::Query(diesel::result::Error::DeserializationError(e.into())))?;
    let loaded =
        conn.transaction::<_, StoreError, _>(|conn| async move { load(conn, &taxonomy).await }.scope_boxed()).await?;
    if let Some(counts) = loaded {
        tracing::info!(
            skills = counts.skills,
            skill_labels = counts.labels,
            jobtech_concepts = counts.jobtech_concepts,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "loaded the skills taxonomy"
        );
    }
    Ok(())
}

/// How many rows a load wrote.
struct Counts {
    skills: usize,
    labels: usize,
    jobtech_concepts: usize,
}

/// Writes what is missing under the loading lock; `None` when another process had already done it.
async fn load(conn: &mut AsyncPgConnection, taxonomy: &Taxonomy) -> Result<Option<Counts>, StoreError> {
    store::lock_for_loading(conn).await?;
    let mut counts = Counts { skills: 0, labels: 0, jobtech_concepts: 0 };
    if !store::has_skills(conn).await? {
        store::insert_skills(conn, &taxonomy.skills).await?;
        store::insert_skill_labels(conn, &taxonomy.labels).await?;
        counts.skills = taxonomy.skills.len();
        counts.labels = taxonomy.labels.len();
    }
    if !store::has_jobtech_concepts(conn).await? {
        store::insert_jobtech_concepts(conn, &taxonomy.jobtech_concepts).await?;
        counts.jobtech_concepts = taxonomy.jobtech_concepts.len();
    }
    let wrote_anything = counts.skills + counts.jobtech_concepts > 0;
    if wrote_anything {
        store::analyze_taxonomy(conn).await?;
    }
    Ok(wrote_anything.then_some(counts))
}
