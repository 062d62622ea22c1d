//! Organisation, membership and network-request types, their validation, and what the endpoints send back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::limits;
use crate::vocab::{check_length, check_url, not_null, trimmed, FieldError, Place};

const MAX_CITY_CHARS: usize = 100;
const MAX_ORG_NUMBER_CHARS: usize = 32;
const MAX_SECTOR_CHARS: usize = 100;
const MAX_URL_CHARS: usize = 2048;
const MAX_DESCRIPTION_CHARS: usize = 5000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganization {
    /// 1 to 200 characters.
    #[serde(deserialize_with = "limits::text::<{ limits::MAX_NAME_CHARS }, _>")]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// The national registration number (in Sweden, organisationsnummer); unique. At most 32 characters.
    #[serde(default, deserialize_with = "limits::optional_text::<MAX_ORG_NUMBER_CHARS, _>")]
    #[schema(max_length = 32)]
    pub org_number: Option<String>,
    /// 1 to 100 characters, e.g. `pharma`, `medtech`, `academia`.
    #[serde(deserialize_with = "limits::text::<MAX_SECTOR_CHARS, _>")]
    #[schema(min_length = 1, max_length = 100)]
    pub sector: String,
    /// An http(s) URL.
    #[serde(default, deserialize_with = "limits::optional_text::<MAX_URL_CHARS, _>")]
    #[schema(max_length = 2048)]
    pub website: Option<String>,
    /// At most 5000 characters.
    #[serde(default, deserialize_with = "limits::optional_text::<MAX_DESCRIPTION_CHARS, _>")]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    pub location: Place,
}

/// An organisation that passed validation: texts trimmed, blanks turned into absent values.
pub struct NewOrganization {
    pub name: String,
    pub org_number: Option<String>,
    pub sector: String,
    pub website: Option<String>,
    pub description: Option<String>,
    pub location: Place,
}

impl CreateOrganization {
    pub fn validate(self) -> Result<NewOrganization, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_owned();
        check_length("name", &name, 1, 200, &mut errors);
        let org_number = trimmed(self.org_number);
        check_length("org_number", org_number.as_deref().unwrap_or(""), 0, MAX_ORG_NUMBER_CHARS, &mut errors);
        let sector = self.sector.trim().to_owned();
        check_length("sector", &sector, 1, MAX_SECTOR_CHARS, &mut errors);
        let website = trimmed(self.website);
        check_url("website", website.as_deref(), &mut errors);
        let description = trimmed(self.description);
        check_length("description", description.as_deref().unwrap_or(""), 0, MAX_DESCRIPTION_CHARS, &mut errors);
        let location = self.location.validate("location", MAX_CITY_CHARS, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewOrganization { name, org_number, sector, website, description, location })
    }
}

/// A partial update: fields left out stay as they are; `org_number`, `website` and `description` can be cleared
/// with `null`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    #[serde(default, deserialize_with = "limits::text_not_null::<{ limits::MAX_NAME_CHARS }, _>")]
    #[schema(nullable = false, min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "limits::nullable_text::<MAX_ORG_NUMBER_CHARS, _>")]
    #[schema(value_type = Option<String>, max_length = 32)]
    pub org_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "limits::text_not_null::<MAX_SECTOR_CHARS, _>")]
    #[schema(nullable = false, min_length = 1, max_length = 100)]
    pub sector: Option<String>,
    #[serde(default, deserialize_with = "limits::nullable_text::<MAX_URL_CHARS, _>")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "limits::nullable_text::<MAX_DESCRIPTION_CHARS, _>")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub location: Option<Place>,
}

impl OrganizationPatch {
    /// Validates what is present; `Some(None)` means "clear this field".
    pub fn validate(self) -> Result<OrganizationPatch, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.map(|n| n.trim().to_owned());
        if let Some(n) = &name {
            check_length("name", n, 1, 200, &mut errors);
        }
        let org_number = self.org_number.map(trimmed);
        if let Some(Some(n)) = &org_number {
            check_length("org_number", n, 0, MAX_ORG_NUMBER_CHARS, &mut errors);
        }
        let sector = self.sector.map(|s| s.trim().to_owned());
        if let Some(s) = &sector {
            check_length("sector", s, 1, MAX_SECTOR_CHARS, &mut errors);
        }
        let website = self.website.map(trimmed);
        if let Some(w) = &website {
            check_url("website", w.as_deref(), &mut errors);
        }
        let description = self.description.map(trimmed);
        if let Some(Some(d)) = &description {
            check_length("description", d, 0, MAX_DESCRIPTION_CHARS, &mut errors);
        }
        let location = self.location.map(|l| l.validate("location", MAX_CITY_CHARS, &mut errors));
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OrganizationPatch { name, org_number, sector, website, description, location })
    }
}

/// An organisation's public profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub org_number: Option<String>,
    pub sector: String,
    pub website: Option<String>,
    pub description: Option<String>,
    pub location: Place,
    /// Whether the organisation is in the HR network.
    pub in_network: bool,
    /// False for an organisation an import made from ads' employers: nobody manages it until its employer claims
    /// it (`POST /organizations/{id}/claims`) and an operator approves; until then only operators change it.
    pub claimed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a member may do in an organisation. Admins manage the profile and the members; both post jobs.
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
pub enum MemberRole {
    Admin,
    Recruiter,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Recruiter => "recruiter",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "recruiter" => Some(Self::Recruiter),
            _ => None,
        }
    }
}

crate::text_enum_sql!(MemberRole);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The email of an existing employer account.
    pub email: String,
    pub role: MemberRole,
    /// Whether this person is listed in the HR network's directory of contact points. Default false.
    #[serde(default)]
    pub contact_point: bool,
}

/// A change to a member: fields left out stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub role: Option<MemberRole>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub contact_point: Option<bool>,
}

/// A member of an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: MemberRole,
    pub contact_point: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NetworkRequestStatus {
    Pending,
    Approved,
}

/// A request of an organisation to join the HR network.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkRequest {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub status: NetworkRequestStatus,
    pub requested_at: DateTime<Utc>,
    /// Set once an operator approves.
    pub approved_at: Option<DateTime<Utc>>,
}

/// A pending request, as operators see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingNetworkRequest {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub requested_at: DateTime<Utc>,
}

/// A contact point of an organisation in the HR network.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkContact {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub user_id: Uuid,
    /// The person's display name.
    pub name: String,
    /// Their role in the organisation: `admin` or `recruiter`.
    pub role: MemberRole,
    pub email: String,
}

/// One person's membership of one organisation, read fresh from the database on every request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Membership {
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: MemberRole,
    pub contact_point: bool,
    /// Whether the organisation is in the HR network.
    pub in_network: bool,
}

/// What other features show of an organisation beside their own rows: its name and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationSummary {
    pub id: Uuid,
    pub name: String,
    pub location: Place,
}

/// `None` if `user_id` is not among the members' `(user, role)` pairs; else whether taking admin rights from them
/// leaves the organisation without an admin.
pub fn is_last_admin(roles: &[(Uuid, MemberRole)], user_id: Uuid) -> Option<bool> {
    let (_, role) = roles.iter().find(|(id, _)| *id == user_id)?;
    Some(*role == MemberRole::Admin && roles.iter().filter(|(_, r)| *r == MemberRole::Admin).count() <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_tells_absent_from_null() {
        let p: OrganizationPatch = serde_json::from_str(r#"{"website": null}"#).expect("parse");
        assert_eq!(p.website, Some(None));
        assert_eq!(p.description, None);
        let p: OrganizationPatch = serde_json::from_str(r#"{"website": "https://x.se"}"#).expect("parse");
        assert_eq!(p.website, Some(Some("https://x.se".to_owned())));
        let err = serde_json::from_str::<MemberPatch>(r#"{"role": null}"#).expect_err("null role");
        assert!(err.is_data(), "{err}");
    }

    #[test]
    fn invalid_organization_names_each_field() {
        let body = CreateOrganization {
            name: " ".into(),
            org_number: None,
            sector: "pharma".into(),
            website: Some("www.x.se".into()),
            description: None,
            location: Place { city: "Göteborg".into(), country: "se".into() },
        };
        let fields: Vec<String> = body.validate().err().unwrap_or_default().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "website", "location.country"]);
    }
}
