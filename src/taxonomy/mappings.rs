//! The official ESCO ↔ JobTech mapping tables, embedded like the taxonomy's sources: the links between ESCO and
//! JobTech skills, the Swedish preferred labels of ESCO skills, and the curated skills JobTech has under the same
//! name.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::links::Relation;
use super::model::normalize;
use super::sources::{SourceError, Taxonomy, SV};

const ESCO_JOBTECH_SKILLS_CSV: &str = include_str!("../../data/taxonomy/mappings/esco_jobtech_skills.csv");
const ESCO_SKILLS_SV_CSV: &str = include_str!("../../data/taxonomy/mappings/esco_skills_sv.csv");

/// A link as stored: what `linked_skill_id` is to `skill_id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NewSkillLink {
    pub skill_id: String,
    pub linked_skill_id: String,
    pub relation: Relation,
}

/// A Swedish preferred label for a skill.
#[derive(Clone, Debug, PartialEq)]
pub struct SwedishLabel {
    pub skill_id: String,
    pub label: String,
    pub normalized: String,
}

/// What the mapping tables give, before it is checked against the skills Tandem has.
#[derive(Debug, Default)]
pub struct Mappings {
    /// JobTech skill → ESCO skill, as JobTech reads the relation (`broad`: the ESCO skill is broader).
    pub links: Vec<NewSkillLink>,
    pub swedish: Vec<SwedishLabel>,
}

impl Mappings {
    /// Parses the embedded tables.
    pub fn embedded() -> Result<Self, SourceError> {
        Ok(Self { links: parse_links(ESCO_JOBTECH_SKILLS_CSV)?, swedish: parse_swedish(ESCO_SKILLS_SV_CSV)? })
    }

    /// The links between skills the taxonomy has: the table's (rows naming a skill it lacks are skipped), then a
    /// curated skill's `exact` link to each JobTech skill whose label is one of its preferred labels.
    pub fn links_within(&self, taxonomy: &Taxonomy) -> Vec<NewSkillLink> {
        let known: HashSet<&str> = taxonomy.skills.iter().map(|s| s.id.as_str()).collect();
        let mut seen = HashSet::new();
        self.links
            .iter()
            .filter(|l| known.contains(l.skill_id.as_str()) && known.contains(l.linked_skill_id.as_str()))
            .cloned()
            .chain(curated_duplicates(taxonomy))
            .filter(|l| seen.insert((l.skill_id.clone(), l.linked_skill_id.clone())))
            .collect()
    }

    /// The Swedish labels of skills the taxonomy has.
    pub fn swedish_within(&self, taxonomy: &Taxonomy) -> Vec<SwedishLabel> {
        let known: HashSet<&str> = taxonomy.skills.iter().map(|s| s.id.as_str()).collect();
        self.swedish.iter().filter(|l| known.contains(l.skill_id.as_str())).cloned().collect()
    }
}

/// `esco_id, jobtech_concept_id, esco_to_jobtech, jobtech_to_esco, jobtech_label`; rows with either id empty, or
/// with no relation, link nothing.
fn parse_links(csv: &str) -> Result<Vec<NewSkillLink>, SourceError> {
    #[derive(Deserialize)]
    struct Row {
        esco_id: String,
        jobtech_concept_id: String,
        jobtech_to_esco: String,
    }
    let mut links = Vec::new();
    for row in csv::Reader::from_reader(csv.as_bytes()).deserialize::<Row>() {
        let row =
            row.map_err(|source| SourceError::Csv { file: "mappings/esco_jobtech_skills.csv".to_owned(), source })?;
        let (esco, jobtech) = (row.esco_id.trim(), row.jobtech_concept_id.trim());
        let Some(relation) = Relation::parse(row.jobtech_to_esco.trim()) else { continue };
        if esco.is_empty() || jobtech.is_empty() {
            continue;
        }
        links.push(NewSkillLink { skill_id: format!("jobtech:{jobtech}"), linked_skill_id: esco.to_owned(), relation });
    }
    Ok(links)
}

/// `esco_id, preferred_label_sv`.
fn parse_swedish(csv: &str) -> Result<Vec<SwedishLabel>, SourceError> {
    #[derive(Deserialize)]
    struct Row {
        esco_id: String,
        preferred_label_sv: String,
    }
    let mut labels = Vec::new();
    for row in csv::Reader::from_reader(csv.as_bytes()).deserialize::<Row>() {
        let row = row.map_err(|source| SourceError::Csv { file: "mappings/esco_skills_sv.csv".to_owned(), source })?;
        let label = row.preferred_label_sv.trim();
        let normalized = normalize(label);
        if row.esco_id.trim().is_empty() || normalized.is_empty() {
            continue;
        }
        labels.push(SwedishLabel { skill_id: row.esco_id.trim().to_owned(), label: label.to_owned(), normalized });
    }
    Ok(labels)
}

/// A curated skill and a JobTech skill are the same when a preferred label of the curated one (English or Swedish)
/// is the JobTech skill's label, after normalizing. Synonyms are not enough: the curated list's synonyms are
/// related words ("kalibrering" under quality control), not names of the same skill.
fn curated_duplicates(taxonomy: &Taxonomy) -> Vec<NewSkillLink> {
    let source: HashMap<&str, &str> = taxonomy.skills.iter().map(|s| (s.id.as_str(), s.source)).collect();
    let preferred = |wanted: &'static str| {
        let source = &source;
        taxonomy.labels.iter().filter(move |l| l.preferred && source.get(l.skill_id.as_str()) == Some(&wanted))
    };
    let mut jobtech: HashMap<&str, Vec<&str>> = HashMap::new();
    for label in preferred("jobtech").filter(|l| l.lang == SV) {
        jobtech.entry(label.normalized.as_str()).or_default().push(label.skill_id.as_str());
    }
    preferred("life_science")
        .flat_map(|curated| {
            jobtech.get(curated.normalized.as_str()).into_iter().flatten().map(|id| NewSkillLink {
                skill_id: curated.skill_id.clone(),
                linked_skill_id: (*id).to_owned(),
                relation: Relation::Exact,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_links_read_from_the_jobtech_side() {
        let csv = "esco_id,jobtech_concept_id,esco_to_jobtech,jobtech_to_esco,jobtech_label\n\
                   esco:19a8293b-8e95-4de3-983f-77484079c389,jCsR_WQX_CKD,narrow,broad,\"Java, programmeringsspråk\"\n\
                   esco:19a8293b-8e95-4de3-983f-77484079c389,fDfH_ihY_ReT,exact,exact,Java EE\n\
                   esco:abc,,none,none,\n\
                   ,xyz,none,none,Something\n";
        let links = parse_links(csv).expect("parses");
        assert_eq!(
            links,
            vec![
                NewSkillLink {
                    skill_id: "jobtech:jCsR_WQX_CKD".to_owned(),
                    linked_skill_id: "esco:19a8293b-8e95-4de3-983f-77484079c389".to_owned(),
                    relation: Relation::Broad,
                },
                NewSkillLink {
                    skill_id: "jobtech:fDfH_ihY_ReT".to_owned(),
                    linked_skill_id: "esco:19a8293b-8e95-4de3-983f-77484079c389".to_owned(),
                    relation: Relation::Exact,
                },
            ]
        );
    }

    #[test]
    fn the_embedded_tables_land_where_tandem_has_both_skills() {
        let taxonomy = Taxonomy::embedded().expect("taxonomy parses");
        let mappings = Mappings::embedded().expect("mappings parse");
        assert_eq!(mappings.links.len(), 20_365 - 1_291 - 50, "every row with two ids and a relation");
        assert_eq!(mappings.swedish.len(), 13_485);
        let links = mappings.links_within(&taxonomy);
        let count = |relation| links.iter().filter(|l| l.relation == relation).count();
        let curated = links.iter().filter(|l| l.skill_id.starts_with("ls-")).count();
        assert_eq!(curated, 13, "curated skills with a JobTech skill of the same name");
        assert_eq!(count(Relation::Exact), 177 + curated);
        assert_eq!(count(Relation::Close), 211);
        assert_eq!((count(Relation::Broad), count(Relation::Narrow)), (938, 841));
        let java = "esco:19a8293b-8e95-4de3-983f-77484079c389";
        let relation = |jobtech: &str| {
            links.iter().find(|l| l.skill_id == jobtech && l.linked_skill_id == java).map(|l| l.relation)
        };
        // The README's sample: ESCO's Java is broader than JobTech's "Java, programmeringsspråk", and the same
        // skill as "Java Enterprise Edition, programmeringsspråk".
        assert_eq!(relation("jobtech:jCsR_WQX_CKD"), Some(Relation::Broad));
        assert_eq!(relation("jobtech:fDfH_ihY_ReT"), Some(Relation::Exact));
        let cleanroom = links.iter().find(|l| l.skill_id == "ls-cleanroom").expect("renrumsarbete is in JobTech");
        assert_eq!((cleanroom.linked_skill_id.as_str(), cleanroom.relation), ("jobtech:EsB4_55e_Xwk", Relation::Exact));
        assert!(!links.iter().any(|l| l.skill_id == "ls-qc" && l.linked_skill_id == "jobtech:1BKz_4at_cuy"));
        let swedish = mappings.swedish_within(&taxonomy);
        assert_eq!(swedish.len(), 1_894);
        assert!(swedish.iter().any(|l| l.skill_id == java && l.label == "Java (datorprogrammering)"));
    }
}
