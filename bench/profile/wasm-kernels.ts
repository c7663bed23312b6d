// Each training kernel of @strata/backend-wasm against the forward convolution of the same layer
// (its natural peer: a gradient should cost about as much), on every distinct convolution and
// depthwise convolution of the bench's models: the tiny CNN at 64x64 and EfficientNet-B0 at
// 128x128, batch 32 (4 with --small). The layer shapes come from the models' specs
// (@strata/vision) through the bench's FLOP counter. Prints milliseconds (median of 5) per kernel.
//   node --import tsx bench/profile/wasm-kernels.ts [--small] [--model tiny-cnn|efficientnet-b0]
import * as tf from '@tensorflow/tfjs-core';
import { WasmStrategy } from '@strata/backend-wasm';
import { EFFICIENTNET_B0, TINY_CNN } from '@strata/vision/models';
import { countFlops, type LayerCount } from '../src/flops/flop-counter.js';

await new WasmStrategy().setup();
const batch = process.argv.includes('--small') ? 4 : 32;
const only = process.argv.includes('--model') ? process.argv[process.argv.indexOf('--model') + 1] : undefined;

function median(f: () => tf.Tensor, n = 5): number {
  tf.tidy(f).dataSync();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = tf.tidy(f);
    r.dataSync();
    times.push(performance.now() - t0);
    r.dispose();
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

/** The model's convolutions, one per distinct shape, with the spec path of the first. */
function distinctConvolutions(layers: readonly LayerCount[]): LayerCount[] {
  const seen = new Map<string, LayerCount>();
  for (const l of layers) {
    if (l.kind !== 'conv2d' && l.kind !== 'depthwise2d') continue;
    const key = [l.kind, l.input, l.output, l.kernel, l.stride].join('|');
    if (!seen.has(key)) seen.set(key, l);
  }
  return [...seen.values()];
}

const rows: Record<string, string | number>[] = [];
for (const [spec, size] of [[TINY_CNN, 64], [EFFICIENTNET_B0, 128]] as const) {
  if (only && spec.name !== only) continue;
  for (const layer of distinctConvolutions(countFlops(spec, size, batch).layers)) {
    const [h, w, c] = layer.input;
    const { kernel: k, stride: s } = layer;
    const x = tf.randomNormal([batch, h, w, c]) as tf.Tensor4D;
    const name = `${spec.name} ${layer.path} ${layer.kind === 'conv2d' ? 'conv' : 'dw'}${k}${s > 1 ? ` s${s}` : ''} ${c}->${layer.output[2]} @${h}`;
    if (layer.kind === 'conv2d') {
      const co = layer.output[2];
      const filter = tf.randomNormal([k, k, c, co]) as tf.Tensor4D;
      const dy = tf.randomNormal([batch, ...layer.output]) as tf.Tensor4D;
      rows.push({
        layer: name,
        forward: median(() => tf.conv2d(x, filter, s, 'same')),
        dW: median(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, c, co] }) as tf.Tensor),
        dX: median(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor),
      });
      tf.dispose([filter, dy]);
    } else {
      const filter = tf.randomNormal([k, k, c, 1]) as tf.Tensor4D;
      const dy = tf.randomNormal([batch, ...layer.output]) as tf.Tensor4D;
      rows.push({
        layer: name,
        forward: median(() => tf.depthwiseConv2d(x, filter, s, 'same')),
        dW: median(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: s, pad: 'same', dilations: 1, filterShape: filter.shape }) as tf.Tensor),
        dX: median(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides: s, pad: 'same', dilations: 1, inputShape: x.shape }) as tf.Tensor),
      });
      tf.dispose([filter, dy]);
    }
    x.dispose();
  }
}
for (const row of rows) for (const key of Object.keys(row)) if (typeof row[key] === 'number') row[key] = +(row[key] as number).toFixed(1);
console.table(rows);
