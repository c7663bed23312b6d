import { cell, mib, ms, percent, sig3, times } from './format.js';
import { renderHostTime } from './host-time.js';
import type { BenchReport, RowResult } from './report-types.js';
import { RATIO_TIME_LABEL, type RatioSpread, type TimeSpread } from './ratios.js';

/** The peers whose ratio columns the table shows, in order. */
const RATIO_PEERS = ['lightning', 'pytorch', 'jax'] as const;
const PEER_LABELS: Record<string, string> = { lightning: 'PyTorch Lightning', pytorch: 'PyTorch eager', jax: 'jax.jit' };

/** The row label: the target name, with the CPU engine when the strategy chose it. */
export function rowLabel(row: RowResult): string {
  if (row.kind === 'peer') return PEER_LABELS[row.target] ?? row.target;
  // 'cpu' picks its engine at run time: say which one ran.
  if (row.target === 'cpu' && row.device) return row.device.engine.startsWith('tfjs-backend-cpu') ? 'cpu (js)' : 'cpu (native)';
  return row.target;
}

function statusText(row: RowResult): string {
  switch (row.status) {
    case 'unavailable':
      return `unavailable: ${row.reason ?? ''}`;
    case 'failed':
      return `failed: ${row.reason ?? ''}`;
    case 'timed-out':
      return `timed out: ${row.reason ?? ''}`;
    case 'skipped':
      return `skipped: ${row.reason ?? ''}`;
    case 'ok':
      return row.reason ?? '';
  }
}

/**
 * The benchmark table in Markdown, with the machine, the date, and the formulas behind the
 * derived columns: the text the README carries between its bench markers.
 */
export function renderMarkdown(report: BenchReport, spreads: readonly RatioSpread[] = [], drift: readonly TimeSpread[] = []): string {
  const { settings, machine } = report;
  const lines: string[] = [];
  lines.push(
    `Training step time (${workload(report)}), Adam (${settings.optimizer === 'flat' ? "the strategies: Strata's FlatAdam" : 'the strategies: tf.train.adam'}), batch norm (${settings.batchNorm === 'strata' ? "the strategies: Strata's batchNormTraining" : "the strategies: tfjs-layers' moments + batchNorm"}); ` +
      `median of ${settings.steps} steps${settings.minSecondsPerTarget ? ` or more (fast rows run until they have ${settings.minSecondsPerTarget} s of steps)` : ''} after ${settings.warmup} warm-up steps` +
      ((settings.processes ?? 1) > 1 ? `, pooled from ${settings.processes} processes per row` : '') +
      `, strategies and peers interleaved in rounds of ${settings.chunk}; ` +
      (settings.threads !== undefined ? `every framework limited to ${settings.threads} thread(s) (--threads)` : "each framework's default thread count") +
      (settings.malloc === 'fixed' ? '; glibc malloc thresholds pinned in every process (--malloc).' : '.'),
    '',
    `Machine: ${machine.cpu.model}, ${machine.cpu.cores} cores (${machine.cpu.logicalCpus} logical) at ${machine.cpu.ghz.toFixed(2)} GHz, ` +
      `${machine.cpu.flags.join('/')}, ${mib(machine.memoryBytes)} MiB, ${gpuList(machine.gpus)}${machine.os}, Node ${machine.node}. Date: ${report.date}.`,
    '',
  );
  const header = ['model', 'strategy / peer', 'engine', 'median ms', 'min–max ms', 'img/s', 'first step ms', 'GFLOP/s', '% of peak', 'RSS MiB', 'tfjs MiB', ...RATIO_PEERS.map((p) => `x ${PEER_LABELS[p]}`)];
  lines.push(`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`);
  for (const row of report.rows) {
    const ratio = (peer: string) => report.ratios.find((r) => r.model === row.model && r.target === row.target && r.peer === peer)?.ratio;
    const numbers = row.stats
      ? [ms(row.stats.medianMs), `${ms(row.stats.minMs)}–${ms(row.stats.maxMs)}`, sig3(row.imagesPerSecond), ms(row.firstStepMs), sig3(row.achievedGflops), percent(row.peakShare), mib(row.rssPeakBytes), mib(row.tfjsPeakBytes)]
      : [cell(statusText(row)), '', '', ms(row.firstStepMs), '', '', '', ''];
    // A strategy that ran the step traced once and replayed says so (bench --compile-steps).
    const step = row.device?.details.step ?? '';
    const engine = `${row.device?.engine ?? ''}${step === 'compiled' ? ', compiled step' : step.startsWith('compiled, ') ? `, compiled step (${step.slice('compiled, '.length)})` : ''}`;
    const note = row.stats && row.status === 'ok' && row.reason ? ` (${row.reason})` : '';
    lines.push(`| ${[row.model, rowLabel(row), cell(engine + note), ...numbers, ...RATIO_PEERS.map((p) => (row.kind === 'strategy' ? times(ratio(p)) : ''))].join(' | ')} |`);
  }
  lines.push(
    '',
    `The x columns are the strategy's step time over the peer's, both measured in this run, interleaved; each side's time is the ${RATIO_TIME_LABEL} ` +
      '(noise on a shared machine only adds time, and not to every engine alike, so the fast steps are what moves least between runs).',
    '',
  );
  if (report.targets.length > 0) {
    lines.push('Targets (strategy / peer, as in the x columns):', '');
    for (const t of report.targets) {
      const verdict = t.notApplicable !== undefined ? `not applicable here: ${t.notApplicable}` : t.ratio === undefined ? 'not measured' : t.met ? 'met' : 'not met';
      const measured =
        t.measure === 'difference'
          ? `${difference(t.differenceMs)} (limit ${t.limit} ms, ${t.target} - ${t.peer}; ${times(t.ratio)})`
          : `${times(t.ratio)} (limit ${t.limit}x, ${t.target} / ${t.peer})`;
      lines.push(`- ${t.label}: ${measured}: ${verdict}`);
    }
    lines.push('');
  }
  lines.push(...renderHostTime(report.rows, rowLabel));
  if (spreads.length > 0) {
    lines.push('Stability (the same ratio in each run; spread = max / min - 1):', '');
    lines.push('| model | strategy | peer | ratios | spread |', '|---|---|---|---|---:|');
    for (const s of spreads) lines.push(`| ${s.model} | ${s.target} | ${PEER_LABELS[s.peer] ?? s.peer} | ${s.ratios.map((r) => times(r)).join(', ')} | ${percent(s.spread)} |`);
    lines.push('');
  }
  if (drift.length > 0) {
    lines.push(
      `Drift (each row's own time in each run, the ${RATIO_TIME_LABEL}: how much the machine moved; a ratio moves when its two rows drift apart):`,
      '',
      '| model | strategy / peer | ms per run | spread |',
      '|---|---|---|---:|',
    );
    for (const d of drift) lines.push(`| ${d.model} | ${PEER_LABELS[d.target] ?? d.target} | ${d.timesMs.map((t) => ms(t)).join(', ')} | ${percent(d.spread)} |`);
    lines.push('');
  }
  lines.push(
    `Peak: ${machine.peak.formula}` +
      (settings.threads !== undefined && settings.threads < machine.cpu.cores ? `; % of peak is of the whole machine, though each row used ${settings.threads} thread(s).` : '.'),
    '',
    `FLOPs: ${report.flopFormula} ` +
      Object.entries(report.models)
        .map(([name, m]) => `${name}: ${(m.trainFlopsPerStep / 1e9).toFixed(2)} GFLOP per step, ${(m.params / 1e6).toFixed(2)} M parameters.`)
        .join(' '),
    '',
    `Timing: ${report.timing}`,
    '',
    `Regenerate: \`${report.command}\``,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Each model's batch, input and loss: 'tiny-cnn: batch 32 of 64x64x3 images, sigmoid
 * cross-entropy'. A report from before per-model batches has them in its settings.
 */
function workload(report: BenchReport): string {
  const { settings } = report;
  return Object.entries(report.models)
    .map(([name, m]) => `${name}: batch ${m.batchSize ?? settings.batchSize ?? '?'} of ${m.input ?? `${settings.imageSize}x${settings.imageSize} RGB images`}, ${m.loss ?? 'sigmoid cross-entropy'}`)
    .join('; ');
}

/** A step-time difference in ms with its sign: '+16.2 ms', '-0.3 ms'. */
function difference(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : '-'}${ms(Math.abs(value))} ms`;
}

/** "1 GPU: NVIDIA H200, " or nothing. */
function gpuList(gpus: readonly string[] | undefined): string {
  if (!gpus || gpus.length === 0) return '';
  return `${gpus.length} GPU${gpus.length > 1 ? 's' : ''}: ${gpus.join(', ')}, `;
}
