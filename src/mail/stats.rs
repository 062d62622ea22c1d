//! Figures about the mail outbox for `/metrics`: each one cheap, indexed query.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::store::MailStatus;
use crate::db::StoreError;
use crate::schema::mail_outbox;

/// How many mails are not yet sent, for each unsent status (`pending`, `held`, `failed`), zero included. Sent
/// mail is not counted: it is kept for good, and counting it would walk the whole history.
pub async fn unsent_by_status(conn: &mut AsyncPgConnection) -> Result<Vec<(&'static str, i64)>, StoreError> {
    let counts: Vec<(String, i64)> = mail_outbox::table
        .filter(mail_outbox::status.ne(MailStatus::Sent.as_str()))
        .group_by(mail_outbox::status)
        .select((mail_outbox::status, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    Ok([MailStatus::Pending, MailStatus::Held, MailStatus::Failed]
        .into_iter()
        .map(|status| {
            let count = counts.iter().find(|(s, _)| s == status.as_str()).map_or(0, |(_, n)| *n);
            (status.as_str(), count)
        })
        .collect())
}
