//! Loads the taxonomy from the project's `data/` into PostgreSQL (being written).

use crate::db::{DbPool, StoreError};

/// Loads the taxonomy if the database has none yet.
pub async fn ensure_loaded(_pool: &DbPool) -> Result<(), StoreError> {
    Ok(())
}
