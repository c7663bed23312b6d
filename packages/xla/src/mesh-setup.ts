// How an XlaStrategy given several server addresses joins them as one mesh: the addresses, the
// agreement of their Health replies, the device order, and the one MeshSession over them all.
import { StrataError, errorReason, invalidOption, type Availability } from '@strata/core';
import { MeshSession } from './client/mesh-session.js';
import { checkMeshMembers, type MeshMemberHealth } from './client/mesh-members.js';
import type { ServerDevice, ServerHealth, XlaClient } from './client/xla-client.js';
import { DEFAULT_XLA_ADDRESS, type XlaStrategyOptions, type XlaStrategyProfile } from './xla-strategy-profile.js';

/**
 * The server addresses of a strategy: the `addresses` option, else the `address` option or the
 * profile's variable, either of which may list several, comma-separated; else the default.
 */
export function serverAddressesOf(options: XlaStrategyOptions, profile: XlaStrategyProfile): string[] {
  if (options.addresses !== undefined) {
    if (options.address !== undefined) invalidOption('address', options.address, 'left out when addresses is given (addresses lists every server, the first included)');
    const ok = Array.isArray(options.addresses) && options.addresses.length > 0 && options.addresses.every((a) => typeof a === 'string' && a.trim() !== '');
    if (!ok) invalidOption('addresses', options.addresses, "a non-empty array of server addresses, e.g. ['grpc://10.0.0.2:8470', 'grpc://10.0.0.3:8470']");
    return options.addresses.map((a) => a.trim());
  }
  const text = options.address ?? process.env[profile.addressEnv] ?? DEFAULT_XLA_ADDRESS;
  const addresses = text.split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (addresses.length === 0) {
    invalidOption(options.address !== undefined ? 'address' : profile.addressEnv, text, "a server address such as 'grpc://127.0.0.1:8470', or several separated by commas");
  }
  return addresses;
}

/** The Health reply of every server, in the order given; a server that does not answer is named. */
export async function probeMeshMembers(clients: readonly XlaClient[], deadlineMs: number): Promise<MeshMemberHealth[]> {
  return Promise.all(
    clients.map(async (client) => {
      try {
        return { address: client.address, health: await client.health(deadlineMs) };
      } catch (error) {
        throw new StrataError('strategy-unavailable', `The XLA server at ${client.address}, one of the ${clients.length} servers of the mesh, did not answer: ${errorReason(error)}`, {
          value: client.address,
          fix: error instanceof StrataError && error.fix ? error.fix : 'start it (every server of the mesh must run) or correct its address.',
          cause: error,
        });
      }
    }),
  );
}

/**
 * Devices a mesh session of `cores` devices runs on, in the mesh's order: the first
 * cores/P devices of each process, processes in order. `cores` must be a multiple of the
 * number of servers and at most the global count.
 */
export function checkMeshCores(cores: number, processes: number, globalDevices: number, className: string): void {
  if (cores % processes !== 0 || cores > globalDevices) {
    throw new StrataError('strategy-unavailable', `cores: ${cores} cannot run on the mesh of ${processes} servers with ${globalDevices} device(s) in all.`, {
      value: cores,
      fix: `use a multiple of ${processes} up to ${globalDevices} (the same number of devices on each server), e.g. new ${className}({ addresses, cores: ${globalDevices} }), or cores: -1 for all.`,
    });
  }
}

/** The devices of the session, in the mesh's order (the first `cores / P` devices of each process). */
export function meshDevices(devices: readonly ServerDevice[], cores: number, processes: number): ServerDevice[] {
  const perProcess = cores / processes;
  const sorted = [...devices].sort((a, b) => a.process_index - b.process_index || a.id - b.id);
  return Array.from({ length: processes }, (_, p) => sorted.filter((d) => d.process_index === p).slice(0, perProcess)).flat();
}

/** A mesh joined: its session, its members in process order, and its devices. */
export interface OpenedMesh {
  readonly session: MeshSession;
  /** The clients, in process order; the strategy closes them at teardown. */
  readonly clients: XlaClient[];
  readonly members: MeshMemberHealth[];
  /** Every device of the mesh (as ListDevices gives them). */
  readonly devices: ServerDevice[];
  /** The global device count the session runs on (cores, or all for -1). */
  readonly cores: number;
}

/**
 * Checks that the servers form one mesh and opens one session over them all. The clients are
 * the caller's; on failure nothing else is left open.
 */
export async function openMesh(clients: readonly XlaClient[], cores: number, options: { memoryQuotaBytes?: number; className: string }): Promise<OpenedMesh> {
  const members = checkMeshMembers(await probeMeshMembers(clients, 10_000));
  const ordered = members.map((m) => clients.find((c) => c.address === m.address)!);
  const global = members[0].health.device_count;
  const numDevices = cores === -1 ? global : cores;
  checkMeshCores(numDevices, members.length, global, options.className);
  const devices = await ordered[0].listDevices();
  const session = await MeshSession.open(ordered, { numDevices, memoryQuotaBytes: options.memoryQuotaBytes });
  return { session, clients: ordered, members, devices, cores: numDevices };
}

/**
 * `isAvailable()` of a mesh: every server answers, they form one mesh, and it has the devices
 * asked for. Closes the clients.
 */
export async function meshAvailability(
  clients: readonly XlaClient[],
  cores: number,
  deadlineMs: number,
  className: string,
  engineOf: (health: ServerHealth) => string,
): Promise<Availability> {
  try {
    const members = checkMeshMembers(await probeMeshMembers(clients, deadlineMs));
    if (cores !== -1) checkMeshCores(cores, members.length, members[0].health.device_count, className);
    return { available: true, engine: engineOf(members[0].health) };
  } catch (error) {
    return { available: false, reason: errorReason(error), remedy: error instanceof StrataError && error.fix ? error.fix : 'start every server of the mesh.' };
  } finally {
    for (const client of clients) client.close();
  }
}
