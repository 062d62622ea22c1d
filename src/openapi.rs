//! The OpenAPI document: every feature's paths, the bearer scheme, and the error answers each operation can give,
//! derived from the operation's shape and `ApiError` so that a new route cannot forget to document them.

use actix_web::ResponseError;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, Type};
use utoipa::OpenApi;

use crate::error::{ApiError, Problem};
use crate::vocab::FieldError;

/// The media type of every error body (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Operations with a throttle of their own (sign-in, account creation, password checks, messages to other
/// people): they can answer 429 with `Retry-After`. Paths as in the document.
const THROTTLED: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/me/password"),
    ("delete", "/api/v1/me"),
    ("post", "/api/v1/me/partner/invitations"),
    ("post", "/api/v1/referrals"),
];

/// The whole document served at `/api-docs/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::app::OperationsApi::openapi());
    doc.merge(crate::auth::routes::AuthApi::openapi());
    doc.merge(crate::taxonomy::routes::TaxonomyApi::openapi());
    doc.merge(crate::seekers::routes::Api::openapi());
    doc.merge(crate::orgs::routes::Api::openapi());
    doc.merge(crate::jobs::routes::Api::openapi());
    doc.merge(crate::search::routes::Api::openapi());
    doc.merge(crate::privacy::routes::Api::openapi());
    doc.merge(crate::alerts::routes::Api::openapi());
    doc.merge(crate::partners::routes::Api::openapi());
    doc.merge(crate::imports::routes::Api::openapi());
    doc.merge(crate::observability::routes::Api::openapi());
    add_bearer_scheme(&mut doc);
    add_profile_location(&mut doc);
    document_errors(&mut doc);
    doc
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Tandem", description = "Talent matching for the West Sweden life-science region."),
    components(schemas(Problem, FieldError))
)]
struct ApiDoc;

/// Seeker profiles refer to their place by the name clients have always known it by (see `vocab::PROFILE_LOCATION`).
fn add_profile_location(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.insert(crate::vocab::PROFILE_LOCATION.to_owned(), crate::vocab::profile_location_schema());
}

fn add_bearer_scheme(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
    );
}

/// Gives every operation the error answers its shape allows, keeps the ones a route declares itself (with their
/// descriptions), and makes every error body `application/problem+json` with the `Problem` schema.
pub fn document_errors(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ];
        for (method, op) in operations {
            let Some(op) = op.as_mut() else { continue };
            let throttled = THROTTLED.contains(&(method, path.as_str()));
            for error in errors_of(op, throttled) {
                let status = error.status_code().as_u16().to_string();
                op.responses.responses.entry(status).or_insert_with(|| RefOr::T(error_response(&error)));
            }
            for (status, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(response) = response {
                    if status.starts_with('4') || status.starts_with('5') {
                        as_problem(response, status);
                    }
                }
            }
        }
    }
}

/// The errors an operation can answer, judged by what it takes: every one can meet an infrastructure fault.
fn errors_of(op: &Operation, throttled: bool) -> Vec<ApiError> {
    let text = String::new;
    let mut errors = Vec::new();
    if op.request_body.as_ref().is_some_and(has_json_body) {
        errors.extend([
            ApiError::BadRequest(text()),
            ApiError::PayloadTooLarge,
            ApiError::UnsupportedMediaType,
            ApiError::Invalid(Vec::new()),
        ]);
    }
    let params = op.parameters.iter().flatten();
    let locations: Vec<_> = params.map(|p| &p.parameter_in).collect();
    if locations.iter().any(|l| matches!(l, ParameterIn::Query)) {
        errors.extend([ApiError::BadRequest(text()), ApiError::Invalid(Vec::new())]);
    }
    if locations.iter().any(|l| matches!(l, ParameterIn::Path)) {
        // A path segment holding a control character is refused before routing rules run (`hygiene`).
        errors.extend([ApiError::NotFound, ApiError::Invalid(Vec::new())]);
    }
    match bearer(op) {
        Bearer::Required => errors.extend([ApiError::Unauthorized(text()), ApiError::Forbidden(text())]),
        Bearer::Optional => errors.push(ApiError::Unauthorized(text())),
        Bearer::None => {}
    }
    if throttled {
        errors.push(ApiError::RateLimited { retry_after_secs: 0 });
    }
    errors.push(ApiError::Unavailable(text()));
    errors
}

fn has_json_body(body: &RequestBody) -> bool {
    body.content.keys().any(|media| media == "application/json" || media.ends_with("+json"))
}

enum Bearer {
    Required,
    Optional,
    None,
}

/// Whether the operation takes a bearer token, and whether it also answers without one (an empty requirement).
fn bearer(op: &Operation) -> Bearer {
    let Some(requirements) = &op.security else { return Bearer::None };
    // The requirement's scheme names are private to utoipa; their serialised form is the document's own.
    let names: Vec<serde_json::Value> =
        requirements.iter().map(|r| serde_json::to_value(r).unwrap_or_default()).collect();
    let takes_bearer = names.iter().any(|n| n.get("bearer").is_some());
    let works_without = names.iter().any(|n| n.as_object().is_some_and(|o| o.is_empty()));
    match (takes_bearer, works_without) {
        (false, _) => Bearer::None,
        (true, false) => Bearer::Required,
        (true, true) => Bearer::Optional,
    }
}

/// A generic answer for one kind of error: its title says what happened; throttles and faults say when to retry.
fn error_response(error: &ApiError) -> Response {
    let mut response = ResponseBuilder::new().description(error.problem().title);
    if matches!(error, ApiError::RateLimited { .. } | ApiError::Unavailable(_)) {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
                .description(Some("seconds to wait before trying again"))
                .build(),
        );
    }
    if matches!(error, ApiError::Unauthorized(_)) {
        response = response.header(
            "WWW-Authenticate",
            HeaderBuilder::new().description(Some("`Bearer`: send a valid access token")).build(),
        );
    }
    response.build()
}

/// Error bodies are `Problem`s sent as `application/problem+json`, whatever a route's annotation said.
fn as_problem(response: &mut Response, status: &str) {
    response.content.shift_remove("application/json");
    response.content.insert(PROBLEM_JSON.to_owned(), Content::new(Some(Ref::from_schema_name("Problem"))));
    if (status == "429" || status == "503") && !response.headers.contains_key("Retry-After") {
        let retry = error_response(&ApiError::Unavailable(String::new()));
        response.headers.extend(retry.headers);
    }
}
