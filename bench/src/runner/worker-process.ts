import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseWorkerLine, WORKER_CONFIG_ENV, type WorkerCommand, type WorkerConfig, type WorkerMessage } from '../worker/protocol.js';

/** Why a worker stopped answering. */
export class WorkerGone extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/**
 * The bench's side of one worker process: sends commands, awaits messages with a deadline, and
 * keeps the process's own output in a log file (the last lines go into error reasons).
 */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly queue: WorkerMessage[] = [];
  private waiter: (() => void) | undefined;
  private exited: string | undefined;
  private readonly tail: string[] = [];
  private readonly log: WriteStream;

  constructor(command: string, args: readonly string[], config: WorkerConfig, logPath: string, env: NodeJS.ProcessEnv = {}) {
    this.log = createWriteStream(logPath);
    this.child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env, [WORKER_CONFIG_ENV]: JSON.stringify(config), PYTHONUNBUFFERED: '1' },
    });
    const onLine = (line: string) => {
      const message = parseWorkerLine(line);
      if (message) {
        this.queue.push(message);
        this.waiter?.();
        return;
      }
      if (!this.log.writableEnded) this.log.write(`${line}\n`);
      this.tail.push(line);
      if (this.tail.length > 12) this.tail.shift();
    };
    createInterface({ input: this.child.stdout! }).on('line', onLine);
    createInterface({ input: this.child.stderr! }).on('line', onLine);
    this.child.on('error', (error) => this.gone(`could not start ${command}: ${error.message}`));
    this.child.on('exit', (code, signal) => this.gone(`exited with ${signal ?? `code ${code}`}`));
    // A worker that died must not crash the bench with EPIPE.
    this.child.stdin!.on('error', () => undefined);
  }

  /** The last lines the process printed outside the protocol, for error reasons. */
  lastOutput(): string {
    return this.tail.filter((l) => l.trim() !== '').slice(-4).join(' | ');
  }

  send(command: WorkerCommand): void {
    if (this.exited === undefined) this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** The next message, or WorkerGone when the process exits or `timeoutMs` passes first. */
  async next(timeoutMs: number): Promise<WorkerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.queue.shift();
      if (message) return message;
      if (this.exited !== undefined) throw new WorkerGone(`the worker ${this.exited}${this.lastOutput() ? `: ${this.lastOutput()}` : ''}`, false);
      const left = deadline - Date.now();
      if (left <= 0) throw new WorkerGone(`no answer within ${Math.round(timeoutMs / 1000)} s`, true);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  /** Ends the process (SIGKILL: a stuck kernel ignores anything gentler) and closes the log. */
  kill(): void {
    if (this.exited === undefined) this.child.kill('SIGKILL');
    this.log.end();
  }

  /** Waits up to `timeoutMs` for the process to exit on its own, then kills it. */
  async close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.exited === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.kill();
  }

  private gone(why: string): void {
    if (this.exited !== undefined) return;
    this.exited = why;
    this.waiter?.();
  }
}
