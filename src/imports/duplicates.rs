//! Whether two job ads from different sources are the same job: their titles agree, their places agree, and their
//! descriptions are near-copies (one contains nearly all of the other's three-word shingles, estimated by MinHash).
//!
//! Text similarity alone merges one employer's templated ads for different jobs, so title and place must agree
//! first. The importer stores each job's [`AdFingerprint`] (`to_bytes`, a bytea) and its [`AdFingerprint::band_keys`]
//! (a `(band_key, job_id)` table with an index on `band_key`), finds candidates for a new ad by equal band keys, and
//! asks [`same_job`] of each. Band keys include the title, so only ads with the same title key are candidates.
//!
//! Dates are not looked at: the importer should look for candidates only among jobs still open, so that the same
//! text re-posted after the first ad closed becomes a new job. Thresholds were chosen on
//! `tests/data/duplicate_pairs.json`; the test `duplicate_detection_meets_its_goal` prints the figures.

mod codec;
mod place;
mod sketch;
mod title;

#[cfg(test)]
mod evaluation;

use std::fmt;

pub use codec::FingerprintError;
pub use place::{PlaceKey, PlaceMatch};

use sketch::{containment, hash_str, jaccard, mix64, TextSketch};

/// The share of the shorter description's shingles that must be found in the other. In the labelled set, copies of an
/// ad on another board (an intro or outro added, reflowed, trimmed, a sentence reworded) measure 0.91 to 1.0; the
/// real templated ads of one employer at most 0.78; constructed ones, a template with another job's sentences in it,
/// 0.87 and 0.92 — the second is merged wrongly: where title, town and 92 % of the text agree, the text cannot tell.
pub const CONTAINMENT_THRESHOLD: f64 = 0.9;
/// When one ad names no town (only a country, or nothing), the place cannot tell two jobs apart, so the text must.
pub const VAGUE_PLACE_CONTAINMENT_THRESHOLD: f64 = 0.95;
/// Below this many distinct shingles (about ten words) a description says too little: "Sök via länken." in two ads
/// with the same title and town is no evidence. Such ads, and ads with no text, are never merged.
pub const MIN_SHINGLES: u32 = 8;
/// Descriptions are read up to this many bytes; no real ad is longer, and a hostile one costs no more.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// LSH bands of two bins each: two ads whose texts have Jaccard similarity J share a band key with probability
/// 1 − (1 − J²)^16 — 0.94 at J = 0.4, 0.99 at J = 0.5 — while ads sharing only boilerplate rarely do.
const ROWS_PER_BAND: usize = 2;

/// What the duplicate check needs of an ad, a few hundred bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdFingerprint {
    title: String,
    place: PlaceKey,
    text: TextSketch,
}

impl AdFingerprint {
    /// `place` is the municipality, town, county or country as the ad gives it (the most specific there is; "City,
    /// Country" is fine); `text` the description with HTML already stripped. Cost is linear in the text, which is
    /// read up to [`MAX_TEXT_BYTES`].
    pub fn of(title: &str, place: &str, text: &str) -> Self {
        let text = &text[..floor_char_boundary(text, MAX_TEXT_BYTES)];
        Self { title: title::title_key(title), place: PlaceKey::of(place), text: TextSketch::of(text) }
    }

    /// The normalised title two ads must share.
    pub fn title_key(&self) -> &str {
        &self.title
    }

    pub fn place_key(&self) -> &PlaceKey {
        &self.place
    }

    /// Whether the description is long enough to decide on; an ad without one is never merged.
    pub fn has_text(&self) -> bool {
        self.text.shingles >= MIN_SHINGLES
    }

    /// The LSH band keys to store and look up: an ad's duplicates share at least one with it (with the probability
    /// above). Empty when the ad can never be merged (no title or too little text).
    pub fn band_keys(&self) -> Vec<i64> {
        if self.title.is_empty() || !self.has_text() {
            return Vec::new();
        }
        let title = hash_str(&self.title);
        self.text
            .bins
            .chunks_exact(ROWS_PER_BAND)
            .enumerate()
            .map(|(band, rows)| {
                let seed = mix64(title ^ (band as u64 + 1));
                rows.iter().fold(seed, |h, &row| mix64(h ^ u64::from(row))) as i64
            })
            .collect()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        codec::to_bytes(self)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FingerprintError> {
        codec::from_bytes(bytes)
    }
}

/// How alike two ads are, for the decision and for the importer's log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Similarity {
    pub title_agrees: bool,
    pub place: PlaceMatch,
    /// Estimated Jaccard similarity of the descriptions' shingle sets.
    pub jaccard: f64,
    /// Estimated share of the shorter description's shingles found in the other.
    pub containment: f64,
    /// Distinct shingles of the shorter description.
    pub shingles: u32,
}

impl Similarity {
    pub fn is_same_job(&self) -> bool {
        let threshold =
            if self.place == PlaceMatch::Vague { VAGUE_PLACE_CONTAINMENT_THRESHOLD } else { CONTAINMENT_THRESHOLD };
        self.title_agrees && self.place.agrees() && self.shingles >= MIN_SHINGLES && self.containment >= threshold
    }
}

impl fmt::Display for Similarity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "title {}, place {:?}, text containment {:.2} (Jaccard {:.2}, {} shingles): {}",
            if self.title_agrees { "agrees" } else { "differs" },
            self.place,
            self.containment,
            self.jaccard,
            self.shingles,
            if self.is_same_job() { "same job" } else { "different jobs" }
        )
    }
}

pub fn similarity(a: &AdFingerprint, b: &AdFingerprint) -> Similarity {
    let jaccard = jaccard(&a.text.bottom, &b.text.bottom);
    Similarity {
        title_agrees: !a.title.is_empty() && a.title == b.title,
        place: a.place.agreement(&b.place),
        jaccard,
        containment: containment(jaccard, a.text.shingles, b.text.shingles),
        shingles: a.text.shingles.min(b.text.shingles),
    }
}

/// Whether two ads are the same job; see the module's documentation for the rule.
pub fn same_job(a: &AdFingerprint, b: &AdFingerprint) -> bool {
    similarity(a, b).is_same_job()
}

/// The largest char boundary at or below `max` (`str::floor_char_boundary` is not stable yet).
fn floor_char_boundary(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    (0..=max).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::sketch::BINS;
    use super::*;

    const CENTRIC: &str = "OM UPPDRAGETNu söker Centric en barnsjuksköterska som kan jobba på barnavdelning för blod- \
        och tumörsjukdomar i Uppsala i sommar. DIN PROFILVi välkomnar dig som är specialistutbildad barnsjuksköterska \
        med minst två års yrkeserfarenhet. OM OSS\u{200b}Centric Care har bemannat hälso-och sjukvården sedan år 2000 \
        och är ett av Skandinaviens ledande bemanningsföretag med kontor i Göteborg, Stockholm, Malmö och Oslo.";

    fn fingerprint(title: &str, place: &str, text: &str) -> AdFingerprint {
        AdFingerprint::of(title, place, text)
    }

    #[test]
    fn the_same_ad_on_two_boards_is_one_job() {
        let platsbanken = fingerprint("Barnsjuksköterska till Uppsala!", "Uppsala", CENTRIC);
        let board = fingerprint(
            "Barnsjuksköterska till Uppsala!",
            "Uppsala län",
            &CENTRIC.replace("UPPDRAGETNu", "UPPDRAGET Nu"),
        );
        let s = similarity(&platsbanken, &board);
        assert_eq!(s.place, PlaceMatch::Within);
        assert!(s.is_same_job(), "{s}");
        assert!(same_job(&board, &platsbanken));
    }

    #[test]
    fn a_title_disagreement_blocks_a_merge_even_with_identical_text() {
        let nurse = fingerprint("Barnsjuksköterska till Uppsala!", "Uppsala", CENTRIC);
        let midwife = fingerprint("Barnmorska till Uppsala!", "Uppsala", CENTRIC);
        let s = similarity(&nurse, &midwife);
        assert_eq!((s.title_agrees, s.containment), (false, 1.0));
        assert!(!same_job(&nurse, &midwife));
        assert!(nurse.band_keys().iter().all(|k| !midwife.band_keys().contains(k)));
    }

    #[test]
    fn a_place_disagreement_blocks_a_merge_even_with_identical_text() {
        let uppsala = fingerprint("Sjuksköterska", "Uppsala", CENTRIC);
        assert!(!same_job(&uppsala, &fingerprint("Sjuksköterska", "Stockholm", CENTRIC)));
        assert!(!same_job(&uppsala, &fingerprint("Sjuksköterska", "Skåne län", CENTRIC)));
        assert!(same_job(&uppsala, &fingerprint("Sjuksköterska", "Sverige", CENTRIC)));
    }

    #[test]
    fn ads_with_little_or_no_text_are_never_merged() {
        let short = |text: &str| fingerprint("Lokalvårdare", "Göteborg", text);
        assert!(!same_job(&short(""), &short("")));
        assert!(!same_job(&short("Sök via länken nedan."), &short("Sök via länken nedan.")));
        assert!(short("").band_keys().is_empty());
        let enough = "Vi söker en lokalvårdare till kontor i centrala Göteborg, dagtid.";
        assert!(same_job(&short(enough), &short(enough)));
    }

    #[test]
    fn band_keys_of_a_duplicate_pair_meet_and_of_other_jobs_do_not() {
        let a = fingerprint("Barnsjuksköterska till Uppsala!", "Uppsala", CENTRIC);
        let b = fingerprint(
            "Barnsjuksköterska till Uppsala",
            "Uppsala län",
            &format!("{CENTRIC} Välkommen med din ansökan!"),
        );
        let (ka, kb) = (a.band_keys(), b.band_keys());
        assert_eq!(ka.len(), BINS / ROWS_PER_BAND);
        assert!(ka.iter().any(|k| kb.contains(k)));
        let other = fingerprint(
            "Barnsjuksköterska till Uppsala!",
            "Uppsala",
            "Helt annan text om ett annat jobb på en annan avdelning med andra krav.",
        );
        assert!(other.band_keys().iter().all(|k| !ka.contains(k)));
    }

    #[test]
    fn a_fingerprint_survives_storage_and_damage_is_an_error() {
        for fp in [
            fingerprint("Barnsjuksköterska till Uppsala!", "Uppsala", CENTRIC),
            fingerprint("Developer", "Oslo", "short"),
            fingerprint("", "", ""),
            fingerprint("Product Designer i Sweden", "Sweden", &"word ".repeat(2000)),
            fingerprint("x", "Skåne län", CENTRIC),
        ] {
            let bytes = fp.to_bytes();
            assert_eq!(AdFingerprint::from_bytes(&bytes).as_ref(), Ok(&fp));
            for cut in 0..bytes.len() {
                assert!(AdFingerprint::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
            }
        }
        let mut bytes = fingerprint("a", "b", CENTRIC).to_bytes();
        bytes[0] = 9;
        assert_eq!(AdFingerprint::from_bytes(&bytes), Err(FingerprintError::Version(9)));
    }

    #[test]
    fn a_huge_text_is_read_only_up_to_the_limit() {
        let huge = format!("{}ö", "a".repeat(MAX_TEXT_BYTES - 1));
        let fp = fingerprint("t", "p", &huge);
        assert_eq!(fp, fingerprint("t", "p", &"a".repeat(MAX_TEXT_BYTES - 1)));
    }
}
