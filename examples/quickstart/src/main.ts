// Strata quickstart: the smallest complete training script. `--strategy` is the only hardware
// knob: cpu, wasm, webgpu, cuda, tpu, auto or fastest (default: STRATA_STRATEGY, then auto).
//   npm run quickstart -- --strategy cpu --max-epochs 10
//   npm run quickstart -- --strategy tpu --tpu-cores 8    (an XLA server at STRATA_TPU_ADDRESS)
//   npm run quickstart -- --strategy cuda --devices=-1   (data parallel over every NVIDIA GPU)
//   npm run quickstart -- --strategy tpu --tpu-cores 8 --global-batch-size 64   (64 samples a step on any device count)
//   npm run quickstart -- --strategy tpu --tpu-address grpc://h0:8470,grpc://h1:8470   (two XLA servers as one mesh)
import { parseArgs } from 'node:util';
import '@strata/strategies';
import { runMain } from '@strata/core';
import { DataLoader, Trainer, arrayDataset } from '@strata/training';
import { SpiralClassifier } from './spiral-classifier.js';
import { spirals } from './spirals.js';

await runMain(async () => {
  const { values } = parseArgs({
    options: {
      strategy: { type: 'string' },
      'max-epochs': { type: 'string', default: '20' },
      'batch-size': { type: 'string', default: '64' },
      'learning-rate': { type: 'string', default: '0.02' },
      'accumulate-grad-batches': { type: 'string' },
      // Samples per optimizer step whatever the device count (the loader is re-batched; excludes --accumulate-grad-batches).
      'global-batch-size': { type: 'string' },
      // With --global-batch-size: the most samples one device holds at once (more accumulate).
      'device-batch-size': { type: 'string' },
      // Replicas, for strategies that have several (GPUs, TPU cores; --devices=-1 for all); --tpu-cores is Lightning 1.x's spelling.
      devices: { type: 'string' },
      'tpu-cores': { type: 'string' },
      // The TPU strategy's XLA server, or several (comma-separated) started as one mesh; default STRATA_TPU_ADDRESS.
      'tpu-address': { type: 'string' },
    },
  });
  if (values['tpu-address'] !== undefined) process.env.STRATA_TPU_ADDRESS = values['tpu-address'];

  const trainLoader = new DataLoader(arrayDataset(spirals(2048, 1)), { batchSize: Number(values['batch-size']), shuffle: true, seed: 42 });
  const valLoader = new DataLoader(arrayDataset(spirals(512, 2)), { batchSize: 256 });

  const trainer = new Trainer({
    strategy: values.strategy,
    maxEpochs: Number(values['max-epochs']),
    accumulateGradBatches: optionalNumber(values['accumulate-grad-batches']),
    globalBatchSize: optionalNumber(values['global-batch-size']),
    deviceBatchSize: optionalNumber(values['device-batch-size']),
    devices: optionalNumber(values.devices ?? values['tpu-cores']),
  });
  // The module builds its network in configureModel(), which the Trainer calls on the strategy
  // it picks ('fastest' picks at the start of fit).
  await trainer.fit(new SpiralClassifier(Number(values['learning-rate'])), trainLoader, valLoader);
  const device = trainer.strategy.describe();
  console.log(`Strategy ${device.strategy} on ${device.engine} (${device.numReplicas} replica${device.numReplicas > 1 ? 's' : ''})`);
  console.log(`Done: val_acc ${trainer.callbackMetrics.val_acc?.toFixed(3)} after ${trainer.globalStep} steps`);
  await trainer.strategy.teardown();
});

function optionalNumber(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}
