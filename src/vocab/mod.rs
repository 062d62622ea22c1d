//! The shared vocabulary below the features: the words several features use in their requests, answers and rows
//! (field errors, places, country and language codes, language levels, work permits, remote work), the PATCH and
//! validation helpers, and the glue that stores text enums as `text` columns.

mod check;
mod codes;
mod field;
mod levels;
mod patch;
mod place;
mod sql;

pub use check::{check_length, check_url, is_web_url, trimmed};
pub use codes::{CountryCode, LanguageCode};
pub use field::FieldError;
pub use levels::{LanguageLevel, Remote, WorkPermit};
pub use patch::{not_null, nullable};
pub use place::{profile_location_ref, profile_location_schema, Place, PROFILE_LOCATION};
