//! Skills read from free text (job ads now, CVs later): the taxonomy's English and Swedish labels found with
//! Aho-Corasick over normalized text, under the rules of issue 13, with an explicit skill list taking precedence.
//!
//! Build one [`SkillExtractor`] from the taxonomy's labels (from the database with
//! [`crate::taxonomy::extraction_labels`], or [`SkillExtractor::embedded`] in tests), share it behind an `Arc`,
//! and call [`SkillExtractor::extract`] per text. The rules are in `labels` (how a label may appear), `matcher`
//! (which matches count), `stoplist` (labels that are common words) and `language` (which labels an ad is read
//! with). `tests/data/extraction_eval.json` measures precision and recall on real ads.

mod labels;
mod language;
mod matcher;
mod normalize;
mod stoplist;

#[cfg(test)]
mod eval;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use aho_corasick::AhoCorasick;

use labels::{variants, Ending, Rules, Scope};
pub use language::Language;
use normalize::normalize_label;

/// One label of a skill, as `skill_labels` stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelRow {
    pub skill_id: String,
    /// The label in its original case: case tells acronyms and product names apart from words.
    pub label: String,
    /// "sv" or "en".
    pub lang: String,
}

/// A skill an ad lists explicitly (JobTech `must_have`/`nice_to_have`): a concept id that may be unknown (bare, as
/// JobTech gives it, or a Tandem skill id), and its label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListedSkill {
    pub concept_id: Option<String>,
    pub label: String,
}

/// Where a skill was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// In the ad's explicit skill list.
    Listed,
    /// In the text only.
    Text,
}

/// A skill found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractedSkill {
    pub skill_id: String,
    /// The words as found in the text ("sjuksköterskor"), or the listed label.
    pub label: String,
    pub found: Found,
    /// About 100 characters of the text around the first mention, for "found in the ad text"; `None` for a listed
    /// skill the text does not mention.
    pub snippet: Option<String>,
}

/// What [`SkillExtractor::extract`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extraction {
    /// The text's language ("sv" or "en"), when it could be told.
    pub language: Option<&'static str>,
    /// Each skill once: the listed ones first, in the list's order, then the rest in order of first mention.
    pub skills: Vec<ExtractedSkill>,
    /// Listed labels that name no known skill, as given.
    pub unresolved: Vec<String>,
}

/// A text longer than this is read only up to here (on a character boundary): a CV or ad says what it asks for
/// long before, and the work stays bounded whatever a caller sends.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// An ad's explicit skill list is read up to this many entries.
pub const MAX_LISTED: usize = 200;

/// Which skill a pattern stands for, and the rules its matches must obey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Entry {
    skill: u32,
    rules: Rules,
}

/// Patterns and the entries of each, one automaton for each way of comparing case.
struct Patterns {
    automaton: AhoCorasick,
    entries: Vec<Vec<Entry>>,
}

/// The taxonomy's labels compiled for matching. Built once (tens of milliseconds for the whole taxonomy), then
/// shared: it is `Send + Sync` and `extract` takes `&self`.
pub struct SkillExtractor {
    skill_ids: Vec<String>,
    by_id: HashMap<String, u32>,
    /// Listed labels are resolved by their full label first, then by a product name ("Java").
    by_label: HashMap<String, u32>,
    by_form: HashMap<String, u32>,
    /// Forms matched in lower case, one automaton for each language's ads (product names are in both): a smaller
    /// automaton reads faster.
    swedish: Patterns,
    english: Patterns,
    /// Forms matched in their own case: acronyms and short names.
    cased: Patterns,
}

/// Why an extractor could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the skill patterns do not compile: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
    #[error(transparent)]
    Taxonomy(#[from] crate::taxonomy::sources::SourceError),
}

impl SkillExtractor {
    /// Compiles the labels. A label may appear in several rows (one skill's English and Swedish labels, or two
    /// skills sharing a label); each skill keeps its own match.
    pub fn new(labels: impl IntoIterator<Item = LabelRow>) -> Result<Self, BuildError> {
        let mut builder = Builder::default();
        for row in labels {
            builder.add(&row);
        }
        builder.build()
    }

    /// Built from the taxonomy embedded in the binary, for tests and benchmarks that have no database.
    pub fn embedded() -> Result<Self, BuildError> {
        let taxonomy = crate::taxonomy::sources::Taxonomy::embedded()?;
        // The Swedish ESCO labels the loader adds, so the extractor reads what it reads from the database.
        let swedish = crate::taxonomy::mappings::Mappings::embedded()?.swedish_within(&taxonomy);
        let swedish = swedish.into_iter().map(|l| LabelRow { skill_id: l.skill_id, label: l.label, lang: "sv".into() });
        Self::new(
            taxonomy
                .labels
                .into_iter()
                .map(|l| LabelRow { skill_id: l.skill_id, label: l.label, lang: l.lang.to_owned() })
                .chain(swedish),
        )
    }

    /// The skills of a text: the listed ones (resolved by id, else by label) with provenance "listed", then those
    /// found in the text, each once, with a snippet around its first mention.
    pub fn extract(&self, text: &str, listed: &[ListedSkill]) -> Extraction {
        let text = bounded(text);
        let language = language::detect(text);
        let hits = matcher::find(self, text, language);
        let mut extraction = Extraction { language: language.map(Language::code), ..Extraction::default() };
        let mut seen = HashSet::new();
        for item in listed.iter().take(MAX_LISTED) {
            match self.resolve_listed(item) {
                Some(skill) if seen.insert(skill) => {
                    let snippet = hits.iter().find(|h| h.skill == skill).map(|h| h.snippet(text));
                    extraction.skills.push(self.skill(skill, item.label.trim().to_owned(), Found::Listed, snippet));
                }
                Some(_) => {}
                None => extraction.unresolved.push(item.label.trim().to_owned()),
            }
        }
        for hit in &hits {
            if seen.insert(hit.skill) {
                let label = text[hit.word.clone()].to_owned();
                extraction.skills.push(self.skill(hit.skill, label, Found::Text, Some(hit.snippet(text))));
            }
        }
        extraction
    }

    fn skill(&self, skill: u32, label: String, found: Found, snippet: Option<String>) -> ExtractedSkill {
        let skill_id = self.skill_ids.get(skill as usize).cloned().unwrap_or_default();
        ExtractedSkill { skill_id, label, found, snippet }
    }

    /// A listed skill by its id (bare JobTech ids get their `jobtech:` prefix), else by its label.
    fn resolve_listed(&self, item: &ListedSkill) -> Option<u32> {
        let by_id = item
            .concept_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .and_then(|id| self.by_id.get(id).or_else(|| self.by_id.get(&format!("jobtech:{id}"))).copied());
        let name = normalize_label(&item.label, false);
        by_id.or_else(|| self.by_label.get(&name).or_else(|| self.by_form.get(&name)).copied())
    }
}

/// The text up to [`MAX_TEXT_BYTES`], cut on a character boundary.
fn bounded(text: &str) -> &str {
    if text.len() <= MAX_TEXT_BYTES {
        return text;
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Collects the labels' forms before the automata are compiled.
#[derive(Default)]
struct Builder {
    skill_ids: Vec<String>,
    by_id: HashMap<String, u32>,
    by_label: HashMap<String, u32>,
    by_form: HashMap<String, u32>,
    swedish: PatternSet,
    english: PatternSet,
    cased: PatternSet,
    /// Product names by (pattern, case-sensitive): the best rank seen and the entries of that rank.
    products: HashMap<(String, bool), (usize, Vec<Entry>)>,
}

#[derive(Default)]
struct PatternSet {
    index: HashMap<String, usize>,
    patterns: Vec<String>,
    entries: Vec<Vec<Entry>>,
}

impl PatternSet {
    fn add(&mut self, pattern: String, entry: Entry) {
        let at = *self.index.entry(pattern.clone()).or_insert_with(|| {
            self.patterns.push(pattern);
            self.entries.push(Vec::new());
            self.entries.len() - 1
        });
        if let Some(entries) = self.entries.get_mut(at) {
            if !entries.contains(&entry) {
                entries.push(entry);
            }
        }
    }

    fn compile(self) -> Result<Patterns, aho_corasick::BuildError> {
        Ok(Patterns { automaton: AhoCorasick::new(&self.patterns)?, entries: self.entries })
    }
}

impl Builder {
    fn add(&mut self, row: &LabelRow) {
        let skill_id = row.skill_id.trim();
        if skill_id.is_empty() {
            return;
        }
        let skill = match self.by_id.get(skill_id) {
            Some(&skill) => skill,
            None => {
                let skill = u32::try_from(self.skill_ids.len()).unwrap_or(u32::MAX);
                self.skill_ids.push(skill_id.to_owned());
                self.by_id.insert(skill_id.to_owned(), skill);
                skill
            }
        };
        self.by_label.entry(normalize_label(&row.label, false)).or_insert(skill);
        for variant in variants(&row.label, &row.lang) {
            let entry = Entry { skill, rules: variant.rules };
            if !matches!(variant.rules.ending, Ending::SwedishStem(_)) {
                self.by_form.entry(variant.pattern.to_lowercase()).or_insert(skill);
            }
            match variant.product_rank {
                Some(rank) => self.add_product(variant.pattern, variant.case_sensitive, rank, entry),
                None => self.add_pattern(variant.pattern, variant.case_sensitive, entry),
            }
        }
    }

    fn add_pattern(&mut self, pattern: String, case_sensitive: bool, entry: Entry) {
        match (case_sensitive, entry.rules.scope) {
            (true, _) => self.cased.add(pattern, entry),
            (false, Scope::Swedish) => self.swedish.add(pattern, entry),
            (false, Scope::English) => self.english.add(pattern, entry),
            (false, Scope::Neutral) => {
                self.swedish.add(pattern.clone(), entry);
                self.english.add(pattern, entry);
            }
        }
    }

    /// Keeps a product name for the skills of the best-ranked kind only: "Oracle" is the database.
    fn add_product(&mut self, pattern: String, case_sensitive: bool, rank: usize, entry: Entry) {
        let best = self.products.entry((pattern, case_sensitive)).or_insert((rank, Vec::new()));
        if rank < best.0 {
            *best = (rank, Vec::new());
        }
        if rank == best.0 {
            best.1.push(entry);
        }
    }

    fn build(mut self) -> Result<SkillExtractor, BuildError> {
        for ((pattern, case_sensitive), (_, entries)) in std::mem::take(&mut self.products) {
            for entry in entries {
                self.add_pattern(pattern.clone(), case_sensitive, entry);
            }
        }
        Ok(SkillExtractor {
            skill_ids: self.skill_ids,
            by_id: self.by_id,
            by_label: self.by_label,
            by_form: self.by_form,
            swedish: self.swedish.compile()?,
            english: self.english.compile()?,
            cased: self.cased.compile()?,
        })
    }
}
