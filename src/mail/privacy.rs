//! Mail's part of a privacy export and of erasing an account: the emails sent (or queued) to the user's address.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::StoreError;
use crate::schema::mail_outbox;

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailRecord {
    pub kind: String,
    pub subject: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// kind, subject, status, created, sent.
type EmailRow = (String, String, String, DateTime<Utc>, Option<DateTime<Utc>>);

/// Every email to `email`, whatever its status, newest first.
pub async fn export(conn: &mut AsyncPgConnection, email: &str) -> Result<Vec<EmailRecord>, StoreError> {
    let rows: Vec<EmailRow> = mail_outbox::table
        .filter(mail_outbox::recipient.eq(email))
        .order(mail_outbox::created_at.desc())
        .select((
            mail_outbox::kind,
            mail_outbox::subject,
            mail_outbox::status,
            mail_outbox::created_at,
            mail_outbox::sent_at,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, subject, status, created_at, sent_at)| EmailRecord { kind, subject, status, created_at, sent_at })
        .collect())
}

/// Erases every email to `email` and its bounce record, in the caller's transaction.
pub async fn erase(conn: &mut AsyncPgConnection, email: &str) -> Result<(), StoreError> {
    super::store::erase_recipient(conn, email).await?;
    Ok(())
}
