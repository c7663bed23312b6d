// The XLA engine's server never outlives the Node process that started it: a child Node
// process sets the strategy up, prints the server's pid, and ends by teardown, by SIGTERM or
// by an uncaught error; each time the server must be gone, and the Node process must end as
// Node ends without any server (exit 0, killed by SIGTERM, exit 1 with the error printed).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { localXlaServerUnavailableReason } from '@strata/xla';

const FIXTURE = fileURLToPath(new URL('../testing/server-lifetime-fixture.ts', import.meta.url));

interface Ended {
  readonly serverPid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the fixture in `mode`; `onOutput` sees its stdout so far, each time more comes. */
function runFixture(mode: string, onOutput: (stdout: string, child: ChildProcess) => void = () => undefined): Promise<Ended> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let serverPid = 0;
  child.stdout.on('data', (d) => {
    stdout += String(d);
    serverPid ||= Number(/server-pid (\d+)/.exec(stdout)?.[1] ?? 0);
    onOutput(stdout, child);
  });
  child.stderr.on('data', (d) => (stderr += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ serverPid, code, signal, stdout, stderr });
    }),
  );
}

/** True while `pid` runs: `process.kill(pid, 0)` succeeds and it is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim()[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Polls until `pid` is gone. The Node process kills its server before it ends, so the server
 * is gone at once; the server's own watch of its parent (a backstop for a Node process killed
 * outright) would take a second or more, and must not be what passes this test.
 */
async function assertGone(pid: number): Promise<void> {
  assert.ok(pid > 0, 'the fixture printed no server pid');
  const started = Date.now();
  while (alive(pid) && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
  assert.ok(!alive(pid), `server pid ${pid} is still alive`);
  assert.ok(Date.now() - started < 900, `server pid ${pid} took ${Date.now() - started} ms to go: the Node process did not kill it`);
}

describe('the XLA server of the CUDA strategy dies with its Node process', { skip: localXlaServerUnavailableReason() }, () => {
  test('after teardown(): stopped, and the process ends by itself with code 0', async () => {
    const ended = await runFixture('teardown');
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(ended.stdout, /torn-down/);
    await assertGone(ended.serverPid);
  });

  test('on SIGTERM: the server is killed and the process still dies of SIGTERM', async () => {
    let sent = false;
    const ended = await runFixture('sigterm', (stdout, child) => {
      if (sent || !stdout.includes('waiting')) return;
      sent = true;
      child.kill('SIGTERM');
    });
    assert.equal(ended.signal, 'SIGTERM', `code ${ended.code}, stderr: ${ended.stderr}`);
    await assertGone(ended.serverPid);
  });

  test('on an uncaught error: the server is killed, the error printed, and the exit code is 1', async () => {
    const ended = await runFixture('uncaught');
    assert.equal(ended.code, 1);
    assert.match(ended.stderr, /fixture: an uncaught error/);
    await assertGone(ended.serverPid);
  });
});
