#!/usr/bin/env bash
# Starts the whole local stack on one localhost port: the web page, the API (the same handler
# code as the Lambda functions), the embedded store (.local/escalations.db), demo partnerships
# for every seed procedure with demo users for every role, a movable clock, and an outbox.
# The first run builds the web page and the stack (about 15 minutes on 2 cores: it installs
# trunk and wasm-bindgen, then compiles); later runs start in seconds.
# Usage: ./scripts/run.sh [--port 8080] [--data FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building the web page (skipped when up to date)" >&2
./scripts/build-web.sh
echo "== building the local stack (release; the first build takes several minutes)" >&2
exec cargo run --release --locked -p escalations-local -- "$@"
