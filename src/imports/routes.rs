//! HTTP endpoint for operators: import a batch of ads posted in the request.

use actix_web::{post, web};
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use super::model::{Format, ImportSummary};
use super::run::Importer;
use crate::auth::Admin;
use crate::body::ForeignJsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(import_ads))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(import_ads);
}

/// A batch of ads in one of the import formats.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// `jobtech` (JobSearch/JobStream ads) or `jobposting` (schema.org JobPosting objects or JSON-LD documents).
    pub source: Format,
    /// The ads, each as its source publishes it; an ad that cannot be read is skipped and reported.
    #[schema(value_type = Vec<Object>)]
    pub ads: Vec<serde_json::Value>,
}

/// Import ads (operators): new ones become jobs, changed ones update theirs, `removed: true` withdraws one, the
/// same job from another board is merged into it. Running the same batch again changes nothing.
#[utoipa::path(
    tag = "imports",
    request_body = ImportRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = ImportSummary),
        (status = 401, body = Problem),
        (status = 403, description = "not an operator", body = Problem),
        (status = 413, description = "more than 1 MiB", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/api/v1/admin/imports")]
async fn import_ads(
    state: web::Data<AppState>,
    _admin: Admin,
    body: ForeignJsonBody<ImportRequest>,
) -> Result<web::Json<ImportSummary>, ApiError> {
    let ForeignJsonBody(request) = body;
    let importer = state
        .importer
        .get_or_try_init(|| async {
            let mut conn = state.conn().await?;
            Importer::load(&mut conn).await.map_err(ApiError::from)
        })
        .await?;
    let input = serde_json::to_vec(&request.ads).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(web::Json(importer.import(&state.pool, request.source, input, |_| {}).await?))
}
