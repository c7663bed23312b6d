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
# The environment takes about 8 GB (torch's wheel brings CUDA's libraries on Linux) and pip
# holds the downloaded wheels (about 4 GB) while it installs them: a new environment checks the
# space first, so that a full disk is one clear message instead of a half-installed environment.
# pip keeps no cache: its copies of the wheels would stay behind.
need_gb=8
free_kb() { df -Pk "$1" 2>/dev/null | awk 'NR==2 {print $4}'; }
for dir in "$root" "${TMPDIR:-/tmp}"; do
  [ -x .venv/bin/python ] && break
  free=$(free_kb "$dir")
  if [ -n "$free" ] && [ "$free" -lt $((need_gb * 1024 * 1024)) ]; then
    echo "setup: the Python environment needs at least $need_gb GB free (about 12 while it installs); the file system of $dir has $((free / 1024 / 1024)) GB free. Free some space there (or set TMPDIR to a larger disk) and run it again." >&2
    exit 1
  fi
done
say "creating the Python environment .venv (jax, grpcio, tensorflow-cpu, torch; a few minutes the first time)"
[ -x .venv/bin/python ] || "$python" -m venv .venv
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-cache-dir)
"${pip[@]}" --upgrade pip
"${pip[@]}" -r "$req" -r "$torch_req"
[ -f packages/xla-server/pyproject.toml ] && "${pip[@]}" --no-deps -e packages/xla-server
mkdir -p .strata/stamps && printf "%s" "$want" > .strata/stamps/python
