#!/usr/bin/env bash
# Runs tfjs-core's own convolution, pooling and sum suites against the wasm backend, with and
# without this package's kernels, and prints both pass counts (the kernels must not lower tfjs-core's own pass count).
# Needs network once: jasmine 5.1.0 is installed into a scratch folder, not into the repository.
#   bash packages/backend-wasm/scripts/conformance.sh [WORKDIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
WORK="${1:-${TMPDIR:-/tmp}/strata-wasm-conformance}"
CORE="$ROOT/node_modules/@tensorflow/tfjs-core/dist"
mkdir -p "$WORK" && cd "$WORK"
[ -f package.json ] || echo '{"name":"strata-wasm-conformance","private":true,"type":"module"}' > package.json
[ -d node_modules/jasmine ] || npm install --no-audit --no-fund --silent jasmine@5.1.0
cat > setup.js <<JS
import { setTestEnvs } from '$CORE/jasmine_util.js';
import '$CORE/register_all_gradients.js';
import '$CORE/public/chained_ops/register_all_chained_ops.js';
import * as wasm from '$ROOT/node_modules/@tensorflow/tfjs-backend-wasm/dist/index.js';
import { registerTrainingKernels } from '$ROOT/packages/backend-wasm/src/register-kernels.ts';
wasm.setWasmPaths('$ROOT/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
if (!process.env.WITHOUT_STRATA) registerTrainingKernels();
setTestEnvs([{ name: 'wasm', backendName: 'wasm', isDataSync: true }]);
JS
{
  echo "import './setup.js';"
  for t in conv2d conv2d_transpose depthwise_conv2d conv2d_separable max_pool sum mean tile moments batchnorm fused/fused_conv2d fused/fused_depthwise_conv2d; do
    echo "import '$CORE/ops/${t}_test.js';"
  done
} > entry.js
cat > run.mjs <<'JS'
import Jasmine from 'jasmine';
const jasmine = new Jasmine();
jasmine.loadConfig({ spec_files: ['bundle.mjs'], spec_dir: '.', random: false });
jasmine.exitOnCompletion = false;
await jasmine.execute();
JS
# The wasm glue wants CommonJS globals; the test files must not be dropped as side-effect free.
BANNER="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url); const __dirname = '$WORK';"
"$ROOT/node_modules/.bin/esbuild" entry.js --bundle --platform=node --format=esm --outfile=bundle.mjs \
  --ignore-annotations --external:jasmine-core --external:jasmine --log-level=error \
  --alias:@tensorflow/tfjs-core="$CORE/index.js" --banner:js="$BANNER"
for mode in without with; do
  if [ "$mode" = without ]; then export WITHOUT_STRATA=1; else unset WITHOUT_STRATA; fi
  node run.mjs > "$mode.txt" 2>&1 || true
  grep -E "^[0-9]+\) " "$mode.txt" | sed 's/^[0-9]*) //' | sort > "$mode.failures"
  echo "$mode @strata/backend-wasm kernels: $(grep -E '^[0-9]+ specs' "$mode.txt")"
done
echo "failing only with the kernels:"; comm -13 without.failures with.failures
echo "failure causes with the kernels:"
grep "Message:" -A1 with.txt | grep -v "Message:\|^--" | sed 's/\x1b\[[0-9;]*m//g' | sort | uniq -c | sort -rn
