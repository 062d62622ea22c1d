//! The benchmark's database: dropped and created afresh, migrated, the taxonomy loaded; dropped again at the end.

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use tandem::db::DbPool;

/// Connections the import may hold at once (it writes with one; the rest are for the bench's own queries).
const POOL_SIZE: usize = 4;

/// A new, empty, migrated database at `url` with the taxonomy loaded.
pub async fn fresh(url: &str) -> anyhow::Result<DbPool> {
    remove(url).await?;
    tandem::db::prepare(url).await?;
    let pool = tandem::db::pool(url, POOL_SIZE)?;
    tandem::taxonomy::load::ensure_loaded(&pool).await?;
    Ok(pool)
}

/// Drops the database at `url` if it exists, ending any session still connected to it.
pub async fn remove(url: &str) -> anyhow::Result<()> {
    let (maintenance, name) = maintenance(url)?;
    let mut conn = AsyncPgConnection::establish(&maintenance).await?;
    let quoted = name.replace('"', "\"\"");
    conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{quoted}\" WITH (FORCE)")).await?;
    Ok(())
}

/// The URL of the server's `postgres` database, and the name of the database in `url`.
fn maintenance(url: &str) -> anyhow::Result<(String, String)> {
    let mut parsed = url::Url::parse(url)?;
    let name = parsed.path().trim_start_matches('/').to_owned();
    anyhow::ensure!(!name.is_empty(), "the database URL names no database");
    parsed.set_path("/postgres");
    Ok((parsed.to_string(), name))
}
