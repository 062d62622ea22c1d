//! `seed --synthetic N`: deterministic synthetic seekers and jobs for load tests and benchmarks, bulk-loaded with
//! COPY through the owning features' loaders (`auth::bulk`, `seekers::bulk`, `orgs::bulk`, `jobs::bulk`), which
//! alone know their tables and columns. This module keeps the generator, the parallel connections (one
//! transaction each), what is committed or cleaned up, and the progress bars.
//!
//! The same N and seed give the same data for the same taxonomy. Synthetic seekers are searchable but cannot log
//! in: they share one Argon2 hash of a random secret that is thrown away. Their emails end in
//! `@synthetic.invalid`, which is how a second run finds them. No index outbox rows are written: `seed` rebuilds
//! the search index afterwards (as `tandem reindex` does), and `load` leaves that to its caller.

mod generate;
mod popularity;
mod words;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::future::try_join_all;
use indicatif::{ProgressBar, ProgressStyle};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::{mpsc, Mutex};
use tokio_postgres::{Client, NoTls, Transaction};

pub use generate::{synthetic_id, Kind, EMAIL_DOMAIN};

use crate::{auth, jobs, orgs, seekers};
use generate::{Generator, JobRows, SeekerRows};
use popularity::{SkillPicker, TaxonomySkill};

/// The seed `seed --synthetic` uses: fixed, so that every run and every machine loads the same data.
pub const DEFAULT_SEED: u64 = 20_261_101;

/// One synthetic job for this many seekers.
pub const SEEKERS_PER_JOB: u64 = 20;

/// Connections copying at once: each COPY keeps one PostgreSQL backend busy, while generating costs little.
const CONNECTIONS: usize = 2;

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
    let client = connect(database_url).await?;
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
    let mut clients = vec![client];
    for _ in 1..CONNECTIONS {
        clients.push(connect(database_url).await?);
    }
    let mut transactions = Vec::with_capacity(CONNECTIONS);
    for client in &mut clients {
        transactions.push(client.transaction().await?);
    }
    let mut fk_checks_skipped = true;
    for tx in &transactions {
        fk_checks_skipped &= relax_checks(tx).await?;
    }
    let mut rows = copy_seekers(&transactions, &generator, spec.profiles).await?;
    rows += copy_jobs(&transactions[0], &generator, spec.jobs()).await?;
    commit_all(transactions, database_url, spec.seed).await?;
    let elapsed = started.elapsed();
    analyze(&clients[0]).await?;
    Ok(Outcome::Loaded(Loaded { profiles: spec.profiles, jobs: spec.jobs(), rows, elapsed, fk_checks_skipped }))
}

/// `seed --synthetic N`: loads, or says why not, and tells what to do next.
pub async fn seed(state: &crate::state::AppState, profiles: u64) -> anyhow::Result<()> {
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
            println!("synthetic accounts cannot log in.");
            index(state).await;
        }
    }
    Ok(())
}

/// Rebuilds the search index so that the new seekers can be found; on failure, says how to do it by hand.
async fn index(state: &crate::state::AppState) {
    let (url, dir) = (state.config.database_url.clone(), state.config.index_dir.clone());
    let bar = progress(0, "documents indexed");
    let shown = bar.clone();
    let rebuilt = tokio::task::spawn_blocking(move || {
        crate::search::rebuild::reindex(&url, &dir, &mut |done, total| {
            shown.set_length(total);
            shown.set_position(done);
        })
    })
    .await;
    bar.finish();
    match rebuilt {
        Ok(Ok(done)) => println!(
            "indexed {} candidates and {} jobs in {:.1} s",
            done.rebuilt.candidates,
            done.rebuilt.jobs,
            done.rebuilt.elapsed.as_secs_f64()
        ),
        Ok(Err(e)) => println!("the search index was not rebuilt ({e:#}): run `tandem reindex`"),
        Err(e) => println!("the search index was not rebuilt ({e}): run `tandem reindex`"),
    }
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
    Ok(auth::bulk::count_at_domain(client, EMAIL_DOMAIN).await?)
}

async fn taxonomy(client: &Client) -> anyhow::Result<Vec<TaxonomySkill>> {
    let skills = crate::taxonomy::bulk::every_skill(client).await?;
    Ok(skills.into_iter().map(|s| TaxonomySkill { id: s.id, source: s.source, label: s.label }).collect())
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

/// Generates seekers on a blocking thread while the connections stream earlier batches into PostgreSQL.
async fn copy_seekers(
    transactions: &[Transaction<'_>],
    generator: &Arc<Generator>,
    profiles: u64,
) -> anyhow::Result<u64> {
    let (sender, batches) = mpsc::channel::<(u64, SeekerRows)>(transactions.len() + 1);
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
                    return; // a connection failed and said why
                }
            }
        })
    };
    let batches = Mutex::new(batches);
    let bar = progress(profiles, "seekers");
    let written = try_join_all(transactions.iter().map(|tx| copy_batches(tx, &batches, &bar))).await?;
    producer.await.context("the seeker generator stopped")?;
    bar.finish();
    Ok(written.iter().sum())
}

/// Takes batches until there are none left.
async fn copy_batches(
    tx: &Transaction<'_>,
    batches: &Mutex<mpsc::Receiver<(u64, SeekerRows)>>,
    bar: &ProgressBar,
) -> anyhow::Result<u64> {
    let mut written = 0;
    loop {
        let next = batches.lock().await.recv().await;
        let Some((count, rows)) = next else { return Ok(written) };
        // Accounts first: with foreign-key checks on, profiles must find theirs.
        written += rows.users.copy(tx).await?;
        written += rows.profiles.copy(tx).await?;
        bar.inc(count);
    }
}

/// Commits each connection's share. A failure before the first commit leaves nothing; one between two commits
/// (a lost connection) would leave part of the data, which is then deleted again.
async fn commit_all(transactions: Vec<Transaction<'_>>, database_url: &str, seed: u64) -> anyhow::Result<()> {
    for (committed, tx) in transactions.into_iter().enumerate() {
        if let Err(e) = tx.commit().await {
            if committed > 0 {
                if let Err(cleanup) = remove_synthetic(database_url, seed).await {
                    tracing::error!("could not remove partly committed synthetic data: {cleanup:#}");
                }
            }
            return Err(e).context("committing the synthetic data");
        }
    }
    Ok(())
}

/// Deletes synthetic seekers, organisations and (through them) jobs; foreign keys cascade to the rest.
async fn remove_synthetic(database_url: &str, seed: u64) -> anyhow::Result<()> {
    let client = connect(database_url).await?;
    auth::bulk::delete_at_domain(&client, EMAIL_DOMAIN).await?;
    let first = synthetic_id(Kind::Organization, seed, 0);
    let last = synthetic_id(Kind::Organization, seed, u32::MAX.into());
    orgs::bulk::delete_id_range(&client, first, last).await?;
    Ok(())
}

async fn copy_jobs(tx: &Transaction<'_>, generator: &Generator, jobs: u64) -> anyhow::Result<u64> {
    let mut rows = JobRows::default();
    generator.organizations(&mut rows);
    for n in 0..jobs {
        generator.job(n, &mut rows);
    }
    // Organisations first: with foreign-key checks on, jobs must find theirs.
    let written = rows.organizations.copy(tx).await?;
    Ok(written + rows.jobs.copy(tx).await?)
}

/// Fresh statistics, so that the planner knows the tables grew.
async fn analyze(client: &Client) -> anyhow::Result<()> {
    auth::bulk::analyze(client).await?;
    seekers::bulk::analyze(client).await?;
    orgs::bulk::analyze(client).await?;
    jobs::bulk::analyze(client).await?;
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
