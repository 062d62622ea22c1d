//! The search endpoints' work between HTTP and the index: who may search, resolving skills through the
//! in-memory taxonomy, building the search, running it on the search runner, and checking consent on what comes
//! back. A candidate search makes two database round trips (membership, consent); a job search none.

use std::collections::HashSet;
use std::sync::Arc;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::document::{CandidateSource, JobSource};
use super::model::{
    list, CandidateHit, CandidateSearchParams, JobHit, JobMatch, JobSearchParams, MatchParams, PageSpec, SearchPage,
};
use super::query::{
    one_per_class, CandidatePreference, CandidateSearch, JobPreference, JobSearch, WantedLanguage, WantedSkill,
};
use super::{store, Hits};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::observability::pooled_conn;
use crate::orgs;
use crate::state::AppState;
use crate::taxonomy::{LiveTaxonomy, SkillLinks};

/// Resolves a comma-separated list of skill ids or names, as profiles resolve theirs, from the taxonomy in
/// memory.
fn resolve_skills(
    taxonomy: &LiveTaxonomy,
    field: &str,
    raw: Option<&str>,
    required: bool,
) -> Result<Vec<WantedSkill>, ApiError> {
    let items = list(raw);
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let resolved = taxonomy.resolve_ids_or_names(field, &items)?;
    // "cellodling,cell culture" is one skill asked for twice.
    let mut seen: HashSet<String> = HashSet::with_capacity(resolved.len());
    Ok(resolved
        .into_iter()
        .filter(|skill| skill.skill_id.as_ref().is_none_or(|id| seen.insert(id.clone())))
        .map(|skill| WantedSkill { skill_id: skill.skill_id, name: skill.name, required })
        .collect())
}

/// Drops candidates who no longer agree to be found this way (searchable, or for a pool search in the partner
/// pool): an opt-out holds at once, even before the index catches up. One query. A total that was a lower bound
/// stays one: the dropped hits were among those counted.
async fn consented(
    conn: &mut AsyncPgConnection,
    mut hits: Hits<CandidateHit>,
    partner_pool: bool,
) -> Result<Hits<CandidateHit>, ApiError> {
    if hits.items.is_empty() {
        return Ok(hits);
    }
    let ids: Vec<Uuid> = hits.items.iter().map(|h| h.candidate_id).collect();
    let allowed = match partner_pool {
        true => store::in_pool_among(conn, &ids).await?,
        false => store::searchable_among(conn, &ids).await?,
    };
    let before = hits.items.len();
    hits.items.retain(|h| allowed.contains(&h.candidate_id));
    hits.total = hits.total.saturating_sub((before - hits.items.len()) as u64);
    Ok(hits)
}

fn page<T>(hits: Hits<T>, spec: PageSpec) -> SearchPage<T> {
    SearchPage {
        next_cursor: spec.next_cursor(hits.total, hits.total_exact),
        total: hits.total,
        total_exact: hits.total_exact,
        items: hits.items,
    }
}

fn empty<T>() -> SearchPage<T> {
    SearchPage { items: Vec::new(), next_cursor: None, total: 0, total_exact: true }
}

/// `GET /candidates`: for employers who belong to an organisation.
pub async fn search_candidates(
    state: &AppState,
    caller: AuthUser,
    params: CandidateSearchParams,
) -> Result<SearchPage<CandidateHit>, ApiError> {
    // Limits before any other work.
    let (mut filter, spec) = params.validate().map_err(ApiError::Invalid)?;
    let member_of = orgs::member_of(&mut *pooled_conn(&state.pool).await?, caller.id).await?;
    if !member_of.any_organization {
        return Err(ApiError::Forbidden("only members of an organisation may search candidates".to_owned()));
    }
    if filter.partner_pool && !member_of.network_organization {
        return Err(ApiError::Forbidden(
            "only members of HR-network organisations may search the partner pool".to_owned(),
        ));
    }
    let mut skills = resolve_skills(&state.taxonomy, "skills", params.skills.as_deref(), false)?;
    let must = resolve_skills(&state.taxonomy, "must_skills", params.must_skills.as_deref(), true)?;
    // A must-have skill the taxonomy does not know is a skill nobody can be shown to have.
    if must.iter().any(|s| s.skill_id.is_none()) {
        return Ok(empty());
    }
    let links = state.taxonomy.links();
    let must = one_per_class(must, &links);
    filter.skill_ids = must.iter().filter_map(|s| s.skill_id.clone()).collect();
    let partner_pool = filter.partner_pool;
    // A plus that is a must-have skill, or an equivalent of one, is the must-have skill.
    let is_must = |s: &WantedSkill| {
        must.iter()
            .any(|m| m.skill_id.as_deref().zip(s.skill_id.as_deref()).is_some_and(|(a, b)| links.are_equivalent(a, b)))
    };
    skills.retain(|s| !is_must(s));
    let mut skills = one_per_class(skills, &links);
    skills.extend(must);
    let search = CandidateSearch {
        text: params.q.clone(),
        skills,
        filter,
        prefer: CandidatePreference::default(),
        offset: spec.offset,
        limit: spec.limit,
        links,
    };
    let hits = state.searches.run(&state.search, move |index| index.search_candidates(&search)).await?;
    Ok(page(consented(&mut *pooled_conn(&state.pool).await?, hits, partner_pool).await?, spec))
}

/// The candidate search a job stands for: its required skills weigh most, then its other skills, languages,
/// place, availability and work permit. Equivalent skills (`links`) count once.
pub fn search_for_job(job: &JobSource, spec: PageSpec, links: Arc<SkillLinks>) -> CandidateSearch {
    let skills = job
        .skills
        .iter()
        .map(|s| WantedSkill { skill_id: s.skill_id.clone(), name: s.name.clone(), required: s.required })
        .collect();
    let skills = one_per_class(skills, &links);
    let on_site = job.remote != "full";
    CandidateSearch {
        text: None,
        skills,
        filter: Default::default(),
        prefer: CandidatePreference {
            languages: job
                .languages
                .iter()
                .map(|l| WantedLanguage { code: l.code.clone(), level: l.level.clone() })
                .collect(),
            city: on_site.then(|| job.city.clone()),
            country: on_site.then(|| job.country.clone()),
            sector: Some(job.sector.clone()),
            available_now: true,
            work_permit: true,
        },
        offset: spec.offset,
        limit: spec.limit,
        links,
    }
}

/// `GET /jobs/{id}/matches`: members of the job's organisation only. Others learn nothing of drafts (404).
pub async fn job_matches(
    state: &AppState,
    caller: AuthUser,
    job_id: Uuid,
    params: MatchParams,
) -> Result<SearchPage<CandidateHit>, ApiError> {
    let spec = params.validate().map_err(ApiError::Invalid)?;
    let mut conn = pooled_conn(&state.pool).await?;
    let job = store::jobs_by_id(&mut conn, &[job_id]).await?.pop().ok_or(ApiError::NotFound)?;
    if !orgs::is_member(&mut conn, job.organization.id, caller.id).await? {
        return Err(match job.status.as_str() {
            "draft" => ApiError::NotFound,
            _ => ApiError::Forbidden("only members of the job's organisation may see its matches".to_owned()),
        });
    }
    if job.skills.is_empty() {
        return Ok(empty());
    }
    let search = search_for_job(&job, spec, state.taxonomy.links());
    drop(conn);
    let hits = state.searches.run(&state.search, move |index| index.search_candidates(&search)).await?;
    Ok(page(consented(&mut *pooled_conn(&state.pool).await?, hits, false).await?, spec))
}

/// `GET /jobs`: published jobs that have not closed, for anyone. No database round trip.
pub async fn search_jobs(state: &AppState, params: JobSearchParams) -> Result<SearchPage<JobHit>, ApiError> {
    let (filter, spec) = params.validate().map_err(ApiError::Invalid)?;
    let links = state.taxonomy.links();
    let skills = one_per_class(resolve_skills(&state.taxonomy, "skills", params.skills.as_deref(), false)?, &links);
    let search = JobSearch {
        text: params.q.clone(),
        skills,
        rank_by_missing_required: false,
        filter,
        prefer: JobPreference::default(),
        offset: spec.offset,
        limit: spec.limit,
        links,
    };
    let hits = state.searches.run(&state.search, move |index| index.search_jobs(&search)).await?;
    Ok(page(hits, spec))
}

/// The job search a profile stands for: jobs whose required skills it lacks fewest of first, then by the
/// other skills, languages, places and sectors it shares. Equivalent skills (`links`) count once.
pub fn search_for_profile(profile: &CandidateSource, spec: PageSpec, links: Arc<SkillLinks>) -> JobSearch {
    let skills = profile
        .skills
        .iter()
        .map(|s| WantedSkill { skill_id: s.skill_id.clone(), name: s.name.clone(), required: false })
        .collect();
    let skills = one_per_class(skills, &links);
    let places = std::iter::once((Some(profile.city.clone()), profile.country.clone()))
        .chain(profile.desired_locations.iter().map(|d| (d.city.clone(), d.country.clone())))
        .collect();
    JobSearch {
        text: None,
        skills,
        rank_by_missing_required: true,
        filter: Default::default(),
        prefer: JobPreference {
            languages: profile.languages.clone(),
            places,
            sectors: profile.open_to_sectors.clone(),
        },
        offset: spec.offset,
        limit: spec.limit,
        links,
    }
}

/// `GET /me/matches`: jobs for the seeker's own profile (searchable or not). No profile or no skills: none.
pub async fn my_matches(state: &AppState, seeker: Uuid, params: MatchParams) -> Result<SearchPage<JobMatch>, ApiError> {
    let spec = params.validate().map_err(ApiError::Invalid)?;
    let profile = store::candidate_of_user(&mut *pooled_conn(&state.pool).await?, seeker).await?;
    let Some(profile) = profile.filter(|p| !p.skills.is_empty()) else {
        return Ok(empty());
    };
    let search = search_for_profile(&profile, spec, state.taxonomy.links());
    let hits = state.searches.run(&state.search, move |index| index.search_jobs(&search)).await?;
    let page = page(hits, spec);
    Ok(SearchPage {
        items: page
            .items
            .into_iter()
            .map(|hit| JobMatch {
                job_id: hit.id,
                title: hit.title,
                organization: hit.organization,
                location: hit.location,
                remote: hit.remote,
                score: hit.score.unwrap_or_default(),
                explanation: hit.explanation.unwrap_or_default(),
            })
            .collect(),
        next_cursor: page.next_cursor,
        total: page.total,
        total_exact: page.total_exact,
    })
}
