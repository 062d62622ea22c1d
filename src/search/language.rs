//! Which of the index's two languages a text is in: documents are analysed once, in the language detected here.

use whatlang::{Detector, Lang};

/// The languages the index analyses text in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextLanguage {
    English,
    Swedish,
}

/// The language of a document's texts taken together: Swedish when they read as Swedish rather than English,
/// English otherwise (also for text too short to tell).
pub fn detect(texts: &[&str]) -> TextLanguage {
    // Enough text to tell the two apart; more only costs time.
    const SAMPLE: usize = 300;
    let mut sample = String::with_capacity(SAMPLE + 64);
    for text in texts {
        if sample.len() >= SAMPLE {
            break;
        }
        sample.push_str(text);
        sample.push_str(". ");
    }
    let detector = Detector::with_allowlist(vec![Lang::Eng, Lang::Swe]);
    match detector.detect_lang(&sample) {
        Some(Lang::Swe) => TextLanguage::Swedish,
        _ => TextLanguage::English,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_and_english_profiles_are_told_apart() {
        let swedish = ["Cellbiolog med erfarenhet av cellodling", "Jag har arbetat med processutveckling i fem år."];
        let english = ["Cell biologist", "I have worked in process development for five years."];
        assert_eq!(detect(&swedish), TextLanguage::Swedish);
        assert_eq!(detect(&english), TextLanguage::English);
        assert_eq!(detect(&[""]), TextLanguage::English);
    }
}
