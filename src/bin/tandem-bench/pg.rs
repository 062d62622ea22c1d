//! The PostgreSQL full-text side: one tsvector per searchable profile (skill ids as exact lexemes, skill labels,
//! headline, summary, experience and education as English text), a GIN index, and top-20 searches by ts_rank
//! through prepared statements.

use std::time::Instant;

use serde::Serialize;
use tokio_postgres::{Client, Statement};

use crate::queries::Query;

/// What building the full-text table and its index cost.
#[derive(Clone, Debug, Serialize)]
pub struct PgBuild {
    pub documents: i64,
    pub table_seconds: f64,
    pub index_seconds: f64,
    /// Heap and TOAST of the table: the tsvectors (and the ids).
    pub table_bytes: i64,
    pub gin_bytes: i64,
}

impl PgBuild {
    pub fn documents_per_second(&self) -> f64 {
        self.documents as f64 / (self.table_seconds + self.index_seconds).max(1e-9)
    }
}

/// Skill ids go in as exact lexemes with weight A, written as tsvector literals: the 'simple' configuration
/// would split ids such as `esco:…` or `jobtech:…` at their punctuation, and `array_to_tsvector` gives lexemes
/// without positions, which ts_rank scores as zero. Every label of each skill, as tantivy indexes them, goes in
/// as English text.
const BUILD_TABLE: &str = "
CREATE TABLE bench_skill_text AS
    SELECT skill_id, string_agg(label, ' ') AS labels FROM skill_labels GROUP BY skill_id;
ALTER TABLE bench_skill_text ADD PRIMARY KEY (skill_id);
CREATE TABLE bench_fts AS
SELECT p.candidate_id,
       coalesce(s.ids, '')::tsvector
       || setweight(to_tsvector('english', coalesce(s.labels, '')), 'B')
       || setweight(to_tsvector('english', p.headline), 'C')
       || setweight(to_tsvector('english', concat_ws(' ', p.summary, x.texts, e.texts)), 'D') AS doc
FROM seeker_profiles p
LEFT JOIN LATERAL (
    SELECT string_agg(format('''%s'':%sA', replace(ps.skill_id, '''', ''''''), ps.position + 1), ' ')
               FILTER (WHERE ps.skill_id IS NOT NULL) AS ids,
           string_agg(concat_ws(' ', ps.name, t.labels), ' ') AS labels
    FROM profile_skills ps LEFT JOIN bench_skill_text t ON t.skill_id = ps.skill_id
    WHERE ps.seeker_id = p.user_id
) s ON true
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', title, organization, description), ' ') AS texts
    FROM profile_experience WHERE seeker_id = p.user_id
) x ON true
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', degree, field, institution), ' ') AS texts
    FROM profile_education WHERE seeker_id = p.user_id
) e ON true
WHERE p.searchable;
";

/// Drops and rebuilds the table and its GIN index, timing each.
pub async fn build(client: &Client) -> anyhow::Result<PgBuild> {
    client.batch_execute("DROP TABLE IF EXISTS bench_fts; DROP TABLE IF EXISTS bench_skill_text;").await?;
    let started = Instant::now();
    client.batch_execute(BUILD_TABLE).await?;
    let table_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    client.batch_execute("CREATE INDEX bench_fts_doc ON bench_fts USING gin (doc)").await?;
    let index_seconds = started.elapsed().as_secs_f64();
    client.batch_execute("VACUUM ANALYZE bench_fts").await?;
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM bench_fts), pg_table_size('bench_fts'), pg_indexes_size('bench_fts')",
            &[],
        )
        .await?;
    Ok(PgBuild { documents: row.get(0), table_seconds, index_seconds, table_bytes: row.get(1), gin_bytes: row.get(2) })
}

/// Whether an earlier run left the full-text table and its index.
pub async fn exists(client: &Client) -> anyhow::Result<bool> {
    let row = client.query_one("SELECT to_regclass('bench_fts_doc') IS NOT NULL", &[]).await?;
    Ok(row.get(0))
}

/// The two prepared searches.
pub struct PgSearch {
    skills: Statement,
    text: Statement,
}

impl PgSearch {
    pub async fn prepare(client: &Client) -> anyhow::Result<Self> {
        let skills = client
            .prepare(
                "SELECT candidate_id, ts_rank(doc, q) AS rank FROM bench_fts, CAST($1::text AS tsquery) AS q \
                 WHERE doc @@ q ORDER BY rank DESC LIMIT 20",
            )
            .await?;
        // Any of the words, as tantivy's parser reads free text: plainto_tsquery's ANDs turned into ORs.
        let text = client
            .prepare(
                "SELECT candidate_id, ts_rank(doc, q) AS rank FROM bench_fts, \
                 CAST(replace(plainto_tsquery('english', $1::text)::text, ' & ', ' | ') AS tsquery) AS q \
                 WHERE doc @@ q ORDER BY rank DESC LIMIT 20",
            )
            .await?;
        Ok(Self { skills, text })
    }

    /// Runs one query; returns how many rows came back.
    pub async fn run(&self, client: &Client, query: &Query) -> anyhow::Result<usize> {
        let rows = match query {
            Query::Skills(skills) => {
                let any: Vec<String> = skills.iter().map(|s| format!("'{}'", s.id.replace('\'', "''"))).collect();
                client.query(&self.skills, &[&any.join(" | ")]).await?
            }
            Query::Text(text) => client.query(&self.text, &[text]).await?,
        };
        Ok(rows.len())
    }
}
