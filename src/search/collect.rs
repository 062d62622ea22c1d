//! Ranking under filters: the best hits of a query among the documents every filter lets through, with
//! tantivy's pruning (block-max WAND) left intact, and a count that stops at a cap.
//!
//! Filters are per-segment bitsets checked as hits arrive, not `Must` clauses: a `Must` clause turns a union of
//! skill terms into an intersection that visits every match, while a rejected hit here just leaves the pruning
//! threshold where it was.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::fastfield::AliveBitSet;
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};
use tantivy_common::BitSet;

/// Totals are exact up to here; beyond it a search says "at least this many".
pub const TOTAL_CAP: u64 = 10_000;

/// What each segment's filters are: every bitset must hold a document for it to count.
pub type SegmentFilters = Vec<Vec<Arc<BitSet>>>;

/// Decides, for one segment, whether a matching document counts and what it ranks by.
pub trait Gate {
    /// `None` when the document does not count; else the score it ranks with.
    fn admit(&self, doc: DocId, score: Score) -> Option<Score>;

    /// Whether `admit` keeps scores as they are, so that tantivy may skip what cannot beat the best so far.
    fn keeps_scores(&self) -> bool {
        true
    }

    /// A set holding every document that can be admitted, if the gate has one: read instead of every document
    /// when nothing ranks.
    fn superset(&self) -> Option<&BitSet> {
        None
    }
}

/// The documents of `bits`, in order.
fn ones(bits: &BitSet) -> impl Iterator<Item = DocId> + '_ {
    let buckets = bits.max_value().div_ceil(64);
    (0..buckets).flat_map(move |bucket| {
        let mut set = bits.tinyset(bucket);
        std::iter::from_fn(move || set.pop_lowest()).map(move |low| bucket * 64 + low)
    })
}

/// Every document a gate may admit in `segment`, in order.
fn candidates<'a>(segment: &SegmentReader, gate: &'a dyn Gate) -> Box<dyn Iterator<Item = DocId> + 'a> {
    match gate.superset() {
        Some(bits) => Box::new(ones(bits)),
        None => Box::new(0..segment.max_doc()),
    }
}

/// Live documents in every one of a segment's filter bitsets.
pub struct Filtered {
    alive: Option<AliveBitSet>,
    bits: Vec<Arc<BitSet>>,
}

impl Filtered {
    pub fn new(segment: &SegmentReader, bits: Vec<Arc<BitSet>>) -> Self {
        Self { alive: segment.alive_bitset().cloned(), bits }
    }

    pub fn holds(&self, doc: DocId) -> bool {
        self.alive.as_ref().is_none_or(|alive| alive.is_alive(doc)) && self.bits.iter().all(|f| f.contains(doc))
    }
}

impl Gate for Filtered {
    fn admit(&self, doc: DocId, score: Score) -> Option<Score> {
        self.holds(doc).then_some(score)
    }

    fn superset(&self) -> Option<&BitSet> {
        self.bits.iter().min_by_key(|b| b.len()).map(|b| &**b)
    }
}

/// One plain filter gate per segment of `searcher`.
pub fn gates(searcher: &Searcher, filters: SegmentFilters) -> Vec<Box<dyn Gate>> {
    searcher
        .segment_readers()
        .iter()
        .zip(filters)
        .map(|(segment, bits)| Box::new(Filtered::new(segment, bits)) as Box<dyn Gate>)
        .collect()
}

/// How many documents match: exact, or (when `exact` is false) at least `total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Total {
    pub total: u64,
    pub exact: bool,
}

#[derive(Clone, Copy, PartialEq)]
struct Hit {
    score: Score,
    segment: u32,
    doc: DocId,
}

impl Eq for Hit {}

/// Better is greater: a higher score, then (as tantivy's `TopDocs`) the earlier document.
impl Ord for Hit {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| (other.segment, other.doc).cmp(&(self.segment, self.doc)))
    }
}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The best `k` hits seen so far; the worst on top.
struct Best {
    k: usize,
    heap: BinaryHeap<Reverse<Hit>>,
}

impl Best {
    fn push(&mut self, hit: Hit) {
        if self.heap.len() < self.k {
            self.heap.push(Reverse(hit));
        } else if self.heap.peek().is_some_and(|Reverse(worst)| hit > *worst) {
            self.heap.pop();
            self.heap.push(Reverse(hit));
        }
    }

    /// A hit must score above this to enter: later documents lose ties.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(Reverse(worst)) if self.heap.len() >= self.k => worst.score,
            _ => Score::MIN,
        }
    }

    fn is_full(&self) -> bool {
        self.heap.len() >= self.k
    }
}

/// The best `k` documents by `weight`'s score, best first; without a weight, the first `k` documents the gates
/// let through, each scoring zero. `gates` has one gate per segment.
pub fn top(
    searcher: &Searcher,
    weight: Option<&dyn Weight>,
    gates: &[Box<dyn Gate>],
    k: usize,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    let mut best = Best { k: k.max(1), heap: BinaryHeap::with_capacity(k.max(1) + 1) };
    for ((ord, segment), gate) in searcher.segment_readers().iter().enumerate().zip(gates) {
        let ord = ord as u32;
        match weight {
            Some(weight) => {
                let prunes = gate.keeps_scores();
                let start = if prunes { best.threshold() } else { Score::MIN };
                weight.for_each_pruning(start, segment, &mut |doc, score| {
                    if let Some(score) = gate.admit(doc, score) {
                        best.push(Hit { score, segment: ord, doc });
                    }
                    if prunes {
                        best.threshold()
                    } else {
                        Score::MIN
                    }
                })?
            }
            None => {
                for doc in candidates(segment, gate.as_ref()) {
                    if best.is_full() {
                        break;
                    }
                    if let Some(score) = gate.admit(doc, 0.0) {
                        best.push(Hit { score, segment: ord, doc });
                    }
                }
            }
        }
    }
    let mut hits: Vec<Hit> = best.heap.into_iter().map(|Reverse(hit)| hit).collect();
    hits.sort_by(|a, b| b.cmp(a));
    Ok(hits.into_iter().map(|h| (h.score, DocAddress::new(h.segment, h.doc))).collect())
}

/// For a ranking tantivy cannot prune (free text, preferences): one pass over every match that keeps the best
/// `k` and counts up to `cap` at once, instead of one pass for each.
pub fn top_and_count(
    searcher: &Searcher,
    weight: &dyn Weight,
    gates: &[Box<dyn Gate>],
    k: usize,
    cap: u64,
) -> tantivy::Result<(Vec<(Score, DocAddress)>, Total)> {
    let mut best = Best { k: k.max(1), heap: BinaryHeap::with_capacity(k.max(1) + 1) };
    let mut total = 0u64;
    for ((ord, segment), gate) in searcher.segment_readers().iter().enumerate().zip(gates) {
        let ord = ord as u32;
        weight.for_each(segment, &mut |doc, score| {
            if let Some(score) = gate.admit(doc, score) {
                total += 1;
                best.push(Hit { score, segment: ord, doc });
            }
        })?;
    }
    let mut hits: Vec<Hit> = best.heap.into_iter().map(|Reverse(hit)| hit).collect();
    hits.sort_by(|a, b| b.cmp(a));
    let docs = hits.into_iter().map(|h| (h.score, DocAddress::new(h.segment, h.doc))).collect();
    let total = if total > cap { Total { total: cap, exact: false } } else { Total { total, exact: true } };
    Ok((docs, total))
}

/// The first `k` documents the gates let through when each segment is read in its given order (newest first,
/// say); each entry's key is what the segments' lists are merged by, larger first.
pub fn first_in_order(gates: &[Box<dyn Gate>], orders: &[Arc<Vec<(i64, DocId)>>], k: usize) -> Vec<DocAddress> {
    let mut picked: Vec<(i64, u32, DocId)> = Vec::with_capacity(k * orders.len().max(1));
    for (ord, (gate, order)) in gates.iter().zip(orders).enumerate() {
        let admitted = order.iter().filter(|(_, doc)| gate.admit(*doc, 0.0).is_some()).take(k);
        picked.extend(admitted.map(|&(key, doc)| (key, ord as u32, doc)));
    }
    picked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| (a.1, a.2).cmp(&(b.1, b.2))));
    picked.into_iter().take(k).map(|(_, segment, doc)| DocAddress::new(segment, doc)).collect()
}

/// How many documents `weight` matches (every document, without one) that the gates let through, counted up to
/// `cap` and no further.
pub fn count(
    searcher: &Searcher,
    weight: Option<&dyn Weight>,
    gates: &[Box<dyn Gate>],
    cap: u64,
) -> tantivy::Result<Total> {
    let mut total = 0u64;
    for (segment, gate) in searcher.segment_readers().iter().zip(gates) {
        let mut add = |doc: DocId| {
            if gate.admit(doc, 0.0).is_some() {
                total += 1;
            }
            total > cap
        };
        let over = match weight {
            Some(weight) => {
                let mut scorer = weight.scorer(segment, 1.0)?;
                let mut doc = scorer.doc();
                let mut over = false;
                while doc != TERMINATED && !over {
                    over = add(doc);
                    doc = scorer.advance();
                }
                over
            }
            None => candidates(segment, gate.as_ref()).any(&mut add),
        };
        if over {
            return Ok(Total { total: cap, exact: false });
        }
    }
    Ok(Total { total, exact: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(score: Score, doc: DocId) -> Hit {
        Hit { score, segment: 0, doc }
    }

    #[test]
    fn a_bitset_is_read_in_order() {
        let mut bits = BitSet::with_max_value(200);
        for doc in [0, 63, 64, 130, 199] {
            bits.insert(doc);
        }
        assert_eq!(ones(&bits).collect::<Vec<_>>(), [0, 63, 64, 130, 199]);
    }

    #[test]
    fn the_best_k_are_kept_and_earlier_documents_win_ties() {
        let mut best = Best { k: 2, heap: BinaryHeap::new() };
        assert_eq!(best.threshold(), Score::MIN);
        for h in [hit(1.0, 0), hit(3.0, 1), hit(3.0, 2), hit(2.0, 3)] {
            best.push(h);
        }
        let mut kept: Vec<Hit> = best.heap.into_iter().map(|Reverse(h)| h).collect();
        kept.sort_by(|a, b| b.cmp(a));
        assert_eq!(kept.iter().map(|h| h.doc).collect::<Vec<_>>(), [1, 2]);
        assert!(hit(3.0, 1) > hit(3.0, 2));
    }
}
