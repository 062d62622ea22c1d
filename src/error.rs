//! The HTTP error type and its one mapping to RFC 9457 problem+json; extractor errors land here too. This file knows
//! HTTP, not features: a feature's error says which status and problem type it is ([`ErrorCode`]), and features
//! convert their own errors into [`ApiError`].

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::StoreError;
// Kept here too: handlers build 422 answers from it next to `ApiError`.
pub use crate::vocab::FieldError;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Present on 422: each invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("no such resource")]
    NotFound,
    /// The request clashes with the state of things. The code is the problem type (`email-taken`), specific enough
    /// for a client to act on; the message says it in words.
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error("{0}")]
    Gone(String),
    #[error("the request body is larger than 1 MiB")]
    PayloadTooLarge,
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    #[error("some values are invalid")]
    Invalid(Vec<FieldError>),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    Unavailable(String),
    /// The cause is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

/// What an error says about itself over HTTP, as meilisearch's `ErrorCode`: its status and the slug of its problem
/// type (`https://tandem.example/problems/{code}`). [`ApiError`] answers for every kind; docs/api.md lists them.
pub trait ErrorCode {
    fn status(&self) -> StatusCode;
    /// The problem type's slug: stable, lower case, words joined by `-`.
    fn code(&self) -> &'static str;
}

impl ErrorCode for ApiError {
    fn status(&self) -> StatusCode {
        self.status_code()
    }

    fn code(&self) -> &'static str {
        self.kind().0
    }
}

/// The problem type URI of a slug.
pub fn problem_type(code: &str) -> String {
    format!("https://tandem.example/problems/{code}")
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// The stable slug in `type` and the short human title for each kind.
    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::Conflict(code, _) => (code, "Conflict"),
            Self::BadRequest(_) => ("bad-request", "Malformed request"),
            Self::Unauthorized(_) => ("unauthorized", "Authentication required"),
            Self::Forbidden(_) => ("forbidden", "Not allowed"),
            Self::NotFound => ("not-found", "Not found"),
            Self::Gone(_) => ("gone", "No longer available"),
            Self::PayloadTooLarge => ("payload-too-large", "Request body too large"),
            Self::UnsupportedMediaType => ("unsupported-media-type", "Unsupported content type"),
            Self::Invalid(_) => ("validation", "Invalid values"),
            Self::RateLimited { .. } => ("rate-limited", "Too many requests"),
            Self::Unavailable(_) => ("unavailable", "Temporarily unavailable"),
            Self::Internal(_) => ("internal", "Internal error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.kind();
        Problem {
            kind: problem_type(slug),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail: self.to_string(),
            errors: match self {
                Self::Invalid(errors) => Some(errors.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(..) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            Self::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER_SECS.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

/// How long a client is asked to wait after a 503: about as long as a dropped database connection takes to be
/// replaced, and short enough that a restarted database is noticed soon.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(constraint) => {
                let rule = crate::db::unique_rule(&constraint);
                Self::Conflict(rule.code, rule.message.to_owned())
            }
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                Self::Unavailable("the database is unavailable; try again shortly".to_owned())
            }
            StoreError::Contended(cause) => {
                tracing::warn!(%cause, "a transaction collided with others again");
                Self::Unavailable("the service is busy; try again shortly".to_owned())
            }
            StoreError::Query(e) => Self::Internal(e.to_string()),
        }
    }
}

impl From<crate::imports::ImportError> for ApiError {
    fn from(e: crate::imports::ImportError) -> Self {
        use crate::imports::ImportError;
        match e {
            ImportError::Store(e) => e.into(),
            ImportError::Feed(e) => Self::BadRequest(e.to_string()),
            ImportError::Worker(e) => Self::Internal(e),
            ImportError::Extractor(e) => Self::Internal(e.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(e.to_string())
    }
}

/// Query-string errors: a value of the wrong type is an invalid value.
pub fn query_error(err: actix_web::error::QueryPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::invalid("query", err.to_string()).into()
}

/// Path errors: a malformed id names nothing that exists.
pub fn path_error(_: actix_web::error::PathError, _: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

/// Requests no route matches.
pub async fn no_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}
