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
use crate::search::Indexer;
use crate::state::AppState;

/// How long start-up waits for the search index before serving anyway.
const INDEX_START_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// A built server, listening, ready to run. Tests build it on port 0 and read the port.
pub struct Application {
    server: Server,
    port: u16,
    pub state: AppState,
    indexer: Indexer,
    mail: crate::mail::worker::MailWorkers,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind_addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {} (BIND_ADDR): {e}", config.bind_addr))?;
        let port = listener.local_addr()?.port();
        let state = AppState::connect(config).await?;
        let indexer = Indexer::start(&state.config.database_url, state.config.index_dir.clone(), state.search.clone())?;
        // A small index is ready in moments; a large rebuild goes on while search answers 503.
        state.search.wait_available(INDEX_START_WAIT).await;
        let mail =
            crate::mail::worker::MailWorkers::start(state.pool.clone(), &state.config, state.config.mail_workers)?;
        let server = server(state.clone(), listener)?;
        Ok(Self { server, port, state, indexer, mail })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server is stopped (e.g. by SIGTERM), then stops the workers cleanly.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        // Mail in flight is finished, not abandoned: its rows would otherwise wait for their lease to expire.
        self.mail.shutdown().await;
        let indexer = self.indexer;
        if tokio::task::spawn_blocking(move || indexer.stop()).await.is_err() {
            tracing::error!("the indexer did not stop cleanly");
        }
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
