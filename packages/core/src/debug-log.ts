/** The environment variable that turns on Strata's debug output: `STRATA_DEBUG=1`. */
export const DEBUG_ENV = 'STRATA_DEBUG';

/**
 * Whether `STRATA_DEBUG` asks for debug output: set, and not '', '0' or 'false'. With it,
 * probes print what they found and what the libraries they load printed (Dawn's log while
 * probing WebGPU), and the native engine leaves TensorFlow's own logging at its default.
 */
export function debugEnabled(env: NodeJS.ProcessEnv | undefined = processEnv()): boolean {
  const value = env?.[DEBUG_ENV];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * Prints `text` to stderr, each line prefixed with "strata debug (scope): ", when
 * `STRATA_DEBUG` is on; does nothing otherwise.
 *
 * @example
 * debugLog('webgpu probe', `Dawn printed:\n${dawnLog}`);
 */
export function debugLog(scope: string, text: string): void {
  if (!debugEnabled()) return;
  const lines = text.replace(/\n+$/, '').split('\n');
  console.error(lines.map((line) => `strata debug (${scope}): ${line}`).join('\n'));
}

function processEnv(): NodeJS.ProcessEnv | undefined {
  return typeof process === 'undefined' ? undefined : process.env;
}
