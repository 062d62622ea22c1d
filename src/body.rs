//! `JsonBody<T>`: the JSON request-body extractor that gives precise problem+json errors.
//!
//! Unlike `web::Json`, it tells malformed JSON (400) from well-formed JSON with wrong or unknown fields (422,
//! naming the field by its path), checks the content type (415) and the 1 MiB limit (413).

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// The largest body any endpoint accepts.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub struct JsonBody<T>(pub T);

/// A JSON body whose strings may hold control characters: for documents Tandem imports as others published
/// them (job ads carry carriage returns), which it cleans field by field instead of refusing whole.
pub struct ForeignJsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ForeignJsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = JsonBytes::from_request(req, payload);
        Box::pin(async move { deserialize(&bytes.await?.0).map(ForeignJsonBody) })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = JsonBytes::from_request(req, payload);
        Box::pin(async move { parse(&bytes.await?.0).map(JsonBody) })
    }
}

/// A JSON body's bytes, its media type and size checked.
struct JsonBytes(web::Bytes);

impl JsonBytes {
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Pin<Box<dyn Future<Output = Result<Self, ApiError>>>> {
        let content_type_ok = is_json(req);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType);
            }
            if declared_len.is_some_and(|n| n > MAX_BODY_BYTES) {
                return Err(ApiError::PayloadTooLarge);
            }
            let bytes = bytes.await.map_err(|e| match e.as_response_error().status_code().as_u16() {
                413 => ApiError::PayloadTooLarge,
                _ => ApiError::BadRequest("the request body could not be read".to_owned()),
            })?;
            Ok(JsonBytes(bytes))
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Deserializes, naming the offending field on a data error. Strings holding control characters are refused first,
/// each named by its path (`display_name`, `experience[0].title`).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        let mut errors = Vec::new();
        control_characters(&value, String::new(), &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::Invalid(errors));
        }
    }
    deserialize(bytes)
}

/// Deserializes without looking for control characters, naming the offending field on a data error.
pub fn deserialize<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // serde_json calls some type mismatches (e.g. `null` for an enum) syntax errors; JSON that parses as a
        // value is well-formed, so those are invalid values too.
        if inner.is_data() || serde_json::from_slice::<serde_json::Value>(bytes).is_ok() {
            let field = unknown_field_name(&inner.to_string()).map_or(path.clone(), |name| join(&path, &name));
            ApiError::Invalid(vec![FieldError::new(field, clean_message(&inner))])
        } else {
            ApiError::BadRequest(format!("malformed JSON: {inner}"))
        }
    })?;
    de.end().map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// Collects the path of every string (or object key) that holds a control character other than tab and newline.
fn control_characters(value: &serde_json::Value, path: String, errors: &mut Vec<FieldError>) {
    use serde_json::Value;
    match value {
        Value::String(text) if crate::hygiene::has_forbidden(text) => {
            let field = if path.is_empty() { "body".to_owned() } else { path };
            errors.push(FieldError::new(field, crate::hygiene::MESSAGE));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                control_characters(item, format!("{path}[{i}]"), errors);
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                let child = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                if crate::hygiene::has_forbidden(name) {
                    errors.push(FieldError::new(child.clone(), crate::hygiene::MESSAGE));
                }
                control_characters(item, child, errors);
            }
        }
        _ => {}
    }
}

/// serde reports an unknown or missing field at its parent; the name itself is in the message.
fn unknown_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("missing field `"))?;
    rest.split('`').next().map(str::to_owned)
}

fn join(path: &str, name: &str) -> String {
    if path == name || path.ends_with(&format!(".{name}")) {
        path.to_owned()
    } else if path == "." || path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// serde's message without the "at line 1 column 9" suffix, which means nothing to a client.
fn clean_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        level: u8,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Item>,
    }

    fn field_of(err: ApiError) -> String {
        match err {
            ApiError::Invalid(errors) => errors[0].field.clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn wrong_type_names_nested_path() {
        let err = parse::<Outer>(br#"{"items":[{"level":1},{"level":"x"}]}"#).expect_err("invalid");
        assert_eq!(field_of(err), "items[1].level");
    }

    #[test]
    fn unknown_and_missing_fields_are_named() {
        assert_eq!(field_of(parse::<Outer>(br#"{"items":[],"extra":1}"#).expect_err("unknown")), "extra");
        assert_eq!(field_of(parse::<Outer>(br#"{}"#).expect_err("missing")), "items");
    }

    #[test]
    fn null_for_a_required_enum_is_an_invalid_value() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Remote {
            No,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Job {
            remote: Remote,
        }
        assert_eq!(field_of(parse::<Job>(br#"{"remote": null}"#).expect_err("null")), "remote");
    }

    #[test]
    fn control_characters_are_named_by_path() {
        let err = parse::<serde_json::Value>(br#"{"name":"ok\tfine\n","items":[{"t":"a"},{"t":"b\u0000"}]}"#)
            .expect_err("nul");
        assert_eq!(field_of(err), "items[1].t");
        let err = parse::<Outer>(br#"{"items":[],"x":"\r"}"#).expect_err("carriage return");
        assert_eq!(field_of(err), "x");
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        assert!(matches!(parse::<Outer>(br#"{"items":"#), Err(ApiError::BadRequest(_))));
        assert!(matches!(parse::<Outer>(br#"{"items":[]} trailing"#), Err(ApiError::BadRequest(_))));
    }
}
