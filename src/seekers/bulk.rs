//! Bulk loading of seeker profiles (`seed --synthetic`): typed rows for `seeker_profiles` and its `profile_*`
//! parts, and their COPY. Profiles belong to accounts, so the accounts go in first and removing them removes
//! the profiles (foreign keys cascade).

use chrono::NaiveDate;
use tokio_postgres::{Client, Transaction};
use uuid::Uuid;

use crate::bulk::{copy, CopyBuffer, CopyError, TextArray};

// The columns of each table, in the order its `push_` method writes them.
const PROFILES: &str = "seeker_profiles (user_id, candidate_id, full_name, headline, summary, city, country, \
                        work_permit, available_from, open_to_sectors, searchable, in_partner_pool)";
const SKILLS: &str = "profile_skills (seeker_id, position, skill_id, name, level, years)";
const LANGUAGES: &str = "profile_languages (seeker_id, code, level)";
const EXPERIENCE: &str =
    "profile_experience (seeker_id, position, title, organization, start_date, end_date, description)";
const EDUCATION: &str = "profile_education (seeker_id, position, degree, field, institution, year)";
const DESIRED_LOCATIONS: &str = "profile_desired_locations (seeker_id, position, city, region, country)";

/// One profile, keyed by its account.
pub struct ProfileRow<'a> {
    pub user_id: Uuid,
    pub candidate_id: Uuid,
    pub full_name: &'a str,
    pub headline: &'a str,
    pub summary: &'a str,
    pub city: &'a str,
    pub country: &'a str,
    pub work_permit: &'a str,
    pub available_from: Option<NaiveDate>,
    pub open_to_sectors: &'a [&'a str],
    pub searchable: bool,
    pub in_partner_pool: bool,
}

/// One skill of a profile: a taxonomy skill or a free-text name; `level` runs from 1 to 5.
pub struct SkillRow<'a> {
    pub seeker_id: Uuid,
    pub position: i32,
    pub skill_id: Option<&'a str>,
    pub name: &'a str,
    pub level: Option<i16>,
    pub years: Option<f32>,
}

/// One position held.
pub struct ExperienceRow<'a> {
    pub seeker_id: Uuid,
    pub position: i32,
    pub title: &'a str,
    pub organization: &'a str,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub description: Option<&'a str>,
}

/// One degree.
pub struct EducationRow<'a> {
    pub seeker_id: Uuid,
    pub position: i32,
    pub degree: &'a str,
    pub field: &'a str,
    pub institution: &'a str,
    pub year: Option<i32>,
}

/// One place a seeker would like to work.
pub struct DesiredLocationRow<'a> {
    pub seeker_id: Uuid,
    pub position: i32,
    pub city: Option<&'a str>,
    pub region: Option<&'a str>,
    pub country: &'a str,
}

/// How many rows of each kind are waiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProfileCounts {
    pub profiles: u64,
    pub skills: u64,
    pub languages: u64,
    pub experience: u64,
    pub education: u64,
    pub desired_locations: u64,
}

/// Profiles and their parts waiting to be copied, one buffer per table.
#[derive(Default)]
pub struct Profiles {
    profiles: CopyBuffer,
    skills: CopyBuffer,
    languages: CopyBuffer,
    experience: CopyBuffer,
    education: CopyBuffer,
    desired_locations: CopyBuffer,
}

impl Profiles {
    pub fn push_profile(&mut self, row: ProfileRow<'_>) {
        let ProfileRow {
            user_id,
            candidate_id,
            full_name,
            headline,
            summary,
            city,
            country,
            work_permit,
            available_from,
            open_to_sectors,
            searchable,
            in_partner_pool,
        } = row;
        self.profiles
            .put(user_id)
            .put(candidate_id)
            .put(full_name)
            .put(headline)
            .put(summary)
            .put(city)
            .put(country)
            .put(work_permit)
            .put(available_from)
            .put(TextArray(open_to_sectors))
            .put(searchable)
            .put(in_partner_pool)
            .end_row();
    }

    pub fn push_skill(&mut self, row: SkillRow<'_>) {
        let SkillRow { seeker_id, position, skill_id, name, level, years } = row;
        self.skills.put(seeker_id).put(position).put(skill_id).put(name).put(level).put(years).end_row();
    }

    /// A language and the seeker's level in it ("native" or a CEFR level).
    pub fn push_language(&mut self, seeker_id: Uuid, code: &str, level: &str) {
        self.languages.put(seeker_id).put(code).put(level).end_row();
    }

    pub fn push_experience(&mut self, row: ExperienceRow<'_>) {
        let ExperienceRow { seeker_id, position, title, organization, start_date, end_date, description } = row;
        self.experience
            .put(seeker_id)
            .put(position)
            .put(title)
            .put(organization)
            .put(start_date)
            .put(end_date)
            .put(description)
            .end_row();
    }

    pub fn push_education(&mut self, row: EducationRow<'_>) {
        let EducationRow { seeker_id, position, degree, field, institution, year } = row;
        self.education.put(seeker_id).put(position).put(degree).put(field).put(institution).put(year).end_row();
    }

    pub fn push_desired_location(&mut self, row: DesiredLocationRow<'_>) {
        let DesiredLocationRow { seeker_id, position, city, region, country } = row;
        self.desired_locations.put(seeker_id).put(position).put(city).put(region).put(country).end_row();
    }

    pub fn counts(&self) -> ProfileCounts {
        ProfileCounts {
            profiles: self.profiles.rows(),
            skills: self.skills.rows(),
            languages: self.languages.rows(),
            experience: self.experience.rows(),
            education: self.education.rows(),
            desired_locations: self.desired_locations.rows(),
        }
    }

    /// Each table's rows with its COPY target, profiles before the parts that refer to them.
    fn tables(self) -> [(&'static str, CopyBuffer); 6] {
        [
            (PROFILES, self.profiles),
            (SKILLS, self.skills),
            (LANGUAGES, self.languages),
            (EXPERIENCE, self.experience),
            (EDUCATION, self.education),
            (DESIRED_LOCATIONS, self.desired_locations),
        ]
    }

    /// The COPY streams one after the other, as PostgreSQL would receive them: for tests that compare two loads.
    pub fn into_bytes(self) -> Vec<u8> {
        self.tables().into_iter().flat_map(|(_, rows)| rows.into_bytes()).collect()
    }

    /// Copies everything inside `tx`, whose accounts must be there already; returns the rows written.
    pub async fn copy(self, tx: &Transaction<'_>) -> Result<u64, CopyError> {
        let mut written = 0;
        for (table, rows) in self.tables() {
            written += copy(tx, table, rows).await?;
        }
        Ok(written)
    }
}

/// Fresh statistics after a bulk load, so that the planner knows the tables grew.
pub async fn analyze(client: &Client) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(
            "ANALYZE seeker_profiles, profile_skills, profile_languages, profile_experience, profile_education, \
             profile_desired_locations",
        )
        .await
}
