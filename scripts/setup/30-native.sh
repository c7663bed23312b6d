#!/usr/bin/env bash
# The native TensorFlow engine of the CPU strategy (@strata/native-engine): tfjs-node's binding
# compiled (node-gyp; only the binding's sources, no TensorFlow) against the
# libtensorflow_cc.so.2 of the tensorflow-cpu wheel that 20-python.sh installed in .venv, or of
# $LIBTENSORFLOW_DIR. Nothing is downloaded but the tfjs-node source tarball from the npm
# registry. Skipped when the stamp says it is built.
# A failure only means the CPU strategy runs on pure JS: it is reported and setup goes on,
# unless STRATA_REQUIRE_NATIVE=1 (CI), where it fails the setup.
#   STRATA_SKIP_NATIVE=1   do not build it
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { [ "${STRATA_SETUP_QUIET:-0}" = 1 ] || printf 'setup: %s\n' "$*"; }
fail() {
  echo "setup: the native TensorFlow engine was not built: $*" >&2
  if [ "${STRATA_REQUIRE_NATIVE:-0}" = 1 ]; then exit 1; fi
  echo "setup: the CPU strategy will use pure JS (tfjs-backend-cpu); build the engine later with: npx strata-native build" >&2
  exit 0
}
if [ "${STRATA_SKIP_NATIVE:-0}" = 1 ]; then
  say "native engine skipped (STRATA_SKIP_NATIVE=1)"
  exit 0
fi

if [ -n "${LIBTENSORFLOW_DIR:-}" ]; then
  tfdir=$LIBTENSORFLOW_DIR
  from=(--libtensorflow "$tfdir")
  lib=$(ls "$tfdir"/libtensorflow_cc.so.2 "$tfdir"/lib/libtensorflow.so.2 2>/dev/null | head -n1)
else
  tfdir=$(ls -d .venv/lib/python3*/site-packages/tensorflow 2>/dev/null | head -n1)
  from=(--python .venv/bin/python)
  lib=${tfdir:+$tfdir/libtensorflow_cc.so.2}
fi
[ -n "$lib" ] && [ -f "$lib" ] || fail "no TensorFlow libraries (expected the tensorflow-cpu wheel in .venv, made by scripts/setup/20-python.sh, or LIBTENSORFLOW_DIR)"

home=${STRATA_NATIVE_DIR:-.strata/native}
# The stamp changes with the libraries, Node, this script and the engine's own native sources.
want=$( { stat -c '%n %s %Y' "$(readlink -f "$lib")"; node --version; cat "${BASH_SOURCE[0]}" packages/native-engine/native/*/*; } | sha256sum | cut -c1-16)
if [ -f .strata/stamps/native ] && [ "$(cat .strata/stamps/native)" = "$want" ] && [ -f "$home/cpu/manifest.json" ]; then
  exit 0
fi
for tool in g++ make python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install g++ make python3)"
done

say "building the native TensorFlow engine (tfjs-node binding against $tfdir)"
npx turbo run build --filter=@strata/native-engine --output-logs=errors-only >/dev/null \
  || fail "@strata/native-engine does not compile (run: npx turbo run build --filter=@strata/native-engine)"
quiet=()
[ "${STRATA_SETUP_QUIET:-0}" = 1 ] && quiet=(--json)
node packages/native-engine/dist/cli/strata-native.js build "${from[@]}" "${quiet[@]}" >/dev/null 2>.strata/native-build.err \
  || fail "$(tail -n 20 .strata/native-build.err)"
node packages/native-engine/dist/cli/strata-native.js status | sed 's/^/setup: /'
mkdir -p .strata/stamps && printf '%s' "$want" > .strata/stamps/native
