// Test support: a Linear whose loss turns NaN from a given optimizer step on, so its weights
// turn NaN with that step's update; and a console.warn recorder.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/collate.js';
import { Linear } from './js-cpu.js';

export class DivergingLinear extends Linear {
  constructor(private readonly fromStep: number) {
    super();
  }
  override trainingStep(batch: Batch, i: number): tf.Scalar {
    const loss = super.trainingStep(batch, i);
    return this.trainer!.globalStep >= this.fromStep ? (tf.mul(loss, NaN) as tf.Scalar) : loss;
  }
}

/** Runs `fn` with console.warn recorded (and silenced); returns the messages. */
export async function recordWarnings(fn: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  try {
    await fn();
  } finally {
    console.warn = original;
  }
  return warnings;
}
