//! `GET /metrics`: Prometheus text for operators (an admin's access token, or `METRICS_TOKEN` for a scraper).

use actix_web::http::header;
use actix_web::{get, web, FromRequest, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa::OpenApi;

use super::{gauges, handle, CONTENT_TYPE};
use crate::auth::extract::AuthUser;
use crate::auth::model::Role;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(metrics))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(metrics);
}

/// The service's metrics in the Prometheus text format: requests and latencies per route pattern, index and
/// alert-matcher lag, mail outbox depth and failures, login throttles, database pool waits. For an operator's
/// access token, or the `METRICS_TOKEN` a scraper is configured with.
#[utoipa::path(
    tag = "operations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, description = "no token, or neither a valid access token nor METRICS_TOKEN", body = Problem),
        (status = 403, description = "signed in, but not an operator", body = Problem),
    )
)]
#[get("/metrics")]
async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state).await?;
    // The gauges are process-wide: one scrape at a time, so each renders the figures it read (tests run several
    // servers in one process).
    static ONE_SCRAPE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _scraping = ONE_SCRAPE_AT_A_TIME.lock().await;
    gauges::refresh(&state).await;
    let handle = handle();
    // Histograms are summed up in upkeep; doing it here keeps a scrape current without a background task.
    handle.run_upkeep();
    Ok(HttpResponse::Ok().content_type(CONTENT_TYPE).body(handle.render()))
}

/// A scraper's `METRICS_TOKEN`, or an operator's access token.
async fn authorize(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    if let (Some(expected), Some(presented)) = (&state.config.metrics_token, bearer(req)) {
        if same_secret(expected, presented) {
            return Ok(());
        }
    }
    let user = AuthUser::extract(req).await?;
    match user.role {
        Role::Admin => Ok(()),
        _ => Err(ApiError::Forbidden("only operators may read the metrics".to_owned())),
    }
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::trim)
}

/// Compares digests in constant time, so neither the token's content nor its length shows in the timing.
fn same_secret(expected: &str, presented: &str) -> bool {
    let (expected, presented) = (Sha256::digest(expected.as_bytes()), Sha256::digest(presented.as_bytes()));
    expected.as_slice().ct_eq(presented.as_slice()).into()
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn only_the_very_same_token_is_the_same_secret() {
        assert!(same_secret("scrape-token-0123456789", "scrape-token-0123456789"));
        assert!(!same_secret("scrape-token-0123456789", "scrape-token-012345678"));
        assert!(!same_secret("scrape-token-0123456789", ""));
    }
}
