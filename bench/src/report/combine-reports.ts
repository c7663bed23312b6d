import { StrataError, quote } from '@strata/core';
import { checkTargets, computeRatios, ratioSpread, timeSpread, type RatioSpread, type TimeSpread } from './ratios.js';
import type { BenchReport, ReportSettings, RowResult } from './report-types.js';

/** One table from several saved reports, with the stability and drift of the models measured more than once. */
export interface CombinedReport {
  readonly report: BenchReport;
  readonly spreads: readonly RatioSpread[];
  readonly drift: readonly TimeSpread[];
}

/** Settings that may differ between reports combined into one table (the table lists what each measured). */
const PER_REPORT_SETTINGS = new Set<keyof ReportSettings>(['strategies', 'peers', 'models']);

/**
 * Combines saved reports of one machine into one table: each model's rows come from the last
 * report (in the order given) that measured it, and a model that several reports measured gets
 * their stability (ratio spreads) and drift, as `--runs` prints them. A device lease too short
 * for three runs of every model can so publish three runs of one and one of the other; three
 * saved runs render their stability table again. Reports of different machines or settings are
 * refused: one heading could not describe them.
 *
 * @example
 * const { report, spreads, drift } = combineReports([tiny1, tiny2, tiny3, effnet]);
 * renderMarkdown(report, spreads, drift);
 */
export function combineReports(reports: readonly { readonly path: string; readonly report: BenchReport }[]): CombinedReport {
  if (reports.length === 0) throw new StrataError('bad-input', 'No report to render.', { value: reports.length, fix: 'pass one or more JSON reports: --render a.json [b.json ...].' });
  const first = reports[0]!;
  for (const other of reports.slice(1)) {
    const machine = machineDifference(first.report, other.report);
    if (machine) {
      throw new StrataError('bad-input', `${quote(other.path)} was measured on another machine than ${quote(first.path)} (${machine}).`, {
        value: other.path,
        fix: 'render the reports of each machine on their own.',
      });
    }
    const setting = differingSetting(first.report.settings, other.report.settings);
    if (setting) {
      throw new StrataError('bad-input', `${quote(other.path)} was measured with another ${setting} than ${quote(first.path)} (${JSON.stringify(other.report.settings[setting])} against ${JSON.stringify(first.report.settings[setting])}).`, {
        value: other.path,
        fix: 'combine only reports measured with the same settings, apart from --strategies, --peers and --models.',
      });
    }
  }

  const models = unique(reports.flatMap(({ report }) => report.rows.map((r) => r.model)));
  const rows: RowResult[] = [];
  const spreads: RatioSpread[] = [];
  const drift: TimeSpread[] = [];
  for (const model of models) {
    const runs = reports.map(({ report }) => report.rows.filter((r) => r.model === model)).filter((modelRows) => modelRows.length > 0);
    rows.push(...runs[runs.length - 1]!);
    if (runs.length > 1) {
      spreads.push(...ratioSpread(runs.map(computeRatios)));
      drift.push(...timeSpread(runs));
    }
  }

  const last = reports[reports.length - 1]!.report;
  const report: BenchReport = {
    ...last,
    // The date of the newest measurement shown; every command that measured a row, in order.
    date: reports.map(({ report: r }) => r.date).sort().at(-1)!,
    command: unique(reports.map(({ report: r }) => r.command)).join(' && '),
    settings: {
      ...last.settings,
      strategies: unique(reports.flatMap(({ report: r }) => r.settings.strategies)),
      peers: unique(reports.flatMap(({ report: r }) => r.settings.peers)),
      models,
    },
    models: Object.fromEntries(models.map((m) => [m, reports.map(({ report: r }) => r.models[m]).filter((f) => f !== undefined).at(-1)!])),
    rows,
    ratios: computeRatios(rows),
    // Recomputed with today's rules; the Trainer-overhead target is not a row, so it is kept.
    targets: [...checkTargets(rows), ...reports.flatMap(({ report: r }) => r.targets.filter((t) => t.peer === 'hand-written loop'))],
  };
  return { report, spreads, drift };
}

/** Why two reports' machines differ (CPU, cores, GPUs, OS), or undefined. */
function machineDifference(a: BenchReport, b: BenchReport): string | undefined {
  const describe = (r: BenchReport) => `${r.machine.cpu.model}, ${r.machine.cpu.cores} cores, ${(r.machine.gpus ?? []).join(' + ') || 'no GPU'}, ${r.machine.os}`;
  return describe(a) === describe(b) ? undefined : `${describe(b)} against ${describe(a)}`;
}

/** The first measurement setting in which the two differ, or undefined. */
function differingSetting(a: ReportSettings, b: ReportSettings): keyof ReportSettings | undefined {
  const keys = unique([...Object.keys(a), ...Object.keys(b)]) as (keyof ReportSettings)[];
  return keys.find((k) => !PER_REPORT_SETTINGS.has(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
