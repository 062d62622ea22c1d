//! Bulk loading of jobs (`seed --synthetic`): typed rows for `jobs`, `job_skills` and `job_languages`, and
//! their COPY. Jobs belong to organisations, so those go in first and removing them removes the jobs (foreign
//! keys cascade).

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, Transaction};
use uuid::Uuid;

use crate::bulk::{copy, CopyBuffer, CopyError};

// The columns of each table, in the order its `push_` method writes them.
const JOBS: &str = "jobs (id, organization_id, title, description, city, country, remote, employment_type, sector, \
                    apply_url, closes_at, status, published_at, created_by, source, external_id)";
const SKILLS: &str = "job_skills (job_id, position, skill_id, name, required)";
const LANGUAGES: &str = "job_languages (job_id, code, level)";

/// One job.
pub struct JobRow<'a> {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: &'a str,
    pub description: &'a str,
    pub city: &'a str,
    pub country: &'a str,
    pub remote: &'a str,
    pub employment_type: &'a str,
    pub sector: &'a str,
    pub apply_url: Option<&'a str>,
    pub closes_at: Option<DateTime<Utc>>,
    pub status: &'a str,
    pub published_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub source: &'a str,
    pub external_id: Option<&'a str>,
}

/// One skill a job asks for: a taxonomy skill or a free-text name, required or a plus.
pub struct SkillRow<'a> {
    pub job_id: Uuid,
    pub position: i32,
    pub skill_id: Option<&'a str>,
    pub name: &'a str,
    pub required: bool,
}

/// How many rows of each kind are waiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub jobs: u64,
    pub skills: u64,
    pub languages: u64,
}

/// Jobs and their parts waiting to be copied, one buffer per table.
#[derive(Default)]
pub struct Jobs {
    jobs: CopyBuffer,
    skills: CopyBuffer,
    languages: CopyBuffer,
}

impl Jobs {
    pub fn push_job(&mut self, row: JobRow<'_>) {
        let JobRow {
            id,
            organization_id,
            title,
            description,
            city,
            country,
            remote,
            employment_type,
            sector,
            apply_url,
            closes_at,
            status,
            published_at,
            created_by,
            source,
            external_id,
        } = row;
        self.jobs
            .put(id)
            .put(organization_id)
            .put(title)
            .put(description)
            .put(city)
            .put(country)
            .put(remote)
            .put(employment_type)
            .put(sector)
            .put(apply_url)
            .put(closes_at)
            .put(status)
            .put(published_at)
            .put(created_by)
            .put(source)
            .put(external_id)
            .end_row();
    }

    pub fn push_skill(&mut self, row: SkillRow<'_>) {
        let SkillRow { job_id, position, skill_id, name, required } = row;
        self.skills.put(job_id).put(position).put(skill_id).put(name).put(required).end_row();
    }

    /// A language the job asks for, with the least CEFR level if it names one.
    pub fn push_language(&mut self, job_id: Uuid, code: &str, level: Option<&str>) {
        self.languages.put(job_id).put(code).put(level).end_row();
    }

    pub fn counts(&self) -> JobCounts {
        JobCounts { jobs: self.jobs.rows(), skills: self.skills.rows(), languages: self.languages.rows() }
    }

    /// Each table's rows with its COPY target, jobs before the parts that refer to them.
    fn tables(self) -> [(&'static str, CopyBuffer); 3] {
        [(JOBS, self.jobs), (SKILLS, self.skills), (LANGUAGES, self.languages)]
    }

    /// The COPY streams one after the other, as PostgreSQL would receive them: for tests that compare two loads.
    pub fn into_bytes(self) -> Vec<u8> {
        self.tables().into_iter().flat_map(|(_, rows)| rows.into_bytes()).collect()
    }

    /// Copies everything inside `tx`, whose organisations must be there already; returns the rows written.
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
    client.batch_execute("ANALYZE jobs, job_skills, job_languages").await
}
