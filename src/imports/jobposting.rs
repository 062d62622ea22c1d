//! schema.org `JobPosting` objects, as job boards and employers publish them in JSON-LD, read into an [`Ad`]. The
//! source is the board's host name; places are often just a region or a country name.

use serde_json::Value;

use super::model::{
    clean, cut, short, web_url, Ad, Employer, ListedSkill, MAX_LISTED_SKILLS, MAX_TEXT_CHARS, MAX_TITLE_CHARS,
};
use super::names::{country_code, language_code, swedish_time};

/// The source name of postings whose address names no host.
pub const UNKNOWN_BOARD: &str = "jobposting";

/// The `JobPosting` objects in one JSON-LD value: the value itself, the items of an array, or the nodes of an
/// `@graph`, at any depth up to a small bound (a hostile document cannot make this recurse deeply).
pub fn postings(value: Value, into: &mut Vec<Value>) {
    collect(value, into, 0);
}

fn collect(value: Value, into: &mut Vec<Value>, depth: usize) {
    if depth > 3 {
        return;
    }
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| collect(v, into, depth + 1)),
        Value::Object(mut map) => {
            if is_job_posting(map.get("@type")) {
                into.push(Value::Object(map));
            } else if let Some(graph) = map.remove("@graph") {
                collect(graph, into, depth + 1);
            } else {
                // Not a posting: kept so that its position is reported as skipped.
                into.push(Value::Object(map));
            }
        }
        other => into.push(other),
    }
}

fn is_job_posting(kind: Option<&Value>) -> bool {
    match kind {
        Some(Value::String(s)) => s == "JobPosting",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k.as_str() == Some("JobPosting")),
        _ => false,
    }
}

/// Reads one posting; the error says what is wrong with it.
pub fn read(value: Value) -> Result<Ad, String> {
    let Value::Object(map) = value else { return Err("not an object".to_owned()) };
    if !is_job_posting(map.get("@type")) {
        return Err("@type: not a JobPosting".to_owned());
    }
    let text_of = |key: &str| map.get(key).and_then(text);
    let url = web_url(text_of("url").as_deref());
    let source = url.as_deref().and_then(host).unwrap_or_else(|| UNKNOWN_BOARD.to_owned());
    let external_id = map
        .get("identifier")
        .and_then(identifier)
        .or_else(|| url.clone())
        .map(|id| short(&id))
        .filter(|id| !id.is_empty())
        .ok_or("identifier: missing, and no url to stand for it")?;
    let title = cut(&short(&text_of("title").unwrap_or_default()), MAX_TITLE_CHARS);
    if title.is_empty() {
        return Err("title: missing".to_owned());
    }
    let (city, country) = place(map.get("jobLocation"));
    let skills = strings(map.get("skills"));
    let languages: Vec<String> = skills.iter().filter_map(|s| language_code(s)).map(str::to_owned).collect();
    let listed_skills = skills
        .iter()
        .filter(|s| language_code(s).is_none())
        .take(MAX_LISTED_SKILLS)
        .map(|label| ListedSkill { concept_id: None, label: short(label), required: false })
        .collect();
    Ok(Ad {
        source,
        external_id,
        url,
        removed: false,
        title,
        text: cut(&clean(&strip_html(&text_of("description").unwrap_or_default())), MAX_TEXT_CHARS),
        employer: map.get("hiringOrganization").and_then(employer),
        city,
        country,
        languages,
        listed_skills,
        employment_type: strings(map.get("employmentType"))
            .first()
            .map(|s| short(s))
            .unwrap_or_else(|| "unknown".to_owned()),
        sector: strings(map.get("occupationalCategory"))
            .first()
            .map(|s| short(s))
            .unwrap_or_else(|| "unknown".to_owned()),
        apply_url: None,
        closes_at: text_of("validThrough").and_then(|t| swedish_time(&t, true)),
        published_at: text_of("datePosted").and_then(|t| swedish_time(&t, false)),
        changed_at: None,
    })
}

/// A string, or a number written as one.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string or a list of strings (or of objects with a `name`).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => {
            items.iter().filter_map(|v| text(v).or_else(|| v.get("name").and_then(text))).collect()
        }
        Some(v) => text(v).or_else(|| v.get("name").and_then(text)).into_iter().collect(),
        None => Vec::new(),
    }
}

/// `identifier` as a string, a number, or a `PropertyValue` with a `value`.
fn identifier(value: &Value) -> Option<String> {
    text(value).or_else(|| value.get("value").and_then(text))
}

fn host(url: &str) -> Option<String> {
    let host = url::Url::parse(url).ok()?.host_str()?.to_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_owned())
}

fn employer(value: &Value) -> Option<Employer> {
    let name = match value {
        Value::String(s) => s.clone(),
        other => other.get("name").and_then(text)?,
    };
    let name = short(&name);
    (!name.is_empty()).then(|| Employer {
        name,
        org_number: None,
        website: web_url(value.get("sameAs").or(value.get("url")).and_then(text).as_deref()),
    })
}

/// The first place the posting names: its town, else region, else country (a `PostalAddress` or plain text).
fn place(value: Option<&Value>) -> (String, String) {
    let first = match value {
        Some(Value::Array(items)) => items.first(),
        other => other,
    };
    let address = first.map(|p| p.get("address").unwrap_or(p));
    let (town, country) = match address {
        Some(Value::Object(a)) => {
            let field = |k: &str| a.get(k).and_then(|v| text(v).or_else(|| v.get("name").and_then(text)));
            let town = field("addressLocality").or_else(|| field("addressRegion")).or_else(|| field("addressCountry"));
            (town, field("addressCountry"))
        }
        Some(other) => (text(other), None),
        None => (None, None),
    };
    let town = town.map(|t| short(&t)).filter(|t| !t.is_empty()).unwrap_or_else(|| "Sverige".to_owned());
    let code = country.as_deref().and_then(country_code).or_else(|| country_code(&town)).unwrap_or("SE");
    (town, code.to_owned())
}

/// Text with its HTML tags removed and block ends turned into line breaks; entities for the common characters
/// decoded. Linear in the input.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim_start_matches('/').to_ascii_lowercase();
        if ["p", "br", "li", "div", "h1", "h2", "h3", "h4", "tr"]
            .iter()
            .any(|t| tag.split(|c: char| !c.is_ascii_alphanumeric()).next() == Some(t))
        {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    decode_entities(&out)
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&aring;", "å")
        .replace("&auml;", "ä")
        .replace("&ouml;", "ö")
        .replace("&Aring;", "Å")
        .replace("&Auml;", "Ä")
        .replace("&Ouml;", "Ö")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Value> {
        let text =
            std::fs::read(format!("{}/data/jobads/jobposting_scraped_2020_sample.json", env!("CARGO_MANIFEST_DIR")));
        let mut found = Vec::new();
        postings(serde_json::from_slice(&text.expect("sample")).expect("json"), &mut found);
        found
    }

    #[test]
    fn the_sample_reads_with_boards_places_and_plain_text() {
        let ads: Vec<Ad> = sample().into_iter().map(|v| read(v).expect("readable")).collect();
        assert_eq!(ads.len(), 12);
        assert_eq!((ads[0].source.as_str(), ads[0].external_id.as_str()), ("studentjob.se", "1313244"));
        assert_eq!((ads[0].city.as_str(), ads[0].country.as_str()), ("Sweden", "SE"));
        assert_eq!(ads[0].languages, ["en"], "a listed language is a language, not a skill");
        assert_eq!(ads[1].employer.as_ref().map(|e| e.name.as_str()), Some("Perigee AB"));
        assert_eq!(ads[1].city, "Malmö");
        assert!(ads.iter().all(|ad| !ad.text.contains('<')), "HTML stripped");
        assert!(ads[9].employer.is_none() || ads[9].source == "halsojobb.se");
    }

    #[test]
    fn html_becomes_text_in_one_pass() {
        assert_eq!(strip_html("<p>Vi s&ouml;ker</p><ul><li>GMP &amp; QA</li></ul>"), "\nVi söker\n\nGMP & QA\n");
        assert_eq!(strip_html("a < b and no close"), "a ");
        assert_eq!(strip_html(&"<".repeat(10_000)), "");
    }
}
