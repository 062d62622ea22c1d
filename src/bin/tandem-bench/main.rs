//! `tandem-bench`: loads the same synthetic profiles and jobs into the tantivy index and into PostgreSQL full-text
//! search, runs the same queries on both by class (a rare skill, a common skill, three skills, free text, a skill
//! with country and language filters, job text, job skills), measures how fast a change becomes searchable with
//! the real indexer, and reports latency percentiles, build rates and sizes: a Markdown report, then one JSON
//! summary line. See BENCHMARKS.md for how to run it.

#[path = "../bench-common/mod.rs"]
mod bench_common;
mod engine;
mod freshness;
mod pg;
mod queries;
mod report;
mod stats;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde::Serialize;
use tandem::search::SearchIndex;
use tokio_postgres::{Client, NoTls};

use engine::Mode;
use queries::{Class, Query, QuerySet, Target};
use stats::Latency;
use tandem::seed::synthetic::{self, Outcome, Spec};

#[derive(Parser, Debug)]
#[command(name = "tandem-bench", about = "Tantivy against PostgreSQL full-text search on synthetic profiles")]
struct Options {
    /// Synthetic seeker profiles (loaded once per benchmark database), with one job per twenty.
    #[arg(long, default_value_t = 100_000)]
    profiles: u64,
    /// The benchmark database; by default `tandem_bench_<profiles>` on the local server. Its name must contain
    /// "bench", so that a development database is never used.
    #[arg(long, env = "BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Where the tantivy index is built; by default `target/bench/index-<profiles>`.
    #[arg(long)]
    index_dir: Option<PathBuf>,
    /// Measured queries per class and engine.
    #[arg(long, default_value_t = 1_000)]
    iterations: usize,
    /// Unmeasured queries per class and engine first.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// Stop warming up or timing one class on one engine after this many seconds, even short of the count (the report
    /// gives the number of samples): PostgreSQL's slowest classes take a second a query at a million profiles.
    #[arg(long)]
    budget_seconds: Option<u64>,
    /// Keep the index and the PostgreSQL tables that an earlier run built for this many profiles, and time the
    /// queries only (the report then has no build figures).
    #[arg(long, conflicts_with = "reindex")]
    reuse: bool,
    /// Keep the loaded database and the PostgreSQL tables of an earlier run, but rebuild the tantivy index (after
    /// an engine change).
    #[arg(long)]
    reindex: bool,
    /// Profile changes timed from commit to searchable with the real indexer (0: skip).
    #[arg(long, default_value_t = 200)]
    freshness_changes: usize,
    /// Only write the HTTP benchmark's request paths (`class<TAB>path` lines) to this file and exit; the database
    /// must be loaded. Used by scripts/bench-http.sh.
    #[arg(long)]
    write_paths: Option<PathBuf>,
    /// Also write the whole report as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Machine {
    cpus: usize,
    cpu_model: String,
    memory_gib: f64,
    postgres: String,
    /// 1-minute load average when the run started and when it ended: other work on the machine skews figures.
    load_average: (f64, f64),
}

#[derive(Debug, Serialize)]
struct ClassResult {
    class: Class,
    distinct_queries: usize,
    /// The whole search as the API runs it: top 20, total, stored fields, explanations.
    tantivy: Latency,
    /// Ranking alone (top 20 scores and addresses), the work the PostgreSQL query does; candidates only.
    tantivy_ranking: Option<Latency>,
    postgres: Latency,
    /// PostgreSQL's latency over the whole tantivy search's: how many times faster tantivy is.
    ratio_p50: f64,
    ratio_p99: f64,
    /// Mean hits returned per query (at most 20), tantivy then PostgreSQL: both should find something.
    mean_hits: (f64, f64),
}

#[derive(Debug, Serialize)]
struct Report {
    profiles: u64,
    jobs: u64,
    machine: Machine,
    /// Seekers a second written by `seed --synthetic`, if this run loaded them.
    load_profiles_per_second: Option<f64>,
    tantivy: Option<engine::IndexBuild>,
    /// The index searched, on disk (also when it was reused).
    index_bytes: u64,
    postgres: Option<pg::PgBuild>,
    iterations: usize,
    warmup: usize,
    rare_skill_ceiling: i64,
    common_skill_floor: i64,
    classes: Vec<ClassResult>,
    freshness: Option<freshness::Freshness>,
}

fn main() -> std::process::ExitCode {
    bench_common::run_main(run(Options::parse()))
}

async fn run(options: Options) -> anyhow::Result<()> {
    let load_at_start = bench_common::load_average();
    let url = bench_common::database_url(
        options.database_url.as_deref(),
        &format!("tandem_bench_{}", options.profiles),
        "bench",
    )?;
    let index_dir =
        options.index_dir.clone().unwrap_or_else(|| PathBuf::from(format!("target/bench/index-{}", options.profiles)));
    if let Some(path) = &options.write_paths {
        let client = connect(&url).await?;
        QuerySet::build(&client, options.profiles).await?.write_paths(path)?;
        eprintln!("wrote the HTTP request paths to {}", path.display());
        return Ok(());
    }

    let load_profiles_per_second = prepare_database(&url, &index_dir, options.profiles).await?;
    let (index, tantivy_build, index_bytes) = prepare_index(&url, &index_dir, options.reuse).await?;
    let client = connect(&url).await?;
    let postgres_build = prepare_postgres(&client, options.reuse || options.reindex).await?;

    let queries = QuerySet::build(&client, options.profiles).await?;
    let pg_search = pg::PgSearch::prepare(&client).await?;
    let budget = options.budget_seconds.map(Duration::from_secs);
    let mut classes = Vec::new();
    for class in Class::ALL {
        classes.push(time_class(&index, &client, &pg_search, &queries, class, &options, budget).await?);
    }
    drop(index);

    let freshness = if options.freshness_changes > 0 {
        let measured = freshness::measure(&url, &index_dir, options.freshness_changes).await?;
        eprintln!("freshness: p50 {:.1} ms, p99 {:.1} ms", measured.latency.p50_ms, measured.latency.p99_ms);
        Some(measured)
    } else {
        None
    };

    let report = Report {
        profiles: options.profiles,
        jobs: Spec::new(options.profiles).jobs(),
        machine: machine(&client, load_at_start).await?,
        load_profiles_per_second,
        tantivy: tantivy_build,
        index_bytes,
        postgres: postgres_build,
        iterations: options.iterations,
        warmup: options.warmup,
        rare_skill_ceiling: queries.rare_ceiling,
        common_skill_floor: queries.common_floor,
        classes,
        freshness,
    };
    report::print_report(&report);
    report::print_summary_line(&report)?;
    if let Some(path) = &options.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?).with_context(|| path.display().to_string())?;
    }
    Ok(())
}

/// Migrates the database, loads the taxonomy and the synthetic data if missing; returns the load rate if it
/// loaded.
async fn prepare_database(url: &str, index_dir: &Path, profiles: u64) -> anyhow::Result<Option<f64>> {
    eprintln!("preparing {} (migrations, taxonomy)", tandem::db::redact(url));
    let config = tandem::config::Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.to_owned()),
        "INDEX_DIR" => Some(index_dir.display().to_string()),
        _ => None,
    })?;
    tandem::state::AppState::connect(config).await?;
    Ok(match synthetic::load(url, Spec::new(profiles)).await? {
        Outcome::AlreadyLoaded { profiles } => {
            eprintln!("{profiles} synthetic seekers already loaded");
            None
        }
        Outcome::Loaded(loaded) => {
            eprintln!(
                "loaded {} seekers, {} jobs, {} rows in {:.1} s ({:.0} seekers/s)",
                loaded.profiles,
                loaded.jobs,
                loaded.rows,
                loaded.elapsed.as_secs_f64(),
                loaded.profiles_per_second()
            );
            Some(loaded.profiles_per_second())
        }
    })
}

/// The index an earlier run built (with `reuse`), or a fresh rebuild; with the rebuild's figures and the size.
async fn prepare_index(
    url: &str,
    index_dir: &Path,
    reuse: bool,
) -> anyhow::Result<(SearchIndex, Option<engine::IndexBuild>, u64)> {
    if reuse {
        if let Some((index, bytes)) = engine::open_existing(url, index_dir).await? {
            return Ok((index, None, bytes));
        }
    }
    eprintln!("building the tantivy index in {}", index_dir.display());
    let (index, build) = engine::build(url, index_dir).await?;
    eprintln!("{build:?}");
    let bytes = build.bytes;
    Ok((index, Some(build), bytes))
}

/// The full-text tables an earlier run built (completed if an older benchmark made them), or fresh ones.
async fn prepare_postgres(client: &Client, keep: bool) -> anyhow::Result<Option<pg::PgBuild>> {
    match pg::state(client).await? {
        pg::State::Current if keep => Ok(None),
        pg::State::Partial if keep => {
            eprintln!("adding the filter columns and the job table to the PostgreSQL full-text tables");
            pg::complete(client).await?;
            Ok(None)
        }
        _ => {
            eprintln!("building the PostgreSQL full-text tables and their GIN indexes");
            let build = pg::build(client).await?;
            eprintln!("{build:?}");
            Ok(Some(build))
        }
    }
}

/// Warms up and times one class on both engines, the same queries in the same order.
async fn time_class(
    index: &SearchIndex,
    client: &Client,
    pg_search: &pg::PgSearch,
    queries: &QuerySet,
    class: Class,
    options: &Options,
    budget: Option<Duration>,
) -> anyhow::Result<ClassResult> {
    let warm = queries.draw(class, options.warmup, 1);
    let measured = queries.draw(class, options.iterations, 2);
    let distinct = queries.of(class).map_or(0, |l| l.queries.len());
    engine::time(index, class, warm.clone(), Mode::Full, budget).await?;
    let (tantivy, tantivy_hits) = engine::time(index, class, measured.clone(), Mode::Full, budget).await?;
    let tantivy_ranking = match class.target() {
        Target::Candidates => Some(engine::time(index, class, measured.clone(), Mode::Ranking, budget).await?.0),
        Target::Jobs => None,
    };
    time_postgres(client, pg_search, class, &warm, budget).await?;
    let (postgres, postgres_hits) = time_postgres(client, pg_search, class, &measured, budget).await?;
    eprintln!(
        "{}: tantivy p50 {:.3} ms, postgres p50 {:.3} ms ({distinct} distinct queries)",
        class.label(),
        tantivy.p50_ms,
        postgres.p50_ms
    );
    Ok(ClassResult {
        class,
        distinct_queries: distinct,
        ratio_p50: postgres.p50_ms / tantivy.p50_ms.max(1e-9),
        ratio_p99: postgres.p99_ms / tantivy.p99_ms.max(1e-9),
        tantivy,
        tantivy_ranking,
        postgres,
        mean_hits: (tantivy_hits, postgres_hits),
    })
}

async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("benchmark connection: {e}");
        }
    });
    Ok(client)
}

/// Runs `queries` one after another, timing each round trip; returns the latencies and the mean rows returned.
async fn time_postgres(
    client: &Client,
    search: &pg::PgSearch,
    class: Class,
    queries: &[Query],
    budget: Option<Duration>,
) -> anyhow::Result<(Latency, f64)> {
    let mut samples = Vec::with_capacity(queries.len());
    let mut hits = 0;
    let began = Instant::now();
    for query in queries {
        if budget.is_some_and(|b| began.elapsed() > b) {
            break;
        }
        let started = Instant::now();
        hits += search.run(client, class, query).await?;
        samples.push(started.elapsed());
    }
    let count = samples.len().max(1) as f64;
    Ok((Latency::of(samples), hits as f64 / count))
}

async fn machine(client: &Client, load_at_start: f64) -> anyhow::Result<Machine> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kib: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    let postgres: String = client.query_one("SHOW server_version", &[]).await?.get(0);
    Ok(Machine {
        cpus: bench_common::cpus(),
        cpu_model: bench_common::cpu_model(),
        memory_gib: memory_kib / 1024.0 / 1024.0,
        postgres,
        load_average: (load_at_start, bench_common::load_average()),
    })
}

/// Bytes under `dir`, counted file by file.
pub fn directory_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => directory_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
