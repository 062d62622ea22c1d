//! Where an ad says the job is, as a key two ads can be compared by: a municipality (with its county), a county, a
//! country, or a name the lists do not know. "Uppsala" and "Uppsala län" agree (the county holds the town), as do
//! "Göteborg" and "Gothenburg" (an alias in `data/places`) and "Sundsvall" and "Västernorrlands län".

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::places::Places;
use crate::taxonomy::normalize;
use crate::taxonomy::sources::Taxonomy;

/// Longer place strings are cut: no real place name comes near it.
const MAX_PLACE_CHARS: usize = 200;

/// Words that name no particular place: a country-wide, remote or unspecified ad.
const NOWHERE_IN_PARTICULAR: [&str; 7] =
    ["hela sverige", "hela landet", "distans", "remote", "utomlands", "ospecificerad arbetsort", "ospecificerad"];

/// English names of the neighbouring countries, as JobTech's Swedish labels spell them.
const COUNTRIES_IN_ENGLISH: [(&str, &str); 5] =
    [("sweden", "sverige"), ("norway", "norge"), ("denmark", "danmark"), ("finland", "finland"), ("iceland", "island")];

/// A place as a key; see [`PlaceKey::of`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlaceKey {
    /// No place given, or none in particular (remote, anywhere in the country).
    Unknown,
    /// Only a country, by its normalised Swedish name.
    Country(String),
    /// A county (län), by its two-digit code.
    Region(u8),
    /// A Swedish municipality by its four-digit code, with its county.
    Municipality { code: u16, region: u8 },
    /// A place the lists do not know (a town abroad, a district), by its normalised name.
    Named(String),
}

/// How two ads' places agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceMatch {
    /// The same municipality, county or named place.
    Same,
    /// One is a county and the other lies in it.
    Within,
    /// One names no particular place (missing, or only a country): it cannot disagree, but it does not confirm.
    Vague,
    Different,
}

impl PlaceMatch {
    pub fn agrees(self) -> bool {
        self != Self::Different
    }
}

impl PlaceKey {
    /// The key of a place as an ad gives it: a municipality, town, county or country, or several separated by commas
    /// or slashes ("Stockholm, Sweden"), of which the most specific counts. Case, accents and a "län", "kommun" or
    /// "stad" suffix do not matter.
    pub fn of(place: &str) -> Self {
        let place: String = place.chars().take(MAX_PLACE_CHARS).collect();
        let keys = place.split([',', '/', '|', ';']).map(|part| key_of_part(&normalize(part)));
        keys.max_by_key(PlaceKey::specificity).unwrap_or(PlaceKey::Unknown)
    }

    /// Whether the key names a place at all (not unknown, not a bare name the lists do not know).
    pub(super) fn is_known_place(&self) -> bool {
        matches!(self, Self::Country(_) | Self::Region(_) | Self::Municipality { .. })
    }

    pub fn agreement(&self, other: &PlaceKey) -> PlaceMatch {
        use PlaceKey::*;
        match (self, other) {
            (Unknown, _) | (_, Unknown) => PlaceMatch::Vague,
            (Country(a), Country(b)) if a != b => PlaceMatch::Different,
            (Country(_), _) | (_, Country(_)) => PlaceMatch::Vague,
            (Municipality { code: a, .. }, Municipality { code: b, .. }) => same_if(a == b),
            (Region(a), Region(b)) => same_if(a == b),
            (Region(r), Municipality { region, .. }) | (Municipality { region, .. }, Region(r)) => {
                if r == region {
                    PlaceMatch::Within
                } else {
                    PlaceMatch::Different
                }
            }
            (Named(a), Named(b)) => same_if(a == b),
            (Named(_), _) | (_, Named(_)) => PlaceMatch::Different,
        }
    }

    /// Which part of "Stockholm, Sweden" counts: a municipality over a county over an unknown name over a country.
    fn specificity(&self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Country(_) => 1,
            Self::Named(_) => 2,
            Self::Region(_) => 3,
            Self::Municipality { .. } => 4,
        }
    }
}

fn same_if(equal: bool) -> PlaceMatch {
    if equal {
        PlaceMatch::Same
    } else {
        PlaceMatch::Different
    }
}

fn key_of_part(name: &str) -> PlaceKey {
    let table = &*PLACE_TABLE;
    if name.is_empty() {
        return PlaceKey::Unknown;
    }
    let bare = name.strip_suffix(" kommun").or_else(|| name.strip_suffix(" stad")).unwrap_or(name);
    let municipality = [bare, bare.strip_suffix('s').unwrap_or(bare)]
        .into_iter()
        .find_map(|n| table.municipalities.get(n))
        // A town of data/places that is not itself a municipality seat by that name ("Mölnlycke", "Gothenburg").
        .or_else(|| {
            let place = Places::get().find(name, "SE")?;
            table.municipalities.get(&normalize(&place.municipality))
        });
    if let Some(&(code, region)) = municipality {
        return PlaceKey::Municipality { code, region };
    }
    if let Some(&region) = table.regions.get(name) {
        return PlaceKey::Region(region);
    }
    if NOWHERE_IN_PARTICULAR.contains(&name) {
        return PlaceKey::Unknown;
    }
    let country =
        COUNTRIES_IN_ENGLISH.iter().find(|(english, _)| *english == name).map_or(name, |(_, swedish)| swedish);
    if table.countries.contains(country) {
        return PlaceKey::Country(country.to_owned());
    }
    PlaceKey::Named(name.to_owned())
}

/// Swedish municipalities, counties and countries by normalised name, from the JobTech taxonomy compiled into the
/// binary. A municipality's legacy code is four digits whose first two are its county's code.
struct PlaceTable {
    municipalities: HashMap<String, (u16, u8)>,
    regions: HashMap<String, u8>,
    countries: HashSet<String>,
}

static PLACE_TABLE: LazyLock<PlaceTable> = LazyLock::new(PlaceTable::from_taxonomy);

impl PlaceTable {
    fn from_taxonomy() -> Self {
        let mut table = Self { municipalities: HashMap::new(), regions: HashMap::new(), countries: HashSet::new() };
        let taxonomy = match Taxonomy::embedded() {
            Ok(taxonomy) => taxonomy,
            Err(error) => {
                // Unit tests parse the embedded files, so this is not reached; places then compare by name only.
                tracing::warn!(%error, "duplicates: no place list; places compare by name");
                return table;
            }
        };
        for concept in taxonomy.jobtech_concepts {
            let code = concept.legacy_ams_taxonomy_id.as_deref().unwrap_or("");
            let name = normalize(&concept.label);
            match concept.concept_type.as_str() {
                "municipality" => {
                    if let (Ok(code), Ok(region)) = (code.parse::<u16>(), code.get(..2).unwrap_or("").parse::<u8>()) {
                        table.municipalities.insert(name, (code, region));
                    }
                }
                // "Ospecificerad" (90) is no county: NOWHERE_IN_PARTICULAR.
                "region" if code != "90" => {
                    if let Ok(region) = code.parse::<u8>() {
                        table.add_region(&name, region);
                    }
                }
                "country" => {
                    table.countries.insert(name);
                }
                _ => {}
            }
        }
        table
    }

    /// "Västra Götalands län" is found as written, as "Västra Götalands" and as "Västra Götaland". "Uppsala län"
    /// becomes "uppsala" too, but a municipality of the same name is looked up first.
    fn add_region(&mut self, name: &str, region: u8) {
        let without_lan = name.strip_suffix(" lan").unwrap_or(name);
        let without_genitive = without_lan.strip_suffix('s').unwrap_or(without_lan);
        for key in [name, without_lan, without_genitive] {
            self.regions.insert(key.to_owned(), region);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agreement(a: &str, b: &str) -> PlaceMatch {
        PlaceKey::of(a).agreement(&PlaceKey::of(b))
    }

    #[test]
    fn a_town_agrees_with_its_county_and_its_other_names() {
        assert_eq!(agreement("Uppsala", "Uppsala län"), PlaceMatch::Within);
        assert_eq!(agreement("Västernorrlands län", "Sundsvall"), PlaceMatch::Within);
        assert_eq!(agreement("Göteborg", "Gothenburg"), PlaceMatch::Same);
        assert_eq!(agreement("GOTEBORG", "Göteborgs stad"), PlaceMatch::Same);
        assert_eq!(agreement("Mölnlycke", "Härryda kommun"), PlaceMatch::Same);
        assert_eq!(agreement("Malmö", "Skåne"), PlaceMatch::Within);
        assert_eq!(agreement("Västra Götaland", "Västra Götalands län"), PlaceMatch::Same);
        assert_eq!(agreement("Stockholm, Sweden", "Stockholms län"), PlaceMatch::Within);
        assert_eq!(agreement("Oslo", "oslo"), PlaceMatch::Same);
    }

    #[test]
    fn other_towns_and_counties_disagree() {
        assert_eq!(agreement("Göteborg", "Borås"), PlaceMatch::Different);
        assert_eq!(agreement("Uppsala", "Stockholms län"), PlaceMatch::Different);
        assert_eq!(agreement("Uppsala län", "Skåne län"), PlaceMatch::Different);
        assert_eq!(agreement("Oslo", "Göteborg"), PlaceMatch::Different);
    }

    #[test]
    fn a_country_or_no_place_cannot_disagree_but_does_not_confirm() {
        assert_eq!(agreement("Sweden", "Stockholm"), PlaceMatch::Vague);
        assert_eq!(agreement("Sverige", "Sweden"), PlaceMatch::Vague);
        assert_eq!(agreement("", "Malmö"), PlaceMatch::Vague);
        assert_eq!(agreement("Distans", "Ospecificerad arbetsort"), PlaceMatch::Vague);
        assert_eq!(agreement("Sverige", "Norge"), PlaceMatch::Different);
        assert_eq!(PlaceKey::of(" "), PlaceKey::Unknown);
    }

    #[test]
    fn the_most_specific_part_counts() {
        assert_eq!(PlaceKey::of("Sweden, Gothenburg"), PlaceKey::of("Göteborg"));
        assert_eq!(PlaceKey::of("Uppsala län / Uppsala"), PlaceKey::of("Uppsala"));
        assert!(matches!(PlaceKey::of("Uppsala"), PlaceKey::Municipality { code: 380, region: 3 }));
    }
}
