//! What a search asks for, as plain structs (so the benchmark and the HTTP layer build them alike), turned into
//! tantivy queries, and the explanation of each hit computed from its stored fields and the same weights.
//!
//! Scores are sums of weights: filters weigh nothing, a required skill far more than everything else together (so
//! fewer missing required skills always ranks first), other skills a little — a candidate's by how strongly their
//! profile shows it (level and years, see [`impact_share`]) — soft factors a little, and BM25 text relevance is a
//! small add-on.
//!
//! Skills the taxonomy links as exact or close equivalents are one skill here: a search's skill (its `links`) is
//! looked for as any skill of its class, and the explanation says when a hit matched through an equivalent. A skill
//! linked broad or narrow to one asked for (not required) is a partial match: a share of the skill's weight, the
//! best one only, and named as partial in the explanation. A partial match never stands in for a required skill.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery,
    Occur, PhraseQuery, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, Searcher, Term};

use super::document::{date_value, instant_value, StoredCandidate, StoredJob};
use super::fields::{self, Fields, KIND_CANDIDATE, KIND_JOB};
use super::model::{Explanation, Factor, HitLanguage, LinkedSkill, SkillMention};
use super::text::{self, Unit};
use super::vocabulary::Vocabulary;
use crate::taxonomy::{Relation, SkillLinks};

/// Each required skill: more than all other factors together can add.
pub const W_REQUIRED: f32 = 1000.0;
/// Each other skill, at most; shrunk when a search names many, so that together they stay under 500.
pub const W_SKILL: f32 = 10.0;
const OPTIONAL_BUDGET: f32 = 500.0;
pub const W_LANGUAGE: f32 = 4.0;
pub const W_CITY: f32 = 3.0;
pub const W_COUNTRY: f32 = 1.0;
pub const W_REMOTE: f32 = 3.0;
pub const W_AVAILABLE: f32 = 2.0;
pub const W_PERMIT: f32 = 1.0;
pub const W_SECTOR: f32 = 2.0;
/// Multiplies BM25 text relevance.
pub const TEXT_BOOST: f32 = 0.5;
/// A skill that free text names (a label or synonym) counts like a well-matched word.
pub const W_SYNONYM: f32 = 2.0;
/// The share of a skill's weight a hit earns with a narrower skill (a specific form of the one asked for).
pub const PARTIAL_NARROWER: f32 = 0.5;
/// The share of a skill's weight a hit earns with a broader skill (the field the one asked for belongs to).
pub const PARTIAL_BROADER: f32 = 0.25;

/// The share of the weight a partial match with a skill that is `relation` to the one asked for earns.
fn partial_share(relation: Relation) -> f32 {
    match relation {
        Relation::Narrow => PARTIAL_NARROWER,
        _ => PARTIAL_BROADER,
    }
}

/// A skill a search asks for, resolved against the taxonomy. Without an id it is looked for as text in labels.
#[derive(Clone, Debug, PartialEq)]
pub struct WantedSkill {
    pub skill_id: Option<String>,
    pub name: String,
    pub required: bool,
}

/// A language asked for: any level, or this level or better.
#[derive(Clone, Debug, PartialEq)]
pub struct WantedLanguage {
    pub code: String,
    pub level: Option<String>,
}

/// Candidate filters: each given one must hold.
#[derive(Clone, Debug, Default)]
pub struct CandidateFilter {
    /// Taxonomy ids the candidate must all have.
    pub skill_ids: Vec<String>,
    pub languages: Vec<WantedLanguage>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub available_before: Option<NaiveDate>,
    pub work_permits: Vec<String>,
    pub partner_pool: bool,
}

/// What makes a candidate fit a job better without being required.
#[derive(Clone, Debug, Default)]
pub struct CandidatePreference {
    pub languages: Vec<WantedLanguage>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub available_now: bool,
    pub work_permit: bool,
}

/// A candidate search: `GET /candidates` and `GET /jobs/{id}/matches` both build one.
#[derive(Clone, Debug, Default)]
pub struct CandidateSearch {
    pub text: Option<String>,
    pub skills: Vec<WantedSkill>,
    pub filter: CandidateFilter,
    pub prefer: CandidatePreference,
    pub offset: usize,
    pub limit: usize,
    /// Which skills are one for matching (none without the taxonomy's links).
    pub links: Arc<SkillLinks>,
}

/// Job filters: each given one must hold. Unpublished and closed jobs never match.
#[derive(Clone, Debug, Default)]
pub struct JobFilter {
    pub sectors: Vec<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub remote: Vec<String>,
    pub published_after: Option<DateTime<Utc>>,
}

/// What makes a job fit a seeker better: the seeker's languages, places and sectors.
#[derive(Clone, Debug, Default)]
pub struct JobPreference {
    pub languages: Vec<HitLanguage>,
    /// (city, country) pairs; a city of `None` means anywhere in the country.
    pub places: Vec<(Option<String>, String)>,
    pub sectors: Vec<String>,
}

/// A job search: `GET /jobs` and `GET /me/matches` both build one.
#[derive(Clone, Debug, Default)]
pub struct JobSearch {
    pub text: Option<String>,
    /// For a search, the skills asked for; for profile matching, the seeker's skills.
    pub skills: Vec<WantedSkill>,
    /// Profile matching: jobs whose required skills the seeker lacks fewer of come first.
    pub rank_by_missing_required: bool,
    pub filter: JobFilter,
    pub prefer: JobPreference,
    pub offset: usize,
    pub limit: usize,
    /// Which skills are one for matching (none without the taxonomy's links).
    pub links: Arc<SkillLinks>,
}

impl JobSearch {
    /// Without text or skills there is nothing to score, and jobs come newest first.
    pub fn is_ranked(&self) -> bool {
        self.text.as_deref().is_some_and(|t| !t.trim().is_empty()) || !self.skills.is_empty()
    }
}

type Clause = (Occur, Box<dyn Query>);

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

/// Documents whose boolean `field` is true.
fn flag(field: Field) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_bool(field, true), IndexRecordOption::Basic))
}

fn weighted(query: Box<dyn Query>, weight: f32) -> Clause {
    (Occur::Should, Box::new(ConstScoreQuery::new(query, weight)))
}

fn any_of(field: Field, values: impl IntoIterator<Item = String>) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(values.into_iter().map(|v| Term::from_field_text(field, &v))))
}

/// A skill in `field` under any of its ids (the skill and its equivalents).
fn any_skill(field: Field, ids: &[&str]) -> Box<dyn Query> {
    match ids {
        [id] => term(field, id),
        _ => any_of(field, ids.iter().map(|id| (*id).to_owned())),
    }
}

/// A skill's query `full`, or else the best of the skills the taxonomy partly links to it (by `field`), each at its
/// share of `floor`, which is at most what `full` adds when it matches: the full match always wins.
fn or_partly(full: Box<dyn Query>, field: Field, id: &str, floor: f32, links: &SkillLinks) -> Box<dyn Query> {
    let partials = links.partials(id);
    if partials.is_empty() {
        return full;
    }
    let mut alternatives = vec![full];
    for relation in [Relation::Narrow, Relation::Broad] {
        let ids: Vec<&str> = partials.iter().filter(|(_, r)| *r == relation).map(|(id, _)| *id).collect();
        if !ids.is_empty() {
            let share = floor * partial_share(relation);
            alternatives.push(Box::new(ConstScoreQuery::new(any_skill(field, &ids), share)));
        }
    }
    Box::new(DisjunctionMaxQuery::new(alternatives))
}

/// Keeps the first of each class of equivalent skills, required if any of the class is: asked for twice under
/// two names, a skill still counts once.
pub fn one_per_class(skills: Vec<WantedSkill>, links: &SkillLinks) -> Vec<WantedSkill> {
    let mut kept: Vec<WantedSkill> = Vec::with_capacity(skills.len());
    for skill in skills {
        let same = |k: &WantedSkill| match (&k.skill_id, &skill.skill_id) {
            (Some(a), Some(b)) => links.are_equivalent(a, b),
            _ => false,
        };
        match kept.iter_mut().find(|k| same(k)) {
            Some(first) => first.required |= skill.required,
            None => kept.push(skill),
        }
    }
    kept
}

fn date_range(field: Field, low: Option<tantivy::DateTime>, high: Option<tantivy::DateTime>) -> Box<dyn Query> {
    use std::ops::Bound::{Excluded, Included, Unbounded};
    let low = low.map_or(Unbounded, |d| Included(Term::from_field_date_for_search(field, d)));
    let high = high.map_or(Unbounded, |d| Excluded(Term::from_field_date_for_search(field, d)));
    Box::new(RangeQuery::new(low, high))
}

/// Words in one field: one term, or the terms as a phrase; `None` when the analyzer keeps nothing of them.
fn words_query(field: Field, analyzer: &mut TextAnalyzer, words: &[String]) -> Option<Box<dyn Query>> {
    let mut terms: Vec<(usize, Term)> = Vec::new();
    let mut offset = 0;
    for word in words {
        let mut last = 0;
        analyzer.token_stream(word).process(&mut |token| {
            last = token.position;
            terms.push((offset + token.position, Term::from_field_text(field, &token.text)));
        });
        offset += last + 1;
    }
    match terms.len() {
        0 => None,
        1 => terms.pop().map(|(_, t)| Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>),
        _ => Some(Box::new(PhraseQuery::new_with_offset(terms))),
    }
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn any(clauses: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 => clauses.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Should, q)).collect()))),
    }
}

fn all(clauses: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 => clauses.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Must, q)).collect()))),
    }
}

/// The weight of each skill that is not required.
pub fn optional_weight(skills: &[WantedSkill]) -> f32 {
    let optional = skills.iter().filter(|s| !s.required).count().max(1) as f32;
    W_SKILL.min(OPTIONAL_BUDGET / optional)
}

/// The share of a skill's weight a profile earns with `impact` (see `fields::skill_impact`): all of it at the
/// largest impact, about half at the smallest. The same curve as the index's scoring (BM25's term-frequency
/// saturation with no length norm), so explanations add up to the score.
pub fn impact_share(impact: u32) -> f32 {
    let unit = Bm25Weight::for_one_term(1, 2, 1.0);
    unit.score(1, impact.clamp(1, fields::MAX_IMPACT)) / unit.score(1, fields::MAX_IMPACT)
}

/// What a candidate's skill clause adds for a profile with `impact`, when the clause weighs `weight`.
pub fn skill_effect(weight: f32, impact: u32) -> f32 {
    weight * impact_share(impact)
}

/// Index statistics for scoring: the real ones for text, fixed ones for candidate skills so that a skill's
/// score depends only on its weight and the profile's impact, not on how many profiles share it.
pub struct Statistics<'a> {
    searcher: &'a Searcher,
    skill: Field,
    documents: u64,
}

impl<'a> Statistics<'a> {
    pub fn new(searcher: &'a Searcher, fields: &Fields) -> tantivy::Result<Self> {
        Ok(Self { searcher, skill: fields.candidate_skill, documents: searcher.total_num_docs()? })
    }

    /// The boost that makes a candidate skill term score `weight` at the largest impact.
    fn skill_boost(&self, weight: f32) -> f32 {
        let top = Bm25Weight::for_one_term(self.documents / 2, self.documents, 1.0).score(1, fields::MAX_IMPACT);
        if top > 0.0 {
            weight / top
        } else {
            0.0
        }
    }
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if field == self.skill {
            return Ok(self.documents);
        }
        self.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.documents)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if term.field() == self.skill {
            return Ok(self.documents / 2);
        }
        self.searcher.doc_freq(term)
    }
}

/// A filter run as a per-segment bitset, cached under `key` for as long as the segment lives.
pub struct Filter {
    pub key: String,
    pub query: Box<dyn Query>,
}

impl Filter {
    fn term(field: Field, name: &str, value: &str) -> Self {
        Self { key: format!("{name}={value}"), query: term(field, value) }
    }

    /// Any of `values`, keyed the same whatever their order.
    fn any_of(field: Field, name: &str, values: impl IntoIterator<Item = String>) -> Self {
        let mut values: Vec<String> = values.into_iter().collect();
        values.sort();
        values.dedup();
        Self { key: format!("{name}={}", values.join("|")), query: any_of(field, values) }
    }
}

/// A job search as the engine runs it.
pub struct JobPlan {
    /// What ranks hits; `None` when the search has neither text nor skills (newest first).
    pub ranking: Option<Box<dyn Query>>,
    /// Each must hold.
    pub filters: Vec<Filter>,
    /// The free text's units, for explanations.
    pub units: Vec<Unit>,
}

/// A candidate search as the engine runs it.
pub struct CandidatePlan {
    /// What ranks hits; `None` when nothing does (every candidate the filters let through, in index order).
    pub ranking: Option<Box<dyn Query>>,
    /// The ranking is a union of skill terms alone, which tantivy can prune (block-max WAND).
    pub prunable: bool,
    /// Each must hold.
    pub filters: Vec<Filter>,
    /// The free text's units, for explanations.
    pub units: Vec<Unit>,
}

/// Builds queries against one index (its analyzers cut the free text into terms).
pub struct QueryBuilder<'a> {
    pub index: &'a Index,
    pub fields: Fields,
    pub vocabulary: &'a Vocabulary,
    pub statistics: &'a Statistics<'a>,
}

/// The fields free text is looked for in, each with its boost: pairs of an English and a Swedish field.
type TextFields = [(Field, Field, f32)];

impl QueryBuilder<'_> {
    fn analyzer(&self, field: Field) -> Option<TextAnalyzer> {
        self.index.tokenizer_for_field(field).ok()
    }

    /// Free text as units that must all match (AND); each unit's words in any of the fields, in either language,
    /// or (when they name a skill) the skill itself. Text with no word in it matches nothing.
    fn text(&self, units: &[Unit], fields: &TextFields, skill: Option<SkillTerm<'_>>) -> Box<dyn Query> {
        let mut analyzers: Vec<(Field, f32, TextAnalyzer)> = fields
            .iter()
            .flat_map(|&(en, sv, boost)| [(en, boost), (sv, boost)])
            .filter_map(|(field, boost)| Some((field, boost, self.analyzer(field)?)))
            .collect();
        let required: Vec<Box<dyn Query>> =
            units.iter().filter_map(|unit| self.unit(unit, &mut analyzers, skill)).collect();
        all(required).unwrap_or_else(|| Box::new(EmptyQuery))
    }

    /// One unit: its words (as a phrase when quoted, else each word somewhere), or a skill they name.
    fn unit(
        &self,
        unit: &Unit,
        analyzers: &mut [(Field, f32, TextAnalyzer)],
        skill: Option<SkillTerm<'_>>,
    ) -> Option<Box<dyn Query>> {
        let mut alternatives = Vec::new();
        if unit.quoted {
            for (field, boost, analyzer) in analyzers.iter_mut() {
                if let Some(q) = words_query(*field, analyzer, &unit.words) {
                    alternatives.push(boosted(q, *boost));
                }
            }
        } else {
            let each: Vec<Box<dyn Query>> = unit
                .words
                .iter()
                .filter_map(|word| {
                    let in_fields = analyzers.iter_mut().filter_map(|(field, boost, analyzer)| {
                        words_query(*field, analyzer, std::slice::from_ref(word)).map(|q| boosted(q, *boost))
                    });
                    any(in_fields.collect())
                })
                .collect();
            alternatives.extend(all(each));
        }
        if let Some(skill) = skill {
            alternatives.extend(unit.skills.iter().map(|id| skill.query(self, id, W_SYNONYM)));
        }
        any(alternatives)
    }

    /// One clause per skill a candidate search asks for.
    fn candidate_skill_clauses(&self, search: &CandidateSearch) -> Vec<Clause> {
        let optional = optional_weight(&search.skills);
        let f = self.fields;
        search
            .skills
            .iter()
            .map(|skill| {
                let filtered = skill.skill_id.as_ref().is_some_and(|id| search.filter.skill_ids.contains(id));
                let links = search.links.as_ref();
                match (&skill.skill_id, skill.required && !filtered) {
                    // Every hit has a filtered skill: it ranks by how strongly they show it.
                    (Some(id), false) => {
                        let full = SkillTerm { field: SkillField::Candidate, links }.query(self, id, optional);
                        let floor = skill_effect(optional, 1);
                        (Occur::Should, or_partly(full, f.candidate_skill, id, floor, links))
                    }
                    (Some(id), true) => weighted(any_skill(f.candidate_skill, &links.equivalents(id)), W_REQUIRED),
                    (None, required) => {
                        let units = [Unit { words: vec![skill.name.clone()], quoted: true, skills: Vec::new() }];
                        let text = self.text(&units, &[(f.candidate_text_en, f.candidate_text_sv, 1.0)], None);
                        weighted(text, if required { W_REQUIRED } else { optional })
                    }
                }
            })
            .collect()
    }

    pub fn candidates(&self, search: &CandidateSearch) -> CandidatePlan {
        let f = self.fields;
        let units = search.text.as_deref().map(|t| text::units(t, self.vocabulary)).unwrap_or_default();
        let mut must = Vec::new();
        if search.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            let fields = [(f.candidate_text_en, f.candidate_text_sv, 1.0)];
            let skill = SkillTerm { field: SkillField::Candidate, links: &search.links };
            must.push(boosted(self.text(&units, &fields, Some(skill)), TEXT_BOOST));
        }
        let skills = self.candidate_skill_clauses(search);
        let preferences = self.candidate_preferences(&search.prefer);
        let prunable = must.is_empty() && preferences.is_empty();
        let ranking = if prunable {
            // Optional term clauses alone: tantivy's block-max WAND skips what cannot reach the top.
            (!skills.is_empty()).then(|| Box::new(BooleanQuery::new(skills)) as Box<dyn Query>)
        } else {
            if !skills.is_empty() {
                // At least one asked-for skill must match; each one that does adds its weight.
                must.push(Box::new(BooleanQuery::new(skills)));
            }
            let mut clauses: Vec<Clause> = must.into_iter().map(|q| (Occur::Must, q)).collect();
            if clauses.is_empty() {
                None
            } else {
                clauses.extend(preferences);
                Some(Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
            }
        };
        CandidatePlan { ranking, prunable, filters: self.candidate_filters(&search.filter, &search.links), units }
    }

    fn candidate_filters(&self, filter_by: &CandidateFilter, links: &SkillLinks) -> Vec<Filter> {
        let f = self.fields;
        let mut filters = vec![Filter::term(f.kind, "kind", KIND_CANDIDATE)];
        // Pool members are indexed whether or not they are searchable: being in the pool is their consent to be
        // seen by the network, and only a pool search (the `partner_pool` filter) shows them for that reason.
        if filter_by.partner_pool {
            filters.push(Filter { key: "partner_pool".to_owned(), query: flag(f.partner_pool) });
        } else {
            filters.push(Filter { key: "searchable".to_owned(), query: flag(f.searchable) });
        }
        filters.extend(filter_by.skill_ids.iter().map(|id| match links.equivalents(id).as_slice() {
            [id] => Filter::term(f.candidate_skill, "skill", id),
            ids => Filter::any_of(f.candidate_skill, "skill", ids.iter().map(|id| (*id).to_owned())),
        }));
        for language in &filter_by.languages {
            let wanted = fields::language_requirement(&language.code, language.level.as_deref());
            filters.push(Filter::term(f.lang, "lang", &wanted));
        }
        if let Some(country) = &filter_by.country {
            filters.push(Filter::term(f.country, "country", &fields::country_key(country)));
        }
        if let Some(city) = &filter_by.city {
            filters.push(Filter::term(f.city, "city", &fields::city_key(city)));
        }
        if let Some(date) = filter_by.available_before {
            let day_after = date.succ_opt().unwrap_or(date);
            let query = date_range(f.available_from, None, Some(date_value(day_after)));
            filters.push(Filter { key: format!("available<{day_after}"), query });
        }
        if !filter_by.work_permits.is_empty() {
            let permits = filter_by.work_permits.iter().map(|p| fields::keyword(p));
            filters.push(Filter::any_of(f.work_permit, "permit", permits));
        }
        filters
    }

    fn candidate_preferences(&self, prefer: &CandidatePreference) -> Vec<Clause> {
        let f = self.fields;
        let mut clauses: Vec<Clause> = prefer
            .languages
            .iter()
            .map(|l| weighted(term(f.lang, &fields::language_requirement(&l.code, l.level.as_deref())), W_LANGUAGE))
            .collect();
        if let Some(city) = &prefer.city {
            clauses.push(weighted(term(f.city, &fields::city_key(city)), W_CITY));
        }
        if let Some(country) = &prefer.country {
            clauses.push(weighted(term(f.country, &fields::country_key(country)), W_COUNTRY));
        }
        if let Some(sector) = &prefer.sector {
            clauses.push(weighted(term(f.sector, &fields::keyword(sector)), W_SECTOR));
        }
        if prefer.available_now {
            let tomorrow = Utc::now().date_naive().succ_opt().map(date_value);
            clauses.push(weighted(date_range(f.available_from, None, tomorrow), W_AVAILABLE));
        }
        if prefer.work_permit {
            let allowed = ["eu_eea_citizen", "has_permit"].map(str::to_owned);
            clauses.push(weighted(any_of(f.work_permit, allowed), W_PERMIT));
        }
        clauses
    }

    /// A job search as the engine runs it. Whether a job is still open is checked on each hit (see
    /// `job_ranking`), since it changes with the clock.
    pub fn jobs(&self, search: &JobSearch) -> JobPlan {
        let f = self.fields;
        let mut clauses = Vec::new();
        let units = search.text.as_deref().map(|t| text::units(t, self.vocabulary)).unwrap_or_default();
        if search.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            let fields = [(f.job_title_en, f.job_title_sv, 2.0), (f.job_text_en, f.job_text_sv, 1.0)];
            let text = self.text(&units, &fields, Some(SkillTerm { field: SkillField::Job, links: &search.links }));
            clauses.push((Occur::Must, boosted(text, TEXT_BOOST)));
        }
        let mut skills = self.job_skill_clauses(&search.skills, f.job_skill, &search.links);
        if search.rank_by_missing_required {
            // The seeker's skills as the job's required ones: each adds W_REQUIRED, and the ranking subtracts
            // W_REQUIRED per required skill of the job, leaving minus the missing ones.
            let as_required: Vec<WantedSkill> = search
                .skills
                .iter()
                .filter(|s| s.skill_id.is_some())
                .map(|s| WantedSkill { required: true, ..s.clone() })
                .collect();
            skills.extend(self.job_skill_clauses(&as_required, f.required_skill, &search.links));
        }
        if !skills.is_empty() {
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(skills))));
        }
        let ranking = (search.is_ranked() && !clauses.is_empty()).then(|| {
            clauses.extend(self.job_preferences(&search.prefer));
            Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>
        });
        JobPlan { ranking, filters: self.job_filters(&search.filter), units }
    }

    /// One clause per skill: an id is a term (the skill or an equivalent; a partly linked skill for a share when
    /// the skill is not required); a name without an id is text over the job's own text.
    fn job_skill_clauses(&self, skills: &[WantedSkill], field: Field, links: &SkillLinks) -> Vec<Clause> {
        let optional = optional_weight(skills);
        let f = self.fields;
        skills
            .iter()
            .map(|skill| {
                let weight = if skill.required { W_REQUIRED } else { optional };
                match &skill.skill_id {
                    Some(id) => {
                        let full = Box::new(ConstScoreQuery::new(any_skill(field, &links.equivalents(id)), weight));
                        match skill.required {
                            true => (Occur::Should, full as Box<dyn Query>),
                            false => (Occur::Should, or_partly(full, field, id, weight, links)),
                        }
                    }
                    None => {
                        let units = [Unit { words: vec![skill.name.clone()], quoted: true, skills: Vec::new() }];
                        weighted(self.text(&units, &[(f.job_text_en, f.job_text_sv, 1.0)], None), weight)
                    }
                }
            })
            .collect()
    }

    fn job_filters(&self, filter_by: &JobFilter) -> Vec<Filter> {
        let f = self.fields;
        let mut filters = vec![Filter::term(f.kind, "kind", KIND_JOB)];
        if !filter_by.sectors.is_empty() {
            filters.push(Filter::any_of(f.sector, "sector", filter_by.sectors.iter().map(|s| fields::keyword(s))));
        }
        if let Some(country) = &filter_by.country {
            filters.push(Filter::term(f.country, "country", &fields::country_key(country)));
        }
        if let Some(city) = &filter_by.city {
            filters.push(Filter::term(f.city, "city", &fields::city_key(city)));
        }
        if !filter_by.remote.is_empty() {
            filters.push(Filter::any_of(f.remote, "remote", filter_by.remote.iter().map(|s| fields::keyword(s))));
        }
        if let Some(after) = filter_by.published_after {
            let query = date_range(f.published_at, Some(instant_value(after)), None);
            filters.push(Filter { key: format!("published>={}", after.timestamp_micros()), query });
        }
        filters
    }

    fn job_preferences(&self, prefer: &JobPreference) -> Vec<Clause> {
        let f = self.fields;
        let mut clauses = Vec::new();
        // A job lists each language once, at the level it needs; the seeker's terms meet it at most once.
        let spoken: HashSet<String> = prefer
            .languages
            .iter()
            .flat_map(|l| fields::language_terms(&l.code, l.level.as_deref().unwrap_or("A1")))
            .collect();
        clauses.extend(spoken.iter().map(|t| weighted(term(f.lang, t), W_LANGUAGE)));
        let cities: HashSet<String> =
            prefer.places.iter().filter_map(|(c, _)| c.as_deref().map(fields::city_key)).collect();
        clauses.extend(cities.iter().map(|c| weighted(term(f.city, c), W_CITY)));
        let countries: HashSet<String> = prefer.places.iter().map(|(_, c)| fields::country_key(c)).collect();
        clauses.extend(countries.iter().map(|c| weighted(term(f.country, c), W_COUNTRY)));
        if !prefer.places.is_empty() {
            clauses.push(weighted(term(f.remote, "full"), W_REMOTE));
        }
        let sectors: HashSet<String> = prefer.sectors.iter().map(|s| fields::keyword(s)).collect();
        clauses.extend(sectors.iter().map(|s| weighted(term(f.sector, s), W_SECTOR)));
        clauses
    }
}

/// Which kind's skill field a skill is looked for in.
#[derive(Clone, Copy)]
enum SkillField {
    Candidate,
    Job,
}

/// A skill looked for in one kind's skill field, under its own id or an equivalent one.
#[derive(Clone, Copy)]
struct SkillTerm<'l> {
    field: SkillField,
    links: &'l SkillLinks,
}

impl SkillTerm<'_> {
    /// The skill as a query worth `weight`: for candidates scored by impact (the best of its equivalents, so a
    /// profile listing two of them does not count twice), for jobs a constant.
    fn query(self, builder: &QueryBuilder<'_>, id: &str, weight: f32) -> Box<dyn Query> {
        let ids = self.links.equivalents(id);
        match self.field {
            SkillField::Candidate => {
                let boost = builder.statistics.skill_boost(weight);
                let mut each: Vec<Box<dyn Query>> = ids
                    .iter()
                    .map(|id| {
                        let term = Term::from_field_text(builder.fields.candidate_skill, id);
                        let query = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                        Box::new(BoostQuery::new(query, boost)) as Box<dyn Query>
                    })
                    .collect();
                match each.len() {
                    1 => each.remove(0),
                    _ => Box::new(DisjunctionMaxQuery::new(each)),
                }
            }
            SkillField::Job => Box::new(ConstScoreQuery::new(any_skill(builder.fields.job_skill, &ids), weight)),
        }
    }
}

/// Whether a hit's own skill names cover a skill asked for only by name.
fn named_skill_matches<'a>(mut names: impl Iterator<Item = &'a str>, wanted: &str) -> bool {
    let wanted = crate::taxonomy::normalize(wanted);
    names.any(|name| {
        let name = crate::taxonomy::normalize(name);
        name == wanted || name.contains(&wanted) || wanted.contains(&name)
    })
}

fn mention(skill: &WantedSkill) -> SkillMention {
    SkillMention { skill_id: skill.skill_id.clone(), name: skill.name.clone(), through: None }
}

/// The hit's skill (id, name) that meets `wanted`: the skill itself if the hit has it, else an equivalent one.
fn meeting<'a>(
    mut has: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    wanted: &str,
    links: &SkillLinks,
) -> Option<(&'a str, &'a str)> {
    has.clone().find(|(id, _)| *id == wanted).or_else(|| has.find(|(id, _)| links.are_equivalent(id, wanted)))
}

/// The mention of a skill asked for, met by the hit's skill `met`; when that is an equivalent rather than the skill
/// itself, the mention names it and a factor says so.
fn matched_mention(
    skill: &WantedSkill,
    met: Option<(&str, &str)>,
    links: &SkillLinks,
    other: &mut Vec<Factor>,
) -> SkillMention {
    let mut mentioned = mention(skill);
    let (Some(wanted), Some((id, name))) = (skill.skill_id.as_deref(), met) else { return mentioned };
    if id == wanted {
        return mentioned;
    }
    let relation = links.relation(wanted, id).map_or("equivalent", |r| r.as_str());
    let detail = format!("{} matched through the equivalent skill {name} ({relation})", skill.name);
    other.push(factor("equivalent_skill", detail, 0.0));
    mentioned.through =
        Some(LinkedSkill { skill_id: id.to_owned(), name: name.to_owned(), relation: relation.to_owned() });
    mentioned
}

/// The hit's skill (id, name) that partly meets `wanted`, a narrower one before a broader one, and what it is to it.
fn partly_meeting<'a>(
    has: impl Iterator<Item = (&'a str, &'a str)>,
    wanted: &str,
    links: &SkillLinks,
) -> Option<(&'a str, &'a str, Relation)> {
    let partials = links.partials(wanted);
    let mut best = None;
    for (id, name) in has {
        let Some(&(_, relation)) = partials.iter().find(|(p, _)| *p == id) else { continue };
        match best {
            Some((_, _, Relation::Narrow)) => {}
            Some(_) if relation != Relation::Narrow => {}
            _ => best = Some((id, name, relation)),
        }
    }
    best
}

/// The mention of a skill asked for that the hit's skill `partly` meets, with a factor that says how and adds
/// `effect`.
fn partial_mention(
    skill: &WantedSkill,
    (id, name, relation): (&str, &str, Relation),
    effect: f32,
    other: &mut Vec<Factor>,
) -> SkillMention {
    let how = match relation {
        Relation::Narrow => "narrower",
        _ => "broader",
    };
    other.push(factor("partial_skill", format!("partial: {name} is {how} than {}", skill.name), effect));
    let through = LinkedSkill { skill_id: id.to_owned(), name: name.to_owned(), relation: how.to_owned() };
    SkillMention { through: Some(through), ..mention(skill) }
}

pub(crate) fn round(score: f32) -> f32 {
    (score * 100.0).round() / 100.0
}

/// Adds a text factor for whatever part of the score the known weights do not account for.
fn text_factor(other: &mut Vec<Factor>, text: Option<&str>, score: f32, known: f32) {
    if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
        let effect = round((score - known).max(0.0));
        other.push(Factor { factor: "text".to_owned(), detail: format!("matches \"{}\"", text.trim()), effect });
    }
}

fn speaks(languages: &[HitLanguage], wanted: &WantedLanguage) -> Option<String> {
    let need = wanted.level.as_deref().and_then(fields::level_rank).unwrap_or(0);
    languages
        .iter()
        .find(|l| {
            l.code.eq_ignore_ascii_case(&wanted.code)
                && l.level.as_deref().and_then(fields::level_rank).unwrap_or(0) >= need
        })
        .map(|l| format!("{} {}", l.code, l.level.as_deref().unwrap_or("")).trim().to_owned())
}

fn factor(name: &str, detail: String, effect: f32) -> Factor {
    Factor { factor: name.to_owned(), detail, effect }
}

/// Why a candidate matched `search` with `score`, from their stored fields and the query's weights; `units` are
/// the search's free text as the query used it.
pub fn explain_candidate(c: &StoredCandidate, search: &CandidateSearch, units: &[Unit], score: f32) -> Explanation {
    let optional = optional_weight(&search.skills);
    let links = search.links.as_ref();
    let mut explanation = Explanation::default();
    let mut known = 0.0;
    let held = c.skills.iter().filter_map(|s| Some((s.skill_id.as_deref()?, s.name.as_str())));
    for skill in &search.skills {
        let met = skill.skill_id.as_deref().and_then(|id| meeting(held.clone(), id, links));
        let effect = match &skill.skill_id {
            Some(id) => met.map(|_| {
                if skill.required && !search.filter.skill_ids.contains(id) {
                    W_REQUIRED
                } else {
                    // The best-shown of the equivalent skills the profile lists, as the query scores it.
                    let impact = c
                        .skills
                        .iter()
                        .filter(|s| s.skill_id.as_deref().is_some_and(|s| links.are_equivalent(s, id)))
                        .map(|s| fields::skill_impact(s.level, s.years))
                        .max()
                        .unwrap_or(1);
                    skill_effect(optional, impact)
                }
            }),
            None => named_skill_matches(c.skills.iter().map(|s| s.name.as_str()), &skill.name)
                .then_some(if skill.required { W_REQUIRED } else { optional }),
        };
        match effect {
            Some(effect) => {
                known += effect;
                let mentioned = matched_mention(skill, met, links, &mut explanation.other);
                explanation.matched_skills.push(mentioned);
            }
            None if skill.required => explanation.missing_skills.push(mention(skill)),
            None => {
                let partly = skill.skill_id.as_deref().and_then(|id| partly_meeting(held.clone(), id, links));
                if let Some(partly) = partly {
                    let effect = partial_share(partly.2) * skill_effect(optional, 1);
                    known += effect;
                    let mentioned = partial_mention(skill, partly, effect, &mut explanation.other);
                    explanation.partial_skills.push(mentioned);
                }
            }
        }
    }
    let other = &mut explanation.other;
    for wanted in &search.filter.languages {
        if let Some(detail) = speaks(&c.languages, wanted) {
            other.push(factor("language", detail, 0.0));
        }
    }
    if search.filter.country.is_some() || search.filter.city.is_some() {
        other.push(factor(
            "location",
            place_detail(c, search.filter.city.as_deref(), search.filter.country.as_deref()),
            0.0,
        ));
    }
    if search.filter.available_before.is_some() {
        other.push(factor("availability", availability_detail(c.available_from), 0.0));
    }
    if !search.filter.work_permits.is_empty() {
        other.push(factor("work_permit", c.work_permit.clone(), 0.0));
    }
    known += explain_preferences(c, &search.prefer, other);
    text_factor(other, search.text.as_deref(), score, known);
    synonym_factors(other, units, held, links);
    explanation
}

/// A factor for each free-text unit that counted because it names a skill the hit has, or an equivalent of it (its
/// effect is part of the text factor).
fn synonym_factors<'a>(
    other: &mut Vec<Factor>,
    units: &[Unit],
    has: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    links: &SkillLinks,
) {
    for unit in units.iter().filter(|u| !u.skills.is_empty()) {
        if let Some((_, name)) = has.clone().find(|(id, _)| unit.skills.iter().any(|s| links.are_equivalent(s, id))) {
            let detail = format!("\"{}\" names the skill {name}", unit.words.join(" "));
            other.push(factor("synonym", detail, 0.0));
        }
    }
}

/// Adds a factor for each preference and returns what they added together.
fn explain_preferences(c: &StoredCandidate, prefer: &CandidatePreference, other: &mut Vec<Factor>) -> f32 {
    let mut added = 0.0;
    let mut push = |name: &str, detail: String, effect: f32| {
        added += effect;
        other.push(factor(name, detail, effect));
    };
    for wanted in &prefer.languages {
        let asked = format!("{} {}", wanted.code, wanted.level.as_deref().unwrap_or("")).trim().to_owned();
        match speaks(&c.languages, wanted) {
            Some(detail) => push("language", detail, W_LANGUAGE),
            None => push("language", format!("does not have {asked}"), 0.0),
        }
    }
    let cities = candidate_places(c, |city, _| city.map(fields::city_key));
    let countries = candidate_places(c, |_, country| Some(fields::country_key(country)));
    let in_city = prefer.city.as_deref().is_some_and(|city| cities.contains(&fields::city_key(city)));
    let in_country = prefer.country.as_deref().is_some_and(|country| countries.contains(&fields::country_key(country)));
    if prefer.city.is_some() || prefer.country.is_some() {
        let effect = if in_city { W_CITY } else { 0.0 } + if in_country { W_COUNTRY } else { 0.0 };
        push("location", place_detail(c, prefer.city.as_deref(), prefer.country.as_deref()), effect);
    }
    if let Some(sector) = &prefer.sector {
        let open = c.open_to_sectors.iter().any(|s| fields::keyword(s) == fields::keyword(sector));
        let detail = if open { format!("open to {sector}") } else { format!("has not named {sector}") };
        push("sector", detail, if open { W_SECTOR } else { 0.0 });
    }
    if prefer.available_now {
        let now = c.available_from.is_none_or(|d| d <= Utc::now().date_naive());
        push("availability", availability_detail(c.available_from), if now { W_AVAILABLE } else { 0.0 });
    }
    if prefer.work_permit {
        let allowed = c.work_permit == "eu_eea_citizen" || c.work_permit == "has_permit";
        push("work_permit", c.work_permit.clone(), if allowed { W_PERMIT } else { 0.0 });
    }
    added
}

fn candidate_places(c: &StoredCandidate, key: impl Fn(Option<&str>, &str) -> Option<String>) -> HashSet<String> {
    std::iter::once(key(Some(&c.location.city), &c.location.country))
        .chain(c.desired_locations.iter().map(|d| key(d.city.as_deref(), &d.country)))
        .flatten()
        .collect()
}

/// Says where the candidate is, or wants to be, in terms of the place asked for.
fn place_detail(c: &StoredCandidate, city: Option<&str>, country: Option<&str>) -> String {
    let lives = format!("{}, {}", c.location.city, c.location.country);
    let here = |c_city: Option<&str>, c_country: &str| {
        city.is_none_or(|want| c_city.is_some_and(|have| fields::city_key(have) == fields::city_key(want)))
            && country.is_none_or(|want| fields::country_key(want) == fields::country_key(c_country))
    };
    if here(Some(&c.location.city), &c.location.country) {
        return format!("lives in {lives}");
    }
    match c.desired_locations.iter().find(|d| here(d.city.as_deref(), &d.country)) {
        Some(d) => match &d.city {
            Some(city) => format!("wants to work in {city}, {}", d.country),
            None => format!("wants to work in {}", d.country),
        },
        None => format!("lives in {lives}"),
    }
}

fn availability_detail(from: Option<NaiveDate>) -> String {
    match from {
        Some(d) if d > Utc::now().date_naive() => format!("available from {d}"),
        _ => "available now".to_owned(),
    }
}

/// Why a job matched `search` with `score` (the plain sum, before any ranking adjustment); `units` are the
/// search's free text as the query used it.
pub fn explain_job(job: &StoredJob, search: &JobSearch, units: &[Unit], score: f32) -> Explanation {
    let mut explanation = Explanation::default();
    let mut known = 0.0;
    let optional = optional_weight(&search.skills);
    let links = search.links.as_ref();
    let wanted_ids: Vec<&str> = search.skills.iter().filter_map(|s| s.skill_id.as_deref()).collect();
    let listed = job.skills.iter().filter_map(|s| Some((s.skill_id.as_deref()?, s.name.as_str())));
    for skill in &search.skills {
        let met = skill.skill_id.as_deref().and_then(|id| meeting(listed.clone(), id, links));
        let has = match &skill.skill_id {
            Some(_) => met.is_some(),
            None => named_skill_matches(job.skills.iter().map(|s| s.name.as_str()), &skill.name),
        };
        if has {
            known += optional;
            let required = skill.skill_id.as_deref().is_some_and(|wanted| {
                job.skills
                    .iter()
                    .any(|s| s.required && s.skill_id.as_deref().is_some_and(|id| links.are_equivalent(id, wanted)))
            });
            if search.rank_by_missing_required && required {
                known += W_REQUIRED;
            }
            let mentioned = matched_mention(skill, met, links, &mut explanation.other);
            explanation.matched_skills.push(mentioned);
        } else if let Some(partly) = skill
            .skill_id
            .as_deref()
            .filter(|_| !skill.required)
            .and_then(|id| partly_meeting(listed.clone(), id, links))
        {
            let effect = partial_share(partly.2) * optional;
            known += effect;
            let mentioned = partial_mention(skill, partly, effect, &mut explanation.other);
            explanation.partial_skills.push(mentioned);
        }
    }
    if search.rank_by_missing_required {
        let wanted = |id: &str| wanted_ids.iter().any(|w| links.are_equivalent(w, id));
        explanation.missing_skills = job
            .skills
            .iter()
            .filter(|s| s.required && !s.skill_id.as_deref().is_some_and(wanted))
            .map(|s| SkillMention { skill_id: s.skill_id.clone(), name: s.name.clone(), through: None })
            .collect();
    }
    known += explain_job_preferences(job, &search.prefer, &mut explanation.other);
    text_factor(&mut explanation.other, search.text.as_deref(), score, known);
    synonym_factors(&mut explanation.other, units, listed, links);
    explanation
}

fn explain_job_preferences(job: &StoredJob, prefer: &JobPreference, other: &mut Vec<Factor>) -> f32 {
    let mut added = 0.0;
    for need in &job.languages {
        let wanted = WantedLanguage { code: need.code.clone(), level: need.level.clone() };
        let asked = format!("{} {}", need.code, need.level.as_deref().unwrap_or("")).trim().to_owned();
        let effect = if speaks(&prefer.languages, &wanted).is_some() { W_LANGUAGE } else { 0.0 };
        if !prefer.languages.is_empty() || effect > 0.0 {
            let detail = if effect > 0.0 { format!("speaks {asked}") } else { format!("asks for {asked}") };
            added += effect;
            other.push(factor("language", detail, effect));
        }
    }
    if !prefer.places.is_empty() {
        let in_city = prefer
            .places
            .iter()
            .any(|(c, _)| c.as_deref().is_some_and(|c| fields::city_key(c) == fields::city_key(&job.location.city)));
        let in_country =
            prefer.places.iter().any(|(_, c)| fields::country_key(c) == fields::country_key(&job.location.country));
        let remote = job.remote == "full";
        let effect = [(in_city, W_CITY), (in_country, W_COUNTRY), (remote, W_REMOTE)]
            .iter()
            .filter(|(yes, _)| *yes)
            .map(|(_, w)| w)
            .sum::<f32>();
        let detail =
            if remote { "fully remote".to_owned() } else { format!("{}, {}", job.location.city, job.location.country) };
        added += effect;
        other.push(factor("location", detail, effect));
    }
    if prefer.sectors.iter().any(|s| fields::keyword(s) == fields::keyword(&job.sector)) {
        added += W_SECTOR;
        other.push(factor("sector", job.sector.clone(), W_SECTOR));
    }
    added
}
