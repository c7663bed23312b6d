import { debugEnabled } from '@strata/core';

/** TensorFlow's C++ log threshold: 0 all, 1 no INFO, 2 no INFO or WARNING, 3 errors only too. */
export const TF_LOG_LEVEL_ENV = 'TF_CPP_MIN_LOG_LEVEL';

/**
 * Keeps TensorFlow's C++ INFO and WARNING lines ("oneDNN custom operations are on...", the
 * cpu_feature_guard notice) out of a training log: sets TF_CPP_MIN_LOG_LEVEL=2 in this
 * process's environment before the library loads (TensorFlow reads it once, at its first log
 * line). A value the user set is kept, and with STRATA_DEBUG=1 TensorFlow keeps its own
 * default (everything). Errors always print.
 *
 * @example
 * quietTensorflowLogs(); // then load the binding
 */
export function quietTensorflowLogs(env: NodeJS.ProcessEnv = process.env): void {
  if (env[TF_LOG_LEVEL_ENV] !== undefined || debugEnabled(env)) return;
  env[TF_LOG_LEVEL_ENV] = '2';
}
