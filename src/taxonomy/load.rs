//! Loads the embedded taxonomy (life-science list, ESCO collections, JobTech concepts) into an empty database, and
//! the mapping tables (links between skills, Swedish ESCO labels) into any database that lacks them.

use std::time::Instant;

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::mappings::Mappings;
use super::sources::{SourceError, Taxonomy};
use super::store;
use crate::db::{DbPool, StoreError};

/// Loads the taxonomy if the database has none yet, and the mapping tables if it has no links between skills yet,
/// in one transaction; a second process starting at the same time waits for the first and then finds the work
/// done. Skills are never reloaded once present, because profiles and jobs refer to them; the mappings only add
/// (links, and Swedish labels where a skill has none), so filling them into an older database is safe.
/// Returns what it wrote, `None` when nothing was missing.
pub async fn ensure_loaded(pool: &DbPool) -> Result<Option<Counts>, StoreError> {
    let mut conn = pool.get().await?;
    if is_complete(&mut conn).await? {
        return Ok(None);
    }
    let started = Instant::now();
    // The sources are compiled in and parsed by the unit tests, so this fails only on a broken build.
    let sources =
        Sources::embedded().map_err(|e| StoreError::Query(diesel::result::Error::DeserializationError(e.into())))?;
    let loaded =
        conn.transaction::<_, StoreError, _>(|conn| async move { load(conn, &sources).await }.scope_boxed()).await?;
    if let Some(counts) = &loaded {
        tracing::info!(
            skills = counts.skills,
            skill_labels = counts.labels,
            jobtech_concepts = counts.jobtech_concepts,
            skill_links = counts.links,
            swedish_labels = counts.swedish_labels,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "loaded the skills taxonomy"
        );
    }
    Ok(loaded)
}

async fn is_complete(conn: &mut AsyncPgConnection) -> Result<bool, StoreError> {
    Ok(store::has_skills(conn).await?
        && store::has_jobtech_concepts(conn).await?
        && store::has_skill_links(conn).await?)
}

/// Every embedded source, parsed.
struct Sources {
    taxonomy: Taxonomy,
    mappings: Mappings,
}

impl Sources {
    fn embedded() -> Result<Self, SourceError> {
        Ok(Self { taxonomy: Taxonomy::embedded()?, mappings: Mappings::embedded()? })
    }
}

/// How many rows a load wrote.
#[derive(Debug, Default, PartialEq)]
pub struct Counts {
    pub skills: usize,
    pub labels: usize,
    pub jobtech_concepts: usize,
    pub links: usize,
    /// Skills that got a Swedish label from the mapping.
    pub swedish_labels: usize,
}

/// Writes what is missing under the loading lock; `None` when another process had already done it.
async fn load(conn: &mut AsyncPgConnection, sources: &Sources) -> Result<Option<Counts>, StoreError> {
    store::lock_for_loading(conn).await?;
    let taxonomy = &sources.taxonomy;
    let mut counts = Counts::default();
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
    if !store::has_skill_links(conn).await? {
        fill_mappings(conn, sources, &mut counts).await?;
    }
    let wrote_anything = counts.skills + counts.jobtech_concepts + counts.links + counts.swedish_labels > 0;
    if wrote_anything {
        store::analyze_taxonomy(conn).await?;
    }
    Ok(wrote_anything.then_some(counts))
}

/// Adds what the mapping tables give and the database lacks: Swedish labels of skills without one, and the links
/// between skills it has. Running it again adds nothing.
async fn fill_mappings(conn: &mut AsyncPgConnection, sources: &Sources, counts: &mut Counts) -> Result<(), StoreError> {
    let Sources { taxonomy, mappings } = sources;
    counts.swedish_labels = store::fill_swedish_labels(conn, &mappings.swedish_within(taxonomy)).await?;
    counts.links = store::insert_skill_links(conn, &mappings.links_within(taxonomy)).await?;
    Ok(())
}
