//! Deserializers for PATCH bodies, which must tell a field left out from a field sent as `null`.

use serde::{Deserialize, Deserializer};

/// For PATCH bodies: tells a field left out (`None`) from a field sent as `null` (`Some(None)`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// For PATCH bodies: a field that may be left out but not cleared, so `null` is refused as a wrong type.
pub fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    // Going through Option gives a data error (422) for null even where T is an enum, for which serde_json would
    // report a syntax error (400).
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom("may be left out, but not null")),
    }
}
