//! Search request parameters and the blind, explained hits the search endpoints answer with.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::query::{CandidateFilter, JobFilter, WantedLanguage};
use crate::limits;
use crate::vocab::FieldError;

/// `GET /api/v1/candidates`: every filter is optional; all given filters must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateSearchParams {
    /// Free text over headline, summary, experience, education and skills, stemmed as English and Swedish: words,
    /// any of which may match, never a query language. At most 256 characters.
    #[param(max_length = 256)]
    pub q: Option<String>,
    /// Comma-separated skill ids or names (labels and synonyms, English or Swedish), at most 50: each one a
    /// candidate has raises their score. An unknown name is looked for in skill labels as text.
    pub skills: Option<String>,
    /// Comma-separated skill ids or names a candidate must all have, at most 50. An unknown name matches nobody.
    pub must_skills: Option<String>,
    /// Comma-separated languages, each `code` or `code:level` (`sv:B2` means Swedish at B2 or better).
    pub languages: Option<String>,
    /// ISO 3166-1 alpha-2 country where the candidate lives or wants to work.
    pub country: Option<String>,
    /// City where the candidate lives or wants to work.
    #[param(max_length = 200)]
    pub city: Option<String>,
    /// Only candidates available on or before this date (`YYYY-MM-DD`); no date given means available now.
    pub available_before: Option<String>,
    /// Comma-separated work-permit statuses: `eu_eea_citizen`, `has_permit`, `needs_sponsorship`.
    pub work_permit: Option<String>,
    /// `true`: only seekers in the partner pool (accompanying partners looking for work).
    pub partner_pool: Option<bool>,
    /// How many items to return: 1 to 100, 20 if not given.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `GET /api/v1/jobs`: published jobs that have not closed.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobSearchParams {
    /// Free text over title, description, organisation and skills, stemmed as English and Swedish: words, any of
    /// which may match, never a query language. At most 256 characters.
    #[param(max_length = 256)]
    pub q: Option<String>,
    /// Comma-separated skill ids or names, at most 50: jobs asking for more of them rank higher.
    pub skills: Option<String>,
    /// Comma-separated sectors.
    pub sector: Option<String>,
    /// ISO 3166-1 alpha-2 country of the workplace.
    pub country: Option<String>,
    /// City of the workplace.
    #[param(max_length = 200)]
    pub city: Option<String>,
    /// Comma-separated remote modes: `no`, `hybrid`, `full`.
    pub remote: Option<String>,
    /// Only jobs published at or after this instant (RFC 3339) or date (`YYYY-MM-DD`).
    pub published_after: Option<String>,
    /// How many items to return: 1 to 100, 20 if not given.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage<T> {
    pub items: Vec<T>,
    /// The cursor of the next page; absent on the last page and past the 10,000th result.
    pub next_cursor: Option<String>,
    /// How many results match in all. Totals are exact up to 10,000; beyond that `total` is a lower bound and
    /// `total_exact` is false.
    pub total: u64,
    /// Whether `total` is exact (true) or a lower bound (false, only when more than 10,000 match).
    pub total_exact: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HitLocation {
    pub city: String,
    pub country: String,
}

/// A skill as a search hit shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HitSkill {
    pub skill_id: Option<String>,
    pub name: String,
    pub level: Option<i16>,
    pub years: Option<f32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HitLanguage {
    pub code: String,
    /// `A1`..`C2` or `native`; for a job, absent when any level will do.
    pub level: Option<String>,
}

/// A skill named in an explanation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SkillMention {
    pub skill_id: Option<String>,
    /// The taxonomy's label (English where there is one), or the free text as given.
    pub name: String,
    /// Present when the hit does not list this skill itself but an equivalent one (the same skill from another
    /// source, such as ESCO's "Java (computer programming)" for JobTech's "Java Enterprise Edition,
    /// programmeringsspråk"): the hit's skill, which matched in its place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<LinkedSkill>,
}

/// A hit's skill that met a skill asked for in its place, and how the taxonomy links the two.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LinkedSkill {
    pub skill_id: String,
    /// As the hit lists it.
    pub name: String,
    /// `exact` or `close` when the mapping links the two directly; `equivalent` when they are one through other
    /// skills; for a partial match, `narrower` or `broader`: what the hit's skill is to the one asked for.
    #[schema(example = "exact")]
    pub relation: String,
}

/// Something besides skills that moved a score, and by how much.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Factor {
    /// `text`, `language`, `location`, `availability`, `work_permit`, `sector`, `synonym`, `equivalent_skill` or `partial_skill`.
    pub factor: String,
    pub detail: String,
    /// What it added to the score; 0 when it was a filter or did not apply.
    pub effect: f32,
}

/// Why a hit scored as it did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Explanation {
    pub matched_skills: Vec<SkillMention>,
    /// Required skills the hit lacks.
    pub missing_skills: Vec<SkillMention>,
    /// Skills asked for that the hit lacks but has a narrower or broader skill of (`through` names it), which
    /// counted for a share of their weight.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial_skills: Vec<SkillMention>,
    pub other: Vec<Factor>,
}

/// A candidate in search results: blind, so never a name, email, phone or photo.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CandidateHit {
    pub candidate_id: Uuid,
    pub headline: String,
    pub skills: Vec<HitSkill>,
    pub languages: Vec<HitLanguage>,
    pub location: HitLocation,
    pub available_from: Option<NaiveDate>,
    pub score: f32,
    pub explanation: Explanation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HitOrganization {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HitJobSkill {
    pub skill_id: Option<String>,
    pub name: String,
    pub required: bool,
}

/// A published job in search results.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JobHit {
    pub id: Uuid,
    pub title: String,
    pub organization: HitOrganization,
    pub location: HitLocation,
    /// `no`, `hybrid` or `full`.
    pub remote: String,
    pub sector: String,
    pub employment_type: String,
    pub published_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub skills: Vec<HitJobSkill>,
    /// Present when the search gave `q` or `skills`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

/// A job ranked for the signed-in seeker's profile.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JobMatch {
    pub job_id: Uuid,
    pub title: String,
    pub organization: HitOrganization,
    pub location: HitLocation,
    pub remote: String,
    pub score: f32,
    pub explanation: Explanation,
}

/// Where a page starts and how long it is, from `limit` and the opaque `cursor` (an offset into the ranking).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageSpec {
    pub offset: usize,
    pub limit: usize,
}

/// Deep pages of a relevance ranking are neither useful nor cheap.
pub const MAX_OFFSET: usize = 10_000;

impl PageSpec {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>, errors: &mut Vec<FieldError>) -> Self {
        let params = crate::pagination::PageParams { limit, cursor: None };
        let limit = params.limit().unwrap_or_else(|_| {
            errors.push(FieldError::new("limit", "must be between 1 and 100"));
            crate::pagination::DEFAULT_LIMIT
        }) as usize;
        let offset = match cursor.map(crate::pagination::decode::<usize>) {
            None => 0,
            Some(Ok(offset)) if offset <= MAX_OFFSET => offset,
            Some(_) => {
                errors.push(FieldError::new("cursor", "not a cursor this search gave out"));
                0
            }
        };
        Self { offset, limit }
    }

    /// The cursor of the next page, if the ranking goes on: when more than `total` match (`total_exact` false,
    /// `total` a lower bound), it goes on past `total` too, as far as pages may start.
    pub fn next_cursor(&self, total: u64, total_exact: bool) -> Option<String> {
        let next = self.offset + self.limit;
        (((next as u64) < total || !total_exact) && next <= MAX_OFFSET).then(|| crate::pagination::encode(&next))
    }
}

/// The non-empty, trimmed items of a comma-separated parameter.
pub fn list(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// At most this many skills in one parameter.
pub const MAX_SKILLS: usize = limits::MAX_JOB_SKILLS;

fn country(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let value = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
        Some(value.to_ascii_uppercase())
    } else {
        errors.push(FieldError::new("country", "use an ISO 3166-1 alpha-2 code such as SE"));
        None
    }
}

fn text(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Keeps the listed values that are among `allowed`, naming the field once for any that are not.
fn one_of(field: &str, raw: Option<&str>, allowed: &[&str], errors: &mut Vec<FieldError>) -> Vec<String> {
    let values = list(raw);
    if values.iter().any(|v| !allowed.contains(&v.as_str())) {
        errors.push(FieldError::new(field, format!("each value must be one of: {}", allowed.join(", "))));
    }
    values
}

fn languages(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Vec<WantedLanguage> {
    let mut wanted = Vec::new();
    for item in list(raw) {
        let (code, level) = match item.split_once(':') {
            Some((code, level)) => (code.trim(), Some(level.trim())),
            None => (item.as_str(), None),
        };
        let code_ok = code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic());
        let level_ok = level.is_none_or(|l| super::fields::level_rank(l).is_some());
        if !(code_ok && level_ok) {
            errors.push(FieldError::new("languages", "use codes such as sv or sv:B2 (levels A1..C2 or native)"));
            continue;
        }
        let level = level.and_then(super::fields::level_rank).map(|r| super::fields::LEVELS[r].to_owned());
        wanted.push(WantedLanguage { code: code.to_ascii_lowercase(), level });
    }
    wanted
}

fn skill_count(field: &str, raw: Option<&str>, errors: &mut Vec<FieldError>) {
    if limits::count_listed(raw) > MAX_SKILLS {
        errors.push(FieldError::new(field, format!("at most {MAX_SKILLS} items")));
    }
}

/// A free text of at most `max` characters.
fn text_length(field: &str, raw: Option<&str>, max: usize, errors: &mut Vec<FieldError>) {
    if raw.is_some_and(|text| text.len() > max && text.chars().count() > max) {
        errors.push(FieldError::new(field, format!("at most {max} characters")));
    }
}

pub const WORK_PERMITS: [&str; 3] = ["eu_eea_citizen", "has_permit", "needs_sponsorship"];
pub const REMOTE_MODES: [&str; 3] = ["no", "hybrid", "full"];

impl CandidateSearchParams {
    /// Checks every parameter but the skills (those need the taxonomy) and builds the filters.
    pub fn validate(&self) -> Result<(CandidateFilter, PageSpec), Vec<FieldError>> {
        let mut errors = Vec::new();
        text_length("q", self.q.as_deref(), limits::MAX_QUERY_CHARS, &mut errors);
        text_length("city", self.city.as_deref(), limits::MAX_NAME_CHARS, &mut errors);
        skill_count("skills", self.skills.as_deref(), &mut errors);
        skill_count("must_skills", self.must_skills.as_deref(), &mut errors);
        let available_before =
            self.available_before.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| errors.push(FieldError::new("available_before", "use a date such as 2026-09-01")))
                    .ok()
            });
        let filter = CandidateFilter {
            skill_ids: Vec::new(),
            languages: languages(self.languages.as_deref(), &mut errors),
            country: country(self.country.as_deref(), &mut errors),
            city: text(self.city.as_deref()),
            available_before,
            work_permits: one_of("work_permit", self.work_permit.as_deref(), &WORK_PERMITS, &mut errors),
            partner_pool: self.partner_pool.unwrap_or(false),
        };
        let page = PageSpec::parse(self.limit, self.cursor.as_deref(), &mut errors);
        if errors.is_empty() {
            Ok((filter, page))
        } else {
            Err(errors)
        }
    }
}

impl JobSearchParams {
    /// Checks every parameter but the skills and builds the filters.
    pub fn validate(&self) -> Result<(JobFilter, PageSpec), Vec<FieldError>> {
        let mut errors = Vec::new();
        text_length("q", self.q.as_deref(), limits::MAX_QUERY_CHARS, &mut errors);
        text_length("city", self.city.as_deref(), limits::MAX_NAME_CHARS, &mut errors);
        skill_count("skills", self.skills.as_deref(), &mut errors);
        let published_after =
            self.published_after.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|raw| {
                instant(raw).or_else(|| {
                    errors.push(FieldError::new(
                        "published_after",
                        "use an RFC 3339 instant or a date such as 2026-09-01",
                    ));
                    None
                })
            });
        let filter = JobFilter {
            sectors: list(self.sector.as_deref()),
            country: country(self.country.as_deref(), &mut errors),
            city: text(self.city.as_deref()),
            remote: one_of("remote", self.remote.as_deref(), &REMOTE_MODES, &mut errors),
            published_after,
        };
        let page = PageSpec::parse(self.limit, self.cursor.as_deref(), &mut errors);
        if errors.is_empty() {
            Ok((filter, page))
        } else {
            Err(errors)
        }
    }
}

/// An RFC 3339 instant, or a date meaning its midnight UTC.
fn instant(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
    })
}

/// `GET /api/v1/jobs/{id}/matches` and `GET /api/v1/me/matches`: just a page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// How many items to return: 1 to 100, 20 if not given.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl MatchParams {
    pub fn validate(&self) -> Result<PageSpec, Vec<FieldError>> {
        let mut errors = Vec::new();
        let page = PageSpec::parse(self.limit, self.cursor.as_deref(), &mut errors);
        if errors.is_empty() {
            Ok(page)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_parameters_are_each_named() {
        let params = CandidateSearchParams {
            languages: Some("sv:B7,en".to_owned()),
            country: Some("Sweden".to_owned()),
            available_before: Some("soon".to_owned()),
            work_permit: Some("has_permit,maybe".to_owned()),
            limit: Some(0),
            cursor: Some("garbage".to_owned()),
            ..Default::default()
        };
        let fields: Vec<String> = params.validate().expect_err("invalid").into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["available_before", "languages", "country", "work_permit", "limit", "cursor"]);
    }

    #[test]
    fn valid_parameters_become_filters_and_pages() {
        let params = CandidateSearchParams {
            languages: Some(" sv:b2 , EN ".to_owned()),
            country: Some("se".to_owned()),
            available_before: Some("2026-09-01".to_owned()),
            limit: Some(5),
            cursor: Some(crate::pagination::encode(&10usize)),
            ..Default::default()
        };
        let (filter, page) = params.validate().expect("valid");
        assert_eq!(filter.languages[0], WantedLanguage { code: "sv".to_owned(), level: Some("B2".to_owned()) });
        assert_eq!(filter.languages[1].level, None);
        assert_eq!(filter.country.as_deref(), Some("SE"));
        assert_eq!(page, PageSpec { offset: 10, limit: 5 });
        assert_eq!(page.next_cursor(16, true), Some(crate::pagination::encode(&15usize)));
        assert_eq!(page.next_cursor(15, true), None);
    }

    #[test]
    fn a_lower_bound_total_pages_on_to_the_deepest_page() {
        let at = |offset| PageSpec { offset, limit: 20 };
        assert_eq!(at(9_960).next_cursor(10_000, false), Some(crate::pagination::encode(&9_980usize)));
        assert_eq!(at(9_980).next_cursor(10_000, false), Some(crate::pagination::encode(&10_000usize)));
        assert_eq!(at(9_980).next_cursor(10_000, true), None, "exactly 10,000: the page at 9,980 is the last");
        assert_eq!(at(10_000).next_cursor(10_000, false), None, "no page starts past 10,000");
    }

    #[test]
    fn published_after_takes_instants_and_dates() {
        assert!(instant("2026-01-01T10:00:00+01:00").is_some());
        assert_eq!(instant("2026-01-01").map(|t| t.to_rfc3339()), Some("2026-01-01T00:00:00+00:00".to_owned()));
        assert!(instant("yesterday").is_none());
    }
}
