//! An ad's title as a key: the words in lower case without accents or punctuation, and without a trailing place
//! that some boards add ("Product Designer i Sweden", "Developer in Gothenburg"). Two ads are the same job only if
//! their keys are equal; a looser rule would let one employer's "Sjuksköterska" and "Sjuksköterska natt" meet.

use super::place::PlaceKey;
use crate::taxonomy::normalize;

/// Longer titles are cut before any work; real titles are far shorter.
const MAX_TITLE_CHARS: usize = 300;

/// The prepositions a board puts before a place it appends to a title ("i", "in", "på").
const PLACE_PREPOSITIONS: [&str; 3] = ["i", "in", "pa"];

pub fn title_key(title: &str) -> String {
    let title: String = title.chars().take(MAX_TITLE_CHARS).collect();
    let normalized = normalize(&title);
    let words: Vec<&str> = normalized.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    without_trailing_place(&words).join(" ")
}

/// "intern 2020 stockholm office i sweden" → "intern 2020 stockholm office"; "i sommar" stays, as "sommar" is no place.
fn without_trailing_place<'a>(words: &'a [&'a str]) -> &'a [&'a str] {
    let Some(at) = words.iter().rposition(|w| PLACE_PREPOSITIONS.contains(w)) else { return words };
    if at == 0 || !PlaceKey::of(&words[at + 1..].join(" ")).is_known_place() {
        return words;
    }
    &words[..at]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_accents_and_punctuation_do_not_matter() {
        assert_eq!(title_key("Barnsjuksköterska till Uppsala!"), title_key("BARNSJUKSKÖTERSKA TILL UPPSALA"));
        assert_eq!(
            title_key("Group Product Manager - Customer Care"),
            title_key("Group Product Manager – Customer Care")
        );
        assert_eq!(title_key("Java-utvecklare"), "java utvecklare");
    }

    #[test]
    fn a_place_a_board_appends_is_dropped() {
        assert_eq!(title_key("Product Designer i Sweden"), "product designer");
        assert_eq!(title_key("Intern 2020 - Stockholm office  i Sweden"), "intern 2020 stockholm office");
        assert_eq!(title_key("Developer in Gothenburg"), "developer");
        assert_eq!(
            title_key("Sjuksköterskor till Sundsvalls sjukhus i sommar!"),
            "sjukskoterskor till sundsvalls sjukhus i sommar"
        );
        assert_eq!(title_key("Lärare i matematik"), "larare i matematik");
        assert_eq!(title_key("I Uppsala"), "i uppsala");
    }

    #[test]
    fn other_words_keep_titles_apart() {
        assert_ne!(title_key("Sjuksköterska"), title_key("Sjuksköterska natt"));
        assert_ne!(title_key("Barnsjuksköterska till Uppsala!"), title_key("Barnmorska till Uppsala!"));
        assert_eq!(title_key(" !? "), "");
    }
}
