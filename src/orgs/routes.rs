//! HTTP endpoints for organisations, their members, and the HR network (requests, approvals, contacts); the claim
//! endpoints (`claims::routes`) are served and documented with them.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use utoipa::OpenApi;
use uuid::Uuid;

use super::claims::routes as claims;
use super::extract::{OrgAdmin, OrgEditor, OrgMember};
use super::model::{
    AddMember, CreateOrganization, Member, MemberPatch, NetworkContact, NetworkRequest, Organization,
    OrganizationPatch, PendingNetworkRequest,
};
use super::service::ContactPosition;
use super::service::{self, AddMemberError, Approval, JoinRequest, MemberChange, PendingPosition};
use crate::auth::{Admin, AuthUser, Employer};
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(
    create_organization,
    get_organization,
    update_organization,
    add_member,
    list_members,
    remove_member,
    request_network_membership,
    list_network_requests,
    approve_network_request,
    network_contacts,
    claims::claim_organization,
    claims::list_organization_claims,
    claims::approve_organization_claim,
    claims::decline_organization_claim
))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_organization)
        .service(get_organization)
        .service(update_organization)
        .service(add_member)
        .service(list_members)
        .service(update_member)
        .service(remove_member)
        .service(request_network_membership)
        .service(list_network_requests)
        .service(approve_network_request)
        .service(network_contacts)
        .configure(claims::configure);
}

/// Register an organisation. The caller becomes its first admin.
#[utoipa::path(
    tag = "organisations",
    request_body = CreateOrganization,
    security(("bearer" = [])),
    responses(
        (status = 201, body = Organization),
        (status = 401, body = Problem),
        (status = 403, description = "not an employer account", body = Problem),
        (status = 409, description = "an organisation with this org_number exists", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/api/v1/organizations")]
async fn create_organization(
    state: web::Data<AppState>,
    caller: Employer,
    body: JsonBody<CreateOrganization>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0.validate().map_err(ApiError::Invalid)?;
    let mut conn = state.conn().await?;
    let org = service::create_organization(&mut conn, new, caller.id()).await?;
    Ok(HttpResponse::Created().json(org))
}

/// An organisation's public profile.
#[utoipa::path(
    tag = "organisations",
    params(("id" = Uuid, Path, description = "organisation id")),
    responses((status = 200, body = Organization), (status = 404, body = Problem))
)]
#[get("/api/v1/organizations/{id}")]
async fn get_organization(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Organization>, ApiError> {
    let mut conn = state.conn().await?;
    let org = service::find_organization(&mut conn, id.into_inner()).await?.ok_or(ApiError::NotFound)?;
    Ok(web::Json(org))
}

/// Update the profile (admins; operators while the organisation is unclaimed). Fields left out stay; `org_number`,
/// `website` and `description` are cleared by `null`.
#[utoipa::path(
    tag = "organisations",
    params(("id" = Uuid, Path, description = "organisation id")),
    request_body = OrganizationPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, body = Organization),
        (status = 401, body = Problem),
        (status = 403, description = "not an admin of this organisation (nor an operator while it is unclaimed)", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "another organisation has this org_number", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[patch("/api/v1/organizations/{id}")]
async fn update_organization(
    state: web::Data<AppState>,
    editor: OrgEditor,
    body: JsonBody<OrganizationPatch>,
) -> Result<web::Json<Organization>, ApiError> {
    let patch = body.0.validate().map_err(ApiError::Invalid)?;
    let mut conn = state.conn().await?;
    Ok(web::Json(service::update_organization(&mut conn, editor.org_id(), patch).await?))
}

/// Add an existing employer account as admin or recruiter (admins).
#[utoipa::path(
    tag = "organisations",
    params(("id" = Uuid, Path, description = "organisation id")),
    request_body = AddMember,
    security(("bearer" = [])),
    responses(
        (status = 201, body = Member),
        (status = 401, body = Problem),
        (status = 403, description = "not an admin of this organisation", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "already a member", body = Problem),
        (status = 422, description = "no employer account has this email", body = Problem),
    )
)]
#[post("/api/v1/organizations/{id}/members")]
async fn add_member(
    state: web::Data<AppState>,
    admin: OrgAdmin,
    body: JsonBody<AddMember>,
) -> Result<HttpResponse, ApiError> {
    let AddMember { email, role, contact_point } = body.0;
    let mut conn = state.conn().await?;
    match service::add_member(&mut conn, admin.org_id(), &email, role, contact_point).await {
        Ok(member) => Ok(HttpResponse::Created().json(member)),
        Err(AddMemberError::NoSuchEmployer) => Err(ApiError::invalid("email", "no employer account has this email")),
        Err(AddMemberError::Store(e)) => Err(e.into()),
    }
}

/// The organisation's members (members only).
#[utoipa::path(
    tag = "organisations",
    params(("id" = Uuid, Path, description = "organisation id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Member>),
        (status = 401, body = Problem),
        (status = 403, description = "not a member of this organisation", body = Problem),
        (status = 404, body = Problem),
    )
)]
#[get("/api/v1/organizations/{id}/members")]
async fn list_members(state: web::Data<AppState>, member: OrgMember) -> Result<web::Json<Vec<Member>>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::members(&mut conn, member.org_id()).await?))
}

/// Remove a member (admins). Their access ends with their next request. The last admin cannot be removed.
#[utoipa::path(
    tag = "organisations",
    params(
        ("id" = Uuid, Path, description = "organisation id"),
        ("user_id" = Uuid, Path, description = "the member's user id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "removed"),
        (status = 401, body = Problem),
        (status = 403, description = "not an admin of this organisation", body = Problem),
        (status = 404, description = "no such organisation or member", body = Problem),
        (status = 409, description = "this is the organisation's last admin", body = Problem),
    )
)]
#[delete("/api/v1/organizations/{id}/members/{user_id}")]
async fn remove_member(
    state: web::Data<AppState>,
    admin: OrgAdmin,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, user_id) = path.into_inner();
    let mut conn = state.conn().await?;
    match service::remove_member(&mut conn, admin.org_id(), user_id).await? {
        MemberChange::Done(()) => Ok(HttpResponse::NoContent().finish()),
        MemberChange::NotAMember => Err(ApiError::NotFound),
        MemberChange::LastAdmin => Err(last_admin()),
    }
}

/// Change a member's role or contact-point flag (admins). The last admin cannot become a recruiter.
#[utoipa::path(
    tag = "organisations",
    params(
        ("id" = Uuid, Path, description = "organisation id"),
        ("user_id" = Uuid, Path, description = "the member's user id"),
    ),
    request_body = MemberPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, body = Member),
        (status = 401, body = Problem),
        (status = 403, description = "not an admin of this organisation", body = Problem),
        (status = 404, description = "no such organisation or member", body = Problem),
        (status = 409, description = "this is the organisation's last admin", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[patch("/api/v1/organizations/{id}/members/{user_id}")]
async fn update_member(
    state: web::Data<AppState>,
    admin: OrgAdmin,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<MemberPatch>,
) -> Result<web::Json<Member>, ApiError> {
    let (_, user_id) = path.into_inner();
    let mut conn = state.conn().await?;
    match service::update_member(&mut conn, admin.org_id(), user_id, body.0).await? {
        MemberChange::Done(member) => Ok(web::Json(member)),
        MemberChange::NotAMember => Err(ApiError::NotFound),
        MemberChange::LastAdmin => Err(last_admin()),
    }
}

fn last_admin() -> ApiError {
    ApiError::Conflict(
        "last-admin",
        "an organisation needs at least one admin; make someone else admin first".to_owned(),
    )
}

/// Ask to join the HR network (admins). An operator approves.
#[utoipa::path(
    tag = "hr network",
    params(("id" = Uuid, Path, description = "organisation id")),
    security(("bearer" = [])),
    responses(
        (status = 201, body = NetworkRequest),
        (status = 401, body = Problem),
        (status = 403, description = "not an admin of this organisation", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "already in the network, or a request is pending", body = Problem),
    )
)]
#[post("/api/v1/organizations/{id}/network-membership")]
async fn request_network_membership(state: web::Data<AppState>, admin: OrgAdmin) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    match service::request_network(&mut conn, admin.org_id(), admin.user_id()).await? {
        JoinRequest::Created(request) => Ok(HttpResponse::Created().json(request)),
        JoinRequest::AlreadyInNetwork => {
            Err(ApiError::Conflict("already-in-network", "the organisation is already in the network".into()))
        }
    }
}

/// Pending requests to join the HR network, oldest first (operators).
#[utoipa::path(
    tag = "hr network",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<PendingNetworkRequest>),
        (status = 401, body = Problem),
        (status = 403, description = "not an operator", body = Problem),
        (status = 422, description = "bad limit or cursor", body = Problem),
    )
)]
#[get("/api/v1/admin/network-requests")]
async fn list_network_requests(
    state: web::Data<AppState>,
    _admin: Admin,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<PendingNetworkRequest>>, ApiError> {
    let limit = page.limit()?;
    let after = page.position::<PendingPosition>()?;
    let mut conn = state.conn().await?;
    let rows = service::pending_requests(&mut conn, after, limit).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |r| (r.requested_at, r.id))))
}

/// Approve a request: the organisation joins the HR network (operators).
#[utoipa::path(
    tag = "hr network",
    params(("id" = Uuid, Path, description = "network request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = NetworkRequest),
        (status = 401, body = Problem),
        (status = 403, description = "not an operator", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "already approved", body = Problem),
    )
)]
#[post("/api/v1/admin/network-requests/{id}/approve")]
async fn approve_network_request(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
) -> Result<web::Json<NetworkRequest>, ApiError> {
    let mut conn = state.conn().await?;
    match service::approve_request(&mut conn, id.into_inner(), admin.id()).await? {
        Approval::Approved(request) => Ok(web::Json(request)),
        Approval::AlreadyApproved => {
            Err(ApiError::Conflict("already-approved", "this request is already approved".to_owned()))
        }
        Approval::NoSuchRequest => Err(ApiError::NotFound),
    }
}

/// The contact points of every organisation in the HR network (members of network organisations only).
#[utoipa::path(
    tag = "hr network",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<NetworkContact>),
        (status = 401, body = Problem),
        (status = 403, description = "not a member of an organisation in the network", body = Problem),
        (status = 422, description = "bad limit or cursor", body = Problem),
    )
)]
#[get("/api/v1/network/contacts")]
async fn network_contacts(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<NetworkContact>>, ApiError> {
    let limit = page.limit()?;
    let after = page.position::<ContactPosition>()?;
    let mut conn = state.conn().await?;
    let rows = service::network_contacts(&mut conn, user.id, after, limit).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |c| (c.organization_name.clone(), c.organization_id, c.user_id))))
}
