import { StrataError, quote } from '@strata/core';
import type { ModelSpec } from '@strata/vision/models';

/**
 * What a model trains on, derived from its spec: images [N, S, S, C] for a network that starts
 * with a convolution, or vectors [N, C] for one that starts with a dense layer (the MLP); and its
 * loss: sigmoid cross-entropy on 0/1 labels [N, 1] for one logit, softmax cross-entropy on
 * one-hot labels [N, K] for K > 1 logits. Every row (the strategies and the Python peers) builds
 * its batch and loss from this, so all of them train the same problem.
 */
export interface ModelInput {
  readonly kind: 'images' | 'vectors';
  /** The batch's shape: [N, S, S, C] (NHWC; PyTorch transposes to NCHW) or [N, C]. */
  readonly shape: readonly number[];
  /** Logits of the head: 1 (sigmoid cross-entropy) or the number of classes (softmax cross-entropy). */
  readonly classes: number;
}

/** The input of `spec` for a batch of `batchSize` (and `imageSize` x `imageSize` images, where it takes images). */
export function modelInput(spec: ModelSpec, batchSize: number, imageSize: number): ModelInput {
  const last = spec.layers[spec.layers.length - 1];
  if (last?.kind !== 'dense') {
    throw new StrataError('bad-input', `Model ${quote(spec.name)} does not end in a dense layer (its last layer is ${quote(last?.kind ?? 'none')}).`, {
      value: spec.name,
      fix: 'end the spec with a dense layer: its units are the logits the loss reads.',
    });
  }
  return { kind: takesVectors(spec) ? 'vectors' : 'images', shape: [batchSize, ...exampleShape(spec, imageSize)], classes: last.units };
}

/** Whether `spec` takes [N, C] vectors (its first layer is dense) rather than [N, S, S, C] images. */
export function takesVectors(spec: ModelSpec): boolean {
  return spec.layers[0]?.kind === 'dense';
}

/** The shape of one example of `spec`: [C] for a model that takes vectors, else [S, S, C]. */
export function exampleShape(spec: ModelSpec, imageSize: number): number[] {
  return takesVectors(spec) ? [spec.inputChannels] : [imageSize, imageSize, spec.inputChannels];
}

/** One example of `spec` in words, for the table: '64x64x3 images' or '784-feature vectors'. */
export function inputName(spec: ModelSpec, imageSize: number): string {
  return takesVectors(spec) ? `${spec.inputChannels}-feature vectors` : `${imageSize}x${imageSize}x${spec.inputChannels} images`;
}

/** The loss `input` trains with, as the table names it. */
export function lossName(input: Pick<ModelInput, 'classes'>): string {
  return input.classes === 1 ? 'sigmoid cross-entropy' : `softmax cross-entropy over ${input.classes} classes`;
}
