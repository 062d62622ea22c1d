//! HTTP endpoints for the taxonomy: skill autocomplete.

use actix_web::{get, web};
use utoipa::OpenApi;

use super::model::{SkillQuery, SkillSuggestion};
use super::store;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(suggest_skills), components(schemas(SkillSuggestion)))]
pub struct TaxonomyApi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(suggest_skills);
}

/// Autocomplete skills over their English and Swedish labels and synonyms: by the start of the label or of any word
/// in it, ignoring case and accents, and tolerating a typo. One entry per skill: exact matches first, then prefix
/// matches (curated life-science skills first, then shorter labels), then near matches.
#[utoipa::path(
    tag = "taxonomy",
    params(SkillQuery),
    responses(
        (status = 200, description = "matching skills, best first", body = [SkillSuggestion]),
        (status = 422, description = "`q` missing, empty or longer than 100 characters; `limit` not 1 to 50", body = Problem),
    )
)]
#[get("/api/v1/skills")]
async fn suggest_skills(
    state: web::Data<AppState>,
    query: web::Query<SkillQuery>,
) -> Result<web::Json<Vec<SkillSuggestion>>, ApiError> {
    let suggest = query.validate().map_err(ApiError::Invalid)?;
    let mut conn = state.conn().await?;
    let rows = store::suggest(&mut conn, &suggest).await?;
    Ok(web::Json(rows.into_iter().map(SkillSuggestion::from).collect()))
}
