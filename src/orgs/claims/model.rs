//! Claim types and what the claim endpoints send back.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// How many claims one employer may have waiting at once: enough for a group with a few companies, too few to
/// flood the operators' queue.
pub const MAX_PENDING_CLAIMS: i64 = 5;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Pending,
    Approved,
    Declined,
}

impl ClaimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "declined" => Some(Self::Declined),
            _ => None,
        }
    }
}

crate::text_enum_sql!(ClaimStatus);

/// An employer's request to take over an organisation an import made.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationClaim {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The employer account that asked.
    pub requested_by: Uuid,
    pub status: ClaimStatus,
    pub requested_at: DateTime<Utc>,
    /// When an operator approved or declined it.
    pub decided_at: Option<DateTime<Utc>>,
}

/// Who asked to claim an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Claimant {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
}

/// A pending claim as operators see it: the organisation as imported and who asks for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingClaim {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub org_number: Option<String>,
    pub website: Option<String>,
    pub claimant: Claimant,
    pub requested_at: DateTime<Utc>,
}
