import { StrataError } from '@strata/core';

/**
 * The browser twin of the file loggers' file operations: a page has no file system that the
 * CSV, JSON-lines or TensorBoard logger could write, so constructing one fails with the logger
 * to use instead, and every operation refuses the same way.
 */

/** Throws: file loggers do not run in a browser. */
export function requireLogFiles(logger: string): void {
  throw new StrataError('unsupported-option', `${logger} writes log files, and a browser page has no file system to write them to.`, {
    value: logger,
    fix: 'use InPageLogger from @strata/training (every logged row and the hyperparameters, through a callback and the console), or run the file loggers in Node.',
  });
}

function refuse(): never {
  return requireLogFiles('A file logger') as never;
}

export function joinLogPath(...parts: string[]): string {
  return parts.join('/');
}

export function workingDirectory(): string {
  return '.';
}

export function makeDirectory(_path: string): void {
  refuse();
}

export function listDirectory(_dir: string): string[] {
  return refuse();
}

export function writeText(_path: string, _text: string): void {
  refuse();
}

export function replaceText(_path: string, _text: string): void {
  refuse();
}

export function appendText(_path: string, _text: string): void {
  refuse();
}

export function openForAppend(_path: string): number {
  return refuse();
}

export function writeBytes(_fd: number, _bytes: Uint8Array): void {
  refuse();
}

export function syncFile(_fd: number): void {
  refuse();
}

export function closeFile(_fd: number): void {
  refuse();
}

export function writerName(): string {
  return 'browser';
}
