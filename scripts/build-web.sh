#!/usr/bin/env bash
# Builds the web page into frontend/dist: GOV.UK Frontend's styles compiled with Sass, the
# Leptos app compiled to WebAssembly by trunk (wasm-bindgen, wasm-opt), and brotli and gzip
# copies of each file for serving. Installs what it needs first (scripts/tools.sh web, npm).
# Skips the build when nothing it reads changed since the last one.
# Usage: ./scripts/build-web.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '%s\n' "$*" >&2; }

stamp=frontend/dist/.built
if [ "${1:-}" != --force ] && [ -f "$stamp" ] && [ -z "$(find frontend/src frontend/style/*.scss \
    frontend/index.html frontend/boot.js frontend/Trunk.toml frontend/Cargo.toml frontend/package-lock.json \
    crates/core crates/wire Cargo.lock -newer "$stamp" -type f -print -quit)" ]; then
  say "web page: up to date in frontend/dist"
  exit 0
fi

say "web page: installing its build tools if absent (trunk and wasm-bindgen-cli from source take ~10 minutes, once)"
eval "$(./scripts/tools.sh web)"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
if [ ! -f frontend/node_modules/.package-lock.json ] \
   || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
  say "web page: npm packages (GOV.UK Frontend, Sass, binaryen's wasm-opt, the browser-test tools)"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi
export PATH="$PWD/frontend/node_modules/.bin:$PATH"

say "web page: styles (Sass)"
mkdir -p frontend/style/build
sass --no-source-map --style=compressed --quiet --load-path=frontend/node_modules \
  frontend/style/main.scss frontend/style/build/main.css

say "web page: the app (cargo build for wasm32, release; the first build takes several minutes)"
(cd frontend && trunk build --release --offline)

say "web page: brotli and gzip copies"
node frontend/scripts/compress.mjs frontend/dist
touch "$stamp"
say "web page: built into frontend/dist"
