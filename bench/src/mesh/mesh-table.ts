import { cell, mib, ms, sig3, times } from '../report/format.js';
import { RATIO_TIME_LABEL } from '../report/ratios.js';
import type { RowResult } from '../report/report-types.js';
import { describeLayout, layoutName, parseLayout, totalDevices } from './mesh-layout.js';
import { meshRatios, rowLayout, type MeshReport } from './mesh-report.js';

/**
 * The mesh suite's table in Markdown: per model and layout the step time, images per second and
 * the ratios over the baseline layout and over one server with as many devices, then what the
 * table does and does not show, and the command that measured it: the text the README carries
 * between its <!-- bench:mesh:start --> and <!-- bench:mesh:end --> markers.
 */
export function renderMeshMarkdown(report: MeshReport): string {
  const { settings, machine } = report;
  const baseline = parseLayout(settings.layouts[0]!);
  const ratios = meshRatios(report.rows, baseline);
  const cores = machine.cpu.cores;
  const lines: string[] = [
    `Data-parallel training step time of the \`tpu\` strategy on XLA:CPU servers started on this machine (${workload(report)}), ` +
      `the same global batch in every row, split over the row's devices; Adam (${settings.optimizer === 'flat' ? "Strata's FlatAdam" : 'tf.train.adam'}), ` +
      `${settings.compileSteps === 'auto' ? 'compiled steps (one Execute per server a step)' : 'steps traced every time (--compile-steps off)'}; ` +
      `median of ${settings.steps} steps${settings.minSecondsPerTarget ? ` or more (rows run until they have ${settings.minSecondsPerTarget} s of steps)` : ''} after ${settings.warmup} warm-up steps, ` +
      `pooled from ${settings.processes} worker process${settings.processes === 1 ? '' : 'es'} per row, each with its own servers; the rows interleaved in rounds of ${settings.chunk}. ` +
      'Several servers are one jax.distributed mesh (a coordinator on loopback, gloo collectives between the processes); each server shows its devices through `--xla_force_host_platform_device_count`.',
    '',
    `Machine: ${machine.cpu.model}, ${cores} cores (${machine.cpu.logicalCpus} logical) at ${machine.cpu.ghz.toFixed(2)} GHz, ${mib(machine.memoryBytes)} MiB, ${machine.os}, Node ${machine.node}. Date: ${report.date}.` +
      (report.loadAverage
        ? ` Load average (1 min): ${report.loadAverage.start.toFixed(1)} when the run started, ${report.loadAverage.end.toFixed(1)} when it ended (the run's own processes included)` +
          // Before the run starts the load is other jobs' alone.
          (report.loadAverage.start > cores / 2 ? '; other jobs shared the machine, which slows every row alike: read the ratios, not the times.' : '.')
        : ''),
    '',
  ];
  const header = ['model', 'layout', 'servers x devices', 'batch per device', 'median ms', 'min–max ms', 'img/s', 'first step ms', 'mean ms', 'of which Execute wait ms', `x ${describeLayout(baseline)}`, 'x 1 server, same devices'];
  lines.push(`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`);
  for (const row of report.rows) {
    const layout = rowLayout(row);
    const batch = report.models[row.model]?.batchSize;
    const ratio = ratios.find((r) => r.model === row.model && r.target === row.target);
    const numbers = row.stats
      ? [ms(row.stats.medianMs), `${ms(row.stats.minMs)}–${ms(row.stats.maxMs)}`, sig3(row.imagesPerSecond), ms(row.firstStepMs), ms(mean(row.stepsMs)), ms(executeWaitMs(row))]
      : [cell(statusText(row)), '', '', ms(row.firstStepMs), '', ''];
    // A row whose strategy did not compile its step (--compile-steps off, or a strategy without it) says so.
    const traced = row.device && row.device.details.step !== 'compiled' ? ' (step traced every time)' : '';
    const note = row.stats && row.status === 'ok' && row.reason ? ` (${row.reason})` : '';
    lines.push(
      `| ${[
        row.model,
        cell(`${describeLayout(layout)}${traced}${note}`),
        layoutName(layout),
        batch === undefined ? '—' : perDevice(batch, totalDevices(layout)),
        ...numbers,
        ratio?.overBaseline === undefined ? '' : times(ratio.overBaseline),
        ratio?.overOneServer === undefined ? '' : times(ratio.overOneServer),
      ].join(' | ')} |`,
    );
  }
  lines.push(
    '',
    `The x columns are the row's step time over another row's, both measured in this run, interleaved; each side's time is the ${RATIO_TIME_LABEL}. ` +
      `"x 1 server, same devices" is the price of the processes: a row of several servers over one server with as many devices ` +
      '(one Execute round trip to each server instead of one, and the gradients all-reduced by gloo between processes instead of within one). ' +
      'Execute wait is the part of a mean step the Node side spends waiting for the answers to its Execute calls (the backend\'s own counter): the servers\' work and the round trips.',
    '',
    `What it shows and what it does not: every server of every row runs on this one machine and shares its ${cores} cores, so a second device or a second server ` +
      'adds no hardware. A row faster than the baseline gets it from running its partitions side by side on the same cores, which one XLA:CPU device may not keep busy; ' +
      '"x 1 server, same devices" is the overhead of the distributed runtime (a second process, its Execute round trip, gloo\'s all-reduce over loopback). ' +
      'None of it is a multi-host speed-up: what several hosts gain, each server with its own cores or accelerators and the all-reduce over a network, needs several machines.',
    '',
    `Timing: ${report.timing}`,
    '',
    `Regenerate: \`${report.command}\``,
  );
  return `${lines.join('\n')}\n`;
}

/** The mean time a step waited for its Execute calls (the backend's own counter), where the row reports it. */
function executeWaitMs(row: RowResult): number | undefined {
  const stats = row.backendStats;
  return stats && stats.steps > 0 ? stats.counters.executeMs / stats.steps : undefined;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** '16', or '10.7' where the batch does not divide (the strategy pads it). */
function perDevice(batch: number, devices: number): string {
  const share = batch / devices;
  return Number.isInteger(share) ? String(share) : share.toFixed(1);
}

/** Each model's batch, input and loss: 'tiny-cnn: batch 32 of 64x64x3 images, sigmoid cross-entropy'. */
function workload(report: MeshReport): string {
  return Object.entries(report.models)
    .map(([name, m]) => `${name}: batch ${m.batchSize ?? '?'} of ${m.input ?? 'images'}, ${m.loss ?? 'sigmoid cross-entropy'}`)
    .join('; ');
}

function statusText(row: RowResult): string {
  return row.status === 'ok' ? (row.reason ?? '') : `${row.status}: ${row.reason ?? ''}`;
}
