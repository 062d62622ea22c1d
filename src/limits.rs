//! The input limits of the contract (API.md, "Conventions"), and serde helpers that enforce them while a body is
//! read: a list stops being read at its first item too many, so an oversized request costs no more than a small
//! one, and the 422 names the field.
//!
//! Use them as `#[serde(deserialize_with = "crate::limits::list::<50, _, _>")]` (or `text::<200, _>`); the
//! `*_not_null` forms are for PATCH fields that may be left out but not cleared, the `optional_*` forms for fields
//! that may be null. Publish the same number in the OpenAPI schema (`max_items`, `max_length`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, Error, SeqAccess, Visitor};

/// Free text searched for (`q`).
pub const MAX_QUERY_CHARS: usize = 256;
/// A name or a title.
pub const MAX_NAME_CHARS: usize = 200;
/// A summary, description, note or message.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Skills on a job.
pub const MAX_JOB_SKILLS: usize = 50;
/// Skills on a profile.
pub const MAX_PROFILE_SKILLS: usize = 100;
/// Experience entries, and education entries, on a profile.
pub const MAX_ENTRIES: usize = 50;
/// Items on one page.
pub const MAX_LIMIT: i64 = 100;

/// A list of at most `N` items.
struct AtMost<T, const N: usize>(Vec<T>);

impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for AtMost<T, N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ListVisitor::<T, N>(PhantomData))
    }
}

struct ListVisitor<T, const N: usize>(PhantomData<T>);

impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for ListVisitor<T, N> {
    type Value = AtMost<T, N>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of at most {N} items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(N));
        while let Some(item) = seq.next_element()? {
            if items.len() == N {
                // The rest is not read: the answer is the same however long the list goes on.
                return Err(A::Error::custom(format!("at most {N} items")));
            }
            items.push(item);
        }
        Ok(AtMost(items))
    }
}

/// A text of at most `N` characters.
struct Chars<const N: usize>(String);

impl<'de, const N: usize> Deserialize<'de> for Chars<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor::<N>)
    }
}

struct TextVisitor<const N: usize>;

impl<const N: usize> Visitor<'_> for TextVisitor<N> {
    type Value = Chars<N>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a string of at most {N} characters")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<Self::Value, E> {
        // Bytes bound characters from above, so most texts are passed without counting.
        if value.len() > N && value.chars().count() > N {
            return Err(E::custom(format!("at most {N} characters")));
        }
        Ok(Chars(value.to_owned()))
    }
}

/// A list of at most `N` items.
pub fn list<'de, const N: usize, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    AtMost::<T, N>::deserialize(deserializer).map(|l| l.0)
}

/// A list of at most `N` items, or null.
pub fn optional_list<'de, const N: usize, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<AtMost<T, N>>::deserialize(deserializer)?.map(|l| l.0))
}

/// A PATCH list of at most `N` items that may be left out but not null.
pub fn list_not_null<'de, const N: usize, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    not_null(optional_list::<N, D, T>(deserializer)?)
}

/// A text of at most `N` characters.
pub fn text<'de, const N: usize, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Chars::<N>::deserialize(deserializer).map(|t| t.0)
}

/// A text of at most `N` characters, or null.
pub fn optional_text<'de, const N: usize, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Chars<N>>::deserialize(deserializer)?.map(|t| t.0))
}

/// A PATCH text of at most `N` characters that may be left out but not null.
pub fn text_not_null<'de, const N: usize, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    not_null(optional_text::<N, D>(deserializer)?)
}

/// A PATCH text of at most `N` characters that may be left out (`None`) or cleared with null (`Some(None)`).
pub fn nullable_text<'de, const N: usize, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    optional_text::<N, D>(deserializer).map(Some)
}

fn not_null<T, E: Error>(value: Option<T>) -> Result<Option<T>, E> {
    match value {
        Some(value) => Ok(Some(value)),
        None => Err(E::custom("may be left out, but not null")),
    }
}

/// The number of items in a comma-separated query parameter, counted without collecting them.
pub fn count_listed(raw: Option<&str>) -> usize {
    raw.unwrap_or_default().split(',').filter(|item| !item.trim().is_empty()).count()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use crate::error::ApiError;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        #[serde(deserialize_with = "super::text::<5, _>")]
        title: String,
        #[serde(default, deserialize_with = "super::list::<2, _, _>")]
        skills: Vec<Item>,
        #[serde(default, deserialize_with = "super::list_not_null::<2, _, _>")]
        tags: Option<Vec<String>>,
        #[serde(default, deserialize_with = "super::nullable_text::<3, _>")]
        url: Option<Option<String>>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        #[serde(deserialize_with = "super::text::<3, _>")]
        name: String,
    }

    fn refused(json: &str) -> (String, String) {
        match crate::body::parse::<Body>(json.as_bytes()) {
            Err(ApiError::Invalid(errors)) => (errors[0].field.clone(), errors[0].message.clone()),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn limits_are_named_by_field() {
        assert_eq!(refused(r#"{"title":"abcdef"}"#), ("title".into(), "at most 5 characters".into()));
        assert_eq!(refused(r#"{"title":"a","skills":[{"name":"a"},{"name":"b"},{"name":"c"}]}"#).0, "skills");
        assert_eq!(refused(r#"{"title":"a","skills":[{"name":"abcd"}]}"#).0, "skills[0].name");
        assert_eq!(refused(r#"{"title":"a","tags":null}"#).0, "tags");
        assert_eq!(refused(r#"{"title":"a","tags":["x","y","z"]}"#), ("tags".into(), "at most 2 items".into()));
        assert_eq!(refused(r#"{"title":"a","url":"abcd"}"#).0, "url");
    }

    #[test]
    fn the_rest_of_a_long_list_is_not_read() {
        // Broken JSON after the limit: had it been read, this would be a 400.
        assert_eq!(refused(r#"{"title":"a","skills":[{"name":"a"},{"name":"b"},{"name":"c"},{"nam"#).0, "skills");
    }

    #[test]
    fn texts_count_characters_not_bytes() {
        let body: Body = crate::body::parse(r#"{"title":"åäöåä","url":null}"#.as_bytes()).expect("five characters");
        assert_eq!(body.title, "åäöåä");
        assert_eq!(body.url, Some(None));
    }

    #[test]
    fn listed_items_are_counted() {
        assert_eq!(super::count_listed(Some("a, b,,c ,")), 3);
        assert_eq!(super::count_listed(None), 0);
    }
}
