//! How one taxonomy label is looked for in text: the forms it may take and the rules a match must obey.
//!
//! A label gives one or more forms: the label itself; the product name in JobTech's "Java, programmeringsspråk" or
//! "2D-grafik-GIMP"; the label without a parenthesis ("Java (computer programming)" → "Java") and the acronym in
//! one ("Java Server Pages (JSP)" → "JSP"). Each form gets the rules of its kind:
//! - short forms (three characters or fewer) and forms in capitals (SQL, GMP) match case-sensitively, as a whole
//!   word; single letters (R, C) and short forms that are not acronyms ("Ada", "Såg", "git") also need a product
//!   or acronym nearby;
//! - Swedish forms take inflections ("sjuksköterskor", "projektledningen") and, when long, may be the first or
//!   last part of a compound ("barnsjuksköterska");
//! - English forms take a plural ("cell cultures");
//! - product names, acronyms and forms with digits are language-neutral; the rest count only in an ad of their
//!   own language.

use super::normalize::normalize_label;
use super::stoplist::is_stop_word;

/// Which ads a form counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Scope {
    Swedish,
    English,
    /// Product names, acronyms and the like, the same in both languages.
    Neutral,
}

/// What may follow a form within the same word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Ending {
    /// Nothing: the word ends with the form.
    Exact,
    /// "s" or "es".
    EnglishPlural,
    /// A Swedish inflection ("-en", "-erna", ...), or, where `compound_head` allows it, the rest of a compound.
    Swedish,
    /// The form is a Swedish label without its final vowel ("sjukskötersk" of "sjuksköterska"), so it needs one of
    /// the inflections that replace that vowel ("-or", "-orna").
    SwedishStem(char),
}

/// The rules a match of one form must obey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Rules {
    pub scope: Scope,
    pub ending: Ending,
    /// May be the last part of a compound ("sjuksköterska" in "barnsjuksköterska").
    pub compound_tail: bool,
    /// May be the first part of a compound ("projektledning" in "projektledningsmetoder").
    pub compound_head: bool,
    /// Counts only beside a product or acronym and between list punctuation ("R, SAS", not "R&D"): a single letter,
    /// or a short form that is not an acronym and may be a word ("Såg", "Ada").
    pub needs_context: bool,
    /// An acronym that may carry a version number ("HTML5", "CSS3").
    pub versioned: bool,
}

/// One form of a label in matching form, and how it is matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Variant {
    pub pattern: String,
    pub case_sensitive: bool,
    pub rules: Rules,
    /// For a product name, its precedence among skills whose forms are the same name (lower first).
    pub product_rank: Option<usize>,
}

/// Forms up to this many characters match case-sensitively.
const MAX_SHORT_CHARS: usize = 3;
/// Swedish forms take inflections from this length on: shorter ones inflected are too often other words.
const MIN_INFLECTED_CHARS: usize = 5;
/// A Swedish one-word form of this length may end a compound ("barnsjuksköterska"); shorter ones end too many
/// other words ("läppning", lapping, in "frisläppning", release).
const MIN_COMPOUND_TAIL_CHARS: usize = 10;
/// A Swedish form of this length may begin a compound ("projektledningsmetoder").
const MIN_COMPOUND_HEAD_CHARS: usize = 10;
/// Each word of a Swedish "A/B" label this long is a form of its own.
const MIN_ALTERNATIVE_CHARS: usize = 9;
/// Longer labels are descriptions, never written out in an ad.
const MAX_LABEL_CHARS: usize = 100;

/// JobTech qualifiers that say the part before the comma names a product ("Java, programmeringsspråk"), in order
/// of precedence: where one name has several qualifiers ("Oracle, databashanterare", "Oracle, affärssystem",
/// "Oracle, publicerings- och portalverktyg"), only the first kind is taken from a bare mention.
const PRODUCT_QUALIFIERS: &[&str] = &[
    "språk",
    "hanterare",
    "ramverk",
    "operativsystem",
    "verktyg",
    "plattform",
    "plattf.",
    "appl.plf.",
    "server",
    "protokoll",
    "editor",
    "program",
    "metod",
    "system",
];
/// The precedence of product names that no qualifier ranks: "GIMP" of "2D-grafik-GIMP", "JSP" of "Java Server
/// Pages (JSP)".
const OTHER_PRODUCT_RANK: usize = PRODUCT_QUALIFIERS.len();

/// The forms of a label in language `lang` ("sv" or "en"), with their rules; empty for a stop word.
pub(super) fn variants(label: &str, lang: &str) -> Vec<Variant> {
    let label = label.trim();
    if label.chars().count() > MAX_LABEL_CHARS {
        return Vec::new();
    }
    let mut out = Vec::new();
    for form in forms(label, lang) {
        add_form(&mut out, &form, lang);
    }
    out
}

/// One way a label may be written in text.
struct Form {
    text: String,
    /// For a product name, its precedence among skills whose forms are the same name.
    product_rank: Option<usize>,
    /// Matched in this case only, whatever its length: a vendor's product name without the vendor ("Excel").
    exact_case: bool,
}

impl Form {
    fn new(text: impl Into<String>, product_rank: Option<usize>) -> Self {
        Self { text: text.into(), product_rank, exact_case: false }
    }
}

/// The forms of a label.
fn forms(label: &str, lang: &str) -> Vec<Form> {
    let (named, rank) = match label.split_once(", ").map(|(head, qualifier)| (head, product_rank(qualifier))) {
        Some((head, Some(rank))) => (head, Some(rank)),
        _ => (label, None),
    };
    let mut named_forms = vec![Form::new(named, rank)];
    if lang == "sv" {
        named_forms.extend(swedish_alternatives(named).into_iter().map(|form| Form::new(form, None)));
        // Only JobTech writes "category-Product"; in ESCO the same shape is a name ("Concept-Oriented").
        if let Some(name) = product_after_category(named) {
            named_forms.push(Form::new(name, Some(OTHER_PRODUCT_RANK)));
        }
    }
    if let Some(name) = without_vendor(named) {
        named_forms.push(Form { exact_case: true, ..Form::new(name, Some(OTHER_PRODUCT_RANK)) });
    }
    let mut out = Vec::new();
    for form in named_forms {
        let (outside, inside) = split_parenthesis(&form.text);
        let alias = |inside: &String| is_acronym(inside) || (is_acronym(&outside) && inside.contains(' '));
        let inside = inside.filter(alias).map(|inside| Form::new(inside, Some(OTHER_PRODUCT_RANK)));
        if !outside.is_empty() {
            out.push(Form { text: outside, ..form });
        }
        out.extend(inside);
    }
    out
}

/// "Microsoft Office Excel" → "Excel": ads name Microsoft's products without the vendor. Written with their
/// capitals, so they are matched in that case only ("Word", not "word").
fn without_vendor(label: &str) -> Option<&str> {
    let name = label.strip_prefix("Microsoft Office ").or_else(|| label.strip_prefix("Microsoft "))?;
    name.starts_with(char::is_uppercase).then_some(name)
}

/// Swedish phrasings of JobTech labels that ads write otherwise: "Legitimation som sjuksköterska" is "legitimerad
/// sjuksköterska"; "Vårdavdelning/mottagning" names two long words, each a form of its own (shorter halves, as in
/// "Mat/vin" or "Mode/design", are categories, not skills).
fn swedish_alternatives(label: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(occupation) = label.strip_prefix("Legitimation som ") {
        out.push(format!("legitimerad {occupation}"));
    }
    if label.matches('/').count() == 1 && !label.contains(' ') {
        let long_word =
            |part: &&str| part.chars().count() >= MIN_ALTERNATIVE_CHARS && part.chars().all(char::is_alphabetic);
        out.extend(label.split('/').filter(long_word).map(str::to_owned));
    }
    out
}

/// The precedence of a JobTech qualifier that names a kind of product, `None` for any other qualifier.
fn product_rank(qualifier: &str) -> Option<usize> {
    let last = qualifier.rsplit(", ").next().unwrap_or(qualifier).trim();
    PRODUCT_QUALIFIERS.iter().position(|q| last.ends_with(q))
}

/// The product in JobTech's "category-Product" labels ("2D-grafik-GIMP" → "GIMP"): the rest after the first
/// hyphen between a lower-case letter and a capital.
fn product_after_category(label: &str) -> Option<&str> {
    let chars: Vec<(usize, char)> = label.char_indices().collect();
    chars.windows(3).find_map(|w| {
        let [(_, before), (_, '-'), (at, after)] = *w else { return None };
        (before.is_lowercase() && after.is_uppercase()).then(|| &label[at..])
    })
}

/// "Java Server Pages (JSP)" → ("Java Server Pages", Some("JSP")); without a parenthesis, (label, None). Only a
/// parenthesis at the end names the whole: the "(EU)" of "Regulation (EU) No 536/2014" is no name of the regulation.
fn split_parenthesis(form: &str) -> (String, Option<String>) {
    let form = form.trim();
    match (form.find('('), form.find(')')) {
        (Some(open), Some(close)) if open < close => {
            let inside = (close + 1 == form.len()).then(|| form[open + 1..close].trim().to_owned());
            let outside = format!("{} {}", &form[..open], &form[close + 1..]);
            let outside = outside.split_whitespace().collect::<Vec<_>>().join(" ");
            (outside, inside)
        }
        _ => (form.trim().to_owned(), None),
    }
}

/// Capitals (and digits), at least two characters, no lower case: "JSP", "GMP", "HTML5".
fn is_acronym(form: &str) -> bool {
    form.chars().filter(|c| c.is_alphanumeric()).count() >= 2
        && form.chars().any(char::is_uppercase)
        && !form.chars().any(char::is_lowercase)
}

fn add_form(out: &mut Vec<Variant>, form: &Form, lang: &str) {
    let Form { text: form, product_rank, exact_case } = form;
    let (form, product_rank) = (form.as_str(), *product_rank);
    let lowercase = normalize_label(form, false);
    if lowercase.is_empty() || !lowercase.chars().any(char::is_alphanumeric) || is_stop_word(&lowercase) {
        return;
    }
    let chars = lowercase.chars().count();
    let has_upper = form.chars().any(char::is_uppercase);
    let alphanumerics = lowercase.chars().filter(|c| c.is_alphanumeric()).count();
    let capitals = form.chars().filter(|c| c.is_uppercase()).count();
    let case_sensitive =
        *exact_case || chars <= MAX_SHORT_CHARS || (has_upper && !form.chars().any(char::is_lowercase));
    let upper_inside = form.chars().skip(1).any(char::is_uppercase);
    let neutral = product_rank.is_some()
        || form.chars().any(|c| c.is_ascii_digit())
        || (case_sensitive && has_upper)
        || (lang == "sv" && upper_inside)
        || (lang != "sv" && has_upper);
    let scope = match (neutral, lang) {
        (true, _) => Scope::Neutral,
        (false, "sv") => Scope::Swedish,
        (false, _) => Scope::English,
    };
    let inflects = !case_sensitive && scope == Scope::Swedish && chars >= MIN_INFLECTED_CHARS;
    let one_word = !lowercase.contains(' ');
    let mut rules = Rules {
        scope,
        ending: Ending::Exact,
        compound_tail: inflects && one_word && chars >= MIN_COMPOUND_TAIL_CHARS,
        compound_head: inflects && chars >= MIN_COMPOUND_HEAD_CHARS,
        needs_context: case_sensitive && (alphanumerics == 1 || (capitals < 2 && chars <= MAX_SHORT_CHARS)),
        versioned: case_sensitive && has_upper && chars >= 2 && lowercase.ends_with(char::is_alphabetic),
    };
    if inflects {
        rules.ending = Ending::Swedish;
        if let Some(stem) = swedish_stem(&lowercase) {
            let ending = Ending::SwedishStem(lowercase.chars().next_back().unwrap_or('a'));
            let rules = Rules { ending, ..rules };
            out.push(Variant { pattern: stem, case_sensitive: false, rules, product_rank });
        }
    } else if !case_sensitive && scope == Scope::English && ends_in_word_of(&lowercase, 4) {
        rules.ending = Ending::EnglishPlural;
    }
    let pattern = if case_sensitive { normalize_label(form, true) } else { lowercase };
    out.push(Variant { pattern, case_sensitive, rules, product_rank });
}

/// A Swedish label ending in "a" or "e" loses it before some inflections: "sjuksköterska" → "sjuksköterskor".
fn swedish_stem(lowercase: &str) -> Option<String> {
    let last = lowercase.chars().next_back()?;
    let before = lowercase.chars().rev().nth(1)?;
    let vowel_before = matches!(before, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'å' | 'ä' | 'ö');
    (matches!(last, 'a' | 'e') && !vowel_before).then(|| lowercase[..lowercase.len() - 1].to_owned())
}

/// Whether the last word has at least `min` letters, so a plural "s" is safe to allow.
fn ends_in_word_of(lowercase: &str, min: usize) -> bool {
    let last = lowercase.rsplit(' ').next().unwrap_or(lowercase);
    last.chars().count() >= min && last.chars().all(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(label: &str, lang: &str) -> Vec<(String, bool, Scope)> {
        variants(label, lang).into_iter().map(|v| (v.pattern, v.case_sensitive, v.rules.scope)).collect()
    }

    #[test]
    fn product_names_come_out_of_jobtech_qualifiers_and_parentheses() {
        assert_eq!(patterns("Java, programmeringsspråk", "sv"), vec![("java".to_owned(), false, Scope::Neutral)]);
        assert_eq!(patterns("2D-grafik-GIMP", "sv")[1], ("GIMP".to_owned(), true, Scope::Neutral));
        assert_eq!(
            patterns("Java Server Pages (JSP), programmeringsspråk", "sv"),
            vec![("java server pages".to_owned(), false, Scope::Neutral), ("JSP".to_owned(), true, Scope::Neutral)]
        );
        assert_eq!(patterns("Java (computer programming)", "en"), vec![("java".to_owned(), false, Scope::Neutral)]);
        // A qualifier that is not a kind of product keeps the whole label: "Handboll" alone is no instructor.
        assert_eq!(
            patterns("Handboll, instruktör/tränare", "sv").last().map(|p| p.0.as_str()),
            Some("handboll, instruktör/tränare")
        );
    }

    #[test]
    fn short_and_capital_forms_are_case_sensitive_and_the_shortest_need_context() {
        let sql = &variants("SQL", "en")[0];
        assert!(sql.case_sensitive && !sql.rules.needs_context && sql.rules.scope == Scope::Neutral);
        let r = &variants("R", "en")[0];
        assert!(r.case_sensitive && r.rules.needs_context);
        assert!(variants("Git", "en")[0].case_sensitive);
        assert!(!variants("cell culture", "en")[0].case_sensitive);
    }

    #[test]
    fn swedish_labels_get_a_stem_and_compound_rules_by_length() {
        let v = variants("Sjuksköterska", "sv");
        assert_eq!(v[0].pattern, "sjukskötersk");
        assert_eq!(v[0].rules.ending, Ending::SwedishStem('a'));
        assert_eq!(v[1].rules.ending, Ending::Swedish);
        assert!(v[1].rules.compound_tail && v[1].rules.compound_head);
        let short = variants("Logistik", "sv");
        assert!(!short[0].rules.compound_tail && !short[0].rules.compound_head);
        let middle = variants("Vårdavdelning", "sv");
        assert!(middle[0].rules.compound_tail && middle[0].rules.compound_head);
        assert!(variants("Kollektivavtal", "sv").is_empty(), "a stop word has no forms");
    }
}
