import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { EFFICIENTNET_B0, TINY_CNN, type ModelSpec } from '@strata/vision/models';
import { MLP } from '../models/mlp.js';
import { countFlops, outputSize } from './flop-counter.js';

const spec = (layers: ModelSpec['layers'], inputChannels = 3): ModelSpec => ({ name: 't', summary: '', inputChannels, layers });

describe('countFlops', () => {
  it('counts a convolution as 2 x Ho x Wo x Co x K x K x Ci', () => {
    // 8x8x3 input, 3x3 conv to 4 filters, 'same': 8x8x4 out; 2*8*8*4*3*3*3 = 13,824.
    const count = countFlops(spec([{ kind: 'conv2d', filters: 4, kernel: 3, stride: 1, padding: 'same', bias: true }, { kind: 'global-avg-pool' }]), 8, 1);
    assert.equal(count.layers[0]!.forwardFlops, 13_824);
    assert.deepEqual(count.layers[0]!.output, [8, 8, 4]);
    assert.equal(count.params, 3 * 3 * 3 * 4 + 4);
  });

  it("shrinks a strided 'same' convolution to ceil(in / stride) and a 'valid' one to floor((in - k) / s) + 1", () => {
    assert.equal(outputSize(7, 3, 2, 'same'), 4);
    assert.equal(outputSize(7, 3, 2, 'valid'), 3);
    // 7x7x2 -> 4x4x5 with a 3x3 stride-2 'same' conv: 2*4*4*5*3*3*2 = 2,880.
    const count = countFlops(spec([{ kind: 'conv2d', filters: 5, kernel: 3, stride: 2, padding: 'same', bias: false }, { kind: 'global-avg-pool' }], 2), 7, 1);
    assert.equal(count.layers[0]!.forwardFlops, 2_880);
  });

  it('counts a depthwise convolution as 2 x Ho x Wo x C x K x K (no sum over input channels)', () => {
    // A 1x1 conv to 6 channels first (so the depthwise layer is not the first), then 5x5 depthwise stride 2:
    // 10x10x6 -> 5x5x6: 2*5*5*6*5*5 = 7,500.
    const count = countFlops(
      spec([
        { kind: 'conv2d', filters: 6, kernel: 1, stride: 1, padding: 'same', bias: false },
        { kind: 'depthwise2d', kernel: 5, stride: 2, padding: 'same' },
        { kind: 'global-avg-pool' },
      ]),
      10,
      1,
    );
    const dw = count.layers[1]!;
    assert.equal(dw.kind, 'depthwise2d');
    assert.equal(dw.forwardFlops, 7_500);
    assert.equal(dw.params, 5 * 5 * 6);
  });

  it('counts a dense layer as 2 x In x Out', () => {
    const count = countFlops(spec([{ kind: 'global-avg-pool' }, { kind: 'dense', units: 10, bias: true }], 64), 4, 1);
    assert.equal(count.layers[0]!.forwardFlops, 2 * 64 * 10);
    assert.equal(count.params, 64 * 10 + 10);
  });

  it('counts a training step as 3x forward, less the input gradient of the first layer, times the batch', () => {
    // Hand count for the tiny CNN at 64x64, per image:
    //   conv1 64x64x16 from 3 ch:  2*64*64*16*9*3  =  3,538,944
    //   conv2 32x32x32 from 16 ch: 2*32*32*32*9*16 =  9,437,184
    //   conv3 16x16x64 from 32 ch: 2*16*16*64*9*32 =  9,437,184
    //   dense 64 -> 1:             2*64*1          =        128
    const forward = 3_538_944 + 9_437_184 + 9_437_184 + 128;
    const count = countFlops(TINY_CNN, 64, 32);
    assert.equal(count.forwardFlopsPerImage, forward);
    assert.equal(count.trainFlopsPerImage, 3 * forward - 3_538_944);
    assert.equal(count.trainFlopsPerStep, 32 * (3 * forward - 3_538_944));
    assert.deepEqual(count.layers.map((l) => l.inputGradient), [false, true, true, true]);
    assert.equal(count.params, 448 + 4_640 + 18_496 + 65);
  });

  it('counts squeeze-excitation as two 1x1 convolutions on the pooled vector', () => {
    const count = countFlops(spec([{ kind: 'squeeze-excite', reduced: 2 }, { kind: 'global-avg-pool' }], 8), 4, 1);
    assert.deepEqual(count.layers.map((l) => [l.kind, l.forwardFlops]), [['se-reduce', 2 * 8 * 2], ['se-expand', 2 * 2 * 8]]);
    assert.equal(count.params, 8 * 2 + 2 + 2 * 8 + 8);
  });

  it('agrees with the published size of EfficientNet-B0 at 224x224 (0.39 G multiply-adds, 4.0 M parameters)', () => {
    const count = countFlops(EFFICIENTNET_B0, 224, 1);
    const macs = count.forwardFlopsPerImage / 2;
    assert.ok(macs > 0.38e9 && macs < 0.41e9, `forward multiply-adds ${macs}`);
    // Keras' EfficientNetB0(include_top=False) has 4,007,548 trainable weights; a one-logit head adds 1,281.
    assert.equal(count.params, 4_007_548 + 1_281);
  });

  it('counts the host-bound MLP on 784-feature vectors, whatever the image size', () => {
    // dense 784->256 then 256->10: forward 2*(784*256 + 256*10) = 406,528 per example; training
    // counts the first layer twice (no input gradient) and the second three times.
    const count = countFlops(MLP, 64, 64);
    assert.equal(count.forwardFlopsPerImage, 2 * (784 * 256 + 256 * 10));
    assert.equal(count.trainFlopsPerImage, 2 * 2 * 784 * 256 + 3 * 2 * 256 * 10);
    assert.equal(count.trainFlopsPerStep, 64 * count.trainFlopsPerImage);
    assert.equal(count.params, 784 * 256 + 256 + 256 * 10 + 10);
    assert.deepEqual(countFlops(MLP, 8, 64).layers, count.layers);
  });

  it('rejects an image too small for the model, naming the layer', () => {
    assert.throws(() => countFlops(TINY_CNN, 2, 1), (e: unknown) => e instanceof StrataError && /Layer 3 \(maxpool\) received shape \[1, 1, 32\]/.test(e.message));
  });

  it('rejects a batch size that is not a whole number', () => {
    assert.throws(() => countFlops(TINY_CNN, 64, 0.5), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option');
  });
});
