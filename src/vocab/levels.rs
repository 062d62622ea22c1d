//! Closed lists several features share: how well someone speaks a language, whether they may work in Sweden, and
//! how remote a job is. Each is written in requests, answers and rows by the same lower-case name.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether the seeker may work in Sweden.
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
pub enum WorkPermit {
    EuEeaCitizen,
    HasPermit,
    NeedsSponsorship,
}

impl WorkPermit {
    pub const ALL: [Self; 3] = [Self::EuEeaCitizen, Self::HasPermit, Self::NeedsSponsorship];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EuEeaCitizen => "eu_eea_citizen",
            Self::HasPermit => "has_permit",
            Self::NeedsSponsorship => "needs_sponsorship",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

crate::text_enum_sql!(WorkPermit);

/// A CEFR level, or a native speaker.
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
pub enum LanguageLevel {
    A1,
    A2,
    B1,
    B2,
    C1,
    C2,
    #[serde(rename = "native")]
    Native,
}

impl LanguageLevel {
    pub const ALL: [Self; 7] = [Self::A1, Self::A2, Self::B1, Self::B2, Self::C1, Self::C2, Self::Native];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::A1 => "A1",
            Self::A2 => "A2",
            Self::B1 => "B1",
            Self::B2 => "B2",
            Self::C1 => "C1",
            Self::C2 => "C2",
            Self::Native => "native",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

crate::text_enum_sql!(LanguageLevel);

/// How much of a job can be done away from the workplace.
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
pub enum Remote {
    No,
    Hybrid,
    Full,
}

impl Remote {
    pub const ALL: [Self; 3] = [Self::No, Self::Hybrid, Self::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::No => "no",
            Self::Hybrid => "hybrid",
            Self::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

crate::text_enum_sql!(Remote);
