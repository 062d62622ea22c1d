//! Which matches of the labels' forms count: on word boundaries, with the endings each form allows, in the text's
//! language, the longest of overlapping skills, and the shortest acronyms only beside another skill.

use std::ops::Range;

use super::labels::{Ending, Rules, Scope};
use super::language::Language;
use super::normalize::{is_word_char, normalize_text, Normalized};
use super::stoplist::has_other_meaning;
use super::{Patterns, SkillExtractor};

/// Swedish inflections a label may take: definite, plural, genitive ("projektledningen", "cellodlingar").
const SWEDISH_SUFFIXES: &[&str] = &[
    "s", "n", "t", "en", "et", "er", "ar", "or", "na", "ns", "ts", "ens", "ets", "ers", "ars", "ors", "ern", "erna",
    "arna", "orna", "ernas", "arnas", "ornas",
];
/// Inflections that replace a final "a" ("sjuksköterska" → "sjuksköterskor", "sjuksköterskan").
const SWEDISH_A_STEM_SUFFIXES: &[&str] = &["or", "orna", "ornas", "ors", "an", "ans"];
/// Inflections that replace a final "e" ("kunde" → "kunder" is not one: only nouns like "pojke" → "pojkar").
const SWEDISH_E_STEM_SUFFIXES: &[&str] = &["ar", "arna", "arnas", "ars"];
/// The part of a compound before a label that ends it ("barn" in "barnsjuksköterska") has at least this many
/// letters; so has the part after a label that begins it.
const MIN_COMPOUND_PART_CHARS: usize = 3;
const MIN_COMPOUND_REST_CHARS: usize = 4;
/// An acronym that needs context counts when a product or acronym is mentioned within this many bytes of it.
const CONTEXT_BYTES: usize = 60;
/// Snippets are about this many characters long.
const SNIPPET_CHARS: usize = 100;

/// One accepted mention of a skill, in byte offsets of the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Hit {
    pub skill: u32,
    /// The form with its inflection: what must not lie inside a longer mention of another skill.
    pub span: Range<usize>,
    /// The whole word or words, as shown ("barnsjuksköterskor").
    pub word: Range<usize>,
    needs_context: bool,
    /// A product name or acronym, which gives a short acronym nearby its context ("R, SAS").
    technical: bool,
}

impl Hit {
    /// About [`SNIPPET_CHARS`] characters of the text around the mention, white space collapsed, with "…" where
    /// the text goes on.
    pub fn snippet(&self, text: &str) -> String {
        let margin = SNIPPET_CHARS.saturating_sub(text[self.word.clone()].chars().count()) / 2;
        let start =
            text[..self.word.start].char_indices().rev().take(margin).last().map_or(self.word.start, |(i, _)| i);
        let end = text[self.word.end..].char_indices().nth(margin).map_or(text.len(), |(i, _)| self.word.end + i);
        let mut snippet = String::new();
        if start > 0 {
            snippet.push('…');
        }
        snippet.push_str(&text[start..end].split_whitespace().collect::<Vec<_>>().join(" "));
        if end < text.len() {
            snippet.push('…');
        }
        snippet
    }
}

/// Every counted mention of a skill in `text`, in order of appearance.
pub(super) fn find(extractor: &SkillExtractor, text: &str, language: Option<Language>) -> Vec<Hit> {
    let mut hits = Vec::new();
    let lowercase = normalize_text(text, false);
    let joins = glued_words(text, &lowercase);
    let automata = match language {
        Some(Language::Swedish) => [Some(&extractor.swedish), None],
        Some(Language::English) => [Some(&extractor.english), None],
        None => [Some(&extractor.swedish), Some(&extractor.english)],
    };
    for patterns in automata.into_iter().flatten() {
        scan(patterns, &lowercase, &joins, language, &mut hits);
    }
    let cased = normalize_text(text, true);
    scan(&extractor.cased, &cased, &[], language, &mut hits);
    hits.retain(|hit| !in_capitals(text, hit));
    let mut hits = outermost(hits);
    keep_in_context(&mut hits);
    hits.retain(|hit| !has_other_meaning(&text[hit.span.clone()], text));
    hits.sort_by_key(|h| (h.span.start, h.skill));
    hits
}

/// Adds the accepted matches of `patterns` in `text`; `joins` are the offsets where two words run together.
fn scan(patterns: &Patterns, text: &Normalized, joins: &[usize], language: Option<Language>, hits: &mut Vec<Hit>) {
    for found in patterns.automaton.find_overlapping_iter(&text.text) {
        let Some(entries) = patterns.entries.get(found.pattern().as_usize()) else { continue };
        // Most matches lie inside a longer word; only a compound's last part may, so the rest go at once.
        let inside_word = text.text[..found.start()].chars().next_back().is_some_and(is_word_char);
        let joined = joins.binary_search(&found.start()).is_ok();
        if inside_word && !joined && !entries.iter().any(|e| e.rules.compound_tail) {
            continue;
        }
        for entry in entries.iter().filter(|e| in_scope(e.rules.scope, language)) {
            if let Some(m) = accept(&text.text, found.start(), found.end(), &entry.rules, joins) {
                let at = |offset| text.source_offset(offset);
                hits.push(Hit {
                    skill: entry.skill,
                    span: at(found.start())..at(m.form_end),
                    word: at(m.word_start)..at(m.word_end),
                    needs_context: entry.rules.needs_context,
                    technical: entry.rules.scope == Scope::Neutral && !entry.rules.needs_context,
                });
            }
        }
    }
}

fn in_scope(scope: Scope, language: Option<Language>) -> bool {
    match (scope, language) {
        (Scope::Neutral, _) | (_, None) => true,
        (Scope::Swedish, Some(language)) => language == Language::Swedish,
        (Scope::English, Some(language)) => language == Language::English,
    }
}

/// Where an accepted match lies in the normalized text: the form with its inflection ends at `form_end`; the
/// words around it span `word_start..word_end`.
struct Accepted {
    form_end: usize,
    word_start: usize,
    word_end: usize,
}

/// Whether a match at `start..end` obeys its rules: what precedes and follows it within the word. A word boundary
/// is also where two words run together (`joins`).
fn accept(text: &str, start: usize, end: usize, rules: &Rules, joins: &[usize]) -> Option<Accepted> {
    let before = &text[..start];
    let joined_before = joins.binary_search(&start).is_ok();
    let (prefix_chars, prefix_bytes) = before
        .chars()
        .rev()
        .take_while(|&c| is_word_char(c))
        .fold((0, 0), |(chars, bytes), c| (chars + 1, bytes + c.len_utf8()));
    let word_start = if joined_before { start } else { start - prefix_bytes };
    if prefix_chars > 0 && !joined_before && !(rules.compound_tail && prefix_chars >= MIN_COMPOUND_PART_CHARS) {
        return None;
    }
    let tail_len = if joins.binary_search(&end).is_ok() {
        0
    } else {
        text[end..].chars().take_while(|&c| is_word_char(c)).map(char::len_utf8).sum::<usize>()
    };
    let tail = &text[end..end + tail_len];
    let inflected = match rules.ending {
        Ending::Exact => tail.is_empty() || (rules.versioned && tail.chars().all(|c| c.is_ascii_digit())),
        Ending::EnglishPlural => matches!(tail, "" | "s" | "es"),
        Ending::Swedish => tail.is_empty() || SWEDISH_SUFFIXES.contains(&tail),
        Ending::SwedishStem('a') => SWEDISH_A_STEM_SUFFIXES.contains(&tail),
        Ending::SwedishStem(_) => SWEDISH_E_STEM_SUFFIXES.contains(&tail),
    };
    let compound = !inflected
        && rules.ending == Ending::Swedish
        && rules.compound_head
        && tail.chars().count() >= MIN_COMPOUND_REST_CHARS;
    if !inflected && !compound {
        return None;
    }
    if rules.needs_context
        && !(listed_between(before.chars().next_back()) && listed_between(text[end..].chars().next()))
    {
        return None;
    }
    let form_end = if inflected { end + tail_len } else { end };
    Some(Accepted { form_end, word_start, word_end: end + tail_len })
}

/// Where words run together in the original text, as offsets into its lower-case form: a capital after a
/// lower-case letter ("LinuxWays", "teamsDrive") or a capital that begins a word after capitals ("PostgreSQLSo"),
/// as text scraped from web pages without its markup has them. A name written in camel case ("JavaScript") splits
/// too, but the whole name is a longer label and wins.
fn glued_words(source: &str, lowercase: &Normalized) -> Vec<usize> {
    let mut joins = Vec::new();
    let mut chars = source.char_indices().peekable();
    let mut before: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, next)| next);
        let glued = before.is_some_and(char::is_alphabetic) && c.is_uppercase() && next.is_some_and(char::is_lowercase);
        if glued {
            joins.push(lowercase.normalized_offset(at));
        }
        before = Some(c);
    }
    joins
}

/// Whether an acronym stands in a run of words in capitals, as in a heading ("OM OSS", "DIN PROFIL"), where any
/// word looks like an acronym.
fn in_capitals(text: &str, hit: &Hit) -> bool {
    let mention = &text[hit.span.clone()];
    if mention.chars().any(char::is_lowercase) {
        return false;
    }
    let capitals =
        |word: &str| word.chars().count() >= 2 && word.chars().all(|c| c.is_alphabetic() && c.is_uppercase());
    let before = text[..hit.span.start].strip_suffix(' ').and_then(|t| t.rsplit(char::is_whitespace).next());
    let after = text[hit.span.end..].strip_prefix(' ').and_then(|t| t.split(char::is_whitespace).next());
    before.is_some_and(capitals) || after.is_some_and(capitals)
}

/// Whether a character may stand next to a short acronym in a list of skills ("R, Python", "(R)", "UX/UI"): not
/// "&" as in "R&D", nor "." as in "C.V.", nor "+" as in "C++".
fn listed_between(c: Option<char>) -> bool {
    matches!(c, None | Some(' ' | ',' | ';' | ':' | '(' | ')' | '/'))
}

/// Drops mentions that lie inside a longer mention ("management" in "project management", "sjuksköterska" in
/// "barnsjuksköterska" when both are labels); skills sharing the same words are all kept.
fn outermost(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by(|a, b| a.span.start.cmp(&b.span.start).then(b.span.end.cmp(&a.span.end)));
    let mut widest: Range<usize> = 0..0;
    let mut kept = Vec::with_capacity(hits.len());
    for hit in hits {
        if hit.span == widest {
            kept.push(hit);
        } else if hit.span.end > widest.end {
            widest = hit.span.clone();
            kept.push(hit);
        }
    }
    kept
}

/// Keeps a mention that needs context only if a product or acronym is mentioned close by: "R" beside "SAS" is the
/// language, "R" beside "systemutveckling" is more likely a heading's letter.
fn keep_in_context(hits: &mut Vec<Hit>) {
    let anchors: Vec<Range<usize>> = hits.iter().filter(|h| h.technical).map(|h| h.span.clone()).collect();
    hits.retain(|hit| {
        !hit.needs_context
            || anchors.iter().any(|a| {
                let gap = a.start.saturating_sub(hit.span.end).max(hit.span.start.saturating_sub(a.end));
                gap <= CONTEXT_BYTES
            })
    });
}
