//! Splits an input into ads, one JSON value each with its position, without holding more than one chunk of them:
//! a JobSearch hits envelope, a JSON array (a JobStream snapshot, a list of postings), or JSON lines.

use std::fmt;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;

use super::jobposting;
use super::model::Format;

/// An input that is not JSON (or not JSON of a shape that holds ads); ads read before the fault stay imported.
#[derive(Debug, thiserror::Error)]
#[error("the input is not a JSON array, JSON lines or a JobSearch response: {0}")]
pub struct FeedError(pub String);

/// Calls `each` with every ad's position (0-based) and value, in order. A JSON-lines line that does not parse is
/// passed on as a string holding the parse error, so it is reported as skipped at its position.
pub fn each_ad(format: Format, input: &[u8], mut each: impl FnMut(usize, Value)) -> Result<(), FeedError> {
    let start = input.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(input.len());
    let body = &input[start..];
    match (body.first(), format) {
        (None, _) => Ok(()),
        (Some(b'['), Format::Jobtech) => {
            let mut de = serde_json::Deserializer::from_slice(body);
            EachElement { position: 0, each: &mut each }.deserialize(&mut de).map_err(|e| FeedError(e.to_string()))
        }
        (Some(b'{'), Format::Jobtech) if is_envelope(body) => {
            let value: Value = serde_json::from_slice(body).map_err(|e| FeedError(e.to_string()))?;
            hits(value).into_iter().enumerate().for_each(|(i, v)| each(i, v));
            Ok(())
        }
        (Some(b'{'), Format::Jobtech) => {
            json_lines(body, each);
            Ok(())
        }
        (Some(_), Format::Jobposting) => {
            let value = serde_json::from_slice::<Value>(body);
            let value = match value {
                Ok(value) => value,
                Err(_) if body.first() == Some(&b'{') => {
                    let mut postings = Vec::new();
                    json_lines(body, |_, v| jobposting::postings(v, &mut postings));
                    postings.into_iter().enumerate().for_each(|(i, v)| each(i, v));
                    return Ok(());
                }
                Err(e) => return Err(FeedError(e.to_string())),
            };
            let mut postings = Vec::new();
            jobposting::postings(value, &mut postings);
            postings.into_iter().enumerate().for_each(|(i, v)| each(i, v));
            Ok(())
        }
        (Some(_), Format::Jobtech) => Err(FeedError("it starts with neither `[` nor `{`".to_owned())),
    }
}

/// Whether a JSON object is a JobSearch response (`{"hits": …}`) rather than the first of JSON lines; only its
/// first value is looked at.
fn is_envelope(body: &[u8]) -> bool {
    let mut stream = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
    matches!(stream.next(), Some(Ok(Value::Object(map))) if map.contains_key("hits") && !map.contains_key("headline"))
}

/// The ads of a JobSearch response: `hits.hits[]._source` (Elasticsearch's shape) or `hits[]` (the API's).
fn hits(value: Value) -> Vec<Value> {
    let hits = match value.get("hits") {
        Some(Value::Object(inner)) => inner.get("hits").cloned(),
        Some(list @ Value::Array(_)) => Some(list.clone()),
        _ => None,
    };
    let Some(Value::Array(items)) = hits else { return Vec::new() };
    items.into_iter().map(|hit| if let Some(source) = hit.get("_source") { source.clone() } else { hit }).collect()
}

/// One value a line; blank lines are skipped and not counted.
fn json_lines(body: &[u8], mut each: impl FnMut(usize, Value)) {
    let lines = body.split(|b| *b == b'\n').filter(|line| line.iter().any(|b| !b.is_ascii_whitespace()));
    for (position, line) in lines.enumerate() {
        match serde_json::from_slice::<Value>(line) {
            Ok(value) => each(position, value),
            Err(e) => each(position, Value::String(format!("not JSON: {e}"))),
        }
    }
}

/// Deserialises a JSON array one element at a time, handing each to `each` instead of building the array.
struct EachElement<'f, F> {
    position: usize,
    each: &'f mut F,
}

impl<'de, F: FnMut(usize, Value)> DeserializeSeed<'de> for EachElement<'_, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(usize, Value)> Visitor<'de> for EachElement<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of ads")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            (self.each)(self.position, value);
            self.position += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(format: Format, input: &str) -> Vec<(usize, Value)> {
        let mut seen = Vec::new();
        each_ad(format, input.as_bytes(), |i, v| seen.push((i, v))).expect("readable");
        seen
    }

    #[test]
    fn every_jobtech_shape_yields_its_ads_in_order() {
        let array = positions(Format::Jobtech, r#" [{"id":"1"},{"id":"2"}] "#);
        assert_eq!(
            array.iter().map(|(i, v)| (*i, v["id"].clone())).collect::<Vec<_>>(),
            [(0, "1".into()), (1, "2".into())]
        );
        let envelope = positions(Format::Jobtech, r#"{"took":1,"hits":{"hits":[{"_source":{"id":"7"}}]}}"#);
        assert_eq!(envelope[0].1["id"], "7");
        let lines = positions(Format::Jobtech, "{\"id\":\"1\"}\n\n{broken\n{\"id\":\"3\"}\n");
        assert_eq!(lines.len(), 3);
        assert!(lines[1].1.is_string(), "the broken line is passed on to be reported");
        assert_eq!(lines[2].1["id"], "3");
    }

    #[test]
    fn json_ld_graphs_are_opened() {
        let doc = r#"[{"@context":"https://schema.org","@graph":[{"@type":"Organization"},{"@type":"JobPosting","title":"A"}]}]"#;
        let found = positions(Format::Jobposting, doc);
        assert_eq!(found.len(), 2, "the organisation is passed on to be reported as skipped");
        assert_eq!(found[1].1["title"], "A");
    }

    #[test]
    fn a_truncated_array_is_a_feed_error_after_the_ads_before_it() {
        let mut seen = 0;
        let result = each_ad(Format::Jobtech, br#"[{"id":"1"},{"id":"#, |_, _| seen += 1);
        assert!(result.is_err());
        assert_eq!(seen, 1);
    }
}
