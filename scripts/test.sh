#!/usr/bin/env bash
# Runs every test of the project, installing what the tests need first.
# Usage: ./scripts/test.sh        (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# On a clean clone (CI) incremental build state is never reused, and it took 7 GB of disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

# Where cargo puts what it builds: ./target, unless CARGO_TARGET_DIR (or a cargo config) says
# otherwise. Every binary and build directory below is under it.
target=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

# A cold run leaves about 9 GB under the target directory; say so up front rather than fail
# half an hour in with "No space left on device".
mkdir -p "$target"
free_gb=$(( $(df -Pk "$target" | awk 'NR == 2 { print $4 }') / 1024 / 1024 ))
if [ "$free_gb" -lt 12 ]; then
  echo "warning: only ${free_gb} GB free for $target; a cold run needs about 10 GB" >&2
fi

step "toolchain: rustfmt, clippy and the wasm32 target"
rustup component add rustfmt clippy >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null

step "python: the time-zone database for the due-date oracle"
if ! python3 -c 'import zoneinfo; zoneinfo.ZoneInfo("Europe/London")' 2>/dev/null; then
  python3 -m pip install --quiet tzdata
fi

step "tools: moto (DynamoDB emulator), cfn-lint, SAM CLI, cargo-lambda, in a cache outside the repository"
eval "$(./scripts/tools.sh)"

step "the SAM template lints clean (and the us-east-1 stacks: the web ACL, CloudFront's access logs)"
"$CFN_LINT" template.yaml infra/waf.yaml infra/cloudfront-logs.yaml
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-eu-west-2}" "$SAM" validate --lint

step "checkov: every security finding on the template is fixed or accepted with its reason in tests/checkov/accepted.yaml (infra/cloudfront-logs.yaml: accepted-cloudfront-logs.yaml)"
"$(dirname "$CHECKOV")/python" tests/checkov/check.py "$CHECKOV" template.yaml tests/checkov/accepted.yaml
"$(dirname "$CHECKOV")/python" tests/checkov/check.py "$CHECKOV" infra/cloudfront-logs.yaml tests/checkov/accepted-cloudfront-logs.yaml
"$(dirname "$CHECKOV")/python" tests/checkov/log_fields.py infra/cloudfront-logs.yaml  # CloudFront's access logs never record the path (a calendar feed's secret), query or cookies
"$(dirname "$CHECKOV")/python" tests/template_policies.py template.yaml  # each function's exact DynamoDB actions, the table's and key's policies, MFA

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "the domain core and the wire contract build for wasm32 (the web page computes the same due dates and reads the same JSON)"
cargo build --locked -p escalations-core -p escalations-wire --target wasm32-unknown-unknown

step "unit, property and integration tests"
cargo test --workspace --locked

step "the web page: built with trunk (tools installed once into the cache), then driven in headless Chromium by playwright-core, every page checked with axe-core; screenshots in frontend/test-results/"
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's Chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
./scripts/build-web.sh
cargo clippy --quiet --locked -p escalations-web --target wasm32-unknown-unknown -- -D warnings
cargo build --quiet --locked -p escalations-local
ESCALATIONS_LOCAL="$target/debug/escalations-local" node --test frontend/tests/

step "the HTTP API fuzzed from its OpenAPI document by Schemathesis on a fresh local stack (bounded: a fixed seed, 25 examples an operation, as the chair, an administrator and a practitioner)"
./scripts/schemathesis.sh "$target/debug/escalations-local"

step "the README's walkthrough: one case through Sefton's whole procedure with curl, on the local stack"
cargo build --quiet --locked -p escalations-local
walk_dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$target/debug/escalations-local" --port "$port" --data "$walk_dir/walkthrough.db" > "$walk_dir/stack.log" 2>&1 &
stack_pid=$!
trap 'kill "$stack_pid" 2>/dev/null || true; rm -rf "$walk_dir"' EXIT
for _ in $(seq 1 100); do grep -q "local stack: http" "$walk_dir/stack.log" && break; sleep 0.1; done
./scripts/walkthrough.sh "http://127.0.0.1:$port"
kill "$stack_pid"; wait "$stack_pid" 2>/dev/null || true
trap - EXIT; rm -rf "$walk_dir"

step "the benchmark harnesses still run (one short pass each, debug builds; figures live in BENCHMARKS.md and are not checked, except that bench-sweep fails if the sweep's items read grow with open cases)"
cargo build --quiet --locked -p escalations-bench -p cases
"$target/debug/bench-storage" --embedded 200 --moto 200 --runs 1
"$target/debug/bench-sweep" --embedded 50,200 --moto 50
"$target/debug/bench-queue" --sizes 50 --runs 1
"$target/debug/bench-api" --requests 200 --concurrency 4
"$target/debug/bench-cost"
"$target/debug/bench-soak" --users 8 --seconds 5
"$target/debug/bench-soak" --store dynamodb --users 5 --seconds 10  # the same checks over the DynamoDB adapter on moto (about 20 s)
"$target/debug/bench-coldstart" --runs 2 hello-lambda="$target/debug/hello-lambda" cases="$target/debug/cases"
node frontend/bench/paint.mjs --loads 2 --stack "$target/debug/escalations-local"

step "differential oracle: escalations due / holidays against an independent implementation"
python3 tests/oracle/due_oracle.py "$target/debug/escalations" tests/data/uk-bank-holidays.json \
  --cases "${ORACLE_CASES:-1500}"

step "sam build: every function packaged by cargo-lambda for arm64, as a deploy would"
rm -rf "$target/sam"
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-eu-west-2}" \
  "$SAM" build --beta-features --build-dir "$target/sam"
python3 tests/sam_artifacts.py template.yaml "$target/sam"

step "done: the build directory's size"
du -sh "$target"
