import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidOption } from '@strata/core';
import { efficientNetB0, efficientNetLite0, tinyCnn } from '@strata/vision';
import { MODELS } from './model-names.js';

/** Builds the named model for square inputs of `imageSize`, with one logit out. */
export function createModel(name: string, imageSize: number, seed: number): tfl.LayersModel {
  switch (name) {
    case 'small-cnn':
      // The default: the benchmark's tiny CNN, twice as wide and with batch norm, which learns the
      // synthetic cues in a few epochs on two cores.
      return tinyCnn({ inputSize: imageSize, filters: [32, 64, 128], batchNorm: true, seed });
    case 'wide-cnn':
      return tinyCnn({ inputSize: imageSize, filters: [32, 64, 128], seed });
    case 'tiny-cnn':
      return tinyCnn({ inputSize: imageSize, seed });
    case 'efficientnet-b0':
      return efficientNetB0({ inputSize: imageSize, seed });
    case 'efficientnet-b0-half':
      return efficientNetB0({ inputSize: imageSize, widthMultiplier: 0.5, depthMultiplier: 0.5, seed, name: 'efficientnet-b0-half' });
    case 'efficientnet-lite0':
      return efficientNetLite0({ inputSize: imageSize, seed });
    default:
      return invalidOption('--model', name, MODELS.map((m) => JSON.stringify(m)).join(', '));
  }
}
