#!/usr/bin/env bash
# Fuzzes the HTTP API from its OpenAPI document with Schemathesis, on a fresh local stack:
# 0 server errors, 0 answers that break the document (status, headers, content type, body),
# 0 invalid requests accepted, 0 requests without a token let through.
#   ./scripts/schemathesis.sh [path/to/escalations-local]     (test.sh passes the debug build)
# Needs SCHEMATHESIS (set by `eval "$(./scripts/tools.sh)"`). The check that every request the
# schema allows is accepted is left out: a request can be well-formed and still name an agency
# or procedure the partnership does not have, which the API rightly refuses.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-target/debug/escalations-local}"
examples="${SCHEMATHESIS_EXAMPLES:-25}"
work=$(mktemp -d)
"$binary" --port 0 --data "$work/fuzz.db" --sweep-every 0 > "$work/stack.log" 2>&1 &
stack_pid=$!
trap 'kill "$stack_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q "local stack: http" "$work/stack.log" && break; sleep 0.1; done
url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/stack.log" | head -1)
token() {
  curl -sf "$url/dev/token?partnership=sefton&person=$1" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
# A case for the case operations to reach.
CASE_ID=$(curl -sf -X POST "$url/api/cases" -H "Authorization: Bearer $(token school-practitioner)" \
  -H 'Content-Type: application/json' \
  -d '{"procedure":"sefton","receiving_agency":"social-care","immediate_risk":false,
       "child":{"name":"Fuzz Child","date_of_birth":"2015-01-01"},
       "concern":{"summary":"Fuzzing","reasons":["other"],"other_reason":"Fuzzing","tried":"Nothing"}}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["case"]["id"])')
export CASE_ID
fuzz() {
  local who="$1"; shift
  echo "schemathesis as sefton/$who $*"
  "$SCHEMATHESIS" --config-file tests/schemathesis/schemathesis.toml run crates/api/openapi.yaml \
    --url "$url" -H "Authorization: Bearer $(token "$who")" \
    --checks all --exclude-checks positive_data_acceptance \
    --phases examples,coverage,fuzzing --max-examples "$examples" --workers 1 \
    --seed 20261126 --no-color --warnings off "$@"
}
# The chair reaches every operation but administration; the administrator reaches that.
fuzz chair --exclude-path-regex '^/api/admin'
fuzz admin --include-path-regex '^/api/admin'
# A practitioner: what they raise and read.
fuzz school-practitioner --include-path-regex '^/api/(cases|queue|me)'
