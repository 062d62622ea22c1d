//! The account directory other features may read: names and addresses by user id, employer accounts by email,
//! and a lock on an account's row. `users` is named here and in `auth`'s own store only.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::Role;
use crate::db::StoreError;
use crate::schema::users;

/// What other features show or mail of an account.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct Contact {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
}

type ContactColumns = (users::id, users::email, users::display_name);
const CONTACT_COLUMNS: ContactColumns = (users::id, users::email, users::display_name);

/// The contacts of the accounts among `ids` that exist, by user id, in one query.
pub async fn contacts(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, Contact>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Contact> = users::table.filter(users::id.eq_any(ids)).select(CONTACT_COLUMNS).load(conn).await?;
    Ok(rows.into_iter().map(|c| (c.user_id, c)).collect())
}

/// The contact of one account, if it exists.
pub async fn contact(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Contact>, StoreError> {
    Ok(users::table.find(id).select(CONTACT_COLUMNS).first(conn).await.optional()?)
}

/// The employer account with this (normalised) email; `None` also when the address belongs to another role.
pub async fn employer_by_email(conn: &mut AsyncPgConnection, email: &str) -> Result<Option<Contact>, StoreError> {
    let found: Option<(Contact, String)> = users::table
        .filter(users::email.eq(email))
        .select((CONTACT_COLUMNS, users::role))
        .first(conn)
        .await
        .optional()?;
    Ok(found.filter(|(_, role)| role == Role::Employer.as_str()).map(|(contact, _)| contact))
}

/// Locks the account's row until the transaction ends, so that counts of what the account holds are taken one
/// after the other; `NotFound` if there is no such account.
pub async fn lock_account(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), StoreError> {
    users::table.find(id).select(users::id).for_update().first::<Uuid>(conn).await?;
    Ok(())
}
