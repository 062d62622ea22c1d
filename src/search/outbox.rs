//! The index outbox: every change the index must learn of is written here, in the change's own transaction.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::StoreError;
use crate::schema::index_outbox;

/// What kind of document an outbox row refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexEntity {
    /// A seeker profile, by its `candidate_id`.
    Candidate,
    /// A job, by its `id`.
    Job,
}

impl IndexEntity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Candidate => "candidate",
            Self::Job => "job",
        }
    }
}

/// Records that the document for `id` must be rebuilt (or removed, if its row is gone or no longer visible).
/// Call it inside the transaction that makes the change, so the two commit or fail together.
pub async fn enqueue(conn: &mut AsyncPgConnection, entity: IndexEntity, id: Uuid) -> Result<(), StoreError> {
    diesel::insert_into(index_outbox::table)
        .values((index_outbox::entity.eq(entity.as_str()), index_outbox::entity_id.eq(id)))
        .execute(conn)
        .await?;
    Ok(())
}
