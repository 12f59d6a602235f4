#!/usr/bin/env bash
# Runs every test of the project, installing what the tests need first.
# Usage: ./scripts/test.sh        (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain: rustfmt, clippy and the wasm32 target"
rustup component add rustfmt clippy >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null

step "python: the time-zone database for the due-date oracle"
if ! python3 -c 'import zoneinfo; zoneinfo.ZoneInfo("Europe/London")' 2>/dev/null; then
  python3 -m pip install --quiet tzdata
fi

step "tools: moto (DynamoDB emulator), cfn-lint, SAM CLI, cargo-lambda, in a cache outside the repository"
eval "$(./scripts/tools.sh)"

step "the SAM template lints clean"
"$CFN_LINT" template.yaml
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-eu-west-2}" "$SAM" validate --lint

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "the domain core builds for wasm32 (the web page computes the same due dates)"
cargo build --locked -p escalations-core --target wasm32-unknown-unknown

step "unit, property and integration tests"
cargo test --workspace --locked

step "differential oracle: escalations due / holidays against an independent implementation"
python3 tests/oracle/due_oracle.py target/debug/escalations tests/data/uk-bank-holidays.json \
  --cases "${ORACLE_CASES:-1500}"
