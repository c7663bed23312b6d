import type { MachineInfo, ModelFlops, RowResult } from '../report/report-types.js';
import { ratioTime } from '../report/ratios.js';
import type { BenchSettings, Measurement } from '../settings.js';
import { layoutName, parseMeshTarget, totalDevices, type MeshLayout } from './mesh-layout.js';

/** What one run of the mesh suite produced: the JSON file is exactly this. */
export interface MeshReport {
  readonly tool: '@strata/bench';
  readonly suite: 'mesh';
  readonly formatVersion: 1;
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  /** The machine's 1-minute load average when the run started and when it ended (other jobs on a shared machine). */
  readonly loadAverage?: { readonly start: number; readonly end: number };
  readonly settings: Measurement & Pick<BenchSettings, 'models' | 'optimizer' | 'batchNorm' | 'compileSteps' | 'malloc' | 'threads'> & {
    /** The layouts measured, as `--layouts` spells them ('1x1', '1x2', '2x1'); the first is the baseline. */
    readonly layouts: readonly string[];
  };
  readonly timing: string;
  readonly models: Readonly<Record<string, ModelFlops>>;
  /** One row per model and layout, its target 'tpu@PxL'. */
  readonly rows: readonly RowResult[];
}

/** One row's step time over another's (`ratioTime` of each, as every ratio of the bench). */
export interface MeshRatio {
  readonly model: string;
  readonly target: string;
  /** Over the model's baseline row (the first layout). */
  readonly overBaseline?: number;
  /**
   * Several servers only: over one server with the same number of devices, where measured: the
   * price of the processes (one Execute round trip per server, collectives between processes
   * instead of within one).
   */
  readonly overOneServer?: number;
}

/** The layout of a mesh row (its target is 'tpu@PxL'). */
export function rowLayout(row: RowResult): MeshLayout {
  const layout = parseMeshTarget(row.target);
  if (!layout) throw new Error(`not a mesh row: ${row.target}`);
  return layout;
}

/**
 * Every row's ratios on its model: over the baseline layout's row (`baseline`), and, for a row
 * of several servers, over the single server with the same device count. A ratio is absent when
 * either row has no numbers.
 */
export function meshRatios(rows: readonly RowResult[], baseline: MeshLayout): MeshRatio[] {
  const time = (row: RowResult | undefined) => (row?.status === 'ok' && row.stats ? ratioTime(row.stats) : undefined);
  const over = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a / b : undefined);
  return rows.map((row) => {
    const layout = rowLayout(row);
    const peers = rows.filter((r) => r.model === row.model);
    const base = peers.find((r) => layoutName(rowLayout(r)) === layoutName(baseline));
    const oneServer =
      layout.processes > 1 ? peers.find((r) => rowLayout(r).processes === 1 && totalDevices(rowLayout(r)) === totalDevices(layout)) : undefined;
    const overBaseline = row === base ? undefined : over(time(row), time(base));
    const overOneServer = over(time(row), time(oneServer));
    return {
      model: row.model,
      target: row.target,
      ...(overBaseline !== undefined ? { overBaseline } : {}),
      ...(overOneServer !== undefined ? { overOneServer } : {}),
    };
  });
}
