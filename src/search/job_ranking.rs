//! Job searches under their filters: only jobs still open at the moment of the search (checked on each hit
//! against its closing time, which no cached filter can know), ranked by score or, without text or skills,
//! newest first from an order kept per segment.

use tantivy::columnar::Column;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};
use tantivy_common::BitSet;

use super::cache::{Order, SegmentCache};
use super::collect::{self, Filtered, Gate, Total, TOTAL_CAP};
use super::document::StoredJob;
use super::query::{JobPlan, Statistics, W_REQUIRED};

/// Jobs in every filter that have not closed, with the ranking's adjustment for required skills.
struct OpenJobs {
    filtered: Filtered,
    closes: Option<Column<tantivy::DateTime>>,
    now: tantivy::DateTime,
    /// Profile matching subtracts `W_REQUIRED` per required skill of the job (the query added one per skill the
    /// seeker has), so fewer missing ones always wins.
    required: Option<Column<u64>>,
}

impl Gate for OpenJobs {
    fn admit(&self, doc: DocId, score: Score) -> Option<Score> {
        if !self.filtered.holds(doc) {
            return None;
        }
        let closes = self.closes.as_ref().and_then(|c| c.first(doc));
        if closes.is_some_and(|closes| closes < self.now) {
            return None;
        }
        Some(match &self.required {
            Some(counts) => score - W_REQUIRED * counts.first(doc).unwrap_or(0) as Score,
            None => score,
        })
    }

    fn keeps_scores(&self) -> bool {
        self.required.is_none()
    }

    fn superset(&self) -> Option<&BitSet> {
        self.filtered.superset()
    }
}

/// A job search's page of documents (each with its rank, `None` when ordered by date) and how many match.
pub struct RankedJobs {
    pub docs: Vec<(Option<Score>, DocAddress)>,
    pub total: Total,
}

/// Runs `plan`: its best `offset + limit` jobs, the page after `offset`, and the count.
pub fn run(
    searcher: &Searcher,
    cache: &SegmentCache<StoredJob>,
    statistics: &Statistics<'_>,
    plan: &JobPlan,
    page: (usize, usize),
    missing_required: bool,
) -> tantivy::Result<RankedJobs> {
    let (offset, limit) = page;
    let now = super::document::instant_value(chrono::Utc::now());
    let filters = cache.filters(searcher, &plan.filters)?;
    let gates: Vec<Box<dyn Gate>> = searcher
        .segment_readers()
        .iter()
        .zip(filters)
        .map(|(segment, bits)| gate(segment, bits, now, missing_required))
        .collect();
    let wanted = offset + limit.max(1);
    let (docs, total) = match &plan.ranking {
        // Job rankings are constant-score clauses and text: nothing to prune, so one pass ranks and counts.
        Some(query) => {
            let weight = query.weight(EnableScoring::enabled_from_statistics_provider(statistics, searcher))?;
            let (top, total) = collect::top_and_count(searcher, weight.as_ref(), &gates, wanted, TOTAL_CAP)?;
            (top.into_iter().map(|(score, address)| (Some(score), address)).collect::<Vec<_>>(), total)
        }
        None => {
            let orders: Vec<std::sync::Arc<Order>> =
                searcher.segment_readers().iter().map(|s| cache.order(s, || newest_first(s))).collect();
            let newest = collect::first_in_order(&gates, &orders, wanted);
            (newest.into_iter().map(|a| (None, a)).collect(), collect::count(searcher, None, &gates, TOTAL_CAP)?)
        }
    };
    Ok(RankedJobs { docs: docs.into_iter().skip(offset).collect(), total })
}

fn gate(
    segment: &SegmentReader,
    bits: Vec<std::sync::Arc<BitSet>>,
    now: tantivy::DateTime,
    missing: bool,
) -> Box<dyn Gate> {
    let fast = segment.fast_fields();
    Box::new(OpenJobs {
        filtered: Filtered::new(segment, bits),
        closes: fast.date("closes_at").ok(),
        now,
        required: if missing { fast.u64("required_count").ok() } else { None },
    })
}

/// The segment's jobs, newest published first (earlier documents first among equals).
fn newest_first(segment: &SegmentReader) -> Order {
    let Ok(published) = segment.fast_fields().date("published_at") else { return Vec::new() };
    let mut order: Order = (0..segment.max_doc())
        .filter_map(|doc| published.first(doc).map(|at| (at.into_timestamp_micros(), doc)))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    order
}
