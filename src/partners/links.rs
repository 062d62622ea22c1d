//! Linking two seekers as partners: the invitation by email (a few pending at most, revocable by its sender), what
//! its link shows, accepting it once and only from the invited address, unlinking.

use chrono::{Duration, Utc};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use minijinja::context;
use uuid::Uuid;

use super::directory::{partner_of, reindex_seekers, seeker};
use super::model::{Invitation, InvitationPreview, InvitePartner, Linked, PendingInvitation, MAX_PENDING_INVITATIONS};
use super::store::{self, NewInvitation, Revocation};
use super::token::{self, INVITATION_TTL_DAYS};
use crate::auth::model::normalize_email;
use crate::db::StoreError;
use crate::error::ApiError;
use crate::mail::render::render;
use crate::mail::{enqueue, MailKind, NewMail};

/// The link an invitation email carries.
pub fn invitation_url(public_base_url: &str, token: &str) -> String {
    format!("{}/api/v1/partner-invitations/{token}", public_base_url.trim_end_matches('/'))
}

fn already_linked() -> ApiError {
    ApiError::Conflict("partner-exists", "you already have a partner; unlink first".to_owned())
}

fn no_profile() -> ApiError {
    ApiError::Conflict(
        "profile-required",
        "save your profile first: partners are linked through their profiles".to_owned(),
    )
}

fn too_many_pending() -> ApiError {
    ApiError::Conflict(
        "too-many-invitations",
        format!(
            "you already have {MAX_PENDING_INVITATIONS} pending invitations; revoke one \
         (DELETE /api/v1/me/partner/invitations/{{id}}) or wait until one is accepted or expires"
        ),
    )
}

/// What sending an invitation needs beside the database: the key its token is hashed with, and where links point.
#[derive(Clone, Copy, Debug)]
pub struct InvitationSettings<'a> {
    pub invitation_key: &'a [u8],
    pub public_base_url: &'a str,
}

/// Sends an invitation to `request.email`: the row and its email commit together, within the pending limit.
pub async fn invite(
    conn: &mut AsyncPgConnection,
    settings: InvitationSettings<'_>,
    inviter_id: Uuid,
    request: InvitePartner,
) -> Result<Invitation, ApiError> {
    let inviter = seeker(conn, inviter_id).await?.ok_or_else(no_profile)?;
    let email = request.validate(&inviter.email).map_err(ApiError::Invalid)?;
    if store::partner_id_of(conn, inviter_id).await?.is_some() {
        return Err(already_linked());
    }
    let (token, hash) = token::new_token(settings.invitation_key);
    let invitation =
        Invitation { id: Uuid::new_v4(), email, expires_at: Utc::now() + Duration::days(INVITATION_TTL_DAYS) };
    let content = render(
        "partner_invitation",
        context! {
            inviter_name => &inviter.display_name,
            invitation_url => invitation_url(settings.public_base_url, &token),
            expires_on => invitation.expires_at.format("%-d %B %Y").to_string(),
        },
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mail = NewMail::new(MailKind::Invitation, &invitation.email, content).with_ref(invitation.id);
    let new = NewInvitation {
        id: invitation.id,
        inviter_id,
        email: &invitation.email,
        token_hash: &hash,
        expires_at: invitation.expires_at,
    };
    let sent = conn
        .transaction::<_, StoreError, _>(|conn| {
            async move {
                // Two invitations sent at once are counted one after the other against the pending limit.
                crate::seekers::directory::lock_profile(conn, inviter_id).await?;
                if store::pending_invitations(conn, inviter_id, Utc::now()).await?.len() >= MAX_PENDING_INVITATIONS {
                    return Ok(false);
                }
                store::insert_invitation(conn, new).await?;
                enqueue(conn, mail).await?;
                Ok(true)
            }
            .scope_boxed()
        })
        .await?;
    if !sent {
        return Err(too_many_pending());
    }
    Ok(invitation)
}

/// The inviter's invitations that can still be accepted, newest first.
pub async fn pending(conn: &mut AsyncPgConnection, inviter_id: Uuid) -> Result<Vec<PendingInvitation>, ApiError> {
    let rows = store::pending_invitations(conn, inviter_id, Utc::now()).await?;
    Ok(rows
        .into_iter()
        .map(|r| PendingInvitation { id: r.id, email: r.email, created_at: r.created_at, expires_at: r.expires_at })
        .collect())
}

/// Withdraws an invitation: its link answers 410 from now on. Revoking twice is no error.
pub async fn revoke(conn: &mut AsyncPgConnection, inviter_id: Uuid, id: Uuid) -> Result<(), ApiError> {
    match store::revoke_invitation(conn, inviter_id, id).await? {
        Revocation::Revoked => Ok(()),
        Revocation::Accepted => Err(ApiError::Conflict(
            "invitation-accepted",
            "this invitation was accepted; unlink (DELETE /api/v1/me/partner) instead".to_owned(),
        )),
        Revocation::Unknown => Err(ApiError::NotFound),
    }
}

fn gone() -> ApiError {
    ApiError::Gone("this invitation has been used, revoked or has expired".to_owned())
}

/// Who invites and until when, for anyone holding the link.
pub async fn preview(
    conn: &mut AsyncPgConnection,
    invitation_key: &[u8],
    token: &str,
) -> Result<InvitationPreview, ApiError> {
    let invitation = store::invitation_by_hash(conn, &token::lookup_hashes(invitation_key, token))
        .await?
        .ok_or(ApiError::NotFound)?;
    // The inviter's account goes with its invitations (by cascade): one without the other is a race with erasure.
    let inviter = crate::auth::directory::contact(conn, invitation.inviter_id).await?.ok_or(ApiError::NotFound)?;
    if !invitation.is_open(Utc::now()) {
        return Err(gone());
    }
    Ok(InvitationPreview { inviter_name: inviter.display_name, expires_at: invitation.expires_at })
}

/// Why an invitation could not be accepted; nothing was written.
enum Refusal {
    Unknown,
    Gone,
    Own,
    OtherAddress,
    AlreadyLinked,
}

/// Accepts the invitation for `partner_id`, whose account must have the invited address: links the two, uses up
/// the token and re-indexes both profiles, in one transaction. The invitation row stays locked meanwhile, so a
/// token links once however often it is sent.
pub async fn accept(
    conn: &mut AsyncPgConnection,
    invitation_key: &[u8],
    partner_id: Uuid,
    token: &str,
) -> Result<Linked, ApiError> {
    let partner = seeker(conn, partner_id).await?.ok_or_else(no_profile)?;
    let partner_email = normalize_email(&partner.email);
    let hashes = token::lookup_hashes(invitation_key, token);
    let outcome = conn
        .transaction::<_, StoreError, _>(|conn| {
            async move {
                let Some(invitation) = store::lock_invitation_by_hash(conn, &hashes).await? else {
                    return Ok(Err(Refusal::Unknown));
                };
                if !invitation.is_open(Utc::now()) {
                    return Ok(Err(Refusal::Gone));
                }
                let inviter_id = invitation.inviter_id;
                if inviter_id == partner_id {
                    return Ok(Err(Refusal::Own));
                }
                if invitation.email != partner_email {
                    return Ok(Err(Refusal::OtherAddress));
                }
                let linked_now =
                    [store::partner_id_of(conn, inviter_id).await?, store::partner_id_of(conn, partner_id).await?];
                if linked_now.iter().any(Option::is_some) {
                    return Ok(Err(Refusal::AlreadyLinked));
                }
                store::link(conn, inviter_id, partner_id).await?;
                store::mark_accepted(conn, invitation.id, partner_id).await?;
                reindex_seekers(conn, &[inviter_id, partner_id]).await?;
                Ok(Ok(()))
            }
            .scope_boxed()
        })
        .await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(Refusal::Unknown)) => return Err(ApiError::NotFound),
        Ok(Err(Refusal::Gone)) => return Err(gone()),
        Ok(Err(Refusal::Own)) => {
            return Err(ApiError::Conflict("own-invitation", "this is your own invitation".to_owned()))
        }
        Ok(Err(Refusal::OtherAddress)) => {
            return Err(ApiError::Forbidden(
                "this invitation was sent to another email address; sign in with the account of that address"
                    .to_owned(),
            ))
        }
        // Two acceptances at once: the second one's insert meets the first one's link.
        Ok(Err(Refusal::AlreadyLinked)) | Err(StoreError::Conflict(_)) => {
            return Err(ApiError::Conflict(
                "partner-exists",
                "one of you already has a partner; unlink first".to_owned(),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    let partner = partner_of(conn, partner_id).await?;
    Ok(Linked { partner: partner.ok_or_else(|| ApiError::Internal("the new link is not readable".to_owned()))? })
}

/// Ends the caller's link, from either side; both profiles are re-indexed, as neither is a partner any more.
pub async fn unlink(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<(), ApiError> {
    let unlinked = conn
        .transaction::<_, StoreError, _>(|conn| {
            async move {
                let Some(partner_id) = store::unlink(conn, seeker_id).await? else { return Ok(false) };
                reindex_seekers(conn, &[seeker_id, partner_id]).await?;
                Ok(true)
            }
            .scope_boxed()
        })
        .await?;
    if unlinked {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}
