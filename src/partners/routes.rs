//! HTTP endpoints for dual careers: partner invitations and links, recruitments, referrals and their opt-out.

use actix_web::{delete, get, post, put, web, HttpResponse};
use utoipa::OpenApi;
use uuid::Uuid;

use super::links::{self, InvitationSettings};
use super::model::{
    Invitation, InvitationPreview, InvitePartner, Linked, PendingInvitation, PreferencesUpdate, RecruitRequest,
    Recruitment, Referral, ReferralPreferences, ReferralRequest,
};
use super::{recruits, referrals};
use crate::auth::{AuthUser, Seeker};
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::orgs::OrgMember;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(
    invite_partner,
    pending_invitations,
    revoke_invitation,
    show_invitation,
    accept_invitation,
    unlink_partner,
    report_recruit,
    my_recruitments,
    confirm_recruitment,
    refer,
    my_referrals,
    referral_preferences,
    set_referral_preferences
))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(invite_partner)
        .service(pending_invitations)
        .service(revoke_invitation)
        .service(show_invitation)
        .service(accept_invitation)
        .service(unlink_partner)
        .service(report_recruit)
        .service(my_recruitments)
        .service(confirm_recruitment)
        .service(refer)
        .service(my_referrals)
        .service(referral_preferences)
        .service(set_referral_preferences);
}

/// Invite a partner by email. The email carries a link that holds for 14 days and links the two profiles once.
#[utoipa::path(
    tag = "partners",
    request_body = InvitePartner,
    security(("bearer" = [])),
    responses(
        (status = 201, body = Invitation),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 409, description = "no profile saved yet, already linked to a partner, or already 3 invitations \
            pending", body = Problem),
        (status = 422, description = "not an email address, or one's own", body = Problem),
    )
)]
#[post("/api/v1/me/partner/invitations")]
async fn invite_partner(
    state: web::Data<AppState>,
    seeker: Seeker,
    body: JsonBody<InvitePartner>,
) -> Result<HttpResponse, ApiError> {
    crate::throttle::check(&state, &crate::throttle::PARTNER_INVITATIONS, &seeker.id().to_string()).await?;
    let settings = InvitationSettings {
        invitation_key: state.secrets.invitation_key(),
        public_base_url: &state.config.public_base_url,
    };
    let mut conn = state.conn().await?;
    let invitation = links::invite(&mut conn, settings, seeker.id(), body.0).await?;
    Ok(HttpResponse::Created().json(invitation))
}

/// My invitations that can still be accepted (neither accepted, revoked nor expired), newest first.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<PendingInvitation>),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
    )
)]
#[get("/api/v1/me/partner/invitations")]
async fn pending_invitations(
    state: web::Data<AppState>,
    seeker: Seeker,
) -> Result<web::Json<Vec<PendingInvitation>>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(links::pending(&mut conn, seeker.id()).await?))
}

/// Revoke an invitation I sent: its link answers 410 from now on. Revoking twice is no error.
#[utoipa::path(
    tag = "partners",
    params(("id" = Uuid, Path, description = "invitation id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 404, description = "no such invitation of mine", body = Problem),
        (status = 409, description = "already accepted: unlink instead", body = Problem),
    )
)]
#[delete("/api/v1/me/partner/invitations/{id}")]
async fn revoke_invitation(
    state: web::Data<AppState>,
    seeker: Seeker,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    links::revoke(&mut conn, seeker.id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who invites, and until when the invitation holds (anyone with the link).
#[utoipa::path(
    tag = "partners",
    params(("token" = String, Path, description = "the token from the invitation link")),
    responses(
        (status = 200, body = InvitationPreview),
        (status = 404, description = "no such invitation", body = Problem),
        (status = 410, description = "used, revoked or expired", body = Problem),
    )
)]
#[get("/api/v1/partner-invitations/{token}")]
async fn show_invitation(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<web::Json<InvitationPreview>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(links::preview(&mut conn, state.secrets.invitation_key(), &token).await?))
}

/// Accept an invitation as the partner (signed in with the invited address): the two profiles are linked.
#[utoipa::path(
    tag = "partners",
    params(("token" = String, Path, description = "the token from the invitation link")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Linked),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker, or the invitation was sent to another address",
            body = Problem),
        (status = 404, description = "no such invitation", body = Problem),
        (status = 409, description = "no profile saved yet, one's own invitation, or either already linked",
            body = Problem),
        (status = 410, description = "used, revoked or expired", body = Problem),
    )
)]
#[post("/api/v1/partner-invitations/{token}/accept")]
async fn accept_invitation(
    state: web::Data<AppState>,
    seeker: Seeker,
    token: web::Path<String>,
) -> Result<web::Json<Linked>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(links::accept(&mut conn, state.secrets.invitation_key(), seeker.id(), &token).await?))
}

/// Unlink from my partner (either partner may).
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "unlinked"),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 404, description = "no partner linked", body = Problem),
    )
)]
#[delete("/api/v1/me/partner")]
async fn unlink_partner(state: web::Data<AppState>, seeker: Seeker) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    links::unlink(&mut conn, seeker.id()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Report that this organisation recruited a (searchable) candidate; the candidate confirms.
#[utoipa::path(
    tag = "partners",
    params(("id" = Uuid, Path, description = "organisation id")),
    request_body = RecruitRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = Recruitment),
        (status = 401, body = Problem),
        (status = 403, description = "not a member of this organisation", body = Problem),
        (status = 404, description = "no such organisation", body = Problem),
        (status = 409, description = "already reported by this organisation", body = Problem),
        (status = 422, description = "no searchable candidate has this id", body = Problem),
    )
)]
#[post("/api/v1/organizations/{id}/recruits")]
async fn report_recruit(
    state: web::Data<AppState>,
    member: OrgMember,
    body: JsonBody<RecruitRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let recruitment = recruits::recruit(&mut conn, member.org_id(), member.user.id, body.0).await?;
    Ok(HttpResponse::Created().json(recruitment))
}

/// Recruitments organisations reported about me, newest first.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Recruitment>),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
    )
)]
#[get("/api/v1/me/recruitments")]
async fn my_recruitments(state: web::Data<AppState>, seeker: Seeker) -> Result<web::Json<Vec<Recruitment>>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(recruits::mine(&mut conn, seeker.id()).await?))
}

/// Confirm that I was recruited; from then my partner, if they chose so, is in the partner pool.
#[utoipa::path(
    tag = "partners",
    params(("id" = Uuid, Path, description = "recruitment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Recruitment),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 404, description = "no such recruitment of mine", body = Problem),
    )
)]
#[post("/api/v1/me/recruitments/{id}/confirm")]
async fn confirm_recruitment(
    state: web::Data<AppState>,
    seeker: Seeker,
    id: web::Path<Uuid>,
) -> Result<web::Json<Recruitment>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(recruits::confirm(&mut conn, seeker.id(), id.into_inner()).await?))
}

/// Refer a partner-pool candidate to another HR-network organisation, whose contact points are emailed.
#[utoipa::path(
    tag = "partners",
    request_body = ReferralRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = Referral),
        (status = 401, body = Problem),
        (status = 403, description = "not a member of an organisation in the HR network (or of from_organization_id)",
            body = Problem),
        (status = 409, description = "the candidate asked for no further referrals", body = Problem),
        (status = 422, description = "not a partner-pool candidate, not another network organisation, or a bad note",
            body = Problem),
    )
)]
#[post("/api/v1/referrals")]
async fn refer(
    state: web::Data<AppState>,
    user: AuthUser,
    body: JsonBody<ReferralRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::throttle::check(&state, &crate::throttle::REFERRALS, &user.id.to_string()).await?;
    let mut conn = state.conn().await?;
    let referral = referrals::refer(&mut conn, &state.config.public_base_url, user.id, body.0).await?;
    Ok(HttpResponse::Created().json(referral))
}

/// Referrals about me, newest first.
#[utoipa::path(
    tag = "partners",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<Referral>),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 422, description = "bad limit or cursor", body = Problem),
    )
)]
#[get("/api/v1/me/referrals")]
async fn my_referrals(
    state: web::Data<AppState>,
    seeker: Seeker,
    params: web::Query<PageParams>,
) -> Result<web::Json<Page<Referral>>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(referrals::mine(&mut conn, seeker.id(), &params).await?))
}

/// My partner settings: whether I accept further referrals, and whether I get partner commute alerts.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReferralPreferences),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 404, description = "no profile saved yet", body = Problem),
    )
)]
#[get("/api/v1/me/referral-preferences")]
async fn referral_preferences(
    state: web::Data<AppState>,
    seeker: Seeker,
) -> Result<web::Json<ReferralPreferences>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(referrals::preferences(&mut conn, seeker.id()).await?))
}

/// Stop (`false`) or resume (`true`) further referrals (`accept_referrals`) and partner commute alerts
/// (`partner_job_alerts`: jobs in every sector within commuting distance of my partner's employer). A setting left
/// out stays as it is.
#[utoipa::path(
    tag = "partners",
    request_body = PreferencesUpdate,
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReferralPreferences),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 404, description = "no profile saved yet", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[put("/api/v1/me/referral-preferences")]
async fn set_referral_preferences(
    state: web::Data<AppState>,
    seeker: Seeker,
    body: JsonBody<PreferencesUpdate>,
) -> Result<web::Json<ReferralPreferences>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(referrals::set_preferences(&mut conn, seeker.id(), body.0).await?))
}
