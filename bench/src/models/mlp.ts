import type { ModelSpec } from '@strata/vision/models';

/**
 * The bench's host-bound model: an MLP 784-256-10 (dense(256)+relu, dense(10), ending in ten
 * logits) on flat 784-feature inputs, trained with softmax cross-entropy. Its step is a few
 * small matrix products, well under a millisecond in `jax.jit` on a CPU, so its step time is
 * mostly what each framework does on the host around the computation: the overhead a fast
 * accelerator would see. It is a bench model, not a vision one, so it is defined here; a spec
 * whose first layer is dense takes [N, inputChannels] vectors (`modelInput`).
 */
export const MLP: ModelSpec = {
  name: 'mlp',
  summary: 'dense(256)+relu, dense(10) on 784 features (softmax over 10 classes)',
  inputChannels: 784,
  layers: [
    { kind: 'dense', name: 'hidden', units: 256, bias: true },
    { kind: 'activation', name: 'hidden_relu', fn: 'relu' },
    { kind: 'dense', name: 'logits', units: 10, bias: true },
  ],
};
