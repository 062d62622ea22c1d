#!/usr/bin/env bash
# Import speed in one command: builds tandem-bench-import (release, --features bench) and runs it for a synthetic
# JobStream file of N ads (default 50,000; about 60 % Swedish, 40 % English, 1.5-4 KB of text, ~3 % withdrawals of
# earlier ads, ~2 % reposts) and a JobPosting file of N/25 postings from two other boards, half of them copies of
# JobStream ads. It imports the JobStream file into a fresh database tandem_importbench (dropped at the end) twice,
# then the JobPosting file, and times the CPU per ad (split, read, extract, fingerprint). Its last line is
#   SUMMARY {"ads": N, "first_import_ads_per_second": …, "second_import_ads_per_second": …,
#            "postings_per_second": …, "prepare_ads_per_second_one_thread": …, "peak_rss_mib": …, …}
# Further arguments go to the binary (--postings, --seed, --cpu-ads, --keep, --files DIR). Needs PostgreSQL at
# 127.0.0.1:5432 (user postgres) or IMPORT_BENCH_DATABASE_URL naming a database whose name contains "importbench".
# See BENCHMARKS.md.
set -euo pipefail

ADS=${1:-50000}
if ! [[ $ADS =~ ^[0-9]+$ ]]; then
    echo "usage: $0 [N] [tandem-bench-import options]   (N synthetic JobStream ads, default 50000)" >&2
    exit 2
fi
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
export RUST_LOG=${RUST_LOG:-warn}
cargo build --release --locked --features bench --bin tandem-bench-import >&2
BIN=${CARGO_TARGET_DIR:-target}/release/tandem-bench-import
exec "$BIN" --ads "$ADS" "$@"
