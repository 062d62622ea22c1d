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

/// What a user's memberships allow them to search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberOf {
    /// Belongs to some organisation: may search candidates.
    pub any_organization: bool,
    /// Belongs to an organisation in the HR network: may search the partner pool too.
    pub network_organization: bool,
}

/// Both of `user_id`'s membership facts a candidate search needs, in one round trip. Read afresh each time, so a
/// removed member loses access with their very next request.
pub async fn member_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<MemberOf, StoreError> {
    let (any_organization, network_organization) = store::memberships_at_all(conn, user_id).await?;
    Ok(MemberOf { any_organization, network_organization })
}
