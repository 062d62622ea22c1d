//! Application assembly: the HTTP server with every feature's routes and the workers beside it.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{get, middleware, web, App, HttpResponse, HttpServer};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::body::MAX_BODY_BYTES;
use crate::config::Config;
use crate::db;
use crate::error::{self, ApiError, Problem};
use crate::state::AppState;
use crate::workers::{WorkerPlan, Workers};

/// A built server, listening, ready to run. Tests build it on port 0 and read the port.
pub struct Application {
    server: Server,
    port: u16,
    pub state: AppState,
    workers: Workers,
}

impl Application {
    /// Builds the server with every worker `serve` runs (see [`WorkerPlan::from_config`]).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let plan = WorkerPlan::from_config(&config);
        Self::build_with(config, &plan).await
    }

    /// Builds the server with the workers of `plan`.
    pub async fn build_with(config: Config, plan: &WorkerPlan) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind_addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {} (BIND_ADDR): {e}", config.bind_addr))?;
        let port = listener.local_addr()?.port();
        let state = AppState::connect(config).await?;
        let workers = Workers::start(&state, plan).await?;
        let server = server(state.clone(), listener)?;
        Ok(Self { server, port, state, workers })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The running background workers.
    pub fn workers(&self) -> &Workers {
        &self.workers
    }

    /// Serves until the server is stopped (e.g. by SIGTERM), then drains the workers.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.workers.shutdown().await;
        served
    }
}

fn server(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    let openapi = crate::openapi::openapi();
    // Installed before the first request, so that every request is counted.
    crate::observability::handle();
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware::from_fn(crate::hygiene::refuse_control_characters))
            .wrap(middleware::from_fn(crate::observability::middleware::track_requests))
            .wrap(crate::access_log::logger())
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .configure(routes)
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", openapi.clone()))
            .default_service(web::to(error::no_route))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Every feature's routes, in one place.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(readyz);
    crate::auth::routes::configure(cfg);
    crate::taxonomy::routes::configure(cfg);
    crate::seekers::routes::configure(cfg);
    crate::orgs::routes::configure(cfg);
    crate::jobs::routes::configure(cfg);
    crate::search::routes::configure(cfg);
    crate::privacy::routes::configure(cfg);
    crate::alerts::routes::configure(cfg);
    crate::partners::routes::configure(cfg);
    crate::imports::routes::configure(cfg);
    crate::observability::routes::configure(cfg);
}

/// The operations endpoints' part of the OpenAPI document (assembled in `crate::openapi`).
#[derive(OpenApi)]
#[openapi(paths(healthz, readyz))]
pub struct OperationsApi;

/// Liveness: the process answers.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "alive", body = serde_json::Value, example = json!({"status": "ok"})))
)]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database answers and the search index is open.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "ready", body = serde_json::Value, example = json!({"status": "ready"})),
        (status = 503, description = "the database or the search index is not ready", body = Problem),
    )
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::ping(&state.pool).await?;
    if !state.search.is_available() {
        return Err(ApiError::Unavailable("the search index is being built".to_owned()));
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
