//! The PostgreSQL pool, database creation, embedded migrations and the store-layer error.

use std::time::Duration;

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use futures_util::FutureExt;

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// What can go wrong below the domain: every store function returns this.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the row; the constraint name says which.
    #[error("conflict on {0}")]
    Conflict(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Query(DieselError),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(info.constraint_name().unwrap_or("unique").to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            other => Self::Query(other),
        }
    }
}

impl From<PoolError> for StoreError {
    fn from(e: PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// Why the database could not be prepared at start, phrased for the operator.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "cannot reach PostgreSQL at {url}: {reason}. Start it (on Debian: \
         `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or `docker compose up -d db`) \
         or set DATABASE_URL"
    )]
    Unreachable { url: String, reason: String },
    #[error("DATABASE_URL has no database name: {0}")]
    NoDatabaseName(String),
    #[error("could not create database {name}: {reason}")]
    Create { name: String, reason: String },
    #[error("migrations failed: {0}")]
    Migrate(String),
    #[error("could not build the connection pool: {0}")]
    Pool(String),
}

/// Statements that run longer than this are cancelled, so one bad query cannot hold a connection forever.
const STATEMENT_TIMEOUT: &str = "SET statement_timeout = '30s'";

/// Builds the pool. Connections are opened lazily; callers wait at most 5 s for one.
pub fn pool(url: &str, max_size: usize) -> Result<DbPool, SetupError> {
    let mut config = ManagerConfig::default();
    config.custom_setup = Box::new(|url| {
        async move {
            let mut conn = AsyncPgConnection::establish(url).await?;
            conn.batch_execute(STATEMENT_TIMEOUT)
                .await
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| SetupError::Pool(e.to_string()))
}

/// Splits `postgres://host/db?x` into the URL of the `postgres` maintenance database and `db`.
fn split_database(url: &str) -> Result<(String, String), SetupError> {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    let Some((_, name)) = after_scheme.split_once('/') else {
        return Err(SetupError::NoDatabaseName(url.to_owned()));
    };
    if name.is_empty() {
        return Err(SetupError::NoDatabaseName(url.to_owned()));
    }
    let mut maintenance = format!("{}postgres", &base[..base.len() - name.len()]);
    if let Some(q) = query {
        maintenance = format!("{maintenance}?{q}");
    }
    Ok((maintenance, name.to_owned()))
}

/// Creates the database named in `url` if it does not exist yet.
pub async fn create_database_if_missing(url: &str) -> Result<(), SetupError> {
    let (maintenance_url, name) = split_database(url)?;
    let mut conn = AsyncPgConnection::establish(&maintenance_url)
        .await
        .map_err(|e| SetupError::Unreachable { url: redact(url), reason: e.to_string() })?;
    let exists: i64 = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(&name)
        .get_result::<Count>(&mut conn)
        .await
        .map_err(|e| SetupError::Create { name: name.clone(), reason: e.to_string() })?
        .n;
    if exists == 0 {
        let quoted = name.replace('"', "\"\"");
        match conn.batch_execute(&format!("CREATE DATABASE \"{quoted}\"")).await {
            Ok(()) => tracing::info!(database = %name, "created database"),
            // Another process may have created it between our check and our CREATE.
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) if e.to_string().contains("already exists") => {}
            Err(e) => return Err(SetupError::Create { name, reason: e.to_string() }),
        }
    }
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Applies pending migrations. Diesel's harness is synchronous, so it runs on a blocking thread.
pub async fn run_migrations(url: &str) -> Result<(), SetupError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
            .map_err(|e| SetupError::Unreachable { url: redact(&url), reason: e.to_string() })?;
        conn.run_pending_migrations(MIGRATIONS).map_err(|e| SetupError::Migrate(e.to_string()))?;
        Ok(())
    })
    .await
    .map_err(|e| SetupError::Migrate(e.to_string()))?
}

/// Creates the database if needed and migrates it: what `serve` and `migrate` both do first.
pub async fn prepare(url: &str) -> Result<(), SetupError> {
    create_database_if_missing(url).await?;
    run_migrations(url).await
}

/// Hides a password in a connection URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Checks that a connection can be had and answers: the readiness probe.
pub async fn ping(pool: &DbPool) -> Result<(), StoreError> {
    let mut conn = pool.get().await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_url_keeps_host_and_options() {
        let (m, n) = split_database("postgres://u:p@h:5432/tandem?sslmode=disable").expect("valid url");
        assert_eq!(m, "postgres://u:p@h:5432/postgres?sslmode=disable");
        assert_eq!(n, "tandem");
    }

    #[test]
    fn redact_hides_password_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://postgres@localhost/db"), "postgres://postgres@localhost/db");
    }
}
