//! What searches keep per index segment while the segment lives: filter bitsets (a country, a language level,
//! "searchable"), the decoded stored card of each hit, and the newest-first order of jobs, so that a repeated
//! filter, hit or listing costs a lookup.
//!
//! Segments never change once written (deletions are a separate bitset), so entries need no invalidation; they
//! are dropped when the reader no longer has their segment.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED};
use tantivy_common::BitSet;

use super::collect::SegmentFilters;
use super::query::Filter;

/// More distinct filters than this on one segment, and its filters are all dropped and rebuilt on demand.
const FILTERS_PER_SEGMENT: usize = 256;

/// Decoded stored documents of one segment, by document id, each decoded on first use.
pub struct Cards<T> {
    slots: Vec<OnceLock<Arc<T>>>,
}

impl<T> Cards<T> {
    fn new(max_doc: DocId) -> Self {
        Self { slots: (0..max_doc).map(|_| OnceLock::new()).collect() }
    }

    /// The card of `doc`, decoding it with `load` the first time.
    pub fn get_or_load<E>(&self, doc: DocId, load: impl FnOnce() -> Result<T, E>) -> Result<Arc<T>, E> {
        let Some(slot) = self.slots.get(doc as usize) else { return load().map(Arc::new) };
        if let Some(card) = slot.get() {
            return Ok(card.clone());
        }
        let card = Arc::new(load()?);
        Ok(slot.get_or_init(|| card).clone())
    }
}

/// Per-segment caches of one index.
pub struct SegmentCache<T> {
    filters: Mutex<HashMap<SegmentId, HashMap<String, Arc<BitSet>>>>,
    cards: Mutex<HashMap<SegmentId, Arc<Cards<T>>>>,
    orders: Mutex<HashMap<SegmentId, Arc<Order>>>,
}

/// A segment's documents in the order a search without ranking shows them, each with its sort key.
pub type Order = Vec<(i64, DocId)>;

impl<T> Default for SegmentCache<T> {
    fn default() -> Self {
        Self { filters: Mutex::default(), cards: Mutex::default(), orders: Mutex::default() }
    }
}

impl<T> SegmentCache<T> {
    /// The bitsets of `filters` for each segment of `searcher`, built on first use.
    pub fn filters(&self, searcher: &Searcher, filters: &[Filter]) -> tantivy::Result<SegmentFilters> {
        searcher
            .segment_readers()
            .iter()
            .map(|segment| filters.iter().map(|f| self.filter(searcher, segment, f)).collect())
            .collect()
    }

    fn filter(&self, searcher: &Searcher, segment: &SegmentReader, filter: &Filter) -> tantivy::Result<Arc<BitSet>> {
        let id = segment.segment_id();
        if let Some(bits) = self.lock_filters().get(&id).and_then(|f| f.get(&filter.key)) {
            return Ok(bits.clone());
        }
        let bits = Arc::new(bitset(searcher, segment, &*filter.query)?);
        let mut cache = self.lock_filters();
        let of_segment = cache.entry(id).or_default();
        if of_segment.len() >= FILTERS_PER_SEGMENT {
            of_segment.clear();
        }
        of_segment.insert(filter.key.clone(), bits.clone());
        Ok(bits)
    }

    /// The cards of one segment.
    pub fn cards(&self, segment: &SegmentReader) -> Arc<Cards<T>> {
        lock(&self.cards).entry(segment.segment_id()).or_insert_with(|| Arc::new(Cards::new(segment.max_doc()))).clone()
    }

    /// The order of one segment, made by `build` the first time.
    pub fn order(&self, segment: &SegmentReader, build: impl FnOnce() -> Order) -> Arc<Order> {
        let id = segment.segment_id();
        if let Some(order) = lock(&self.orders).get(&id) {
            return order.clone();
        }
        let order = Arc::new(build());
        lock(&self.orders).insert(id, order.clone());
        order
    }

    /// Drops what belongs to segments `searcher` no longer has.
    pub fn retain(&self, searcher: &Searcher) {
        let live: HashSet<SegmentId> = searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
        self.lock_filters().retain(|id, _| live.contains(id));
        lock(&self.cards).retain(|id, _| live.contains(id));
        lock(&self.orders).retain(|id, _| live.contains(id));
    }

    fn lock_filters(&self) -> MutexGuard<'_, HashMap<SegmentId, HashMap<String, Arc<BitSet>>>> {
        lock(&self.filters)
    }
}

/// A panic while a cache was locked leaves a map that is still whole: carry on with it.
fn lock<V>(mutex: &Mutex<V>) -> MutexGuard<'_, V> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Every document of `segment` that `query` matches, deleted ones included (liveness is checked on use).
fn bitset(searcher: &Searcher, segment: &SegmentReader, query: &dyn Query) -> tantivy::Result<BitSet> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut scorer = weight.scorer(segment, 1.0)?;
    let mut bits = BitSet::with_max_value(segment.max_doc());
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        bits.insert(doc);
        doc = scorer.advance();
    }
    Ok(bits)
}
