//! Queries over skills and their labels: bulk loading, resolution of names and ids, and autocomplete.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Text};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::links::Relation;
use super::mappings::{NewSkillLink, SwedishLabel};
use super::model::{ids_or_names, normalize, resolve_refs, Label, ResolvedSkill, SkillLabels, SkillRef, Suggest};
use crate::db::StoreError;
use crate::error::FieldError;
use crate::extract::LabelRow;
use crate::schema::{jobtech_concepts, skill_labels, skill_links, skills};

/// Rows per multi-row insert are chosen so that one statement stays well under PostgreSQL's 65,535 bind
/// parameters.
const MAX_BINDS_PER_INSERT: usize = 30_000;

#[derive(Clone, Debug, PartialEq, Insertable)]
#[diesel(table_name = skills)]
pub struct NewSkill {
    pub id: String,
    pub source: &'static str,
    pub label_en: Option<String>,
    pub label_sv: Option<String>,
    pub area: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Insertable)]
#[diesel(table_name = skill_labels)]
pub struct NewSkillLabel {
    pub skill_id: String,
    pub label: String,
    pub normalized: String,
    pub lang: &'static str,
    pub preferred: bool,
}

#[derive(Clone, Debug, PartialEq, Insertable)]
#[diesel(table_name = jobtech_concepts)]
pub struct NewJobtechConcept {
    pub concept_id: String,
    pub concept_type: String,
    pub label: String,
    pub legacy_ams_taxonomy_id: Option<String>,
}

/// Whether any skill is stored yet.
pub async fn has_skills(conn: &mut AsyncPgConnection) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(skills::table.select(skills::id))).get_result(conn).await?)
}

/// Whether any JobTech concept is stored yet.
pub async fn has_jobtech_concepts(conn: &mut AsyncPgConnection) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(jobtech_concepts::table.select(jobtech_concepts::concept_id)))
        .get_result(conn)
        .await?)
}

/// Whether any link between skills is stored yet.
pub async fn has_skill_links(conn: &mut AsyncPgConnection) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(skill_links::table.select(skill_links::skill_id))).get_result(conn).await?)
}

/// Holds a transaction-scoped lock so that two processes starting at once do not both load the taxonomy.
pub async fn lock_for_loading(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('tandem.taxonomy.load'))").execute(conn).await?;
    Ok(())
}

/// Refreshes the planner's statistics, so that the first autocomplete after a load already uses the trigram index.
pub async fn analyze_taxonomy(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    diesel::sql_query("ANALYZE skills, skill_labels, jobtech_concepts, skill_links").execute(conn).await?;
    Ok(())
}

pub async fn insert_skills(conn: &mut AsyncPgConnection, rows: &[NewSkill]) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_BINDS_PER_INSERT / 6) {
        diesel::insert_into(skills::table).values(chunk).execute(conn).await?;
    }
    Ok(())
}

pub async fn insert_skill_labels(conn: &mut AsyncPgConnection, rows: &[NewSkillLabel]) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_BINDS_PER_INSERT / 5) {
        diesel::insert_into(skill_labels::table).values(chunk).execute(conn).await?;
    }
    Ok(())
}

pub async fn insert_jobtech_concepts(
    conn: &mut AsyncPgConnection,
    rows: &[NewJobtechConcept],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_BINDS_PER_INSERT / 4) {
        diesel::insert_into(jobtech_concepts::table).values(chunk).execute(conn).await?;
    }
    Ok(())
}

/// Stores the links whose two skills are stored and that are not stored yet (either way round); returns how many
/// it stored.
pub async fn insert_skill_links(conn: &mut AsyncPgConnection, links: &[NewSkillLink]) -> Result<usize, StoreError> {
    let sql = r#"
        INSERT INTO skill_links (skill_id, linked_skill_id, relation)
        SELECT l.skill_id, l.linked_skill_id, l.relation
        FROM unnest($1::text[], $2::text[], $3::text[]) AS l(skill_id, linked_skill_id, relation)
        WHERE l.skill_id <> l.linked_skill_id
          AND EXISTS (SELECT 1 FROM skills s WHERE s.id = l.skill_id)
          AND EXISTS (SELECT 1 FROM skills s WHERE s.id = l.linked_skill_id)
          AND NOT EXISTS (SELECT 1 FROM skill_links o
                          WHERE o.skill_id = l.linked_skill_id AND o.linked_skill_id = l.skill_id)
        ON CONFLICT DO NOTHING
    "#;
    let mut stored = 0;
    for chunk in links.chunks(10_000) {
        let column = |f: fn(&NewSkillLink) -> &str| chunk.iter().map(f).collect::<Vec<&str>>();
        stored += diesel::sql_query(sql)
            .bind::<Array<Text>, _>(column(|l| &l.skill_id))
            .bind::<Array<Text>, _>(column(|l| &l.linked_skill_id))
            .bind::<Array<Text>, _>(column(|l| l.relation.as_str()))
            .execute(conn)
            .await?;
    }
    Ok(stored)
}

/// Gives stored skills without a Swedish label these as their preferred Swedish labels (`label_sv` and a preferred
/// `sv` row in `skill_labels`). Skills that have a Swedish label keep it. Returns how many skills got one.
pub async fn fill_swedish_labels(conn: &mut AsyncPgConnection, labels: &[SwedishLabel]) -> Result<usize, StoreError> {
    let update = r#"
        UPDATE skills s SET label_sv = g.label
        FROM unnest($1::text[], $2::text[]) AS g(skill_id, label)
        WHERE s.id = g.skill_id AND s.label_sv IS NULL
    "#;
    let insert = r#"
        INSERT INTO skill_labels (skill_id, label, normalized, lang, preferred)
        SELECT g.skill_id, g.label, g.normalized, 'sv', true
        FROM unnest($1::text[], $2::text[], $3::text[]) AS g(skill_id, label, normalized)
        JOIN skills s ON s.id = g.skill_id AND s.label_sv = g.label
        WHERE NOT EXISTS (SELECT 1 FROM skill_labels l
                          WHERE l.skill_id = g.skill_id AND l.lang = 'sv' AND (l.preferred OR l.normalized = g.normalized))
    "#;
    let mut filled = 0;
    for chunk in labels.chunks(10_000) {
        let column = |f: fn(&SwedishLabel) -> &str| chunk.iter().map(f).collect::<Vec<&str>>();
        filled += diesel::sql_query(update)
            .bind::<Array<Text>, _>(column(|l| &l.skill_id))
            .bind::<Array<Text>, _>(column(|l| &l.label))
            .execute(conn)
            .await?;
        diesel::sql_query(insert)
            .bind::<Array<Text>, _>(column(|l| &l.skill_id))
            .bind::<Array<Text>, _>(column(|l| &l.label))
            .bind::<Array<Text>, _>(column(|l| &l.normalized))
            .execute(conn)
            .await?;
    }
    Ok(filled)
}

/// Every link between skills: (skill, linked skill, what the linked skill is to the skill). Rows with a relation
/// this version does not know are left out.
pub async fn every_link(conn: &mut AsyncPgConnection) -> Result<Vec<(String, String, Relation)>, StoreError> {
    let rows: Vec<(String, String, String)> = skill_links::table
        .select((skill_links::skill_id, skill_links::linked_skill_id, skill_links::relation))
        .load(conn)
        .await?;
    Ok(rows.into_iter().filter_map(|(a, b, r)| Some((a, b, Relation::parse(&r)?))).collect())
}

/// Why a list of skill references could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("invalid skill references")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Resolves skill references in order. `field` prefixes error paths (e.g. `skills` gives `skills[2].skill_id`).
/// An unknown `skill_id` is an error; an unknown `name` is kept as a free-text skill. Names match any English or
/// Swedish label or synonym, ignoring case, accents and hyphens.
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    field: &str,
    refs: &[SkillRef],
) -> Result<Vec<ResolvedSkill>, ResolveError> {
    let ids: Vec<&str> = refs.iter().filter_map(|r| r.skill_id.as_deref()).collect();
    let by_id = display_labels(conn, &ids).await?;
    resolve_with(conn, field, refs, &by_id).await
}

/// Resolves items that are each a skill id or a name (as query parameters and alert queries give them), in
/// order: an item that is a skill's id is that skill, any other is a name resolved as [`resolve`] does. Two
/// queries: the ids, then the names.
pub async fn resolve_ids_or_names(
    conn: &mut AsyncPgConnection,
    field: &str,
    items: &[String],
) -> Result<Vec<ResolvedSkill>, ResolveError> {
    let candidates: Vec<&str> = items.iter().map(String::as_str).collect();
    let by_id = display_labels(conn, &candidates).await?;
    let refs = ids_or_names(items, |item| by_id.contains_key(item));
    resolve_with(conn, field, &refs, &by_id).await
}

/// Resolves `refs` given the display labels of the ids among them; looks up the names.
async fn resolve_with(
    conn: &mut AsyncPgConnection,
    field: &str,
    refs: &[SkillRef],
    by_id: &HashMap<String, String>,
) -> Result<Vec<ResolvedSkill>, ResolveError> {
    let names: Vec<String> = refs.iter().filter_map(|r| r.name.as_deref()).map(normalize).collect();
    let by_name = lookup_names(conn, &names).await?;
    resolve_refs(field, refs, |id| by_id.get(id).cloned(), |name| by_name.get(name).cloned())
}

/// Every label and synonym of the given skills, by skill id; skills without labels are absent.
pub async fn skill_labels(conn: &mut AsyncPgConnection, ids: &[String]) -> Result<SkillLabels, StoreError> {
    if ids.is_empty() {
        return Ok(SkillLabels::new());
    }
    let rows = skill_labels::table
        .filter(skill_labels::skill_id.eq_any(ids))
        .select((skill_labels::skill_id, skill_labels::label, skill_labels::lang))
        .load::<(String, String, String)>(conn)
        .await?;
    Ok(labels_of(rows))
}

fn labels_of(rows: Vec<(String, String, String)>) -> SkillLabels {
    let mut labels = SkillLabels::new();
    for (id, text, lang) in rows {
        labels.entry(id).or_default().push(Label { text, swedish: lang == "sv" });
    }
    labels
}

/// Every label and synonym in the taxonomy as (normalised label, skill id): what free-text search expands
/// synonyms from.
pub async fn every_label(conn: &mut AsyncPgConnection) -> Result<Vec<(String, String)>, StoreError> {
    Ok(skill_labels::table
        .select((skill_labels::normalized, skill_labels::skill_id))
        .distinct()
        .load::<(String, String)>(conn)
        .await?)
}

/// The label a skill is shown with: English where there is one, else Swedish, else its id.
fn display_label_sql() -> diesel::expression::SqlLiteral<Text> {
    diesel::dsl::sql::<Text>("coalesce(skills.label_en, skills.label_sv, skills.id)")
}

/// Maps known skill ids to their display labels; unknown ids are simply absent.
async fn display_labels(conn: &mut AsyncPgConnection, ids: &[&str]) -> Result<HashMap<String, String>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String)> =
        skills::table.filter(skills::id.eq_any(ids)).select((skills::id, display_label_sql())).load(conn).await?;
    Ok(rows.into_iter().collect())
}

/// Maps normalized names to (skill id, display label). Where a name is a label of several skills, the curated
/// life-science skill wins, then the skill whose preferred label it is, then the lowest id, so the answer is
/// stable.
async fn lookup_names(
    conn: &mut AsyncPgConnection,
    names: &[String],
) -> Result<HashMap<String, (String, String)>, StoreError> {
    let names: Vec<&String> = names.iter().filter(|n| !n.is_empty()).collect();
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String, String)> = skill_labels::table
        .inner_join(skills::table)
        .filter(skill_labels::normalized.eq_any(names))
        .order((
            skill_labels::normalized,
            diesel::dsl::sql::<Bool>("skills.source <> 'life_science'"),
            skill_labels::preferred.desc(),
            skills::id,
        ))
        .select((skill_labels::normalized, skills::id, display_label_sql()))
        .load(conn)
        .await?;
    let mut map = HashMap::new();
    for (normalized, id, label) in rows {
        map.entry(normalized).or_insert((id, label));
    }
    Ok(map)
}

/// Every skill with its display label and whether it is a curated life-science skill, for the in-memory
/// snapshot.
pub async fn every_skill(conn: &mut AsyncPgConnection) -> Result<Vec<(String, String, bool)>, StoreError> {
    Ok(skills::table
        .select((skills::id, display_label_sql(), diesel::dsl::sql::<Bool>("skills.source = 'life_science'")))
        .load(conn)
        .await?)
}

/// Every label and synonym in `normalize` form, with its skill and whether it is that skill's preferred label.
pub async fn every_name(conn: &mut AsyncPgConnection) -> Result<Vec<(String, String, bool)>, StoreError> {
    Ok(skill_labels::table
        .select((skill_labels::normalized, skill_labels::skill_id, skill_labels::preferred))
        .load(conn)
        .await?)
}

/// One autocomplete hit as the database ranks it.
#[derive(Debug, QueryableByName)]
pub struct SuggestionRow {
    #[diesel(sql_type = Text)]
    pub skill_id: String,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = Text)]
    pub matched_label: String,
    #[diesel(sql_type = Text)]
    pub lang: String,
}

/// Queries shorter than this are completed by prefix only: a "typo" in two or three letters matches anything.
const MIN_TYPO_CHARS: usize = 4;

/// Skills whose labels or synonyms match what was typed, one row per skill (its best-matching label), ranked:
/// exact matches, then prefix matches of the whole label or of a word in it (curated life-science skills first,
/// then shorter labels), then typo matches by trigram similarity (curated skills first among equals).
pub async fn suggest(conn: &mut AsyncPgConnection, query: &Suggest) -> Result<Vec<SuggestionRow>, StoreError> {
    // `%` and `<%` use the pg_trgm thresholds (0.3 and 0.6) and the skill_labels_trgm index. A typo match is scored
    // on the whole label and on its best-matching words, so "sequensing" finds "DNA sequencing" before "remote
    // sensing". For each skill the label shown is, among equally good matches, one where the query is a whole word
    // ("cell" shows "cell culture" rather than "cellodling"), a preferred label, the shortest.
    let sql = r#"
        WITH hits AS MATERIALIZED (
            SELECT id, CASE WHEN normalized = $1 THEN 0 WHEN normalized ~ $2 THEN 1 ELSE 2 END AS tier
            FROM skill_labels
            WHERE normalized ~ $2 OR ($4 AND (normalized % $1 OR $1 <% normalized))
        ), matched AS (
            SELECT l.skill_id, l.label AS matched_label, l.lang, l.preferred, s.label_en, s.label_sv, hits.tier,
                   CASE WHEN s.source = 'life_science' THEN 0 ELSE 1 END AS curated_last,
                   hits.tier = 1 AND l.normalized ~ $3 AS whole_word,
                   CASE WHEN hits.tier = 2
                        THEN similarity(l.normalized, $1) + strict_word_similarity($1, l.normalized) ELSE 0 END AS score
            FROM hits
            JOIN skill_labels l ON l.id = hits.id
            JOIN skills s ON s.id = l.skill_id
        ), best AS (
            SELECT DISTINCT ON (skill_id) *
            FROM matched
            ORDER BY skill_id, tier, CASE WHEN tier = 2 THEN -score ELSE 0 END, whole_word DESC, preferred DESC,
                     length(matched_label), matched_label
        )
        SELECT skill_id, matched_label, lang,
               CASE WHEN lang = 'sv' THEN coalesce(label_sv, label_en, skill_id)
                    ELSE coalesce(label_en, label_sv, skill_id) END AS label
        FROM best
        ORDER BY tier,
                 CASE WHEN tier < 2 THEN curated_last ELSE 0 END,
                 CASE WHEN tier < 2 THEN length(matched_label) ELSE 0 END,
                 score DESC, curated_last, length(matched_label), skill_id
        LIMIT $5
    "#;
    let chars = query.normalized.chars().count();
    let word_prefix = word_prefix_regex(&query.normalized);
    let whole_word = format!("{word_prefix}($|[^a-z0-9])");
    let typos = chars >= MIN_TYPO_CHARS;
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            if chars >= 3 {
                // The planner prices trigram operators like `=` and so scans the whole table, which takes ten
                // times as long as the trigram index once a query has a whole trigram.
                diesel::sql_query("SET LOCAL enable_seqscan = off").execute(conn).await?;
            }
            Ok(diesel::sql_query(sql)
                .bind::<Text, _>(&query.normalized)
                .bind::<Text, _>(word_prefix)
                .bind::<Text, _>(whole_word)
                .bind::<Bool, _>(typos)
                .bind::<BigInt, _>(query.limit)
                .load(conn)
                .await?)
        }
        .scope_boxed()
    })
    .await
}

/// A regular expression matching labels where the whole label or one of its words starts with `normalized`.
/// Punctuation and spaces are escaped with a backslash, which makes each of them stand for itself.
fn word_prefix_regex(normalized: &str) -> String {
    let mut regex = String::from("(^|[^a-z0-9])");
    for c in normalized.chars() {
        if c.is_ascii_punctuation() || c.is_ascii_whitespace() {
            regex.push('\\');
        }
        regex.push(c);
    }
    regex
}

/// Every label and synonym as the skill extractor reads them: skill id, label in its original case (case tells
/// acronyms from words), language; in load order, so a label shared by several skills resolves as the embedded
/// taxonomy does.
pub async fn extraction_labels(conn: &mut AsyncPgConnection) -> Result<Vec<LabelRow>, StoreError> {
    let rows = skill_labels::table
        .select((skill_labels::skill_id, skill_labels::label, skill_labels::lang))
        .order(skill_labels::id)
        .load::<(String, String, String)>(conn)
        .await?;
    Ok(rows.into_iter().map(|(skill_id, label, lang)| LabelRow { skill_id, label, lang }).collect())
}

/// Every JobTech concept that is not a skill (places, languages, occupations, …) as (id, type, label), for reading
/// imported ads whose fields name concepts by id.
pub async fn jobtech_concepts(conn: &mut AsyncPgConnection) -> Result<Vec<(String, String, String)>, StoreError> {
    Ok(jobtech_concepts::table
        .select((jobtech_concepts::concept_id, jobtech_concepts::concept_type, jobtech_concepts::label))
        .load(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::word_prefix_regex;

    #[test]
    fn word_prefix_regex_escapes_punctuation_and_spaces() {
        assert_eq!(word_prefix_regex("cell cu"), r"(^|[^a-z0-9])cell\ cu");
        assert_eq!(word_prefix_regex("c++ (x"), r"(^|[^a-z0-9])c\+\+\ \(x");
    }
}
