//! Ranking under filters: the best hits of a query among the documents every filter lets through, with
//! tantivy's pruning (block-max WAND) left intact, and a count that stops at a cap.
//!
//! Filters are per-segment bitsets checked as hits arrive, not `Must` clauses: a `Must` clause turns a union of
//! skill terms into an intersection that visits every match, while a rejected hit here just leaves the pruning
//! threshold where it was.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};
use tantivy_common::BitSet;

/// Totals are exact up to here; beyond it a search says "at least this many".
pub const TOTAL_CAP: u64 = 10_000;

/// What each segment's filters are: every bitset must hold a document for it to count.
pub type SegmentFilters = Vec<Vec<Arc<BitSet>>>;

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

/// Whether a document of `segment` is alive and in every filter.
fn admits(segment: &SegmentReader, filters: &[Arc<BitSet>], doc: DocId) -> bool {
    segment.alive_bitset().is_none_or(|alive| alive.is_alive(doc)) && filters.iter().all(|f| f.contains(doc))
}

/// The best `k` documents by `weight`'s score, best first; without a weight, the first `k` documents the filters
/// let through, each scoring zero.
pub fn top(
    searcher: &Searcher,
    weight: Option<&dyn Weight>,
    filters: &SegmentFilters,
    k: usize,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    let mut best = Best { k: k.max(1), heap: BinaryHeap::with_capacity(k.max(1) + 1) };
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let allowed = filters.get(ord).map_or(&[][..], Vec::as_slice);
        let ord = ord as u32;
        match weight {
            Some(weight) => weight.for_each_pruning(best.threshold(), segment, &mut |doc, score| {
                if admits(segment, allowed, doc) {
                    best.push(Hit { score, segment: ord, doc });
                }
                best.threshold()
            })?,
            None => {
                for doc in 0..segment.max_doc() {
                    if best.is_full() {
                        break;
                    }
                    if admits(segment, allowed, doc) {
                        best.push(Hit { score: 0.0, segment: ord, doc });
                    }
                }
            }
        }
    }
    let mut hits: Vec<Hit> = best.heap.into_iter().map(|Reverse(hit)| hit).collect();
    hits.sort_by(|a, b| b.cmp(a));
    Ok(hits.into_iter().map(|h| (h.score, DocAddress::new(h.segment, h.doc))).collect())
}

/// How many documents `weight` matches (every document, without one) that the filters let through, counted up to
/// `cap` and no further.
pub fn count(
    searcher: &Searcher,
    weight: Option<&dyn Weight>,
    filters: &SegmentFilters,
    cap: u64,
) -> tantivy::Result<Total> {
    let mut total = 0u64;
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let allowed = filters.get(ord).map_or(&[][..], Vec::as_slice);
        let mut add = |doc: DocId| {
            if admits(segment, allowed, doc) {
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
            None => (0..segment.max_doc()).any(&mut add),
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
