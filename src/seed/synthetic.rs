//! `seed --synthetic N`: deterministic synthetic seekers and jobs for load tests and benchmarks, bulk-loaded with
//! COPY in one transaction.
//!
//! The same N and seed give the same data for the same taxonomy. Synthetic seekers are searchable but cannot log
//! in: they share one Argon2 hash of a random secret that is thrown away. Their emails end in
//! `@synthetic.invalid`, which is how a second run finds them. No index outbox rows are written: after loading,
//! rebuild the search index (`tandem reindex`).

mod copy;
mod generate;
mod popularity;
mod words;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use futures_util::SinkExt;
use indicatif::{ProgressBar, ProgressStyle};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::mpsc;
use tokio_postgres::{Client, NoTls, Transaction};

pub use generate::{synthetic_id, Kind, EMAIL_DOMAIN};

use copy::CopyBuffer;
use generate::{Generator, JobRows, SeekerRows};
use popularity::{SkillPicker, TaxonomySkill};

/// The seed `seed --synthetic` uses: fixed, so that every run and every machine loads the same data.
pub const DEFAULT_SEED: u64 = 20_261_101;

/// One synthetic job for this many seekers.
pub const SEEKERS_PER_JOB: u64 = 20;

/// Seekers generated and copied together; big enough that per-statement costs vanish, small enough to stream.
const BATCH: u64 = 5_000;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub profiles: u64,
    pub seed: u64,
}

impl Spec {
    pub fn new(profiles: u64) -> Self {
        Self { profiles, seed: DEFAULT_SEED }
    }

    pub fn jobs(&self) -> u64 {
        self.profiles / SEEKERS_PER_JOB
    }
}

/// What a load did.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub profiles: u64,
    pub jobs: u64,
    /// Rows written over all tables.
    pub rows: u64,
    pub elapsed: Duration,
    /// Whether foreign-key triggers were skipped (a superuser's bulk load); see `relax_checks`.
    pub fk_checks_skipped: bool,
}

impl Loaded {
    pub fn profiles_per_second(&self) -> f64 {
        self.profiles as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

#[derive(Clone, Debug)]
pub enum Outcome {
    Loaded(Loaded),
    /// The database already held exactly this many synthetic seekers; nothing was written.
    AlreadyLoaded {
        profiles: u64,
    },
}

/// Loads `spec.profiles` synthetic seekers and `spec.jobs()` jobs into the database at `database_url`, which
/// must be migrated and hold the taxonomy. Refuses if it already holds a different number of synthetic seekers.
pub async fn load(database_url: &str, spec: Spec) -> anyhow::Result<Outcome> {
    let mut client = connect(database_url).await?;
    let existing = count_synthetic(&client).await?;
    if existing == spec.profiles && existing > 0 {
        return Ok(Outcome::AlreadyLoaded { profiles: existing });
    }
    if existing > 0 {
        anyhow::bail!(
            "this database already holds {existing} synthetic seekers (emails ending in @{EMAIL_DOMAIN}); synthetic \
             data is loaded once per database: use a fresh database for {} seekers",
            spec.profiles
        );
    }
    let skills = taxonomy(&client).await?;
    anyhow::ensure!(
        !skills.is_empty(),
        "the skills table is empty: load the taxonomy first (start `tandem serve` once)"
    );
    let generator = Arc::new(Generator {
        seed: spec.seed,
        skills: SkillPicker::new(skills, &mut ChaCha8Rng::seed_from_u64(spec.seed)),
        password_hash: unusable_password_hash().await?,
    });

    let started = Instant::now();
    let tx = client.transaction().await?;
    let fk_checks_skipped = relax_checks(&tx).await?;
    let mut rows = copy_seekers(&tx, &generator, spec.profiles).await?;
    rows += copy_jobs(&tx, &generator, spec.jobs()).await?;
    tx.commit().await.context("committing the synthetic data")?;
    let elapsed = started.elapsed();
    analyze(&client).await?;
    Ok(Outcome::Loaded(Loaded { profiles: spec.profiles, jobs: spec.jobs(), rows, elapsed, fk_checks_skipped }))
}

/// `seed --synthetic N`: loads, or says why not, and tells what to do next.
pub async fn seed(state: &crate::app::AppState, profiles: u64) -> anyhow::Result<()> {
    match load(&state.config.database_url, Spec::new(profiles)).await? {
        Outcome::AlreadyLoaded { profiles } => {
            println!("the database already holds these {profiles} synthetic seekers: nothing to do");
        }
        Outcome::Loaded(loaded) => {
            println!(
                "loaded {} synthetic seekers and {} jobs ({} rows) in {:.1} s: {:.0} seekers a second",
                loaded.profiles,
                loaded.jobs,
                loaded.rows,
                loaded.elapsed.as_secs_f64(),
                loaded.profiles_per_second()
            );
            println!("synthetic accounts cannot log in. Run `tandem reindex` to make them searchable.");
        }
    }
    Ok(())
}

/// How many synthetic seekers the database holds.
pub async fn count_synthetic_profiles(database_url: &str) -> anyhow::Result<u64> {
    count_synthetic(&connect(database_url).await?).await
}

async fn connect(database_url: &str) -> anyhow::Result<Client> {
    let (client, connection) = tokio_postgres::connect(database_url, NoTls)
        .await
        .with_context(|| format!("connecting to {}", crate::db::redact(database_url)))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!("synthetic data connection: {e}");
        }
    });
    Ok(client)
}

async fn count_synthetic(client: &Client) -> anyhow::Result<u64> {
    let pattern = format!("%@{EMAIL_DOMAIN}");
    let row = client.query_one("SELECT count(*) FROM users WHERE email LIKE $1", &[&pattern]).await?;
    Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
}

async fn taxonomy(client: &Client) -> anyhow::Result<Vec<TaxonomySkill>> {
    let rows = client.query("SELECT id, source, coalesce(label_en, label_sv, id) FROM skills", &[]).await?;
    Ok(rows.iter().map(|r| TaxonomySkill { id: r.get(0), source: r.get(1), label: r.get(2) }).collect())
}

/// One Argon2 hash for every synthetic account, of a random secret nobody keeps: the accounts cannot log in.
async fn unusable_password_hash() -> anyhow::Result<String> {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    Ok(crate::auth::password::hash(secret).await?)
}

/// For a superuser, turns off trigger-based checks (foreign keys) for this transaction only, as `pg_restore
/// --disable-triggers` does: the generator only writes ids it has just written or read from `skills`, and the
/// checks would otherwise cost more than the rows themselves. Others load with every check on, more slowly.
async fn relax_checks(tx: &Transaction<'_>) -> anyhow::Result<bool> {
    let superuser: bool = tx.query_one("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", &[]).await?.get(0);
    if superuser {
        tx.batch_execute("SET LOCAL session_replication_role = replica").await?;
    } else {
        tracing::warn!("not a superuser: loading with foreign-key checks on, which is several times slower");
    }
    Ok(superuser)
}

fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let template = format!("{{bar:40}} {{human_pos}}/{{human_len}} {what} ({{per_sec}}, {{eta}} left)");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// Generates seekers on a blocking thread while the previous batch streams into PostgreSQL.
async fn copy_seekers(tx: &Transaction<'_>, generator: &Arc<Generator>, profiles: u64) -> anyhow::Result<u64> {
    let (sender, mut batches) = mpsc::channel::<(u64, SeekerRows)>(2);
    let producer = {
        let generator = Arc::clone(generator);
        tokio::task::spawn_blocking(move || {
            for first in (0..profiles).step_by(BATCH as usize) {
                let last = (first + BATCH).min(profiles);
                let mut rows = SeekerRows::default();
                for n in first..last {
                    generator.seeker(n, &mut rows);
                }
                if sender.blocking_send((last - first, rows)).is_err() {
                    return; // the consumer failed and said why
                }
            }
        })
    };
    let bar = progress(profiles, "seekers");
    let mut written = 0;
    while let Some((count, rows)) = batches.recv().await {
        written += copy(tx, "users (id, email, password_hash, display_name, role)", rows.users).await?;
        written += copy(
            tx,
            "seeker_profiles (user_id, candidate_id, full_name, headline, summary, city, country, work_permit, \
             available_from, open_to_sectors, searchable, in_partner_pool)",
            rows.profiles,
        )
        .await?;
        written += copy(tx, "profile_skills (seeker_id, position, skill_id, name, level, years)", rows.skills).await?;
        written += copy(tx, "profile_languages (seeker_id, code, level)", rows.languages).await?;
        written += copy(
            tx,
            "profile_experience (seeker_id, position, title, organization, start_date, end_date, description)",
            rows.experience,
        )
        .await?;
        written +=
            copy(tx, "profile_education (seeker_id, position, degree, field, institution, year)", rows.education)
                .await?;
        written +=
            copy(tx, "profile_desired_locations (seeker_id, position, city, region, country)", rows.desired_locations)
                .await?;
        bar.inc(count);
    }
    producer.await.context("the seeker generator stopped")?;
    bar.finish();
    Ok(written)
}

async fn copy_jobs(tx: &Transaction<'_>, generator: &Generator, jobs: u64) -> anyhow::Result<u64> {
    let mut rows = JobRows::default();
    generator.organizations(&mut rows);
    for n in 0..jobs {
        generator.job(n, &mut rows);
    }
    let mut written = copy(
        tx,
        "organizations (id, name, org_number, sector, website, description, city, country, network_member_since)",
        rows.organizations,
    )
    .await?;
    written += copy(
        tx,
        "jobs (id, organization_id, title, description, city, country, remote, employment_type, sector, apply_url, \
         closes_at, status, published_at, created_by, source, external_id)",
        rows.jobs,
    )
    .await?;
    written += copy(tx, "job_skills (job_id, position, skill_id, name, required)", rows.skills).await?;
    written += copy(tx, "job_languages (job_id, code, level)", rows.languages).await?;
    Ok(written)
}

/// Streams `rows` with `COPY table (columns) FROM STDIN` and returns how many PostgreSQL took.
async fn copy(tx: &Transaction<'_>, table_and_columns: &str, rows: CopyBuffer) -> anyhow::Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let statement = format!("COPY {table_and_columns} FROM STDIN");
    let expected = rows.rows();
    let sink = tx.copy_in::<_, Bytes>(&statement).await.with_context(|| statement.clone())?;
    futures_util::pin_mut!(sink);
    sink.send(Bytes::from(rows.into_bytes())).await.with_context(|| statement.clone())?;
    let taken = sink.as_mut().finish().await.with_context(|| statement.clone())?;
    anyhow::ensure!(taken == expected, "{statement}: PostgreSQL took {taken} of {expected} rows");
    Ok(taken)
}

/// Fresh statistics, so that the planner knows the tables grew.
async fn analyze(client: &Client) -> anyhow::Result<()> {
    client
        .batch_execute(
            "ANALYZE users, seeker_profiles, profile_skills, profile_languages, profile_experience, \
             profile_education, profile_desired_locations, organizations, jobs, job_skills, job_languages",
        )
        .await?;
    Ok(())
}

/// Free-text searches synthetic profiles answer: roles, domains, and the two together.
pub fn free_text_queries() -> Vec<String> {
    let roles = words::ROLES.iter().map(|r| (*r).to_owned());
    let domains = words::DOMAINS.iter().map(|d| (*d).to_owned());
    let both =
        words::ROLES.iter().enumerate().map(|(i, r)| format!("{r} {}", words::DOMAINS[i * 7 % words::DOMAINS.len()]));
    roles.chain(domains).chain(both).collect()
}
