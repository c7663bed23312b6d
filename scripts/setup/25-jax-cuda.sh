#!/usr/bin/env bash
# jax's CUDA plugin (PJRT for NVIDIA GPUs) in .venv, for the cuda strategy's XLA engine: only on
# a machine with an NVIDIA driver, where the XLA server then sees the GPUs. Elsewhere it says
# why it skips; the cuda strategy then reports itself unavailable with the same remedy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { [ "${STRATA_SETUP_QUIET:-0}" = 1 ] || printf 'setup: %s\n' "$*"; }
[ -x .venv/bin/python ] || exit 0

gpus=0
if [ -d /proc/driver/nvidia/gpus ]; then gpus=$(ls /proc/driver/nvidia/gpus | wc -l); fi
if [ "$gpus" -eq 0 ] && command -v nvidia-smi >/dev/null 2>&1; then gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true); fi
if [ "$gpus" -eq 0 ]; then
  say "no NVIDIA driver or GPU here: jax's CUDA plugin is not installed (the cuda strategy's XLA engine needs one)"
  exit 0
fi

jax=$(sed -n 's/^jax==\([0-9.]*\).*/\1/p' scripts/setup/requirements.txt)
want="jax-cuda12-$jax"
if [ -f .strata/stamps/jax-cuda ] && [ "$(cat .strata/stamps/jax-cuda)" = "$want" ]; then
  exit 0
fi
say "installing jax's CUDA plugin for $gpus NVIDIA GPU(s): jax[cuda12]==$jax (the cuda strategy starts its own XLA server on them)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-cache-dir "jax[cuda12]==$jax"
if ! JAX_PLATFORMS=cuda .venv/bin/python -c "import jax; assert jax.devices('cuda')" >/dev/null 2>.strata/jax-cuda.err; then
  echo "setup: jax's CUDA plugin is installed but sees no GPU (the driver may be older than CUDA 12 needs; with a CUDA 13 driver use jax[cuda13]):" >&2
  tail -n 5 .strata/jax-cuda.err >&2
  exit 0
fi
mkdir -p .strata/stamps && printf "%s" "$want" > .strata/stamps/jax-cuda
