//! What a job offers alerts to match on, and the exact test of an alert's criteria (and of a profile's fit)
//! against it, one alert at a time: the rule the percolator's bitmaps implement for all alerts at once (its tests
//! hold it to these), and the free-text test it applies to its few candidates with words.

use std::collections::HashSet;

use tantivy::schema::Schema;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::Index;
use uuid::Uuid;

use super::model::{AlertQuery, AlertSkill};
use crate::jobs::model::{JobSkill, JobStatus, JobView, Remote};
use crate::search::fields::{self, EN_ANALYZER, SV_ANALYZER};

/// One word of a query in both stemmed forms; it occurs in a job when either form does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub en: String,
    pub sv: String,
}

/// The English and Swedish analyzers the search index uses, so that an alert's words and a job search's words
/// are the same words.
#[derive(Clone)]
pub struct Analyzers {
    en: TextAnalyzer,
    sv: TextAnalyzer,
}

impl Analyzers {
    pub fn new() -> Self {
        let index = Index::create_in_ram(Schema::builder().build());
        fields::register_analyzers(&index);
        let tokenizers = index.tokenizers();
        // Just registered, so both are there; the defaults only satisfy the type.
        let en = tokenizers.get(EN_ANALYZER).unwrap_or_default();
        let sv = tokenizers.get(SV_ANALYZER).unwrap_or_default();
        Self { en, sv }
    }

    /// The words of a query, in order, each in both stemmed forms.
    pub fn words(&self, text: &str) -> Vec<Word> {
        let en = tokens(&mut self.en.clone(), text);
        let sv = tokens(&mut self.sv.clone(), text);
        // Both analyzers split and drop tokens alike, so positions pair the two forms of each word.
        let mut words: Vec<Word> = en
            .into_iter()
            .filter_map(|(position, en)| {
                sv.iter().find(|(p, _)| *p == position).map(|(_, sv)| Word { en, sv: sv.clone() })
            })
            .collect();
        words.dedup();
        words
    }

    /// Every term of a text in each stemmed form.
    pub fn terms(&self, text: &str) -> (HashSet<String>, HashSet<String>) {
        let en = tokens(&mut self.en.clone(), text).into_iter().map(|(_, t)| t).collect();
        let sv = tokens(&mut self.sv.clone(), text).into_iter().map(|(_, t)| t).collect();
        (en, sv)
    }
}

impl Default for Analyzers {
    fn default() -> Self {
        Self::new()
    }
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((token.position, token.text.clone()));
    }
    out
}

/// A visible job as matching sees it: keys normalised like the search index's, and the terms of its text.
#[derive(Clone, Debug)]
pub struct JobFacts {
    pub id: Uuid,
    pub skills: Vec<JobSkill>,
    pub sector: String,
    pub country: String,
    pub city: String,
    pub remote: Remote,
    pub en_terms: HashSet<String>,
    pub sv_terms: HashSet<String>,
}

impl JobFacts {
    /// The job's facts, if it is visible now (published and not past `closes_at`); hidden jobs match nothing.
    pub fn of(job: &JobView, analyzers: &Analyzers, now: chrono::DateTime<chrono::Utc>) -> Option<Self> {
        if !is_visible(job, now) {
            return None;
        }
        let skill_names: Vec<&str> = job.skills.iter().map(|s| s.name.as_str()).collect();
        let text = format!("{}\n{}\n{}\n{}", job.title, job.description, job.organization.name, skill_names.join("\n"));
        let (en_terms, sv_terms) = analyzers.terms(&text);
        Some(Self {
            id: job.id,
            skills: job.skills.clone(),
            sector: fields::keyword(&job.sector),
            country: fields::country_key(&job.location.country),
            city: fields::city_key(&job.location.city),
            remote: job.remote,
            en_terms,
            sv_terms,
        })
    }

    /// The taxonomy ids of the job's skills.
    pub fn skill_ids(&self) -> Vec<String> {
        self.skills.iter().filter_map(|s| s.skill_id.clone()).collect()
    }

    fn has_word(&self, word: &Word) -> bool {
        self.en_terms.contains(&word.en) || self.sv_terms.contains(&word.sv)
    }

    fn skill(&self, skill_id: &str) -> Option<AlertSkill> {
        self.skills
            .iter()
            .find(|s| s.skill_id.as_deref() == Some(skill_id))
            .map(|s| AlertSkill { skill_id: skill_id.to_owned(), name: s.name.clone() })
    }
}

/// Whether anyone may see the job now.
pub fn is_visible(job: &JobView, now: chrono::DateTime<chrono::Utc>) -> bool {
    job.status == JobStatus::Published && job.closes_at.is_none_or(|at| at > now)
}

/// Whether every word occurs in the job.
pub fn words_occur(words: &[Word], job: &JobFacts) -> bool {
    words.iter().all(|w| job.has_word(w))
}

impl AlertQuery {
    /// The job's skills among the query's, if every criterion holds for the job (`words` are the query's `q`).
    pub fn test(&self, words: &[Word], job: &JobFacts) -> Option<Vec<AlertSkill>> {
        let matched: Vec<AlertSkill> = self.skills.iter().filter_map(|s| job.skill(&s.skill_id)).collect();
        let holds = (self.skills.is_empty() || !matched.is_empty())
            && (self.sectors.is_empty() || self.sectors.iter().any(|s| fields::keyword(s) == job.sector))
            && self.country.as_deref().is_none_or(|c| fields::country_key(c) == job.country)
            && self.city.as_deref().is_none_or(|c| fields::city_key(c) == job.city)
            && self.remote.is_none_or(|r| r == job.remote)
            && words_occur(words, job);
        holds.then_some(matched)
    }
}

/// The job's skills the profile has, if the job fits the profile: they share a skill, and the profile has at
/// least half of the job's required skills.
pub fn profile_fit(job: &JobFacts, profile_skill_ids: &HashSet<&str>) -> Option<Vec<AlertSkill>> {
    let has = |s: &JobSkill| s.skill_id.as_deref().is_some_and(|id| profile_skill_ids.contains(id));
    let matched: Vec<AlertSkill> = job
        .skills
        .iter()
        .filter(|s| has(s))
        .filter_map(|s| s.skill_id.clone().map(|skill_id| AlertSkill { skill_id, name: s.name.clone() }))
        .collect();
    let required = job.skills.iter().filter(|s| s.required).count();
    let required_held = job.skills.iter().filter(|s| s.required && has(s)).count();
    (!matched.is_empty() && required_held * 2 >= required).then_some(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(skills: &[(&str, bool)]) -> JobFacts {
        let analyzers = Analyzers::new();
        let (en_terms, sv_terms) = analyzers.terms("Senior cell biologists wanted; erfarenhet av cellodlingar");
        JobFacts {
            id: Uuid::nil(),
            skills: skills
                .iter()
                .map(|(id, required)| JobSkill {
                    skill_id: Some((*id).to_owned()),
                    name: id.to_uppercase(),
                    required: *required,
                    ..JobSkill::default()
                })
                .collect(),
            sector: "pharma".to_owned(),
            country: "SE".to_owned(),
            city: fields::city_key("Göteborg"),
            remote: Remote::Hybrid,
            en_terms,
            sv_terms,
        }
    }

    fn skill(id: &str) -> AlertSkill {
        AlertSkill { skill_id: id.to_owned(), name: id.to_owned() }
    }

    #[test]
    fn words_match_in_either_language_and_all_must_occur() {
        let analyzers = Analyzers::new();
        let job = facts(&[]);
        assert!(words_occur(&analyzers.words("Cell biologist"), &job), "stemmed English");
        assert!(words_occur(&analyzers.words("cellodlingen"), &job), "stemmed Swedish");
        assert!(!words_occur(&analyzers.words("cell chemist"), &job));
    }

    #[test]
    fn every_given_criterion_must_hold_and_lists_need_one_item() {
        let job = facts(&[("ls-a", true), ("ls-b", false)]);
        let query = AlertQuery {
            skills: vec![skill("ls-b"), skill("ls-z")],
            sectors: vec!["Biotech".to_owned(), "PHARMA".to_owned()],
            country: Some("se".to_owned()),
            city: Some("goteborg".to_owned()),
            remote: Some(Remote::Hybrid),
            q: None,
        };
        assert_eq!(
            query.test(&[], &job),
            Some(vec![AlertSkill { skill_id: "ls-b".to_owned(), name: "LS-B".to_owned() }])
        );
        assert_eq!(AlertQuery { remote: Some(Remote::Full), ..query.clone() }.test(&[], &job), None);
        assert_eq!(AlertQuery { skills: vec![skill("ls-z")], ..query.clone() }.test(&[], &job), None);
        assert_eq!(AlertQuery { city: Some("Lund".to_owned()), ..query }.test(&[], &job), None);
    }

    #[test]
    fn a_profile_fits_with_a_shared_skill_and_half_the_required_ones() {
        let job = facts(&[("ls-a", true), ("ls-b", true), ("ls-c", false)]);
        assert!(profile_fit(&job, &HashSet::from(["ls-a"])).is_some());
        assert!(profile_fit(&job, &HashSet::from(["ls-c"])).is_none(), "no required skill at all");
        assert!(profile_fit(&job, &HashSet::from(["ls-x"])).is_none());
        let optional_only = facts(&[("ls-c", false)]);
        assert_eq!(profile_fit(&optional_only, &HashSet::from(["ls-c"])).map(|m| m.len()), Some(1));
    }
}
