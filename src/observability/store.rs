//! The figures `/metrics` reads from PostgreSQL on each scrape. Each is one cheap, indexed query.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::StoreError;
use crate::schema::mail_outbox;

/// Mails not yet sent, per status (`pending`, `held`, `failed`); statuses with none are absent. Sent mail is not
/// counted: it is kept for good, and counting it would walk the whole history.
pub async fn unsent_mail_by_status(conn: &mut AsyncPgConnection) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(mail_outbox::table
        .filter(mail_outbox::status.ne("sent"))
        .group_by(mail_outbox::status)
        .select((mail_outbox::status, diesel::dsl::count_star()))
        .load(conn)
        .await?)
}
