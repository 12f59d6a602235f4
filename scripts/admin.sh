#!/usr/bin/env bash
# The operator's tool: check a partnership's configuration file and load it into a deployed
# stack's table (AWS credentials and region from the environment or profile, as the AWS CLI).
#   ./scripts/admin.sh check infra/partnership.example.toml
#   ./scripts/admin.sh put --table TABLE my-partnership.toml   (--replace to change a stored one)
#   ./scripts/admin.sh show --table TABLE my-partnership
#   ./scripts/admin.sh demo --table TABLE                      (the demo partnerships, for a trial)
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release --locked -p escalations-admin -- "$@"
