//! HTTP endpoints (being written).

use actix_web::web;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths())]
pub struct Api;

pub fn configure(_cfg: &mut web::ServiceConfig) {}
