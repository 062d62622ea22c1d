//! What other features may read of accounts: an account found by its email, and display names.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::store;
use crate::db::StoreError;

/// An account as other features see it: never its password hash.
#[derive(Clone, Debug)]
pub struct AccountView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// `seeker`, `employer` or `admin` (see [`super::Role`]).
    pub role: String,
}

/// The account registered under `email` (already normalised), if any.
pub async fn account_by_email(conn: &mut AsyncPgConnection, email: &str) -> Result<Option<AccountView>, StoreError> {
    let row = store::find_by_email(conn, email).await?;
    Ok(row.map(|u| AccountView { id: u.id, email: u.email, display_name: u.display_name, role: u.role }))
}

/// The display names of these accounts; ids without an account are absent from the map.
pub async fn display_names(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, StoreError> {
    Ok(store::display_names(conn, ids).await?.into_iter().collect())
}
