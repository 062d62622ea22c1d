//! Fixed-window throttles kept in PostgreSQL, so that every API node counts the same requests. A request takes its
//! slots with one atomic statement, so concurrent requests cannot overshoot a limit; past it they get 429.

use chrono::{DateTime, Duration, Utc};
use diesel::sql_types::{Array, BigInt, Integer, Text, Timestamptz};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::StoreError;
use crate::error::ApiError;
use crate::state::AppState;

/// At most `max` requests per subject (a client address, a user) within `window_secs`.
pub struct Rule {
    pub name: &'static str,
    pub max: i32,
    pub window_secs: i64,
}

/// Registrations per client address: enough for an office behind one NAT, too few to mint accounts in bulk.
pub const REGISTRATIONS: Rule = Rule { name: "register", max: 20, window_secs: 3600 };
/// Partner invitations per user: each one sends an email to an address the user chose.
pub const PARTNER_INVITATIONS: Rule = Rule { name: "partner-invitation", max: 10, window_secs: 3600 };
/// Referrals per user: each one emails another organisation's contact points.
pub const REFERRALS: Rule = Rule { name: "referral", max: 30, window_secs: 3600 };

impl Rule {
    pub fn slot(&self, subject: &str) -> Slot {
        Slot { key: format!("{}:{subject}", self.name), max: self.max }
    }
}

/// One counter and its limit.
#[derive(Clone, Debug)]
pub struct Slot {
    pub key: String,
    pub max: i32,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Granted,
    Refused { retry_after_secs: u64 },
}

impl Verdict {
    pub fn into_result(self) -> Result<(), ApiError> {
        match self {
            Self::Granted => Ok(()),
            Self::Refused { retry_after_secs } => Err(ApiError::RateLimited { retry_after_secs }),
        }
    }
}

/// Counts this request against `rule` for `subject`; 429 with Retry-After once the window's limit is passed.
pub async fn check(state: &AppState, rule: &Rule, subject: &str) -> Result<(), ApiError> {
    let mut conn = state.conn().await?;
    take(&mut conn, &[rule.slot(subject)], rule.window_secs).await?.into_result()
}

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Timestamptz)]
    window_start: DateTime<Utc>,
}

/// Each counter starts a new window once the old one has passed. Rows are locked in the given order, so two
/// requests never wait on each other in a cycle.
const TAKE: &str = "
    INSERT INTO throttles AS t (key, window_start, hits)
    SELECT k, now(), 1 FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN t.window_start <= now() - $2 * interval '1 second' THEN 1 ELSE t.hits + 1 END,
        window_start = CASE WHEN t.window_start <= now() - $2 * interval '1 second' THEN now() ELSE t.window_start END
    RETURNING key, hits, window_start";

/// Takes one hit from every slot in one statement; refused if any slot is past its limit (the hit still counts:
/// `give_back` returns it when the caller wants that).
pub async fn take(conn: &mut AsyncPgConnection, slots: &[Slot], window_secs: i64) -> Result<Verdict, StoreError> {
    let keys: Vec<String> = slots.iter().map(|s| s.key.clone()).collect();
    let counters: Vec<Counter> =
        diesel::sql_query(TAKE).bind::<Array<Text>, _>(&keys).bind::<BigInt, _>(window_secs).load(conn).await?;
    if counters.iter().any(|c| c.hits == 1) {
        sweep(conn).await?;
    }
    let frees_at = counters
        .iter()
        .filter(|c| slots.iter().any(|s| s.key == c.key && c.hits > s.max))
        .map(|c| c.window_start + Duration::seconds(window_secs))
        .max();
    Ok(match frees_at {
        None => Verdict::Granted,
        Some(at) => Verdict::Refused { retry_after_secs: (at - Utc::now()).num_seconds().max(1).unsigned_abs() },
    })
}

/// Returns one hit to each slot: the request turned out not to count (a successful login, or no work done).
pub async fn give_back(conn: &mut AsyncPgConnection, slots: &[Slot]) -> Result<(), StoreError> {
    let keys: Vec<String> = slots.iter().map(|s| s.key.clone()).collect();
    diesel::sql_query("UPDATE throttles SET hits = hits - 1 WHERE key = ANY($1) AND hits > 0")
        .bind::<Array<Text>, _>(&keys)
        .execute(conn)
        .await?;
    Ok(())
}

/// A new window just started somewhere; counters idle for a day are dropped then, with no separate job.
async fn sweep(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    diesel::sql_query("DELETE FROM throttles WHERE window_start < now() - interval '1 day'").execute(conn).await?;
    Ok(())
}
