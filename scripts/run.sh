#!/usr/bin/env bash
# Runs the product locally. For now that is the `escalations` command line (procedures, due
# dates, bank holidays); it grows into the whole local stack.
# Usage: ./scripts/run.sh [ARGS...]     e.g. ./scripts/run.sh procedures show sefton
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  set -- procedures
fi
exec cargo run --quiet --release --locked -p escalations-cli -- "$@"
