//! Which language a text is in, so a Swedish ad is read with Swedish labels and an English one with English labels.

use whatlang::{Detector, Lang};

/// The two languages labels come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Swedish,
    English,
}

impl Language {
    /// The code labels carry: "sv" or "en".
    pub fn code(self) -> &'static str {
        match self {
            Self::Swedish => "sv",
            Self::English => "en",
        }
    }
}

/// The start of a text is enough to tell Swedish from English; reading more only costs time. Ads that end in a
/// block of another language (an English ad on a Swedish board) are told by their body, which comes first.
const SAMPLE_BYTES: usize = 150;
/// Below this many letters there is too little to tell; such a text is read with both languages' labels.
const MIN_LETTERS: usize = 20;

/// The language of a text, or `None` when it is too short to tell.
pub fn detect(text: &str) -> Option<Language> {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    if sample.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
        return None;
    }
    match Detector::with_allowlist(vec![Lang::Swe, Lang::Eng]).detect_lang(sample) {
        Some(Lang::Swe) => Some(Language::Swedish),
        Some(_) => Some(Language::English),
        None => None,
    }
}
