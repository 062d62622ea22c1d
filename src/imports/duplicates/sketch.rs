//! MinHash sketches of an ad's description: its words, cut into three-word shingles, hashed with a stable hash so
//! that sketches stored today still compare with sketches made after an upgrade.
//!
//! Two sketches come from the same shingle hashes. A bottom-k sketch (the 256 smallest distinct hashes; Broder 1997)
//! estimates similarity, exactly when the two texts have at most 256 distinct shingles between them, which covers
//! most short ads. A one-permutation MinHash of 32 bins with optimal densification (Li, Owen and Zhang 2012;
//! Shrivastava 2017) gives position-aligned values for LSH bands; it costs one pass, where 32 classic MinHash
//! functions would cost 32 passes.

use std::hash::Hasher;

/// Words per shingle. Three keeps a shared template apart from a different job (one changed sentence changes three
/// shingles per word) yet leaves a short ad enough shingles to compare; measured on tests/data/duplicate_pairs.json.
pub const SHINGLE_WORDS: usize = 3;
/// The size of the bottom-k sketch: texts with up to this many distinct shingles compare exactly.
pub const SKETCH_SIZE: usize = 256;
/// One-permutation MinHash bins, read in bands of two for the LSH keys.
pub const BINS: usize = 32;

const SHINGLE_SEED: u64 = 0x7461_6e64_656d_0001;
const DENSIFY_SEED: u64 = 0x7461_6e64_656d_0002;
/// Probes for a filled bin before an empty one takes the first filled bin instead (the same choice for every text,
/// so sketches stay comparable; needed only when very few bins are filled).
const DENSIFY_TRIES: u64 = 64;

/// What a description contributes to a fingerprint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextSketch {
    /// How many distinct shingles the text has (after hashing to 32 bits).
    pub shingles: u32,
    /// The smallest distinct 32-bit shingle hashes, ascending, at most [`SKETCH_SIZE`].
    pub bottom: Vec<u32>,
    /// The one-permutation MinHash, [`BINS`] values; empty when the text has no words.
    pub bins: Vec<u32>,
}

impl TextSketch {
    pub fn of(text: &str) -> Self {
        let hashes = shingle_hashes(&word_hashes(text));
        if hashes.is_empty() {
            return Self::default();
        }
        let bins = one_permutation_minhash(&hashes);
        // The low 32 bits for the bottom-k sketch; the bins are chosen by the top bits, so the two do not interact.
        let mut bottom: Vec<u32> = hashes.iter().map(|&h| h as u32).collect();
        bottom.sort_unstable();
        bottom.dedup();
        let shingles = u32::try_from(bottom.len()).unwrap_or(u32::MAX);
        bottom.truncate(SKETCH_SIZE);
        Self { shingles, bottom, bins }
    }
}

/// Jaccard similarity of two texts' shingle sets, estimated from their bottom-k sketches: among the k smallest
/// hashes of the union, the share found in both. Exact when the union has at most k distinct shingles.
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut taken, mut both) = (0, 0, 0usize, 0usize);
    while taken < SKETCH_SIZE && (i < a.len() || j < b.len()) {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                both += 1;
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => i += 1,
            (Some(_), None) => i += 1,
            _ => j += 1,
        }
        taken += 1;
    }
    if taken == 0 {
        0.0
    } else {
        both as f64 / taken as f64
    }
}

/// The share of the smaller text's shingles found in the other: |A∩B| = J·(|A|+|B|)/(1+J). Near 1 when one text
/// is the other with an intro or outro added, or trimmed; a shared template with a different job in it stays lower.
pub fn containment(jaccard: f64, shingles_a: u32, shingles_b: u32) -> f64 {
    let smaller = shingles_a.min(shingles_b);
    if smaller == 0 {
        return 0.0;
    }
    let common = jaccard * f64::from(shingles_a + shingles_b) / (1.0 + jaccard);
    (common / f64::from(smaller)).clamp(0.0, 1.0)
}

/// The splitmix64 finaliser: spreads every input bit over the whole output, so truncated and top bits are uniform.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stable hash of a string (FNV-1a, then mixed).
pub fn hash_str(s: &str) -> u64 {
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(s.as_bytes());
    mix64(hasher.finish())
}

/// One hash per word, lower-cased; a word is a run of letters and digits. Words glued together when HTML was
/// stripped ("UPPDRAGETNu", "DetectifyDetectify") are split where the case changes, as the other copy of the ad
/// most likely has a space there.
fn word_hashes(text: &str) -> Vec<u64> {
    let mut words = Vec::with_capacity(text.len() / 6);
    let mut word = fnv::FnvHasher::default();
    let mut in_word = false;
    let mut previous = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_alphanumeric() {
            if in_word {
                words.push(mix64(word.finish()));
                (word, in_word) = (fnv::FnvHasher::default(), false);
            }
            previous = c;
            continue;
        }
        if in_word && c.is_uppercase() && starts_glued_word(previous, chars.peek().copied().unwrap_or(' ')) {
            words.push(mix64(word.finish()));
            word = fnv::FnvHasher::default();
        }
        write_lowercase(&mut word, c);
        (in_word, previous) = (true, c);
    }
    if in_word {
        words.push(mix64(word.finish()));
    }
    words
}

/// Most of an ad is ASCII, which needs neither Unicode case tables nor UTF-8 encoding.
fn write_lowercase(word: &mut fnv::FnvHasher, c: char) {
    if c.is_ascii() {
        word.write_u8((c as u8).to_ascii_lowercase());
    } else {
        for lower in c.to_lowercase() {
            word.write(lower.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
}

/// Whether an upper-case letter after `previous` starts a new word: "doAs" splits before "A", "UPPDRAGETNu" before
/// "N".
fn starts_glued_word(previous: char, next: char) -> bool {
    previous.is_lowercase() || (previous.is_uppercase() && next.is_lowercase())
}

/// Hashes of every run of [`SHINGLE_WORDS`] words; a shorter text is one shingle.
fn shingle_hashes(words: &[u64]) -> Vec<u64> {
    let shingle = |ws: &[u64]| ws.iter().fold(SHINGLE_SEED, |h, &w| mix64(h ^ w));
    if words.len() < SHINGLE_WORDS {
        return if words.is_empty() { Vec::new() } else { vec![shingle(words)] };
    }
    words.windows(SHINGLE_WORDS).map(shingle).collect()
}

/// The minimum hash in each of [`BINS`] bins (chosen by a hash's top bits); an empty bin copies the bin that a fixed
/// sequence of probes, the same for every text, lands on first among the filled ones (optimal densification), so two
/// texts agree in a bin with probability about their Jaccard similarity even when the texts are short.
fn one_permutation_minhash(hashes: &[u64]) -> Vec<u32> {
    let mut bins = [u32::MAX; BINS];
    let mut filled = 0u64;
    for &h in hashes {
        let bin = (h >> (64 - BINS.trailing_zeros())) as usize;
        bins[bin] = bins[bin].min(h as u32);
        filled |= 1 << bin;
    }
    let is_filled = |bin: usize| filled & (1 << bin) != 0;
    let mut dense = bins;
    for (bin, value) in dense.iter_mut().enumerate().filter(|(bin, _)| !is_filled(*bin)) {
        let probe = (1..=DENSIFY_TRIES)
            .map(|attempt| (mix64(DENSIFY_SEED ^ ((bin as u64) << 32) ^ attempt) % BINS as u64) as usize)
            .find(|&other| is_filled(other));
        let source = probe.or_else(|| (0..BINS).find(|&other| is_filled(other))).unwrap_or(bin);
        *value = bins[source];
    }
    dense.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_jaccard(a: &str, b: &str) -> f64 {
        let set = |t: &str| shingle_hashes(&word_hashes(t)).into_iter().map(|h| h as u32).collect::<Vec<_>>();
        let (a, b): (std::collections::HashSet<u32>, std::collections::HashSet<u32>) =
            (set(a).into_iter().collect(), set(b).into_iter().collect());
        a.intersection(&b).count() as f64 / a.union(&b).count() as f64
    }

    /// A text of `n` distinct made-up words starting at word `from`.
    fn words(from: usize, n: usize) -> String {
        (from..from + n).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn words_are_case_folded_and_glued_words_split() {
        assert_eq!(word_hashes("OM UPPDRAGETNu söker"), word_hashes("om uppdraget nu Söker"));
        assert_eq!(
            word_hashes("What we do at DetectifyDetectify was"),
            word_hashes("what we do at detectify detectify was")
        );
        assert_eq!(word_hashes("a, b!\n\n– c\u{200b}d"), word_hashes("a b c d"));
        assert_ne!(word_hashes("barnsjuksköterska"), word_hashes("barnsjukskoterska"));
    }

    #[test]
    fn short_texts_compare_exactly_and_long_ones_closely() {
        let (a, b) = (words(0, 100), words(50, 100));
        let exact = exact_jaccard(&a, &b);
        let estimate = jaccard(&TextSketch::of(&a).bottom, &TextSketch::of(&b).bottom);
        assert!((estimate - exact).abs() < 1e-9, "{estimate} vs {exact}");

        let (a, b) = (words(0, 3000), words(1000, 3000));
        let exact = exact_jaccard(&a, &b);
        let estimate = jaccard(&TextSketch::of(&a).bottom, &TextSketch::of(&b).bottom);
        // 256 samples: the standard error at J = 0.5 is about 0.03.
        assert!((estimate - exact).abs() < 0.1, "{estimate} vs {exact}");
    }

    #[test]
    fn containment_sees_a_trimmed_copy_inside_the_whole() {
        let (whole, trimmed) = (words(0, 400), words(0, 200));
        let (w, t) = (TextSketch::of(&whole), TextSketch::of(&trimmed));
        let j = jaccard(&w.bottom, &t.bottom);
        assert!((0.4..0.6).contains(&j), "{j}");
        assert!(containment(j, w.shingles, t.shingles) > 0.9);
        assert_eq!(containment(0.0, 0, 10), 0.0);
    }

    #[test]
    fn bins_agree_about_as_often_as_the_texts_overlap() {
        let agreeing = |a: &str, b: &str| {
            let (a, b) = (TextSketch::of(a).bins, TextSketch::of(b).bins);
            a.iter().zip(&b).filter(|(x, y)| x == y).count()
        };
        assert_eq!(agreeing(&words(0, 500), &words(0, 500)), BINS);
        assert_eq!(agreeing(&words(0, 500), &words(10_000, 500)), 0);
        // Short texts fill few bins; densified, they still agree in most bins when they are near-copies.
        assert!(agreeing(&words(0, 20), &format!("{} extra", words(0, 20))) > BINS / 2);
        assert!(TextSketch::of(" ,. ").bins.is_empty());
    }
}
