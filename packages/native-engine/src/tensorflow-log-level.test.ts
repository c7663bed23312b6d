import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TF_LOG_LEVEL_ENV, quietTensorflowLogs } from './tensorflow-log-level.js';

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
