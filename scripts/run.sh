#!/usr/bin/env bash
# Starts the whole local stack on one localhost port: the API (the same handler code as the
# Lambda functions), the embedded store (.local/escalations.db), demo partnerships for every
# seed procedure with demo users for every role, a dev sign-in page and a movable clock.
# Usage: ./scripts/run.sh [--port 8080] [--data FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release --locked -p escalations-local -- "$@"
