//! The command line: `serve`, `migrate`, `seed`, `admin create`; each subcommand documents itself with `--help`.

use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::app::{AppState, Application};
use crate::config::Config;

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
    /// Load data: a small realistic demo set, or synthetic seekers and jobs for load tests.
    Seed(SeedArgs),
    /// Operator accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
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
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
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
        Command::Seed(args) => {
            let state = AppState::connect(config).await?;
            if args.demo {
                crate::seed::demo(&state).await?;
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
            let user = crate::auth::session::create_admin(&state, &email, &name, password).await?;
            println!("operator {} created ({})", user.email, user.id);
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    tracing::info!(port = app.port(), "Tandem is listening; API docs at /docs/");
    app.run_until_stopped().await?;
    Ok(())
}
