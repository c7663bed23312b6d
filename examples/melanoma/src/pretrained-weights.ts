import { basename } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadPretrainedWeights } from '@strata/vision';
import type { PretrainedModelName } from './model-names.js';

/** What `loadPretrainedWeights` reports. */
export type PretrainedReport = Awaited<ReturnType<typeof loadPretrainedWeights>>;

/**
 * Loads the ImageNet weights in `path` (a PyTorch `.pth` or safetensors file of `architecture`)
 * into `model`: every tensor whose name and shape match; the 1000-class head, whose shape does
 * not fit the one-logit head, is skipped and keeps its initial weights. Returns the report and
 * its one-line summary.
 */
export async function loadPretrained(model: tfl.LayersModel, path: string, architecture: PretrainedModelName): Promise<{ report: PretrainedReport; summary: string }> {
  const report = await loadPretrainedWeights(model, path, { architecture });
  return { report, summary: summarizePretrained(report, path, architecture) };
}

/**
 * One line: `Pretrained efficientnet-lite0 weights from FILE (format, key style): N loaded,
 * skipped: KEYS, M left initial (WEIGHTS)`. The reasons of the skips are in the report.
 */
export function summarizePretrained(report: PretrainedReport, path: string, architecture: string): string {
  const skipped = report.skipped.length === 0 ? 'none' : listSome(report.skipped.map((s) => s.key), 4);
  const initial = report.initial.length === 0 ? '' : ` (${listSome(report.initial, 4)})`;
  return `Pretrained ${architecture} weights from ${basename(path)} (${report.format}, ${report.keys} keys): ${report.loaded.length} loaded, skipped: ${skipped}, ${report.initial.length} left initial${initial}`;
}

function listSome(names: readonly string[], most: number): string {
  return names.length <= most ? names.join(', ') : `${names.slice(0, most).join(', ')} and ${names.length - most} more`;
}
