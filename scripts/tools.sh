#!/usr/bin/env bash
# Installs the tools the tests need into a cache outside the repository, once, and prints
# the lines that put them on PATH. Re-running skips whatever is already there.
#   eval "$(./scripts/tools.sh)"        every tool the tests need
#   eval "$(./scripts/tools.sh web)"    only what builds the web page (trunk, wasm-bindgen)
set -euo pipefail
WHICH="${1:-all}"
cd "$(dirname "$0")/.."
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

# Installs a crates.io tool at a pinned version into $TOOLS/NAME-VERSION, unless its binary
# is already there and answers --version.
cargo_tool() {
  local name="$1" version="$2" binary="$3"; shift 3
  if ! "$TOOLS/$name-$version/bin/$binary" --version >/dev/null 2>&1; then
    log "installing $name $version into $TOOLS/$name-$version (from source: minutes, once)"
    cargo install --quiet "$name" --version "=$version" --root "$TOOLS/$name-$version" "$@"
  fi
}

# The web page's build: trunk, and wasm-bindgen-cli at exactly the wasm-bindgen version in
# Cargo.lock (the two must match; wasm-bindgen-cli is installed without --locked, as its
# own lock file pins older dependencies than this toolchain builds).
WASM_BINDGEN=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
cargo_tool trunk 0.21.14 trunk --locked
cargo_tool wasm-bindgen-cli "$WASM_BINDGEN" wasm-bindgen
web_path="$TOOLS/trunk-0.21.14/bin:$TOOLS/wasm-bindgen-cli-$WASM_BINDGEN/bin"
if [ "$WHICH" = web ]; then
  echo "export PATH='$web_path':\"\$PATH\""
  exit 0
fi

# moto: a DynamoDB (and SES) emulator speaking the real wire protocol.
venv_tool moto "moto[server]==5.2.5" 5.2.5 moto_server --help
# cfn-lint: checks template.yaml against CloudFormation's resource specifications.
venv_tool cfnlint "cfn-lint==1.58.0" 1.58.0 cfn-lint --version
# AWS SAM CLI (its own venv: it would change moto's dependencies).
venv_tool sam "aws-sam-cli==1.170.0" 1.170.0 sam --version
# checkov: the deployment's security checks on template.yaml (tests/checkov/).
venv_tool checkov "checkov==3.3.0" 3.3.0 checkov --version
# Schemathesis: fuzzes the HTTP API from its OpenAPI document.
venv_tool schemathesis "schemathesis==4.32.5" 4.32.5 schemathesis --version
# cargo-lambda: builds and runs the functions as Lambda does (prebuilt).
venv_tool cargo-lambda "cargo-lambda==1.9.2" 1.9.2 cargo-lambda lambda --version

# cargo-lambda cross-compiles with Zig, which the ziglang wheel carries; expose it as `zig`.
mkdir -p "$TOOLS/bin"
printf '#!/bin/sh\nexec "%s" -m ziglang "$@"\n' "$TOOLS/cargo-lambda/bin/python" > "$TOOLS/bin/zig"
chmod +x "$TOOLS/bin/zig"
# `sam build` runs `cargo lambda`, so cargo must find the subcommand on PATH.
ln -sf "$TOOLS/cargo-lambda/bin/cargo-lambda" "$TOOLS/bin/cargo-lambda"

echo "export PATH='$TOOLS/bin:$web_path':\"\$PATH\""
echo "export CARGO_LAMBDA='$TOOLS/cargo-lambda/bin/cargo-lambda'"
echo "export SAM='$TOOLS/sam/bin/sam'"
echo "export CFN_LINT='$TOOLS/cfnlint/bin/cfn-lint'"
echo "export MOTO_SERVER='$TOOLS/moto/bin/moto_server'"
echo "export MOTO_PYTHON='$TOOLS/moto/bin/python'"
echo "export SCHEMATHESIS='$TOOLS/schemathesis/bin/schemathesis'"
echo "export CHECKOV='$TOOLS/checkov/bin/checkov'"
