//! The command line: `serve`, `migrate`, `reindex`, `seed`, `admin create`; each documents itself with `--help`.

use clap::{Args, Parser, Subcommand};

use crate::app::Application;
use crate::config::Config;
use crate::state::AppState;

#[derive(Parser, Debug)]
#[command(name = "tandem", version, about = "Talent matching for the West Sweden life-science region")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP API and its background workers.
    Serve,
    /// Create the database if missing and apply migrations.
    Migrate,
    /// Rebuild the search index from PostgreSQL into a fresh directory (in INDEX_DIR) and swap it in; a running
    /// server switches to it by itself.
    Reindex,
    /// Load data: a small realistic demo set, or synthetic seekers and jobs for load tests.
    Seed(SeedArgs),
    /// Operator accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Job alerts.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Import job ads: new ads become jobs, changed ones update theirs, removed ones are withdrawn, the same job
    /// from two boards becomes one. Running the same input again changes nothing.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// The Public Employment Service's ads: a file (a JobSearch response, a JobStream array or JSON lines), or the
    /// JobStream feed at JOBSTREAM_URL.
    Jobtech(JobtechArgs),
    /// A JSON array of schema.org `JobPosting` objects, or JSON-LD documents holding them.
    Jobposting {
        #[arg(long, value_name = "FILE")]
        file: std::path::PathBuf,
    },
}

#[derive(Args, Debug)]
#[group(id = "input", required = true, multiple = false, args = ["file", "stream"])]
pub struct JobtechArgs {
    #[arg(long, value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
    /// Fetch the ads changed since the last run (or `--since`) from JOBSTREAM_URL.
    #[arg(long)]
    pub stream: bool,
    /// With `--stream`: start here (RFC 3339, e.g. 2026-12-01T00:00:00Z) instead of where the last run ended.
    #[arg(long, requires = "stream", value_name = "TIME")]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Subcommand, Debug)]
pub enum AlertsCommand {
    /// Send the due digests now: each daily (or weekly) alert's pending jobs, only jobs not sent before. The mails
    /// are queued, then delivered; any the mail server does not take now stay queued for `serve`'s mailer.
    Run {
        #[arg(long, value_enum)]
        frequency: DigestFrequency,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum DigestFrequency {
    Daily,
    Weekly,
}

#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct SeedArgs {
    /// Load organisations, jobs, seekers and a partner pair for trying the API.
    #[arg(long)]
    pub demo: bool,
    /// Load N deterministic synthetic seekers (searchable, unable to log in) and N/20 published jobs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub synthetic: Option<u64>,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an operator account; the password comes from TANDEM_PASSWORD or a prompt.
    Create {
        #[arg(long)]
        email: String,
        /// The operator's display name.
        #[arg(long, default_value = "Operator")]
        name: String,
    },
}

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt().with_env_filter(crate::observability::log_filter()).try_init();
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            crate::db::prepare(&config.database_url).await?;
            println!("database {} is up to date", crate::db::redact(&config.database_url));
            Ok(())
        }
        Command::Reindex => reindex(config).await,
        Command::Seed(args) => {
            let state = AppState::connect(config).await?;
            if args.demo {
                print_demo(crate::seed::demo::load(&state).await?);
            }
            if let Some(profiles) = args.synthetic {
                crate::seed::synthetic::seed(&state, profiles).await?;
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Create { email, name }) => {
            let state = AppState::connect(config).await?;
            let password = match std::env::var("TANDEM_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => rpassword::prompt_password("password for the operator: ")?,
            };
            let user = crate::auth::service::create_admin(&state.pool, &email, &name, password).await?;
            println!("operator {} created ({})", user.email, user.id);
            Ok(())
        }
        Command::Alerts(AlertsCommand::Run { frequency }) => alerts_run(config, frequency).await,
        Command::Import(command) => crate::imports::cli::run(config, command).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    tracing::info!(port = app.port(), "Tandem is listening; API docs at /docs/");
    Ok(app.run_until_stopped().await?)
}

async fn reindex(config: Config) -> anyhow::Result<()> {
    crate::db::prepare(&config.database_url).await?;
    let (url, dir) = (config.database_url.clone(), config.index_dir.clone());
    let done = tokio::task::spawn_blocking(move || {
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let mut progress = |done: u64, total: u64| {
            bar.set_length(total.max(done));
            bar.set_position(done);
        };
        let result = crate::search::rebuild::reindex(&url, &dir, &mut progress);
        bar.finish_and_clear();
        result
    })
    .await??;
    let rebuilt = &done.rebuilt;
    println!(
        "indexed {} candidates and {} jobs in {:.1} s ({:.0} documents/s; PostgreSQL fed {:.0}/s) into {}",
        rebuilt.candidates,
        rebuilt.jobs,
        rebuilt.elapsed.as_secs_f64(),
        rebuilt.documents_per_second(),
        rebuilt.feed_per_second(),
        rebuilt.generation.display()
    );
    Ok(())
}

async fn alerts_run(config: Config, frequency: DigestFrequency) -> anyhow::Result<()> {
    let frequency = match frequency {
        DigestFrequency::Daily => crate::alerts::model::Frequency::Daily,
        DigestFrequency::Weekly => crate::alerts::model::Frequency::Weekly,
    };
    let state = AppState::connect(config).await?;
    let report = crate::alerts::run::run(&state, frequency).await?;
    println!(
        "{} digests with {} jobs queued; {} delivered, {} left queued for the server's mailer",
        report.queued.mails,
        report.queued.jobs,
        report.queued.mails - report.undelivered,
        report.undelivered
    );
    Ok(())
}

fn print_demo(summary: Option<crate::seed::demo::DemoSummary>) {
    let Some(s) = summary else {
        println!("the demo data set is already loaded");
        return;
    };
    println!("loaded {} organisations, {} jobs and {} seekers", s.organizations, s.jobs, s.seekers.len());
    println!("every demo account signs in with the password {:?}", s.password);
    println!("operator: {}", s.operator);
    for e in &s.employers {
        println!("employer: {e}");
    }
    for email in &s.seekers {
        println!("seeker:   {email}");
    }
    println!("search results appear once `tandem serve` has indexed the new rows (a second or two after it starts)");
}
