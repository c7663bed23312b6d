import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The file operations of the file loggers (CSV, JSON lines, TensorBoard), on the local file
 * system. A browser build swaps this file for one that refuses file loggers.
 */

/** Throws where file loggers cannot run (a browser); nothing on Node. */
export function requireLogFiles(_logger: string): void {}

/** `parts` joined as a file-system path. */
export function joinLogPath(...parts: string[]): string {
  return join(...parts);
}

/** The folder relative log folders start from. */
export function workingDirectory(): string {
  return process.cwd();
}

export function makeDirectory(path: string): void {
  mkdirSync(path, { recursive: true });
}

/** The names in `dir`; throws when it does not exist. */
export function listDirectory(dir: string): string[] {
  return readdirSync(dir);
}

export function writeText(path: string, text: string): void {
  writeFileSync(path, text);
}

/** Replaces `path` through a temporary sibling and a rename, so readers never see half a file. */
export function replaceText(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export function appendText(path: string, text: string): void {
  appendFileSync(path, text);
}

/** Opens `path` for appending; returns its descriptor. */
export function openForAppend(path: string): number {
  return openSync(path, 'a');
}

/** Writes `bytes` at the end of the open file `fd`. */
export function writeBytes(fd: number, bytes: Uint8Array): void {
  writeSync(fd, bytes);
}

/** Flushes the open file `fd` to the disk. */
export function syncFile(fd: number): void {
  fsyncSync(fd);
}

export function closeFile(fd: number): void {
  closeSync(fd);
}

/** This machine's and process's name for TensorBoard's event file names: `<host>.<pid>`. */
export function writerName(): string {
  return `${hostname()}.${process.pid}`;
}
