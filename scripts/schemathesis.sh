#!/usr/bin/env bash
# Checks that the OpenAPI document tells the truth: schemathesis generates requests from /api-docs/openapi.json
# and checks every answer of a real debug server (fresh database, demo data) against it, once as a signed-in
# employer with an organisation and once as a seeker with a profile. Exits non-zero on any failure.
#
# SCHEMATHESIS_SECONDS (default 90) is each run's time budget; SCHEMATHESIS_VENV where schemathesis is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

ST_VERSION=4.32.5
SECONDS_PER_RUN=${SCHEMATHESIS_SECONDS:-90}
VENV=${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem-schemathesis-$ST_VERSION}
PG=postgres://postgres@127.0.0.1:5432
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance

if [ "$("$VENV/bin/st" --version 2>/dev/null)" != "st, version $ST_VERSION" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
fi

cargo build --locked
BIN="${CARGO_TARGET_DIR:-target}/debug/tandem"

WORK=$(mktemp -d)
DB=tandem_schemathesis_$$
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
export DATABASE_URL=$PG/$DB
export BIND_ADDR=127.0.0.1:$PORT PUBLIC_BASE_URL=$BASE
export JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export INDEX_DIR=$WORK/index MAIL_OUTBOX_DIR=$WORK/mail MAIL_WORKERS=0
export RUST_LOG=${RUST_LOG:-warn}

"$BIN" seed --demo >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "$BASE/readyz" >/dev/null

# POSTs JSON and prints the answer; fails on any status but 2xx.
call() {
  local method=$1 path=$2 token=$3 body=$4
  curl -fsS -X "$method" "$BASE$path" -H 'Content-Type: application/json' \
    ${token:+-H "Authorization: Bearer $token"} -d "$body"
}

# Registers an account of the given role and prints its access token.
signed_in() {
  local role=$1 email="schemathesis-$1-$$@example.com" password=correct-horse-battery
  call POST /api/v1/auth/register "" \
    "{\"email\":\"$email\",\"password\":\"$password\",\"display_name\":\"Schemathesis $role\",\"role\":\"$role\"}" >/dev/null
  call POST /api/v1/auth/login "" "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -r .access_token
}

# The employer's organisation joins the HR network, so that the network's operations answer it too.
EMPLOYER=$(signed_in employer)
ORG=$(call POST /api/v1/organizations "$EMPLOYER" \
  '{"name":"Schemathesis Labs","sector":"biotech","location":{"city":"Göteborg","country":"SE"}}' | jq -r .id)
REQUEST=$(call POST "/api/v1/organizations/$ORG/network-membership" "$EMPLOYER" '' | jq -r .id)
TANDEM_PASSWORD=operator-password-$$ "$BIN" admin create --email "schemathesis-operator-$$@example.com" >/dev/null
OPERATOR=$(call POST /api/v1/auth/login "" \
  "{\"email\":\"schemathesis-operator-$$@example.com\",\"password\":\"operator-password-$$\"}" | jq -r .access_token)
call POST "/api/v1/admin/network-requests/$REQUEST/approve" "$OPERATOR" '' >/dev/null
SEEKER=$(signed_in seeker)
call PUT /api/v1/me/profile "$SEEKER" \
  '{"full_name":"Schemathesis Seeker","headline":"Cell biologist","summary":"Process development.",
    "location":{"city":"Göteborg","country":"SE"},"skills":[{"name":"cell culture","level":4}],
    "languages":[{"code":"en","level":"C1"}],"work_permit":"eu_eea_citizen","searchable":true}' >/dev/null

# One run as the given caller, in one worker (with two, hypothesis sometimes fails inside itself with "AST
# constructor recursion depth mismatch"). Erasing the account (DELETE /api/v1/me) is left out: it would sign the
# caller out for the rest of the run.
fuzz() {
  local who=$1 token=$2
  echo "schemathesis as the $who (${SECONDS_PER_RUN} s)"
  # From the scratch directory: schemathesis keeps its cache in the working directory.
  (cd "$WORK" && "$VENV/bin/st" run "$BASE/api-docs/openapi.json" \
    --checks "$CHECKS" \
    --max-time "$SECONDS_PER_RUN" \
    --exclude-operation-id erase \
    --header "Authorization: Bearer $token" \
    --suppress-health-check all \
    --request-timeout 10)
}

status=0
fuzz employer "$EMPLOYER" || status=1
fuzz seeker "$SEEKER" || status=1
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "the server died during the run; its last lines:"
  status=1
fi
if [ "$status" -ne 0 ]; then
  tail -n 40 "$WORK/server.log"
  echo "schemathesis found failures"
fi
exit "$status"
