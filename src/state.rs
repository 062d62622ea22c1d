//! The application state every handler and worker can reach: the pool, configuration, keys, the search index,
//! the taxonomy in memory and the search runner.

use std::sync::Arc;

use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::db::{self, DbConn, DbPool};
use crate::error::ApiError;
use crate::search::{SearchIndex, SearchRunner};
use crate::secrets::Secrets;
use crate::taxonomy::LiveTaxonomy;

/// What every handler can reach. Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub tokens: Arc<TokenKeys>,
    /// The keys derived from the root secret, for unsubscribe links and invitation tokens.
    pub secrets: Arc<Secrets>,
    /// The search index; unavailable until an indexer (started by `Application::build`) has opened it.
    pub search: SearchIndex,
    /// The skills taxonomy in memory, for resolving search parameters; `Workers` keep it in step.
    pub taxonomy: LiveTaxonomy,
    /// Where searches run: a pool sized to the cores with a bounded queue.
    pub searches: SearchRunner,
    /// The importer behind `POST /admin/imports`, with its skill extractor; built on the first import.
    pub importer: Arc<tokio::sync::OnceCell<crate::imports::Importer>>,
}

impl AppState {
    /// Connects, prepares the database and builds the state; the one way `serve` and the CLI start.
    pub async fn connect(config: Config) -> anyhow::Result<Self> {
        db::prepare(&config.database_url).await?;
        let pool = db::pool(&config.database_url, 16)?;
        crate::taxonomy::load::ensure_loaded(&pool).await?;
        let (secrets, taxonomy) = {
            let mut conn = pool.get().await.map_err(db::StoreError::from)?;
            (Secrets::load(&mut conn, config.jwt_secret.as_deref()).await?, LiveTaxonomy::load(&mut conn).await?)
        };
        let tokens = TokenKeys::new(secrets.token_key());
        Ok(Self {
            pool,
            config: Arc::new(config),
            tokens: Arc::new(tokens),
            secrets: Arc::new(secrets),
            search: SearchIndex::new(),
            taxonomy,
            searches: SearchRunner::sized_to_cores(),
            importer: Arc::default(),
        })
    }

    /// A pooled connection; the wait for it is counted in `/metrics`.
    pub async fn conn(&self) -> Result<DbConn, ApiError> {
        Ok(crate::observability::pooled_conn(&self.pool).await?)
    }
}
