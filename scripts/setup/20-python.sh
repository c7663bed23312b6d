#!/usr/bin/env bash
# The project's Python environment (.venv): the XLA server's packages (jax, grpcio), the
# TensorFlow wheel the native engine is built against (and whose tensorboard reads our event
# files), pytest (requirements.txt); the PyTorch reference of the pretrained-weights tests
# (requirements-torch.txt). Installed again into the existing .venv when either file changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { [ "${STRATA_SETUP_QUIET:-0}" = 1 ] || printf 'setup: %s\n' "$*"; }
req=scripts/setup/requirements.txt
torch_req=scripts/setup/requirements-torch.txt
want=$(cat "$req" "$torch_req" packages/xla-server/pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)
if [ -x .venv/bin/python ] && [ -f .strata/stamps/python ] && [ "$(cat .strata/stamps/python)" = "$want" ]; then
  exit 0
fi
python=${STRATA_PYTHON:-python3}
if ! command -v "$python" >/dev/null; then
  echo "setup: no python3 found; the XLA server, TensorBoard checks and the native engine are skipped (install python3 >= 3.10)" >&2
  exit 0
fi
say "creating the Python environment .venv (jax, grpcio, tensorflow-cpu, torch; a few minutes the first time)"
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req" -r "$torch_req"
[ -f packages/xla-server/pyproject.toml ] && .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e packages/xla-server
mkdir -p .strata/stamps && printf "%s" "$want" > .strata/stamps/python
