import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormalization } from './batch-normalization.js';
import { correctPad } from './efficientnet-scaling.js';
import type { SeededInitializers } from './seeded-initializers.js';
import { swish } from './swish.js';

export interface MbConvArgs {
  readonly filtersIn: number;
  readonly filtersOut: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly expandRatio: number;
  readonly seRatio: number;
  /** Probability of dropping the whole residual branch of a sample (drop-connect). */
  readonly dropRate: number;
  /** Layer-name prefix, as the reference: 'block2a_'. */
  readonly prefix: string;
  /** Spatial size of the block's input, for the padding of strided convolutions. */
  readonly inputSize: readonly [number, number];
  readonly batchNormMomentum: number;
  readonly batchNormEpsilon: number;
}

/**
 * One mobile inverted bottleneck (MBConv) block: 1x1 expansion, depthwise convolution,
 * squeeze-and-excitation, 1x1 projection, and a residual connection with drop-connect when
 * shapes allow. Layer names follow the Keras reference so its weights map one to one.
 */
export function mbConvBlock(input: tfl.SymbolicTensor, args: MbConvArgs, init: SeededInitializers): tfl.SymbolicTensor {
  const { prefix, filtersIn, filtersOut, kernelSize, stride, expandRatio, seRatio, dropRate } = args;
  const bn = (name: string) =>
    batchNormalization({ axis: -1, momentum: args.batchNormMomentum, epsilon: args.batchNormEpsilon, name: `${prefix}${name}` });
  const filters = filtersIn * expandRatio;
  let x = input;

  if (expandRatio !== 1) {
    x = tfl.layers.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: init.conv(), name: `${prefix}expand_conv` }).apply(x) as tfl.SymbolicTensor;
    x = bn('expand_bn').apply(x) as tfl.SymbolicTensor;
    x = swish({ name: `${prefix}expand_activation` }).apply(x) as tfl.SymbolicTensor;
  }

  let padding: 'same' | 'valid' = 'same';
  if (stride === 2) {
    x = tfl.layers.zeroPadding2d({ padding: correctPad(args.inputSize, kernelSize), name: `${prefix}dwconv_pad` }).apply(x) as tfl.SymbolicTensor;
    padding = 'valid';
  }
  x = tfl.layers.depthwiseConv2d({ kernelSize, strides: stride, padding, useBias: false, depthwiseInitializer: init.conv(), name: `${prefix}dwconv` }).apply(x) as tfl.SymbolicTensor;
  x = bn('bn').apply(x) as tfl.SymbolicTensor;
  x = swish({ name: `${prefix}activation` }).apply(x) as tfl.SymbolicTensor;

  if (seRatio > 0 && seRatio <= 1) {
    // The squeeze width follows the block's input channels, not the expanded ones (as the paper).
    const squeezed = Math.max(1, Math.floor(filtersIn * seRatio));
    let se = tfl.layers.globalAveragePooling2d({ name: `${prefix}se_squeeze` }).apply(x) as tfl.SymbolicTensor;
    se = tfl.layers.reshape({ targetShape: [1, 1, filters], name: `${prefix}se_reshape` }).apply(se) as tfl.SymbolicTensor;
    se = tfl.layers.conv2d({ filters: squeezed, kernelSize: 1, padding: 'same', activation: 'swish', kernelInitializer: init.conv(), name: `${prefix}se_reduce` }).apply(se) as tfl.SymbolicTensor;
    se = tfl.layers.conv2d({ filters, kernelSize: 1, padding: 'same', activation: 'sigmoid', kernelInitializer: init.conv(), name: `${prefix}se_expand` }).apply(se) as tfl.SymbolicTensor;
    x = tfl.layers.multiply({ name: `${prefix}se_excite` }).apply([x, se]) as tfl.SymbolicTensor;
  }

  x = tfl.layers.conv2d({ filters: filtersOut, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: init.conv(), name: `${prefix}project_conv` }).apply(x) as tfl.SymbolicTensor;
  x = bn('project_bn').apply(x) as tfl.SymbolicTensor;

  if (stride === 1 && filtersIn === filtersOut) {
    if (dropRate > 0) {
      // Drop-connect: a dropout whose mask has one value per sample (noise shape [batch, 1, 1, 1]),
      // so a sample either keeps or skips the whole branch; the reference implements it this way.
      const noiseShape = [null, 1, 1, 1] as unknown as number[];
      x = tfl.layers.dropout({ rate: dropRate, noiseShape, name: `${prefix}drop` }).apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.add({ name: `${prefix}add` }).apply([x, input]) as tfl.SymbolicTensor;
  }
  return x;
}
