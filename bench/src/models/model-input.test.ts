import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { TINY_CNN } from '@strata/vision/models';
import { MLP } from './mlp.js';
import { inputName, lossName, modelInput } from './model-input.js';

describe('modelInput', () => {
  it('gives a convolutional network NHWC images and one logit: sigmoid cross-entropy', () => {
    assert.deepEqual(modelInput(TINY_CNN, 32, 64), { kind: 'images', shape: [32, 64, 64, 3], classes: 1 });
    assert.equal(lossName(modelInput(TINY_CNN, 32, 64)), 'sigmoid cross-entropy');
    assert.equal(inputName(TINY_CNN, 64), '64x64x3 images');
  });

  it('gives the MLP [N, 784] vectors, whatever the image size, and ten classes: softmax cross-entropy', () => {
    assert.deepEqual(modelInput(MLP, 64, 128), { kind: 'vectors', shape: [64, 784], classes: 10 });
    assert.equal(lossName(modelInput(MLP, 64, 64)), 'softmax cross-entropy over 10 classes');
    assert.equal(inputName(MLP, 64), '784-feature vectors');
  });

  it('refuses a spec whose head is not a dense layer, naming the model', () => {
    const headless = { ...TINY_CNN, name: 'headless', layers: TINY_CNN.layers.slice(0, -1) };
    assert.throws(() => modelInput(headless, 32, 64), (e: unknown) => e instanceof StrataError && /Model "headless" does not end in a dense layer \(its last layer is "global-avg-pool"\)/.test(e.message));
  });
});
