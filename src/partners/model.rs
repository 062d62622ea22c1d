//! Partner invitations, recruitments and referrals as clients send and receive them, and their validation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::model::{check_email, normalize_email};
use crate::seekers::model::PartnerLink;
use crate::vocab::FieldError;

/// The longest referral note.
pub const MAX_NOTE: usize = 2000;

/// How many invitations one seeker may have waiting at once; revoking one frees a place.
pub const MAX_PENDING_INVITATIONS: usize = 3;

/// The body of `POST /api/v1/me/partner/invitations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitePartner {
    /// Where the invitation goes; only the account with this address can accept it.
    #[schema(example = "partner@example.org")]
    pub email: String,
}

impl InvitePartner {
    /// The normalised address, which may not be the inviter's own.
    pub fn validate(self, own_email: &str) -> Result<String, Vec<FieldError>> {
        let email = normalize_email(&self.email);
        check_email(&email).map_err(|m| vec![FieldError::new("email", m)])?;
        if email == normalize_email(own_email) {
            return Err(vec![FieldError::new("email", "you cannot invite yourself")]);
        }
        Ok(email)
    }
}

/// An invitation as its sender sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

/// An invitation not yet accepted, revoked or expired, as its sender lists it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PendingInvitation {
    pub id: Uuid,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What the holder of an invitation link sees before accepting.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvitationPreview {
    /// The display name of the seeker who invites.
    pub inviter_name: String,
    /// Until when the invitation can be accepted.
    pub expires_at: DateTime<Utc>,
}

/// The answer to an accepted invitation: who the caller is now linked with.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Linked {
    pub partner: PartnerLink,
}

/// The body of `POST /api/v1/organizations/{id}/recruits`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecruitRequest {
    /// The recruited talent's candidate id (a searchable profile).
    pub candidate_id: Uuid,
}

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum RecruitmentStatus {
    /// Reported by the organisation, not yet confirmed by the seeker.
    Pending,
    /// Confirmed by the seeker: the seeker's partner may join the partner pool.
    Confirmed,
}

impl RecruitmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Confirmed].into_iter().find(|k| k.as_str() == s)
    }
}

crate::text_enum_sql!(RecruitmentStatus);

/// An organisation, by id and name. The id is null once the organisation has been deleted; the name stays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrganizationRef {
    pub id: Option<Uuid>,
    pub name: String,
}

/// An organisation's report that it recruited a seeker.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Recruitment {
    pub id: Uuid,
    pub status: RecruitmentStatus,
    pub organization: OrganizationRef,
    pub candidate_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// The body of `POST /api/v1/referrals`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    /// A candidate in the partner pool.
    pub candidate_id: Uuid,
    /// Another organisation in the HR network; its contact points are emailed.
    pub to_organization_id: Uuid,
    /// Why this partner fits the organisation (1 to 2000 characters).
    #[serde(deserialize_with = "crate::limits::text::<MAX_NOTE, _>")]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
    /// Which of the caller's network organisations refers; the caller's oldest network membership if not given.
    #[serde(default)]
    pub from_organization_id: Option<Uuid>,
}

/// A referral request that passed the checks needing no database.
#[derive(Debug)]
pub struct ValidReferral {
    pub candidate_id: Uuid,
    pub to_organization_id: Uuid,
    pub note: String,
    pub from_organization_id: Option<Uuid>,
}

impl ReferralRequest {
    pub fn validate(self) -> Result<ValidReferral, Vec<FieldError>> {
        let note = self.note.trim().to_owned();
        if note.is_empty() || note.chars().count() > MAX_NOTE {
            return Err(vec![FieldError::new("note", format!("must be 1 to {MAX_NOTE} characters"))]);
        }
        Ok(ValidReferral {
            candidate_id: self.candidate_id,
            to_organization_id: self.to_organization_id,
            note,
            from_organization_id: self.from_organization_id,
        })
    }
}

/// A referral of a partner from one network organisation to another.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Referral {
    pub id: Uuid,
    pub from_organization: OrganizationRef,
    pub to_organization: OrganizationRef,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// A partner's settings (`GET`/`PUT /api/v1/me/referral-preferences`): whether referrals and partner commute
/// alerts are welcome.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReferralPreferences {
    /// `false` stops further referrals; earlier ones stay listed.
    pub accept_referrals: bool,
    /// While I am in the partner pool, a daily email of jobs in every sector within commuting distance
    /// (`PARTNER_COMMUTE_KM`, 50 km by default, as the crow flies) of the employer that recruited my partner.
    /// On by default; `false` stops it (as deleting or unsubscribing from that alert does). Jobs in towns Tandem
    /// cannot place on its map are never included.
    pub partner_job_alerts: bool,
}

/// The body of `PUT /api/v1/me/referral-preferences`: each setting given is changed, the others stay.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesUpdate {
    /// `false` stops further referrals, `true` resumes them.
    #[serde(default)]
    pub accept_referrals: Option<bool>,
    /// `false` stops partner commute alerts, `true` resumes them.
    #[serde(default)]
    pub partner_job_alerts: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_email_is_normalised_and_not_ones_own() {
        let ok = InvitePartner { email: " Kim@Example.ORG ".into() }.validate("ana@example.org");
        assert_eq!(ok.expect("valid"), "kim@example.org");
        let own = InvitePartner { email: "ANA@example.org".into() }.validate("ana@example.org");
        assert_eq!(own.expect_err("own")[0].field, "email");
        assert!(InvitePartner { email: "not an email".into() }.validate("a@b.se").is_err());
    }

    #[test]
    fn referral_note_is_required_and_bounded() {
        let request = |note: &str| ReferralRequest {
            candidate_id: Uuid::nil(),
            to_organization_id: Uuid::nil(),
            note: note.to_owned(),
            from_organization_id: None,
        };
        assert_eq!(request(" fits well ").validate().expect("valid").note, "fits well");
        assert_eq!(request("  ").validate().expect_err("blank")[0].field, "note");
        assert!(request(&"x".repeat(MAX_NOTE + 1)).validate().is_err());
    }
}
