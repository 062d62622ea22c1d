//! Names ads use for countries and languages (Swedish and English) mapped to ISO codes, and their dates, which
//! come without a time zone and mean Swedish local time.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;

/// Countries ads name, in Swedish and English (lower case), with their ISO 3166-1 alpha-2 code. Countries not
/// here are given by code or not at all; an ad naming one is taken to be in Sweden.
#[rustfmt::skip]
const COUNTRIES: &[(&str, &str)] = &[
    ("sverige", "SE"), ("sweden", "SE"), ("norge", "NO"), ("norway", "NO"), ("danmark", "DK"), ("denmark", "DK"),
    ("finland", "FI"), ("island", "IS"), ("iceland", "IS"), ("tyskland", "DE"), ("germany", "DE"),
    ("storbritannien", "GB"), ("united kingdom", "GB"), ("frankrike", "FR"), ("france", "FR"),
    ("nederländerna", "NL"), ("netherlands", "NL"), ("belgien", "BE"), ("belgium", "BE"), ("spanien", "ES"),
    ("spain", "ES"), ("italien", "IT"), ("italy", "IT"), ("polen", "PL"), ("poland", "PL"), ("schweiz", "CH"),
    ("switzerland", "CH"), ("österrike", "AT"), ("austria", "AT"), ("irland", "IE"), ("ireland", "IE"),
    ("estland", "EE"), ("estonia", "EE"), ("lettland", "LV"), ("latvia", "LV"), ("litauen", "LT"),
    ("lithuania", "LT"), ("usa", "US"), ("united states", "US"), ("förenta staterna", "US"),
];

/// Languages ads ask for, in Swedish and English (lower case), with their ISO 639-1 code.
#[rustfmt::skip]
const LANGUAGES: &[(&str, &str)] = &[
    ("svenska", "sv"), ("swedish", "sv"), ("engelska", "en"), ("english", "en"), ("norska", "no"),
    ("norwegian", "no"), ("danska", "da"), ("danish", "da"), ("finska", "fi"), ("finnish", "fi"),
    ("isländska", "is"), ("icelandic", "is"), ("tyska", "de"), ("german", "de"), ("franska", "fr"),
    ("french", "fr"), ("spanska", "es"), ("spanish", "es"), ("italienska", "it"), ("italian", "it"),
    ("portugisiska", "pt"), ("portuguese", "pt"), ("nederländska", "nl"), ("holländska", "nl"), ("dutch", "nl"),
    ("polska", "pl"), ("polish", "pl"), ("ryska", "ru"), ("russian", "ru"), ("ukrainska", "uk"),
    ("ukrainian", "uk"), ("arabiska", "ar"), ("arabic", "ar"), ("persiska", "fa"), ("persian", "fa"),
    ("farsi", "fa"), ("turkiska", "tr"), ("turkish", "tr"), ("somaliska", "so"), ("somali", "so"),
    ("kinesiska", "zh"), ("chinese", "zh"), ("mandarin", "zh"), ("japanska", "ja"), ("japanese", "ja"),
    ("koreanska", "ko"), ("korean", "ko"), ("hindi", "hi"), ("thai", "th"), ("thailändska", "th"),
    ("vietnamesiska", "vi"), ("vietnamese", "vi"), ("grekiska", "el"), ("greek", "el"), ("ungerska", "hu"),
    ("hungarian", "hu"), ("tjeckiska", "cs"), ("czech", "cs"), ("rumänska", "ro"), ("romanian", "ro"),
    ("bosniska", "bs"), ("bosnian", "bs"), ("kroatiska", "hr"), ("croatian", "hr"), ("serbiska", "sr"),
    ("serbian", "sr"), ("albanska", "sq"), ("albanian", "sq"), ("kurdiska", "ku"), ("kurdish", "ku"),
    ("tigrinja", "ti"), ("tigrinya", "ti"), ("amhariska", "am"), ("amharic", "am"), ("estniska", "et"),
    ("estonian", "et"), ("lettiska", "lv"), ("latvian", "lv"), ("litauiska", "lt"), ("lithuanian", "lt"),
    ("hebreiska", "he"), ("hebrew", "he"), ("urdu", "ur"), ("bengali", "bn"), ("tamil", "ta"),
    ("teckenspråk", "sgn"),
];

fn lookup(table: &'static [(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    let name = name.trim().to_lowercase();
    table.iter().find(|(n, _)| *n == name).map(|(_, code)| *code)
}

/// The ISO code of a country named in Swedish or English, or given as a two-letter code.
pub fn country_code(name: &str) -> Option<&'static str> {
    lookup(COUNTRIES, name).or_else(|| {
        let upper = name.trim().to_uppercase();
        COUNTRIES.iter().map(|(_, code)| *code).find(|code| *code == upper)
    })
}

/// The ISO 639-1 code of a language named in Swedish or English ("Engelska"), if it has one.
pub fn language_code(name: &str) -> Option<&'static str> {
    lookup(LANGUAGES, name).filter(|code| code.len() == 2)
}

/// A date or date-time as ads give them: with a zone (RFC 3339) as is, without one as Swedish local time; a bare
/// date means the end of that day when `end_of_day`, else its start.
pub fn swedish_time(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .or_else(|| {
            let date = NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?;
            if end_of_day {
                date.and_hms_opt(23, 59, 59)
            } else {
                date.and_hms_opt(0, 0, 0)
            }
        })?;
    Stockholm.from_local_datetime(&local).earliest().map(|at| at.with_timezone(&Utc))
}

/// [`swedish_time`] for JobTech's full date-times.
pub fn swedish_local_time(text: &str) -> Option<DateTime<Utc>> {
    swedish_time(text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_codes() {
        assert_eq!(country_code("Sverige"), Some("SE"));
        assert_eq!(country_code(" sweden "), Some("SE"));
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(language_code("Engelska"), Some("en"));
        assert_eq!(language_code("Teckenspråk"), None);
    }

    #[test]
    fn dates_without_a_zone_are_swedish_local_time() {
        let at = swedish_local_time("2019-05-12T23:59:59").expect("date-time");
        assert_eq!(at.to_rfc3339(), "2019-05-12T21:59:59+00:00");
        let winter = swedish_time("2020-01-10", false).expect("date");
        assert_eq!(winter.to_rfc3339(), "2020-01-09T23:00:00+00:00");
        assert!(swedish_time("soon", true).is_none());
    }
}
