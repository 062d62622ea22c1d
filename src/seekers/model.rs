//! Seeker profiles as clients send and receive them, and the validation that turns a request into a profile to store.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::limits;
use crate::taxonomy::{normalize, ResolvedSkill};
use crate::vocab::{profile_location_ref, CountryCode, FieldError, LanguageCode, Place};
// Profiles speak of these in their answers; kept reachable here for code that knows them as profiles' words.
pub use crate::vocab::{LanguageLevel, WorkPermit};

pub const MAX_SKILLS: usize = crate::limits::MAX_PROFILE_SKILLS;
pub const MAX_LANGUAGES: usize = 30;
pub const MAX_EXPERIENCE: usize = crate::limits::MAX_ENTRIES;
pub const MAX_EDUCATION: usize = crate::limits::MAX_ENTRIES;
pub const MAX_DESIRED_LOCATIONS: usize = 20;
pub const MAX_SECTORS: usize = 20;

/// Short texts: names, titles, places, labels.
const SHORT: usize = 200;
/// Long texts: the summary and experience descriptions.
const LONG: usize = 5000;
const MAX_YEARS_OF_EXPERIENCE: f64 = 70.0;
/// Dates and years outside this range are typing mistakes, not careers.
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2100;

/// Where the seeker would like to work: a country, optionally narrowed to a region or a city.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesiredLocation {
    #[serde(default)]
    #[schema(max_length = 200)]
    pub city: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `SE`.
    #[schema(pattern = "^[A-Z]{2}$", example = "SE")]
    pub country: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// ISO 639-1, e.g. `sv`.
    #[schema(pattern = "^[a-z]{2}$", example = "sv")]
    pub code: String,
    #[schema(value_type = LanguageLevel)]
    pub level: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Education {
    #[schema(min_length = 1, max_length = 200)]
    pub degree: String,
    #[schema(min_length = 1, max_length = 200)]
    pub field: String,
    #[schema(min_length = 1, max_length = 200)]
    pub institution: String,
    /// The year the degree was (or will be) completed.
    #[serde(default)]
    #[schema(minimum = 1900, maximum = 2100)]
    pub year: Option<i32>,
}

/// A skill as the seeker lists it: by taxonomy id, or by any label or synonym (English or Swedish).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillInput {
    /// A taxonomy id; wins over `name` when both are given. One of the two is required.
    #[serde(default)]
    #[schema(max_length = 200, example = "ls-cell-culture")]
    pub skill_id: Option<String>,
    /// Any English or Swedish label or synonym; an unknown name is kept as a free-text skill.
    #[serde(default)]
    #[schema(max_length = 200, example = "cellodling")]
    pub name: Option<String>,
    /// 1 (beginner) to 5 (expert).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub level: Option<i64>,
    /// Years of practice.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 70)]
    pub years: Option<f64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperienceInput {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 200)]
    pub organization: String,
    /// YYYY-MM-DD.
    #[schema(value_type = String, format = Date)]
    pub start: String,
    /// YYYY-MM-DD, not before `start`; absent for a current position.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub end: Option<String>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
}

/// The body of `PUT /api/v1/me/profile`: the whole profile, which replaces any previous one. Lists are capped while
/// the body is read; texts are checked by [`ProfileRequest::validate`], before any other work, so that one answer
/// names every text that is too long.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    /// One line employers see in search results, e.g. "Cell biologist, 6 years in biologics process development".
    #[schema(min_length = 1, max_length = 200)]
    pub headline: String,
    #[schema(max_length = 5000)]
    pub summary: String,
    #[schema(schema_with = profile_location_ref)]
    pub location: Place,
    #[serde(default, deserialize_with = "limits::list::<MAX_DESIRED_LOCATIONS, _, _>")]
    #[schema(max_items = 20)]
    pub desired_locations: Vec<DesiredLocation>,
    /// Each language once.
    #[serde(default, deserialize_with = "limits::list::<MAX_LANGUAGES, _, _>")]
    #[schema(max_items = 30)]
    pub languages: Vec<Language>,
    /// Each skill once.
    #[serde(default, deserialize_with = "limits::list::<MAX_SKILLS, _, _>")]
    #[schema(max_items = 100)]
    pub skills: Vec<SkillInput>,
    #[serde(default, deserialize_with = "limits::list::<MAX_EXPERIENCE, _, _>")]
    #[schema(max_items = 50)]
    pub experience: Vec<ExperienceInput>,
    #[serde(default, deserialize_with = "limits::list::<MAX_EDUCATION, _, _>")]
    #[schema(max_items = 50)]
    pub education: Vec<Education>,
    #[schema(value_type = WorkPermit)]
    pub work_permit: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub available_from: Option<String>,
    /// Sectors the seeker would also work in, each once.
    #[serde(default, deserialize_with = "limits::list::<MAX_SECTORS, _, _>")]
    #[schema(max_items = 20)]
    pub open_to_sectors: Vec<String>,
    /// Whether employers may find the profile. Off unless turned on.
    #[serde(default)]
    pub searchable: bool,
    /// Whether the HR network may see the seeker in the partner pool. Off unless turned on.
    #[serde(default)]
    pub in_partner_pool: bool,
}

/// One line of work history, as stored and shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Experience {
    pub title: String,
    pub organization: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub description: Option<String>,
}

/// The seeker's own rating of a listed skill; the skill itself is resolved through the taxonomy separately.
#[derive(Clone, Debug)]
pub struct ValidSkill {
    pub level: Option<i16>,
    pub years: Option<f32>,
}

/// A profile that passed validation: texts trimmed, dates parsed. Skills are resolved through the taxonomy apart.
#[derive(Clone, Debug)]
pub struct ValidProfile {
    pub full_name: String,
    pub headline: String,
    pub summary: String,
    pub location: Place,
    pub desired_locations: Vec<DesiredLocation>,
    pub languages: Vec<Language>,
    pub skills: Vec<ValidSkill>,
    pub experience: Vec<Experience>,
    pub education: Vec<Education>,
    pub work_permit: WorkPermit,
    pub available_from: Option<NaiveDate>,
    pub open_to_sectors: Vec<String>,
    pub searchable: bool,
    pub in_partner_pool: bool,
}

/// Collects every problem of a request, so one 422 names them all.
#[derive(Default)]
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A required text of 1 to `max` characters, trimmed.
    fn required(&mut self, field: impl Into<String>, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() || value.chars().count() > max {
            self.fail(field, format!("must be 1 to {max} characters"));
        }
        value.to_owned()
    }

    /// An optional text of at most `max` characters, trimmed; blank counts as absent.
    fn optional(&mut self, field: impl Into<String>, value: Option<&str>, max: usize) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        Some(value.to_owned())
    }

    /// A text that may be empty, trimmed.
    fn free(&mut self, field: impl Into<String>, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        value.to_owned()
    }

    fn country(&mut self, field: impl Into<String>, code: &str) -> String {
        if CountryCode::parse(code).is_none() {
            self.fail(field, "must be an ISO 3166-1 alpha-2 country code in upper case, such as SE");
        }
        code.to_owned()
    }

    fn date(&mut self, field: impl Into<String>, value: &str) -> Option<NaiveDate> {
        let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok().filter(|_| value.len() == 10);
        match date {
            Some(d) if (FIRST_YEAR..=LAST_YEAR).contains(&chrono::Datelike::year(&d)) => Some(d),
            Some(_) => {
                self.fail(field, format!("must be between {FIRST_YEAR} and {LAST_YEAR}"));
                None
            }
            None => {
                self.fail(field, "must be a date written YYYY-MM-DD");
                None
            }
        }
    }

    fn at_most<T>(&mut self, field: &str, list: &[T], max: usize) {
        if list.len() > max {
            self.fail(field, format!("at most {max} entries"));
        }
    }
}

impl ProfileRequest {
    /// Checks everything that needs no database; every problem is reported, each under its JSON path.
    pub fn validate(self) -> Result<ValidProfile, Vec<FieldError>> {
        let mut c = Checker::default();
        let full_name = c.required("full_name", &self.full_name, SHORT);
        let headline = c.required("headline", &self.headline, SHORT);
        let summary = c.free("summary", &self.summary, LONG);
        let location = self.location.validate("location", SHORT, &mut c.errors);
        let desired_locations = desired_locations(&mut c, self.desired_locations);
        let languages = languages(&mut c, self.languages);
        let skills = skills(&mut c, self.skills);
        let experience = experience(&mut c, self.experience);
        let education = education(&mut c, self.education);
        let work_permit = WorkPermit::parse(&self.work_permit);
        if work_permit.is_none() {
            c.fail("work_permit", "must be eu_eea_citizen, has_permit or needs_sponsorship");
        }
        let available_from = self.available_from.as_deref().and_then(|d| c.date("available_from", d));
        let open_to_sectors = sectors(&mut c, self.open_to_sectors);
        match work_permit {
            Some(work_permit) if c.errors.is_empty() => Ok(ValidProfile {
                full_name,
                headline,
                summary,
                location,
                desired_locations,
                languages,
                skills,
                experience,
                education,
                work_permit,
                available_from,
                open_to_sectors,
                searchable: self.searchable,
                in_partner_pool: self.in_partner_pool,
            }),
            _ => Err(c.errors),
        }
    }
}

fn desired_locations(c: &mut Checker, list: Vec<DesiredLocation>) -> Vec<DesiredLocation> {
    c.at_most("desired_locations", &list, MAX_DESIRED_LOCATIONS);
    list.into_iter()
        .enumerate()
        .map(|(i, l)| DesiredLocation {
            city: c.optional(format!("desired_locations[{i}].city"), l.city.as_deref(), SHORT),
            region: c.optional(format!("desired_locations[{i}].region"), l.region.as_deref(), SHORT),
            country: c.country(format!("desired_locations[{i}].country"), &l.country),
        })
        .collect()
}

fn languages(c: &mut Checker, list: Vec<Language>) -> Vec<Language> {
    c.at_most("languages", &list, MAX_LANGUAGES);
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (i, l) in list.iter().enumerate() {
        if LanguageCode::parse(&l.code).is_none() {
            c.fail(format!("languages[{i}].code"), "must be an ISO 639-1 language code in lower case, such as sv");
        } else if let Some(first) = first_seen.insert(l.code.clone(), i) {
            c.fail(format!("languages[{i}].code"), format!("the same language as languages[{first}]"));
        }
        if LanguageLevel::parse(&l.level).is_none() {
            c.fail(format!("languages[{i}].level"), "must be A1, A2, B1, B2, C1, C2 or native");
        }
    }
    list
}

fn skills(c: &mut Checker, list: Vec<SkillInput>) -> Vec<ValidSkill> {
    c.at_most("skills", &list, MAX_SKILLS);
    list.into_iter()
        .enumerate()
        .map(|(i, s)| {
            let level = s.level.and_then(|level| match i16::try_from(level) {
                Ok(level) if (1..=5).contains(&level) => Some(level),
                _ => {
                    c.fail(format!("skills[{i}].level"), "must be 1 to 5");
                    None
                }
            });
            let years = s.years.and_then(|years| {
                if (0.0..=MAX_YEARS_OF_EXPERIENCE).contains(&years) {
                    Some(years as f32)
                } else {
                    c.fail(format!("skills[{i}].years"), "must be 0 to 70");
                    None
                }
            });
            // Only the lengths are checked here: the references themselves go to the taxonomy as given.
            c.optional(format!("skills[{i}].skill_id"), s.skill_id.as_deref(), SHORT);
            c.optional(format!("skills[{i}].name"), s.name.as_deref(), SHORT);
            ValidSkill { level, years }
        })
        .collect()
}

fn experience(c: &mut Checker, list: Vec<ExperienceInput>) -> Vec<Experience> {
    c.at_most("experience", &list, MAX_EXPERIENCE);
    list.into_iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let title = c.required(format!("experience[{i}].title"), &e.title, SHORT);
            let organization = c.required(format!("experience[{i}].organization"), &e.organization, SHORT);
            let description = c.optional(format!("experience[{i}].description"), e.description.as_deref(), LONG);
            let start = c.date(format!("experience[{i}].start"), &e.start);
            let end = e.end.as_deref().and_then(|d| c.date(format!("experience[{i}].end"), d));
            if let (Some(start), Some(end)) = (start, end) {
                if end < start {
                    c.fail(format!("experience[{i}].end"), "must not be before start");
                }
            }
            Some(Experience { title, organization, start: start?, end, description })
        })
        .collect()
}

fn education(c: &mut Checker, list: Vec<Education>) -> Vec<Education> {
    c.at_most("education", &list, MAX_EDUCATION);
    list.into_iter()
        .enumerate()
        .map(|(i, e)| {
            if e.year.is_some_and(|y| !(FIRST_YEAR..=LAST_YEAR).contains(&y)) {
                c.fail(format!("education[{i}].year"), format!("must be between {FIRST_YEAR} and {LAST_YEAR}"));
            }
            Education {
                degree: c.required(format!("education[{i}].degree"), &e.degree, SHORT),
                field: c.required(format!("education[{i}].field"), &e.field, SHORT),
                institution: c.required(format!("education[{i}].institution"), &e.institution, SHORT),
                year: e.year,
            }
        })
        .collect()
}

fn sectors(c: &mut Checker, list: Vec<String>) -> Vec<String> {
    c.at_most("open_to_sectors", &list, MAX_SECTORS);
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            let sector = c.required(format!("open_to_sectors[{i}]"), s, SHORT);
            if let Some(first) = first_seen.insert(normalize(&sector), i) {
                c.fail(format!("open_to_sectors[{i}]"), format!("the same sector as open_to_sectors[{first}]"));
            }
            sector
        })
        .collect()
}

/// Errors for skills that resolved to the same taxonomy skill, or the same free text, as an earlier entry.
pub fn duplicate_skills(resolved: &[ResolvedSkill]) -> Vec<FieldError> {
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (i, skill) in resolved.iter().enumerate() {
        let key = skill.skill_id.clone().unwrap_or_else(|| format!("text:{}", normalize(&skill.name)));
        if let Some(first) = first_seen.insert(key, i) {
            errors.push(FieldError::new(format!("skills[{i}]"), format!("the same skill as skills[{first}]")));
        }
    }
    errors
}

/// A skill on a stored profile. `skill_id` is null for a free-text skill the taxonomy does not know.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProfileSkill {
    pub skill_id: Option<String>,
    /// The taxonomy's label for known skills, else the text as given.
    pub name: String,
    pub level: Option<i16>,
    pub years: Option<f32>,
}

/// The seeker's linked partner (dual career), if any.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PartnerLink {
    pub candidate_id: Uuid,
    pub display_name: String,
}

/// What a stored profile says of the seeker: the part its owner and the employers viewing it both see.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProfileContent {
    /// The id under which employers find this profile; it never changes.
    pub candidate_id: Uuid,
    pub full_name: String,
    pub headline: String,
    pub summary: String,
    #[schema(schema_with = profile_location_ref)]
    pub location: Place,
    pub desired_locations: Vec<DesiredLocation>,
    /// Ordered by language code.
    pub languages: Vec<Language>,
    pub skills: Vec<ProfileSkill>,
    pub experience: Vec<Experience>,
    pub education: Vec<Education>,
    #[schema(value_type = WorkPermit)]
    pub work_permit: String,
    pub available_from: Option<NaiveDate>,
    pub open_to_sectors: Vec<String>,
}

/// A stored profile, as its owner sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Profile {
    #[serde(flatten)]
    pub content: ProfileContent,
    pub searchable: bool,
    pub in_partner_pool: bool,
    /// The linked partner's profile; read-only.
    pub partner: Option<PartnerLink>,
    pub updated_at: DateTime<Utc>,
}

/// A seeker's full profile as an employer sees it, plus how to reach the seeker. Not the seeker's own settings:
/// whether they are in the partner pool or searchable, and their partner link, are theirs alone.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CandidateProfile {
    #[serde(flatten)]
    pub content: ProfileContent,
    pub updated_at: DateTime<Utc>,
    pub email: String,
}

impl CandidateProfile {
    pub fn new(profile: Profile, email: String) -> Self {
        Self { content: profile.content, updated_at: profile.updated_at, email }
    }
}

/// Which profiles a lookup by candidate id may find: each rule is a consent the seeker gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Employers may find the profile.
    Searchable,
    /// The seeker opted in to the partner pool (whether they are in it now is the partners feature's to say).
    PoolOptIn,
    /// Either of the above: the profiles the search index may hold.
    SearchableOrPoolOptIn,
    /// Whatever the seeker chose: for callers whose rule carries its own consent.
    Any,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewParams {
    /// Which of the caller's organisations is viewing; the caller's oldest membership if not given.
    pub organization_id: Option<Uuid>,
}

/// One view of the seeker's profile: which organisation, and when; never which person.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProfileView {
    /// Null once the organisation has been deleted; the name stays.
    pub organization_id: Option<Uuid>,
    pub organization_name: String,
    pub viewed_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> ProfileRequest {
        serde_json::from_value(json).expect("a well-formed request")
    }

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "full_name": "Ana Lind", "headline": "Cell biologist", "summary": "",
            "location": {"city": "Göteborg", "country": "SE"}, "work_permit": "eu_eea_citizen"
        })
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn minimal_profile_is_valid_and_private() {
        let valid = request(minimal()).validate().expect("valid");
        assert!(!valid.searchable && !valid.in_partner_pool);
        assert_eq!(valid.work_permit, WorkPermit::EuEeaCitizen);
    }

    #[test]
    fn every_problem_is_named() {
        let mut body = minimal();
        body["full_name"] = "  ".into();
        body["location"]["country"] = "se".into();
        body["work_permit"] = "tourist".into();
        body["available_from"] = "2026-02-30".into();
        body["languages"] = serde_json::json!([
            {"code": "sv", "level": "C1"}, {"code": "sv", "level": "B2"}, {"code": "SV", "level": "fluent"}
        ]);
        body["skills"] = serde_json::json!([{"name": "x", "level": 0, "years": 71}, {"name": "y", "level": 6}]);
        body["experience"] = serde_json::json!([{"title": "t", "organization": "o", "start": "2020-05-01",
            "end": "2019-01-01"}, {"title": "", "organization": "o", "start": "2020-5-1"}]);
        body["education"] = serde_json::json!([{"degree": "MSc", "field": "f", "institution": "i", "year": 1800}]);
        body["open_to_sectors"] = serde_json::json!(["pharma", "Pharma "]);
        let errors = fields(request(body).validate().expect_err("invalid"));
        assert_eq!(
            errors,
            vec![
                "full_name",
                "location.country",
                "languages[1].code",
                "languages[2].code",
                "languages[2].level",
                "skills[0].level",
                "skills[0].years",
                "skills[1].level",
                "experience[0].end",
                "experience[1].title",
                "experience[1].start",
                "education[0].year",
                "work_permit",
                "available_from",
                "open_to_sectors[1]",
            ]
        );
    }

    #[test]
    fn lists_are_capped() {
        let mut body = minimal();
        body["skills"] =
            serde_json::Value::Array((0..=MAX_SKILLS).map(|i| serde_json::json!({"name": format!("s{i}")})).collect());
        // Refused while the body is read, before validation or the taxonomy see it.
        match crate::body::parse::<ProfileRequest>(body.to_string().as_bytes()) {
            Err(crate::error::ApiError::Invalid(errors)) => assert_eq!(fields(errors), vec!["skills"]),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn the_same_skill_twice_is_refused() {
        let skill = |id: Option<&str>, name: &str| ResolvedSkill { skill_id: id.map(str::to_owned), name: name.into() };
        let resolved = [
            skill(Some("ls-cell-culture"), "cell culture"),
            skill(None, "Pipetting"),
            skill(Some("ls-cell-culture"), "cell culture"),
            skill(None, "pipetting "),
        ];
        assert_eq!(fields(duplicate_skills(&resolved)), vec!["skills[2]", "skills[3]"]);
    }
}
