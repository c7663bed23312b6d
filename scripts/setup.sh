#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything Strata's main job and tests need on a fresh
# Debian machine: npm packages, the Debian packages headless WebGPU needs, a Python virtual
# environment for the XLA server, TensorBoard checks and the native engine, and the native
# TensorFlow engine itself. Each step is skipped when its stamp says it is already done.
# With --with-browser it also installs Chromium, which the browser tests drive headless (large:
# `npm test` asks for it, the training scripts do not).
#   bash scripts/setup.sh [--quiet] [--with-browser]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quiet=0
browser=0
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=1 ;;
    --with-browser) browser=1 ;;
    *) echo "setup: unknown option $arg (known: --quiet, --with-browser)" >&2; exit 2 ;;
  esac
done
export STRATA_SETUP_QUIET=$quiet
export STRATA_SETUP_BROWSER=$browser
export TURBO_TELEMETRY_DISABLED=1
say() { [ "$quiet" = 1 ] || printf 'setup: %s\n' "$*"; }
mkdir -p .strata/stamps

stamp_ok() { [ -f ".strata/stamps/$1" ] && [ "$(cat ".strata/stamps/$1")" = "$2" ]; }
stamp_set() { printf '%s' "$2" > ".strata/stamps/$1"; }
hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# 1. npm packages, exactly as locked.
npm_hash=$(hash_of package-lock.json)
if [ ! -d node_modules ] || ! stamp_ok npm "$npm_hash"; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  stamp_set npm "$npm_hash"
fi

# 2..n. The other steps, each in its own file (scripts/setup/NN-name.sh), in order.
for step in scripts/setup/[0-9]*.sh; do
  [ -f "$step" ] || continue
  bash "$step"
done
say "ready"
