// Test support: runs a child script under tsx and SIGKILLs it as soon as it prints WRITING
// (the child prints it from a write hook and then stalls), so the kill lands mid-write.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs `testing/<script>` with `args` and kills it mid-write; resolves once it is dead, with its signal. */
export async function killMidWrite(script: string, args: readonly string[]): Promise<NodeJS.Signals | null> {
  const child = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('WRITING')) {
        proc.kill('SIGKILL');
        resolve();
      }
    });
    proc.on('exit', (code) => reject(new Error(`child exited (${code}) before writing: ${out}`)));
  });
  if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => proc.once('exit', r));
  return proc.signalCode;
}
