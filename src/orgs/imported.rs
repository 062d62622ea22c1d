//! Employers named by imported ads, made fit to become unclaimed organisations: texts trimmed and capped, the
//! organisation number kept only if it could be one, and the name reduced to the key an import finds it again by.

use crate::limits;
use crate::vocab::{is_web_url, CountryCode};

/// The sector of an organisation made from an ad: ads do not say it; the employer sets it once they claim it.
pub const IMPORTED_SECTOR: &str = "unknown";

const MAX_CITY_CHARS: usize = 100;
const MAX_ORG_NUMBER_CHARS: usize = 32;

/// Legal forms that say nothing about which employer it is: "Centric Care AB" and "Centric Care" are one. Written as
/// a name key writes them (lower case, punctuation gone: "(publ)" is `publ`).
const LEGAL_FORMS: &[&str] = &[
    "ab",
    "abp",
    "aktiebolag",
    "aktiebolaget",
    "publ",
    "hb",
    "kb",
    "handelsbolag",
    "kommanditbolag",
    "ltd",
    "limited",
    "inc",
    "llc",
    "gmbh",
    "oy",
    "oyj",
    "as",
    "asa",
    "aps",
    "plc",
    "bv",
    "nv",
];

/// The employer of an imported ad, as the ad names it.
#[derive(Clone, Copy, Debug)]
pub struct ImportedEmployer<'a> {
    pub name: &'a str,
    /// The national registration number in any spelling ("556000-1234", "5560001234", "SE556000123401").
    pub org_number: Option<&'a str>,
    /// Where the ad says the work is; the organisation's city until its employer says otherwise.
    pub city: &'a str,
    /// ISO 3166-1 alpha-2 (`SE`; lower case is accepted).
    pub country: &'a str,
    pub website: Option<&'a str>,
}

/// Why an employer cannot become an organisation: the ad's record is bad, and the importer reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnusableEmployer {
    #[error("the employer has no name")]
    NoName,
    #[error("the employer's name has no letters or digits and there is no organisation number")]
    NoKey,
    #[error("the employer has no city")]
    NoCity,
    #[error("the employer's country is not an ISO 3166-1 alpha-2 code")]
    BadCountry,
}

/// An imported employer ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanEmployer {
    pub name: String,
    pub org_number: Option<String>,
    /// `None` only when the name has no letters or digits (then the organisation number is the key).
    pub name_key: Option<String>,
    pub city: String,
    pub country: String,
    pub website: Option<String>,
}

impl ImportedEmployer<'_> {
    /// Trims and caps what an organisation can hold; drops a website that is not an http(s) address and an
    /// organisation number without digits or over 32 characters ("saknas" is not one).
    pub fn clean(&self) -> Result<CleanEmployer, UnusableEmployer> {
        let name = capped(&collapse_spaces(self.name), limits::MAX_NAME_CHARS);
        if name.is_empty() {
            return Err(UnusableEmployer::NoName);
        }
        let org_number = self
            .org_number
            .map(str::trim)
            .filter(|n| n.chars().count() <= MAX_ORG_NUMBER_CHARS && n.chars().any(|c| c.is_ascii_digit()));
        let name_key = name_key(&name);
        if name_key.is_none() && org_number.is_none() {
            return Err(UnusableEmployer::NoKey);
        }
        let city = capped(&collapse_spaces(self.city), MAX_CITY_CHARS);
        if city.is_empty() {
            return Err(UnusableEmployer::NoCity);
        }
        let country =
            CountryCode::parse(&self.country.trim().to_ascii_uppercase()).ok_or(UnusableEmployer::BadCountry)?;
        Ok(CleanEmployer {
            name,
            org_number: org_number.map(str::to_owned),
            name_key,
            city,
            country: country.as_str().to_owned(),
            website: self.website.map(str::trim).filter(|w| is_web_url(w)).map(str::to_owned),
        })
    }
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn capped(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect::<String>().trim_end().to_owned()
}

/// The key two spellings of one employer share: lower case, words of letters and digits only, without a legal form
/// at either end ("hittepå SKÅNE AB" and "Hittepå Skåne" are `hittepå skåne`). `None` if no word is left.
pub fn name_key(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let is_form = |w: &&str| LEGAL_FORMS.contains(w);
    let start = words.iter().position(|w| !is_form(w));
    let end = words.iter().rposition(|w| !is_form(w));
    // A name that is nothing but legal forms ("AB") keeps them rather than becoming no name at all.
    let kept = match (start, end) {
        (Some(start), Some(end)) => &words[start..=end],
        _ => &words[..],
    };
    (!kept.is_empty()).then(|| kept.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn employer(name: &str) -> ImportedEmployer<'_> {
        ImportedEmployer { name, org_number: None, city: " Malmö ", country: "se", website: None }
    }

    #[test]
    fn spellings_of_one_employer_share_a_name_key() {
        for (a, b) in [
            ("hittepå Skåne AB", "hittepå SKÅNE AB"),
            ("Centric Care AB", "Centric Care"),
            ("Volvo Personvagnar AB (publ)", "volvo  personvagnar"),
            ("AB Volvo", "Volvo"),
            ("Region Västra Götaland", "Region Västra-Götaland"),
        ] {
            assert_eq!(name_key(a), name_key(b), "{a} / {b}");
        }
        assert_eq!(name_key("hittepå Skåne AB").as_deref(), Some("hittepå skåne"));
        assert_ne!(name_key("Skåne AB"), name_key("Skane AB"), "å is a letter of its own in Swedish");
        assert_ne!(name_key("Abbott"), name_key("Abbott Scandinavia"));
        assert_eq!(name_key("AB").as_deref(), Some("ab"));
        assert_eq!(name_key(" -- "), None);
    }

    #[test]
    fn cleaning_keeps_what_an_organisation_can_hold() {
        let long = "x".repeat(300);
        let e = ImportedEmployer {
            name: &long,
            org_number: Some(" 556000-1234 "),
            website: Some("www.not-a-url.se"),
            ..employer("")
        };
        let clean = e.clean().expect("usable");
        assert_eq!(clean.name.chars().count(), limits::MAX_NAME_CHARS);
        assert_eq!(clean.org_number.as_deref(), Some("556000-1234"));
        assert_eq!((clean.city.as_str(), clean.country.as_str()), ("Malmö", "SE"));
        assert_eq!(clean.website, None);
        let e = ImportedEmployer { org_number: Some("saknas -"), website: Some("https://x.se"), ..employer("X AB") };
        let clean = e.clean().expect("usable");
        assert_eq!(clean.org_number, None, "a number without digits is no number");
        assert_eq!(clean.website.as_deref(), Some("https://x.se"));
    }

    #[test]
    fn an_employer_without_a_key_or_a_place_is_unusable() {
        assert_eq!(employer("  ").clean(), Err(UnusableEmployer::NoName));
        assert_eq!(employer("--").clean(), Err(UnusableEmployer::NoKey));
        assert!(ImportedEmployer { org_number: Some("5560001234"), ..employer("--") }.clean().is_ok());
        assert_eq!(ImportedEmployer { city: "", ..employer("X") }.clean(), Err(UnusableEmployer::NoCity));
        assert_eq!(ImportedEmployer { country: "Sverige", ..employer("X") }.clean(), Err(UnusableEmployer::BadCountry));
    }
}
