//! What an export contains (each feature defines its own part), and what erasing an account asks for.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::alerts::model::AlertView;
use crate::auth::model::MyOrganization;
use crate::auth::privacy::{Account, FailedLogin, Session};
use crate::mail::privacy::EmailRecord;
use crate::partners::model::{Recruitment, Referral, ReferralPreferences};
use crate::partners::privacy::{AcceptedInvitation, PartnerRecord, SentInvitation};
use crate::seekers::model::Profile;
use crate::seekers::privacy::ViewRecord;

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
