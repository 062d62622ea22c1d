//! Referrals: a member of a network organisation refers a partner-pool candidate to another network organisation,
//! whose contact points are emailed; the candidate sees every referral about them and can stop further ones.

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use minijinja::context;
use uuid::Uuid;

use super::directory::{is_in_pool, seeker};
use super::model::{OrganizationRef, PreferencesUpdate, Referral, ReferralPreferences, ReferralRequest, ValidReferral};
use super::store::{self, NewReferral, ReferralPosition};
use crate::auth::model::MyOrganization;
use crate::db::StoreError;
use crate::error::ApiError;
use crate::mail::render::render;
use crate::mail::{enqueue, MailKind, NewMail};
use crate::orgs::model::{Member, MemberRole, Organization};
use crate::pagination::{Page, PageParams};

/// The referring organisation: the one asked for, which must be one of the caller's network organisations, else
/// the caller's oldest network membership.
fn referring_organization(
    organizations: Vec<MyOrganization>,
    wanted: Option<Uuid>,
) -> Result<MyOrganization, ApiError> {
    let mut in_network = organizations.into_iter().filter(|o| o.in_network);
    let found = match wanted {
        Some(id) => in_network.find(|o| o.id == id),
        None => in_network.next(),
    };
    found.ok_or_else(|| {
        ApiError::Forbidden("only members of organisations in the HR network may refer candidates".to_owned())
    })
}

/// Who hears of a referral: the organisation's contact points, or its admins if it has named none.
fn recipients(members: Vec<Member>) -> Vec<Member> {
    let (contacts, others): (Vec<Member>, Vec<Member>) = members.into_iter().partition(|m| m.contact_point);
    if contacts.is_empty() {
        others.into_iter().filter(|m| m.role == MemberRole::Admin).collect()
    } else {
        contacts
    }
}

/// The receiving organisation: another one in the network.
async fn receiving_organization(
    conn: &mut AsyncPgConnection,
    from: &MyOrganization,
    to: Uuid,
) -> Result<Organization, ApiError> {
    let organization = crate::orgs::find_organization(conn, to).await?.filter(|o| o.in_network && o.id != from.id);
    organization
        .ok_or_else(|| ApiError::invalid("to_organization_id", "must be another organisation in the HR network"))
}

/// Refers a partner-pool candidate; the referral and its emails commit together. The emails link to the
/// candidate under `public_base_url`.
pub async fn refer(
    conn: &mut AsyncPgConnection,
    public_base_url: &str,
    user_id: Uuid,
    request: ReferralRequest,
) -> Result<Referral, ApiError> {
    let from =
        referring_organization(crate::orgs::organizations_of(conn, user_id).await?, request.from_organization_id)?;
    let ValidReferral { candidate_id, to_organization_id, note, .. } = request.validate().map_err(ApiError::Invalid)?;
    let to = receiving_organization(conn, &from, to_organization_id).await?;
    // `in_partner_pool` is itself the consent to be seen (and referred) by the network, searchable or not.
    let seeker = match crate::seekers::seeker_by_candidate(conn, candidate_id, crate::seekers::Visibility::Any).await? {
        Some(s) if is_in_pool(conn, s.user_id).await? => s,
        _ => return Err(ApiError::invalid("candidate_id", "no candidate in the partner pool has this id")),
    };
    if !store::accepts_referrals(conn, seeker.user_id).await? {
        return Err(ApiError::Conflict(
            "referrals-declined",
            "this candidate has asked for no further referrals".to_owned(),
        ));
    }
    let id = Uuid::new_v4();
    let candidate_url = format!("{}/api/v1/candidates/{candidate_id}", public_base_url.trim_end_matches('/'));
    let mails = recipients(crate::orgs::members(conn, to.id).await?)
        .into_iter()
        .map(|member| {
            let content = render(
                "partner_referral",
                context! {
                    name => &member.display_name,
                    from_organization => &from.name,
                    to_organization => &to.name,
                    note => &note,
                    candidate_url => &candidate_url,
                },
            )
            .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(NewMail::new(MailKind::Referral, member.email, content).with_ref(id))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let new = NewReferral {
        id,
        seeker_id: seeker.user_id,
        from_organization_id: from.id,
        from_organization_name: &from.name,
        to_organization_id: to.id,
        to_organization_name: &to.name,
        referred_by: user_id,
        note: &note,
    };
    let created_at = conn
        .transaction::<_, StoreError, _>(|conn| {
            async move {
                let created_at = store::insert_referral(conn, new).await?;
                for mail in mails {
                    enqueue(conn, mail).await?;
                }
                Ok(created_at)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Referral {
        id,
        from_organization: OrganizationRef { id: Some(from.id), name: from.name },
        to_organization: OrganizationRef { id: Some(to.id), name: to.name },
        note,
        created_at,
    })
}

/// The referrals about the seeker, newest first.
pub async fn mine(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    params: &PageParams,
) -> Result<Page<Referral>, ApiError> {
    let limit = params.limit()?;
    let after = params.position::<ReferralPosition>()?;
    let rows = store::referrals_of(conn, seeker_id, after, limit).await?;
    Ok(Page::from_rows(rows, limit, |r| (r.created_at, r.id)).map(|r| Referral {
        id: r.id,
        from_organization: OrganizationRef { id: r.from_organization_id, name: r.from_organization_name },
        to_organization: OrganizationRef { id: r.to_organization_id, name: r.to_organization_name },
        note: r.note,
        created_at: r.created_at,
    }))
}

/// The seeker's partner settings; 404 if they have no profile.
pub async fn preferences(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<ReferralPreferences, ApiError> {
    seeker(conn, seeker_id).await?.ok_or(ApiError::NotFound)?;
    Ok(ReferralPreferences {
        accept_referrals: store::accepts_referrals(conn, seeker_id).await?,
        partner_job_alerts: store::wants_partner_alerts(conn, seeker_id).await?,
    })
}

/// Stops (or resumes) referrals and partner commute alerts; referrals made before stay listed, and a stopped
/// commute alert goes with the jobs it had waiting.
pub async fn set_preferences(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    wanted: PreferencesUpdate,
) -> Result<ReferralPreferences, ApiError> {
    seeker(conn, seeker_id).await?.ok_or(ApiError::NotFound)?;
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            if let Some(accept) = wanted.accept_referrals {
                store::set_accepts_referrals(conn, seeker_id, accept).await?;
            }
            if let Some(wants) = wanted.partner_job_alerts {
                store::set_partner_alert_opt_out(conn, seeker_id, !wants).await?;
                if !wants {
                    crate::alerts::drop_partner_alert(conn, seeker_id).await?;
                }
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    preferences(conn, seeker_id).await
}
