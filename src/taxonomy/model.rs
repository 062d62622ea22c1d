//! Skill references as clients send them, and skills as resolved against the taxonomy.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// The form labels are compared in: lower case, accents and diacritics folded ("ö" → "o"), single spaces.
pub fn normalize(label: &str) -> String {
    let folded = deunicode::deunicode(label).to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalize_folds_case_accents_and_spaces() {
        assert_eq!(normalize("  Cellodling "), "cellodling");
        assert_eq!(normalize("Kvalitetssäkring"), "kvalitetssakring");
        assert_eq!(normalize("GMP   Översikt"), "gmp oversikt");
    }
}
