#!/usr/bin/env bash
# Search over HTTP, from outside: wrk against `tandem serve` on the benchmark database that `tandem-bench` filled
# and indexed. Each class rotates through its own hundreds of distinct requests (the same queries tandem-bench
# times in process, written by `tandem-bench --write-paths`), so no result cache can serve them: GET
# /api/v1/candidates for a rare skill, a common skill, three skills, free text and a skill with country and
# language filters (with an employer's token), GET /api/v1/jobs with text or skills, then the candidate classes
# mixed and the job classes mixed, with GET /healthz measured in the same run before and after. Prints a Markdown
# table and one JSON line; non-2xx responses are counted by scripts/bench-http.lua and must be 0. Loopback only;
# each run is bounded (DURATION per request class). See BENCHMARKS.md.
#
#   cargo build --release --features bench --bin tandem --bin tandem-bench
#   target/release/tandem-bench --profiles 100000      # loads, indexes and benchmarks in process
#   PROFILES=100000 scripts/bench-http.sh
set -euo pipefail

PROFILES=${PROFILES:-100000}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tandem_bench_$PROFILES}
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
BENCH_BIN=${BENCH_BIN:-$(dirname "$BIN")/tandem-bench}
OUT=${OUT:-target/bench/http-$PROFILES}
LUA=$(cd "$(dirname "$0")" && pwd)/bench-http.lua

case "$DATABASE_URL" in
*bench*) ;;
*) echo "refusing: DATABASE_URL must name a benchmark database (its name contains \"bench\")" >&2; exit 1 ;;
esac
case "$BIND_ADDR" in
127.0.0.1:*) ;;
*) echo "refusing: BIND_ADDR must be on the loopback interface" >&2; exit 1 ;;
esac
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y wrk >&2
    else
        echo "wrk is missing: apt-get install -y wrk" >&2
        exit 1
    fi
fi
for tool in curl jq; do
    command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "$BIN is missing: cargo build --release --bin tandem" >&2; exit 1; }
[ -x "$BENCH_BIN" ] || { echo "$BENCH_BIN is missing: cargo build --release --features bench --bin tandem-bench" >&2; exit 1; }

mkdir -p "$OUT"
rm -f "$OUT"/*.paths

# The requests, per class, from the loaded data.
"$BENCH_BIN" --profiles "$PROFILES" --database-url "$DATABASE_URL" --write-paths "$OUT/paths.tsv"
awk -F'\t' -v dir="$OUT" '{ print $2 > (dir "/" $1 ".paths") }' "$OUT/paths.tsv"
candidate_classes=(rare_skill common_skill three_skills free_text filtered)
job_classes=(job_text job_skills)
for class in "${candidate_classes[@]}" "${job_classes[@]}"; do
    [ -s "$OUT/$class.paths" ] || { echo "no $class requests were written" >&2; exit 1; }
done
# Mixed: the classes' requests interleaved one by one, the shorter lists repeated until the longest ends, so that
# each class has the same share.
interleave() {
    awk 'FNR == 1 { f++ } { line[f, FNR] = $0; n[f] = FNR; if (FNR > longest) longest = FNR }
         END { for (i = 0; i < longest; i++) for (g = 1; g <= f; g++) print line[g, i % n[g] + 1] }' "$@"
}
files=()
for class in "${candidate_classes[@]}"; do files+=("$OUT/$class.paths"); done
interleave "${files[@]}" >"$OUT/candidates_mixed.paths"
interleave "$OUT/job_text.paths" "$OUT/job_skills.paths" >"$OUT/jobs_mixed.paths"
echo /healthz >"$OUT/healthz.paths"

base="http://$BIND_ADDR"
"$BIN" serve >"$OUT/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 600); do
    curl -fsS "$base/readyz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { echo "tandem serve stopped; see $OUT/serve.log" >&2; exit 1; }
    sleep 0.5
done

# An employer with an organisation (candidate search is for organisation members): the same account every run,
# so that repeated runs stay under the registration throttle.
email="bench-recruiter@example.org"
password="benchmark password 0123456789"
json() { curl -fsS -H 'content-type: application/json' "$@"; }
login() { json -X POST "$base/api/v1/auth/login" -d "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -r .access_token; }
if ! token=$(login 2>/dev/null); then
    json -X POST "$base/api/v1/auth/register" \
        -d "{\"email\":\"$email\",\"password\":\"$password\",\"display_name\":\"Bench Recruiter\",\"role\":\"employer\"}" >/dev/null
    token=$(login)
fi
probe=$(head -n 1 "$OUT/rare_skill.paths")
status=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "$base$probe")
if [ "$status" = 403 ]; then
    json -X POST "$base/api/v1/organizations" -H "authorization: Bearer $token" \
        -d '{"name":"Benchmark Recruiting AB","sector":"biotech","location":{"city":"Göteborg","country":"SE"}}' >/dev/null
fi
# Until the index is open the search answers 503; wait for a 200.
for _ in $(seq 1 600); do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "$base$probe")
    [ "$status" = 200 ] && break
    sleep 0.5
done
[ "$status" = 200 ] || { echo "GET /candidates answers $status" >&2; exit 1; }

load_start=$(cut -d' ' -f1 /proc/loadavg)
runs=(healthz "${candidate_classes[@]}" candidates_mixed "${job_classes[@]}" jobs_mixed healthz)
echo "| request | distinct paths | requests/s | p50 | p99 | max | non-2xx | socket errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
results=()
for i in "${!runs[@]}"; do
    run=${runs[$i]}
    paths="$OUT/$run.paths"
    out=$(WRK_PATHS="$paths" WRK_TOKEN="$token" \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "$base")
    echo "$out" >"$OUT/wrk-$i-$run.txt"
    line=$(grep '^BENCH ' <<<"$out") || { echo "wrk printed no BENCH line for $run; see $OUT/wrk-$i-$run.txt" >&2; exit 1; }
    field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
    requests=$(field requests) duration=$(field duration_us) non2xx=$(field non2xx) socket=$(field socket_errors)
    p50=$(field p50_us) p99=$(field p99_us) max=$(field max_us)
    distinct=$(sort -u "$paths" | wc -l)
    rps=$(awk -v r="$requests" -v d="$duration" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
    ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
    case "$run" in
    healthz) label="GET /healthz" ;;
    job_* | jobs_*) label="GET /jobs ($run)" ;;
    *) label="GET /candidates ($run)" ;;
    esac
    echo "| $label | $distinct | $rps | $(ms "$p50") ms | $(ms "$p99") ms | $(ms "$max") ms | $non2xx | $socket |"
    results+=("$(jq -cn --arg run "$run" --argjson distinct "$distinct" --argjson rps "$rps" \
        --argjson p50 "$(ms "$p50")" --argjson p99 "$(ms "$p99")" --argjson max "$(ms "$max")" \
        --argjson non2xx "$non2xx" --argjson socket "$socket" \
        '{run: $run, distinct: $distinct, requests_per_s: $rps, p50_ms: $p50, p99_ms: $p99, max_ms: $max,
          non2xx: $non2xx, socket_errors: $socket}')")
done
load_end=$(cut -d' ' -f1 /proc/loadavg)
errors=$(printf '%s\n' "${results[@]}" | jq -s 'map(.non2xx + .socket_errors) | add')
printf '%s\n' "${results[@]}" | jq -sc --argjson profiles "$PROFILES" --arg duration "$DURATION" \
    --argjson connections "$CONNECTIONS" --argjson threads "$THREADS" --argjson cpus "$(nproc)" \
    --argjson load_start "$load_start" --argjson load_end "$load_end" \
    '{bench: "bench-http", profiles: $profiles, duration: $duration, connections: $connections, threads: $threads,
      cpus: $cpus, load_average: {start: $load_start, end: $load_end}, runs: .}'
if [ "$errors" != 0 ]; then
    echo "$errors requests failed (non-2xx or socket errors); see $OUT/serve.log" >&2
    exit 1
fi
