//! Account types, their validation, and what the auth endpoints send back.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::vocab::FieldError;

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
pub enum Role {
    Seeker,
    Employer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seeker => "seeker",
            Self::Employer => "employer",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "seeker" => Some(Self::Seeker),
            "employer" => Some(Self::Employer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

crate::text_enum_sql!(Role);

/// The roles anyone may register as; operators are made with `tandem admin create`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicRole {
    Seeker,
    Employer,
}

impl From<PublicRole> for Role {
    fn from(r: PublicRole) -> Self {
        match r {
            PublicRole::Seeker => Role::Seeker,
            PublicRole::Employer => Role::Employer,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    /// 10 to 1024 characters.
    pub password: String,
    pub display_name: String,
    pub role: PublicRole,
}

/// A registration that passed validation: email normalised, names trimmed.
pub struct NewAccount {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
}

impl RegisterRequest {
    pub fn validate(self) -> Result<NewAccount, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = normalize_email(&self.email);
        if let Err(message) = check_email(&email) {
            errors.push(FieldError::new("email", message));
        }
        if let Err(message) = check_password(&self.password) {
            errors.push(FieldError::new("password", message));
        }
        let display_name = self.display_name.trim().to_owned();
        if display_name.is_empty() || display_name.chars().count() > 100 {
            errors.push(FieldError::new("display_name", "must be 1 to 100 characters"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewAccount { email, password: self.password, display_name, role: self.role.into() })
    }
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn check_email(email: &str) -> Result<(), &'static str> {
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(())
    } else {
        Err("must be an email address such as name@example.org")
    }
}

pub fn check_password(password: &str) -> Result<(), &'static str> {
    match password.chars().count() {
        0..=9 => Err("must be at least 10 characters"),
        1025.. => Err("must be at most 1024 characters"),
        _ => Ok(()),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredUser {
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 10 to 1024 characters, as at registration.
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// An organisation the caller belongs to, as `/me` lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyOrganization {
    pub id: Uuid,
    pub name: String,
    /// `admin` or `recruiter`.
    pub role: String,
    pub contact_point: bool,
    /// Whether the organisation is in the HR network.
    pub in_network: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    pub display_name: String,
    pub organizations: Vec<MyOrganization>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalize_email("  Ana@Example.ORG "), "ana@example.org");
        assert!(check_email("ana@example.org").is_ok());
        for bad in ["", "ana", "ana@", "@example.org", "ana@example", "a na@example.org"] {
            assert!(check_email(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_password("123456789").is_err());
        assert!(check_password("correct horse").is_ok());
    }
}
