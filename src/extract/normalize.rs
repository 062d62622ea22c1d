//! The form text and labels are matched in, with a map back to the original text for snippets.
//!
//! Hyphens, dashes and runs of white space become one space ("Java-utvecklare" reads as "java utvecklare"), and
//! accents are folded ("é" → "e") except on å, ä and ö, which are letters of their own in Swedish: "län" (county)
//! must not become "lan" (LAN). Lower-cased unless the caller keeps the case for acronyms.

/// A text in matching form. `origin[i]` is the byte offset in the original text of the character that produced
/// byte `i` of `text`; one extra entry holds the original's length.
pub(super) struct Normalized {
    pub text: String,
    origin: Vec<usize>,
}

impl Normalized {
    /// The original byte offset of a normalized byte offset (a match's start or end).
    pub fn source_offset(&self, normalized: usize) -> usize {
        self.origin.get(normalized).copied().unwrap_or_else(|| self.origin.last().copied().unwrap_or(0))
    }

    /// The first normalized byte offset that comes from the original's byte `source` or after it.
    pub fn normalized_offset(&self, source: usize) -> usize {
        self.origin.partition_point(|&at| at < source).min(self.text.len())
    }
}

/// Normalizes a text, remembering where each byte came from.
pub(super) fn normalize_text(source: &str, keep_case: bool) -> Normalized {
    let mut out =
        Normalized { text: String::with_capacity(source.len() + 8), origin: Vec::with_capacity(source.len() + 8) };
    for (at, c) in source.char_indices() {
        push_char(&mut out, at, c, keep_case);
    }
    if out.text.ends_with(' ') {
        out.text.pop();
        out.origin.pop();
    }
    out.origin.push(source.len());
    out
}

/// Normalizes a label the same way as the text it is looked for in.
pub(super) fn normalize_label(label: &str, keep_case: bool) -> String {
    normalize_text(label, keep_case).text
}

fn push_char(out: &mut Normalized, at: usize, c: char, keep_case: bool) {
    // Most characters of an ad are ASCII letters: a byte each, no tables.
    if c.is_ascii_alphanumeric() {
        out.text.push(if keep_case { c } else { c.to_ascii_lowercase() });
        out.origin.push(at);
    } else if is_separator(c) {
        if !out.text.is_empty() && !out.text.ends_with(' ') {
            push(out, at, ' ');
        }
    } else if c == '\u{ad}' {
        // A soft hyphen is an invisible hint for line breaking, not a character of the word.
    } else if matches!(c, '’' | '‘' | '´' | '`') {
        push(out, at, '\'');
    } else if c.is_ascii() || matches!(c, 'å' | 'ä' | 'ö' | 'Å' | 'Ä' | 'Ö') || !c.is_alphabetic() {
        push_cased(out, at, c, keep_case);
    } else {
        match deunicode::deunicode_char(c) {
            Some(folded) if !folded.is_empty() && folded.chars().all(|f| f.is_ascii_alphanumeric()) => {
                folded.chars().for_each(|f| push_cased(out, at, f, keep_case))
            }
            _ => push_cased(out, at, c, keep_case),
        }
    }
}

fn push_cased(out: &mut Normalized, at: usize, c: char, keep_case: bool) {
    if keep_case {
        push(out, at, c);
    } else {
        c.to_lowercase().for_each(|l| push(out, at, l));
    }
}

fn push(out: &mut Normalized, at: usize, c: char) {
    out.text.push(c);
    out.origin.extend(std::iter::repeat_n(at, c.len_utf8()));
}

/// White space, invisible separators and the hyphens and dashes that join or split words.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}')
}

/// Letters and digits make words; everything else separates them.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_hyphens_and_spaces_are_normalized_but_swedish_letters_are_kept() {
        assert_eq!(normalize_label("  GMP-tillverkning\n i  Län ", false), "gmp tillverkning i län");
        assert_eq!(normalize_label("Café Ångström", false), "cafe ångström");
        assert_eq!(normalize_label("Java – EE", true), "Java EE");
        assert_eq!(normalize_label("OSS\u{200b}Centric", false), "oss centric");
    }

    #[test]
    fn offsets_map_back_to_the_original_text() {
        let source = "Erfarenhet  av Café-drift";
        let n = normalize_text(source, false);
        let start = n.text.find("cafe").expect("found");
        let end = start + "cafe drift".len();
        assert_eq!(&source[n.source_offset(start)..n.source_offset(end)], "Café-drift");
    }
}
