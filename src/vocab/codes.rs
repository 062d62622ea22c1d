//! Country and language codes, checked once against the ISO lists (ISO 3166-1 alpha-2 countries, ISO 639-1
//! languages) and then carried as their own types.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Every officially assigned ISO 3166-1 alpha-2 code, plus `XK` (Kosovo), which is user-assigned but in general use
/// (the EU and Swedish authorities use it), so Kosovars can say where they live.
const COUNTRIES: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ \
EC EE EG EH ER ES ET \
FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT \
JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ \
OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA \
RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
UA UG UM US UY UZ \
VA VC VE VG VI VN VU \
WF WS \
XK \
YE YT \
ZA ZM ZW";

/// Every current ISO 639-1 code (`bh`, withdrawn in 2021, is left out).
const LANGUAGES: &str = "\
aa ab ae af ak am an ar as av ay az \
ba be bg bi bm bn bo br bs \
ca ce ch co cr cs cu cv cy \
da de dv dz \
ee el en eo es et eu \
fa ff fi fj fo fr fy \
ga gd gl gn gu gv \
ha he hi ho hr ht hu hy hz \
ia id ie ig ii ik io is it iu \
ja jv \
ka kg ki kj kk kl km kn ko kr ks ku kv kw ky \
la lb lg li ln lo lt lu lv \
mg mh mi mk ml mn mr ms mt my \
na nb nd ne ng nl nn no nr nv ny \
oc oj om or os \
pa pi pl ps pt \
qu \
rm rn ro ru rw \
sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw \
ta te tg th ti tk tl tn to tr ts tt tw ty \
ug uk ur uz \
ve vi vo \
wa wo \
xh \
yi yo \
za zh zu";

/// Whether `code` is a country code as written in ISO 3166-1: two upper-case letters, assigned.
fn is_country(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) && COUNTRIES.split(' ').any(|c| c == code)
}

/// Whether `code` is a language code as written in ISO 639-1: two lower-case letters, assigned.
fn is_language(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) && LANGUAGES.split(' ').any(|c| c == code)
}

/// An assigned ISO 3166-1 alpha-2 country code in upper case (`SE`); only [`CountryCode::parse`] makes one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl CountryCode {
    /// The code if `code` is one as written in ISO 3166-1 (no trimming, no case folding).
    pub fn parse(code: &str) -> Option<Self> {
        is_country(code).then(|| Self(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An assigned ISO 639-1 language code in lower case (`sv`); only [`LanguageCode::parse`] makes one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageCode(String);

impl LanguageCode {
    /// The code if `code` is one as written in ISO 639-1 (no trimming, no case folding).
    pub fn parse(code: &str) -> Option<Self> {
        is_language(code).then(|| Self(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! code_conversions {
    ($code:ident, $what:literal) => {
        impl TryFrom<String> for $code {
            type Error = String;

            fn try_from(code: String) -> Result<Self, String> {
                Self::parse(&code).ok_or_else(|| format!("{code:?} is not {}", $what))
            }
        }

        impl From<$code> for String {
            fn from(code: $code) -> String {
                code.0
            }
        }

        impl fmt::Display for $code {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

code_conversions!(CountryCode, "an ISO 3166-1 alpha-2 country code in upper case");
code_conversions!(LanguageCode, "an ISO 639-1 language code in lower case");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_complete_and_well_formed() {
        let countries: Vec<&str> = COUNTRIES.split(' ').collect();
        assert_eq!(countries.len(), 250, "249 assigned codes and XK");
        assert!(countries.iter().all(|c| is_country(c)));
        let languages: Vec<&str> = LANGUAGES.split(' ').collect();
        assert_eq!(languages.len(), 183);
        assert!(languages.iter().all(|c| is_language(c)));
        for list in [countries, languages] {
            let mut sorted = list.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted, list, "sorted, without duplicates");
        }
    }

    #[test]
    fn case_and_unassigned_codes_are_refused() {
        assert!(is_country("SE") && is_country("UA"));
        assert!(!is_country("se") && !is_country("XX") && !is_country("SWE") && !is_country(""));
        assert!(is_language("sv") && is_language("en"));
        assert!(!is_language("SV") && !is_language("xx") && !is_language("swe"));
    }

    #[test]
    fn codes_parse_once_and_read_back() {
        assert_eq!(CountryCode::parse("SE").map(|c| c.to_string()), Some("SE".to_owned()));
        assert_eq!(LanguageCode::parse("sv").as_ref().map(LanguageCode::as_str), Some("sv"));
        assert!(serde_json::from_str::<CountryCode>(r#""se""#).is_err());
        assert!(serde_json::from_str::<LanguageCode>(r#""sv""#).is_ok());
    }
}
