//! Typed extractors: a handler that takes `Seeker` can only be reached by a signed-in seeker.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use uuid::Uuid;

use super::model::Role;
use crate::error::ApiError;
use crate::state::AppState;

/// Any signed-in caller, from a valid bearer token.
#[derive(Clone, Copy, Debug)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
    /// The refresh-token family (sign-in) the access token belongs to, if it names one.
    pub session: Option<Uuid>,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".to_owned()))?;
    let header =
        req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(|| {
            ApiError::Unauthorized("sign in and send Authorization: Bearer <access token>".to_owned())
        })?;
    let token = header
        .strip_prefix("Bearer ")
        .ok_or_else(|| ApiError::Unauthorized("the Authorization header must use the Bearer scheme".to_owned()))?;
    let claims = state
        .tokens
        .verify_access(token.trim())
        .map_err(|_| ApiError::Unauthorized("the access token is invalid or expired".to_owned()))?;
    Ok(AuthUser { id: claims.sub, role: claims.role, session: claims.sid })
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name(pub AuthUser);

        impl $name {
            pub fn id(&self) -> Uuid {
                self.0.id
            }
        }

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Ready<Result<Self, ApiError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                ready(authenticate(req).and_then(|user| {
                    if user.role == $role {
                        Ok($name(user))
                    } else {
                        Err(ApiError::Forbidden(concat!("only ", $what, " may do this").to_owned()))
                    }
                }))
            }
        }
    };
}

role_extractor!(
    /// A signed-in job seeker (talents and partners alike).
    Seeker,
    Role::Seeker,
    "job seekers"
);
role_extractor!(
    /// A signed-in employer account; organisation membership is checked separately, per request.
    Employer,
    Role::Employer,
    "employer accounts"
);
role_extractor!(
    /// A signed-in operator.
    Admin,
    Role::Admin,
    "operators"
);
