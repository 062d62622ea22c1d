//! The rules for organisations: who is a member and what that lets them do, never leaving an organisation without
//! an admin, who may see the HR network's contacts, and closing an organisation with what depends on it. Other
//! features call the functions re-exported from `orgs`; each takes the caller's connection, so it runs inside the
//! caller's transaction when there is one.

use std::collections::HashMap;

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::imported::{ImportedEmployer, UnusableEmployer};
use super::imported_store;
use super::model::{is_last_admin, Member, MemberPatch, MemberRole, Membership, NetworkContact, OrganizationSummary};
use super::store::{self, MemberRow};
use crate::auth::directory::{self, Contact};
use crate::auth::{AuthUser, Role};
use crate::db::StoreError;
use crate::error::ApiError;

pub use super::store::{
    approve_request, create_organization, find_organization, is_network_member, organization_exists, organizations_of,
    pending_requests, promote_to_admin, request_network, sole_adminships, update_organization, Approval,
    ContactPosition, JoinRequest, PendingPosition, SoleAdminship,
};

/// The membership of `user_id` in `org_id`, if any: the one place that says who belongs to an organisation.
pub async fn membership_of(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Membership>, StoreError> {
    store::membership(conn, org_id, user_id).await
}

/// The caller's membership; 404 if the organisation does not exist, 403 if the caller is not in it.
pub async fn required_membership(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<Membership, ApiError> {
    match store::membership(conn, org_id, user_id).await? {
        Some(m) => Ok(m),
        None if store::organization_exists(conn, org_id).await? => {
            Err(ApiError::Forbidden("only members of this organisation may do this".to_owned()))
        }
        None => Err(ApiError::NotFound),
    }
}

/// Who may change the profile: `Some(true)` for the organisation's admins, and for operators while nobody has
/// claimed it; `Some(false)` for anyone else; `None` if it does not exist.
pub async fn may_edit(conn: &mut AsyncPgConnection, org_id: Uuid, user: &AuthUser) -> Result<Option<bool>, StoreError> {
    if user.role == Role::Admin {
        return Ok(store::is_claimed(conn, org_id).await?.map(|claimed| !claimed));
    }
    match store::membership(conn, org_id, user.id).await? {
        Some(m) => Ok(Some(m.role == MemberRole::Admin)),
        None => Ok(store::organization_exists(conn, org_id).await?.then_some(false)),
    }
}

/// Why an imported employer has no organisation.
#[derive(Debug, thiserror::Error)]
pub enum EmployerError {
    #[error(transparent)]
    Unusable(#[from] UnusableEmployer),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The organisation of an imported ad's employer, in the caller's transaction: the one with its organisation
/// number (claimed or not; "556000-1234" and "5560001234" are one), else, for an employer without a number, the
/// one an import made with its normalised name, else a new unclaimed one.
pub async fn find_or_create_unclaimed(
    conn: &mut AsyncPgConnection,
    employer: ImportedEmployer<'_>,
) -> Result<Uuid, EmployerError> {
    let clean = employer.clean()?;
    let ids = imported_store::find_or_create(conn, std::slice::from_ref(&clean)).await?;
    Ok(ids.first().copied().ok_or(StoreError::NotFound)?)
}

/// [`find_or_create_unclaimed`] for many employers in a few statements: an outcome per employer, in order.
/// Employers repeated in the batch get one organisation.
pub async fn find_or_create_unclaimed_many(
    conn: &mut AsyncPgConnection,
    employers: &[ImportedEmployer<'_>],
) -> Result<Vec<Result<Uuid, UnusableEmployer>>, StoreError> {
    let cleaned: Vec<_> = employers.iter().map(ImportedEmployer::clean).collect();
    let usable: Vec<_> = cleaned.iter().filter_map(|c| c.as_ref().ok().cloned()).collect();
    let mut ids = imported_store::find_or_create(conn, &usable).await?.into_iter();
    cleaned
        .into_iter()
        .map(|c| match c {
            Ok(_) => ids.next().map(Ok).ok_or(StoreError::NotFound),
            Err(unusable) => Ok(Err(unusable)),
        })
        .collect()
}

/// The name and place of each of the organisations among `ids` that exist, by id.
pub async fn summaries(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, OrganizationSummary>, StoreError> {
    store::summaries(conn, ids).await
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

/// Adds the employer account with this email (compared normalised); a second membership is a `memberships_pkey`
/// conflict.
pub async fn add_member(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    email: &str,
    role: MemberRole,
    contact_point: bool,
) -> Result<Member, AddMemberError> {
    let email = crate::auth::model::normalize_email(email);
    let Some(user) = directory::employer_by_email(conn, &email).await? else {
        return Err(AddMemberError::NoSuchEmployer);
    };
    store::insert_membership(conn, org_id, user.user_id, role, contact_point).await?;
    Ok(Member { user_id: user.user_id, email: user.email, display_name: user.display_name, role, contact_point })
}

fn to_member(row: MemberRow, contact: Contact) -> Member {
    Member {
        user_id: row.user_id,
        email: contact.email,
        display_name: contact.display_name,
        role: row.role,
        contact_point: row.contact_point,
    }
}

/// Every member of the organisation, longest-standing first.
pub async fn members(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<Vec<Member>, StoreError> {
    let rows = store::member_rows(conn, org_id).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.user_id).collect();
    let mut contacts = directory::contacts(conn, &ids).await?;
    // A membership whose account is gone is on its way out with it (by cascade): leave it out.
    Ok(rows.into_iter().filter_map(|r| contacts.remove(&r.user_id).map(|c| to_member(r, c))).collect())
}

/// What became of a request to remove or change a member.
#[derive(Debug, PartialEq, Eq)]
pub enum MemberChange<T> {
    Done(T),
    NotAMember,
    /// Refused: the organisation would be left without an admin.
    LastAdmin,
}

/// Removes a member, unless they are the last admin. The roles stay locked meanwhile, so two admins cannot
/// remove each other at the same moment.
pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<MemberChange<()>, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            match is_last_admin(&store::lock_roles(conn, org_id).await?, user_id) {
                None => Ok(MemberChange::NotAMember),
                Some(true) => Ok(MemberChange::LastAdmin),
                Some(false) => {
                    store::delete_membership(conn, org_id, user_id).await?;
                    Ok(MemberChange::Done(()))
                }
            }
        }
        .scope_boxed()
    })
    .await
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
            match is_last_admin(&store::lock_roles(conn, org_id).await?, user_id) {
                None => return Ok(MemberChange::NotAMember),
                Some(true) if demoting => return Ok(MemberChange::LastAdmin),
                Some(_) => {}
            }
            store::update_membership(conn, org_id, user_id, &patch).await?;
            let member = members(conn, org_id).await?.into_iter().find(|m| m.user_id == user_id);
            Ok(member.map_or(MemberChange::NotAMember, MemberChange::Done))
        }
        .scope_boxed()
    })
    .await
}

/// Up to `limit + 1` contact points of network organisations after `after`, for a member of a network
/// organisation only.
pub async fn network_contacts(
    conn: &mut AsyncPgConnection,
    caller: Uuid,
    after: Option<ContactPosition>,
    limit: i64,
) -> Result<Vec<NetworkContact>, ApiError> {
    if !store::is_network_member(conn, caller).await? {
        return Err(ApiError::Forbidden("only members of organisations in the HR network may see this".to_owned()));
    }
    let rows = store::network_contacts(conn, after, limit).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.user_id).collect();
    // One person can be the contact point of several organisations, so contacts are cloned, not taken.
    let contacts = directory::contacts(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let contact = contacts.get(&r.user_id)?.clone();
            Some(NetworkContact {
                organization_id: r.organization_id,
                organization_name: r.organization_name,
                user_id: r.user_id,
                name: contact.display_name,
                role: r.role,
                email: contact.email,
            })
        })
        .collect())
}

/// Deletes an organisation with its jobs, memberships and recruitments (by cascade), in the caller's transaction.
/// Its jobs leave the search index, and the partners of the seekers it recruited are re-indexed, as they may leave
/// the partner pool.
pub async fn close_organization(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<(), StoreError> {
    crate::jobs::queue_organization_jobs(conn, org_id).await?;
    crate::partners::before_organization_closes(conn, org_id).await?;
    store::delete_organization(conn, org_id).await
}
