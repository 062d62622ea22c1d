//! Queries for organisations, memberships and network requests.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::model::MyOrganization;
use crate::db::StoreError;
use crate::schema::{memberships, organizations};

/// The organisations a user belongs to, oldest membership first.
pub async fn organizations_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<MyOrganization>, StoreError> {
    let rows: Vec<(Uuid, String, String, bool, Option<chrono::DateTime<chrono::Utc>>)> = memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .order(memberships::created_at.asc())
        .select((
            organizations::id,
            organizations::name,
            memberships::role,
            memberships::contact_point,
            organizations::network_member_since,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, role, contact_point, since)| MyOrganization {
            id,
            name,
            role,
            contact_point,
            in_network: since.is_some(),
        })
        .collect())
}
