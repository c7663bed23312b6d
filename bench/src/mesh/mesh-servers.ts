import { ChildXlaServer, startLocalXlaMesh } from '@strata/xla';
import type { MeshLayout } from './mesh-layout.js';

/** The local XLA servers of one mesh row, or why they did not start. */
export type MeshServers =
  | { readonly ok: true; readonly addresses: readonly string[]; stop(): Promise<void> }
  | { readonly ok: false; readonly reason: string };

/**
 * Starts the XLA:CPU servers of `layout` on loopback (the CPU platform in every row, so that a
 * single server does not take an accelerator the mesh's processes cannot share): one server forced to show
 * `devicesPerProcess` host devices, or `processes` such servers joined as one jax.distributed
 * mesh (gloo collectives over loopback). A failure becomes the row's reason, so that the other
 * rows still run.
 */
export async function startMeshServers(layout: MeshLayout, python: string | undefined, timeoutMs = 90_000): Promise<MeshServers> {
  if (!python) return { ok: false, reason: 'no Python with strata_xla_server (run bash scripts/setup.sh)' };
  try {
    if (layout.processes === 1) {
      const server = await ChildXlaServer.start({ python, platform: 'cpu', hostDevices: layout.devicesPerProcess, startTimeoutMs: timeoutMs, logLevel: 'WARNING' });
      return { ok: true, addresses: [server.address], stop: () => server.stop() };
    }
    const mesh = await startLocalXlaMesh({ python, processes: layout.processes, devicesPerProcess: layout.devicesPerProcess, platform: 'cpu', startTimeoutMs: timeoutMs });
    return { ok: true, addresses: mesh.addresses, stop: () => mesh.stop() };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
