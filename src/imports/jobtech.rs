//! The Public Employment Service's ad format (JobSearch and JobStream) read into an [`Ad`]. Concept ids are looked
//! up in the JobTech taxonomy; where an id is unknown (the sample's are made up) the ad's own label is used.

use std::collections::HashMap;

use serde::Deserialize;

use super::model::{
    clean, cut, short, web_url, Ad, Employer, ListedSkill, MAX_LISTED_SKILLS, MAX_TEXT_CHARS, MAX_TITLE_CHARS,
};
use super::names::{country_code, language_code, swedish_local_time};

/// The source name of the Public Employment Service's ads.
pub const SOURCE: &str = "jobtech";

/// JobTech concepts by id: (type, label).
pub type Concepts = HashMap<String, (String, String)>;

#[derive(Deserialize)]
struct Concept {
    concept_id: Option<String>,
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Concept),
    Many(Vec<Concept>),
}

impl OneOrMany {
    fn first(&self) -> Option<&Concept> {
        match self {
            Self::One(c) => Some(c),
            Self::Many(v) => v.first(),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Number(u64),
}

#[derive(Deserialize, Default)]
struct Description {
    text: Option<String>,
}

#[derive(Deserialize)]
struct JobtechEmployer {
    name: Option<String>,
    organization_number: Option<String>,
    url: Option<String>,
    workplace: Option<String>,
}

#[derive(Deserialize, Default)]
struct Address {
    municipality: Option<String>,
    municipality_concept_id: Option<String>,
    region: Option<String>,
    region_concept_id: Option<String>,
    country: Option<String>,
    country_concept_id: Option<String>,
    city: Option<String>,
}

#[derive(Deserialize, Default)]
struct Requirements {
    skills: Option<Vec<Concept>>,
    languages: Option<Vec<Concept>>,
}

#[derive(Deserialize)]
struct ApplicationDetails {
    url: Option<String>,
}

/// The fields of a JobSearch/JobStream ad that Tandem keeps; everything else is ignored.
#[derive(Deserialize)]
struct JobtechAd {
    id: Id,
    headline: Option<String>,
    description: Option<Description>,
    employer: Option<JobtechEmployer>,
    workplace_address: Option<Address>,
    must_have: Option<Requirements>,
    nice_to_have: Option<Requirements>,
    employment_type: Option<OneOrMany>,
    occupation_field: Option<OneOrMany>,
    application_deadline: Option<String>,
    publication_date: Option<String>,
    removed: Option<bool>,
    webpage_url: Option<String>,
    application_details: Option<ApplicationDetails>,
    /// When the ad last changed, in milliseconds since the epoch.
    timestamp: Option<i64>,
}

/// Reads one ad; the error says what is wrong with it.
pub fn read(value: serde_json::Value, concepts: &Concepts) -> Result<Ad, String> {
    let ad: JobtechAd = serde_path_to_error::deserialize(value).map_err(|e| format!("{}: {}", e.path(), e.inner()))?;
    let external_id = match ad.id {
        Id::Text(s) => short(&s),
        Id::Number(n) => n.to_string(),
    };
    if external_id.is_empty() {
        return Err("id: empty".to_owned());
    }
    let removed = ad.removed.unwrap_or(false);
    let title = cut(&short(ad.headline.as_deref().unwrap_or_default()), MAX_TITLE_CHARS);
    if title.is_empty() && !removed {
        return Err("headline: missing".to_owned());
    }
    let address = ad.workplace_address.unwrap_or_default();
    let (city, country) = place(&address, concepts);
    let label = |c: &Concept| concept_label(c, concepts);
    let mut listed = Vec::new();
    let mut languages = Vec::new();
    for (requirements, required) in [(ad.must_have, true), (ad.nice_to_have, false)] {
        let requirements = requirements.unwrap_or_default();
        for skill in requirements.skills.unwrap_or_default().iter().take(MAX_LISTED_SKILLS) {
            if let Some(label) = label(skill) {
                listed.push(ListedSkill { concept_id: skill.concept_id.as_deref().map(short), label, required });
            }
        }
        for language in requirements.languages.unwrap_or_default().iter().take(MAX_LISTED_SKILLS) {
            if let Some(code) = label(language).as_deref().and_then(language_code) {
                if !languages.iter().any(|c| c == code) {
                    languages.push(code.to_owned());
                }
            }
        }
    }
    let employer = ad.employer.and_then(|e| {
        let name = short(e.name.as_deref().or(e.workplace.as_deref()).unwrap_or_default());
        (!name.is_empty()).then(|| Employer {
            name,
            org_number: e.organization_number.as_deref().map(short).filter(|n| !n.is_empty()),
            website: web_url(e.url.as_deref()),
        })
    });
    let one = |c: &Option<OneOrMany>| c.as_ref().and_then(OneOrMany::first).and_then(label);
    Ok(Ad {
        source: SOURCE.to_owned(),
        url: web_url(ad.webpage_url.as_deref()),
        removed,
        title,
        text: cut(&clean(ad.description.and_then(|d| d.text).as_deref().unwrap_or_default()), MAX_TEXT_CHARS),
        employer,
        city,
        country,
        languages,
        listed_skills: listed,
        employment_type: one(&ad.employment_type).unwrap_or_else(|| "unknown".to_owned()),
        sector: one(&ad.occupation_field).unwrap_or_else(|| "unknown".to_owned()),
        apply_url: web_url(ad.application_details.and_then(|d| d.url).as_deref()),
        closes_at: ad.application_deadline.as_deref().and_then(swedish_local_time),
        published_at: ad.publication_date.as_deref().and_then(swedish_local_time),
        changed_at: ad.timestamp.and_then(chrono::DateTime::from_timestamp_millis),
        external_id,
    })
}

/// The taxonomy's label for a known concept id, else the ad's own label.
fn concept_label(concept: &Concept, concepts: &Concepts) -> Option<String> {
    let known = concept.concept_id.as_deref().and_then(|id| concepts.get(id)).map(|(_, label)| label.as_str());
    let label = short(known.or(concept.label.as_deref()).unwrap_or_default());
    (!label.is_empty()).then_some(label)
}

/// Town (or municipality, else region) and country. Every JobTech municipality and region is Swedish, so an ad
/// without a country but with either is in Sweden.
fn place(address: &Address, concepts: &Concepts) -> (String, String) {
    let by_id = |id: &Option<String>| id.as_deref().and_then(|id| concepts.get(id)).map(|(_, l)| l.clone());
    let municipality = by_id(&address.municipality_concept_id).or_else(|| address.municipality.clone());
    let region = by_id(&address.region_concept_id).or_else(|| address.region.clone());
    let country_name = by_id(&address.country_concept_id).or_else(|| address.country.clone());
    let town = [address.city.clone(), municipality.clone(), region.clone(), country_name.clone()]
        .into_iter()
        .flatten()
        .map(|s| short(&s))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "Sverige".to_owned());
    let country = country_name
        .as_deref()
        .and_then(country_code)
        .or_else(|| (municipality.is_some() || region.is_some()).then_some("SE"))
        .unwrap_or("SE");
    (town, country.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Vec<serde_json::Value> {
        let text = std::fs::read(format!("{}/data/jobads/{name}", env!("CARGO_MANIFEST_DIR"))).expect("sample");
        let mut ads = Vec::new();
        super::super::feed::each_ad(super::super::model::Format::Jobtech, &text, |_, v| ads.push(v)).expect("feed");
        ads
    }

    #[test]
    fn unknown_concept_ids_fall_back_to_labels_and_a_municipality_means_sweden() {
        let ads: Vec<Ad> = sample("jobsearch_hits_2_ads.json")
            .into_iter()
            .map(|v| read(v, &Concepts::new()).expect("readable"))
            .collect();
        assert_eq!(ads[0].external_id, "23174210");
        assert_eq!(
            ads[0].listed_skills,
            [
                ListedSkill { concept_id: Some("29387234_yov_smw".into()), label: "Java".into(), required: true },
                ListedSkill { concept_id: Some("2938adsfdov_smw".into()), label: "Javascript".into(), required: false }
            ]
        );
        assert_eq!(ads[0].languages, ["en", "fi"]);
        assert_eq!((ads[0].city.as_str(), ads[0].country.as_str()), ("Nacka", "SE"));
        assert_eq!(ads[0].employer.as_ref().and_then(|e| e.org_number.as_deref()), Some("1222124758"));
        assert_eq!(ads[1].country, "SE", "no country given, but a Swedish municipality");
        assert!(!ads[1].removed, "a removed_date alone does not withdraw the ad");
    }

    #[test]
    fn known_concept_ids_win_over_the_ads_labels() {
        let mut concepts = Concepts::new();
        concepts.insert("AvNB_uwa_6n6".into(), ("municipality".into(), "Stockholm kommun".into()));
        let ad = read(sample("jobstream_2024_1_ad.json").remove(0), &concepts).expect("readable");
        assert_eq!(ad.external_id, "28746073");
        assert_eq!(ad.title, "Group Product Manager - Customer Care");
        assert_eq!(ad.city, "Stockholm kommun");
        assert_eq!(ad.url.as_deref(), Some("https://arbetsformedlingen.se/platsbanken/annonser/28746073"));
        assert!(ad.text.len() > 500);
    }

    #[test]
    fn an_ad_without_an_id_or_a_headline_is_refused_with_the_reason() {
        let no_id = read(serde_json::json!({"headline": "x"}), &Concepts::new()).expect_err("no id");
        assert!(no_id.contains("id"), "{no_id}");
        let no_title = read(serde_json::json!({"id": 5}), &Concepts::new()).expect_err("no headline");
        assert!(no_title.contains("headline"), "{no_title}");
        let withdrawal =
            read(serde_json::json!({"id": 5, "removed": true}), &Concepts::new()).expect("a bare withdrawal");
        assert!(withdrawal.removed);
    }
}
