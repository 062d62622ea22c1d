//! Skill references as clients send them, skills as resolved against the taxonomy, and autocomplete types.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::ResolveError;
use crate::error::ApiError;
use crate::vocab::FieldError;

/// Unresolvable references are the request's fault (422, naming each); the store's troubles map as the store's.
impl From<ResolveError> for ApiError {
    fn from(e: ResolveError) -> Self {
        match e {
            ResolveError::Invalid(errors) => Self::Invalid(errors),
            ResolveError::Store(e) => e.into(),
        }
    }
}

/// How a profile or a job names a skill: by taxonomy id, or by any label or synonym (English or Swedish).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct SkillRef {
    pub skill_id: Option<String>,
    pub name: Option<String>,
}

/// A skill after resolution. `skill_id` is `None` for a free-text skill the taxonomy does not know.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct ResolvedSkill {
    pub skill_id: Option<String>,
    /// The taxonomy's preferred label (English where there is one), or the free text as given.
    pub name: String,
}

/// A label or synonym of a skill, and whether it is Swedish (else English).
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub text: String,
    pub swedish: bool,
}

/// Every label and synonym (English and Swedish) of each skill, by skill id.
pub type SkillLabels = std::collections::HashMap<String, Vec<Label>>;

/// The form labels are compared in: lower case, accents and diacritics folded ("ö" → "o"), hyphens as spaces
/// (so "GMP-tillverkning" and "GMP tillverkning" are one name), single spaces.
pub fn normalize(label: &str) -> String {
    let folded = deunicode::deunicode(label).to_lowercase().replace('-', " ");
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Resolves skill references in order, given how an id's display label and a normalized name's (skill id,
/// display label) are found: the one set of rules for the database and the in-memory taxonomy. An unknown
/// `skill_id` is an error; an unknown `name` is kept as a free-text skill; a reference with neither is an error.
pub fn resolve_refs(
    field: &str,
    refs: &[SkillRef],
    label_of: impl Fn(&str) -> Option<String>,
    skill_named: impl Fn(&str) -> Option<(String, String)>,
) -> Result<Vec<ResolvedSkill>, ResolveError> {
    let mut errors = Vec::new();
    let mut resolved = Vec::with_capacity(refs.len());
    for (i, r) in refs.iter().enumerate() {
        match (r.skill_id.as_deref(), r.name.as_deref()) {
            (Some(id), _) => match label_of(id) {
                Some(label) => resolved.push(ResolvedSkill { skill_id: Some(id.to_owned()), name: label }),
                None => errors.push(FieldError::new(format!("{field}[{i}].skill_id"), "no skill with this id")),
            },
            (None, Some(name)) if !normalize(name).is_empty() => match skill_named(&normalize(name)) {
                Some((id, label)) => resolved.push(ResolvedSkill { skill_id: Some(id), name: label }),
                None => resolved.push(ResolvedSkill { skill_id: None, name: name.trim().to_owned() }),
            },
            _ => errors.push(FieldError::new(format!("{field}[{i}]"), "give a skill_id or a name")),
        }
    }
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(ResolveError::Invalid(errors))
    }
}

/// Sorts items that are each a skill id or a name into references: an item that is a known skill's id is that
/// skill, any other is a name.
pub fn ids_or_names(items: &[String], is_skill: impl Fn(&str) -> bool) -> Vec<SkillRef> {
    items
        .iter()
        .map(|item| match is_skill(item) {
            true => SkillRef { skill_id: Some(item.clone()), name: None },
            false => SkillRef { skill_id: None, name: Some(item.clone()) },
        })
        .collect()
}

pub const DEFAULT_SUGGESTIONS: i64 = 10;
pub const MAX_SUGGESTIONS: i64 = 50;
const MAX_QUERY_CHARS: usize = 100;

/// `GET /api/v1/skills` parameters. Both are taken as text so that a bad value is a 422 naming its field.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SkillQuery {
    /// What the user has typed so far: 1 to 100 characters, English or Swedish, case and accents ignored.
    #[param(required = true, min_length = 1, max_length = 100, example = "cellod")]
    pub q: Option<String>,
    /// How many skills to suggest: 1 to 50, 10 if not given.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
}

/// A validated autocomplete request.
#[derive(Debug, PartialEq)]
pub struct Suggest {
    /// The query in `normalize` form.
    pub normalized: String,
    pub limit: i64,
}

impl SkillQuery {
    pub fn validate(&self) -> Result<Suggest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let q = self.q.as_deref().map(str::trim).unwrap_or_default();
        let normalized = normalize(q);
        if q.is_empty() {
            errors.push(FieldError::new("q", "give the text to complete"));
        } else if q.chars().count() > MAX_QUERY_CHARS {
            errors.push(FieldError::new("q", "must be at most 100 characters"));
        } else if normalized.is_empty() {
            errors.push(FieldError::new("q", "must contain letters or digits"));
        }
        let limit = match self.limit.as_deref().map(str::trim) {
            None => DEFAULT_SUGGESTIONS,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if (1..=MAX_SUGGESTIONS).contains(&n) => n,
                _ => {
                    errors.push(FieldError::new("limit", "must be a whole number from 1 to 50"));
                    DEFAULT_SUGGESTIONS
                }
            },
        };
        if errors.is_empty() {
            Ok(Suggest { normalized, limit })
        } else {
            Err(errors)
        }
    }
}

/// One autocomplete suggestion: a skill and the label of it that matched what was typed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SkillSuggestion {
    #[schema(example = "ls-cell-culture")]
    pub skill_id: String,
    /// The skill's preferred label in the language of the match (the other language's if it has none).
    #[schema(example = "cellodling")]
    pub label: String,
    /// The label or synonym that matched.
    #[schema(example = "cellodling")]
    pub matched_label: String,
    /// The language of the matched label: `en` or `sv`.
    #[schema(example = "sv")]
    pub lang: String,
}

impl From<super::store::SuggestionRow> for SkillSuggestion {
    fn from(row: super::store::SuggestionRow) -> Self {
        Self { skill_id: row.skill_id, label: row.label, matched_label: row.matched_label, lang: row.lang }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_case_accents_hyphens_and_spaces() {
        assert_eq!(normalize("  Cellodling "), "cellodling");
        assert_eq!(normalize("Kvalitetssäkring"), "kvalitetssakring");
        assert_eq!(normalize("GMP   Översikt"), "gmp oversikt");
        assert_eq!(normalize("GMP-tillverkning"), normalize("gmp tillverkning"));
        assert_eq!(normalize(" - "), "");
    }

    fn query(q: Option<&str>, limit: Option<&str>) -> SkillQuery {
        SkillQuery { q: q.map(str::to_owned), limit: limit.map(str::to_owned) }
    }

    #[test]
    fn suggest_query_is_checked_field_by_field() {
        let ok = query(Some(" Cellöd "), None).validate().expect("valid");
        assert_eq!(ok, Suggest { normalized: "cellod".to_owned(), limit: 10 });
        assert_eq!(query(Some("qa"), Some("50")).validate().expect("valid").limit, 50);
        let fields =
            |q: SkillQuery| q.validate().expect_err("invalid").into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(query(None, None)), vec!["q"]);
        assert_eq!(fields(query(Some("   "), Some("0"))), vec!["q", "limit"]);
        assert_eq!(fields(query(Some(&"a".repeat(101)), None)), vec!["q"]);
        assert_eq!(fields(query(Some("cell"), Some("51"))), vec!["limit"]);
        assert_eq!(fields(query(Some("cell"), Some("ten"))), vec!["limit"]);
    }
}
