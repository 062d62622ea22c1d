//! Job postings as clients send them, their validation, the status moves a job may make, and the job view.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::limits;
use crate::vocab::{check_length, check_url, not_null, nullable, trimmed, FieldError, LanguageCode, Place};
// Jobs speak of these in their answers; kept reachable here for code that knows them as jobs' words.
use crate::taxonomy::{normalize, ResolvedSkill, SkillRef};
pub use crate::vocab::{LanguageLevel, Remote};

/// Where the job is.
const MAX_CITY_CHARS: usize = 100;
/// Sectors and employment types.
const MAX_KEYWORD_CHARS: usize = 100;
/// Languages a job may ask for.
const MAX_LANGUAGES: usize = 20;
/// Where to apply.
const MAX_URL_CHARS: usize = 2048;

/// Where a job is in its life. Allowed moves: draft → published, published → closed, closed → published
/// (reopening). A job that was ever visible never goes back to draft, and a draft cannot be closed unpublished.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Draft,
    Published,
    Closed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Self::Draft),
            "published" => Some(Self::Published),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    /// Whether a job may go from `self` to `to`. Staying put is always allowed.
    pub fn may_become(self, to: JobStatus) -> bool {
        use JobStatus::{Closed, Draft, Published};
        self == to || matches!((self, to), (Draft, Published) | (Published, Closed) | (Closed, Published))
    }

    /// Whether anyone may see a job in this status; drafts are for the organisation's members only.
    pub fn is_public(self) -> bool {
        self != JobStatus::Draft
    }
}

crate::text_enum_sql!(JobStatus);

/// A language the job asks for, with the lowest acceptable level if there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobLanguage {
    /// ISO 639-1, lower case (`sv`, `en`).
    #[schema(example = "sv")]
    pub code: String,
    #[serde(default)]
    pub level: Option<LanguageLevel>,
}

/// A skill as a job names it: by taxonomy id or by any label (unknown names stay free text).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobSkillInput {
    #[serde(default, deserialize_with = "limits::optional_text::<{ limits::MAX_NAME_CHARS }, _>")]
    #[schema(max_length = 200)]
    pub skill_id: Option<String>,
    #[serde(default, deserialize_with = "limits::optional_text::<{ limits::MAX_NAME_CHARS }, _>")]
    #[schema(max_length = 200)]
    pub name: Option<String>,
    /// Must candidates have it (true), or is it a plus (false)?
    pub required: bool,
}

/// A skill of a job after resolution through the taxonomy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct JobSkill {
    /// Null for a free-text skill the taxonomy does not know.
    pub skill_id: Option<String>,
    pub name: String,
    pub required: bool,
    /// Imported ads only: whether the ad listed the skill or it was read from the ad's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<SkillFound>,
    /// Imported ads only, for skills read from the text: the words around where the skill was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

/// How an imported ad's skill was found.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum SkillFound {
    /// In the ad's own list of skills (JobTech `must_have` / `nice_to_have`).
    Listed,
    /// In the ad's text, by the skill extractor.
    Text,
}

impl SkillFound {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Listed => "listed",
            Self::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "listed" => Some(Self::Listed),
            "text" => Some(Self::Text),
            _ => None,
        }
    }
}

crate::text_enum_sql!(SkillFound);

/// Where an imported job came from.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct JobSource {
    /// `jobtech` for the Public Employment Service, else the board's host name (`halsojobb.se`).
    pub name: String,
    pub external_id: String,
    pub url: Option<String>,
}

/// Another place the same job was published.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct AlsoAt {
    pub name: String,
    pub url: Option<String>,
}

/// The statuses a job may be created in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitialStatus {
    Draft,
    Published,
}

impl From<InitialStatus> for JobStatus {
    fn from(s: InitialStatus) -> Self {
        match s {
            InitialStatus::Draft => JobStatus::Draft,
            InitialStatus::Published => JobStatus::Published,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    /// An organisation the caller is a member of.
    pub organization_id: Uuid,
    /// 1 to 200 characters.
    #[serde(deserialize_with = "limits::text::<{ limits::MAX_NAME_CHARS }, _>")]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// 1 to 20000 characters.
    #[serde(deserialize_with = "limits::text::<{ limits::MAX_TEXT_CHARS }, _>")]
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    /// At most 50; the same skill may not appear twice.
    #[serde(deserialize_with = "limits::list::<{ limits::MAX_JOB_SKILLS }, _, _>")]
    #[schema(max_items = 50)]
    pub skills: Vec<JobSkillInput>,
    pub location: Place,
    pub remote: Remote,
    /// E.g. `permanent`, `fixed_term`, `postdoc`; 1 to 100 characters.
    #[serde(deserialize_with = "limits::text::<MAX_KEYWORD_CHARS, _>")]
    #[schema(min_length = 1, max_length = 100)]
    pub employment_type: String,
    /// 1 to 100 characters.
    #[serde(deserialize_with = "limits::text::<MAX_KEYWORD_CHARS, _>")]
    #[schema(min_length = 1, max_length = 100)]
    pub sector: String,
    /// At most 20, each code once.
    #[serde(deserialize_with = "limits::list::<MAX_LANGUAGES, _, _>")]
    #[schema(max_items = 20)]
    pub languages: Vec<JobLanguage>,
    /// Where to apply: an http(s) URL.
    #[serde(default, deserialize_with = "limits::optional_text::<MAX_URL_CHARS, _>")]
    #[schema(max_length = 2048)]
    pub apply_url: Option<String>,
    /// When applications close; must be in the future.
    pub closes_at: Option<DateTime<Utc>>,
    pub status: InitialStatus,
}

/// A partial update. Fields left out stay as they are; `apply_url` and `closes_at` are cleared by `null`; `skills`
/// and `languages` replace the whole list. The organisation cannot be changed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPatch {
    #[serde(default, deserialize_with = "limits::text_not_null::<{ limits::MAX_NAME_CHARS }, _>")]
    #[schema(nullable = false, min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "limits::text_not_null::<{ limits::MAX_TEXT_CHARS }, _>")]
    #[schema(nullable = false, min_length = 1, max_length = 20000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "limits::list_not_null::<{ limits::MAX_JOB_SKILLS }, _, _>")]
    #[schema(nullable = false, max_items = 50)]
    pub skills: Option<Vec<JobSkillInput>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub location: Option<Place>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub remote: Option<Remote>,
    #[serde(default, deserialize_with = "limits::text_not_null::<MAX_KEYWORD_CHARS, _>")]
    #[schema(nullable = false, min_length = 1, max_length = 100)]
    pub employment_type: Option<String>,
    #[serde(default, deserialize_with = "limits::text_not_null::<MAX_KEYWORD_CHARS, _>")]
    #[schema(nullable = false, min_length = 1, max_length = 100)]
    pub sector: Option<String>,
    #[serde(default, deserialize_with = "limits::list_not_null::<MAX_LANGUAGES, _, _>")]
    #[schema(nullable = false, max_items = 20)]
    pub languages: Option<Vec<JobLanguage>>,
    #[serde(default, deserialize_with = "limits::nullable_text::<MAX_URL_CHARS, _>")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub apply_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub closes_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub status: Option<JobStatus>,
}

/// The fields every job has, validated and trimmed; skills still to be resolved.
#[derive(Debug, Clone)]
pub struct JobFields {
    pub title: String,
    pub description: String,
    pub skills: Vec<JobSkillInput>,
    pub location: Place,
    pub remote: Remote,
    pub employment_type: String,
    pub sector: String,
    pub languages: Vec<JobLanguage>,
    pub apply_url: Option<String>,
    pub closes_at: Option<DateTime<Utc>>,
    pub status: JobStatus,
}

impl CreateJob {
    /// Splits off the organisation and turns the rest into fields to validate.
    pub fn into_fields(self) -> (Uuid, JobFields) {
        let fields = JobFields {
            title: self.title,
            description: self.description,
            skills: self.skills,
            location: self.location,
            remote: self.remote,
            employment_type: self.employment_type,
            sector: self.sector,
            languages: self.languages,
            apply_url: self.apply_url,
            closes_at: self.closes_at,
            status: self.status.into(),
        };
        (self.organization_id, fields)
    }
}

impl JobPatch {
    /// The job as it would be after this patch.
    pub fn apply_to(self, current: JobFields) -> JobFields {
        JobFields {
            title: self.title.unwrap_or(current.title),
            description: self.description.unwrap_or(current.description),
            skills: self.skills.unwrap_or(current.skills),
            location: self.location.unwrap_or(current.location),
            remote: self.remote.unwrap_or(current.remote),
            employment_type: self.employment_type.unwrap_or(current.employment_type),
            sector: self.sector.unwrap_or(current.sector),
            languages: self.languages.unwrap_or(current.languages),
            apply_url: self.apply_url.unwrap_or(current.apply_url),
            closes_at: self.closes_at.unwrap_or(current.closes_at),
            status: self.status.unwrap_or(current.status),
        }
    }
}

impl JobFields {
    /// Trims texts and checks every field. `closes_at` must be in the future when it is `check_closes_at`: on
    /// creation, when it changes, and when the job is (re)published.
    pub fn validate(self, check_closes_at: bool, now: DateTime<Utc>) -> Result<JobFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim().to_owned();
        check_length("title", &title, 1, 200, &mut errors);
        let description = self.description.trim().to_owned();
        check_length("description", &description, 1, 20_000, &mut errors);
        if self.skills.len() > limits::MAX_JOB_SKILLS {
            errors.push(FieldError::new("skills", format!("at most {} items", limits::MAX_JOB_SKILLS)));
        }
        for (i, s) in self.skills.iter().enumerate() {
            if let Some(name) = &s.name {
                check_length(&format!("skills[{i}].name"), name.trim(), 0, 100, &mut errors);
            }
        }
        let location = self.location.validate("location", MAX_CITY_CHARS, &mut errors);
        let employment_type = self.employment_type.trim().to_owned();
        check_length("employment_type", &employment_type, 1, 100, &mut errors);
        let sector = self.sector.trim().to_owned();
        check_length("sector", &sector, 1, 100, &mut errors);
        check_languages(&self.languages, &mut errors);
        let apply_url = trimmed(self.apply_url);
        check_url("apply_url", apply_url.as_deref(), &mut errors);
        if check_closes_at && self.closes_at.is_some_and(|at| at <= now) {
            errors.push(FieldError::new("closes_at", "must be in the future"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(JobFields { title, description, location, employment_type, sector, apply_url, ..self })
    }

    pub fn skill_refs(&self) -> Vec<SkillRef> {
        self.skills.iter().map(|s| SkillRef { skill_id: s.skill_id.clone(), name: s.name.clone() }).collect()
    }
}

fn check_languages(languages: &[JobLanguage], errors: &mut Vec<FieldError>) {
    if languages.len() > 20 {
        errors.push(FieldError::new("languages", "at most 20 languages"));
    }
    for (i, language) in languages.iter().enumerate() {
        if LanguageCode::parse(&language.code).is_none() {
            errors.push(FieldError::new(
                format!("languages[{i}].code"),
                "must be an ISO 639-1 language code in lower case, such as sv",
            ));
        } else if languages[..i].iter().any(|earlier| earlier.code == language.code) {
            errors.push(FieldError::new(format!("languages[{i}].code"), "this language is already listed"));
        }
    }
}

/// Pairs resolved skills with their `required` flags, refusing the same skill twice (by id, or by free-text name),
/// in one pass.
pub fn job_skills(inputs: &[JobSkillInput], resolved: Vec<ResolvedSkill>) -> Result<Vec<JobSkill>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::with_capacity(resolved.len());
    let mut skills: Vec<JobSkill> = Vec::with_capacity(resolved.len());
    for (i, (input, skill)) in inputs.iter().zip(resolved).enumerate() {
        let key = match &skill.skill_id {
            Some(id) => format!("id:{id}"),
            None => format!("text:{}", normalize(&skill.name)),
        };
        if let Some(j) = first_seen.get(&key) {
            errors.push(FieldError::new(format!("skills[{i}]"), format!("the same skill as skills[{j}]")));
        } else {
            first_seen.insert(key, i);
        }
        skills.push(JobSkill {
            skill_id: skill.skill_id,
            name: skill.name,
            required: input.required,
            ..JobSkill::default()
        });
    }
    if errors.is_empty() {
        Ok(skills)
    } else {
        Err(errors)
    }
}

/// The organisation a job belongs to, as the job view names it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct JobOrganization {
    pub id: Uuid,
    pub name: String,
}

/// A job, whole.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct JobView {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization: JobOrganization,
    pub title: String,
    pub description: String,
    pub skills: Vec<JobSkill>,
    pub location: Place,
    pub remote: Remote,
    pub employment_type: String,
    pub sector: String,
    pub languages: Vec<JobLanguage>,
    pub apply_url: Option<String>,
    pub closes_at: Option<DateTime<Utc>>,
    pub status: JobStatus,
    /// When the job was first published; null for a draft that never was.
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Imported jobs: the ad it was imported from; null for jobs posted in Tandem.
    pub source: Option<JobSource>,
    /// Imported jobs: other boards that published the same job (merged into this one).
    pub also_at: Vec<AlsoAt>,
}

impl JobView {
    /// The view's editable fields, as a starting point for a patch. `skills` is left empty: a patch without
    /// `skills` keeps the stored ones untouched rather than resolving them again.
    pub fn fields(&self) -> JobFields {
        JobFields {
            title: self.title.clone(),
            description: self.description.clone(),
            skills: Vec::new(),
            location: self.location.clone(),
            remote: self.remote,
            employment_type: self.employment_type.clone(),
            sector: self.sector.clone(),
            languages: self.languages.clone(),
            apply_url: self.apply_url.clone(),
            closes_at: self.closes_at,
            status: self.status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_moves() {
        use JobStatus::{Closed, Draft, Published};
        assert!(Draft.may_become(Published));
        assert!(Published.may_become(Closed));
        assert!(Closed.may_become(Published));
        assert!(Published.may_become(Published));
        assert!(!Published.may_become(Draft));
        assert!(!Closed.may_become(Draft));
        assert!(!Draft.may_become(Closed));
    }

    #[test]
    fn the_same_skill_twice_is_refused() {
        let inputs = vec![
            JobSkillInput { skill_id: None, name: Some("Cell culture".into()), required: true },
            JobSkillInput { skill_id: None, name: Some("Python".into()), required: false },
            JobSkillInput { skill_id: None, name: Some("cell  CULTURE".into()), required: false },
        ];
        let resolved =
            inputs.iter().map(|i| ResolvedSkill { skill_id: None, name: i.name.clone().unwrap_or_default() }).collect();
        let errors = job_skills(&inputs, resolved).expect_err("duplicate");
        assert_eq!(errors[0].field, "skills[2]");
    }
}
