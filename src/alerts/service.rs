//! What the alert endpoints do between HTTP and the store: creating (with skills resolved through the taxonomy),
//! listing, deleting, and unsubscribing by token.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::criteria::is_visible;
use super::model::{
    AlertJob, AlertKind, AlertQuery, AlertSkill, AlertView, CheckedQuery, CreateAlert, Frequency, MAX_ALERTS,
};
use super::store::{self, AlertInsert, AlertRow, MatchedJob};
use super::token;
use crate::error::{ApiError, FieldError};
use crate::jobs::model::JobView;
use crate::pagination::{self, Page, PageParams};
use crate::secrets::Secrets;
use crate::taxonomy;

pub async fn create(conn: &mut AsyncPgConnection, seeker_id: Uuid, body: CreateAlert) -> Result<AlertView, ApiError> {
    let alert = body.validate().map_err(ApiError::Invalid)?;
    let query = match alert.query {
        Some(query) => Some(resolve_query(conn, query).await?),
        None => None,
    };
    let stored = query.as_ref().map(serde_json::to_value).transpose().map_err(|e| ApiError::Internal(e.to_string()))?;
    let insert = AlertInsert {
        id: Uuid::new_v4(),
        seeker_id,
        name: &alert.name,
        query: stored,
        match_profile: alert.match_profile,
        frequency: alert.frequency.as_str(),
    };
    let row = store::create(conn, insert).await?.ok_or_else(|| {
        ApiError::Conflict(
            "alert-limit",
            format!("you already have {MAX_ALERTS} alerts, the most one may keep; delete one first"),
        )
    })?;
    view(row)
}

/// Resolves the query's skills: known ids as they are, names through labels and synonyms. A name the taxonomy
/// does not know is refused, since jobs are matched by skill ids (free text belongs in `q`).
async fn resolve_query(conn: &mut AsyncPgConnection, query: CheckedQuery) -> Result<AlertQuery, ApiError> {
    let resolved = taxonomy::resolve_ids_or_names(conn, "query.skills", &query.skills).await?;
    let mut errors = Vec::new();
    let mut skills: Vec<AlertSkill> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (i, skill) in resolved.into_iter().enumerate() {
        match skill.skill_id {
            Some(skill_id) if !seen.insert(skill_id.clone()) => {}
            Some(skill_id) => skills.push(AlertSkill { skill_id, name: skill.name }),
            None => errors.push(FieldError::new(
                format!("query.skills[{i}]"),
                "no skill with this id or name; put free text in q",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    Ok(query.resolved(skills))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Position(chrono::DateTime<chrono::Utc>, Uuid);

pub async fn list(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    page: &PageParams,
) -> Result<Page<AlertView>, ApiError> {
    let limit = page.limit()?;
    let after = page.position::<Position>()?.map(|Position(at, id)| (at, id));
    let rows = store::list(conn, seeker_id, after, limit + 1).await?;
    let page = Page::from_rows(rows, limit, |row| Position(row.created_at, row.id));
    let items = page.items.into_iter().map(view).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, next_cursor: page.next_cursor })
}

/// Every alert of the seeker, oldest first: what an export holds.
pub async fn all_of(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<Vec<AlertView>, ApiError> {
    // At most MAX_ALERTS of the seeker's own plus the partner commute alert; the bound only guards the query.
    let rows = store::list(conn, seeker_id, None, MAX_ALERTS * 10).await?;
    rows.into_iter().map(view).collect()
}

/// Fetches of `limit + 1` matches one page of `GET /me/alerts/{id}/jobs` makes at most: matches of jobs closed
/// since are skipped, and a page of an alert whose jobs have mostly closed ends short rather than read on and on.
const JOB_PAGE_FETCHES: usize = 5;

/// The jobs one of the seeker's alerts matched that are still open, newest match first: where a digest's "and 37
/// more" leads. Another seeker's alert is as unknown as one that never existed.
pub async fn jobs(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    alert_id: Uuid,
    page: &PageParams,
) -> Result<Page<AlertJob>, ApiError> {
    let limit = page.limit()?;
    let mut position = page.position::<i64>()?;
    store::find(conn, alert_id).await?.filter(|alert| alert.seeker_id == seeker_id).ok_or(ApiError::NotFound)?;
    let mut items = Vec::new();
    for _ in 0..JOB_PAGE_FETCHES {
        let rows = store::matched_jobs(conn, alert_id, position, limit + 1).await?;
        let last_fetch = rows.len() as i64 <= limit;
        let views = open_jobs(conn, &rows).await?;
        for row in rows {
            if items.len() as i64 == limit {
                return Ok(Page { items, next_cursor: position.map(|p| pagination::encode(&p)) });
            }
            position = Some(row.seq);
            if let Some(job) = views.get(&row.job_id) {
                items.push(alert_job(row, job));
            }
        }
        if last_fetch {
            return Ok(Page { items, next_cursor: None });
        }
    }
    Ok(Page { items, next_cursor: position.map(|p| pagination::encode(&p)) })
}

/// The jobs of these matches that are still published and open.
async fn open_jobs(conn: &mut AsyncPgConnection, rows: &[MatchedJob]) -> Result<HashMap<Uuid, JobView>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|row| row.job_id).collect();
    let now = Utc::now();
    Ok(crate::jobs::load_jobs(conn, &ids)
        .await?
        .into_iter()
        .filter(|job| is_visible(job, now))
        .map(|job| (job.id, job))
        .collect())
}

fn alert_job(row: MatchedJob, job: &JobView) -> AlertJob {
    AlertJob {
        job_id: job.id,
        title: job.title.clone(),
        organization: job.organization.clone(),
        location: job.location.clone(),
        remote: job.remote,
        matched_skills: serde_json::from_value(row.matched_skills).unwrap_or_default(),
        commute: row.commute.and_then(|c| serde_json::from_value(c).ok()),
        matched_at: row.matched_at,
    }
}

/// Deletes one of the seeker's alerts; another seeker's is as unknown as one that never existed.
pub async fn delete(conn: &mut AsyncPgConnection, seeker_id: Uuid, id: Uuid) -> Result<(), ApiError> {
    if store::delete_own(conn, seeker_id, id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// What an unsubscribe link points at: the alert id, and the alert if it still exists.
pub struct Unsubscription {
    pub alert_id: Uuid,
    pub alert: Option<AlertRow>,
}

/// Reads a token without acting on it. A token that is not genuine is refused as naming nothing.
pub async fn inspect(conn: &mut AsyncPgConnection, secrets: &Secrets, token: &str) -> Result<Unsubscription, ApiError> {
    let alert_id = secrets.unsubscribe_keys().find_map(|key| token::verify(key, token)).ok_or(ApiError::NotFound)?;
    Ok(Unsubscription { alert_id, alert: store::find(conn, alert_id).await? })
}

/// Deletes the alert a genuine token names; unsubscribing twice is no error. Returns the alert's name if it was
/// there to delete.
pub async fn unsubscribe(
    conn: &mut AsyncPgConnection,
    secrets: &Secrets,
    token: &str,
) -> Result<Option<String>, ApiError> {
    let target = inspect(conn, secrets, token).await?;
    let deleted = store::delete(conn, target.alert_id).await?;
    Ok(target.alert.filter(|_| deleted).map(|a| a.name))
}

fn view(row: AlertRow) -> Result<AlertView, ApiError> {
    let corrupt = |what: &str| ApiError::Internal(format!("alert {} has an unreadable {what}", row.id));
    let frequency = Frequency::parse(&row.frequency).ok_or_else(|| corrupt("frequency"))?;
    let kind = AlertKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?;
    let query = row.query.clone().map(serde_json::from_value).transpose().map_err(|_| corrupt("query"))?;
    Ok(AlertView {
        id: row.id,
        kind,
        name: row.name,
        query,
        match_profile: row.match_profile,
        frequency,
        created_at: row.created_at,
    })
}
