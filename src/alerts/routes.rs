//! HTTP endpoints for alerts: a seeker's own alerts, and the one-click unsubscribe link (RFC 8058) that works
//! without signing in.

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{delete, get, post, web, HttpResponse};
use minijinja::{context, Environment};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use uuid::Uuid;

use super::model::{AlertJob, AlertView, CreateAlert};
use super::service;
use crate::auth::Seeker;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(create_alert, list_alerts, alert_jobs, delete_alert, unsubscribe_page, unsubscribe))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_alert)
        .service(list_alerts)
        .service(alert_jobs)
        .service(delete_alert)
        .service(unsubscribe_page)
        .service(unsubscribe);
}

/// Create an alert: a saved search, jobs that fit my profile, or both; mailed at once or as a daily or weekly
/// digest. Each job is mailed at most once per alert. A seeker keeps at most 20 alerts.
#[utoipa::path(
    tag = "alerts",
    request_body = CreateAlert,
    security(("bearer" = [])),
    responses(
        (status = 201, body = AlertView),
        (status = 400, description = "malformed JSON", body = Problem),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 409, description = "the seeker already has 20 alerts", body = Problem),
        (status = 415, body = Problem),
        (status = 422, description = "invalid values, unknown fields or unknown skills; each one is named", body = Problem),
    )
)]
#[post("/api/v1/me/alerts")]
async fn create_alert(
    state: web::Data<AppState>,
    seeker: Seeker,
    body: JsonBody<CreateAlert>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let alert = service::create(&mut conn, seeker.id(), body.0).await?;
    Ok(HttpResponse::Created().json(alert))
}

/// My alerts, oldest first.
#[utoipa::path(
    tag = "alerts",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<AlertView>),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 422, description = "a bad limit or cursor", body = Problem),
    )
)]
#[get("/api/v1/me/alerts")]
async fn list_alerts(
    state: web::Data<AppState>,
    seeker: Seeker,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AlertView>>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, seeker.id(), &page).await?))
}

/// The jobs one of my alerts matched that are still open, newest match first: mailed or still waiting for the
/// alert's digest. A digest lists the best 20 of its new jobs and links here for the rest. A page may hold fewer
/// than `limit` jobs when matched jobs have closed since; `next_cursor` is null on the last page.
#[utoipa::path(
    tag = "alerts",
    params(("id" = Uuid, Path, description = "alert id"), PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<AlertJob>),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 404, description = "no such alert among mine", body = Problem),
        (status = 422, description = "a bad limit or cursor", body = Problem),
    )
)]
#[get("/api/v1/me/alerts/{id}/jobs")]
async fn alert_jobs(
    state: web::Data<AppState>,
    seeker: Seeker,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AlertJob>>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::jobs(&mut conn, seeker.id(), id.into_inner(), &page).await?))
}

/// Delete one of my alerts; jobs it had waiting for a digest are not sent.
#[utoipa::path(
    tag = "alerts",
    params(("id" = Uuid, Path, description = "alert id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 404, description = "no such alert among mine", body = Problem),
    )
)]
#[delete("/api/v1/me/alerts/{id}")]
async fn delete_alert(
    state: web::Data<AppState>,
    seeker: Seeker,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    service::delete(&mut conn, seeker.id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeParams {
    /// The token from the alert email's unsubscribe link.
    pub token: String,
}

/// The unsubscribe link's page: asks to confirm with a button (a link merely opened, say by a mail scanner,
/// changes nothing).
#[utoipa::path(
    tag = "alerts",
    params(UnsubscribeParams),
    responses(
        (status = 200, description = "a confirmation page", content_type = "text/html", body = String),
        (status = 404, description = "not a genuine unsubscribe token", body = Problem),
        (status = 422, description = "no token", body = Problem),
    )
)]
#[get("/api/v1/alerts/unsubscribe")]
async fn unsubscribe_page(
    state: web::Data<AppState>,
    params: web::Query<UnsubscribeParams>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let target = service::inspect(&mut conn, &state.secrets, &params.token).await?;
    match target.alert {
        Some(alert) => page("confirm", &alert.name),
        None => page("gone", ""),
    }
}

/// Unsubscribe: deletes the alert the token names. No sign-in and no form field is needed (RFC 8058 one-click:
/// mail clients send `List-Unsubscribe=One-Click`, which is accepted and ignored, like any other body).
/// Unsubscribing again is no error.
#[utoipa::path(
    tag = "alerts",
    params(UnsubscribeParams),
    responses(
        (status = 200, description = "unsubscribed; a page saying so", content_type = "text/html", body = String),
        (status = 404, description = "not a genuine unsubscribe token", body = Problem),
        (status = 422, description = "no token", body = Problem),
    )
)]
#[post("/api/v1/alerts/unsubscribe")]
async fn unsubscribe(
    state: web::Data<AppState>,
    params: web::Query<UnsubscribeParams>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    match service::unsubscribe(&mut conn, &state.secrets, &params.token).await? {
        Some(name) => page("done", &name),
        None => page("gone", ""),
    }
}

/// Renders the small unsubscribe page (HTML-escaped: the alert's name is the seeker's own text).
fn page(state: &str, name: &str) -> Result<HttpResponse, ApiError> {
    let mut env = Environment::new();
    env.add_template("unsubscribe.html", include_str!("unsubscribe.html"))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let html = env
        .get_template("unsubscribe.html")
        .and_then(|t| t.render(context! { state, name }))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(html))
}
