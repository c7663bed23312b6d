import type { Layer, ModelSpec } from './layers.js';

/** One MBConv stage of EfficientNet-B0 (Tan & Le 2019, table 1). */
interface Stage {
  readonly expand: number;
  readonly kernel: number;
  readonly stride: number;
  readonly filters: number;
  readonly repeats: number;
}

const STAGES: readonly Stage[] = [
  { expand: 1, kernel: 3, stride: 1, filters: 16, repeats: 1 },
  { expand: 6, kernel: 3, stride: 2, filters: 24, repeats: 2 },
  { expand: 6, kernel: 5, stride: 2, filters: 40, repeats: 2 },
  { expand: 6, kernel: 3, stride: 2, filters: 80, repeats: 3 },
  { expand: 6, kernel: 5, stride: 1, filters: 112, repeats: 3 },
  { expand: 6, kernel: 5, stride: 2, filters: 192, repeats: 4 },
  { expand: 6, kernel: 3, stride: 1, filters: 320, repeats: 1 },
];

/** MBConv as in Keras' EfficientNet: expand 1x1, depthwise, SE on the input width / 4, project. */
function mbconv(inFilters: number, outFilters: number, expand: number, kernel: number, stride: number): Layer[] {
  const wide = inFilters * expand;
  const body: Layer[] = [];
  if (expand !== 1) {
    body.push({ kind: 'conv2d', filters: wide, kernel: 1, stride: 1, padding: 'same', bias: false });
    body.push({ kind: 'batchnorm' }, { kind: 'activation', fn: 'swish' });
  }
  body.push({ kind: 'depthwise2d', kernel, stride, padding: 'same' });
  body.push({ kind: 'batchnorm' }, { kind: 'activation', fn: 'swish' });
  body.push({ kind: 'squeeze-excite', reduced: Math.max(1, Math.floor(inFilters * 0.25)) });
  body.push({ kind: 'conv2d', filters: outFilters, kernel: 1, stride: 1, padding: 'same', bias: false });
  body.push({ kind: 'batchnorm' });
  // Keras adds the residual (after drop-connect) when the block keeps the shape.
  return stride === 1 && inFilters === outFilters ? [{ kind: 'residual', body }] : body;
}

function efficientNetB0Layers(): Layer[] {
  const layers: Layer[] = [
    { kind: 'conv2d', filters: 32, kernel: 3, stride: 2, padding: 'same', bias: false },
    { kind: 'batchnorm' },
    { kind: 'activation', fn: 'swish' },
  ];
  let filters = 32;
  for (const stage of STAGES) {
    for (let i = 0; i < stage.repeats; i++) {
      layers.push(...mbconv(filters, stage.filters, stage.expand, stage.kernel, i === 0 ? stage.stride : 1));
      filters = stage.filters;
    }
  }
  layers.push(
    { kind: 'conv2d', filters: 1280, kernel: 1, stride: 1, padding: 'same', bias: false },
    { kind: 'batchnorm' },
    { kind: 'activation', fn: 'swish' },
    { kind: 'global-avg-pool' },
    { kind: 'dense', units: 1, bias: true },
  );
  return layers;
}

/**
 * EfficientNet-B0 with one logit (the melanoma head): 16 MBConv blocks with squeeze-excitation,
 * swish, batch norm in training mode. Dropout and drop-connect are left out so that every
 * framework runs the same deterministic step (they are elementwise and cheap).
 */
export const EFFICIENTNET_B0: ModelSpec = {
  name: 'efficientnet-b0',
  summary: 'EfficientNet-B0 (16 MBConv blocks with SE, swish, batch norm), one logit; no dropout or drop-connect',
  inputChannels: 3,
  layers: efficientNetB0Layers(),
};
