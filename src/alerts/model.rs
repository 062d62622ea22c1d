//! Alert requests and responses, their validation, and the normalised criteria an alert is stored and matched by.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::jobs::model::JobOrganization;
use crate::vocab::{check_length, CountryCode, FieldError};
use crate::vocab::{Place, Remote};

/// Most alerts one seeker may keep.
pub const MAX_ALERTS: i64 = 20;
/// Most skills, and most sectors, one alert may name.
pub const MAX_LIST: usize = 20;
/// Longest free-text query (under the contract's ceiling for `q`: an alert's words must all match).
pub const MAX_Q_CHARS: usize = 200;
/// Longest alert name, city, and skill or sector item.
const MAX_NAME_CHARS: usize = 100;

/// How often an alert mails: at once for each new job, or one digest a day (07:00) or a week (Monday 07:00),
/// Stockholm time.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Instant,
    Daily,
    Weekly,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instant => "instant",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Instant, Self::Daily, Self::Weekly].into_iter().find(|f| f.as_str() == s)
    }
}

crate::text_enum_sql!(Frequency);

/// What made an alert: the seeker's own saved search or profile match, or the partner commute alert Tandem keeps
/// for a partner-pool member (jobs in every sector within commuting distance of the talent's employer).
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
pub enum AlertKind {
    Search,
    PartnerCommute,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Search => "search",
            Self::PartnerCommute => "partner_commute",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Search, Self::PartnerCommute].into_iter().find(|k| k.as_str() == s)
    }
}

crate::text_enum_sql!(AlertKind);

/// Why a job matched a partner commute alert: how far it is from the recruiting employer's site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Commute {
    /// The employer that recruited the partner's talent.
    pub employer: String,
    /// The employer's town, as the place list names it.
    pub city: String,
    /// Great-circle distance from the employer's town to the job's, in km.
    pub distance_km: f64,
    /// The radius the alert uses (`PARTNER_COMMUTE_KM`).
    pub radius_km: f64,
}

impl Commute {
    /// The line an email shows for the job.
    pub fn explanation(&self) -> String {
        let away = match self.distance_km.round() {
            d if d < 1.0 => "less than 1 km away".to_owned(),
            d => format!("about {d:.0} km away"),
        };
        format!("Within {:.0} km of {}'s site in {}: {away}", self.radius_km, self.employer, self.city)
    }
}

/// The criteria of a saved search, as sent. Every given criterion must hold; lists hold when any item does.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryInput {
    /// Words that must all appear in the job's title, description, organisation or skills (stemmed as English
    /// or Swedish). At most 200 characters.
    #[serde(default, deserialize_with = "crate::limits::optional_text::<MAX_Q_CHARS, _>")]
    #[schema(max_length = 200)]
    pub q: Option<String>,
    /// Skill ids or names (labels and synonyms, English or Swedish), at most 20: the job must ask for at least one.
    #[serde(default, deserialize_with = "crate::limits::optional_list::<MAX_LIST, _, _>")]
    #[schema(max_items = 20)]
    pub skills: Option<Vec<String>>,
    /// Sectors, at most 20: the job must be in one of them.
    #[serde(default, deserialize_with = "crate::limits::optional_list::<MAX_LIST, _, _>")]
    #[schema(max_items = 20)]
    pub sectors: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 country of the workplace.
    #[serde(default, deserialize_with = "crate::limits::optional_text::<MAX_NAME_CHARS, _>")]
    #[schema(example = "SE")]
    pub country: Option<String>,
    /// City of the workplace.
    #[serde(default, deserialize_with = "crate::limits::optional_text::<MAX_NAME_CHARS, _>")]
    #[schema(max_length = 100)]
    pub city: Option<String>,
    /// The job's remote mode.
    pub remote: Option<Remote>,
}

/// `POST /api/v1/me/alerts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAlert {
    /// 1 to 100 characters.
    #[serde(deserialize_with = "crate::limits::text::<MAX_NAME_CHARS, _>")]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// A saved search; `null` (or left out) when the alert only follows the profile.
    #[serde(default)]
    pub query: Option<QueryInput>,
    /// `true`: only jobs that fit my own profile (they share skills with it, and it has at least half of the
    /// job's required skills). With a query too, a job must meet both.
    #[serde(default)]
    pub match_profile: bool,
    pub frequency: Frequency,
}

/// A skill an alert asks for, resolved through the taxonomy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AlertSkill {
    pub skill_id: String,
    pub name: String,
}

/// The criteria of a saved search after validation: what is stored, matched and shown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AlertQuery {
    pub q: Option<String>,
    pub skills: Vec<AlertSkill>,
    pub sectors: Vec<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub remote: Option<Remote>,
}

/// An alert as the seeker sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AlertView {
    pub id: Uuid,
    /// `partner_commute` for the alert Tandem keeps for a partner in the partner pool; deleting it stops those
    /// emails for good (as `partner_job_alerts: false` in `/me/referral-preferences` does).
    pub kind: AlertKind,
    pub name: String,
    pub query: Option<AlertQuery>,
    pub match_profile: bool,
    pub frequency: Frequency,
    pub created_at: DateTime<Utc>,
}

/// A job one of the seeker's alerts matched: an item of `GET /me/alerts/{id}/jobs`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AlertJob {
    pub job_id: Uuid,
    pub title: String,
    pub organization: JobOrganization,
    pub location: Place,
    pub remote: Remote,
    /// The job's skills that met the alert (for a profile match, those the seeker has too); may be empty.
    pub matched_skills: Vec<AlertSkill>,
    /// For a partner commute alert, how near the job is to the talent's employer; null for other alerts.
    pub commute: Option<Commute>,
    /// When the alert matched the job.
    pub matched_at: DateTime<Utc>,
}

/// A validated request; its skills still to be resolved.
#[derive(Debug)]
pub struct NewAlert {
    pub name: String,
    pub query: Option<CheckedQuery>,
    pub match_profile: bool,
    pub frequency: Frequency,
}

/// A validated query whose skills still name ids or labels.
#[derive(Debug, Default)]
pub struct CheckedQuery {
    pub q: Option<String>,
    pub skills: Vec<String>,
    pub sectors: Vec<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub remote: Option<Remote>,
}

impl CheckedQuery {
    /// The stored query, with skills as resolved.
    pub fn resolved(self, skills: Vec<AlertSkill>) -> AlertQuery {
        AlertQuery {
            q: self.q,
            skills,
            sectors: self.sectors,
            country: self.country,
            city: self.city,
            remote: self.remote,
        }
    }
}

impl CreateAlert {
    /// Trims and checks everything but whether the skills exist.
    pub fn validate(self) -> Result<NewAlert, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_owned();
        check_length("name", &name, 1, MAX_NAME_CHARS, &mut errors);
        let query = self.query.map(|q| q.validate(&mut errors));
        match &query {
            None if !self.match_profile => {
                errors.push(FieldError::new("query", "give a query, or set match_profile to true"));
            }
            Some(q) if q.is_empty() => {
                errors.push(FieldError::new("query", "name at least one of q, skills, sectors, country, city, remote"));
            }
            _ => {}
        }
        if errors.is_empty() {
            Ok(NewAlert { name, query, match_profile: self.match_profile, frequency: self.frequency })
        } else {
            Err(errors)
        }
    }
}

impl QueryInput {
    fn validate(self, errors: &mut Vec<FieldError>) -> CheckedQuery {
        let q = text(self.q);
        if let Some(q) = &q {
            check_length("query.q", q, 1, MAX_Q_CHARS, errors);
            if !q.chars().any(char::is_alphanumeric) {
                errors.push(FieldError::new("query.q", "must contain at least one word"));
            }
        }
        let skills = list("query.skills", self.skills, errors);
        let sectors = list("query.sectors", self.sectors, errors);
        let country = text(self.country).map(|c| c.to_ascii_uppercase());
        if country.as_deref().is_some_and(|c| CountryCode::parse(c).is_none()) {
            errors.push(FieldError::new("query.country", "must be an ISO 3166-1 alpha-2 country code, such as SE"));
        }
        let city = text(self.city);
        if let Some(city) = &city {
            check_length("query.city", city, 1, MAX_NAME_CHARS, errors);
        }
        CheckedQuery { q, skills, sectors, country, city, remote: self.remote }
    }
}

impl CheckedQuery {
    fn is_empty(&self) -> bool {
        self.q.is_none()
            && self.skills.is_empty()
            && self.sectors.is_empty()
            && self.country.is_none()
            && self.city.is_none()
            && self.remote.is_none()
    }
}

fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Trims the items of a list, refusing blank or overlong ones and more than [`MAX_LIST`].
fn list(field: &str, values: Option<Vec<String>>, errors: &mut Vec<FieldError>) -> Vec<String> {
    let values = values.unwrap_or_default();
    if values.len() > MAX_LIST {
        errors.push(FieldError::new(field, format!("name at most {MAX_LIST}")));
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let v = v.trim().to_owned();
            check_length(&format!("{field}[{i}]"), &v, 1, MAX_NAME_CHARS, errors);
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(query: Option<QueryInput>, match_profile: bool) -> CreateAlert {
        CreateAlert { name: "Pharma in Göteborg".to_owned(), query, match_profile, frequency: Frequency::Daily }
    }

    fn fields(result: Result<NewAlert, Vec<FieldError>>) -> Vec<String> {
        result.expect_err("invalid").into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_alert_needs_a_query_or_the_profile() {
        assert_eq!(fields(alert(None, false).validate()), vec!["query"]);
        assert_eq!(fields(alert(Some(QueryInput::default()), false).validate()), vec!["query"]);
        assert!(alert(None, true).validate().is_ok());
    }

    #[test]
    fn each_bad_criterion_is_named() {
        let query = QueryInput {
            q: Some("!!".to_owned()),
            skills: Some(vec!["cell culture".to_owned(), " ".to_owned()]),
            sectors: Some(vec!["x".repeat(101)]),
            country: Some("Sweden".to_owned()),
            city: Some("G".repeat(101)),
            remote: None,
        };
        assert_eq!(
            fields(alert(Some(query), false).validate()),
            vec!["query.q", "query.skills[1]", "query.sectors[0]", "query.country", "query.city"]
        );
    }

    #[test]
    fn values_are_trimmed_and_countries_upper_cased() {
        let query =
            QueryInput { country: Some(" se ".to_owned()), city: Some(" Lund ".to_owned()), ..Default::default() };
        let checked = alert(Some(query), false).validate().expect("valid").query.expect("query");
        assert_eq!((checked.country.as_deref(), checked.city.as_deref()), (Some("SE"), Some("Lund")));
    }
}
