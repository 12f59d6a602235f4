#!/usr/bin/env bash
# Installs the tools the tests need into a cache outside the repository, once, and prints
# the lines to put them on PATH. Re-running skips whatever is already there.
#   eval "$(./scripts/tools.sh)"
set -euo pipefail
TOOLS="${ESCALATIONS_TOOLS:-$HOME/.cache/escalations-tools}"
mkdir -p "$TOOLS"
log() { printf '%s\n' "$*" >&2; }

# moto_server: a DynamoDB (and SES) emulator speaking the real wire protocol. It lives in its
# own virtualenv so it never disturbs other Python tools.
MOTO_VERSION="5.2.5"
if ! "$TOOLS/moto/bin/moto_server" --help >/dev/null 2>&1 \
   || [ "$(cat "$TOOLS/moto/.version" 2>/dev/null)" != "$MOTO_VERSION" ]; then
  log "installing moto[server]==$MOTO_VERSION into $TOOLS/moto"
  rm -rf "$TOOLS/moto"
  python3 -m venv "$TOOLS/moto"
  "$TOOLS/moto/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  echo "$MOTO_VERSION" > "$TOOLS/moto/.version"
fi

# cfn-lint: checks template.yaml against CloudFormation's resource specifications.
CFN_LINT_VERSION="1.58.0"
if [ "$(cat "$TOOLS/cfnlint/.version" 2>/dev/null)" != "$CFN_LINT_VERSION" ] \
   || ! "$TOOLS/cfnlint/bin/cfn-lint" --version >/dev/null 2>&1; then
  log "installing cfn-lint==$CFN_LINT_VERSION into $TOOLS/cfnlint"
  rm -rf "$TOOLS/cfnlint"
  python3 -m venv "$TOOLS/cfnlint"
  "$TOOLS/cfnlint/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
  echo "$CFN_LINT_VERSION" > "$TOOLS/cfnlint/.version"
fi

# cargo-lambda: builds and runs the functions as Lambda does (prebuilt, from PyPI).
CARGO_LAMBDA_VERSION="1.9.2"
if [ "$(cat "$TOOLS/cargo-lambda/.version" 2>/dev/null)" != "$CARGO_LAMBDA_VERSION" ] \
   || ! "$TOOLS/cargo-lambda/bin/cargo-lambda" lambda --version >/dev/null 2>&1; then
  log "installing cargo-lambda==$CARGO_LAMBDA_VERSION into $TOOLS/cargo-lambda"
  rm -rf "$TOOLS/cargo-lambda"
  python3 -m venv "$TOOLS/cargo-lambda"
  "$TOOLS/cargo-lambda/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
  echo "$CARGO_LAMBDA_VERSION" > "$TOOLS/cargo-lambda/.version"
fi

# cargo-lambda cross-compiles with Zig, which the ziglang wheel carries; expose it as `zig`.
mkdir -p "$TOOLS/bin"
printf '#!/bin/sh\nexec "%s" -m ziglang "$@"\n' "$TOOLS/cargo-lambda/bin/python" > "$TOOLS/bin/zig"
chmod +x "$TOOLS/bin/zig"
echo "export PATH='$TOOLS/bin':\"\$PATH\""
echo "export CARGO_LAMBDA='$TOOLS/cargo-lambda/bin/cargo-lambda'"
# AWS SAM CLI, in its own virtualenv (it would change moto's dependencies).
SAM_VERSION="1.170.0"
if [ "$(cat "$TOOLS/sam/.version" 2>/dev/null)" != "$SAM_VERSION" ] \
   || ! "$TOOLS/sam/bin/sam" --version >/dev/null 2>&1; then
  log "installing aws-sam-cli==$SAM_VERSION into $TOOLS/sam"
  rm -rf "$TOOLS/sam"
  python3 -m venv "$TOOLS/sam"
  "$TOOLS/sam/bin/pip" install --quiet --disable-pip-version-check "aws-sam-cli==$SAM_VERSION"
  echo "$SAM_VERSION" > "$TOOLS/sam/.version"
fi

echo "export SAM='$TOOLS/sam/bin/sam'"
echo "export CFN_LINT='$TOOLS/cfnlint/bin/cfn-lint'"
echo "export MOTO_SERVER='$TOOLS/moto/bin/moto_server'"
echo "export MOTO_PYTHON='$TOOLS/moto/bin/python'"
