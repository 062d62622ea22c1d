//! The change feed (index outbox): every change a derived view must learn of is written here, in the change's own
//! transaction, and read back by its consumers (the search indexer, the alert matcher) through one [`Consumer`].
//!
//! Positions are handed out by a sequence when a transaction writes its outbox row, but transactions commit in
//! any order, so a lower position can appear after a higher one. A [`Position`] remembers such gaps and keeps
//! asking for them until every transaction that could still fill them has ended; its watermark is the highest
//! position below which nothing can arrive any more. A consumer stores that watermark with its own work (the
//! indexer in its index's commit, the matcher in `outbox_cursors` through [`Cursor`]), so it moves only once the
//! work has committed.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::StoreError;
use crate::schema::{index_outbox, outbox_cursors};

/// A gap is given up only this long after it was first seen, and once every transaction then running has ended.
const MIN_GAP_AGE: Duration = Duration::from_secs(1);

/// What kind of document an outbox row refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    /// A seeker profile, by its `candidate_id`.
    Candidate,
    /// A job, by its `id`.
    Job,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Candidate => "candidate",
            Self::Job => "job",
        }
    }

    /// The entity a stored row names. The table's CHECK constraint admits only the two kinds, so anything but
    /// `job` is a candidate (as the indexer has always read it).
    fn from_stored(text: &str) -> Self {
        if text == Self::Job.as_str() {
            Self::Job
        } else {
            Self::Candidate
        }
    }
}

/// Records that the document for `id` must be rebuilt (or removed, if its row is gone or no longer visible).
/// Call it inside the transaction that makes the change, so the two commit or fail together.
pub async fn enqueue(conn: &mut AsyncPgConnection, entity: Entity, id: Uuid) -> Result<(), StoreError> {
    diesel::insert_into(index_outbox::table)
        .values((index_outbox::entity.eq(entity.as_str()), index_outbox::entity_id.eq(id)))
        .execute(conn)
        .await?;
    Ok(())
}

/// [`enqueue`] for many documents of one kind, in one statement and in the order given.
pub async fn enqueue_many(conn: &mut AsyncPgConnection, entity: Entity, ids: &[Uuid]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> =
        ids.iter().map(|id| (index_outbox::entity.eq(entity.as_str()), index_outbox::entity_id.eq(*id))).collect();
    diesel::insert_into(index_outbox::table).values(rows).execute(conn).await?;
    Ok(())
}

/// One change to apply: which document to rebuild from its current state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub entity: Entity,
    pub entity_id: Uuid,
}

/// Outbox rows read under one snapshot, with the snapshot's transaction bounds: every transaction below `xmin`
/// had finished, and every transaction that had begun writing had an id below `xmax`.
#[derive(Debug, Default)]
pub struct OutboxRead {
    pub changes: Vec<Change>,
    pub xmin: i64,
    pub xmax: i64,
}

#[derive(QueryableByName)]
struct OutboxRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    xmin: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    xmax: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    seq: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    entity: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    entity_id: Option<Uuid>,
}

/// Reads, in one statement (so under one snapshot), up to `limit` rows after `after` plus any rows inside the
/// `gaps` (inclusive ranges of positions skipped earlier because their transactions had not committed).
async fn read(
    conn: &mut AsyncPgConnection,
    after: i64,
    gaps: &[(i64, i64)],
    limit: i64,
) -> Result<OutboxRead, StoreError> {
    let (lows, highs): (Vec<i64>, Vec<i64>) = gaps.iter().copied().unzip();
    let rows: Vec<OutboxRow> = diesel::sql_query(
        "SELECT s.xmin, s.xmax, o.seq, o.entity, o.entity_id
         FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,
                      pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax) s
         LEFT JOIN LATERAL (
             (SELECT seq, entity, entity_id FROM index_outbox WHERE seq > $1 ORDER BY seq LIMIT $2)
             UNION ALL
             (SELECT o.seq, o.entity, o.entity_id
              FROM unnest($3::bigint[], $4::bigint[]) AS g(lo, hi)
              JOIN index_outbox o ON o.seq BETWEEN g.lo AND g.hi)
         ) o ON true",
    )
    .bind::<diesel::sql_types::BigInt, _>(after)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(&lows)
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(&highs)
    .load(conn)
    .await?;
    let mut read = OutboxRead::default();
    for row in rows {
        (read.xmin, read.xmax) = (row.xmin, row.xmax);
        if let (Some(seq), Some(entity), Some(entity_id)) = (row.seq, row.entity, row.entity_id) {
            read.changes.push(Change { seq, entity: Entity::from_stored(&entity), entity_id });
        }
    }
    read.changes.sort_by_key(|c| c.seq);
    read.changes.dedup_by_key(|c| c.seq);
    Ok(read)
}

/// The snapshot bounds alone (see [`OutboxRead`]).
pub async fn snapshot_bounds(conn: &mut AsyncPgConnection) -> Result<(i64, i64), StoreError> {
    let read = read(conn, i64::MAX, &[], 0).await?;
    Ok((read.xmin, read.xmax))
}

#[derive(QueryableByName)]
struct Head {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    head: i64,
}

/// The highest position of any committed change (0 for none).
pub async fn head(conn: &mut AsyncPgConnection) -> Result<i64, StoreError> {
    let row: Head =
        diesel::sql_query("SELECT coalesce(max(seq), 0) AS head FROM index_outbox").get_result(conn).await?;
    Ok(row.head)
}

/// The highest position ever handed out, committed or not: an index claiming more belongs to another database.
pub async fn last_issued(conn: &mut AsyncPgConnection) -> Result<i64, StoreError> {
    let row: Head = diesel::sql_query(
        "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('index_outbox', 'seq')::regclass), 0) AS head",
    )
    .get_result(conn)
    .await?;
    Ok(row.head)
}

#[derive(Clone, Debug)]
struct Gap {
    low: i64,
    high: i64,
    /// The snapshot `xmax` when the gap was seen: once the oldest running transaction is past it, every
    /// transaction that could fill the gap has ended.
    xmax: i64,
    seen: Instant,
}

/// Where a consumer is in the outbox: the highest position seen, and the gaps below it.
#[derive(Clone, Debug)]
pub struct Position {
    high: i64,
    gaps: Vec<Gap>,
}

impl Position {
    pub fn new(committed: i64) -> Self {
        Self { high: committed, gaps: Vec::new() }
    }

    /// Everything up to here has been applied or can no longer arrive.
    pub fn watermark(&self) -> i64 {
        self.gaps.iter().map(|g| g.low - 1).min().unwrap_or(self.high)
    }

    pub fn high(&self) -> i64 {
        self.high
    }

    pub fn gap_ranges(&self) -> Vec<(i64, i64)> {
        self.gaps.iter().map(|g| (g.low, g.high)).collect()
    }

    /// Takes in one read: returns the changes to apply, in order, and updates the gaps.
    pub fn observe(&mut self, read: OutboxRead, now: Instant) -> Vec<Change> {
        let mut fresh = Vec::with_capacity(read.changes.len());
        for change in read.changes {
            if change.seq > self.high {
                if change.seq > self.high + 1 {
                    self.gaps.push(Gap { low: self.high + 1, high: change.seq - 1, xmax: read.xmax, seen: now });
                }
                self.high = change.seq;
                fresh.push(change);
            } else if self.fill(change.seq) {
                fresh.push(change);
            }
        }
        self.gaps.retain(|g| !(read.xmin >= g.xmax && now.duration_since(g.seen) >= MIN_GAP_AGE));
        fresh
    }

    /// Removes `seq` from the gap holding it; false if it was in none (already applied).
    fn fill(&mut self, seq: i64) -> bool {
        let Some(i) = self.gaps.iter().position(|g| g.low <= seq && seq <= g.high) else { return false };
        let gap = self.gaps.remove(i);
        if gap.low < seq {
            self.gaps.push(Gap { high: seq - 1, ..gap.clone() });
        }
        if seq < gap.high {
            self.gaps.push(Gap { low: seq + 1, ..gap });
        }
        true
    }
}

/// One consumer's reading of the feed: it hands out batches of changes, and moves on only when told the batch's
/// work has committed ([`Consumer::commit`]); a batch that is dropped instead is read again.
#[derive(Clone, Debug)]
pub struct Consumer {
    position: Position,
    limit: i64,
}

/// Changes read in one round, with the watermark to store alongside their work.
#[derive(Debug)]
pub struct Batch {
    /// New changes, in position order.
    pub changes: Vec<Change>,
    /// The consumer's position once this batch is committed.
    position: Position,
    before: i64,
    full: bool,
}

impl Batch {
    /// Every position up to this one is handled once the batch's work commits: store it with that work.
    pub fn watermark(&self) -> i64 {
        self.position.watermark()
    }

    /// Whether the watermark moves (a batch can move it without changes, when a gap is given up).
    pub fn moves(&self) -> bool {
        self.position.watermark() != self.before
    }

    /// Whether the read was cut at the batch size: more may be waiting right away.
    pub fn full(&self) -> bool {
        self.full
    }

    /// The ids of the `entity` documents the changes touch, each once, in id order.
    pub fn ids(&self, entity: Entity) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.changes.iter().filter(|c| c.entity == entity).map(|c| c.entity_id).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

impl Consumer {
    /// A consumer whose work reflects every change up to `committed`, reading at most `limit` new rows a batch.
    pub fn new(committed: i64, limit: i64) -> Self {
        Self { position: Position::new(committed), limit }
    }

    /// A consumer that keeps its position in `outbox_cursors` under `cursor`, starting from the stored one.
    pub async fn resume(conn: &mut AsyncPgConnection, cursor: Cursor, limit: i64) -> Result<Self, StoreError> {
        Ok(Self::new(cursor.get(conn).await?, limit))
    }

    /// Everything up to here has been handled and committed, or can no longer arrive.
    pub fn watermark(&self) -> i64 {
        self.position.watermark()
    }

    /// Reads the next changes (new ones and any that filled a gap) without moving the consumer.
    pub async fn next(&self, conn: &mut AsyncPgConnection) -> Result<Batch, StoreError> {
        let read = read(conn, self.position.high(), &self.position.gap_ranges(), self.limit).await?;
        let full = read.changes.len() as i64 >= self.limit;
        let mut position = self.position.clone();
        let changes = position.observe(read, Instant::now());
        Ok(Batch { changes, position, before: self.position.watermark(), full })
    }

    /// Moves past `batch`, once its work (and its watermark with it) has committed.
    pub fn commit(&mut self, batch: Batch) {
        self.position = batch.position;
    }
}

/// A consumer's stored position: a row of `outbox_cursors`, written in the transaction of the consumer's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor(&'static str);

impl Cursor {
    pub const fn named(name: &'static str) -> Self {
        Self(name)
    }

    /// The stored position (0 if it was never stored).
    pub async fn get(self, conn: &mut AsyncPgConnection) -> Result<i64, StoreError> {
        let found =
            outbox_cursors::table.find(self.0).select(outbox_cursors::position).first::<i64>(conn).await.optional()?;
        Ok(found.unwrap_or(0))
    }

    /// Locks the position until the transaction ends and returns it (0 if it was never stored): consumers of the
    /// same name on other nodes wait here, so two never record the same batch at once.
    pub async fn lock(self, conn: &mut AsyncPgConnection) -> Result<i64, StoreError> {
        let found = outbox_cursors::table
            .find(self.0)
            .select(outbox_cursors::position)
            .for_update()
            .first::<i64>(conn)
            .await
            .optional()?;
        Ok(found.unwrap_or(0))
    }

    /// Moves the position forward to `position` (never back: another node's consumer may be ahead).
    pub async fn advance(self, conn: &mut AsyncPgConnection, position: i64) -> Result<(), StoreError> {
        diesel::sql_query(
            "INSERT INTO outbox_cursors (name, position) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET position = greatest(outbox_cursors.position, excluded.position)",
        )
        .bind::<diesel::sql_types::Text, _>(self.0)
        .bind::<diesel::sql_types::BigInt, _>(position)
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seq: i64) -> Change {
        Change { seq, entity: Entity::Candidate, entity_id: Uuid::nil() }
    }

    fn read(seqs: &[i64], xmin: i64, xmax: i64) -> OutboxRead {
        OutboxRead { changes: seqs.iter().map(|s| change(*s)).collect(), xmin, xmax }
    }

    fn seqs(changes: &[Change]) -> Vec<i64> {
        changes.iter().map(|c| c.seq).collect()
    }

    #[test]
    fn a_late_commit_below_the_highest_position_is_still_applied() {
        let t0 = Instant::now();
        let mut p = Position::new(10);
        assert_eq!(seqs(&p.observe(read(&[11, 14], 100, 105), t0)), vec![11, 14]);
        assert_eq!(p.watermark(), 11, "12 and 13 may still commit");
        assert_eq!(p.gap_ranges(), vec![(12, 13)]);
        assert_eq!(seqs(&p.observe(read(&[13, 15], 100, 106), t0)), vec![13, 15]);
        assert_eq!(p.watermark(), 11);
        assert_eq!(seqs(&p.observe(read(&[12], 101, 106), t0)), vec![12]);
        assert_eq!(p.watermark(), 15);
    }

    #[test]
    fn a_rolled_back_position_is_given_up_once_its_transactions_have_ended() {
        let t0 = Instant::now();
        let mut p = Position::new(0);
        p.observe(read(&[2], 50, 60), t0);
        assert_eq!(p.watermark(), 0);
        // Transactions older than the gap still run: keep waiting.
        p.observe(read(&[], 55, 61), t0 + Duration::from_secs(5));
        assert_eq!(p.watermark(), 0);
        // They have ended, but the gap is too young to be sure.
        p.observe(read(&[], 60, 61), t0 + Duration::from_millis(100));
        assert_eq!(p.watermark(), 0);
        p.observe(read(&[], 60, 61), t0 + MIN_GAP_AGE);
        assert_eq!(p.watermark(), 2);
    }

    #[test]
    fn changes_already_applied_are_not_applied_again() {
        let t0 = Instant::now();
        let mut p = Position::new(5);
        assert!(p.observe(read(&[3, 5], 1, 2), t0).is_empty());
        assert_eq!(p.watermark(), 5);
    }

    #[test]
    fn a_batch_names_each_touched_entity_once() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let changes = vec![
            Change { seq: 1, entity: Entity::Job, entity_id: b },
            Change { seq: 2, entity: Entity::Candidate, entity_id: a },
            Change { seq: 3, entity: Entity::Job, entity_id: a },
            Change { seq: 4, entity: Entity::Job, entity_id: b },
        ];
        let batch = Batch { changes, position: Position::new(4), before: 0, full: false };
        assert_eq!(batch.ids(Entity::Job), vec![a, b]);
        assert_eq!(batch.ids(Entity::Candidate), vec![a]);
        assert!(batch.moves());
        assert_eq!(batch.watermark(), 4);
    }
}
