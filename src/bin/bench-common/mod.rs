//! What the benchmark binaries share: starting up, guarding the database they may write to, and describing the
//! machine the figures come from. Included by each binary with `#[path]` (a folder without `main.rs` is no binary).

use std::future::Future;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

/// Runs a benchmark on a fresh runtime, logs (warnings and up) to stderr so that stdout holds only the report.
pub fn run_main(benchmark: impl Future<Output = anyhow::Result<()>>) -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(benchmark) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The database URL to benchmark on: `given`, or `default_name` on the local server. Its database name must contain
/// `marker`, so that a development database is never filled or emptied by mistake.
pub fn database_url(given: Option<&str>, default_name: &str, marker: &str) -> anyhow::Result<String> {
    let url = given.map_or_else(|| format!("postgres://postgres@127.0.0.1:5432/{default_name}"), str::to_owned);
    let database = url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default();
    anyhow::ensure!(
        database.contains(marker),
        "the benchmark database's name must contain \"{marker}\" (got {database:?})"
    );
    Ok(url)
}

/// The 1-minute load average: other work on the machine skews figures.
pub fn load_average() -> f64 {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().and_then(|l| l.parse().ok()).unwrap_or(0.0)
}

/// The CPU model as /proc/cpuinfo names it.
pub fn cpu_model() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, m)| m.trim()))
        .unwrap_or("unknown CPU")
        .to_owned()
}

pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}
