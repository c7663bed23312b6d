import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TF_LOG_LEVEL_ENV, keptTensorflowOutput, quietTensorflowLogs } from './tensorflow-log-level.js';

describe('quietTensorflowLogs', () => {
  it("sets TF_CPP_MIN_LOG_LEVEL to '2' (no INFO or WARNING lines) when it is unset", () => {
    const env: NodeJS.ProcessEnv = {};
    quietTensorflowLogs(env);
    assert.equal(env[TF_LOG_LEVEL_ENV], '2');
  });

  it("keeps the user's own setting, even '0'", () => {
    const env: NodeJS.ProcessEnv = { [TF_LOG_LEVEL_ENV]: '0' };
    quietTensorflowLogs(env);
    assert.equal(env[TF_LOG_LEVEL_ENV], '0');
  });

  it("leaves TensorFlow's default with STRATA_DEBUG=1", () => {
    const env: NodeJS.ProcessEnv = { STRATA_DEBUG: '1' };
    quietTensorflowLogs(env);
    assert.equal(env[TF_LOG_LEVEL_ENV], undefined);
  });
});

// What TensorFlow 2.21's libraries print while they load on a CPU with AVX512_VNNI (oneDNN on).
const LOAD_OUTPUT = [
  "a line that is not TensorFlow's log",
  'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR',
  'I0000 00:00:1796360248.016263   25165 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.',
  'I0000 00:00:1796360248.061848   25165 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.',
  'To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.',
  'E0000 00:00:1796360248.071000   25165 cuda_dnn.cc:8579] Unable to register cuDNN factory',
  '2026-12-04 05:00:00.123456: W tensorflow/core/framework/op_kernel.cc:1] an older-format warning',
].join('\n') + '\n';

describe('keptTensorflowOutput', () => {
  it("at level 2 keeps errors and what came before TensorFlow's first log line, dropping INFO, WARNING, their continuations and absl's preamble", () => {
    assert.equal(
      keptTensorflowOutput(LOAD_OUTPUT, { [TF_LOG_LEVEL_ENV]: '2' }),
      "a line that is not TensorFlow's log\nE0000 00:00:1796360248.071000   25165 cuda_dnn.cc:8579] Unable to register cuDNN factory\n",
    );
  });

  it('at level 1 keeps warnings too; at level 0 (or unset) everything', () => {
    const one = keptTensorflowOutput(LOAD_OUTPUT, { [TF_LOG_LEVEL_ENV]: '1' });
    assert.match(one, /an older-format warning/);
    assert.doesNotMatch(one, /oneDNN|To enable the following|absl::InitializeLog/);
    assert.equal(keptTensorflowOutput(LOAD_OUTPUT, { [TF_LOG_LEVEL_ENV]: '0' }), LOAD_OUTPUT);
    assert.equal(keptTensorflowOutput(LOAD_OUTPUT, {}), LOAD_OUTPUT);
  });

  it('returns nothing for nothing', () => {
    assert.equal(keptTensorflowOutput('', { [TF_LOG_LEVEL_ENV]: '2' }), '');
  });
});
