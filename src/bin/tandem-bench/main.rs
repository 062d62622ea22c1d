//! `tandem-bench`: loads the same synthetic profiles into the tantivy index and into PostgreSQL full-text search,
//! runs the same queries on both by class (a rare skill, a common skill, three skills, free text) and reports
//! latency percentiles, build rates and sizes. See BENCHMARKS.md for how to run it and what it found.

#[path = "../bench-common/mod.rs"]
mod bench_common;
mod engine;
mod pg;
mod queries;
mod report;
mod stats;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde::Serialize;
use tokio_postgres::{Client, NoTls};

use engine::Mode;
use queries::{Class, Query, QuerySet};
use stats::Latency;
use tandem::seed::synthetic::{self, Outcome, Spec};

#[derive(Parser, Debug)]
#[command(name = "tandem-bench", about = "Tantivy against PostgreSQL full-text search on synthetic profiles")]
struct Options {
    /// Synthetic seeker profiles (loaded once per benchmark database).
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
    /// Keep the index and the PostgreSQL table that an earlier run built for this many profiles, and time the
    /// queries only (the report then has no build figures).
    #[arg(long)]
    reuse: bool,
    /// Also write the results as JSON here.
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
    /// The whole candidate search as the API runs it: top 20, total, stored fields, explanations.
    tantivy: Latency,
    /// Ranking alone (top 20 scores and addresses), the work the PostgreSQL query does.
    tantivy_ranking: Latency,
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
    machine: Machine,
    /// Seekers a second written by `seed --synthetic`, if this run loaded them.
    load_profiles_per_second: Option<f64>,
    tantivy: Option<engine::IndexBuild>,
    postgres: Option<pg::PgBuild>,
    iterations: usize,
    warmup: usize,
    rare_skill_ceiling: i64,
    classes: Vec<ClassResult>,
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

    eprintln!("preparing {} (migrations, taxonomy)", tandem::db::redact(&url));
    let config = tandem::config::Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "INDEX_DIR" => Some(index_dir.display().to_string()),
        _ => None,
    })?;
    tandem::state::AppState::connect(config).await?;

    let load_profiles_per_second = match synthetic::load(&url, Spec::new(options.profiles)).await? {
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
    };

    let (index, tantivy_build) = match engine::open_existing(&index_dir)? {
        Some(index) if options.reuse => (index, None),
        _ => {
            eprintln!("building the tantivy index in {}", index_dir.display());
            let (index, build) = engine::build(&url, &index_dir).await?;
            eprintln!("{build:?}");
            (index, Some(build))
        }
    };

    let client = connect(&url).await?;
    let postgres_build = if options.reuse && pg::exists(&client).await? {
        None
    } else {
        eprintln!("building the PostgreSQL full-text table and its GIN index");
        let build = pg::build(&client).await?;
        eprintln!("{build:?}");
        Some(build)
    };

    let queries = QuerySet::build(&client, options.profiles).await?;
    let pg_search = pg::PgSearch::prepare(&client).await?;
    let budget = options.budget_seconds.map(Duration::from_secs);
    let mut classes = Vec::new();
    for class in Class::ALL {
        let warmup = queries.draw(class, options.warmup, 1);
        let measured: Vec<Query> = queries.draw(class, options.iterations, 2).into_iter().cloned().collect();
        let distinct = queries.lists.iter().find(|(c, _)| *c == class).map_or(0, |(_, l)| l.len());
        let warm: Vec<Query> = warmup.into_iter().cloned().collect();
        engine::time(&index, warm.clone(), Mode::Full, budget).await?;
        let (tantivy, tantivy_hits) = engine::time(&index, measured.clone(), Mode::Full, budget).await?;
        let (tantivy_ranking, _) = engine::time(&index, measured.clone(), Mode::Ranking, budget).await?;
        time_postgres(&client, &pg_search, &warm, budget).await?;
        let (postgres, postgres_hits) = time_postgres(&client, &pg_search, &measured, budget).await?;
        eprintln!(
            "{}: tantivy p50 {:.3} ms (ranking {:.3} ms), postgres p50 {:.3} ms",
            class.label(),
            tantivy.p50_ms,
            tantivy_ranking.p50_ms,
            postgres.p50_ms
        );
        classes.push(ClassResult {
            class,
            distinct_queries: distinct,
            ratio_p50: postgres.p50_ms / tantivy.p50_ms.max(1e-9),
            ratio_p99: postgres.p99_ms / tantivy.p99_ms.max(1e-9),
            tantivy,
            tantivy_ranking,
            postgres,
            mean_hits: (tantivy_hits, postgres_hits),
        });
    }

    let report = Report {
        profiles: options.profiles,
        machine: machine(&client, load_at_start).await?,
        load_profiles_per_second,
        tantivy: tantivy_build,
        postgres: postgres_build,
        iterations: options.iterations,
        warmup: options.warmup,
        rare_skill_ceiling: queries.rare_ceiling,
        classes,
    };
    report::print_report(&report);
    if let Some(path) = &options.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?).with_context(|| path.display().to_string())?;
    }
    Ok(())
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
        hits += search.run(client, query).await?;
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
