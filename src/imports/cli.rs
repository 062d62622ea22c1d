//! `tandem import`: reads the file (or the JobStream), imports it with a progress bar, and prints a summary.

use std::time::Instant;

use super::model::{Format, ImportSummary};
use super::run::Importer;
use super::stream;
use crate::cli::ImportCommand;
use crate::config::Config;
use crate::db::StoreError;
use crate::state::AppState;

/// Where the JobStream is when `JOBSTREAM_URL` is not set.
pub const DEFAULT_JOBSTREAM_URL: &str = "https://jobstream.api.jobtechdev.se";
/// Skipped ads listed one by one in the summary; the rest are counted.
const SKIPPED_SHOWN: usize = 20;

pub async fn run(config: Config, command: ImportCommand) -> anyhow::Result<()> {
    let state = AppState::connect(config).await?;
    let importer = {
        let mut conn = state.pool.get().await.map_err(StoreError::from)?;
        Importer::load(&mut conn).await?
    };
    let bar = progress_bar();
    let progress = |written: usize| bar.set_position(written as u64);
    let started = Instant::now();
    let (what, summary) = match command {
        ImportCommand::Jobposting { file } => {
            let input = std::fs::read(&file)?;
            (file.display().to_string(), importer.import(&state.pool, Format::Jobposting, input, progress).await?)
        }
        ImportCommand::Jobtech(args) if args.stream => {
            let url = std::env::var("JOBSTREAM_URL").unwrap_or_else(|_| DEFAULT_JOBSTREAM_URL.to_owned());
            let run = stream::follow(&state.pool, &importer, &url, args.since, progress).await?;
            (format!("the JobStream at {url} since {}", run.since.to_rfc3339()), run.summary)
        }
        ImportCommand::Jobtech(args) => {
            let file = args.file.ok_or_else(|| anyhow::anyhow!("give --file or --stream"))?;
            let input = std::fs::read(&file)?;
            (file.display().to_string(), importer.import(&state.pool, Format::Jobtech, input, progress).await?)
        }
    };
    bar.finish_and_clear();
    print_summary(&what, &summary, started.elapsed().as_secs_f64());
    Ok(())
}

fn progress_bar() -> indicatif::ProgressBar {
    indicatif::ProgressBar::new_spinner().with_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} ads imported ({per_sec}, {elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    )
}

fn print_summary(what: &str, s: &ImportSummary, seconds: f64) {
    let ads = s.ads();
    println!("imported {ads} ads from {what} in {seconds:.1} s ({:.0} ads/s)", ads as f64 / seconds.max(1e-9));
    println!(
        "  new {}, updated {}, unchanged {}, withdrawn {}, merged {}, skipped {}; skills found {}",
        s.new,
        s.updated,
        s.unchanged,
        s.withdrawn,
        s.merged,
        s.skipped.len(),
        s.skills_found
    );
    for skipped in s.skipped.iter().take(SKIPPED_SHOWN) {
        println!("  skipped ad {}: {}", skipped.position, skipped.reason);
    }
    if s.skipped.len() > SKIPPED_SHOWN {
        println!("  … and {} more skipped", s.skipped.len() - SKIPPED_SHOWN);
    }
}
