import { StrataError } from '@strata/core';
import type { ServerHealth } from './xla-client.js';

/** One server of a mesh and what its Health call said. */
export interface MeshMemberHealth {
  readonly address: string;
  readonly health: ServerHealth;
}

/** The flags that start a server as process I of P (quoted in fixes). */
const MESH_FLAGS = '--coordinator-address HOST:PORT --num-processes P --process-id I';

/**
 * Checks that the servers at the given addresses are the processes of one mesh: each healthy,
 * every one with the same mesh id, platform, server and jax versions and global device count,
 * as many processes as addresses and each process once. Returns them ordered by process index
 * (the mesh's device order). Throws a `strategy-unavailable` error naming the server and the
 * value that differs.
 */
export function checkMeshMembers(members: readonly MeshMemberHealth[]): MeshMemberHealth[] {
  const count = members.length;
  for (const { address, health } of members) {
    if (!health.ok) refuse(address, 'reports it is not healthy', false, 'see its log and restart it.');
    if (health.process_count !== count) {
      const flags = health.process_count <= 1 ? `it runs on its own (process_count ${health.process_count})` : `it is one of ${health.process_count} processes`;
      refuse(address, `is not one of ${count} processes: ${flags}`, health.process_count, `start each of the ${count} servers with ${MESH_FLAGS} (P = ${count}), or pass the addresses of all ${health.process_count} processes of its mesh.`);
    }
    if (health.process_index < 0 || health.process_index >= count) {
      refuse(address, `reports process_index ${health.process_index}, outside 0..${count - 1}`, health.process_index, `start it with --process-id between 0 and ${count - 1}.`);
    }
  }
  const first = members[0];
  const agree: readonly [keyof ServerHealth, string, string][] = [
    ['mesh_id', 'mesh_id', 'pass the addresses of the servers of one mesh (the same --coordinator-address and --num-processes).'],
    ['platform', 'platform', 'run every server of the mesh on the same kind of device.'],
    ['server_version', 'server_version', 'install the same Strata XLA server version on every host.'],
    ['jax_version', 'jax_version', 'install the same jax version on every host.'],
    ['device_count', 'device_count (the global device count)', 'start every server of the mesh the same way, with the same coordinator.'],
  ];
  for (const member of members.slice(1)) {
    for (const [field, name, fix] of agree) {
      if (member.health[field] !== first.health[field]) {
        refuse(member.address, `reports ${name} ${JSON.stringify(member.health[field])}, but ${first.address} reports ${JSON.stringify(first.health[field])}`, member.health[field], fix);
      }
    }
  }
  if (first.health.mesh_id === '') {
    refuse(first.address, 'reports no mesh_id', '', `start each of the ${count} servers with ${MESH_FLAGS}.`);
  }
  const byIndex = new Map<number, MeshMemberHealth>();
  for (const member of members) {
    const other = byIndex.get(member.health.process_index);
    if (other) {
      refuse(
        member.address,
        `is process ${member.health.process_index} of mesh ${JSON.stringify(member.health.mesh_id)}, as is ${other.address}: the two addresses reach the same process`,
        member.health.process_index,
        `pass each process of the mesh once (${count} addresses, process ids 0..${count - 1}).`,
      );
    }
    byIndex.set(member.health.process_index, member);
  }
  return [...members].sort((a, b) => a.health.process_index - b.health.process_index);
}

function refuse(address: string, what: string, value: unknown, fix: string): never {
  throw new StrataError('strategy-unavailable', `The XLA server at ${address} ${what}.`, { value, fix });
}
