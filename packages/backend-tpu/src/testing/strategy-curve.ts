// Test support: the tiny CNN trained through an XLA strategy, with compilations counted.
import * as tf from '@tensorflow/tfjs-core';
import type { XlaStrategy } from '@strata/xla';
import { tinyBatch, tinyCnn, type TinyCnnOptions } from './tiny-cnn.js';

const SIZE = 16;

/** Loss curve through the strategy, with the compilations counted after each step. */
export async function strategyCurve(
  strategy: XlaStrategy,
  options: TinyCnnOptions,
  steps: number,
  batch: number,
): Promise<{ losses: number[]; compilations: number[]; serverBuffers: number[] }> {
  const model = strategy.scope(() => tinyCnn(options));
  const losses: number[] = [];
  const compilations: number[] = [];
  const serverBuffers: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { x, y } = strategy.distributeBatch(tinyBatch(batch, SIZE, 100 + i));
    const loss = await strategy.runStep(() => model.step(x, y));
    losses.push((await strategy.read(loss))[0]);
    compilations.push(strategy.stats().compilations);
    tf.dispose([x, y, loss]);
    serverBuffers.push((await strategy.serverUsage()).buffers);
  }
  model.dispose();
  return { losses, compilations, serverBuffers };
}

