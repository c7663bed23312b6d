import { StrataError } from './errors.js';

/**
 * Runs a command-line entry point: a `StrataError` prints its message (which names the value and
 * the fix) without a stack trace and exits 1; anything else prints in full and exits 1.
 *
 * @example
 * await runMain(async () => { await trainer.fit(module, loader); });
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (error instanceof StrataError) console.error(`error (${error.kind}): ${error.message}`);
    else if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) console.error(`error: ${(error as Error).message}`);
    else console.error(error);
    process.exitCode = 1;
  }
}
