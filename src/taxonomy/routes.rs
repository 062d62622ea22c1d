//! HTTP endpoints for the taxonomy: skill autocomplete.

use actix_web::web;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths())]
pub struct TaxonomyApi;

pub fn configure(_cfg: &mut web::ServiceConfig) {}
