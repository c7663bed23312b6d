// EfficientNet-B0 trains on every local accelerated strategy: a few Adam steps at a small
// image size on a fixed batch, and the loss falls. Software GPUs (llvmpipe, SwiftShader) run a
// step's shaders on the CPU in a time that grows with the pixels and the steps: 48x48 and 3
// steps show that it trains.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DataLoader, SeededRandom, Trainer, TrainingModule, arrayDataset, trainableVariables, type Batch, type Sample } from '@strata/training';
import { efficientNetB0 } from '@strata/vision';
import type { ContractTarget } from './contract-target.js';

const TARGETS = ['cpu-native', 'wasm', 'webgpu'];
const STEPS = 3;
/** Height and width of the images: EfficientNet-B0's five stride-2 stages take them to 2x2. */
const SIZE = 48;
const only = process.env.STRATA_CONTRACT_TARGETS?.split(',').filter(Boolean);

class EfficientNetModule extends TrainingModule<Batch> {
  readonly model: tfl.LayersModel = efficientNetB0({ inputSize: SIZE, dropoutRate: 0, dropConnectRate: 0, seed: 1 });
  override parameters(): tf.Variable[] {
    return trainableVariables(this.model);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.model.apply(x, { training: true }) as tf.Tensor;
  }
  trainingStep(batch: Batch): tf.Scalar {
    return tf.losses.sigmoidCrossEntropy(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)) as tf.Scalar;
  }
  configureOptimizers(): tf.Optimizer {
    return tf.train.adam(1e-3);
  }
}

function fixedBatch(): Sample[] {
  const random = new SeededRandom(5);
  return Array.from({ length: 4 }, (_, n) => {
    const data = new Float32Array(SIZE * SIZE * 3);
    for (let i = 0; i < data.length; i++) data[i] = random.nextNormal() + (n % 2) * 0.5;
    return { x: { data, shape: [SIZE, SIZE, 3] }, y: n % 2 };
  });
}

for (const name of TARGETS) {
  const file = new URL(`./targets/${name}.ts`, import.meta.url);
  if (!existsSync(file) || (only && !only.includes(name))) continue;
  const { target } = (await import(file.href)) as { target: ContractTarget };
  const skip = await target.skip?.();
  describe(`EfficientNet-B0 on ${name}`, { skip }, () => {
    it(`trains ${STEPS} steps at ${SIZE}x${SIZE}, batch 4, and the loss falls`, async () => {
      await target.before?.();
      const strategy = await target.create();
      try {
        const trainer = new Trainer({ strategy, maxEpochs: STEPS, numSanityValSteps: 0, enableProgressBar: false });
        await strategy.setup();
        const module = strategy.scope(() => new EfficientNetModule());
        await trainer.fit(module, new DataLoader(arrayDataset(fixedBatch()), { batchSize: 4 }));
        const losses = trainer.history.map((m) => m.train_loss);
        assert.ok(losses.every(Number.isFinite), `losses: ${losses}`);
        assert.ok(losses[STEPS - 1] < losses[0], `loss did not fall: ${losses}`);
        trainer.optimizer?.dispose();
        module.model.dispose();
      } finally {
        await strategy.teardown();
        await target.after?.();
      }
    });
  });
}
