#!/usr/bin/env bash
# The `escalations` command line for partnership officers and operators.
# Usage: ./scripts/cli.sh procedures show sefton
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release --locked -p escalations-cli -- "$@"
