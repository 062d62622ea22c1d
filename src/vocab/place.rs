//! A place: a city and a country. Organisations, jobs and seeker profiles all say where they are with it.

use serde::{Deserialize, Serialize};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::{check_length, CountryCode, FieldError};

/// A place: a city and an ISO 3166-1 alpha-2 country code in upper case (`SE`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// 1 to 100 characters.
    // Not capped while the body is read: how long a city may be depends on where the place is used (a seeker's
    // home may have a longer name than an organisation's seat), so `validate` checks the length.
    #[schema(min_length = 1, max_length = 100)]
    pub city: String,
    /// ISO 3166-1 alpha-2, upper case.
    #[schema(example = "SE")]
    pub country: String,
}

impl Place {
    /// Trims the city and checks both parts; `field` prefixes error paths (`location.city`), and the city may have
    /// up to `max_city` characters.
    pub fn validate(self, field: &str, max_city: usize, errors: &mut Vec<FieldError>) -> Place {
        let city = self.city.trim().to_owned();
        check_length(&format!("{field}.city"), &city, 1, max_city, errors);
        if CountryCode::parse(&self.country).is_none() {
            errors.push(FieldError::new(
                format!("{field}.country"),
                "must be an ISO 3166-1 alpha-2 country code in upper case, such as SE",
            ));
        }
        Place { city, country: self.country }
    }
}

/// The OpenAPI name of a seeker profile's place, which clients have known since profiles came: the same shape as
/// [`Place`], with a city of up to 200 characters.
pub const PROFILE_LOCATION: &str = "Location";

/// A reference to [`PROFILE_LOCATION`], for profile fields: `#[schema(schema_with = profile_location_ref)]`.
pub fn profile_location_ref() -> Ref {
    Ref::from_schema_name(PROFILE_LOCATION)
}

/// The schema documented as [`PROFILE_LOCATION`]; `openapi.rs` adds it to the document's components.
pub fn profile_location_schema() -> RefOr<Schema> {
    let mut schema = Place::schema();
    if let RefOr::T(Schema::Object(place)) = &mut schema {
        place.description = Some("Where the seeker lives now.".to_owned());
        if let Some(RefOr::T(Schema::Object(city))) = place.properties.get_mut("city") {
            city.description = None;
            city.max_length = Some(200);
        }
        if let Some(RefOr::T(Schema::Object(country))) = place.properties.get_mut("country") {
            country.description = Some("ISO 3166-1 alpha-2, e.g. `SE`.".to_owned());
            country.pattern = Some("^[A-Z]{2}$".to_owned());
        }
    }
    schema
}
