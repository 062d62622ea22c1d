#!/usr/bin/env bash
# Requests per second for GET /api/v1/candidates beside GET /healthz under the same wrk load, against
# `tandem serve` on the benchmark database that `tandem-bench` filled and indexed. Loopback only; each run is
# bounded (DURATION, 15 s by default). See BENCHMARKS.md.
#
#   cargo build --release --features bench --bin tandem --bin tandem-bench
#   target/release/tandem-bench --profiles 100000      # loads, indexes and benchmarks in process
#   PROFILES=100000 scripts/bench-http.sh
set -euo pipefail

PROFILES=${PROFILES:-100000}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@localhost:5432/tandem_bench_$PROFILES}
export INDEX_DIR=${INDEX_DIR:-target/bench/index-$PROFILES}
export BIND_ADDR=${BIND_ADDR:-127.0.0.1:18080}
export JWT_SECRET=${JWT_SECRET:-benchmark-only-secret-0123456789abcdef}
export MAIL_OUTBOX_DIR=${MAIL_OUTBOX_DIR:-target/bench/mail-outbox}
# Request logging off, as a production node behind a load balancer would run it.
export RUST_LOG=${RUST_LOG:-warn}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
BIN=${BIN:-target/release/tandem}

case "$DATABASE_URL" in
*bench*) ;;
*) echo "refusing: DATABASE_URL must name a benchmark database (its name contains \"bench\")" >&2; exit 1 ;;
esac
case "$BIND_ADDR" in
127.0.0.1:*) ;;
*) echo "refusing: BIND_ADDR must be on the loopback interface" >&2; exit 1 ;;
esac
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -x "$BIN" ] || { echo "$BIN is missing: cargo build --release --bin tandem" >&2; exit 1; }

base="http://$BIND_ADDR"
mkdir -p target/bench
"$BIN" serve >target/bench/serve-$PROFILES.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 600); do
    curl -fsS "$base/readyz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { echo "tandem serve stopped; see target/bench/serve-$PROFILES.log" >&2; exit 1; }
    sleep 0.5
done

# An employer with an organisation: candidate search is for organisation members.
email="bench-$(date +%s)-$$@example.org"
password="benchmark password $$"
curl -fsS -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\",\"display_name\":\"Bench Recruiter\",\"role\":\"employer\"}" >/dev/null
token=$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -r .access_token)
curl -fsS -X POST "$base/api/v1/organizations" -H 'content-type: application/json' -H "authorization: Bearer $token" \
    -d '{"name":"Benchmark Recruiting AB","sector":"biotech","location":{"city":"Göteborg","country":"SE"}}' >/dev/null

# The same classes as tandem-bench: the most common skill, a rare one, three mid-popular ones, free text.
skills=$(psql "$DATABASE_URL" -Atc "SELECT skill_id FROM profile_skills WHERE skill_id IS NOT NULL \
    GROUP BY skill_id ORDER BY count(*) DESC, skill_id")
common=$(sed -n 1p <<<"$skills")
three=$(sed -n '50p;120p;250p' <<<"$skills" | paste -sd, -)
rare=$(tail -n 1 <<<"$skills")
urlencode() { jq -rn --arg v "$1" '$v|@uri'; }

declare -a names=(healthz "common skill" "rare skill" "three skills" "free text")
declare -a paths=(
    "/healthz"
    "/api/v1/candidates?skills=$(urlencode "$common")"
    "/api/v1/candidates?skills=$(urlencode "$rare")"
    "/api/v1/candidates?skills=$(urlencode "$three")"
    "/api/v1/candidates?q=$(urlencode "bioinformatician oncology research")"
)

# Until the index is open the search answers 503; wait for a 200.
for _ in $(seq 1 600); do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "$base${paths[1]}")
    [ "$status" = 200 ] && break
    sleep 0.5
done
[ "$status" = 200 ] || { echo "GET /candidates answers $status" >&2; exit 1; }

echo "| request | requests/s | p50 | p99 | non-2xx |"
echo "|---|---:|---:|---:|---:|"
for i in "${!paths[@]}"; do
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "authorization: Bearer $token" "$base${paths[$i]}")
    echo "$out" >"target/bench/wrk-$PROFILES-$i.txt"
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    echo "| GET ${paths[$i]%%\?*} (${names[$i]}) | $rps | $p50 | $p99 | ${errors:-0} |"
done
