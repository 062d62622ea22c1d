//! The tantivy schema shared by candidate and job documents, and the English and Swedish analyzers.
//!
//! One index holds both kinds (`kind` tells them apart) so that one writer, one commit and one outbox position
//! cover every change; each kind has its own skill and text fields. Keyword fields hold normalised values (lower-case cities, upper-case countries) so that
//! filters are plain term lookups.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
    INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};
use tantivy::Index;

use super::stemming::CachedStemmer;

pub const EN_ANALYZER: &str = "tandem_en";
pub const SV_ANALYZER: &str = "tandem_sv";

/// Every field of the index, resolved once from the schema.
///
/// Candidates and jobs have fields of their own for skills and text, so a ranked search touches only its own kind's
/// postings and needs no `kind` filter. Each document's text is analysed once, in its detected language: it goes to
/// the `_en` or the `_sv` field, and a query looks for each word in both.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `candidate` or `job`.
    pub kind: Field,
    /// The candidate id or job id: the term a document is replaced by.
    pub id: Field,
    /// A candidate's skill ids, each repeated as often as its impact (level and years): the term frequency is what
    /// the ranking reads, and tantivy's block maxima let a search skip blocks that cannot reach the top.
    pub candidate_skill: Field,
    /// A candidate's own text: headline, summary, experience, education, and the names of their skills.
    pub candidate_text_en: Field,
    pub candidate_text_sv: Field,
    /// Taxonomy ids of every skill of a job (required and optional alike).
    pub job_skill: Field,
    /// Taxonomy ids of a job's required skills.
    pub required_skill: Field,
    /// A job's title, searched with a boost.
    pub job_title_en: Field,
    pub job_title_sv: Field,
    /// A job's title, description, organisation and skill names.
    pub job_text_en: Field,
    pub job_text_sv: Field,
    pub country: Field,
    pub city: Field,
    /// `sv` plus one term per CEFR level reached (`sv:A1` .. `sv:C2`, and `sv:native`), so that "at least B2"
    /// is one term.
    pub lang: Field,
    pub work_permit: Field,
    pub available_from: Field,
    pub searchable: Field,
    pub partner_pool: Field,
    pub sector: Field,
    pub remote: Field,
    pub published_at: Field,
    pub closes_at: Field,
    /// How many required skills a job has: the seeker-side ranking subtracts the ones they lack.
    pub required_count: Field,
    /// The JSON a hit is shown and explained from; never indexed.
    pub display: Field,
}

pub const KIND_CANDIDATE: &str = "candidate";
pub const KIND_JOB: &str = "job";

impl Fields {
    pub fn schema() -> Schema {
        let mut b = Schema::builder();
        let date = DateOptions::from(INDEXED).set_fast().set_precision(DateTimePrecision::Microseconds);
        b.add_text_field("kind", STRING);
        b.add_text_field("id", STRING | STORED);
        b.add_text_field("candidate_skill", impact());
        b.add_text_field("candidate_text_en", analyzed(EN_ANALYZER));
        b.add_text_field("candidate_text_sv", analyzed(SV_ANALYZER));
        b.add_text_field("job_skill", STRING);
        b.add_text_field("required_skill", STRING);
        b.add_text_field("job_title_en", analyzed(EN_ANALYZER));
        b.add_text_field("job_title_sv", analyzed(SV_ANALYZER));
        b.add_text_field("job_text_en", analyzed(EN_ANALYZER));
        b.add_text_field("job_text_sv", analyzed(SV_ANALYZER));
        b.add_text_field("country", STRING);
        b.add_text_field("city", STRING);
        b.add_text_field("lang", STRING);
        b.add_text_field("work_permit", STRING);
        b.add_date_field("available_from", date.clone());
        b.add_bool_field("searchable", INDEXED);
        b.add_bool_field("partner_pool", INDEXED);
        b.add_text_field("sector", STRING);
        b.add_text_field("remote", STRING);
        b.add_date_field("published_at", date.clone());
        b.add_date_field("closes_at", date);
        b.add_u64_field("required_count", NumericOptions::default().set_fast());
        b.add_text_field("display", STORED);
        b.build()
    }

    /// Resolves the fields of a schema built by [`Fields::schema`].
    pub fn of(schema: &Schema) -> tantivy::Result<Self> {
        let f = |name: &str| schema.get_field(name);
        Ok(Self {
            kind: f("kind")?,
            id: f("id")?,
            candidate_skill: f("candidate_skill")?,
            candidate_text_en: f("candidate_text_en")?,
            candidate_text_sv: f("candidate_text_sv")?,
            job_skill: f("job_skill")?,
            required_skill: f("required_skill")?,
            job_title_en: f("job_title_en")?,
            job_title_sv: f("job_title_sv")?,
            job_text_en: f("job_text_en")?,
            job_text_sv: f("job_text_sv")?,
            country: f("country")?,
            city: f("city")?,
            lang: f("lang")?,
            work_permit: f("work_permit")?,
            available_from: f("available_from")?,
            searchable: f("searchable")?,
            partner_pool: f("partner_pool")?,
            sector: f("sector")?,
            remote: f("remote")?,
            published_at: f("published_at")?,
            closes_at: f("closes_at")?,
            required_count: f("required_count")?,
            display: f("display")?,
        })
    }
}

/// Whole-value terms with frequencies (the impact) and no length norms (a long profile is not a weaker one).
fn impact() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs)
            .set_fieldnorms(false),
    )
}

fn analyzed(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(analyzer).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Analyzers are not stored in the index: every opened or created index needs them registered.
pub fn register_analyzers(index: &Index) {
    let english = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer::new(Language::English))
        .build();
    // The Swedish stemmer knows å, ä and ö, so folding would only hurt it.
    let swedish = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(CachedStemmer::new(Language::Swedish))
        .build();
    index.tokenizers().register(EN_ANALYZER, english);
    index.tokenizers().register(SV_ANALYZER, swedish);
}

/// The form cities are indexed and queried in.
pub fn city_key(city: &str) -> String {
    crate::taxonomy::normalize(city)
}

/// The form countries are indexed and queried in.
pub fn country_key(country: &str) -> String {
    country.trim().to_ascii_uppercase()
}

/// The form sectors, remote modes and permits are indexed and queried in.
pub fn keyword(value: &str) -> String {
    value.trim().to_lowercase()
}

/// The largest impact a skill can be indexed with.
pub const MAX_IMPACT: u32 = 8;

/// How strongly a profile shows a skill, 1 to [`MAX_IMPACT`]: its level (1 to 5; unknown counts as 2) and up to
/// three more for years of use (one per three years). Indexed as the skill term's frequency.
pub fn skill_impact(level: Option<i16>, years: Option<f32>) -> u32 {
    let level = level.map_or(2, |l| l.clamp(1, 5) as u32);
    let years = years.map_or(0, |y| (y.max(0.0) / 3.0).floor().min(3.0) as u32);
    (level + years).min(MAX_IMPACT)
}

/// CEFR levels in order; `native` sits above C2.
pub const LEVELS: [&str; 7] = ["A1", "A2", "B1", "B2", "C1", "C2", "native"];

/// The rank of a level in [`LEVELS`], if it is one.
pub fn level_rank(level: &str) -> Option<usize> {
    LEVELS.iter().position(|l| l.eq_ignore_ascii_case(level))
}

/// The terms a speaker of `code` at `level` is indexed under: the bare code and every level up to theirs.
pub fn language_terms(code: &str, level: &str) -> Vec<String> {
    let code = code.trim().to_ascii_lowercase();
    let reached = level_rank(level).unwrap_or(0);
    let mut terms = vec![code.clone()];
    terms.extend(LEVELS[..=reached].iter().map(|l| format!("{code}:{l}")));
    terms
}

/// The term that requires `code` at `level` or better (any level when `level` is `None`).
pub fn language_requirement(code: &str, level: Option<&str>) -> String {
    let code = code.trim().to_ascii_lowercase();
    match level.and_then(level_rank) {
        Some(rank) => format!("{code}:{}", LEVELS[rank]),
        None => code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_speaker_is_indexed_at_every_level_reached() {
        assert_eq!(language_terms("SV", "B1"), vec!["sv", "sv:A1", "sv:A2", "sv:B1"]);
        assert!(language_terms("en", "native").contains(&"en:C2".to_owned()));
        assert_eq!(language_requirement("sv", Some("b2")), "sv:B2");
        assert_eq!(language_requirement("sv", None), "sv");
    }

    #[test]
    fn impact_grows_with_level_and_years_and_stays_in_range() {
        assert_eq!(skill_impact(None, None), 2);
        assert!(skill_impact(Some(5), Some(4.0)) > skill_impact(Some(5), None));
        assert!(skill_impact(Some(4), None) > skill_impact(Some(2), None));
        assert_eq!(skill_impact(Some(9), Some(100.0)), MAX_IMPACT);
        assert_eq!(skill_impact(Some(-3), Some(-2.0)), 1);
    }

    #[test]
    fn schema_resolves_every_field() {
        assert!(Fields::of(&Fields::schema()).is_ok());
    }
}
