//! Queries for alerts, their matches with jobs and the digest schedule. What the alerts need of accounts,
//! profiles and partner opt-outs they ask the owning features for (`auth::directory`, `seekers::directory`,
//! `partners`), on the same connection.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::directory::{self, Contact};

use super::model::AlertKind;
use super::model::MAX_ALERTS;
use crate::db::StoreError;
use crate::schema::{alert_digest_runs, alert_matches, alerts};

/// A match waiting for its mail. An instant alert's mail marks it `sent`; a digest leaves it and moves the
/// alert's position past it instead.
pub const PENDING: &str = "pending";

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = alerts, check_for_backend(diesel::pg::Pg))]
pub struct AlertRow {
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub name: String,
    pub query: Option<serde_json::Value>,
    pub match_profile: bool,
    pub frequency: String,
    pub created_at: DateTime<Utc>,
    pub kind: String,
}

#[derive(Insertable)]
#[diesel(table_name = alerts)]
pub struct AlertInsert<'a> {
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub name: &'a str,
    pub query: Option<serde_json::Value>,
    pub match_profile: bool,
    pub frequency: &'a str,
}

/// Stores an alert unless the seeker already has [`MAX_ALERTS`]; `None` then. The seeker's row is locked while
/// counting, so two requests at once cannot both take the last place.
pub async fn create(conn: &mut AsyncPgConnection, alert: AlertInsert<'_>) -> Result<Option<AlertRow>, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            directory::lock_account(conn, alert.seeker_id).await?;
            // The partner commute alert is Tandem's, not one of the seeker's own, so it takes no place.
            let held: i64 = alerts::table
                .filter(alerts::seeker_id.eq(alert.seeker_id))
                .filter(alerts::kind.eq(AlertKind::Search.as_str()))
                .count()
                .get_result(conn)
                .await?;
            if held >= MAX_ALERTS {
                return Ok(None);
            }
            let row = diesel::insert_into(alerts::table)
                .values(&alert)
                .returning(AlertRow::as_returning())
                .get_result(conn)
                .await?;
            Ok(Some(row))
        }
        .scope_boxed()
    })
    .await
}

/// A seeker's alerts, oldest first, after the keyset position `after`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<AlertRow>, StoreError> {
    let mut query = alerts::table
        .filter(alerts::seeker_id.eq(seeker_id))
        .order((alerts::created_at, alerts::id))
        .limit(limit)
        .select(AlertRow::as_select())
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(alerts::created_at.gt(at).or(alerts::created_at.eq(at).and(alerts::id.gt(id))));
    }
    Ok(query.load(conn).await?)
}

/// Deletes one of the seeker's alerts (and its matches); false if the seeker has no such alert.
pub async fn delete_own(conn: &mut AsyncPgConnection, seeker_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
    delete_and_remember(conn, id, Some(seeker_id)).await
}

/// Deletes an alert whoever owns it: what an unsubscribe token does. False if it was already gone.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool, StoreError> {
    delete_and_remember(conn, id, None).await
}

/// Deletes the alert (of `owner`, if given). A partner commute alert the matcher would make again, so deleting
/// one also opts its owner out of them, in the same transaction.
async fn delete_and_remember(conn: &mut AsyncPgConnection, id: Uuid, owner: Option<Uuid>) -> Result<bool, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let alert = alerts::table.filter(alerts::id.eq(id));
            let returning = (alerts::seeker_id, alerts::kind);
            let deleted: Option<(Uuid, String)> = match owner {
                Some(owner) => diesel::delete(alert.filter(alerts::seeker_id.eq(owner)))
                    .returning(returning)
                    .get_result(conn)
                    .await
                    .optional()?,
                None => diesel::delete(alert).returning(returning).get_result(conn).await.optional()?,
            };
            let Some((seeker_id, kind)) = deleted else { return Ok(false) };
            if kind == AlertKind::PartnerCommute.as_str() {
                crate::partners::record_partner_alert_opt_out(conn, seeker_id).await?;
            }
            Ok(true)
        }
        .scope_boxed()
    })
    .await
}

/// The name every partner commute alert has.
pub const PARTNER_ALERT_NAME: &str = "Jobs within commuting distance";
/// How often partner commute alerts mail: every sector near a city is many jobs, so a daily digest.
pub const PARTNER_ALERT_FREQUENCY: &str = "daily";

/// Makes the partner commute alert of each of these seekers that has none. The caller leaves out seekers who
/// opted out (the partners feature keeps those choices).
pub async fn ensure_partner_alerts(conn: &mut AsyncPgConnection, seeker_ids: &[Uuid]) -> Result<(), StoreError> {
    if seeker_ids.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = seeker_ids.iter().map(|_| Uuid::new_v4()).collect();
    diesel::sql_query(
        "INSERT INTO alerts (id, seeker_id, name, query, match_profile, frequency, kind)
         SELECT s.id, s.seeker_id, $3, NULL, false, $4, 'partner_commute'
         FROM unnest($1::uuid[], $2::uuid[]) AS s(id, seeker_id)
         ON CONFLICT (seeker_id) WHERE kind = 'partner_commute' DO NOTHING",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(&ids)
    .bind::<Array<diesel::sql_types::Uuid>, _>(seeker_ids)
    .bind::<Text, _>(PARTNER_ALERT_NAME)
    .bind::<Text, _>(PARTNER_ALERT_FREQUENCY)
    .execute(conn)
    .await?;
    Ok(())
}

/// The partner commute alerts of these seekers, with their addresses.
pub async fn partner_subscriptions(
    conn: &mut AsyncPgConnection,
    seeker_ids: &[Uuid],
) -> Result<Vec<Subscription>, StoreError> {
    if seeker_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<AlertRow> = alerts::table
        .filter(alerts::seeker_id.eq_any(seeker_ids))
        .filter(alerts::kind.eq(AlertKind::PartnerCommute.as_str()))
        .select(AlertRow::as_select())
        .load(conn)
        .await?;
    with_contacts(conn, rows).await
}

/// The alerts with their owners' addresses; alerts whose owner is gone (with them, by cascade) are left out.
async fn with_contacts(conn: &mut AsyncPgConnection, rows: Vec<AlertRow>) -> Result<Vec<Subscription>, StoreError> {
    let mut owners: Vec<Uuid> = rows.iter().map(|a| a.seeker_id).collect();
    owners.sort_unstable();
    owners.dedup();
    let contacts = directory::contacts(conn, &owners).await?;
    Ok(rows
        .into_iter()
        .filter_map(|alert| {
            let Contact { email, display_name, .. } = contacts.get(&alert.seeker_id)?.clone();
            Some(Subscription { alert, email, display_name })
        })
        .collect())
}

/// Deletes the seeker's partner commute alert, with the jobs it had waiting: they opted out of them.
pub async fn drop_partner_alert(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<(), StoreError> {
    diesel::delete(
        alerts::table
            .filter(alerts::seeker_id.eq(seeker_id))
            .filter(alerts::kind.eq(AlertKind::PartnerCommute.as_str())),
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<AlertRow>, StoreError> {
    Ok(alerts::table.find(id).select(AlertRow::as_select()).first(conn).await.optional()?)
}

/// An alert as the matcher loads it.
#[derive(Clone, Debug, Queryable)]
pub struct MatchableRow {
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub query: Option<serde_json::Value>,
    pub match_profile: bool,
    pub frequency: String,
}

/// The columns of a [`MatchableRow`].
type MatchableColumns = (alerts::id, alerts::seeker_id, alerts::query, alerts::match_profile, alerts::frequency);
const MATCHABLE: MatchableColumns =
    (alerts::id, alerts::seeker_id, alerts::query, alerts::match_profile, alerts::frequency);

/// Alerts with criteria (saved searches and profile matches; not partner commute alerts, matched by distance)
/// after `after` in id order: the matcher loads them chunk by chunk.
pub async fn matchable_after(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<MatchableRow>, StoreError> {
    let mut query = alerts::table
        .filter(alerts::query.is_not_null().or(alerts::match_profile.eq(true)))
        .order(alerts::id)
        .limit(limit)
        .select(MATCHABLE)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(alerts::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// The database's clock: every "since" the matcher keeps is on it.
pub async fn db_now(conn: &mut AsyncPgConnection) -> Result<DateTime<Utc>, StoreError> {
    Ok(diesel::select(diesel::dsl::sql::<Timestamptz>("clock_timestamp()")).get_result(conn).await?)
}

/// Alerts with criteria created at or after `since`.
pub async fn matchable_created_since(
    conn: &mut AsyncPgConnection,
    since: DateTime<Utc>,
) -> Result<Vec<MatchableRow>, StoreError> {
    Ok(alerts::table
        .filter(alerts::query.is_not_null().or(alerts::match_profile.eq(true)))
        .filter(alerts::created_at.ge(since))
        .select(MATCHABLE)
        .load(conn)
        .await?)
}

/// An alert with what mailing its owner needs.
#[derive(Clone, Debug)]
pub struct Subscription {
    pub alert: AlertRow,
    pub email: String,
    pub display_name: String,
}

/// The alerts among `ids` that still exist, with their owners' addresses.
pub async fn subscriptions(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<Subscription>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<AlertRow> =
        alerts::table.filter(alerts::id.eq_any(ids)).select(AlertRow::as_select()).load(conn).await?;
    with_contacts(conn, rows).await
}

/// The skill ids of these seekers' profiles, as (seeker, skill) pairs; the seekers feature keeps them.
pub async fn profile_skill_ids(
    conn: &mut AsyncPgConnection,
    seeker_ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, StoreError> {
    crate::seekers::directory::skill_ids_of(conn, seeker_ids).await
}

/// The seekers (user ids) whose profiles have these candidate ids, as the change feed names profiles.
pub async fn seekers_of_candidates(
    conn: &mut AsyncPgConnection,
    candidate_ids: &[Uuid],
) -> Result<Vec<Uuid>, StoreError> {
    crate::seekers::directory::users_of_candidates(conn, candidate_ids).await
}

/// Which of `ids` name no alert (any more).
pub async fn missing_alerts(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let present: HashSet<Uuid> =
        alerts::table.filter(alerts::id.eq_any(ids)).select(alerts::id).load::<Uuid>(conn).await?.into_iter().collect();
    Ok(ids.iter().filter(|id| !present.contains(id)).copied().collect())
}

/// A match to record: pending until a mail carries it.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = alert_matches)]
pub struct NewMatch {
    pub alert_id: Uuid,
    pub job_id: Uuid,
    pub matched_skills: serde_json::Value,
    pub status: &'static str,
    /// Why a partner commute alert matched ([`super::model::Commute`]); `None` for other alerts.
    pub commute: Option<serde_json::Value>,
}

#[derive(QueryableByName)]
struct Pair {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    alert_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    job_id: Uuid,
}

/// Matches recorded per statement: arrays, so one statement whatever the count, but bounded in memory.
const INSERT_CHUNK: usize = 50_000;

/// Records matches that were never recorded before and returns those (alert id, job id) pairs; pairs already
/// recorded, sent or pending, are left as they are, and pairs of alerts deleted meanwhile are left out.
pub async fn insert_new_matches(
    conn: &mut AsyncPgConnection,
    matches: &[NewMatch],
) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    let mut inserted = Vec::new();
    for chunk in matches.chunks(INSERT_CHUNK) {
        let alert_ids: Vec<Uuid> = chunk.iter().map(|m| m.alert_id).collect();
        let job_ids: Vec<Uuid> = chunk.iter().map(|m| m.job_id).collect();
        let skills: Vec<&serde_json::Value> = chunk.iter().map(|m| &m.matched_skills).collect();
        let statuses: Vec<&str> = chunk.iter().map(|m| m.status).collect();
        let commutes: Vec<Option<&serde_json::Value>> = chunk.iter().map(|m| m.commute.as_ref()).collect();
        let rows: Vec<Pair> = diesel::sql_query(
            "INSERT INTO alert_matches (alert_id, job_id, matched_skills, status, commute)
             SELECT m.alert_id, m.job_id, m.matched_skills, m.status, m.commute
             FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::text[], $5::jsonb[])
                  AS m(alert_id, job_id, matched_skills, status, commute)
             WHERE EXISTS (SELECT 1 FROM alerts a WHERE a.id = m.alert_id)
             ON CONFLICT DO NOTHING
             RETURNING alert_id, job_id",
        )
        .bind::<Array<diesel::sql_types::Uuid>, _>(&alert_ids)
        .bind::<Array<diesel::sql_types::Uuid>, _>(&job_ids)
        .bind::<Array<Jsonb>, _>(&skills)
        .bind::<Array<Text>, _>(&statuses)
        .bind::<Array<Nullable<Jsonb>>, _>(&commutes)
        .load(conn)
        .await?;
        inserted.extend(rows.into_iter().map(|p| (p.alert_id, p.job_id)));
    }
    Ok(inserted)
}

/// Withdraws the job's pending matches with alerts other than `still_matching`: it changed, closed or expired
/// before its digest. A match a digest has dealt with (numbered up to its alert's position) stays, so it is never
/// sent again; the alert's row is share-locked to read the position, so a digest queuing it meanwhile is waited for.
pub async fn withdraw_pending(
    conn: &mut AsyncPgConnection,
    job_id: Uuid,
    still_matching: &[Uuid],
) -> Result<usize, StoreError> {
    Ok(diesel::sql_query(
        "DELETE FROM alert_matches m
         WHERE m.job_id = $1 AND m.status = 'pending' AND m.alert_id <> ALL($2)
           AND m.seq > (SELECT a.digest_position FROM alerts a WHERE a.id = m.alert_id FOR SHARE)",
    )
    .bind::<diesel::sql_types::Uuid, _>(job_id)
    .bind::<Array<diesel::sql_types::Uuid>, _>(still_matching)
    .execute(conn)
    .await?)
}

/// One (alert, job) pair a mail carried.
#[derive(Clone, Copy, Debug)]
pub struct Delivered {
    pub alert_id: Uuid,
    pub job_id: Uuid,
    pub mail_id: Uuid,
}

/// Marks pending matches as sent by the given mails: what instant alerts do (digests move a position instead).
pub async fn mark_sent(conn: &mut AsyncPgConnection, delivered: &[Delivered]) -> Result<(), StoreError> {
    for chunk in delivered.chunks(10_000) {
        let alert_ids: Vec<Uuid> = chunk.iter().map(|d| d.alert_id).collect();
        let job_ids: Vec<Uuid> = chunk.iter().map(|d| d.job_id).collect();
        let mail_ids: Vec<Uuid> = chunk.iter().map(|d| d.mail_id).collect();
        diesel::sql_query(
            "UPDATE alert_matches m SET status = 'sent', sent_at = now(), mail_id = d.mail_id
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS d(alert_id, job_id, mail_id)
             WHERE m.alert_id = d.alert_id AND m.job_id = d.job_id AND m.status = 'pending'",
        )
        .bind::<Array<diesel::sql_types::Uuid>, _>(&alert_ids)
        .bind::<Array<diesel::sql_types::Uuid>, _>(&job_ids)
        .bind::<Array<diesel::sql_types::Uuid>, _>(&mail_ids)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Deletes pending matches whose jobs are no longer visible, so that a job reopened is matched afresh.
pub async fn drop_pending(conn: &mut AsyncPgConnection, pairs: &[(Uuid, Uuid)]) -> Result<(), StoreError> {
    if pairs.is_empty() {
        return Ok(());
    }
    let (alert_ids, job_ids): (Vec<Uuid>, Vec<Uuid>) = pairs.iter().copied().unzip();
    diesel::sql_query(
        "DELETE FROM alert_matches m USING unnest($1::uuid[], $2::uuid[]) AS d(alert_id, job_id)
         WHERE m.alert_id = d.alert_id AND m.job_id = d.job_id AND m.status = 'pending'",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(&alert_ids)
    .bind::<Array<diesel::sql_types::Uuid>, _>(&job_ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// The highest match number such that every match numbered up to it has committed (or never will): a digest run
/// sends matches up to it and leaves later ones to the next run. Numbers are taken in the order inserts run but
/// commit in any order, so the table is share-locked for a moment, which waits for the inserts under way.
pub async fn match_horizon(conn: &mut AsyncPgConnection) -> Result<i64, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            diesel::sql_query("LOCK TABLE alert_matches IN SHARE MODE").execute(conn).await?;
            Ok(diesel::select(diesel::dsl::sql::<BigInt>(
                "coalesce(pg_sequence_last_value(pg_get_serial_sequence('alert_matches', 'seq')::regclass), 0)",
            ))
            .get_result(conn)
            .await?)
        }
        .scope_boxed()
    })
    .await
}

#[derive(QueryableByName)]
struct AlertId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// Locks up to `limit` alerts of this frequency with ids in (`after`, `until`], in id order, that have matches
/// after their position up to `horizon`, until the transaction ends. Alerts another digest run holds are skipped: that run
/// sends them. The lock lets the matcher go on recording matches of these alerts (their foreign key checks).
pub async fn lock_due(
    conn: &mut AsyncPgConnection,
    frequency: &str,
    (after, until): (Option<Uuid>, Option<Uuid>),
    horizon: i64,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    let rows: Vec<AlertId> = diesel::sql_query(
        "SELECT a.id FROM alerts a
         WHERE a.frequency = $1 AND ($2::uuid IS NULL OR a.id > $2) AND ($5::uuid IS NULL OR a.id <= $5)
           AND a.digest_position < $3
           AND EXISTS (SELECT 1 FROM alert_matches m
                       WHERE m.alert_id = a.id AND m.seq > a.digest_position AND m.seq <= $3)
         ORDER BY a.id
         LIMIT $4
         FOR NO KEY UPDATE OF a SKIP LOCKED",
    )
    .bind::<Text, _>(frequency)
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(after)
    .bind::<BigInt, _>(horizon)
    .bind::<BigInt, _>(limit)
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(until)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// A match waiting for its digest, with what ranks it and why it matched (as JSON text: a digest reads every
/// match but decodes only those it lists).
#[derive(Clone, Debug, QueryableByName)]
pub struct DueMatch {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub alert_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub job_id: Uuid,
    /// How many of the job's skills met the alert.
    #[diesel(sql_type = Integer)]
    pub skills: i32,
    /// For a partner commute alert: how far the job is from the talent's employer.
    #[diesel(sql_type = Nullable<Double>)]
    pub distance_km: Option<f64>,
    /// `[AlertSkill]`.
    #[diesel(sql_type = Text)]
    pub matched_skills: String,
    /// [`super::model::Commute`], for a partner commute alert.
    #[diesel(sql_type = Nullable<Text>)]
    pub commute: Option<String>,
}

/// The pending matches of these (locked) alerts numbered after their positions, up to `horizon`.
pub async fn due_matches(
    conn: &mut AsyncPgConnection,
    alert_ids: &[Uuid],
    horizon: i64,
) -> Result<Vec<DueMatch>, StoreError> {
    Ok(diesel::sql_query(
        "SELECT m.alert_id, m.job_id, jsonb_array_length(m.matched_skills) AS skills,
                (m.commute ->> 'distance_km')::float8 AS distance_km,
                m.matched_skills::text AS matched_skills, m.commute::text AS commute
         FROM alerts a JOIN alert_matches m ON m.alert_id = a.id AND m.seq > a.digest_position AND m.seq <= $2
         WHERE a.id = ANY($1) AND m.status = 'pending'",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(alert_ids)
    .bind::<BigInt, _>(horizon)
    .load(conn)
    .await?)
}

/// Moves the positions of these (locked) alerts to `horizon`: their digests have dealt with every match up to it.
pub async fn advance(conn: &mut AsyncPgConnection, alert_ids: &[Uuid], horizon: i64) -> Result<(), StoreError> {
    diesel::update(alerts::table.filter(alerts::id.eq_any(alert_ids)))
        .set(alerts::digest_position.eq(horizon))
        .execute(conn)
        .await?;
    Ok(())
}

/// A job an alert matched, for the seeker's list of them.
#[derive(Clone, Debug, Queryable)]
pub struct MatchedJob {
    pub seq: i64,
    pub job_id: Uuid,
    pub matched_skills: serde_json::Value,
    pub commute: Option<serde_json::Value>,
    pub matched_at: DateTime<Utc>,
}

/// Up to `limit` of the alert's matches, newest first, numbered before `before`.
pub async fn matched_jobs(
    conn: &mut AsyncPgConnection,
    alert_id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<MatchedJob>, StoreError> {
    let mut query = alert_matches::table
        .filter(alert_matches::alert_id.eq(alert_id))
        .order(alert_matches::seq.desc())
        .limit(limit)
        .select((
            alert_matches::seq,
            alert_matches::job_id,
            alert_matches::matched_skills,
            alert_matches::commute,
            alert_matches::matched_at,
        ))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(alert_matches::seq.lt(before));
    }
    Ok(query.load(conn).await?)
}

/// The last slot the scheduled digest of `frequency` went out for.
pub async fn last_slot(conn: &mut AsyncPgConnection, frequency: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(alert_digest_runs::table.find(frequency).select(alert_digest_runs::slot).first(conn).await.optional()?)
}

pub async fn set_slot(conn: &mut AsyncPgConnection, frequency: &str, slot: DateTime<Utc>) -> Result<(), StoreError> {
    diesel::insert_into(alert_digest_runs::table)
        .values((alert_digest_runs::frequency.eq(frequency), alert_digest_runs::slot.eq(slot)))
        .on_conflict(alert_digest_runs::frequency)
        .do_update()
        .set(alert_digest_runs::slot.eq(slot))
        .execute(conn)
        .await?;
    Ok(())
}
