//! Typed extractors for `/organizations/{id}/...` routes: `OrgMember` and `OrgAdmin` let a handler run only for
//! members (admins) of the organisation in the path. Membership is read from the database on every request, so a
//! removed member loses access with their very next request.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use uuid::Uuid;

use super::model::{MemberRole, Membership};
use super::service;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// A signed-in member (admin or recruiter) of the organisation named by the path's `{id}`.
#[derive(Clone, Copy, Debug)]
pub struct OrgMember {
    pub user: AuthUser,
    pub membership: Membership,
}

impl OrgMember {
    pub fn org_id(&self) -> Uuid {
        self.membership.organization_id
    }
}

/// A signed-in admin of the organisation named by the path's `{id}`.
#[derive(Clone, Copy, Debug)]
pub struct OrgAdmin(pub OrgMember);

impl OrgAdmin {
    pub fn org_id(&self) -> Uuid {
        self.0.org_id()
    }

    pub fn user_id(&self) -> Uuid {
        self.0.user.id
    }
}

/// Who may change the organisation named by the path's `{id}`: one of its admins, or an operator while nobody has
/// claimed it (an organisation an import made has no members to do it).
#[derive(Clone, Copy, Debug)]
pub struct OrgEditor {
    pub user: AuthUser,
    org_id: Uuid,
}

impl OrgEditor {
    pub fn org_id(&self) -> Uuid {
        self.org_id
    }
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for OrgMember {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload).into_inner();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let org_id = req.match_info().get("id").map(str::parse::<Uuid>);
        Box::pin(async move {
            let user = user?;
            let state = state.ok_or_else(|| ApiError::Internal("application state missing".to_owned()))?;
            // A malformed id names nothing, like an unknown one.
            let org_id = org_id.and_then(Result::ok).ok_or(ApiError::NotFound)?;
            let mut conn = state.conn().await?;
            let membership = service::required_membership(&mut conn, org_id, user.id).await?;
            Ok(OrgMember { user, membership })
        })
    }
}

impl FromRequest for OrgAdmin {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let member = OrgMember::from_request(req, payload);
        Box::pin(async move {
            let member = member.await?;
            if member.membership.role == MemberRole::Admin {
                Ok(OrgAdmin(member))
            } else {
                Err(ApiError::Forbidden("only admins of this organisation may do this".to_owned()))
            }
        })
    }
}

impl FromRequest for OrgEditor {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload).into_inner();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let org_id = req.match_info().get("id").map(str::parse::<Uuid>);
        Box::pin(async move {
            let user = user?;
            let state = state.ok_or_else(|| ApiError::Internal("application state missing".to_owned()))?;
            let org_id = org_id.and_then(Result::ok).ok_or(ApiError::NotFound)?;
            let mut conn = state.conn().await?;
            match service::may_edit(&mut conn, org_id, &user).await? {
                Some(true) => Ok(OrgEditor { user, org_id }),
                Some(false) => Err(ApiError::Forbidden(
                    "only admins of this organisation may do this (operators: while it is unclaimed)".to_owned(),
                )),
                None => Err(ApiError::NotFound),
            }
        })
    }
}
