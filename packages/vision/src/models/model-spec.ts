/**
 * A model architecture as plain data: the one definition of each benchmark network. The same
 * description builds the tfjs-layers model (`layersModelFromSpec`, with Keras' layer names), the
 * tfjs-core model the bench's strategies train (`buildTfjsModel`), the bench's FLOP count, and,
 * sent to Python as JSON, the PyTorch, Lightning, Keras and jax peers (bench/python/models.py), so
 * every framework trains the same architecture by construction.
 *
 * `name` on a layer is the name its tfjs-layers (Keras) layer gets; the other builders ignore it.
 */
export type Padding = 'same' | 'valid';
export type ActivationFn = 'relu' | 'relu6' | 'swish' | 'sigmoid';

/** 2-D convolution, NHWC, square kernel; 'same' pads like TensorFlow (ceil(in / stride) out). */
export interface Conv2dLayer {
  readonly kind: 'conv2d';
  readonly name?: string;
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
  readonly name?: string;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: Padding;
}

/** Batch normalisation over N, H, W with batch statistics (training mode). */
export interface BatchNormLayer {
  readonly kind: 'batchnorm';
  readonly name?: string;
}

export interface ActivationLayer {
  readonly kind: 'activation';
  readonly name?: string;
  readonly fn: ActivationFn;
}

export interface MaxPoolLayer {
  readonly kind: 'maxpool';
  readonly name?: string;
  readonly size: number;
  readonly stride: number;
}

/** Mean over H and W: [N, H, W, C] -> [N, C]. */
export interface GlobalAvgPoolLayer {
  readonly kind: 'global-avg-pool';
  readonly name?: string;
}

/** Fully connected layer on [N, C]. */
export interface DenseLayer {
  readonly kind: 'dense';
  readonly name?: string;
  readonly units: number;
  readonly bias: boolean;
}

/**
 * Squeeze-and-excitation: x * sigmoid(conv1x1_expand(swish(conv1x1_reduce(mean_hw(x))))), both
 * 1x1 convolutions with bias, as in EfficientNet.
 */
export interface SqueezeExciteLayer {
  readonly kind: 'squeeze-excite';
  /** Prefix of its five Keras layers: `${name}_squeeze`, `_reshape`, `_reduce`, `_expand`, `_excite`. */
  readonly name?: string;
  readonly reduced: number;
}

/** x + body(x); the body must keep the shape. */
export interface ResidualLayer {
  readonly kind: 'residual';
  /** The Keras name of the add: `${name}_add`. */
  readonly name?: string;
  readonly body: readonly Layer[];
}

/**
 * Dropout in training mode. `perSample` drops whole samples (noise shape [N, 1, 1, 1]): the
 * drop-connect of a residual branch. The bench's specs have none, so that every framework runs
 * the same deterministic step.
 */
export interface DropoutLayer {
  readonly kind: 'dropout';
  readonly name?: string;
  readonly rate: number;
  readonly perSample?: boolean;
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
  | ResidualLayer
  | DropoutLayer;

/** A named architecture: layers applied in order to an [N, S, S, 3] image batch, ending in logits. */
export interface ModelSpec {
  readonly name: string;
  /** One line for tables: what the architecture is and what it leaves out. */
  readonly summary: string;
  readonly inputChannels: number;
  readonly layers: readonly Layer[];
}
