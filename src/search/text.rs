//! Free text as words, never as a query language: quoted phrases, and runs of words that name a skill in the
//! taxonomy. Every unit must match (AND); characters such as `+ - : ( ) ^ ~ *` are only text.

use super::vocabulary::Vocabulary;

/// One part of a free-text search that a hit must match.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// The words as typed.
    pub words: Vec<String>,
    /// Typed in quotes: the words must appear together, in this order.
    pub quoted: bool,
    /// Skills the words name together (a label or synonym): having one of them also matches.
    pub skills: Vec<String>,
}

/// At most this many units are searched for; the rest of a long text is ignored.
pub const MAX_UNITS: usize = 32;

/// Cuts `text` into units: quoted phrases as typed (a quote without its pair is ignored), and the longest runs of
/// other words that name a skill, else single words.
pub fn units(text: &str, vocabulary: &Vocabulary) -> Vec<Unit> {
    let mut units = Vec::new();
    for (segment, quoted) in segments(text) {
        let words: Vec<String> = segment.split_whitespace().map(str::to_owned).collect();
        if words.is_empty() {
            continue;
        }
        if quoted {
            let skills = vocabulary.skills_named(&words).to_vec();
            units.push(Unit { words, quoted, skills });
        } else {
            units.extend(runs(words, vocabulary));
        }
    }
    drop_stop_words(&mut units);
    units.truncate(MAX_UNITS);
    units
}

/// Words so common in English or Swedish that requiring them would only lose hits ("cell AND biologist",
/// "chef för kvalitet"). Kept in quotes and in skill names, and when a text has nothing else.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "not", "of", "on", "or", "the", "to",
    "with", "att", "av", "de", "den", "det", "eller", "en", "ett", "har", "i", "inte", "med", "och", "om", "pa", "som",
    "till", "ar",
];

fn is_stop_word(unit: &Unit) -> bool {
    !unit.quoted
        && unit.skills.is_empty()
        && unit.words.len() == 1
        && STOP_WORDS.contains(&crate::taxonomy::normalize(&unit.words[0]).as_str())
}

fn drop_stop_words(units: &mut Vec<Unit>) {
    if units.iter().any(|u| !is_stop_word(u)) {
        units.retain(|u| !is_stop_word(u));
    }
}

/// The text split at paired quotes, each part with whether it was quoted.
fn segments(text: &str) -> Vec<(String, bool)> {
    let quotes = text.matches('"').count();
    // An unpaired last quote is only a character.
    let paired = quotes - quotes % 2;
    let mut parts = Vec::new();
    let mut rest = text;
    let mut quoted = false;
    for _ in 0..paired {
        let Some(at) = rest.find('"') else { break };
        parts.push((&rest[..at], quoted));
        rest = &rest[at + 1..];
        quoted = !quoted;
    }
    parts.push((rest, false));
    parts.into_iter().map(|(p, q)| (p.replace('"', " "), q)).filter(|(p, _)| !p.trim().is_empty()).collect()
}

/// Words grouped greedily into the longest runs that name a skill.
fn runs(words: Vec<String>, vocabulary: &Vocabulary) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut at = 0;
    while at < words.len() {
        let longest = vocabulary.longest().min(words.len() - at).max(1);
        let (taken, skills) = (1..=longest)
            .rev()
            .map(|n| (n, vocabulary.skills_named(&words[at..at + n])))
            .find(|(n, skills)| *n == 1 || !skills.is_empty())
            .map(|(n, skills)| (n, skills.to_vec()))
            .unwrap_or((1, Vec::new()));
        units.push(Unit { words: words[at..at + taken].to_vec(), quoted: false, skills });
        at += taken;
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        Vocabulary::new([
            ("cell culture".to_owned(), "ls-cell-culture".to_owned()),
            ("cellodling".to_owned(), "ls-cell-culture".to_owned()),
            ("gmp".to_owned(), "ls-gmp".to_owned()),
        ])
    }

    fn words(units: &[Unit]) -> Vec<String> {
        units.iter().map(|u| u.words.join(" ")).collect()
    }

    #[test]
    fn words_that_name_a_skill_go_together() {
        let u = units("Cell culture Göteborg gmp", &vocabulary());
        assert_eq!(words(&u), ["Cell culture", "Göteborg", "gmp"]);
        assert_eq!(u[0].skills, ["ls-cell-culture"]);
        assert_eq!(u[2].skills, ["ls-gmp"]);
        assert!(u[1].skills.is_empty());
    }

    #[test]
    fn quotes_make_a_phrase_and_an_unpaired_quote_is_ignored() {
        let u = units("\"cell lines\" robotics", &vocabulary());
        assert_eq!(words(&u), ["cell lines", "robotics"]);
        assert!(u[0].quoted && !u[1].quoted);
        let u = units("pipette \"robotics", &vocabulary());
        assert_eq!(words(&u), ["pipette", "robotics"]);
        assert!(u.iter().all(|u| !u.quoted));
    }

    #[test]
    fn common_words_are_not_required_unless_quoted_or_alone() {
        assert_eq!(words(&units("chef för kvalitet and the GMP", &vocabulary())), ["chef", "kvalitet", "GMP"]);
        assert_eq!(words(&units("\"head of quality\"", &vocabulary())), ["head of quality"]);
        assert_eq!(words(&units("the", &vocabulary())), ["the"]);
    }

    #[test]
    fn query_language_characters_are_plain_words() {
        let u = units("+gmp -(cell) NOT title:x^2 ~*", &vocabulary());
        assert_eq!(words(&u), ["+gmp", "-(cell)", "title:x^2", "~*"]);
        assert!(units("\"\" \"  \"", &vocabulary()).is_empty());
    }
}
