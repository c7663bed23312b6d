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

/** A log line's severity letter, in absl's prefix (`I0000 00:00:SECONDS.MICROS THREAD FILE:LINE]`) and in TensorFlow's older one (`YYYY-MM-DD HH:MM:SS.MICROS: I ...`). */
const LOG_LINE = /^(?:([IWEF])\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+\]|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: ([IWEF]) )/;
const ABSL_PREAMBLE = /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/;
const SEVERITY: Readonly<Record<string, number>> = { I: 0, W: 1, E: 2, F: 3 };

/**
 * What of `text` (output captured while TensorFlow loaded) TF_CPP_MIN_LOG_LEVEL lets through:
 * TensorFlow's log lines of a severity at or above the level, with the lines that continue
 * them (a line that is not a log line continues the one before it); absl's "before
 * InitializeLog" preamble only at level 0; lines before the first log line always. TensorFlow applies the level itself, except to what it logs while its own
 * libraries initialize, which is what this filters.
 */
export function keptTensorflowOutput(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const level = Number(env[TF_LOG_LEVEL_ENV] ?? 0) || 0;
  const kept: string[] = [];
  let keepingMessage = true;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const match = LOG_LINE.exec(line);
    if (match !== null) keepingMessage = SEVERITY[match[1] ?? match[2]!]! >= level;
    else if (ABSL_PREAMBLE.test(line)) {
      if (level === 0) kept.push(line);
      continue;
    }
    if (keepingMessage) kept.push(line);
  }
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}
