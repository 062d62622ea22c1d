//! The mail outbox and the bouncing addresses: enqueuing in the caller's transaction, claiming for the workers,
//! and recording how each attempt ended.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::pg::data_types::PgInterval;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Interval, Timestamptz};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::render::RenderedMail;
use crate::db::StoreError;
use crate::schema::{mail_bounces, mail_outbox};

/// Which feature an email belongs to; stored so that operators and erasure can tell mails apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    Alert,
    Invitation,
    Referral,
    /// A one-off notice (also what the mail machinery's own tests send).
    Notice,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alert => "alert",
            Self::Invitation => "invitation",
            Self::Referral => "referral",
            Self::Notice => "notice",
        }
    }
}

/// Where a row is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailStatus {
    /// Waiting for a worker (now, or at `next_attempt_at` after a transient failure).
    Pending,
    /// Accepted by the SMTP server, or written to the file outbox.
    Sent,
    /// Not sent because the recipient's address bounces.
    Held,
    /// Given up: refused for good, unbuildable, or retried for too long. `last_error` says why.
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Held => "held",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Held, Self::Failed].into_iter().find(|k| k.as_str() == s)
    }
}

/// An email to send, as a feature hands it over. Build it with [`NewMail::new`] and the `with_*` methods.
#[derive(Clone, Debug)]
pub struct NewMail {
    pub kind: MailKind,
    pub recipient: String,
    pub content: RenderedMail,
    /// Extra header fields (e.g. `List-Unsubscribe`). The mailer sets From, To, Subject, Date, Message-ID and the
    /// MIME fields itself; a mail that tries to set one of those fails instead of being sent.
    pub headers: BTreeMap<String, String>,
    pub ref_id: Option<Uuid>,
}

impl NewMail {
    pub fn new(kind: MailKind, recipient: impl Into<String>, content: RenderedMail) -> Self {
        Self { kind, recipient: recipient.into(), content, headers: BTreeMap::new(), ref_id: None }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Tags the mail with the enqueuing feature's own id (an alert's, an invitation's...).
    pub fn with_ref(mut self, ref_id: Uuid) -> Self {
        self.ref_id = Some(ref_id);
        self
    }
}

#[derive(Insertable)]
#[diesel(table_name = mail_outbox)]
struct OutboxInsert<'a> {
    id: Uuid,
    kind: &'a str,
    ref_id: Option<Uuid>,
    recipient: &'a str,
    subject: &'a str,
    body_text: &'a str,
    body_html: &'a str,
    headers: serde_json::Value,
    status: &'a str,
}

impl<'a> OutboxInsert<'a> {
    fn new(id: Uuid, mail: &'a NewMail, status: MailStatus) -> Self {
        let headers = mail.headers.iter().map(|(name, value)| (name.clone(), value.clone().into())).collect();
        Self {
            id,
            kind: mail.kind.as_str(),
            ref_id: mail.ref_id,
            recipient: &mail.recipient,
            subject: &mail.content.subject,
            body_text: &mail.content.text,
            body_html: &mail.content.html,
            headers: serde_json::Value::Object(headers),
            status: status.as_str(),
        }
    }
}

/// Queues `mail` and returns its id (which is also what its Message-ID is made of).
///
/// Call it on the connection of the transaction that makes the change the mail reports, so that the two commit or
/// roll back together:
///
/// ```ignore
/// conn.transaction::<_, StoreError, _>(|conn| async move {
///     let invitation = insert_invitation(conn, ..).await?;
///     let content = mail::render::render("invitation", context! { .. })?; // render before writing
///     mail::store::enqueue(conn, NewMail::new(MailKind::Invitation, &email, content).with_ref(invitation.id)).await?;
///     Ok(invitation)
/// }.scope_boxed()).await
/// ```
///
/// Mail to an address known to bounce is stored as `held` and never sent.
pub async fn enqueue(conn: &mut AsyncPgConnection, mail: NewMail) -> Result<Uuid, StoreError> {
    let status = if is_bouncing(conn, &mail.recipient).await? { MailStatus::Held } else { MailStatus::Pending };
    let id = Uuid::new_v4();
    diesel::insert_into(mail_outbox::table).values(OutboxInsert::new(id, &mail, status)).execute(conn).await?;
    Ok(id)
}

/// Queues `mails` with a multi-row INSERT (a statement per 5,000) and returns their ids, in order: what a digest
/// of thousands of mails uses instead of one [`enqueue`] each. Mail to a bouncing address is stored `held`, as there.
/// Call it in a transaction (it sets the compression of the stored bodies for the rest of it).
pub async fn enqueue_many(conn: &mut AsyncPgConnection, mails: &[NewMail]) -> Result<Vec<Uuid>, StoreError> {
    let addresses: Vec<String> = mails.iter().map(|m| m.recipient.to_lowercase()).collect();
    let bouncing: std::collections::HashSet<String> = mail_bounces::table
        .filter(mail_bounces::address.eq_any(&addresses))
        .select(mail_bounces::address)
        .load::<String>(conn)
        .await?
        .into_iter()
        .collect();
    // Bodies of this size are compressed as they are stored; lz4 (where the server has it) takes a fraction of
    // the time of the default pglz. For the rest of the caller's transaction only.
    diesel::sql_query(
        "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings
         WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)",
    )
    .execute(conn)
    .await?;
    let ids: Vec<Uuid> = mails.iter().map(|_| Uuid::new_v4()).collect();
    let rows: Vec<OutboxInsert<'_>> = mails
        .iter()
        .zip(&ids)
        .zip(&addresses)
        .map(|((mail, id), address)| {
            let status = if bouncing.contains(address) { MailStatus::Held } else { MailStatus::Pending };
            OutboxInsert::new(*id, mail, status)
        })
        .collect();
    // PostgreSQL takes at most 65535 parameters per statement; a row has 9.
    for chunk in rows.chunks(5_000) {
        diesel::insert_into(mail_outbox::table).values(chunk).execute(conn).await?;
    }
    Ok(ids)
}

/// Whether mail to `address` is refused for good (compared without regard to case).
pub async fn is_bouncing(conn: &mut AsyncPgConnection, address: &str) -> Result<bool, StoreError> {
    let found = mail_bounces::table
        .filter(mail_bounces::address.eq(address.to_lowercase()))
        .select(mail_bounces::address)
        .first::<String>(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

/// One outbox row, whole: for operators, erasure and tests.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = mail_outbox, check_for_backend(diesel::pg::Pg))]
pub struct OutboxRow {
    pub id: Uuid,
    pub kind: String,
    pub ref_id: Option<Uuid>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub headers: serde_json::Value,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> Result<OutboxRow, StoreError> {
    Ok(mail_outbox::table.find(id).select(OutboxRow::as_select()).first(conn).await?)
}

/// What a worker needs of a claimed row to send it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = mail_outbox, check_for_backend(diesel::pg::Pg))]
pub struct ClaimedMail {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub headers: serde_json::Value,
    /// Counting the attempt this claim is for.
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// Claims up to `limit` due rows for one worker. Rows another worker has locked are skipped, and a claimed row's
/// `next_attempt_at` moves `lease` ahead, so no one else takes it while this worker sends; if the worker dies, the
/// row falls due again when the lease ends.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    limit: i64,
    lease: Duration,
) -> Result<Vec<ClaimedMail>, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let ids: Vec<Uuid> = mail_outbox::table
                .filter(mail_outbox::status.eq(MailStatus::Pending.as_str()))
                .filter(mail_outbox::next_attempt_at.le(now))
                .order(mail_outbox::next_attempt_at)
                .limit(limit)
                .select(mail_outbox::id)
                .for_update()
                .skip_locked()
                .load(conn)
                .await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let claimed = diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
                .set((
                    mail_outbox::attempts.eq(mail_outbox::attempts + 1),
                    mail_outbox::next_attempt_at.eq(from_now(lease)),
                ))
                .returning(ClaimedMail::as_returning())
                .get_results(conn)
                .await?;
            Ok(claimed)
        }
        .scope_boxed()
    })
    .await
}

/// Moves the lease of these claimed rows `lease` ahead again, while their worker is still sending the batch.
pub async fn renew_lease(conn: &mut AsyncPgConnection, ids: &[Uuid], lease: Duration) -> Result<(), StoreError> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::id.eq_any(ids))
            .filter(mail_outbox::status.eq(MailStatus::Pending.as_str())),
    )
    .set(mail_outbox::next_attempt_at.eq(from_now(lease)))
    .execute(conn)
    .await?;
    Ok(())
}

/// The database's clock plus `delay`: every due time is on that one clock, whichever node writes it.
fn from_now(delay: Duration) -> Box<dyn BoxableExpression<mail_outbox::table, Pg, SqlType = Timestamptz>> {
    let micros = i64::try_from(delay.as_micros()).unwrap_or(i64::MAX);
    Box::new(now.into_sql::<Timestamptz>() + PgInterval::from_microseconds(micros).into_sql::<Interval>())
}

/// Only a row still pending may change: one erased or finished meanwhile stays as it is.
fn pending_row(id: Uuid) -> Box<dyn BoxableExpression<mail_outbox::table, Pg, SqlType = Bool>> {
    Box::new(mail_outbox::id.eq(id).and(mail_outbox::status.eq(MailStatus::Pending.as_str())))
}

/// Records that the mails `ids` were sent, in one statement: a worker's whole batch.
pub async fn mark_sent(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::id.eq_any(ids))
            .filter(mail_outbox::status.eq(MailStatus::Pending.as_str())),
    )
    .set((
        mail_outbox::status.eq(MailStatus::Sent.as_str()),
        mail_outbox::sent_at.eq(now),
        mail_outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// A transient failure: try again after `delay`, keeping the error for operators.
pub async fn retry_later(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    delay: Duration,
    error: &str,
) -> Result<(), StoreError> {
    diesel::update(mail_outbox::table.filter(pending_row(id)))
        .set((mail_outbox::next_attempt_at.eq(from_now(delay)), mail_outbox::last_error.eq(error)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives up on one row; the address stays usable.
pub async fn mark_failed(conn: &mut AsyncPgConnection, id: Uuid, error: &str) -> Result<(), StoreError> {
    diesel::update(mail_outbox::table.filter(pending_row(id)))
        .set((mail_outbox::status.eq(MailStatus::Failed.as_str()), mail_outbox::last_error.eq(error)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The recipient's server refused `address` for good: the row fails, the address is marked as bouncing, and the
/// mail still waiting for it is held.
pub async fn mark_bounced(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    address: &str,
    error: &str,
) -> Result<(), StoreError> {
    let address = address.to_lowercase();
    let error = error.to_owned();
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            diesel::insert_into(mail_bounces::table)
                .values((mail_bounces::address.eq(&address), mail_bounces::reason.eq(&error)))
                .on_conflict(mail_bounces::address)
                .do_update()
                .set((mail_bounces::reason.eq(&error), mail_bounces::bounced_at.eq(now)))
                .execute(conn)
                .await?;
            mark_failed(conn, id, &error).await?;
            diesel::update(
                mail_outbox::table
                    .filter(lower(mail_outbox::recipient).eq(&address))
                    .filter(mail_outbox::status.eq(MailStatus::Pending.as_str()))
                    .filter(mail_outbox::id.ne(id)),
            )
            .set(mail_outbox::status.eq(MailStatus::Held.as_str()))
            .execute(conn)
            .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

/// Erases every email to `address` (whatever its status) and its bounce record: what deleting an account does to
/// mail. Returns how many emails were removed.
pub async fn erase_recipient(conn: &mut AsyncPgConnection, address: &str) -> Result<usize, StoreError> {
    let address = address.to_lowercase();
    let removed =
        diesel::delete(mail_outbox::table.filter(lower(mail_outbox::recipient).eq(&address))).execute(conn).await?;
    diesel::delete(mail_bounces::table.filter(mail_bounces::address.eq(&address))).execute(conn).await?;
    Ok(removed)
}

diesel::define_sql_function! {
    /// PostgreSQL's `lower(text)`, matching the `lower(recipient)` index.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// How many of the mails `ids` are still waiting to be sent.
pub async fn pending_among(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<usize, StoreError> {
    let mut pending = 0;
    for chunk in ids.chunks(10_000) {
        let n: i64 = mail_outbox::table
            .filter(mail_outbox::id.eq_any(chunk))
            .filter(mail_outbox::status.eq(MailStatus::Pending.as_str()))
            .count()
            .get_result(conn)
            .await?;
        pending += usize::try_from(n).unwrap_or(0);
    }
    Ok(pending)
}
