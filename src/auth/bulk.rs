//! Bulk loading of accounts (`seed --synthetic`): typed rows for `users`, their COPY, and the removal and
//! statistics of bulk-loaded accounts, which are told apart by the domain of their email addresses.

use tokio_postgres::{Client, Transaction};
use uuid::Uuid;

use super::Role;
use crate::bulk::{copy, CopyBuffer, CopyError};

/// The columns, in the order [`Users::push`] writes them.
const USERS: &str = "users (id, email, password_hash, display_name, role)";

/// One account.
pub struct UserRow<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: Role,
}

/// Accounts waiting to be copied.
#[derive(Default)]
pub struct Users {
    users: CopyBuffer,
}

impl Users {
    pub fn push(&mut self, row: UserRow<'_>) {
        let UserRow { id, email, password_hash, display_name, role } = row;
        self.users.put(id).put(email).put(password_hash).put(display_name).put(role.as_str()).end_row();
    }

    pub fn rows(&self) -> u64 {
        self.users.rows()
    }

    /// The COPY stream as PostgreSQL would receive it: for tests that compare two loads.
    pub fn into_bytes(self) -> Vec<u8> {
        self.users.into_bytes()
    }

    /// Copies the accounts inside `tx`; returns the rows written.
    pub async fn copy(self, tx: &Transaction<'_>) -> Result<u64, CopyError> {
        copy(tx, USERS, self.users).await
    }
}

fn pattern(email_domain: &str) -> String {
    format!("%@{email_domain}")
}

/// How many accounts have an email address at `email_domain`.
pub async fn count_at_domain(client: &Client, email_domain: &str) -> Result<u64, tokio_postgres::Error> {
    let row = client.query_one("SELECT count(*) FROM users WHERE email LIKE $1", &[&pattern(email_domain)]).await?;
    Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
}

/// Deletes every account with an email address at `email_domain`; foreign keys cascade to what they own.
pub async fn delete_at_domain(client: &Client, email_domain: &str) -> Result<u64, tokio_postgres::Error> {
    client.execute("DELETE FROM users WHERE email LIKE $1", &[&pattern(email_domain)]).await
}

/// Fresh statistics after a bulk load, so that the planner knows the table grew.
pub async fn analyze(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("ANALYZE users").await
}
