//! The membership checks other features make (who belongs to which organisation, and to the HR network), over
//! this feature's own store: membership is read nowhere else.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::store;
use crate::db::StoreError;

/// Whether `user_id` belongs to the organisation `organization_id`.
pub async fn is_member(conn: &mut AsyncPgConnection, organization_id: Uuid, user_id: Uuid) -> Result<bool, StoreError> {
    Ok(store::membership(conn, organization_id, user_id).await?.is_some())
}

/// Whether `user_id` belongs to any organisation (asked on every candidate search: one `exists`, no rows).
pub use super::store::has_membership;
