//! What operators see: the Prometheus recorder behind `GET /metrics`, the counters features record into it, and
//! the default log filter.
//!
//! One recorder serves the whole process (the `metrics` facade allows one); every server built in the process
//! renders from it. Counters and histograms are recorded where things happen; gauges that PostgreSQL knows
//! (index and matcher lag, mail outbox depth) are read when `/metrics` is scraped.

mod gauges;
pub mod middleware;
pub mod routes;

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::db::{DbConn, DbPool, StoreError};
use crate::mail::transport::SendFailure;

/// Prometheus text exposition, as `/metrics` answers it.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub const HTTP_REQUESTS: &str = "tandem_http_requests_total";
pub const HTTP_DURATION: &str = "tandem_http_request_duration_seconds";
pub const INDEX_LAG: &str = "tandem_index_lag_changes";
pub const INDEX_APPLIED: &str = "tandem_index_applied_position";
pub const OUTBOX_HEAD: &str = "tandem_index_outbox_position";
pub const ALERT_MATCHER_LAG: &str = "tandem_alert_matcher_lag_changes";
pub const MAIL_OUTBOX: &str = "tandem_mail_outbox_mails";
pub const MAIL_FAILURES: &str = "tandem_mail_send_failures_total";
pub const LOGIN_THROTTLED: &str = "tandem_login_throttled_total";
pub const POOL_WAIT: &str = "tandem_db_pool_wait_seconds";
pub const POOL_CONNECTIONS: &str = "tandem_db_pool_connections";
pub const DATABASE_UP: &str = "tandem_database_up";

/// Latency buckets in seconds: from a cached lookup to the 30 s statement timeout.
const SECONDS_BUCKETS: &[f64] = &[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Library targets whose INFO lines are chatter to an operator (tantivy logs every commit and merge).
const QUIET_LIBRARIES: &[&str] =
    &["tantivy", "actix_server", "tokio_postgres", "diesel_async", "lettre", "hyper", "h2", "rustls", "mio"];

/// The process's recorder, installed on first use. Tests start many servers in one process: they share it.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(install)
}

fn install() -> PrometheusHandle {
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), SECONDS_BUCKETS)
        .unwrap_or_else(|_| PrometheusBuilder::new());
    let handle = match builder.install_recorder() {
        Ok(handle) => handle,
        Err(e) => {
            // Another recorder owns the facade (an embedding program's): /metrics still answers, without counts.
            tracing::warn!("cannot install the metrics recorder, /metrics will stay empty: {e}");
            PrometheusBuilder::new().build_recorder().handle()
        }
    };
    describe();
    // Counters an operator alerts on exist from the start, so that a rate over them is never "no data".
    counter!(LOGIN_THROTTLED).increment(0);
    for reason in ["transient", "recipient_refused", "rejected"] {
        counter!(MAIL_FAILURES, "reason" => reason).increment(0);
    }
    handle
}

fn describe() {
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by route pattern, method and status class");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "time to answer an HTTP request, by route pattern");
    describe_gauge!(INDEX_LAG, "index outbox changes the search index has not applied yet");
    describe_gauge!(INDEX_APPLIED, "the index outbox position the search index has applied");
    describe_gauge!(OUTBOX_HEAD, "the highest committed index outbox position");
    describe_gauge!(ALERT_MATCHER_LAG, "index outbox changes the alert matcher has not matched yet");
    describe_gauge!(MAIL_OUTBOX, "mails in the outbox, by status (pending, sent, held, failed)");
    describe_counter!(MAIL_FAILURES, "mail sends that failed, by reason (transient ones are retried)");
    describe_counter!(LOGIN_THROTTLED, "sign-ins refused with 429 because of too many failures");
    describe_histogram!(POOL_WAIT, Unit::Seconds, "time a request waited for a database connection");
    describe_gauge!(POOL_CONNECTIONS, "database pool connections: size, max, available, and requests waiting");
    describe_gauge!(DATABASE_UP, "1 if the last scrape could read the database, else 0 (its gauges are then stale)");
}

/// A sign-in refused because of too many recent failures.
pub fn login_throttled() {
    counter!(LOGIN_THROTTLED).increment(1);
}

/// A mail send that did not succeed.
pub fn mail_failed(failure: &SendFailure) {
    let reason = match failure {
        SendFailure::Transient(_) => "transient",
        SendFailure::RecipientRefused(_) => "recipient_refused",
        SendFailure::Rejected(_) => "rejected",
    };
    counter!(MAIL_FAILURES, "reason" => reason).increment(1);
}

/// How long a caller waited for a pooled database connection (successful or not).
pub fn pool_waited(waited: Duration) {
    histogram!(POOL_WAIT).record(waited.as_secs_f64());
}

/// A connection from `pool`, its wait recorded as [`pool_waited`]: for services that take the pool because they
/// must not hold a connection throughout (a password hash runs in between).
pub async fn pooled_conn(pool: &DbPool) -> Result<DbConn, StoreError> {
    let asked = std::time::Instant::now();
    let conn = pool.get().await;
    pool_waited(asked.elapsed());
    Ok(conn?)
}

/// The log filter when `RUST_LOG` is unset: the service's own lines at info, libraries only when they warn.
pub fn default_log_filter() -> String {
    let mut filter = "info".to_owned();
    for library in QUIET_LIBRARIES {
        filter.push_str(&format!(",{library}=warn"));
    }
    filter
}

/// `RUST_LOG` if set, else [`default_log_filter`].
pub fn log_filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_log_filter()))
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_default_filter_keeps_tantivy_commit_chatter_out_but_the_services_own_lines_and_library_warnings_in() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new(default_log_filter()))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(target: "tantivy::indexer::segment_updater", "committing opstamp 42");
            tracing::warn!(target: "tantivy::directory", "lock file left behind");
            tracing::info!(target: "tandem::cli", "Tandem is listening");
            tracing::info!(target: "actix_web::middleware::logger", "GET /api/v1/jobs 200");
        });
        let log = String::from_utf8(captured.0.lock().expect("log buffer").clone()).expect("utf-8");
        assert!(!log.contains("committing opstamp"), "{log}");
        assert!(log.contains("lock file left behind"), "{log}");
        assert!(log.contains("Tandem is listening"), "{log}");
        assert!(log.contains("GET /api/v1/jobs 200"), "{log}");
    }
}
