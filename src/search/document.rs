//! Index documents: a seeker profile or a job, as the seekers and jobs features' views give them, turned into a
//! tantivy document whose stored part shows and explains a hit without another query.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tantivy::schema::Field;
use tantivy::TantivyDocument;
use uuid::Uuid;

use super::fields::{self, Fields, KIND_CANDIDATE, KIND_JOB};
use super::language::{self, TextLanguage};
use super::model::{HitJobSkill, HitLanguage, HitLocation, HitOrganization, HitSkill};
use crate::jobs::JobView;
use crate::seekers::SeekerView;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesiredLocation {
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: String,
}

/// A seeker profile with what the index needs. Names, email and phone are not part of it.
#[derive(Clone, Debug, Default)]
pub struct CandidateSource {
    pub candidate_id: Uuid,
    pub headline: String,
    pub summary: String,
    pub city: String,
    pub country: String,
    pub work_permit: String,
    pub available_from: Option<NaiveDate>,
    pub open_to_sectors: Vec<String>,
    pub searchable: bool,
    /// In the partner pool now: opted in, and linked to a talent whose recruitment is confirmed.
    pub in_partner_pool: bool,
    pub skills: Vec<HitSkill>,
    pub languages: Vec<HitLanguage>,
    /// Each experience entry's title, organisation and description as one text.
    pub experience: Vec<String>,
    /// Each education entry's degree, field and institution as one text.
    pub education: Vec<String>,
    pub desired_locations: Vec<DesiredLocation>,
}

impl CandidateSource {
    /// What the index needs of a profile; `in_partner_pool` says whether the seeker is in the pool now.
    pub fn of(view: SeekerView, in_partner_pool: bool) -> Self {
        let SeekerView { profile, .. } = view;
        let p = profile.content;
        Self {
            candidate_id: p.candidate_id,
            headline: p.headline,
            summary: p.summary,
            city: p.location.city,
            country: p.location.country,
            work_permit: p.work_permit,
            available_from: p.available_from,
            open_to_sectors: p.open_to_sectors,
            searchable: profile.searchable,
            in_partner_pool,
            skills: p
                .skills
                .into_iter()
                .map(|s| HitSkill { skill_id: s.skill_id, name: s.name, level: s.level, years: s.years })
                .collect(),
            languages: p.languages.into_iter().map(|l| HitLanguage { code: l.code, level: Some(l.level) }).collect(),
            experience: p
                .experience
                .iter()
                .map(|e| join_text(&[&e.title, &e.organization, e.description.as_deref().unwrap_or("")]))
                .collect(),
            education: p.education.iter().map(|e| join_text(&[&e.degree, &e.field, &e.institution])).collect(),
            desired_locations: p
                .desired_locations
                .into_iter()
                .map(|d| DesiredLocation { city: d.city, region: d.region, country: d.country })
                .collect(),
        }
    }
}

fn join_text(parts: &[&str]) -> String {
    parts.iter().filter(|p| !p.trim().is_empty()).copied().collect::<Vec<_>>().join(" — ")
}

/// A job with what the index needs.
#[derive(Clone, Debug)]
pub struct JobSource {
    pub id: Uuid,
    pub organization: HitOrganization,
    pub title: String,
    pub description: String,
    pub city: String,
    pub country: String,
    pub remote: String,
    pub employment_type: String,
    pub sector: String,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub skills: Vec<HitJobSkill>,
    pub languages: Vec<HitLanguage>,
}

impl From<JobView> for JobSource {
    fn from(job: JobView) -> Self {
        Self {
            id: job.id,
            organization: HitOrganization { id: job.organization.id, name: job.organization.name },
            title: job.title,
            description: job.description,
            city: job.location.city,
            country: job.location.country,
            remote: job.remote.as_str().to_owned(),
            employment_type: job.employment_type,
            sector: job.sector,
            status: job.status.as_str().to_owned(),
            published_at: job.published_at,
            closes_at: job.closes_at,
            skills: job
                .skills
                .into_iter()
                .map(|s| HitJobSkill { skill_id: s.skill_id, name: s.name, required: s.required })
                .collect(),
            languages: job
                .languages
                .into_iter()
                .map(|l| HitLanguage { code: l.code, level: l.level.map(|level| level.as_str().to_owned()) })
                .collect(),
        }
    }
}

/// The stored part of a candidate document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredCandidate {
    pub candidate_id: Uuid,
    pub headline: String,
    pub skills: Vec<HitSkill>,
    pub languages: Vec<HitLanguage>,
    pub location: HitLocation,
    pub desired_locations: Vec<DesiredLocation>,
    pub available_from: Option<NaiveDate>,
    pub work_permit: String,
    pub open_to_sectors: Vec<String>,
}

/// The stored part of a job document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredJob {
    pub id: Uuid,
    pub title: String,
    pub organization: HitOrganization,
    pub location: HitLocation,
    pub remote: String,
    pub sector: String,
    pub employment_type: String,
    pub published_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub skills: Vec<HitJobSkill>,
    pub languages: Vec<HitLanguage>,
}

/// Stands in for "no closing date" so that the not-yet-closed filter is one range (tantivy dates end in 2262).
pub const NEVER_CLOSES_SECS: i64 = 7_258_118_400; // 2200-01-01

/// Stands in for a missing start date (available from, published at): long ago.
pub const EPOCH: tantivy::DateTime = tantivy::DateTime::from_timestamp_secs(0);

pub fn date_value(date: NaiveDate) -> tantivy::DateTime {
    instant_value(date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// Tantivy counts nanoseconds in an i64 (years 1677 to 2262); later or earlier instants are clamped to that range.
pub fn instant_value(at: DateTime<Utc>) -> tantivy::DateTime {
    const LIMIT: i64 = i64::MAX / 1_000;
    tantivy::DateTime::from_timestamp_micros(at.timestamp_micros().clamp(-LIMIT, LIMIT))
}

/// What documents are built from: a profile or a job.
pub trait Source {
    /// The id its document is found and replaced by.
    fn key(&self) -> Uuid;
    /// Whether it belongs in the index at all.
    fn is_visible(&self) -> bool;
    fn document(&self, f: &Fields) -> TantivyDocument;
}

impl Source for CandidateSource {
    fn key(&self) -> Uuid {
        self.candidate_id
    }

    /// Searchable seekers, and partner-pool members (the pool is itself consent to be seen by the HR network);
    /// the document records both, so each search shows only those who agreed to it.
    fn is_visible(&self) -> bool {
        self.searchable || self.in_partner_pool
    }

    fn document(&self, f: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, KIND_CANDIDATE);
        doc.add_text(f.id, self.candidate_id.to_string());
        for skill in &self.skills {
            let Some(id) = skill.skill_id.as_deref() else { continue };
            for _ in 0..fields::skill_impact(skill.level, skill.years) {
                doc.add_text(f.candidate_skill, id);
            }
        }
        let texts: Vec<&str> = [self.headline.as_str(), self.summary.as_str()]
            .into_iter()
            .chain(self.experience.iter().map(String::as_str))
            .chain(self.education.iter().map(String::as_str))
            .chain(self.skills.iter().map(|s| s.name.as_str()))
            .collect();
        add_text(&mut doc, (f.candidate_text_en, f.candidate_text_sv), &texts);
        doc.add_text(f.country, fields::country_key(&self.country));
        doc.add_text(f.city, fields::city_key(&self.city));
        for place in &self.desired_locations {
            doc.add_text(f.country, fields::country_key(&place.country));
            if let Some(city) = &place.city {
                doc.add_text(f.city, fields::city_key(city));
            }
        }
        for language in &self.languages {
            for term in fields::language_terms(&language.code, language.level.as_deref().unwrap_or("A1")) {
                doc.add_text(f.lang, term);
            }
        }
        doc.add_text(f.work_permit, fields::keyword(&self.work_permit));
        // No date means available now, which is before any date asked for.
        doc.add_date(f.available_from, self.available_from.map_or(EPOCH, date_value));
        doc.add_bool(f.searchable, self.searchable);
        doc.add_bool(f.partner_pool, self.in_partner_pool);
        for sector in &self.open_to_sectors {
            doc.add_text(f.sector, fields::keyword(sector));
        }
        doc.add_text(f.display, serde_json::to_string(&self.stored()).unwrap_or_default());
        doc
    }
}

impl CandidateSource {
    fn stored(&self) -> StoredCandidate {
        StoredCandidate {
            candidate_id: self.candidate_id,
            headline: self.headline.clone(),
            skills: self.skills.clone(),
            languages: self.languages.clone(),
            location: HitLocation { city: self.city.clone(), country: self.country.clone() },
            desired_locations: self.desired_locations.clone(),
            available_from: self.available_from,
            work_permit: self.work_permit.clone(),
            open_to_sectors: self.open_to_sectors.clone(),
        }
    }
}

impl Source for JobSource {
    fn key(&self) -> Uuid {
        self.id
    }

    /// Published jobs are documents; whether they have closed is decided at query time.
    fn is_visible(&self) -> bool {
        self.status == "published"
    }

    fn document(&self, f: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, KIND_JOB);
        doc.add_text(f.id, self.id.to_string());
        for id in self.skills.iter().filter_map(|s| s.skill_id.as_deref()) {
            doc.add_text(f.job_skill, id);
        }
        let required: Vec<&str> =
            self.skills.iter().filter(|s| s.required).filter_map(|s| s.skill_id.as_deref()).collect();
        for id in &required {
            doc.add_text(f.required_skill, id);
        }
        doc.add_u64(f.required_count, required.len() as u64);
        let texts: Vec<&str> = [self.title.as_str(), self.description.as_str(), self.organization.name.as_str()]
            .into_iter()
            .chain(self.skills.iter().map(|s| s.name.as_str()))
            .collect();
        // The title is in the language of the ad as a whole.
        let language = add_text(&mut doc, (f.job_text_en, f.job_text_sv), &texts);
        let title = match language {
            TextLanguage::English => f.job_title_en,
            TextLanguage::Swedish => f.job_title_sv,
        };
        doc.add_text(title, &self.title);
        doc.add_text(f.country, fields::country_key(&self.country));
        doc.add_text(f.city, fields::city_key(&self.city));
        for language in &self.languages {
            doc.add_text(f.lang, fields::language_requirement(&language.code, language.level.as_deref()));
        }
        doc.add_text(f.sector, fields::keyword(&self.sector));
        doc.add_text(f.remote, fields::keyword(&self.remote));
        doc.add_date(f.published_at, self.published_at.map_or(EPOCH, instant_value));
        let closes = self.closes_at.map_or(tantivy::DateTime::from_timestamp_secs(NEVER_CLOSES_SECS), instant_value);
        doc.add_date(f.closes_at, closes);
        doc.add_text(f.display, serde_json::to_string(&self.stored()).unwrap_or_default());
        doc
    }
}

impl JobSource {
    fn stored(&self) -> StoredJob {
        StoredJob {
            id: self.id,
            title: self.title.clone(),
            organization: self.organization.clone(),
            location: HitLocation { city: self.city.clone(), country: self.country.clone() },
            remote: self.remote.clone(),
            sector: self.sector.clone(),
            employment_type: self.employment_type.clone(),
            published_at: self.published_at,
            closes_at: self.closes_at,
            skills: self.skills.clone(),
            languages: self.languages.clone(),
        }
    }
}

/// Adds `texts` to the field of their detected language (English unless they read as Swedish) and says which.
fn add_text(doc: &mut TantivyDocument, (en, sv): (Field, Field), texts: &[&str]) -> TextLanguage {
    let language = language::detect(texts);
    let field = match language {
        TextLanguage::English => en,
        TextLanguage::Swedish => sv,
    };
    for text in texts.iter().filter(|t| !t.trim().is_empty()) {
        doc.add_text(field, text);
    }
    language
}
