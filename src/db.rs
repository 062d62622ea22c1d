//! The PostgreSQL pool, database creation, embedded migrations and the store-layer error.

use std::time::Duration;

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::scoped_futures::ScopedBoxFuture;
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
    /// The database cannot do the work now (unreachable, restarting, overloaded, a statement timed out or the
    /// connection was lost): the same request may succeed later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The transaction lost a race with another one (serialization failure, deadlock): running it again may work.
    #[error("the transaction collided with another: {0}")]
    Contended(String),
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
            DieselError::DatabaseError(kind, info) => match fault_of(kind, info.message()) {
                Some(Fault::Contended) => Self::Contended(info.message().to_owned()),
                Some(Fault::Unavailable) => Self::Unavailable(info.message().to_owned()),
                None => Self::Query(DieselError::DatabaseError(kind, info)),
            },
            // The connection died under an open transaction, so it could not even be rolled back.
            DieselError::BrokenTransactionManager => Self::Unavailable(e.to_string()),
            DieselError::RollbackErrorOnCommit { commit_error, .. } => Self::from(*commit_error),
            other => Self::Query(other),
        }
    }
}

/// A uniqueness rule of the schema as a client hears about it when a request breaks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UniqueRule {
    /// The problem type's slug (`email-taken`).
    pub code: &'static str,
    /// The rule in words, without naming tables.
    pub message: &'static str,
}

/// The unique constraints requests can run into, by the names the migrations give them. The schema is the shared
/// layer's, so the words for its rules live here rather than in the HTTP error type.
const UNIQUE_RULES: &[(&str, UniqueRule)] = &[
    ("users_email_key", UniqueRule { code: "email-taken", message: "an account with this email already exists" }),
    (
        "organizations_org_number_key",
        UniqueRule {
            code: "org-number-taken",
            message: "an organisation with this organisation number already exists",
        },
    ),
    (
        "memberships_pkey",
        UniqueRule { code: "already-member", message: "this person is already a member of the organisation" },
    ),
    (
        "network_requests_one_pending",
        UniqueRule { code: "network-request-pending", message: "a request to join the network is already pending" },
    ),
];

/// Which rule a unique violation on `constraint` broke; a constraint not listed is a plain `conflict`.
pub fn unique_rule(constraint: &str) -> UniqueRule {
    UNIQUE_RULES.iter().find(|(name, _)| *name == constraint).map_or(
        UniqueRule { code: "conflict", message: "this conflicts with something that already exists" },
        |(_, rule)| *rule,
    )
}

/// What kind of infrastructure trouble a database error is, if it is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Unavailable,
    Contended,
}

/// Server messages (PostgreSQL's English wording) of the conditions that are not the request's fault.
/// diesel-async passes the SQLSTATE on only as a kind for a few codes and hides the rest (`Unknown`), so the
/// message is all there is to tell `57014 query_canceled` from a type error.
const UNAVAILABLE_MESSAGES: &[&str] = &[
    "canceling statement due to", // 57014 statement timeout or cancel, 55P03 lock timeout, recovery conflicts
    "terminating connection",     // 57P01 administrator command, 57P02 crash, 25P03/57P05 idle timeouts
    "the database system is",     // 57P03 starting up, shutting down, in recovery
    "too many clients",           // 53300
    "too many connections",       // 53300 per role or database
    "out of memory",              // 53200
    "no space left on device",    // 53100
    "could not resize shared memory",
    "server closed the connection",
    "connection to server",
];
const CONTENDED_MESSAGES: &[&str] = &["deadlock detected", "could not serialize access"];

fn fault_of(kind: DatabaseErrorKind, message: &str) -> Option<Fault> {
    match kind {
        DatabaseErrorKind::SerializationFailure => Some(Fault::Contended),
        // No answer came back at all: the connection is gone (diesel-async says UnableToSendCommand for every
        // error that carries no SQLSTATE: closed, reset, refused, timed out).
        DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => Some(Fault::Unavailable),
        // A primary that turned into a standby (fail-over) refuses writes for a while.
        DatabaseErrorKind::ReadOnlyTransaction => Some(Fault::Unavailable),
        _ => {
            let message = message.to_lowercase();
            if CONTENDED_MESSAGES.iter().any(|m| message.contains(m)) {
                Some(Fault::Contended)
            } else if UNAVAILABLE_MESSAGES.iter().any(|m| message.contains(m)) {
                Some(Fault::Unavailable)
            } else {
                None
            }
        }
    }
}

/// Errors after which running the whole transaction again may succeed.
pub trait MayRetry {
    fn may_retry(&self) -> bool;
}

impl MayRetry for StoreError {
    fn may_retry(&self) -> bool {
        matches!(self, Self::Contended(_))
    }
}

/// Runs `work` in a transaction; if it collides with another transaction (serialization failure, deadlock), it
/// is run once more, and a second collision is the caller's (a 503). `work` must be safe to run twice: it is,
/// since the first run was rolled back entirely.
pub async fn transaction<'a, R, E, F>(conn: &mut AsyncPgConnection, work: F) -> Result<R, E>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<R, E>> + Clone + Send + 'a,
    E: From<DieselError> + MayRetry + Send + 'a,
    R: Send + 'a,
{
    match conn.transaction(work.clone()).await {
        Err(e) if e.may_retry() => {
            tracing::info!("a transaction collided with another; running it once more");
            conn.transaction(work).await
        }
        done => done,
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
    // No ping on checkout: a ping is a round trip on every request (a search makes few others). A connection
    // whose socket closed (server restart, terminated backend, cut network) is already known to be closed and is
    // thrown out at checkout without one; any other dead connection fails on first use, which answers 503 with
    // Retry-After (`StoreError::Unavailable`), and is then thrown out when it comes back to the pool.
    config.recycling_method = RecyclingMethod::Fast;
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
        // Recycling only checks the connection's own state (closed, or a transaction left broken); the bound is
        // kept in case a recycling method that pings comes back.
        .recycle_timeout(Some(Duration::from_secs(5)))
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
    fn unique_rules_have_specific_problem_types() {
        assert_eq!(unique_rule("users_email_key").code, "email-taken");
        assert_eq!(unique_rule("organizations_org_number_key").code, "org-number-taken");
        assert_eq!(unique_rule("some_new_key").code, "conflict");
    }

    #[test]
    fn maintenance_url_keeps_host_and_options() {
        let (m, n) = split_database("postgres://u:p@h:5432/tandem?sslmode=disable").expect("valid url");
        assert_eq!(m, "postgres://u:p@h:5432/postgres?sslmode=disable");
        assert_eq!(n, "tandem");
    }

    fn database_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    fn unknown(message: &str) -> StoreError {
        database_error(DatabaseErrorKind::Unknown, message).into()
    }

    #[test]
    fn lost_and_refused_connections_are_unavailable() {
        for kind in [DatabaseErrorKind::UnableToSendCommand, DatabaseErrorKind::ClosedConnection] {
            let e: StoreError = database_error(kind, "connection closed").into();
            assert!(matches!(e, StoreError::Unavailable(_)), "{kind:?}: {e:?}");
        }
        assert!(matches!(unknown("server closed the connection unexpectedly"), StoreError::Unavailable(_)));
        assert!(matches!(StoreError::from(DieselError::BrokenTransactionManager), StoreError::Unavailable(_)));
    }

    #[test]
    fn timeouts_cancels_and_administrator_commands_are_unavailable() {
        for message in [
            "canceling statement due to statement timeout",
            "canceling statement due to user request",
            "canceling statement due to lock timeout",
            "terminating connection due to administrator command",
            "terminating connection due to idle-in-transaction timeout",
            "the database system is shutting down",
            "the database system is starting up",
            "sorry, too many clients already",
            "out of memory",
        ] {
            assert!(matches!(unknown(message), StoreError::Unavailable(_)), "{message}");
        }
        let read_only =
            database_error(DatabaseErrorKind::ReadOnlyTransaction, "cannot execute UPDATE in a read-only transaction");
        assert!(matches!(StoreError::from(read_only), StoreError::Unavailable(_)));
    }

    #[test]
    fn serialization_failures_and_deadlocks_may_be_retried() {
        let serialization = database_error(
            DatabaseErrorKind::SerializationFailure,
            "could not serialize access due to concurrent update",
        );
        for e in [StoreError::from(serialization), unknown("deadlock detected")] {
            assert!(matches!(e, StoreError::Contended(_)), "{e:?}");
            assert!(e.may_retry());
        }
        assert!(!unknown("canceling statement due to statement timeout").may_retry(), "a timeout is not a race");
    }

    #[test]
    fn a_failed_commit_is_judged_by_why_the_commit_failed() {
        let e = DieselError::RollbackErrorOnCommit {
            rollback_error: Box::new(database_error(DatabaseErrorKind::UnableToSendCommand, "connection closed")),
            commit_error: Box::new(database_error(DatabaseErrorKind::UnableToSendCommand, "connection closed")),
        };
        assert!(matches!(StoreError::from(e), StoreError::Unavailable(_)));
    }

    #[test]
    fn the_requests_own_faults_stay_what_they_are() {
        let unique = database_error(DatabaseErrorKind::UniqueViolation, "duplicate key value");
        assert!(matches!(StoreError::from(unique), StoreError::Conflict(_)));
        assert!(matches!(StoreError::from(DieselError::NotFound), StoreError::NotFound));
        let foreign = database_error(DatabaseErrorKind::ForeignKeyViolation, "violates foreign key constraint");
        assert!(matches!(StoreError::from(foreign), StoreError::Query(_)));
        assert!(matches!(unknown("invalid input syntax for type uuid: \"x\""), StoreError::Query(_)));
    }

    #[test]
    fn redact_hides_password_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://postgres@localhost/db"), "postgres://postgres@localhost/db");
    }
}
