//! Queries for organisations, memberships and network requests.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{
    Member, MemberPatch, MemberRole, NetworkContact, NetworkRequest, NetworkRequestStatus, NewOrganization,
    Organization, OrganizationPatch, PendingNetworkRequest,
};
use crate::auth::model::MyOrganization;
use crate::db::StoreError;
use crate::schema::{memberships, network_requests, organizations, users};
use crate::vocab::Place;

#[derive(Queryable)]
struct MyOrganizationRow {
    id: Uuid,
    name: String,
    role: String,
    contact_point: bool,
    network_member_since: Option<DateTime<Utc>>,
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

/// One person's membership of one organisation, read fresh from the database on every request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Membership {
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: MemberRole,
    pub contact_point: bool,
    /// Whether the organisation is in the HR network.
    pub in_network: bool,
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
    row.map(|(role, contact_point, since)| {
        Ok(Membership { organization_id: org_id, user_id, role, contact_point, in_network: since.is_some() })
    })
    .transpose()
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
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub async fn find_organization(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Organization>, StoreError> {
    let row = organizations::table.find(id).select(OrganizationRow::as_select()).first(conn).await.optional()?;
    Ok(row.map(Organization::from))
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

async fn insert_membership(
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

/// Why a person could not be added.
pub enum AddMemberError {
    /// No employer account has this email.
    NoSuchEmployer,
    Store(StoreError),
}

impl From<StoreError> for AddMemberError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// Adds the employer account with this (normalised) email; a second membership is a `memberships_pkey` conflict.
pub async fn add_member(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    email: &str,
    role: MemberRole,
    contact_point: bool,
) -> Result<Member, AddMemberError> {
    let user = crate::auth::store::find_by_email(conn, email).await?;
    let Some(user) = user.filter(|u| u.role == crate::auth::Role::Employer.as_str()) else {
        return Err(AddMemberError::NoSuchEmployer);
    };
    insert_membership(conn, org_id, user.id, role, contact_point).await?;
    Ok(Member { user_id: user.id, email: user.email, display_name: user.display_name, role, contact_point })
}

/// Every member of the organisation, longest-standing first.
pub async fn members(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<Vec<Member>, StoreError> {
    let rows: Vec<(Uuid, String, String, MemberRole, bool)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::organization_id.eq(org_id))
        .order((memberships::created_at.asc(), memberships::user_id.asc()))
        .select((users::id, users::email, users::display_name, memberships::role, memberships::contact_point))
        .load(conn)
        .await?;
    rows.into_iter()
        .map(|(user_id, email, display_name, role, contact_point)| {
            Ok(Member { user_id, email, display_name, role, contact_point })
        })
        .collect()
}

/// What became of a request to remove or change a member.
#[derive(Debug, PartialEq, Eq)]
pub enum MemberChange<T> {
    Done(T),
    NotAMember,
    /// Refused: the organisation would be left without an admin.
    LastAdmin,
}

/// The roles of every member, locked until the transaction ends, so that two admins cannot demote or remove each
/// other at the same moment and leave nobody in charge.
async fn lock_roles(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<Vec<(Uuid, String)>, StoreError> {
    Ok(memberships::table
        .filter(memberships::organization_id.eq(org_id))
        .select((memberships::user_id, memberships::role))
        .for_update()
        .load(conn)
        .await?)
}

/// `None` if `user_id` is not a member; else whether taking admin rights from them leaves no admin.
fn is_last_admin(roles: &[(Uuid, String)], user_id: Uuid) -> Option<bool> {
    let admin = MemberRole::Admin.as_str();
    let (_, role) = roles.iter().find(|(id, _)| *id == user_id)?;
    Some(role == admin && roles.iter().filter(|(_, r)| r == admin).count() <= 1)
}

pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<MemberChange<()>, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            match is_last_admin(&lock_roles(conn, org_id).await?, user_id) {
                None => Ok(MemberChange::NotAMember),
                Some(true) => Ok(MemberChange::LastAdmin),
                Some(false) => {
                    diesel::delete(memberships::table.find((org_id, user_id))).execute(conn).await?;
                    Ok(MemberChange::Done(()))
                }
            }
        }
        .scope_boxed()
    })
    .await
}

#[derive(AsChangeset)]
#[diesel(table_name = memberships)]
struct MembershipChanges {
    role: Option<&'static str>,
    contact_point: Option<bool>,
}

/// Changes a member's role or contact-point flag; the last admin cannot become a recruiter.
pub async fn update_member(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    user_id: Uuid,
    patch: MemberPatch,
) -> Result<MemberChange<Member>, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let demoting = patch.role == Some(MemberRole::Recruiter);
            match is_last_admin(&lock_roles(conn, org_id).await?, user_id) {
                None => return Ok(MemberChange::NotAMember),
                Some(true) if demoting => return Ok(MemberChange::LastAdmin),
                Some(_) => {}
            }
            if patch.role.is_some() || patch.contact_point.is_some() {
                let changes =
                    MembershipChanges { role: patch.role.map(MemberRole::as_str), contact_point: patch.contact_point };
                diesel::update(memberships::table.find((org_id, user_id))).set(changes).execute(conn).await?;
            }
            let member = members(conn, org_id).await?.into_iter().find(|m| m.user_id == user_id);
            Ok(member.map_or(MemberChange::NotAMember, MemberChange::Done))
        }
        .scope_boxed()
    })
    .await
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

/// Up to `limit + 1` contact points of network organisations after `after`.
pub async fn network_contacts(
    conn: &mut AsyncPgConnection,
    after: Option<ContactPosition>,
    limit: i64,
) -> Result<Vec<NetworkContact>, StoreError> {
    let mut query = memberships::table
        .inner_join(organizations::table)
        .inner_join(users::table)
        .filter(organizations::network_member_since.is_not_null())
        .filter(memberships::contact_point.eq(true))
        .into_boxed();
    if let Some((name, org_id, user_id)) = after {
        query =
            query.filter(organizations::name.gt(name.clone()).or(organizations::name.eq(name).and(
                organizations::id.gt(org_id).or(organizations::id.eq(org_id).and(memberships::user_id.gt(user_id))),
            )));
    }
    let rows: Vec<(Uuid, String, Uuid, String, MemberRole, String)> = query
        .order((organizations::name.asc(), organizations::id.asc(), memberships::user_id.asc()))
        .limit(limit + 1)
        .select((
            organizations::id,
            organizations::name,
            users::id,
            users::display_name,
            memberships::role,
            users::email,
        ))
        .load(conn)
        .await?;
    rows.into_iter()
        .map(|(organization_id, organization_name, user_id, name, role, email)| {
            Ok(NetworkContact { organization_id, organization_name, user_id, name, role, email })
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

/// Deletes an organisation with its jobs, memberships and recruitments (by cascade). Its jobs leave the search
/// index, and the partners of the seekers it recruited are re-indexed, as they may leave the partner pool.
pub async fn close_organization(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<(), StoreError> {
    use crate::outbox::{enqueue, Entity};
    use crate::schema::{jobs, recruitments};
    let job_ids: Vec<Uuid> = jobs::table.filter(jobs::organization_id.eq(org_id)).select(jobs::id).load(conn).await?;
    for job_id in job_ids {
        enqueue(conn, Entity::Job, job_id).await?;
    }
    let recruited: Vec<Uuid> = recruitments::table
        .filter(recruitments::organization_id.eq(org_id))
        .select(recruitments::seeker_id)
        .load(conn)
        .await?;
    let mut partners = Vec::new();
    for seeker_id in recruited {
        partners.extend(crate::partners::store::partner_id_of(conn, seeker_id).await?);
    }
    crate::partners::store::reindex_seekers(conn, &partners).await?;
    diesel::delete(organizations::table.find(org_id)).execute(conn).await?;
    Ok(())
}
