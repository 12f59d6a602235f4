#!/usr/bin/env bash
# Installs the tools the tests need into a cache outside the repository, once, and prints
# the lines that put them on PATH. Re-running skips whatever is already there.
#   eval "$(./scripts/tools.sh)"
set -euo pipefail
TOOLS="${ESCALATIONS_TOOLS:-$HOME/.cache/escalations-tools}"
mkdir -p "$TOOLS"
log() { printf '%s\n' "$*" >&2; }

# Installs a PyPI package at a pinned version into its own virtualenv, $TOOLS/NAME, unless
# that version is already there and CHECK (a command in the venv's bin) runs.
venv_tool() {
  local name="$1" requirement="$2" version="$3"; shift 3
  if [ "$(cat "$TOOLS/$name/.version" 2>/dev/null)" != "$version" ] \
     || ! "$TOOLS/$name/bin/$@" >/dev/null 2>&1; then
    log "installing $requirement into $TOOLS/$name"
    rm -rf "$TOOLS/$name"
    python3 -m venv "$TOOLS/$name"
    "$TOOLS/$name/bin/pip" install --quiet --disable-pip-version-check "$requirement"
    echo "$version" > "$TOOLS/$name/.version"
  fi
}

# moto: a DynamoDB (and SES) emulator speaking the real wire protocol.
venv_tool moto "moto[server]==5.2.5" 5.2.5 moto_server --help
# cfn-lint: checks template.yaml against CloudFormation's resource specifications.
venv_tool cfnlint "cfn-lint==1.58.0" 1.58.0 cfn-lint --version
# AWS SAM CLI (its own venv: it would change moto's dependencies).
venv_tool sam "aws-sam-cli==1.170.0" 1.170.0 sam --version
# cargo-lambda: builds and runs the functions as Lambda does (prebuilt).
venv_tool cargo-lambda "cargo-lambda==1.9.2" 1.9.2 cargo-lambda lambda --version

# cargo-lambda cross-compiles with Zig, which the ziglang wheel carries; expose it as `zig`.
mkdir -p "$TOOLS/bin"
printf '#!/bin/sh\nexec "%s" -m ziglang "$@"\n' "$TOOLS/cargo-lambda/bin/python" > "$TOOLS/bin/zig"
chmod +x "$TOOLS/bin/zig"
# `sam build` runs `cargo lambda`, so cargo must find the subcommand on PATH.
ln -sf "$TOOLS/cargo-lambda/bin/cargo-lambda" "$TOOLS/bin/cargo-lambda"

echo "export PATH='$TOOLS/bin':\"\$PATH\""
echo "export CARGO_LAMBDA='$TOOLS/cargo-lambda/bin/cargo-lambda'"
echo "export SAM='$TOOLS/sam/bin/sam'"
echo "export CFN_LINT='$TOOLS/cfnlint/bin/cfn-lint'"
echo "export MOTO_SERVER='$TOOLS/moto/bin/moto_server'"
echo "export MOTO_PYTHON='$TOOLS/moto/bin/python'"
