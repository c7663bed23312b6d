// An XLA server's address as users write it: 'grpc://host:port' (plaintext), 'grpcs://host:port'
// (TLS) or 'host:port' (plaintext), parsed once into what the channel and the safety checks need.
import { isIP } from 'node:net';
import { StrataError } from '@strata/core';

/** A parsed server address. */
export interface ServerAddress {
  /** True for 'grpcs://': the channel speaks TLS. */
  readonly tls: boolean;
  /** 'host:port', the target grpc-js dials. */
  readonly target: string;
  /** The host alone, without brackets around an IPv6 address. */
  readonly host: string;
}

/**
 * Parses 'grpc://host:8470', 'grpcs://host:8470' or 'host:8470'.
 *
 * @example
 * parseServerAddress('grpcs://tpu-vm:8470'); // { tls: true, target: 'tpu-vm:8470', host: 'tpu-vm' }
 */
export function parseServerAddress(address: string): ServerAddress {
  const match = /^(?:(grpcs?):\/\/)?([^/]+?)\/?$/.exec(address.trim());
  if (match === null) {
    throw new StrataError('invalid-option', `Invalid XLA server address ${JSON.stringify(address)}.`, {
      value: address,
      fix: "write it as 'grpc://host:port' (plaintext, for loopback or an SSH tunnel) or 'grpcs://host:port' (TLS), for example 'grpc://127.0.0.1:8470'.",
    });
  }
  const target = match[2];
  return { tls: match[1] === 'grpcs', target, host: hostOf(target) };
}

/** True when the address is 'grpcs://...'. */
export function isTlsAddress(address: string): boolean {
  return /^\s*grpcs:\/\//.test(address);
}

/** True for 'localhost', 127.0.0.0/8 and ::1: traffic that never leaves this machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(name);
  return false;
}

/** The port of 'grpc://host:port', or undefined when it has none. */
export function portOf(address: string): number | undefined {
  const port = Number(/:(\d+)\/?$/.exec(address.trim())?.[1]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** 'host:port' or '[v6]:port' to the host. */
function hostOf(target: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(target);
  if (bracketed) return bracketed[1];
  // A bare IPv6 address has several colons and no port.
  if (isIP(target) === 6) return target;
  return target.replace(/:\d+$/, '');
}
