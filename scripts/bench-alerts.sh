#!/usr/bin/env bash
# Alerts and mail at scale in one command: builds tandem-bench-alerts (release, --features bench) and runs it for N
# synthetic seekers, one daily alert each (so N alerts). It loads the seekers into tandem_alertbench_<N> (first run
# only), times one new job against every alert of the stress set and of the realistic set, records the realistic
# matches of 2,500 new jobs, queues their daily digest and delivers it to a local SMTP sink the binary starts
# itself. Its last line is
#   SUMMARY {"seekers": N, "fanout_p99_ms_realistic": …, "fanout_p99_ms_stress": …, "digest_seconds": …,
#            "mails_per_second": …, "peak_rss_mib": …}
# Further arguments go to the binary (e.g. --skip-digest for fan-out alone at 1M: `scripts/bench-alerts.sh 1000000
# --skip-digest`; --jobs, --stress-jobs, --mail-workers, --delivery-mails). Needs PostgreSQL at 127.0.0.1:5432 (user postgres) or
# ALERT_BENCH_DATABASE_URL naming a database whose name contains "alertbench". See BENCHMARKS.md.
set -euo pipefail

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 N [tandem-bench-alerts options]   (N synthetic seekers, one alert each)" >&2
    exit 2
fi
SEEKERS=$1
shift
cd "$(dirname "$0")/.."
export RUST_LOG=${RUST_LOG:-warn}
cargo build --release --locked --features bench --bin tandem-bench-alerts >&2
BIN=${CARGO_TARGET_DIR:-target}/release/tandem-bench-alerts
exec "$BIN" --profiles "$SEEKERS" "$@"
