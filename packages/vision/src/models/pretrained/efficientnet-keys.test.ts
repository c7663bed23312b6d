import '@tensorflow/tfjs-backend-cpu';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { efficientNetB0 } from '../efficientnet-b0.js';
import { efficientNetLite0 } from '../efficientnet-lite0.js';
import { efficientNetLayout, sourceOf } from './efficientnet-keys.js';

const b0 = efficientNetB0({ inputSize: 32 });
const lite0 = efficientNetLite0({ inputSize: 32 });
const layoutOf = (model: typeof b0) => efficientNetLayout(model.layers.map((l) => l.name));

describe('EfficientNet state-dict keys', () => {
  it('orders the blocks through the network and knows which expand', () => {
    const layout = layoutOf(b0);
    assert.deepEqual(layout.blocks, ['block1a', 'block2a', 'block2b', 'block3a', 'block3b', 'block4a', 'block4b', 'block4c', 'block5a', 'block5b', 'block5c', 'block6a', 'block6b', 'block6c', 'block6d', 'block7a']);
    assert.ok(!layout.expanded.has('block1a') && layout.expanded.has('block2a') && layout.expanded.size === 15);
  });

  it("names every B0 weight by efficientnet_pytorch's and timm's keys, each key once, with its layout", () => {
    const layout = layoutOf(b0);
    const expected: Record<string, [string, string, string]> = {
      'stem_conv/kernel': ['_conv_stem.weight', 'conv_stem.weight', 'conv'],
      'stem_bn/gamma': ['_bn0.weight', 'bn1.weight', 'vector'],
      'block1a_dwconv/depthwise_kernel': ['_blocks.0._depthwise_conv.weight', 'blocks.0.0.conv_dw.weight', 'depthwise'],
      'block1a_bn/moving_mean': ['_blocks.0._bn1.running_mean', 'blocks.0.0.bn1.running_mean', 'vector'],
      'block1a_se_reduce/kernel': ['_blocks.0._se_reduce.weight', 'blocks.0.0.se.conv_reduce.weight', 'conv'],
      'block1a_se_expand/bias': ['_blocks.0._se_expand.bias', 'blocks.0.0.se.conv_expand.bias', 'vector'],
      'block1a_project_conv/kernel': ['_blocks.0._project_conv.weight', 'blocks.0.0.conv_pw.weight', 'conv'],
      'block1a_project_bn/beta': ['_blocks.0._bn2.bias', 'blocks.0.0.bn2.bias', 'vector'],
      'block2a_expand_conv/kernel': ['_blocks.1._expand_conv.weight', 'blocks.1.0.conv_pw.weight', 'conv'],
      'block2a_expand_bn/moving_variance': ['_blocks.1._bn0.running_var', 'blocks.1.0.bn1.running_var', 'vector'],
      'block2b_bn/gamma': ['_blocks.2._bn1.weight', 'blocks.1.1.bn2.weight', 'vector'],
      'block4c_project_conv/kernel': ['_blocks.7._project_conv.weight', 'blocks.3.2.conv_pwl.weight', 'conv'],
      'block7a_project_bn/moving_variance': ['_blocks.15._bn2.running_var', 'blocks.6.0.bn3.running_var', 'vector'],
      'top_conv/kernel': ['_conv_head.weight', 'conv_head.weight', 'conv'],
      'top_bn/beta': ['_bn1.bias', 'bn2.bias', 'vector'],
      'predictions/kernel': ['_fc.weight', 'classifier.weight', 'dense'],
      'predictions/bias': ['_fc.bias', 'classifier.bias', 'vector'],
    };
    for (const [weight, [pytorch, timm, kind]] of Object.entries(expected)) {
      assert.deepEqual(sourceOf(weight, layout, 'efficientnet_pytorch'), { key: pytorch, layout: kind }, weight);
      assert.deepEqual(sourceOf(weight, layout, 'timm'), { key: timm, layout: kind }, weight);
    }
    for (const convention of ['efficientnet_pytorch', 'timm'] as const) {
      const keys = b0.weights.map((w) => sourceOf(w.originalName, layout, convention)?.key);
      assert.ok(keys.every((k) => k !== undefined), convention);
      assert.equal(new Set(keys).size, b0.weights.length, `${convention}: one key per weight`);
    }
  });

  it('names every Lite0 weight, and none of a layer or parameter an EfficientNet lacks', () => {
    const layout = layoutOf(lite0);
    for (const convention of ['efficientnet_pytorch', 'timm'] as const) {
      const keys = lite0.weights.map((w) => sourceOf(w.originalName, layout, convention)?.key);
      assert.equal(new Set(keys.filter(Boolean)).size, lite0.weights.length);
      assert.ok(!keys.some((k) => /(_se_|\.se\.)/.test(k!)), convention);
    }
    assert.equal(sourceOf('block9z_dwconv/depthwise_kernel', layout, 'timm'), undefined);
    assert.equal(sourceOf('stem_conv/bias', layout, 'timm')?.key, 'conv_stem.bias');
    assert.equal(sourceOf('stem_bn/kernel', layout, 'efficientnet_pytorch'), undefined);
    assert.equal(sourceOf('block2a_dwconv/kernel', layout, 'efficientnet_pytorch'), undefined);
    assert.equal(sourceOf('input/kernel', layout, 'efficientnet_pytorch'), undefined);
  });
});
