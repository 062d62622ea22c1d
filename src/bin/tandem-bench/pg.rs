//! The PostgreSQL full-text side: one tsvector per searchable profile (skill ids as exact lexemes, skill labels,
//! headline, summary, experience and education as English text) beside the columns the filters need (countries
//! lived in or wanted, languages at every level reached), one per published job likewise, GIN indexes, and top-20
//! searches by ts_rank through prepared statements. Free text requires every word, as the engine does.

use std::time::Instant;

use serde::Serialize;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Statement};

use crate::queries::{Class, Query};

/// What building the full-text tables and their indexes cost.
#[derive(Clone, Debug, Serialize)]
pub struct PgBuild {
    pub documents: i64,
    pub table_seconds: f64,
    pub index_seconds: f64,
    /// Heap and TOAST of the table: the tsvectors, the ids and the filter columns.
    pub table_bytes: i64,
    /// Every index of the table: the tsvectors' GIN and the filter columns' GINs.
    pub gin_bytes: i64,
    pub jobs: i64,
    pub jobs_seconds: f64,
}

impl PgBuild {
    pub fn documents_per_second(&self) -> f64 {
        self.documents as f64 / (self.table_seconds + self.index_seconds).max(1e-9)
    }
}

/// A profile's countries, as the engine indexes them: the home country and every desired one, upper case.
macro_rules! countries_of_p {
    () => {
        "(SELECT array_agg(DISTINCT upper(c)) FROM (
             SELECT p.country AS c UNION ALL
             SELECT d.country FROM profile_desired_locations d WHERE d.seeker_id = p.user_id) cs)"
    };
}

/// A profile's languages, as the engine indexes them: `code:level` for every CEFR level up to the one reached
/// (`native` above C2), so that "B2 or better" is one element.
macro_rules! languages_of_p {
    () => {
        "coalesce((SELECT array_agg(lower(l.code) || ':' || v.level)
                   FROM profile_languages l
                   CROSS JOIN LATERAL unnest('{A1,A2,B1,B2,C1,C2,native}'::text[]) WITH ORDINALITY AS v(level, r)
                   WHERE l.seeker_id = p.user_id
                     AND v.r <= coalesce(array_position('{A1,A2,B1,B2,C1,C2,native}'::text[], l.level), 1)),
                  '{}')"
    };
}

/// Skill ids go in as exact lexemes with weight A, written as tsvector literals: the 'simple' configuration
/// would split ids such as `esco:…` or `jobtech:…` at their punctuation, and `array_to_tsvector` gives lexemes
/// without positions, which ts_rank scores as zero. Every label of each skill, as tantivy indexes them, goes in
/// as English text. The filter columns sit beside the tsvector.
const BUILD_TABLE: &str = concat!(
    "
CREATE TABLE bench_skill_text AS
    SELECT skill_id, string_agg(label, ' ') AS labels FROM skill_labels GROUP BY skill_id;
ALTER TABLE bench_skill_text ADD PRIMARY KEY (skill_id);
CREATE TABLE bench_fts AS
SELECT p.candidate_id,
       coalesce(s.ids, '')::tsvector
       || setweight(to_tsvector('english', coalesce(s.labels, '')), 'B')
       || setweight(to_tsvector('english', p.headline), 'C')
       || setweight(to_tsvector('english', concat_ws(' ', p.summary, x.texts, e.texts)), 'D') AS doc,
       ",
    countries_of_p!(),
    " AS countries,
       ",
    languages_of_p!(),
    " AS langs
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
"
);

const FILTER_INDEXES: &str = "
CREATE INDEX bench_fts_countries ON bench_fts USING gin (countries);
CREATE INDEX bench_fts_langs ON bench_fts USING gin (langs);
";

/// Gives a table an older benchmark built (tsvectors only) the filter columns, without rebuilding the text
/// (`--reuse` and `--reindex`).
const ADD_FILTERS: &str = concat!(
    "
ALTER TABLE bench_fts ADD COLUMN countries text[], ADD COLUMN langs text[];
UPDATE bench_fts f SET countries = ",
    countries_of_p!(),
    ", langs = ",
    languages_of_p!(),
    "
FROM seeker_profiles p WHERE p.candidate_id = f.candidate_id;
"
);

/// Published jobs: skill ids as exact lexemes, the title weighted above the description and organisation.
const BUILD_JOBS: &str = "
DROP TABLE IF EXISTS bench_job_fts;
CREATE TABLE bench_job_fts AS
SELECT j.id,
       coalesce(s.ids, '')::tsvector
       || setweight(to_tsvector('english', j.title), 'B')
       || setweight(to_tsvector('english', concat_ws(' ', j.description, o.name, s.names)), 'D') AS doc
FROM jobs j
JOIN organizations o ON o.id = j.organization_id
LEFT JOIN LATERAL (
    SELECT string_agg(format('''%s'':%sA', replace(js.skill_id, '''', ''''''), js.position + 1), ' ')
               FILTER (WHERE js.skill_id IS NOT NULL) AS ids,
           string_agg(js.name, ' ') AS names
    FROM job_skills js WHERE js.job_id = j.id
) s ON true
WHERE j.status = 'published' AND (j.closes_at IS NULL OR j.closes_at > now());
CREATE INDEX bench_job_fts_doc ON bench_job_fts USING gin (doc);
";

/// How much of the full-text tables an earlier run left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Missing,
    /// The candidate tsvectors without the filter columns or the job table (made by an older benchmark).
    Partial,
    Current,
}

pub async fn state(client: &Client) -> anyhow::Result<State> {
    let row = client
        .query_one(
            "SELECT to_regclass('bench_fts_doc') IS NOT NULL, to_regclass('bench_fts_langs') IS NOT NULL, \
             to_regclass('bench_job_fts_doc') IS NOT NULL",
            &[],
        )
        .await?;
    Ok(match (row.get(0), row.get(1), row.get(2)) {
        (false, _, _) => State::Missing,
        (true, true, true) => State::Current,
        _ => State::Partial,
    })
}

/// Drops and rebuilds every table and index, timing each.
pub async fn build(client: &Client) -> anyhow::Result<PgBuild> {
    client.batch_execute("DROP TABLE IF EXISTS bench_fts; DROP TABLE IF EXISTS bench_skill_text;").await?;
    let started = Instant::now();
    client.batch_execute(BUILD_TABLE).await?;
    let table_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    client.batch_execute("CREATE INDEX bench_fts_doc ON bench_fts USING gin (doc)").await?;
    client.batch_execute(FILTER_INDEXES).await?;
    let index_seconds = started.elapsed().as_secs_f64();
    client.batch_execute("VACUUM ANALYZE bench_fts").await?;
    let started = Instant::now();
    build_jobs(client).await?;
    let jobs_seconds = started.elapsed().as_secs_f64();
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM bench_fts), pg_table_size('bench_fts'), pg_indexes_size('bench_fts'), \
             (SELECT count(*) FROM bench_job_fts)",
            &[],
        )
        .await?;
    Ok(PgBuild {
        documents: row.get(0),
        table_seconds,
        index_seconds,
        table_bytes: row.get(1),
        gin_bytes: row.get(2),
        jobs: row.get(3),
        jobs_seconds,
    })
}

/// Completes a table an older benchmark built: the filter columns and the job table, without the tsvectors.
pub async fn complete(client: &Client) -> anyhow::Result<()> {
    let has_filters: bool = client.query_one("SELECT to_regclass('bench_fts_langs') IS NOT NULL", &[]).await?.get(0);
    if !has_filters {
        client.batch_execute(ADD_FILTERS).await?;
        client.batch_execute(FILTER_INDEXES).await?;
        client.batch_execute("VACUUM ANALYZE bench_fts").await?;
    }
    build_jobs(client).await
}

/// (VACUUM cannot share a multi-statement batch: that runs as one transaction.)
async fn build_jobs(client: &Client) -> anyhow::Result<()> {
    client.batch_execute(BUILD_JOBS).await?;
    client.batch_execute("VACUUM ANALYZE bench_job_fts").await?;
    Ok(())
}

const RANKED: &str = "SELECT candidate_id, ts_rank(doc, q) AS rank FROM bench_fts, ";
const RANKED_JOBS: &str = "SELECT id, ts_rank(doc, q) AS rank FROM bench_job_fts, ";
/// Skill ids ORed as a tsquery literal.
const ANY_SKILL: &str = "CAST($1::text AS tsquery) AS q WHERE doc @@ q";
/// Every word required, as the engine reads free text.
const ALL_WORDS: &str = "plainto_tsquery('english', $1::text) AS q WHERE doc @@ q";
const TOP: &str = " ORDER BY rank DESC LIMIT 20";

/// The prepared searches, one per shape of query.
pub struct PgSearch {
    skills: Statement,
    text: Statement,
    filtered: Statement,
    job_skills: Statement,
    job_text: Statement,
}

impl PgSearch {
    pub async fn prepare(client: &Client) -> anyhow::Result<Self> {
        let filtered =
            format!("{RANKED}{ANY_SKILL} AND countries @> ARRAY[$2::text] AND langs @> ARRAY[$3::text]{TOP}");
        Ok(Self {
            skills: client.prepare(&format!("{RANKED}{ANY_SKILL}{TOP}")).await?,
            text: client.prepare(&format!("{RANKED}{ALL_WORDS}{TOP}")).await?,
            filtered: client.prepare(&filtered).await?,
            job_skills: client.prepare(&format!("{RANKED_JOBS}{ANY_SKILL}{TOP}")).await?,
            job_text: client.prepare(&format!("{RANKED_JOBS}{ALL_WORDS}{TOP}")).await?,
        })
    }

    /// Runs one query of `class`; returns how many rows came back.
    pub async fn run(&self, client: &Client, class: Class, query: &Query) -> anyhow::Result<usize> {
        let any: Vec<String> = query.skills.iter().map(|s| format!("'{}'", s.id.replace('\'', "''"))).collect();
        let any = any.join(" | ");
        let text = query.text.clone().unwrap_or_default();
        let country = query.country.clone().unwrap_or_default();
        let language = query.language.as_ref().map(|(code, level)| format!("{code}:{level}")).unwrap_or_default();
        let (statement, params): (&Statement, Vec<&(dyn ToSql + Sync)>) = match class {
            Class::Filtered => (&self.filtered, vec![&any, &country, &language]),
            Class::FreeText => (&self.text, vec![&text]),
            Class::JobText => (&self.job_text, vec![&text]),
            Class::JobSkills => (&self.job_skills, vec![&any]),
            Class::RareSkill | Class::CommonSkill | Class::ThreeSkills => (&self.skills, vec![&any]),
        };
        Ok(client.query(statement, &params).await?.len())
    }
}
