//! Configuration from environment variables (a `.env` file is read first), validated once at start.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Everything the service reads from its environment. Passed explicitly; there is no global copy.
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: PostgreSQL; the database is created if missing.
    pub database_url: String,
    /// `BIND_ADDR`: where the API listens.
    pub bind_addr: SocketAddr,
    /// `INDEX_DIR`: the tantivy index directory.
    pub index_dir: PathBuf,
    /// `SMTP_URL`: e.g. `smtp://127.0.0.1:1025`; `None` means the file outbox.
    pub smtp_url: Option<String>,
    /// `MAIL_OUTBOX_DIR`: where `.eml` files go when no SMTP server is set.
    pub mail_outbox_dir: PathBuf,
    /// `MAIL_FROM`: the sender of every email.
    pub mail_from: String,
    /// `PUBLIC_BASE_URL`: base of links in emails, without a trailing slash.
    pub public_base_url: String,
    /// `JWT_SECRET`: the root secret every signing key is derived from (see `crate::secrets`); `None` means the
    /// root generated once and kept in the database.
    pub jwt_secret: Option<String>,
    /// `MAIL_WORKERS`: how many mailer workers `serve` runs (0 queues mail without sending it). Each sends up to 8
    /// mails at a time over a pool of SMTP connections shared by the workers (8 per worker).
    pub mail_workers: usize,
    /// `SMTP_TIMEOUT_SECS`: the longest one SMTP send may take. A crashed worker's mail is sent again by another
    /// after at most about twice this.
    pub smtp_timeout: std::time::Duration,
    /// `PARTNER_COMMUTE_KM`: how far (great-circle km) from the recruiting employer a job may be for the partner
    /// commute alert.
    pub partner_commute_km: f64,
    /// `TRUSTED_PROXIES`: comma-separated IPs or CIDR blocks of reverse proxies whose `X-Forwarded-For` is believed;
    /// empty (the default) means the TCP peer is the client.
    pub trusted_proxies: Vec<crate::auth::client_addr::IpNet>,
    /// `METRICS_TOKEN`: a bearer token that may read `/metrics` (for a Prometheus scraper); `None` means only
    /// operators' access tokens may.
    pub metrics_token: Option<String>,
    /// Test hook, never read from the environment: a blocking pause inside the alert matcher's percolator load, to
    /// show the load stalls no request (it runs on the matcher's own thread).
    #[doc(hidden)]
    pub percolator_load_pause: Option<std::time::Duration>,
}

/// The default commuting radius: Göteborg to Kungsbacka, Alingsås or Trollhättan, not to Borås.
pub const DEFAULT_PARTNER_COMMUTE_KM: f64 = 50.0;

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@localhost:5432/tandem";

impl Config {
    /// Reads the environment (after `.env`, if present) and checks every value.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is the normal case; a malformed one is worth a warning but not a refusal.
        if let Err(e) = dotenvy::dotenv() {
            if !e.not_found() {
                tracing::warn!("ignoring .env: {e}");
            }
        }
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Builds a config from any lookup function, so that tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(invalid("DATABASE_URL", "it must start with postgres:// or postgresql://"));
        }
        let bind = get("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let bind_addr = bind.parse().map_err(|_| invalid("BIND_ADDR", "expected host:port such as 127.0.0.1:8080"))?;
        let smtp_url = get("SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(invalid("SMTP_URL", "it must start with smtp:// or smtps://"));
            }
        }
        let public_base_url = get("PUBLIC_BASE_URL").unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
        if !(public_base_url.starts_with("http://") || public_base_url.starts_with("https://")) {
            return Err(invalid("PUBLIC_BASE_URL", "it must start with http:// or https://"));
        }
        let jwt_secret = get("JWT_SECRET");
        if let Some(weakness) = jwt_secret.as_deref().and_then(crate::secrets::weakness) {
            return Err(invalid("JWT_SECRET", weakness));
        }
        let mail_workers = match get("MAIL_WORKERS") {
            None => 2,
            Some(n) => n.parse().map_err(|_| invalid("MAIL_WORKERS", "expected a whole number such as 2"))?,
        };
        let smtp_timeout = match get("SMTP_TIMEOUT_SECS") {
            None => std::time::Duration::from_secs(60),
            Some(s) => {
                s.parse::<u64>().ok().filter(|s| (1..=600).contains(s)).map(std::time::Duration::from_secs).ok_or_else(
                    || invalid("SMTP_TIMEOUT_SECS", "expected whole seconds between 1 and 600, such as 60"),
                )?
            }
        };
        let partner_commute_km =
            match get("PARTNER_COMMUTE_KM") {
                None => DEFAULT_PARTNER_COMMUTE_KM,
                Some(km) => km.parse::<f64>().ok().filter(|km| (1.0..=500.0).contains(km)).ok_or_else(|| {
                    invalid("PARTNER_COMMUTE_KM", "expected kilometres between 1 and 500, such as 50")
                })?,
            };
        let trusted_proxies = crate::auth::client_addr::parse_trusted(&get("TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|reason| ConfigError::Invalid { name: "TRUSTED_PROXIES", reason })?;
        let metrics_token = get("METRICS_TOKEN");
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(invalid("METRICS_TOKEN", "use at least 16 characters"));
        }
        Ok(Self {
            trusted_proxies,
            metrics_token,
            mail_workers,
            smtp_timeout,
            partner_commute_km,
            database_url,
            bind_addr,
            index_dir: get("INDEX_DIR").unwrap_or_else(|| "./index".to_owned()).into(),
            smtp_url,
            mail_outbox_dir: get("MAIL_OUTBOX_DIR").unwrap_or_else(|| "./mail-outbox".to_owned()).into(),
            mail_from: get("MAIL_FROM").unwrap_or_else(|| "Tandem <no-reply@localhost>".to_owned()),
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            jwt_secret,
            percolator_load_pause: None,
        })
    }
}

fn invalid(name: &'static str, reason: &str) -> ConfigError {
    ConfigError::Invalid { name, reason: reason.to_owned() }
}
