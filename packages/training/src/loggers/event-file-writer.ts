import { crc32c } from '@aws-crypto/crc32c';
import { closeFile, joinLogPath, openForAppend, requireLogFiles, syncFile, writeBytes, writerName } from './log-files.js';
import { encodeEvent } from './tensorboard-protos.js';

/** TFRecord's masked CRC32C: rotate right by 15 and add a constant, so CRCs of CRCs stay strong. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/**
 * One TFRecord: uint64 length, uint32 masked CRC of the length, the data, uint32 masked CRC of
 * the data, all little-endian.
 */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/**
 * Writes a TensorBoard event file `events.out.tfevents.<seconds>.<host>.<pid>.<n>`: a first
 * record with the file version, then one Event per call. Writes are buffered; `flush()` writes
 * and fsyncs them.
 */
export class EventFileWriter {
  private static counter = 0;
  readonly path: string;
  private fd: number | undefined;
  private pending: Uint8Array[] = [];

  constructor(dir: string) {
    requireLogFiles('EventFileWriter');
    const seconds = Math.floor(Date.now() / 1000);
    this.path = joinLogPath(dir, `events.out.tfevents.${seconds}.${writerName()}.${EventFileWriter.counter++}`);
    this.add({ wallTime: Date.now() / 1000, fileVersion: 'brain.Event:2' });
  }

  /** Queues one Event (a plain object in protobufjs's camelCase form). */
  add(event: Record<string, unknown>): void {
    this.pending.push(tfRecord(encodeEvent(event)));
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.fd ??= openForAppend(this.path);
    for (const record of this.pending) writeBytes(this.fd, record);
    syncFile(this.fd);
    this.pending = [];
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeFile(this.fd);
    this.fd = undefined;
  }
}
