//! The taxonomy's source files, embedded in the binary so the service runs from any directory, parsed into rows.

use std::collections::HashSet;

use serde::Deserialize;

use super::model::normalize;
use super::store::{NewJobtechConcept, NewSkill, NewSkillLabel};

const LIFE_SCIENCE_CSV: &str = include_str!("../../data/taxonomy/life_science_skills.csv");
const ESCO_COLLECTIONS: [(&str, &str); 5] = [
    ("digital", include_str!("../../data/taxonomy/esco/digitalSkillsCollection_en.csv")),
    ("green", include_str!("../../data/taxonomy/esco/greenSkillsCollection_en.csv")),
    ("language", include_str!("../../data/taxonomy/esco/languageSkillsCollection_en.csv")),
    ("research", include_str!("../../data/taxonomy/esco/researchSkillsCollection_en.csv")),
    ("transversal", include_str!("../../data/taxonomy/esco/transversalSkillsCollection_en.csv")),
];
const JOBTECH_CONCEPTS_JSONL: &str = include_str!("../../data/taxonomy/jobtech/concepts.jsonl");

pub const EN: &str = "en";
pub const SV: &str = "sv";

/// A source file that does not parse: a fault in `data/`, caught by the unit tests before it ships.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{file}: {source}")]
    Csv { file: String, source: csv::Error },
    #[error("{file} line {line}: {source}")]
    Json { file: &'static str, line: usize, source: serde_json::Error },
}

/// Everything the loader writes.
#[derive(Debug, Default)]
pub struct Taxonomy {
    pub skills: Vec<NewSkill>,
    pub labels: Vec<NewSkillLabel>,
    /// JobTech concepts that are not skills: occupations, places, languages, employment types and so on.
    pub jobtech_concepts: Vec<NewJobtechConcept>,
}

impl Taxonomy {
    /// Parses every embedded source.
    pub fn embedded() -> Result<Self, SourceError> {
        let mut taxonomy = Self::default();
        let mut esco_ids = HashSet::new();
        for (collection, csv) in ESCO_COLLECTIONS {
            taxonomy.add_esco(collection, csv, &mut esco_ids)?;
        }
        taxonomy.add_jobtech(JOBTECH_CONCEPTS_JSONL)?;
        let vocabulary = Vocabulary::of(&taxonomy);
        taxonomy.add_life_science(LIFE_SCIENCE_CSV, &vocabulary)?;
        Ok(taxonomy)
    }

    /// Adds a skill and its labels, given as (label, lang, preferred) with preferred labels first. Empty labels and
    /// labels the skill already has in that language (after normalizing) are skipped.
    fn add_skill<'a>(&mut self, skill: NewSkill, labels: impl IntoIterator<Item = (&'a str, &'static str, bool)>) {
        let mut seen = HashSet::new();
        for (label, lang, preferred) in labels {
            let label = label.trim();
            let normalized = normalize(label);
            if normalized.is_empty() || !seen.insert((normalized.clone(), lang)) {
                continue;
            }
            let skill_id = skill.id.clone();
            self.labels.push(NewSkillLabel { skill_id, label: label.to_owned(), normalized, lang, preferred });
        }
        self.skills.push(skill);
    }

    /// The curated list: `id,area,label_en,label_sv,synonyms` with synonyms separated by `|`.
    fn add_life_science(&mut self, csv: &str, vocabulary: &Vocabulary) -> Result<(), SourceError> {
        #[derive(Deserialize)]
        struct Row {
            id: String,
            area: String,
            label_en: String,
            label_sv: String,
            synonyms: String,
        }
        for row in csv::Reader::from_reader(csv.as_bytes()).deserialize::<Row>() {
            let row = row.map_err(|source| SourceError::Csv { file: "life_science_skills.csv".to_owned(), source })?;
            let mut labels = vec![(row.label_en.as_str(), EN, true), (row.label_sv.as_str(), SV, true)];
            let language = |s| vocabulary.synonym_language(s, &row.label_en, &row.label_sv);
            labels.extend(row.synonyms.split('|').map(|s| (s, language(s), false)));
            let skill = NewSkill {
                id: row.id.trim().to_owned(),
                source: "life_science",
                label_en: non_empty(&row.label_en),
                label_sv: non_empty(&row.label_sv),
                area: non_empty(&row.area),
                description: None,
            };
            self.add_skill(skill, labels);
        }
        Ok(())
    }

    /// One ESCO collection (English). A skill in several collections is kept once, with the first collection as its
    /// area. `altLabels` are separated by newlines or `|`.
    fn add_esco(&mut self, collection: &str, csv: &str, seen: &mut HashSet<String>) -> Result<(), SourceError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Row {
            concept_uri: String,
            preferred_label: String,
            alt_labels: String,
            description: String,
        }
        let file = || format!("esco/{collection}SkillsCollection_en.csv");
        for row in csv::Reader::from_reader(csv.as_bytes()).deserialize::<Row>() {
            let row = row.map_err(|source| SourceError::Csv { file: file(), source })?;
            let uuid = row.concept_uri.rsplit('/').next().unwrap_or_default().trim();
            let id = format!("esco:{uuid}");
            if uuid.is_empty() || !seen.insert(id.clone()) {
                continue;
            }
            let mut labels = vec![(row.preferred_label.as_str(), EN, true)];
            labels.extend(row.alt_labels.split(['\n', '|']).map(|alt| (alt, EN, false)));
            let skill = NewSkill {
                id,
                source: "esco",
                label_en: non_empty(&row.preferred_label),
                label_sv: None,
                area: Some(collection.to_owned()),
                description: non_empty(&row.description),
            };
            self.add_skill(skill, labels);
        }
        Ok(())
    }

    /// JobTech concepts, one JSON object a line: skills become skills with a Swedish label, the rest are kept aside.
    fn add_jobtech(&mut self, jsonl: &str) -> Result<(), SourceError> {
        #[derive(Deserialize)]
        struct Concept {
            concept_id: String,
            #[serde(rename = "type")]
            concept_type: String,
            label: String,
            legacy_ams_taxonomy_id: Option<String>,
        }
        for (i, line) in jsonl.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
            let concept: Concept = serde_json::from_str(line).map_err(|source| SourceError::Json {
                file: "jobtech/concepts.jsonl",
                line: i + 1,
                source,
            })?;
            if concept.concept_type == "skill" {
                let skill = NewSkill {
                    id: format!("jobtech:{}", concept.concept_id),
                    source: "jobtech",
                    label_en: None,
                    label_sv: non_empty(&concept.label),
                    area: None,
                    description: None,
                };
                self.add_skill(skill, [(concept.label.as_str(), SV, true)]);
            } else {
                self.jobtech_concepts.push(NewJobtechConcept {
                    concept_id: concept.concept_id,
                    concept_type: concept.concept_type,
                    label: concept.label,
                    legacy_ams_taxonomy_id: concept.legacy_ams_taxonomy_id,
                });
            }
        }
        Ok(())
    }
}

fn non_empty(text: &str) -> Option<String> {
    Some(text.trim()).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The words of the taxonomy's labels by language (JobTech is Swedish, ESCO English), which tell the language of
/// the curated list's synonyms.
#[derive(Debug, Default)]
pub struct Vocabulary {
    swedish: HashSet<String>,
    english: HashSet<String>,
}

impl Vocabulary {
    fn of(taxonomy: &Taxonomy) -> Self {
        let mut vocabulary = Self::default();
        for label in &taxonomy.labels {
            let known = if label.lang == SV { &mut vocabulary.swedish } else { &mut vocabulary.english };
            known.extend(words(&label.normalized).map(str::to_owned));
        }
        for concept in &taxonomy.jobtech_concepts {
            vocabulary.swedish.extend(words(&normalize(&concept.label)).map(str::to_owned));
        }
        vocabulary
    }

    /// The curated list does not say which language a synonym is in, so it is guessed. Swedish when it has å, ä or
    /// ö; otherwise each word votes: for Swedish when it is a word of the taxonomy's Swedish labels but not of its
    /// English ones, or shares a stem with a word of the skill's Swedish label but with none of its English label
    /// ("cellbaserad terapi" / "cellterapi"); for English the other way round. More Swedish votes make it Swedish;
    /// anything else is English, which is right for acronyms and loanwords ("CAR-T", "QC"). Acronyms (words in
    /// capitals) do not vote, because the Swedish label is sometimes the acronym itself ("CTIS"). A wrong guess only
    /// changes which language autocomplete reports.
    pub fn synonym_language(&self, synonym: &str, label_en: &str, label_sv: &str) -> &'static str {
        if synonym.chars().any(|c| matches!(c, 'å' | 'ä' | 'ö' | 'Å' | 'Ä' | 'Ö')) {
            return SV;
        }
        let label_words = |label: &str| words(&normalize(label)).map(str::to_owned).collect::<Vec<_>>();
        let (en_words, sv_words) = (label_words(label_en), label_words(label_sv));
        let mut votes = 0i32;
        for word in words(synonym).filter(|w| !is_acronym(w)).map(normalize) {
            let stem_sv = sv_words.iter().any(|l| same_stem(&word, l));
            let stem_en = en_words.iter().any(|l| same_stem(&word, l));
            let (known_sv, known_en) = (self.swedish.contains(&word), self.english.contains(&word));
            let swedish = (known_sv && !known_en) || (stem_sv && !stem_en);
            let english = (known_en && !known_sv) || (stem_en && !stem_sv);
            votes += i32::from(swedish) - i32::from(english);
        }
        if votes > 0 {
            SV
        } else {
            EN
        }
    }
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

fn is_acronym(word: &str) -> bool {
    word.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Two words share a stem when they begin with the same five letters, or when one, of five letters or more, is a
/// part of the other (Swedish writes compounds as one word: "terapi" in "cellterapi").
fn same_stem(a: &str, b: &str) -> bool {
    const STEM: usize = 5;
    let prefix = |w: &str| w.chars().take(STEM).collect::<String>();
    let (shorter, longer) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    (shorter.len() >= 4 && prefix(a) == prefix(b)) || (shorter.len() >= STEM && longer.contains(shorter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonym_language_is_guessed_from_letters_words_and_stems() {
        let mut taxonomy = Taxonomy::default();
        let jobtech = r#"{"concept_id": "a", "type": "skill", "label": "Kalibrering, mätinstrument"}"#;
        taxonomy.add_jobtech(jobtech).expect("parses");
        let esco = "conceptUri,preferredLabel,altLabels,description\nx/b,calibration,instrument calibration,\n";
        taxonomy.add_esco("digital", esco, &mut HashSet::new()).expect("parses");
        let vocabulary = Vocabulary::of(&taxonomy);
        let guess = |s| vocabulary.synonym_language(s, "cell therapy", "cellterapi");
        assert_eq!(guess("cellbaserad terapi"), SV);
        assert_eq!(guess("cell-based therapy"), EN);
        assert_eq!(guess("CAR-T"), EN);
        assert_eq!(guess("kalibrering"), SV);
        assert_eq!(guess("instrument calibration"), EN);
        assert_eq!(guess("avtal kliniska prövningar"), SV);
        let guess = |s, en, sv| vocabulary.synonym_language(s, en, sv);
        assert_eq!(guess("GMP-tillverkning", "good manufacturing practice", "god tillverkningssed"), SV);
        assert_eq!(guess("EU CTIS", "Clinical Trials Information System", "CTIS"), EN);
        assert_eq!(guess("renrum", "cleanroom operations", "renrumsarbete"), SV);
    }

    #[test]
    fn life_science_rows_give_skills_labels_and_synonyms() {
        let csv = "id,area,label_en,label_sv,synonyms\n\
                   ls-cell-culture,production,cell culture,cellodling,cell culturing| Cellodling |cellkultur||\n";
        let mut t = Taxonomy::default();
        t.add_life_science(csv, &Vocabulary::default()).expect("parses");
        assert_eq!(t.skills.len(), 1);
        assert_eq!(t.skills[0].id, "ls-cell-culture");
        assert_eq!(t.skills[0].area.as_deref(), Some("production"));
        let labels: Vec<(&str, &str, bool)> =
            t.labels.iter().map(|l| (l.label.as_str(), l.lang, l.preferred)).collect();
        // The repeated Swedish label and the empty synonyms are dropped.
        assert_eq!(
            labels,
            vec![
                ("cell culture", EN, true),
                ("cellodling", SV, true),
                ("cell culturing", EN, false),
                ("cellkultur", EN, false)
            ]
        );
        assert!(t.labels.iter().all(|l| l.normalized == normalize(&l.label) && l.skill_id == "ls-cell-culture"));
    }

    #[test]
    fn esco_alt_labels_split_on_newlines_and_bars_and_collections_dedupe() {
        let csv = "conceptType,conceptUri,preferredLabel,altLabels,description\n\
                   KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/abc-123,Haskell,\"Haskell techniques\nHaskell | FP\",A language.\n";
        let mut t = Taxonomy::default();
        let mut seen = HashSet::new();
        t.add_esco("digital", csv, &mut seen).expect("parses");
        t.add_esco("research", csv, &mut seen).expect("parses");
        assert_eq!(t.skills.len(), 1);
        assert_eq!(t.skills[0].id, "esco:abc-123");
        assert_eq!(t.skills[0].area.as_deref(), Some("digital"));
        assert_eq!(t.skills[0].description.as_deref(), Some("A language."));
        let labels: Vec<&str> = t.labels.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, vec!["Haskell", "Haskell techniques", "FP"]);
    }

    #[test]
    fn jobtech_skills_become_skills_and_other_concepts_are_kept_aside() {
        let jsonl = r#"{"concept_id": "11L4_Q2Z_8tM", "type": "skill", "label": "Kylteknik", "legacy_ams_taxonomy_id": "3300"}
{"concept_id": "PVZL_BQT_XtL", "type": "municipality", "label": "Göteborg", "legacy_ams_taxonomy_id": null}
"#;
        let mut t = Taxonomy::default();
        t.add_jobtech(jsonl).expect("parses");
        assert_eq!(t.skills[0].id, "jobtech:11L4_Q2Z_8tM");
        assert_eq!(t.skills[0].label_sv.as_deref(), Some("Kylteknik"));
        assert_eq!((t.labels[0].lang, t.labels[0].preferred), (SV, true));
        assert_eq!(t.jobtech_concepts.len(), 1);
        assert_eq!(t.jobtech_concepts[0].concept_type, "municipality");
        assert!(t.add_jobtech("{not json}\n").is_err());
    }

    #[test]
    fn embedded_sources_parse_completely() {
        let t = Taxonomy::embedded().expect("embedded data parses");
        let count = |source| t.skills.iter().filter(|s| s.source == source).count();
        assert_eq!(count("life_science"), 62);
        assert_eq!(count("jobtech"), 5514);
        assert!(count("esco") > 2000);
        assert_eq!(t.jobtech_concepts.len(), 10216 - 5514);
        let ids: HashSet<&str> = t.skills.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), t.skills.len(), "skill ids are unique");
        assert!(t.labels.iter().all(|l| ids.contains(l.skill_id.as_str()) && !l.normalized.is_empty()));
        let lang_of = |label: &str| t.labels.iter().find(|l| l.label == label).map(|l| l.lang);
        for swedish in ["kalibrering", "biokemi", "cellbaserad terapi", "klinisk immunologi", "sterilt arbete"] {
            assert_eq!(lang_of(swedish), Some(SV), "{swedish}");
        }
        for english in ["cell culturing", "QC", "EU CTIS", "sterile work", "stem cell biology"] {
            assert_eq!(lang_of(english), Some(EN), "{english}");
        }
    }
}
