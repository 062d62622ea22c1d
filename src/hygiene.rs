//! Text hygiene at the door: query strings and paths holding NUL or other control characters are refused with 422
//! before any handler (or the database) sees them. JSON bodies get the same check in `body::parse`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::Query;
use actix_web::ResponseError;

use crate::error::{ApiError, FieldError};

/// Tab and newline are ordinary text; every other control character (C0, DEL, C1) is refused.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

pub fn has_forbidden(text: &str) -> bool {
    text.chars().any(is_forbidden)
}

pub const MESSAGE: &str = "must not contain NUL or other control characters (tab and newline are allowed)";

/// The middleware: refuses the request when a query parameter (name or value) or the path holds a control character.
pub async fn refuse_control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let mut errors = query_errors(req.query_string());
    if has_forbidden(&percent_decode(req.path())) {
        errors.push(FieldError::new("path", MESSAGE));
    }
    if errors.is_empty() {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let response = ApiError::Invalid(errors).error_response();
    Ok(req.into_response(response).map_into_right_body())
}

/// One error per offending parameter, named by its (decoded) name.
fn query_errors(query: &str) -> Vec<FieldError> {
    if query.is_empty() {
        return Vec::new();
    }
    let pairs = match Query::<Vec<(String, String)>>::from_query(query) {
        Ok(pairs) => pairs.into_inner(),
        // Not even decodable as name=value pairs (e.g. invalid UTF-8): the handlers' own parsing answers that.
        Err(_) => return Vec::new(),
    };
    let mut errors: Vec<FieldError> = Vec::new();
    for (name, value) in pairs {
        if has_forbidden(&name) || has_forbidden(&value) {
            let field = if has_forbidden(&name) { "query".to_owned() } else { name };
            if !errors.iter().any(|e| e.field == field) {
                errors.push(FieldError::new(field, MESSAGE));
            }
        }
    }
    errors
}

/// `%XX` decoding as the router does it; invalid escapes are kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_and_newline_pass_other_controls_do_not() {
        assert!(!has_forbidden("two\tcolumns\nand lines, åäö"));
        for bad in ["nul\0", "cr\r", "bell\u{7}", "del\u{7f}", "c1\u{85}"] {
            assert!(has_forbidden(bad), "{bad:?}");
        }
    }

    #[test]
    fn query_parameters_are_named_after_decoding() {
        let errors = query_errors("q=cell%00&limit=5&cursor=a%1Fb");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["q", "cursor"]);
        assert!(query_errors("q=cell+culture%09x&limit=5").is_empty());
    }

    #[test]
    fn paths_are_decoded_before_the_check() {
        assert!(has_forbidden(&percent_decode("/api/v1/partner-invitations/ab%00cd")));
        assert!(!has_forbidden(&percent_decode("/api/v1/skills/%C3%A5%2")));
    }
}
