//! What an export contains, and what erasing an account asks for.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::alerts::model::AlertView;
use crate::auth::model::MyOrganization;
use crate::partners::model::{Recruitment, Referral, ReferralPreferences};
use crate::seekers::model::Profile;

#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViewRecord {
    pub organization_name: String,
    pub viewed_at: DateTime<Utc>,
}

/// A login session (one refresh-token family member); the token itself is never stored, so never exported.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FailedLogin {
    pub client_addr: String,
    pub failed_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailRecord {
    pub kind: String,
    pub subject: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// My partner link: who, and since when.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerRecord {
    pub candidate_id: Uuid,
    pub display_name: String,
    pub linked_at: DateTime<Utc>,
}

/// A partner invitation I sent (the token itself is only in the email, never stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct SentInvitation {
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A partner invitation I accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedInvitation {
    /// The display name of the seeker who invited me.
    pub inviter_name: String,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// Every personal datum Tandem holds about the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Export {
    pub exported_at: DateTime<Utc>,
    pub account: Account,
    pub profile: Option<Profile>,
    pub organizations: Vec<MyOrganization>,
    /// Who viewed my profile (organisations, never individuals).
    pub profile_views: Vec<ViewRecord>,
    pub sessions: Vec<Session>,
    pub failed_logins: Vec<FailedLogin>,
    pub emails: Vec<EmailRecord>,
    /// My job alerts, including the partner commute alert if I have one.
    pub alerts: Vec<AlertView>,
    pub partner: Option<PartnerRecord>,
    pub partner_invitations_sent: Vec<SentInvitation>,
    pub partner_invitations_accepted: Vec<AcceptedInvitation>,
    /// Recruitments organisations reported about me.
    pub recruitments: Vec<Recruitment>,
    /// Referrals of me between HR-network organisations.
    pub referrals: Vec<Referral>,
    /// My referral and partner-alert settings (with a profile only).
    pub partner_settings: Option<ReferralPreferences>,
}

/// The body of `DELETE /api/v1/me`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseAccount {
    /// My current password.
    #[schema(format = Password)]
    pub password: String,
    /// Needed when I am the only admin of an organisation that has other members: that member becomes its admin
    /// (of every such organisation, so they must belong to each). An organisation with no other member is closed
    /// with its jobs.
    #[serde(default)]
    pub successor_user_id: Option<Uuid>,
}
