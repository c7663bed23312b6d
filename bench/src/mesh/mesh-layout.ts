import { StrataError, quote } from '@strata/core';

/**
 * How the tpu strategy's devices are laid out over XLA server processes: `processes` servers of
 * `devicesPerProcess` devices each, one mesh of processes x devicesPerProcess devices (a single
 * server when `processes` is 1; jax.distributed over loopback when more).
 */
export interface MeshLayout {
  readonly processes: number;
  readonly devicesPerProcess: number;
}

/** The layouts the mesh suite measures by default: one device, two devices on one server, two servers of one device. */
export const DEFAULT_LAYOUTS: readonly MeshLayout[] = [
  { processes: 1, devicesPerProcess: 1 },
  { processes: 1, devicesPerProcess: 2 },
  { processes: 2, devicesPerProcess: 1 },
];

/** The prefix of a mesh row's target name: 'tpu@2x1' is the tpu strategy on 2 servers of 1 device. */
const TARGET_PREFIX = 'tpu@';

/** Every device of the layout: what the strategy splits the batch over. */
export function totalDevices(layout: MeshLayout): number {
  return layout.processes * layout.devicesPerProcess;
}

/** 'PxL', as `--layouts` spells a layout. */
export function layoutName(layout: MeshLayout): string {
  return `${layout.processes}x${layout.devicesPerProcess}`;
}

/** The bench target (row name) of a layout: 'tpu@PxL'. */
export function meshTarget(layout: MeshLayout): string {
  return `${TARGET_PREFIX}${layoutName(layout)}`;
}

/** The layout of a mesh row's target name, or undefined for any other target ('tpu', 'cpu', a peer). */
export function parseMeshTarget(target: string): MeshLayout | undefined {
  return target.startsWith(TARGET_PREFIX) ? parseLayout(target.slice(TARGET_PREFIX.length)) : undefined;
}

/** '1 server, 2 devices', '2 servers x 1 device': a layout in words, for the table. */
export function describeLayout(layout: MeshLayout): string {
  const devices = (n: number) => `${n} device${n === 1 ? '' : 's'}`;
  return layout.processes === 1 ? `1 server, ${devices(layout.devicesPerProcess)}` : `${layout.processes} servers x ${devices(layout.devicesPerProcess)}`;
}

/**
 * Parses 'PxL' (P server processes of L devices each), e.g. '2x1'. Anything else is a
 * `bad-input` error naming the value and the form.
 */
export function parseLayout(text: string): MeshLayout {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  const processes = Number(match?.[1]);
  const devicesPerProcess = Number(match?.[2]);
  if (!match || processes < 1 || devicesPerProcess < 1) {
    throw new StrataError('bad-input', `Invalid mesh layout ${quote(text)}.`, {
      value: text,
      fix: "write PxL: P server processes of L devices each, both at least 1, e.g. '1x1', '1x2', '2x1'.",
    });
  }
  return { processes, devicesPerProcess };
}

/**
 * Parses `--layouts`: comma-separated 'PxL' layouts, no repeats. The first is the baseline every
 * other row is compared with.
 */
export function parseLayouts(text: string): MeshLayout[] {
  const layouts = text.split(',').map((s) => s.trim()).filter(Boolean).map(parseLayout);
  if (layouts.length === 0) {
    throw new StrataError('bad-input', `--layouts ${quote(text)} names no layout.`, { value: text, fix: "list one or more PxL layouts, e.g. '1x1,1x2,2x1'." });
  }
  const names = layouts.map(layoutName);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) throw new StrataError('bad-input', `--layouts names ${quote(repeated)} twice.`, { value: text, fix: 'list each layout once.' });
  return layouts;
}
