//! Where towns are: the municipalities and towns of West Sweden and its big neighbours with their coordinates
//! (`data/places/west_sweden.csv`, compiled in), looked up by city name and country, and the great-circle
//! distance between two of them. Partner commute alerts measure commuting distance with it.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::search::fields::{city_key, country_key};

/// The place list, compiled into the binary like the taxonomy.
const PLACES_CSV: &str = include_str!("../../data/places/west_sweden.csv");

/// The mean Earth radius (IUGG), in km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A town with the coordinates of its centre.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// The town's own name, as the list spells it.
    pub name: String,
    pub municipality: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
}

impl Place {
    /// The great-circle (haversine) distance to `other`, in km: as the crow flies, so a commute by road is
    /// somewhat longer.
    pub fn distance_km(&self, other: &Place) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let d_lat = lat2 - lat1;
        let d_lon = (other.lon - self.lon).to_radians();
        let a = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }
}

/// Every known place by (country, normalised name); names and aliases both lead to it.
pub struct Places {
    by_name: HashMap<(String, String), Place>,
}

static PLACES: LazyLock<Places> = LazyLock::new(|| Places::parse(PLACES_CSV));

impl Places {
    /// The compiled-in place list.
    pub fn get() -> &'static Places {
        &PLACES
    }

    /// Reads the CSV (`name,aliases,municipality,county,country,lat,lon`, aliases separated by `|`). A line that
    /// does not read is skipped with a warning; a unit test keeps the shipped file free of such lines.
    pub fn parse(csv: &str) -> Self {
        let mut by_name = HashMap::new();
        for (number, line) in csv.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
            let Some((place, aliases)) = parse_line(line) else {
                tracing::warn!(line = number + 1, "data/places: skipping a line that does not read");
                continue;
            };
            let country = country_key(&place.country);
            for name in std::iter::once(place.name.as_str()).chain(aliases.iter().map(String::as_str)) {
                by_name.insert((country.clone(), city_key(name)), place.clone());
            }
        }
        Self { by_name }
    }

    /// The place of this city in this country, if the list knows it (case, accents and hyphens ignored).
    pub fn find(&self, city: &str, country: &str) -> Option<&Place> {
        self.by_name.get(&(country_key(country), city_key(city)))
    }

    /// How many names and aliases lead to a place.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

fn parse_line(line: &str) -> Option<(Place, Vec<String>)> {
    let cells: Vec<&str> = line.split(',').map(str::trim).collect();
    let [name, aliases, municipality, _county, country, lat, lon] = cells.as_slice() else { return None };
    let (lat, lon): (f64, f64) = (lat.parse().ok()?, lon.parse().ok()?);
    if name.is_empty() || !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return None;
    }
    let aliases = aliases.split('|').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
    let place = Place {
        name: (*name).to_owned(),
        municipality: (*municipality).to_owned(),
        country: (*country).to_owned(),
        lat,
        lon,
    };
    Some((place, aliases))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_shipped_list_reads() {
        let lines = PLACES_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        let places: std::collections::HashSet<&str> = Places::get().by_name.values().map(|p| p.name.as_str()).collect();
        assert_eq!(places.len(), lines);
        assert!(PLACES_CSV.lines().skip(1).all(|l| parse_line(l).is_some()));
    }

    #[test]
    fn names_are_found_by_alias_and_without_accents() {
        let places = Places::get();
        let goteborg = places.find("Göteborg", "SE").expect("Göteborg");
        assert_eq!(places.find(" gothenburg ", "se"), Some(goteborg));
        assert_eq!(places.find("GOTEBORG", "SE"), Some(goteborg));
        assert_eq!(places.find("Härryda", "SE").map(|p| p.name.as_str()), Some("Mölnlycke"));
        assert!(places.find("Göteborg", "NO").is_none());
        assert!(places.find("Kiruna", "SE").is_none());
    }

    #[test]
    fn distances_are_great_circle_kilometres() {
        let places = Places::get();
        let at = |name: &str, country: &str| places.find(name, country).expect(name).clone();
        let goteborg = at("Göteborg", "SE");
        assert!(goteborg.distance_km(&goteborg) < 1e-9);
        // Göteborg–Borås is about 58 km as the crow flies; Göteborg–Stockholm about 397 km.
        let boras = goteborg.distance_km(&at("Borås", "SE"));
        assert!((55.0..61.0).contains(&boras), "{boras}");
        let stockholm = goteborg.distance_km(&at("Stockholm", "SE"));
        assert!((390.0..405.0).contains(&stockholm), "{stockholm}");
        assert!((goteborg.distance_km(&at("Oslo", "NO")) - at("Oslo", "NO").distance_km(&goteborg)).abs() < 1e-9);
    }
}
