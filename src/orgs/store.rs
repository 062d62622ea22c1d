//! Queries for organisations, memberships and network requests.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use std::collections::HashMap;

use super::model::{
    is_last_admin, MemberPatch, MemberRole, Membership, NetworkRequest, NetworkRequestStatus, NewOrganization,
    Organization, OrganizationPatch, OrganizationSummary, PendingNetworkRequest,
};
use crate::auth::model::MyOrganization;
use crate::db::StoreError;
use crate::schema::{memberships, network_requests, organizations};
use crate::vocab::Place;

#[derive(Queryable)]
struct MyOrganizationRow {
    id: Uuid,
    name: String,
    role: String,
    contact_point: bool,
    network_member_since: Option<DateTime<Utc>>,
}

/// Whether the user belongs to any organisation, and to any in the HR network: one round trip.
pub async fn memberships_at_all(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(bool, bool), StoreError> {
    let any = memberships::table.filter(memberships::user_id.eq(user_id));
    let network = memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(organizations::network_member_since.is_not_null());
    Ok(diesel::select((diesel::dsl::exists(any), diesel::dsl::exists(network))).get_result(conn).await?)
}

/// The organisations a user belongs to, oldest membership first.
pub async fn organizations_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<MyOrganization>, StoreError> {
    let rows: Vec<MyOrganizationRow> = memberships::table
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
        .map(|r| MyOrganization {
            id: r.id,
            name: r.name,
            role: r.role,
            contact_point: r.contact_point,
            in_network: r.network_member_since.is_some(),
        })
        .collect())
}

/// The membership of `user_id` in `org_id`, if any.
pub async fn membership(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Membership>, StoreError> {
    let row: Option<(MemberRole, bool, Option<DateTime<Utc>>)> = memberships::table
        .inner_join(organizations::table)
        .filter(memberships::organization_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id))
        .select((memberships::role, memberships::contact_point, organizations::network_member_since))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(role, contact_point, since)| Membership {
        organization_id: org_id,
        user_id,
        role,
        contact_point,
        in_network: since.is_some(),
    }))
}

/// Whether the organisation is claimed; `None` if it does not exist.
pub async fn is_claimed(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<Option<bool>, StoreError> {
    Ok(organizations::table.find(org_id).select(organizations::claimed).first(conn).await.optional()?)
}

pub async fn organization_exists(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(organizations::table.find(org_id))).get_result(conn).await?)
}

/// Whether the user belongs to at least one organisation in the HR network.
pub async fn is_network_member(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<bool, StoreError> {
    let query = memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(organizations::network_member_since.is_not_null());
    Ok(diesel::select(diesel::dsl::exists(query)).get_result(conn).await?)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = organizations)]
struct OrganizationRow {
    id: Uuid,
    name: String,
    org_number: Option<String>,
    sector: String,
    website: Option<String>,
    description: Option<String>,
    city: String,
    country: String,
    network_member_since: Option<DateTime<Utc>>,
    claimed: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<OrganizationRow> for Organization {
    fn from(r: OrganizationRow) -> Self {
        Organization {
            id: r.id,
            name: r.name,
            org_number: r.org_number,
            sector: r.sector,
            website: r.website,
            description: r.description,
            location: Place { city: r.city, country: r.country },
            in_network: r.network_member_since.is_some(),
            claimed: r.claimed,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub async fn find_organization(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Organization>, StoreError> {
    let row = organizations::table.find(id).select(OrganizationRow::as_select()).first(conn).await.optional()?;
    Ok(row.map(Organization::from))
}

/// The name and place of each of the organisations among `ids` that exist, by id, in one query.
pub async fn summaries(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, OrganizationSummary>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String, String, String)> = organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((organizations::id, organizations::name, organizations::city, organizations::country))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, city, country)| (id, OrganizationSummary { id, name, location: Place { city, country } }))
        .collect())
}

/// Creates the organisation with `admin` as its first admin, in one transaction.
pub async fn create_organization(
    conn: &mut AsyncPgConnection,
    new: NewOrganization,
    admin: Uuid,
) -> Result<Organization, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let row = diesel::insert_into(organizations::table)
                .values((
                    organizations::id.eq(Uuid::new_v4()),
                    organizations::name.eq(new.name),
                    organizations::org_number.eq(new.org_number),
                    organizations::sector.eq(new.sector),
                    organizations::website.eq(new.website),
                    organizations::description.eq(new.description),
                    organizations::city.eq(new.location.city),
                    organizations::country.eq(new.location.country),
                ))
                .returning(OrganizationRow::as_returning())
                .get_result(conn)
                .await?;
            insert_membership(conn, row.id, admin, MemberRole::Admin, false).await?;
            Ok(row.into())
        }
        .scope_boxed()
    })
    .await
}

#[derive(AsChangeset)]
#[diesel(table_name = organizations)]
struct OrganizationChanges {
    name: Option<String>,
    org_number: Option<Option<String>>,
    sector: Option<String>,
    website: Option<Option<String>>,
    description: Option<Option<String>>,
    city: Option<String>,
    country: Option<String>,
    updated_at: DateTime<Utc>,
}

/// Applies a validated partial update; `NotFound` if the organisation is gone.
pub async fn update_organization(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    patch: OrganizationPatch,
) -> Result<Organization, StoreError> {
    let (city, country) = patch.location.map(|l| (l.city, l.country)).unzip();
    let changes = OrganizationChanges {
        name: patch.name,
        org_number: patch.org_number,
        sector: patch.sector,
        website: patch.website,
        description: patch.description,
        city,
        country,
        updated_at: Utc::now(),
    };
    let row = diesel::update(organizations::table.find(id))
        .set(changes)
        .returning(OrganizationRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(row.into())
}

/// Adds `user_id` to the organisation; a second membership is a `memberships_pkey` conflict.
pub async fn insert_membership(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    user_id: Uuid,
    role: MemberRole,
    contact_point: bool,
) -> Result<(), StoreError> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::organization_id.eq(org_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role.as_str()),
            memberships::contact_point.eq(contact_point),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A membership row: who, in what role, whether a contact point.
#[derive(Clone, Copy, Debug)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub role: MemberRole,
    pub contact_point: bool,
}

/// Every membership of the organisation, longest-standing first.
pub async fn member_rows(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<Vec<MemberRow>, StoreError> {
    let rows: Vec<(Uuid, MemberRole, bool)> = memberships::table
        .filter(memberships::organization_id.eq(org_id))
        .order((memberships::created_at.asc(), memberships::user_id.asc()))
        .select((memberships::user_id, memberships::role, memberships::contact_point))
        .load(conn)
        .await?;
    rows.into_iter().map(|(user_id, role, contact_point)| Ok(MemberRow { user_id, role, contact_point })).collect()
}

/// The roles of every member, locked until the transaction ends, so that two admins cannot demote or remove each
/// other at the same moment and leave nobody in charge.
pub async fn lock_roles(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<Vec<(Uuid, MemberRole)>, StoreError> {
    Ok(memberships::table
        .filter(memberships::organization_id.eq(org_id))
        .select((memberships::user_id, memberships::role))
        .for_update()
        .load(conn)
        .await?)
}

pub async fn delete_membership(conn: &mut AsyncPgConnection, org_id: Uuid, user_id: Uuid) -> Result<(), StoreError> {
    diesel::delete(memberships::table.find((org_id, user_id))).execute(conn).await?;
    Ok(())
}

#[derive(AsChangeset)]
#[diesel(table_name = memberships)]
struct MembershipChanges {
    role: Option<&'static str>,
    contact_point: Option<bool>,
}

/// Sets the member's role or contact-point flag, whichever the patch carries.
pub async fn update_membership(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    user_id: Uuid,
    patch: &MemberPatch,
) -> Result<(), StoreError> {
    if patch.role.is_none() && patch.contact_point.is_none() {
        return Ok(());
    }
    let changes = MembershipChanges { role: patch.role.map(MemberRole::as_str), contact_point: patch.contact_point };
    diesel::update(memberships::table.find((org_id, user_id))).set(changes).execute(conn).await?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = network_requests)]
struct NetworkRequestRow {
    id: Uuid,
    organization_id: Uuid,
    requested_at: DateTime<Utc>,
    approved_at: Option<DateTime<Utc>>,
}

impl From<NetworkRequestRow> for NetworkRequest {
    fn from(r: NetworkRequestRow) -> Self {
        NetworkRequest {
            id: r.id,
            organization_id: r.organization_id,
            status: if r.approved_at.is_some() {
                NetworkRequestStatus::Approved
            } else {
                NetworkRequestStatus::Pending
            },
            requested_at: r.requested_at,
            approved_at: r.approved_at,
        }
    }
}

/// What became of a request to join the HR network.
pub enum JoinRequest {
    Created(NetworkRequest),
    AlreadyInNetwork,
}

/// Files a request to join the network. A second pending request is a `network_requests_one_pending` conflict.
pub async fn request_network(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    requested_by: Uuid,
) -> Result<JoinRequest, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            // The lock orders this against an approval running at the same moment.
            let since: Option<DateTime<Utc>> = organizations::table
                .find(org_id)
                .select(organizations::network_member_since)
                .for_update()
                .first(conn)
                .await?;
            if since.is_some() {
                return Ok(JoinRequest::AlreadyInNetwork);
            }
            let row = diesel::insert_into(network_requests::table)
                .values((
                    network_requests::id.eq(Uuid::new_v4()),
                    network_requests::organization_id.eq(org_id),
                    network_requests::requested_by.eq(requested_by),
                ))
                .returning(NetworkRequestRow::as_returning())
                .get_result(conn)
                .await?;
            Ok(JoinRequest::Created(row.into()))
        }
        .scope_boxed()
    })
    .await
}

/// Where a page of pending requests ends: oldest first, so operators work through them in order.
pub type PendingPosition = (DateTime<Utc>, Uuid);

/// Up to `limit + 1` pending requests after `after` (the extra one tells the caller there is more).
pub async fn pending_requests(
    conn: &mut AsyncPgConnection,
    after: Option<PendingPosition>,
    limit: i64,
) -> Result<Vec<PendingNetworkRequest>, StoreError> {
    let mut query = network_requests::table
        .inner_join(organizations::table)
        .filter(network_requests::approved_at.is_null())
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            network_requests::requested_at
                .gt(at)
                .or(network_requests::requested_at.eq(at).and(network_requests::id.gt(id))),
        );
    }
    let rows: Vec<(Uuid, Uuid, String, DateTime<Utc>)> = query
        .order((network_requests::requested_at.asc(), network_requests::id.asc()))
        .limit(limit + 1)
        .select((network_requests::id, organizations::id, organizations::name, network_requests::requested_at))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, organization_id, organization_name, requested_at)| PendingNetworkRequest {
            id,
            organization_id,
            organization_name,
            requested_at,
        })
        .collect())
}

/// What became of an approval.
pub enum Approval {
    Approved(NetworkRequest),
    AlreadyApproved,
    NoSuchRequest,
}

/// Approves a pending request and puts its organisation in the network, in one transaction.
pub async fn approve_request(
    conn: &mut AsyncPgConnection,
    request_id: Uuid,
    approved_by: Uuid,
) -> Result<Approval, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let row: Option<NetworkRequestRow> = network_requests::table
                .find(request_id)
                .select(NetworkRequestRow::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(row) = row else { return Ok(Approval::NoSuchRequest) };
            if row.approved_at.is_some() {
                return Ok(Approval::AlreadyApproved);
            }
            let now = Utc::now();
            let row = diesel::update(network_requests::table.find(request_id))
                .set((network_requests::approved_at.eq(now), network_requests::approved_by.eq(approved_by)))
                .returning(NetworkRequestRow::as_returning())
                .get_result(conn)
                .await?;
            diesel::update(organizations::table.find(row.organization_id))
                .filter(organizations::network_member_since.is_null())
                .set((organizations::network_member_since.eq(now), organizations::updated_at.eq(now)))
                .execute(conn)
                .await?;
            Ok(Approval::Approved(row.into()))
        }
        .scope_boxed()
    })
    .await
}

/// Where a page of contacts ends: by organisation name, then organisation, then person.
pub type ContactPosition = (String, Uuid, Uuid);

/// A contact point of a network organisation, without the person's name and address (the account directory has
/// those).
#[derive(Clone, Debug)]
pub struct ContactRow {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub user_id: Uuid,
    pub role: MemberRole,
}

/// Up to `limit + 1` contact points of network organisations after `after`.
pub async fn network_contacts(
    conn: &mut AsyncPgConnection,
    after: Option<ContactPosition>,
    limit: i64,
) -> Result<Vec<ContactRow>, StoreError> {
    let mut query = memberships::table
        .inner_join(organizations::table)
        .filter(organizations::network_member_since.is_not_null())
        .filter(memberships::contact_point.eq(true))
        .into_boxed();
    if let Some((name, org_id, user_id)) = after {
        query =
            query.filter(organizations::name.gt(name.clone()).or(organizations::name.eq(name).and(
                organizations::id.gt(org_id).or(organizations::id.eq(org_id).and(memberships::user_id.gt(user_id))),
            )));
    }
    let rows: Vec<(Uuid, String, Uuid, MemberRole)> = query
        .order((organizations::name.asc(), organizations::id.asc(), memberships::user_id.asc()))
        .limit(limit + 1)
        .select((organizations::id, organizations::name, memberships::user_id, memberships::role))
        .load(conn)
        .await?;
    rows.into_iter()
        .map(|(organization_id, organization_name, user_id, role)| {
            Ok(ContactRow { organization_id, organization_name, user_id, role })
        })
        .collect()
}

/// An organisation whose only admin is a given user, and how many other members it has.
#[derive(Clone, Debug)]
pub struct SoleAdminship {
    pub organization_id: Uuid,
    pub name: String,
    pub other_members: usize,
}

/// The organisations whose only admin is `user_id`, by name. Their memberships stay locked until the transaction
/// ends, so no other admin can leave or be demoted while the caller decides what becomes of them.
pub async fn sole_adminships(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<SoleAdminship>, StoreError> {
    let admin_of: Vec<(Uuid, String)> = memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::role.eq(MemberRole::Admin.as_str()))
        .order((organizations::name.asc(), organizations::id.asc()))
        .select((organizations::id, organizations::name))
        .load(conn)
        .await?;
    let mut sole = Vec::new();
    for (organization_id, name) in admin_of {
        let roles = lock_roles(conn, organization_id).await?;
        if is_last_admin(&roles, user_id) == Some(true) {
            sole.push(SoleAdminship { organization_id, name, other_members: roles.len().saturating_sub(1) });
        }
    }
    Ok(sole)
}

/// Makes a member of the organisation its admin; `false` if they are not a member.
pub async fn promote_to_admin(conn: &mut AsyncPgConnection, org_id: Uuid, user_id: Uuid) -> Result<bool, StoreError> {
    let updated = diesel::update(memberships::table.find((org_id, user_id)))
        .set(memberships::role.eq(MemberRole::Admin.as_str()))
        .execute(conn)
        .await?;
    Ok(updated > 0)
}

/// Deletes an organisation; its jobs, memberships and recruitments go with it by cascade.
pub async fn delete_organization(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<(), StoreError> {
    diesel::delete(organizations::table.find(org_id)).execute(conn).await?;
    Ok(())
}
