//! The change feed (index outbox): every change a derived view must learn of is written here, in the change's own transaction.

use diesel::prelude::*;
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::StoreError;
use crate::schema::index_outbox;

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

/// One change to apply: which document to rebuild from its current state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub entity: String,
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
pub async fn read(
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
            read.changes.push(Change { seq, entity, entity_id });
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
