//! Figures about the alert matcher for `/metrics`.

use diesel_async::AsyncPgConnection;

use super::store;
use crate::db::StoreError;

/// The index-outbox position the matcher has consumed up to (0 before its first batch).
pub async fn matcher_position(conn: &mut AsyncPgConnection) -> Result<i64, StoreError> {
    store::cursor(conn, store::CURSOR).await
}
