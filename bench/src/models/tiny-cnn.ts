import type { ModelSpec } from './layers.js';

/**
 * The tiny CNN of DESIGN.md: conv3x3(16)+relu, maxpool 2; conv3x3(32)+relu, maxpool 2;
 * conv3x3(64)+relu; global average pool; dense(1).
 */
export const TINY_CNN: ModelSpec = {
  name: 'tiny-cnn',
  summary: 'conv3x3(16)+relu, maxpool2, conv3x3(32)+relu, maxpool2, conv3x3(64)+relu, global avg pool, dense(1)',
  inputChannels: 3,
  layers: [
    { kind: 'conv2d', filters: 16, kernel: 3, stride: 1, padding: 'same', bias: true, activation: 'relu' },
    { kind: 'maxpool', size: 2, stride: 2 },
    { kind: 'conv2d', filters: 32, kernel: 3, stride: 1, padding: 'same', bias: true, activation: 'relu' },
    { kind: 'maxpool', size: 2, stride: 2 },
    { kind: 'conv2d', filters: 64, kernel: 3, stride: 1, padding: 'same', bias: true, activation: 'relu' },
    { kind: 'global-avg-pool' },
    { kind: 'dense', units: 1, bias: true },
  ],
};
