//! An ad as the importer reads it, whatever its format, and what an import run reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest ad text kept; longer ones are cut (jobs posted through the API may not be longer).
pub const MAX_TEXT_CHARS: usize = crate::limits::MAX_TEXT_CHARS;
/// The longest title kept.
pub const MAX_TITLE_CHARS: usize = crate::limits::MAX_NAME_CHARS;
/// Short fields (places, employment types, names) are cut to this.
pub const MAX_SHORT_CHARS: usize = 100;
/// Addresses (web pages, application links) longer than this are dropped.
pub const MAX_URL_CHARS: usize = 2048;
/// An ad may list at most this many skills; the rest are ignored.
pub const MAX_LISTED_SKILLS: usize = 50;

/// The formats Tandem imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// The Public Employment Service's ads: JobSearch hits, a JobStream array, or JSON lines of ads.
    Jobtech,
    /// schema.org `JobPosting` objects, or JSON-LD documents holding them, as job boards publish them.
    Jobposting,
}

/// The employer an ad names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Employer {
    pub name: String,
    pub org_number: Option<String>,
    pub website: Option<String>,
}

/// A skill the ad lists itself, by JobTech concept id (often unknown) and label.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListedSkill {
    pub concept_id: Option<String>,
    pub label: String,
    /// From `must_have` rather than `nice_to_have`.
    pub required: bool,
}

/// One ad, read from any format into the fields Tandem keeps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ad {
    /// `jobtech`, or a job board's host name.
    pub source: String,
    pub external_id: String,
    pub url: Option<String>,
    /// The board took the ad down.
    pub removed: bool,
    pub title: String,
    /// Plain text (HTML already stripped).
    pub text: String,
    pub employer: Option<Employer>,
    /// Town or municipality, else region, else country name, as the ad gives it.
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// ISO 639-1 codes of the languages the ad asks for.
    pub languages: Vec<String>,
    pub listed_skills: Vec<ListedSkill>,
    pub employment_type: String,
    pub sector: String,
    pub apply_url: Option<String>,
    pub closes_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    /// When the source last changed the ad (JobStream's `timestamp`); not part of its content.
    #[serde(skip)]
    pub changed_at: Option<DateTime<Utc>>,
}

/// Why an ad was not imported, and where it was in the input (0-based).
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Skipped {
    pub position: usize,
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Ads that became new jobs.
    pub new: usize,
    /// Ads that changed an existing job.
    pub updated: usize,
    /// Ads already imported as they are (and withdrawals of ads never imported).
    pub unchanged: usize,
    /// Ads taken down at their board (`removed: true`); the job closes when no board publishes it any more.
    pub withdrawn: usize,
    /// Ads found to be a job already imported from another board: recorded as `also_at`, no new job.
    pub merged: usize,
    /// Ads that could not be read, with their position and why; the rest of the input is imported.
    pub skipped: Vec<Skipped>,
    /// Skills found across the new and changed ads (listed or read from the text).
    pub skills_found: usize,
}

impl ImportSummary {
    /// Adds another run's counts to this one.
    pub fn add(&mut self, other: ImportSummary) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.withdrawn += other.withdrawn;
        self.merged += other.merged;
        self.skipped.extend(other.skipped);
        self.skills_found += other.skills_found;
    }

    /// Every ad it accounted for.
    pub fn ads(&self) -> usize {
        self.new + self.updated + self.unchanged + self.withdrawn + self.merged + self.skipped.len()
    }
}

/// Cuts `text` to at most `max` characters, on a character boundary.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

/// Drops control characters other than line breaks and tabs, and trims.
pub fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect::<String>().trim().to_owned()
}

/// A short one-line field: cleaned, whitespace collapsed, cut.
pub fn short(text: &str) -> String {
    cut(&clean(text).split_whitespace().collect::<Vec<_>>().join(" "), MAX_SHORT_CHARS)
}

/// A web address worth keeping: http(s) and not absurdly long.
pub fn web_url(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    (url.len() <= MAX_URL_CHARS && crate::vocab::is_web_url(url)).then(|| url.to_owned())
}
