//! Posting and editing jobs: who may, what is checked (fields, skills, status moves, closing dates), and the
//! transaction that writes the job and its index outbox row together.

use chrono::Utc;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::model::{job_skills, CreateJob, JobFields, JobPatch, JobSkill, JobStatus, JobView};
use super::store;
use crate::db::StoreError;
use crate::error::{ApiError, FieldError};
use crate::orgs::membership_of as membership;
use crate::outbox::{self, Entity};
use crate::taxonomy::{resolve, ResolveError};

/// Creates a job for an organisation the caller belongs to.
pub async fn create(conn: &mut AsyncPgConnection, caller: Uuid, body: CreateJob) -> Result<JobView, ApiError> {
    let (organization_id, fields) = body.into_fields();
    if membership(conn, organization_id, caller).await?.is_none() {
        return Err(if crate::orgs::organization_exists(conn, organization_id).await? {
            ApiError::Forbidden("only members of this organisation may post its jobs".to_owned())
        } else {
            ApiError::invalid("organization_id", "no such organisation")
        });
    }
    let (fields, skills) = checked(conn, fields, true).await?;
    let id = store::insert_job(conn, organization_id, caller, &fields, &skills).await?;
    store::load_job(conn, id).await?.ok_or(ApiError::NotFound)
}

/// One job as `caller` may see it: drafts only for members of the job's organisation, everyone else gets 404.
pub async fn view(conn: &mut AsyncPgConnection, caller: Option<Uuid>, id: Uuid) -> Result<JobView, ApiError> {
    let job = store::load_job(conn, id).await?.ok_or(ApiError::NotFound)?;
    if job.status.is_public() {
        return Ok(job);
    }
    match caller {
        Some(user) if membership(conn, job.organization_id, user).await?.is_some() => Ok(job),
        _ => Err(ApiError::NotFound),
    }
}

/// Applies a patch for a member of the job's organisation. Non-members get 404 for drafts and 403 otherwise.
/// The job's row is locked for the duration, so two edits cannot both make a status move from the same state.
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: Uuid,
    id: Uuid,
    patch: JobPatch,
) -> Result<JobView, ApiError> {
    conn.transaction::<_, TxError, _>(|conn| {
        async move {
            if !store::lock_job(conn, id).await? {
                return Err(ApiError::NotFound.into());
            }
            let current = store::load_job(conn, id).await?.ok_or(ApiError::NotFound)?;
            if membership(conn, current.organization_id, caller).await?.is_none() {
                return Err(if current.status.is_public() {
                    ApiError::Forbidden("only members of this organisation may edit its jobs".to_owned())
                } else {
                    ApiError::NotFound
                }
                .into());
            }
            apply(conn, current, patch).await?;
            Ok(store::load_job(conn, id).await?.ok_or(ApiError::NotFound)?)
        }
        .scope_boxed()
    })
    .await
    .map_err(|TxError(e)| e)
}

async fn apply(conn: &mut AsyncPgConnection, current: JobView, patch: JobPatch) -> Result<(), ApiError> {
    let to = patch.status.unwrap_or(current.status);
    if !current.status.may_become(to) {
        return Err(ApiError::Conflict(
            "status-move",
            format!(
                "a {} job cannot become {}; allowed moves are draft → published, published → closed and \
             closed → published",
                current.status.as_str(),
                to.as_str()
            ),
        ));
    }
    let publishing = to == JobStatus::Published && current.status != JobStatus::Published;
    let closes_at_changed = patch.closes_at.is_some_and(|at| at != current.closes_at);
    let replaces_skills = patch.skills.is_some();
    let merged = patch.apply_to(current.fields());
    let (fields, skills) = checked(conn, merged, publishing || closes_at_changed).await?;
    let published_at = current.published_at.or_else(|| (to == JobStatus::Published).then(Utc::now));
    store::update_job(conn, current.id, &fields, replaces_skills.then_some(skills.as_slice()), published_at).await?;
    Ok(())
}

/// Validates the fields and resolves the skills, reporting every invalid field at once. Too many skills are
/// refused before any is resolved (HTTP bodies never get this far with them; other callers might).
async fn checked(
    conn: &mut AsyncPgConnection,
    fields: JobFields,
    check_closes_at: bool,
) -> Result<(JobFields, Vec<JobSkill>), ApiError> {
    let refs = fields.skill_refs();
    let inputs = fields.skills.clone();
    let validated = fields.validate(check_closes_at, Utc::now());
    if refs.len() > crate::limits::MAX_JOB_SKILLS {
        return Err(ApiError::Invalid(validated.err().unwrap_or_default()));
    }
    let resolved = match resolve(conn, "skills", &refs).await {
        Ok(resolved) => job_skills(&inputs, resolved),
        Err(ResolveError::Invalid(errors)) => Err(errors),
        Err(ResolveError::Store(e)) => return Err(e.into()),
    };
    match (validated, resolved) {
        (Ok(fields), Ok(skills)) => Ok((fields, skills)),
        (validated, resolved) => {
            let mut errors: Vec<FieldError> = validated.err().unwrap_or_default();
            errors.extend(resolved.err().unwrap_or_default());
            Err(ApiError::Invalid(errors))
        }
    }
}

/// Queues every job of the organisation for the search index, in the caller's transaction: when the organisation
/// is deleted (its jobs with it, by cascade), the indexer finds them gone.
pub async fn queue_organization_jobs(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<(), StoreError> {
    for job_id in store::organization_job_ids(conn, org_id).await? {
        outbox::enqueue(conn, Entity::Job, job_id).await?;
    }
    Ok(())
}

/// A transaction's error: diesel's own errors become store errors, everything else is already an answer.
struct TxError(ApiError);

impl From<ApiError> for TxError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        Self(e.into())
    }
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        Self(StoreError::from(e).into())
    }
}
