//! Queries over skills and their labels.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{normalize, ResolvedSkill, SkillRef};
use crate::db::StoreError;
use crate::error::FieldError;
use crate::schema::{skill_labels, skills};

/// Why a list of skill references could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("invalid skill references")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Resolves skill references in order. `field` prefixes error paths (e.g. `skills` gives `skills[2].skill_id`).
/// An unknown `skill_id` is an error; an unknown `name` is kept as a free-text skill.
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    field: &str,
    refs: &[SkillRef],
) -> Result<Vec<ResolvedSkill>, ResolveError> {
    let ids: Vec<&str> = refs.iter().filter_map(|r| r.skill_id.as_deref()).collect();
    let names: Vec<String> = refs.iter().filter_map(|r| r.name.as_deref()).map(normalize).collect();
    let by_id: HashMap<String, String> = skills::table
        .filter(skills::id.eq_any(&ids))
        .select((skills::id, display_label_sql()))
        .load::<(String, String)>(conn)
        .await
        .map_err(StoreError::from)?
        .into_iter()
        .collect();
    let by_name = lookup_names(conn, &names).await?;

    let mut errors = Vec::new();
    let mut resolved = Vec::with_capacity(refs.len());
    for (i, r) in refs.iter().enumerate() {
        match (r.skill_id.as_deref(), r.name.as_deref()) {
            (Some(id), _) => match by_id.get(id) {
                Some(label) => resolved.push(ResolvedSkill { skill_id: Some(id.to_owned()), name: label.clone() }),
                None => errors.push(FieldError::new(format!("{field}[{i}].skill_id"), "no skill with this id")),
            },
            (None, Some(name)) if !name.trim().is_empty() => match by_name.get(&normalize(name)) {
                Some((id, label)) => resolved.push(ResolvedSkill { skill_id: Some(id.clone()), name: label.clone() }),
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

/// The label a skill is shown with: English where there is one, else Swedish, else its id.
fn display_label_sql() -> diesel::expression::SqlLiteral<diesel::sql_types::Text> {
    diesel::dsl::sql::<diesel::sql_types::Text>("coalesce(skills.label_en, skills.label_sv, skills.id)")
}

/// Maps normalized names to (skill id, display label). Where a name is a label of several skills, the skill whose
/// preferred label it is wins, then the curated life-science list, then the lowest id, so the answer is stable.
async fn lookup_names(
    conn: &mut AsyncPgConnection,
    names: &[String],
) -> Result<HashMap<String, (String, String)>, StoreError> {
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String, String)> = skill_labels::table
        .inner_join(skills::table)
        .filter(skill_labels::normalized.eq_any(names))
        .order((
            skill_labels::normalized,
            skill_labels::preferred.desc(),
            diesel::dsl::sql::<diesel::sql_types::Bool>("skills.source <> 'life_science'"),
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
