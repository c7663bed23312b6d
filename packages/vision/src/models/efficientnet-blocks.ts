import { invalidOption } from '@strata/core';
import { B0_BLOCKS, roundFilters, roundRepeats } from './efficientnet-scaling.js';
import type { ActivationFn, Layer } from './model-spec.js';

/** What sets an EfficientNet variant apart from B0: its activation, squeeze-excitation, scaling of stem and head. */
export interface EfficientNetVariant {
  /** After every convolution but the projections: 'swish' (B0) or 'relu6' (Lite). */
  readonly activation: ActivationFn;
  /** Squeeze-and-excitation in every block, on the block's input width / 4 (B0), or none (Lite). */
  readonly squeezeExcite: boolean;
  /** Keeps the stem (32), the head (1280), and the first and last stages' repeats unscaled (Lite). */
  readonly fixedStemHead: boolean;
}

/** The validated scaling and regularisation of one EfficientNet spec. */
export interface EfficientNetScaling {
  readonly width: number;
  readonly depth: number;
  readonly dropoutRate: number;
  readonly dropConnectRate: number;
  readonly outputs: number;
}

export interface EfficientNetScalingOptions {
  readonly widthMultiplier?: number;
  readonly depthMultiplier?: number;
  readonly dropoutRate?: number;
  readonly dropConnectRate?: number;
  readonly outputs?: number;
}

/** Checks the scaling options of an EfficientNet spec, each with its default (1, 1, 0.2, 0.2, one output). */
export function efficientNetScaling(options: EfficientNetScalingOptions): EfficientNetScaling {
  const outputs = options.outputs ?? 1;
  if (!Number.isInteger(outputs) || outputs < 1) invalidOption('outputs', outputs, 'an integer >= 1');
  return {
    width: positive('widthMultiplier', options.widthMultiplier, 1),
    depth: positive('depthMultiplier', options.depthMultiplier, 1),
    dropoutRate: rate('dropoutRate', options.dropoutRate, 0.2),
    dropConnectRate: rate('dropConnectRate', options.dropConnectRate, 0.2),
    outputs,
  };
}

/**
 * The layers of an EfficientNet of B0's seven stages (`B0_BLOCKS`): a 3x3 stride-2 stem, the
 * MBConv blocks (1x1 expansion, depthwise convolution, optional squeeze-and-excitation, 1x1
 * projection, a residual add with drop-connect where the block keeps the shape), a 1x1 top
 * convolution, global average pooling, dropout and a dense head of logits; batch norm and the
 * variant's activation after every convolution but the projection. Layer names are Keras'
 * (`stem_conv`, `block2a_expand_conv`, ..., `predictions`), so weights load by name.
 */
export function efficientNetLayers(variant: EfficientNetVariant, scaling: EfficientNetScaling): { layers: Layer[]; blocks: number } {
  const { width, depth, dropoutRate, dropConnectRate, outputs } = scaling;
  const act = variant.activation;
  const filters = (n: number, fixed: boolean) => (fixed && variant.fixedStemHead ? n : roundFilters(n, width));
  const lastStage = B0_BLOCKS.length - 1;
  const repeatsOf = (stage: number) => (variant.fixedStemHead && (stage === 0 || stage === lastStage) ? B0_BLOCKS[stage]!.repeats : roundRepeats(B0_BLOCKS[stage]!.repeats, depth));
  const stemFilters = filters(32, true);

  const layers: Layer[] = [
    { kind: 'conv2d', name: 'stem_conv', filters: stemFilters, kernel: 3, stride: 2, padding: 'same', bias: false },
    { kind: 'batchnorm', name: 'stem_bn' },
    { kind: 'activation', fn: act, name: 'stem_activation' },
  ];
  const totalBlocks = B0_BLOCKS.reduce((n, _, i) => n + repeatsOf(i), 0);
  let blockIndex = 0;
  let channels = stemFilters;
  B0_BLOCKS.forEach((stage, i) => {
    for (let j = 0; j < repeatsOf(i); j++) {
      const p = `block${i + 1}${String.fromCharCode(97 + j)}`;
      // The first block takes the stem's channels (a fixed stem keeps 32 at any width, as the Lite reference).
      const filtersIn = j === 0 && i === 0 ? channels : roundFilters(j === 0 ? stage.filtersIn : stage.filtersOut, width);
      const filtersOut = roundFilters(stage.filtersOut, width);
      const stride = j === 0 ? stage.stride : 1;
      const body: Layer[] = [];
      if (stage.expandRatio !== 1) {
        body.push(
          { kind: 'conv2d', name: `${p}_expand_conv`, filters: filtersIn * stage.expandRatio, kernel: 1, stride: 1, padding: 'same', bias: false },
          { kind: 'batchnorm', name: `${p}_expand_bn` },
          { kind: 'activation', fn: act, name: `${p}_expand_activation` },
        );
      }
      body.push(
        { kind: 'depthwise2d', name: `${p}_dwconv`, kernel: stage.kernelSize, stride, padding: 'same' },
        { kind: 'batchnorm', name: `${p}_bn` },
        { kind: 'activation', fn: act, name: `${p}_activation` },
      );
      // The squeeze width follows the block's input channels, not the expanded ones (as the paper).
      if (variant.squeezeExcite && stage.seRatio > 0 && stage.seRatio <= 1) body.push({ kind: 'squeeze-excite', name: `${p}_se`, reduced: Math.max(1, Math.floor(filtersIn * stage.seRatio)) });
      body.push({ kind: 'conv2d', name: `${p}_project_conv`, filters: filtersOut, kernel: 1, stride: 1, padding: 'same', bias: false }, { kind: 'batchnorm', name: `${p}_project_bn` });
      const dropRate = (dropConnectRate * blockIndex) / totalBlocks;
      if (stride === 1 && filtersIn === filtersOut) {
        if (dropRate > 0) body.push({ kind: 'dropout', name: `${p}_drop`, rate: dropRate, perSample: true });
        layers.push({ kind: 'residual', name: p, body });
      } else {
        layers.push(...body);
      }
      channels = filtersOut;
      blockIndex++;
    }
  });
  layers.push(
    { kind: 'conv2d', name: 'top_conv', filters: filters(1280, true), kernel: 1, stride: 1, padding: 'same', bias: false },
    { kind: 'batchnorm', name: 'top_bn' },
    { kind: 'activation', fn: act, name: 'top_activation' },
    { kind: 'global-avg-pool', name: 'avg_pool' },
  );
  if (dropoutRate > 0) layers.push({ kind: 'dropout', name: 'top_dropout', rate: dropoutRate });
  layers.push({ kind: 'dense', name: 'predictions', units: outputs, bias: true });
  return { layers, blocks: totalBlocks };
}

/** The words of a spec summary after the architecture: its head and its regularisation. */
export function headAndRegularisation(scaling: EfficientNetScaling): string {
  const { outputs, dropoutRate, dropConnectRate } = scaling;
  const regularised = dropoutRate === 0 && dropConnectRate === 0 ? 'no dropout or drop-connect' : `dropout ${dropoutRate}, drop-connect ${dropConnectRate}`;
  return `${outputs === 1 ? 'one logit' : `${outputs} logits`}; ${regularised}`;
}

/** The input height and width of an EfficientNet builder's `inputSize` option (default 224). */
export function efficientNetInputSize(size: number | readonly [number, number] | undefined): [number, number] {
  const value = size ?? 224;
  const [height, width] = typeof value === 'number' ? [value, value] : value;
  if (![height, width].every((s) => Number.isInteger(s) && s >= 32)) invalidOption('inputSize', value, 'an integer >= 32 or a pair of them');
  return [height, width];
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
