// Test support (not built into dist): tfjs's own CPU backend behind the contract, since the
// training package imports no backend package; and small modules and data for the tests.
import * as tf from '@tensorflow/tfjs-core';
import { TfjsStrategy, type Availability, type Precision, type StrategyCapabilities } from '@strata/core';
import { DataLoader } from '../data/data-loader.js';
import { arrayDataset, type Sample } from '../data/dataset.js';
import type { Batch } from '../data/collate.js';
import type { OptimizerConfig } from '../optim/optimizer-config.js';
import { TrainingModule } from '../training-module.js';

export class JsCpu extends TfjsStrategy {
  readonly name: string = 'cpu';
  readonly priority = 0;
  async isAvailable(): Promise<Availability> {
    return { available: true, engine: 'tfjs-backend-cpu' };
  }
  protected backendName(): string {
    return 'cpu';
  }
  protected async registerBackend(): Promise<void> {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  protected engineName(): string {
    return 'tfjs-backend-cpu';
  }
}

/**
 * A strategy that declares '16-mixed' (computing in float32), so the Trainer's fp16 path (loss
 * scaling, skip on non-finite gradients) runs on the CPU; as a TPU strategy would declare it.
 */
export class JsCpuMixed extends JsCpu {
  override readonly name = 'cpu-mixed';
  override capabilities(): StrategyCapabilities {
    return { ...super.capabilities(), precisions: ['32', '16-mixed', 'bf16-mixed'] as Precision[] };
  }
}

export async function jsCpu(): Promise<JsCpu> {
  const s = new JsCpu();
  await s.setup();
  return s;
}

let count = 0;

/** y = x·w + b with MSE: two weights, one bias. */
export class Linear extends TrainingModule<Batch> {
  readonly w = tf.variable(tf.tensor2d([[0.5], [-0.25]]), true, `linear_w${count}`);
  readonly b = tf.variable(tf.zeros([1]), true, `linear_b${count++}`);
  trainBatches: number[] = [];
  valBatches = 0;
  testBatches = 0;
  constructor(private readonly lr = 0.1) {
    super();
  }
  override parameters(): tf.Variable[] {
    return [this.w, this.b];
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.w), this.b);
  }
  trainingStep(batch: Batch, batchIndex: number): tf.Scalar {
    this.trainBatches.push(batchIndex);
    return tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)) as tf.Scalar;
  }
  override validationStep(batch: Batch): void {
    this.valBatches++;
    this.log('val_loss', tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)));
  }
  override testStep(batch: Batch): void {
    this.testBatches++;
    this.log('test_loss', tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)));
  }
  configureOptimizers(): tf.Optimizer | OptimizerConfig {
    return tf.train.sgd(this.lr);
  }
  dispose(): void {
    tf.dispose([this.w, this.b]);
  }
}

/** 32 samples of y = 2a - b + 0.5 over (a, b) = (sin i, cos 3i). */
export const linearData: Sample[] = Array.from({ length: 32 }, (_, i) => {
  const a = Math.sin(i);
  const b = Math.cos(3 * i);
  return { x: { data: Float32Array.of(a, b), shape: [2] }, y: 2 * a - b + 0.5 };
});

export function loader(batchSize: number, data: Sample[] = linearData, options: { shuffle?: boolean; seed?: number } = {}): DataLoader {
  return new DataLoader(arrayDataset(data), { batchSize, ...options });
}

/** Reads variables to plain arrays. */
export async function values(vars: tf.Variable[]): Promise<number[][]> {
  return Promise.all(vars.map(async (v) => Array.from(await v.data())));
}

export function maxAbsDiff(a: number[][], b: number[][]): number {
  let max = 0;
  a.forEach((row, i) => row.forEach((x, j) => (max = Math.max(max, Math.abs(x - b[i][j])))));
  return max;
}

/** A Linear whose validation logs a scripted `val_loss` per epoch (the trainer's current epoch). */
export class Scripted extends Linear {
  constructor(private readonly script: number[]) {
    super();
  }
  override validationStep(): void {
    const epoch = this.trainer!.currentEpoch;
    this.log('val_loss', this.script[Math.min(epoch, this.script.length - 1)]);
  }
}
