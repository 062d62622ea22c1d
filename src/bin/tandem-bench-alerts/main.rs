//! `tandem-bench-alerts`: times job alerts and mail on synthetic data — one new job matched against every alert
//! of two synthetic sets (today's permissive one as a stress case, and a realistic one), the daily digest the
//! realistic matches make (queued, then delivered to a local SMTP sink), and emails per second to that sink. Ends
//! with one `SUMMARY {...}` line of JSON; `scripts/bench-alerts.sh N` builds and runs it. See BENCHMARKS.md.

#[path = "../bench-common/mod.rs"]
mod bench_common;
mod sink;

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use tandem::alerts::bench::{self, AlertSet};
use tandem::config::Config;
use tandem::mail::worker::{MailWorkers, WorkerSettings};
use tandem::seed::synthetic::{self, Outcome, Spec};
use tandem::state::AppState;

use sink::Sink;

#[derive(Parser, Debug)]
#[command(name = "tandem-bench-alerts", about = "Alert matching, daily digests and SMTP throughput on synthetic data")]
struct Options {
    /// Synthetic seekers (loaded once per benchmark database), each given one daily alert.
    #[arg(long, default_value_t = 100_000)]
    profiles: u64,
    /// The benchmark database; by default `tandem_alertbench_<profiles>` on the local server, created if missing.
    /// Its name must contain "alertbench": the benchmark deletes every alert, match and outbox mail in it.
    #[arg(long, env = "ALERT_BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Published jobs matched one at a time against the realistic set (each a "new job"); their matches are
    /// recorded and make the digest.
    #[arg(long, default_value_t = 2_500)]
    jobs: i64,
    /// Published jobs matched one at a time against the stress set (not recorded).
    #[arg(long, default_value_t = 500)]
    stress_jobs: i64,
    /// Skip the daily digest (e.g. when only matching latency is wanted).
    #[arg(long)]
    skip_digest: bool,
    /// Mailer workers delivering the digest; by default `MAIL_WORKERS`'s default, as a deployment runs them.
    #[arg(long)]
    mail_workers: Option<usize>,
    /// Realistic digests rendered, queued and delivered by the mailer with default settings for the mails/s
    /// figure (`mail::bench::time_delivery`); 0 skips it.
    #[arg(long, default_value_t = 20_000)]
    delivery_mails: usize,
    /// Messages sent each way (pooled, unpooled) in the SMTP throughput comparison; 0 skips it.
    #[arg(long, default_value_t = 0)]
    pooling_messages: usize,
    /// Messages in flight at once in the comparison (the pool's size when pooled).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

/// The figures of the last line, for scripts and BENCHMARKS.md.
#[derive(serde::Serialize)]
struct Summary {
    seekers: u64,
    fanout_p99_ms_realistic: f64,
    fanout_p99_ms_stress: f64,
    digest_seconds: Option<f64>,
    mails_per_second: Option<f64>,
    peak_rss_mib: Option<f64>,
}

fn main() -> std::process::ExitCode {
    bench_common::run_main(run(Options::parse()))
}

async fn run(options: Options) -> anyhow::Result<()> {
    let load_at_start = bench_common::load_average();
    let url = bench_common::database_url(
        options.database_url.as_deref(),
        &format!("tandem_alertbench_{}", options.profiles),
        "alertbench",
    )?;
    let sink = Sink::start().await.context("starting the SMTP sink")?;
    let config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "SMTP_URL" => Some(sink.url()),
        "PUBLIC_BASE_URL" => Some("https://tandem.example".to_owned()),
        "JWT_SECRET" => Some("alert-benchmark-secret-alert-benchmark".to_owned()),
        _ => None,
    })?;
    eprintln!("preparing {} (created if missing, migrations, taxonomy)", tandem::db::redact(&url));
    let state = AppState::connect(config).await?;
    load(&url, options.profiles).await?;
    {
        let mut conn = state.pool.get().await?;
        // A fresh start for every run: matches recorded and mail queued by an earlier run would change what is timed.
        conn.batch_execute("DELETE FROM mail_outbox; DELETE FROM mail_bounces").await?;
    }

    println!("## Alerts and mail: {} synthetic seekers, one daily alert each", options.profiles);
    println!();
    let stress = fanout(&state, AlertSet::Stress, options.stress_jobs, false).await?;
    let realistic = fanout(&state, AlertSet::Realistic, options.jobs, !options.skip_digest).await?;
    let mut summary = Summary {
        seekers: options.profiles,
        fanout_p99_ms_realistic: realistic.quantile(0.99).as_secs_f64() * 1000.0,
        fanout_p99_ms_stress: stress.quantile(0.99).as_secs_f64() * 1000.0,
        digest_seconds: None,
        mails_per_second: None,
        peak_rss_mib: None,
    };
    if !options.skip_digest {
        let delivered = digest(&state, &options, &sink).await?;
        summary.digest_seconds = Some(delivered.seconds);
        summary.mails_per_second = Some(delivered.mails_per_second);
    }
    if options.delivery_mails > 0 {
        // After the digest every queued mail is sent, so the mailer takes only these.
        summary.mails_per_second = Some(delivery(&state, options.delivery_mails).await?);
    }
    if options.pooling_messages > 0 {
        pooling(&state, &options, &sink).await?;
    }
    summary.peak_rss_mib = peak_rss_mib();
    println!();
    println!(
        "Machine: {}; load average {load_at_start:.1} at the start, {:.1} at the end",
        machine(),
        bench_common::load_average()
    );
    println!("SUMMARY {}", serde_json::to_string(&summary)?);
    Ok(())
}

/// Gives every seeker one alert of `set` (replacing the last set's) and times matching `jobs` new jobs against them.
async fn fanout(state: &AppState, set: AlertSet, jobs: i64, record: bool) -> anyhow::Result<bench::MatchTimings> {
    let mut conn = state.pool.get().await?;
    // Seeding a million alerts takes longer than the pool's statement timeout allows a request.
    conn.batch_execute("SET statement_timeout = 0").await?;
    let started = Instant::now();
    bench::clear_alerts(&mut conn).await?;
    let seeded = bench::seed_alerts(&mut conn, set).await?;
    eprintln!(
        "{} set: {} saved searches and {} profile-only matches seeded in {:.1} s",
        set.name(),
        seeded.saved_searches,
        seeded.profile_matches,
        started.elapsed().as_secs_f64()
    );
    conn.batch_execute("RESET statement_timeout").await?;
    drop(conn);
    let timings = bench::time_matching(&state.pool, jobs, record).await?;
    println!("Matching one new job at a time, {} set: {}", set.name(), bench::summary(&timings));
    Ok(timings)
}

/// Peak resident memory of this process so far (`VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Loads the synthetic seekers and jobs unless this database already holds them.
async fn load(url: &str, profiles: u64) -> anyhow::Result<()> {
    match synthetic::load(url, Spec::new(profiles)).await? {
        Outcome::AlreadyLoaded { profiles } => eprintln!("{profiles} synthetic seekers already loaded"),
        Outcome::Loaded(loaded) => eprintln!(
            "loaded {} seekers and {} jobs in {:.1} s ({:.0} seekers/s)",
            loaded.profiles,
            loaded.jobs,
            loaded.elapsed.as_secs_f64(),
            loaded.profiles_per_second()
        ),
    }
    Ok(())
}

/// Queues the daily digest of every pending match, then delivers it to the sink and waits until every mail is sent.
/// How the digest went.
struct Delivered {
    /// Queued and delivered.
    seconds: f64,
    mails_per_second: f64,
}

async fn digest(state: &AppState, options: &Options, sink: &Sink) -> anyhow::Result<Delivered> {
    let mut conn = state.pool.get().await?;
    // Millions of matches were just written in one go; without fresh statistics the planner picks plans for an
    // empty table (autovacuum would analyze it soon after such a load in production too).
    conn.batch_execute("ANALYZE alert_matches").await?;
    let audience = bench::seekers_with_pending(&mut conn).await?;
    let (queued_in, report) = bench::time_digest(&state.pool, &tandem::alerts::mailer(state)).await?;
    println!(
        "Daily digest queued: {} mails to {audience} seekers listing {} jobs in {:.1} s",
        report.mails,
        report.jobs,
        queued_in.as_secs_f64()
    );
    let before = sink.accepted();
    let mail_workers = options.mail_workers.unwrap_or(state.config.mail_workers);
    let started = Instant::now();
    let workers = MailWorkers::start_with(state.pool.clone(), &state.config, mail_workers, WorkerSettings::default())?;
    let mut progressed = (0, Instant::now());
    loop {
        let pending = count(&mut conn, "SELECT count(*) AS n FROM mail_outbox WHERE status = 'pending'").await?;
        if pending == 0 {
            break;
        }
        if pending != progressed.0 {
            progressed = (pending, Instant::now());
        }
        anyhow::ensure!(progressed.1.elapsed() < Duration::from_secs(60), "delivery stalled with {pending} left");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivered_in = started.elapsed();
    workers.shutdown().await;
    let failed = count(&mut conn, "SELECT count(*) AS n FROM mail_outbox WHERE status <> 'sent'").await?;
    let accepted = sink.accepted() - before;
    println!(
        "Daily digest delivered to the benchmark's SMTP sink by {} mailer workers: {accepted} mails in {:.1} s \
         ({:.0}/s), {failed} not sent; queued and delivered in {:.1} s",
        mail_workers,
        delivered_in.as_secs_f64(),
        accepted as f64 / delivered_in.as_secs_f64().max(1e-9),
        (queued_in + delivered_in).as_secs_f64()
    );
    Ok(Delivered {
        seconds: (queued_in + delivered_in).as_secs_f64(),
        mails_per_second: accepted as f64 / delivered_in.as_secs_f64().max(1e-9),
    })
}

/// Mails per second through the mailer with default settings, rendering included.
async fn delivery(state: &AppState, mails: usize) -> anyhow::Result<f64> {
    let timing = tandem::mail::bench::time_delivery(&state.pool, &state.config, mails).await?;
    println!(
        "Mail: {} realistic digests rendered, queued and delivered to the sink by {} workers x {} sends: {:.0} \
         mails/s ({:.1} s; queued in {:.1} s)",
        timing.mails,
        timing.workers,
        timing.concurrency,
        timing.per_second(),
        timing.total.as_secs_f64(),
        timing.queued.as_secs_f64()
    );
    Ok(timing.per_second())
}

/// The same notices through our SMTP pool and through a connection per message.
async fn pooling(state: &AppState, options: &Options, sink: &Sink) -> anyhow::Result<()> {
    let comparison = tandem::mail::bench::compare_pooling(
        &sink.url(),
        &state.config.mail_from,
        "bench@synthetic.invalid",
        options.pooling_messages,
        options.concurrency,
    )
    .await?;
    println!(
        "SMTP to the benchmark's sink, {} messages each way, {} at a time: pooled {:.0}/s ({:.1} s), unpooled {:.0}/s \
         ({:.1} s)",
        comparison.messages,
        options.concurrency,
        comparison.pooled_per_second(),
        comparison.pooled.as_secs_f64(),
        comparison.unpooled_per_second(),
        comparison.unpooled.as_secs_f64()
    );
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count(conn: &mut diesel_async::AsyncPgConnection, sql: &str) -> anyhow::Result<i64> {
    Ok(diesel::sql_query(sql).get_result::<Count>(conn).await?.n)
}

fn machine() -> String {
    format!("{} CPUs, {}", bench_common::cpus(), bench_common::cpu_model())
}
