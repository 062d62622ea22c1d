//! What the synthetic ads are made of, taken from the embedded taxonomy so their skills and places are the ones an
//! import meets: skill labels in Swedish and English, municipalities with their regions, occupations, employment
//! types and languages, each with its JobTech concept id.

use std::collections::HashMap;

use tandem::taxonomy::sources::{Taxonomy, EN, SV};

/// A JobTech concept as an ad carries it.
#[derive(Clone, Debug)]
pub struct Concept {
    pub id: String,
    pub label: String,
}

/// A municipality and the region (län) it lies in.
#[derive(Clone, Debug)]
pub struct Municipality {
    pub concept: Concept,
    /// The municipality code (`1480` for Göteborg).
    pub code: String,
    pub region: Concept,
    pub region_code: String,
}

/// Everything the generator picks from; built once, in the taxonomy files' order, so a seed gives the same ads.
pub struct Vocabulary {
    /// Skill mentions for Swedish ads: JobTech and life-science labels (the part before a qualifying comma, as
    /// an ad would write "Java" for "Java, programmeringsspråk").
    pub skills_sv: Vec<String>,
    /// Skill mentions for English ads: ESCO and life-science labels.
    pub skills_en: Vec<String>,
    /// The life-science list's labels, both languages: the region's speciality, mentioned more often.
    pub life_science_sv: Vec<String>,
    pub life_science_en: Vec<String>,
    pub municipalities: Vec<Municipality>,
    /// Västra Götaland and Halland, where most of the portal's ads are.
    pub west: Vec<Municipality>,
    pub occupations: Vec<Concept>,
    pub occupation_fields: Vec<Concept>,
    pub employment_types: Vec<Concept>,
    pub swedish: Concept,
    pub english: Concept,
    /// JobTech skill concepts, for the few ads that list skills themselves.
    pub listed_skills: Vec<Concept>,
}

impl Vocabulary {
    pub fn of(taxonomy: &Taxonomy) -> anyhow::Result<Self> {
        let mut skills_sv = Vec::new();
        let mut skills_en = Vec::new();
        let mut life_science_sv = Vec::new();
        let mut life_science_en = Vec::new();
        for label in &taxonomy.labels {
            let Some(mention) = mention(&label.label) else { continue };
            let life_science = label.skill_id.starts_with("ls-");
            match (label.lang, life_science) {
                (SV, true) => life_science_sv.push(mention),
                (EN, true) => life_science_en.push(mention),
                (SV, false) => skills_sv.push(mention),
                (EN, false) => skills_en.push(mention),
                _ => {}
            }
        }
        let mut by_type: HashMap<&str, Vec<(Concept, String)>> = HashMap::new();
        for c in &taxonomy.jobtech_concepts {
            let concept = Concept { id: c.concept_id.clone(), label: c.label.clone() };
            let code = c.legacy_ams_taxonomy_id.clone().unwrap_or_default();
            by_type.entry(c.concept_type.as_str()).or_default().push((concept, code));
        }
        let mut take = |kind: &str| by_type.remove(kind).unwrap_or_default();
        let regions: HashMap<String, Concept> = take("region").into_iter().map(|(c, code)| (code, c)).collect();
        // A municipality code's first two digits are its region's code.
        let municipalities: Vec<Municipality> = take("municipality")
            .into_iter()
            .filter_map(|(concept, code)| {
                let region_code = code.get(..2)?.to_owned();
                let region = regions.get(&region_code)?.clone();
                Some(Municipality { concept, code, region, region_code })
            })
            .collect();
        let west = municipalities.iter().filter(|m| m.region_code == "14" || m.region_code == "13").cloned().collect();
        let languages = take("language");
        let language = |name: &str| {
            languages
                .iter()
                .find(|(c, _)| c.label == name)
                .map(|(c, _)| c.clone())
                .ok_or_else(|| anyhow::anyhow!("the taxonomy has no language {name}"))
        };
        let concepts = |list: Vec<(Concept, String)>| list.into_iter().map(|(c, _)| c).collect::<Vec<_>>();
        let vocabulary = Self {
            swedish: language("Svenska")?,
            english: language("Engelska")?,
            occupations: concepts(take("occupation-name")),
            occupation_fields: concepts(take("occupation-field")),
            employment_types: concepts(take("employment-type")),
            listed_skills: taxonomy
                .skills
                .iter()
                .filter_map(|s| {
                    let id = s.id.strip_prefix("jobtech:")?;
                    Some(Concept { id: id.to_owned(), label: s.label_sv.clone()? })
                })
                .collect(),
            skills_sv,
            skills_en,
            life_science_sv,
            life_science_en,
            municipalities,
            west,
        };
        vocabulary.check()?;
        Ok(vocabulary)
    }

    fn check(&self) -> anyhow::Result<()> {
        let lists = [
            ("Swedish skills", self.skills_sv.len()),
            ("English skills", self.skills_en.len()),
            ("life-science skills", self.life_science_sv.len().min(self.life_science_en.len())),
            ("municipalities", self.municipalities.len()),
            ("West Sweden municipalities", self.west.len()),
            ("occupations", self.occupations.len()),
            ("occupation fields", self.occupation_fields.len()),
            ("employment types", self.employment_types.len()),
            ("listed skills", self.listed_skills.len()),
        ];
        for (what, count) in lists {
            anyhow::ensure!(count > 0, "the embedded taxonomy gave no {what} to build ads from");
        }
        Ok(())
    }
}

/// How an ad would mention a label: its head before a qualifying comma or parenthesis, if short enough to be
/// written in a sentence.
fn mention(label: &str) -> Option<String> {
    let head = label.split([',', '(']).next().unwrap_or_default().trim();
    let words = head.split_whitespace().count();
    ((1..=4).contains(&words) && head.chars().count() <= 40).then(|| head.to_owned())
}
