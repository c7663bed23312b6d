import { createInterface } from 'node:readline';
import { MESSAGE_PREFIX, type WorkerCommand, type WorkerMessage } from './protocol.js';

/** The worker's side of the line protocol: messages out on stdout, commands in from stdin. */
export class WorkerIO {
  private readonly lines: AsyncIterator<string>;

  constructor() {
    this.lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  send(message: WorkerMessage): void {
    process.stdout.write(`${MESSAGE_PREFIX}${JSON.stringify(message)}\n`);
  }

  /** The next command; 'finish' when the bench closed stdin (it went away). */
  async next(): Promise<WorkerCommand> {
    const { value, done } = await this.lines.next();
    if (done) return { cmd: 'finish' };
    try {
      return JSON.parse(value) as WorkerCommand;
    } catch {
      return { cmd: 'finish' };
    }
  }
}
