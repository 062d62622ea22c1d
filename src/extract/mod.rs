//! STUB (replaced by the extractor helper's module at merge).
#[derive(Clone, Debug)]
pub struct LabelRow {
    pub skill_id: String,
    pub label: String,
    pub lang: String,
}
#[derive(Clone, Debug)]
pub struct ListedSkill {
    pub skill_id: Option<String>,
    pub label: String,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    Listed,
    Text,
}
#[derive(Clone, Debug)]
pub struct ExtractedSkill {
    pub skill_id: String,
    pub label: String,
    pub found: Found,
    pub snippet: Option<String>,
}
pub struct Extraction {
    pub language: Option<&'static str>,
    pub skills: Vec<ExtractedSkill>,
}
pub struct SkillExtractor;
impl SkillExtractor {
    pub fn new(_labels: impl IntoIterator<Item = LabelRow>) -> Self {
        Self
    }
    pub fn extract(&self, _text: &str, _listed: &[ListedSkill]) -> Extraction {
        Extraction { language: None, skills: Vec::new() }
    }
}
