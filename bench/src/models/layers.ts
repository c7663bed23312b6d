/**
 * A model architecture as plain data. One description feeds the FLOP counter, the tfjs model
 * the strategies train, and the PyTorch and jax peers (sent to Python as JSON), so every row of
 * the table trains the same architecture by construction.
 */
export type Padding = 'same' | 'valid';
export type ActivationFn = 'relu' | 'swish' | 'sigmoid';

/** 2-D convolution, NHWC, square kernel; 'same' pads like TensorFlow (ceil(in / stride) out). */
export interface Conv2dLayer {
  readonly kind: 'conv2d';
  readonly filters: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: Padding;
  readonly bias: boolean;
  /** Fused after the convolution (and bias); omitted means linear. */
  readonly activation?: ActivationFn;
}

/** Depthwise convolution, channel multiplier 1, no bias. */
export interface DepthwiseConv2dLayer {
  readonly kind: 'depthwise2d';
  readonly kernel: number;
  readonly stride: number;
  readonly padding: Padding;
}

/** Batch normalisation over N, H, W with batch statistics (training mode). */
export interface BatchNormLayer {
  readonly kind: 'batchnorm';
}

export interface ActivationLayer {
  readonly kind: 'activation';
  readonly fn: ActivationFn;
}

export interface MaxPoolLayer {
  readonly kind: 'maxpool';
  readonly size: number;
  readonly stride: number;
}

/** Mean over H and W: [N, H, W, C] -> [N, C]. */
export interface GlobalAvgPoolLayer {
  readonly kind: 'global-avg-pool';
}

/** Fully connected layer on [N, C]. */
export interface DenseLayer {
  readonly kind: 'dense';
  readonly units: number;
  readonly bias: boolean;
}

/**
 * Squeeze-and-excitation: x * sigmoid(conv1x1_expand(swish(conv1x1_reduce(mean_hw(x))))), both
 * 1x1 convolutions with bias, as in EfficientNet.
 */
export interface SqueezeExciteLayer {
  readonly kind: 'squeeze-excite';
  readonly reduced: number;
}

/** x + body(x); the body must keep the shape. */
export interface ResidualLayer {
  readonly kind: 'residual';
  readonly body: readonly Layer[];
}

export type Layer =
  | Conv2dLayer
  | DepthwiseConv2dLayer
  | BatchNormLayer
  | ActivationLayer
  | MaxPoolLayer
  | GlobalAvgPoolLayer
  | DenseLayer
  | SqueezeExciteLayer
  | ResidualLayer;

/** A named architecture: layers applied in order to an [N, S, S, 3] image batch, ending in logits. */
export interface ModelSpec {
  readonly name: string;
  /** One line for tables: what the architecture is and what it leaves out. */
  readonly summary: string;
  readonly inputChannels: number;
  readonly layers: readonly Layer[];
}
