import * as tfl from '@tensorflow/tfjs-layers';
import { invalidOption } from '@strata/core';
import { B0_BLOCKS, correctPad, roundFilters, roundRepeats } from './efficientnet-scaling.js';
import { batchNormalization } from './batch-normalization.js';
import { mbConvBlock } from './mb-conv-block.js';
import { SeededInitializers } from './seeded-initializers.js';
import { swish } from './swish.js';

export interface EfficientNetOptions {
  /** Input height and width in pixels (one number for a square), any size >= 32. Default 224. */
  readonly inputSize?: number | readonly [number, number];
  /** Channel multiplier (B0: 1.0). Below 1 gives a narrower network for quick runs. */
  readonly widthMultiplier?: number;
  /** Repeat multiplier (B0: 1.0). */
  readonly depthMultiplier?: number;
  /** Dropout before the head (B0: 0.2). */
  readonly dropoutRate?: number;
  /** Drop-connect rate of the last block; block i of n uses rate * i / n (B0: 0.2). */
  readonly dropConnectRate?: number;
  /** Outputs of the head: 1 gives one logit for binary classification. Default 1. */
  readonly outputs?: number;
  /** Seed of the weight initializers. Default 0. */
  readonly seed?: number;
  /** Model name. Default 'efficientnet-b0'. */
  readonly name?: string;
}

/**
 * EfficientNet-B0 (Tan & Le, 2019) in tfjs-layers: a 3x3 stem, 16 MBConv blocks in seven
 * stages with depthwise convolutions, squeeze-and-excitation, swish, batch norm and
 * drop-connect, a 1x1 top convolution to 1280 channels, global average pooling, dropout and a
 * dense head with no activation (logits). Layer names and padding follow the Keras reference,
 * so weights exported from it load with `loadWeights`. It takes inputs already normalised
 * (see `Normalize`).
 *
 * @example
 * const model = efficientNetB0({ inputSize: 128 });                     // one logit
 * const logits = model.apply(images, { training: true }) as tf.Tensor;  // [batch, 1]
 * const small = efficientNetB0({ inputSize: 64, widthMultiplier: 0.5 }); // for quick runs
 */
export function efficientNetB0(options: EfficientNetOptions = {}): tfl.LayersModel {
  const size = options.inputSize ?? 224;
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  if (![height, width].every((s) => Number.isInteger(s) && s >= 32)) invalidOption('inputSize', size, 'an integer >= 32 or a pair of them');
  const widthMultiplier = positive('widthMultiplier', options.widthMultiplier, 1);
  const depthMultiplier = positive('depthMultiplier', options.depthMultiplier, 1);
  const dropoutRate = rate('dropoutRate', options.dropoutRate, 0.2);
  const dropConnectRate = rate('dropConnectRate', options.dropConnectRate, 0.2);
  const outputs = options.outputs ?? 1;
  if (!Number.isInteger(outputs) || outputs < 1) invalidOption('outputs', outputs, 'an integer >= 1');
  const init = new SeededInitializers(options.seed ?? 0);
  const bnArgs = { axis: -1, momentum: 0.99, epsilon: 1e-3 };

  const input = tfl.input({ shape: [height, width, 3], name: 'input' });
  let x = tfl.layers.zeroPadding2d({ padding: correctPad([height, width], 3), name: 'stem_conv_pad' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: roundFilters(32, widthMultiplier), kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: init.conv(), name: 'stem_conv' }).apply(x) as tfl.SymbolicTensor;
  x = batchNormalization({ ...bnArgs, name: 'stem_bn' }).apply(x) as tfl.SymbolicTensor;
  x = swish({ name: 'stem_activation' }).apply(x) as tfl.SymbolicTensor;

  const totalBlocks = B0_BLOCKS.reduce((n, stage) => n + roundRepeats(stage.repeats, depthMultiplier), 0);
  let blockIndex = 0;
  B0_BLOCKS.forEach((stage, i) => {
    const repeats = roundRepeats(stage.repeats, depthMultiplier);
    for (let j = 0; j < repeats; j++) {
      const shape = x.shape as number[];
      x = mbConvBlock(
        x,
        {
          filtersIn: roundFilters(j === 0 ? stage.filtersIn : stage.filtersOut, widthMultiplier),
          filtersOut: roundFilters(stage.filtersOut, widthMultiplier),
          kernelSize: stage.kernelSize,
          stride: j === 0 ? stage.stride : 1,
          expandRatio: stage.expandRatio,
          seRatio: stage.seRatio,
          dropRate: (dropConnectRate * blockIndex) / totalBlocks,
          prefix: `block${i + 1}${String.fromCharCode(97 + j)}_`,
          inputSize: [shape[1], shape[2]],
          batchNormMomentum: bnArgs.momentum,
          batchNormEpsilon: bnArgs.epsilon,
        },
        init,
      );
      blockIndex++;
    }
  });

  x = tfl.layers.conv2d({ filters: roundFilters(1280, widthMultiplier), kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: init.conv(), name: 'top_conv' }).apply(x) as tfl.SymbolicTensor;
  x = batchNormalization({ ...bnArgs, name: 'top_bn' }).apply(x) as tfl.SymbolicTensor;
  x = swish({ name: 'top_activation' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tfl.SymbolicTensor;
  if (dropoutRate > 0) x = tfl.layers.dropout({ rate: dropoutRate, name: 'top_dropout' }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: outputs, kernelInitializer: init.dense(), biasInitializer: 'zeros', name: 'predictions' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: options.name ?? 'efficientnet-b0' });
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) invalidOption(name, value, 'a positive number');
  return value;
}

function rate(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) invalidOption(name, value, 'a number in [0, 1)');
  return value;
}
