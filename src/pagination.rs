//! Keyset pagination: `?limit=&cursor=` in, `{items, next_cursor}` out, with an opaque cursor.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return: 1 to 100, 20 if not given.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::invalid("limit", "must be between 1 and 100")),
        }
    }

    /// Decodes the cursor into the position type the listing uses.
    pub fn position<P: DeserializeOwned>(&self) -> Result<Option<P>, ApiError> {
        self.cursor.as_deref().map(decode).transpose()
    }
}

/// One page of a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only says that there is more.
    pub fn from_rows<P: Serialize>(mut rows: Vec<T>, limit: i64, position_of: impl Fn(&T) -> P) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more { rows.last().map(|last| encode(&position_of(last))) } else { None };
        Self { items: rows, next_cursor }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

pub fn encode<P: Serialize>(position: &P) -> String {
    // Serializing plain position structs cannot fail; an empty cursor would just restart the listing.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).unwrap_or_default())
}

pub fn decode<P: DeserializeOwned>(cursor: &str) -> Result<P, ApiError> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad_cursor())?;
    serde_json::from_slice(&bytes).map_err(|_| bad_cursor())
}

fn bad_cursor() -> ApiError {
    ApiError::invalid("cursor", "not a cursor this listing gave out")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = encode(&("2026-01-01T00:00:00Z", 7));
        let back: (String, i32) = decode(&c).expect("round trip");
        assert_eq!(back, ("2026-01-01T00:00:00Z".to_owned(), 7));
        assert!(decode::<(String, i32)>("not-a-cursor!").is_err());
    }

    #[test]
    fn next_cursor_only_when_more_rows() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next_cursor.as_deref().map(decode::<i32>).transpose().expect("cursor"), Some(2));
        assert!(Page::from_rows(vec![1, 2], 2, |n| *n).next_cursor.is_none());
    }
}
