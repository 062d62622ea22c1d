//! Duplicate detection measured on the labelled pairs of `tests/data/duplicate_pairs.json`: the real sample ads of
//! `shared/data/jobads` (every pair of them) and constructed near-copies and look-alikes. A pair counts as found only
//! if the importer would find it: the two ads share a band key and [`same_job`] says yes.

use std::collections::HashMap;

use serde::Deserialize;

use super::{same_job, similarity, AdFingerprint, CONTAINMENT_THRESHOLD, MIN_SHINGLES};

#[derive(Deserialize)]
struct LabelledSet {
    ads: Vec<Ad>,
    pairs: Vec<Pair>,
}

#[derive(Deserialize)]
struct Ad {
    id: String,
    title: String,
    place: String,
    text: String,
}

#[derive(Deserialize)]
struct Pair {
    a: String,
    b: String,
    same_job: bool,
    origin: String,
}

#[derive(Default, Debug)]
struct Counts {
    true_positive: usize,
    false_positive: usize,
    false_negative: usize,
    true_negative: usize,
}

impl Counts {
    fn add(&mut self, labelled: bool, predicted: bool) {
        match (labelled, predicted) {
            (true, true) => self.true_positive += 1,
            (false, true) => self.false_positive += 1,
            (true, false) => self.false_negative += 1,
            (false, false) => self.true_negative += 1,
        }
    }

    /// With nothing predicted there is no wrong merge: precision 1.
    fn precision(&self) -> f64 {
        let predicted = self.true_positive + self.false_positive;
        if predicted == 0 {
            1.0
        } else {
            self.true_positive as f64 / predicted as f64
        }
    }

    fn recall(&self) -> f64 {
        self.true_positive as f64 / (self.true_positive + self.false_negative).max(1) as f64
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name}: precision {:.2}, recall {:.2} ({} pairs: {} true merges, {} wrong merges, {} missed, {} kept apart)",
            self.precision(),
            self.recall(),
            self.true_positive + self.false_positive + self.false_negative + self.true_negative,
            self.true_positive,
            self.false_positive,
            self.false_negative,
            self.true_negative,
        )
    }
}

fn labelled_set() -> (HashMap<String, AdFingerprint>, Vec<Pair>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/duplicate_pairs.json");
    let json = std::fs::read_to_string(path).expect("tests/data/duplicate_pairs.json");
    let set: LabelledSet = serde_json::from_str(&json).expect("the labelled set parses");
    let ads = set.ads.into_iter().map(|ad| (ad.id, AdFingerprint::of(&ad.title, &ad.place, &ad.text))).collect();
    (ads, set.pairs)
}

fn found_by_the_importer(a: &AdFingerprint, b: &AdFingerprint) -> bool {
    let keys = b.band_keys();
    a.band_keys().iter().any(|k| keys.contains(k)) && same_job(a, b)
}

/// Measures a rule on the labelled pairs, printing the pairs it gets wrong; returns (real only, all).
fn measure(rule: impl Fn(&AdFingerprint, &AdFingerprint) -> bool) -> (Counts, Counts) {
    let (ads, pairs) = labelled_set();
    let (mut real, mut all) = (Counts::default(), Counts::default());
    for pair in &pairs {
        let (a, b) = (&ads[&pair.a], &ads[&pair.b]);
        let predicted = rule(a, b);
        if predicted != pair.same_job {
            println!("  wrong: {} / {} ({}): {}", pair.a, pair.b, pair.origin, similarity(a, b));
        }
        all.add(pair.same_job, predicted);
        if pair.origin == "real" {
            real.add(pair.same_job, predicted);
        }
    }
    (real, all)
}

#[test]
fn duplicate_detection_meets_its_goal() {
    println!("duplicate detection (band keys and same_job), goal precision >= 0.9 and recall >= 0.8:");
    let (real, all) = measure(found_by_the_importer);
    println!("{}\n{}", real.line("real pairs"), all.line("all pairs"));
    // The set must hold what the figures claim to measure.
    assert!(real.true_positive + real.false_negative >= 2 && all.true_positive + all.false_negative >= 15);
    assert!(all.true_negative + all.false_positive >= 100);
    for counts in [&real, &all] {
        assert!(counts.precision() >= 0.9 && counts.recall() >= 0.8, "{counts:?}");
    }
    print_closest_calls();
}

/// How far the text threshold is from the labelled pairs on either side of it, among pairs whose title and place
/// agree (the only ones the text decides).
fn print_closest_calls() {
    let (ads, pairs) = labelled_set();
    let decided_by_text = pairs.iter().map(|p| (p, similarity(&ads[&p.a], &ads[&p.b])));
    let decided_by_text: Vec<_> = decided_by_text.filter(|(_, s)| s.title_agrees && s.place.agrees()).collect();
    let lowest_duplicate =
        decided_by_text.iter().filter(|(p, _)| p.same_job).min_by(|x, y| x.1.containment.total_cmp(&y.1.containment));
    let highest_other =
        decided_by_text.iter().filter(|(p, _)| !p.same_job).max_by(|x, y| x.1.containment.total_cmp(&y.1.containment));
    for (name, closest) in [("lowest duplicate", lowest_duplicate), ("closest other job", highest_other)] {
        if let Some((pair, s)) = closest {
            println!("  {name}: {} / {}: {s}", pair.a, pair.b);
        }
    }
}

#[test]
fn text_alone_would_merge_templated_ads() {
    let text_only = |a: &AdFingerprint, b: &AdFingerprint| {
        let s = similarity(a, b);
        s.shingles >= MIN_SHINGLES && s.containment >= CONTAINMENT_THRESHOLD
    };
    println!("text containment alone, for comparison:");
    let (real, all) = measure(text_only);
    println!("{}\n{}", real.line("real pairs"), all.line("all pairs"));
    assert!(all.false_positive > 0, "the labelled set no longer shows why title and place must agree");
}
