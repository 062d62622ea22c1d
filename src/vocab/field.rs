//! One invalid value of a request, as a 422 answer lists it.

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid value: which field (a JSON path such as `skills[2].level`) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
