import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StrataError } from '@strata/core';
import { parseSettings } from './settings.js';

function fails(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseSettings(argv), (e: unknown) => {
    assert.ok(e instanceof StrataError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

describe('melanoma settings', () => {
  it('defaults to the example’s two-core recipe', () => {
    const s = parseSettings([]);
    assert.equal(s.model, 'small-cnn');
    assert.equal(s.imageSize, 64);
    assert.equal(s.batchSize, 32);
    assert.equal(s.maxEpochs, 16);
    assert.equal(s.precision, '32');
    assert.equal(s.precisionSource, 'default');
    assert.equal(s.lrSchedule, 'cosine');
    assert.equal(s.augment, 'full');
    assert.equal(s.numSanityValSteps, 2);
    assert.equal(s.limitTrainBatches, undefined);
    assert.equal(s.balancedSampler, false);
    assert.equal(s.devices, undefined);
  });

  it('--preset seed is the seed’s recipe', () => {
    const s = parseSettings(['--preset', 'seed']);
    assert.equal(s.preset, 'seed');
    assert.equal(s.model, 'efficientnet-b0');
    assert.equal(s.imageSize, 256);
    assert.equal(s.augment, 'crop');
    assert.equal(s.cropFrom, 256);
    assert.equal(s.batchSize, 64);
    assert.equal(s.numWorkers, 4);
    assert.equal(s.lr, 5e-4);
    assert.equal(s.lrSchedule, 'constant');
    assert.equal(s.maxEpochs, 2);
    assert.equal(s.accumulateGradBatches, 2);
    assert.equal(s.precision, '16-mixed');
    assert.equal(s.precisionSource, 'preset');
    assert.equal(s.numSanityValSteps, 0);
    assert.equal(s.limitTrainBatches, undefined);
    assert.equal(s.limitValBatches, undefined);
  });

  it('a flag given explicitly wins over the preset', () => {
    const s = parseSettings(['--preset', 'seed', '--batch-size', '16', '--image-size', '64', '--precision', '32', '--lr-schedule', 'cosine', '--max-epochs', '5']);
    assert.equal(s.batchSize, 16);
    assert.equal(s.imageSize, 64);
    assert.equal(s.cropFrom, 64);
    assert.equal(s.precision, '32');
    assert.equal(s.precisionSource, 'flag');
    assert.equal(s.lrSchedule, 'cosine');
    assert.equal(s.maxEpochs, 5);
    // The rest stays the preset's.
    assert.equal(s.model, 'efficientnet-b0');
    assert.equal(s.accumulateGradBatches, 2);
    assert.equal(s.lr, 5e-4);
  });

  it('--debug is one sanity batch and a short run, over the preset; its own flags still win', () => {
    const s = parseSettings(['--preset', 'seed', '--debug']);
    assert.equal(s.debug, true);
    assert.equal(s.numSanityValSteps, 1);
    assert.equal(s.limitTrainBatches, 4);
    assert.equal(s.limitValBatches, 2);
    assert.equal(s.batchSize, 8);
    assert.equal(s.maxEpochs, 2);
    assert.equal(s.accumulateGradBatches, 2);
    const t = parseSettings(['--debug', '--preset', 'seed', '--num-sanity-val-steps', '3', '--limit-train-batches', '10', '--batch-size', '64']);
    assert.equal(t.numSanityValSteps, 3);
    assert.equal(t.limitTrainBatches, 10);
    assert.equal(t.batchSize, 64);
    assert.equal(t.limitValBatches, 2);
  });

  it('--tpu-cores picks the tpu strategy and its device count; --devices counts for any strategy', () => {
    const s = parseSettings(['--tpu-cores', '8']);
    assert.equal(s.strategy, 'tpu');
    assert.equal(s.devices, 8);
    assert.equal(s.devicesFlag, '--tpu-cores');
    const d = parseSettings(['--strategy', 'cuda', '--devices=-1']);
    assert.equal(d.strategy, 'cuda');
    assert.equal(d.devices, -1);
    assert.equal(d.devicesFlag, '--devices');
    fails(['--strategy', 'cpu', '--tpu-cores', '8'], /--tpu-cores: received "8".*--strategy tpu.*--devices/);
    fails(['--devices', '2', '--tpu-cores', '8'], /--devices: received "2".*same as --tpu-cores \(8\)/);
    fails(['--devices', '0'], /--devices: received "0".*integer >= 1, or -1/);
  });

  it('precision spellings: 16, bf16 and Lightning’s names', () => {
    assert.equal(parseSettings(['--precision', '16']).precision, '16-mixed');
    assert.equal(parseSettings(['--precision', 'bf16-mixed']).precision, 'bf16-mixed');
    assert.equal(parseSettings(['--precision', '16']).precisionSource, 'flag');
    fails(['--precision', '8'], /--precision: received "8".*one of 32, 16, bf16, 16-mixed, bf16-mixed/);
  });

  it('--pretrained needs an architecture that has weights; --crop-from needs the crop augmentation', () => {
    const file = fileURLToPath(import.meta.url);
    assert.equal(parseSettings(['--model', 'efficientnet-lite0', '--pretrained', file]).pretrained, file);
    fails(['--model', 'efficientnet-b0', '--pretrained', 'no-such-weights.pth'], /--pretrained: received "no-such-weights\.pth".*an existing weights file/);
    fails(['--pretrained', file], /--model: received "small-cnn".*"efficientnet-b0" or "efficientnet-lite0" with --pretrained/);
    fails(['--augment', 'crop', '--crop-from', '48'], /--crop-from: received "48".*integer >= 64/);
    fails(['--crop-from', '96'], /--crop-from: received "96".*--augment crop/);
    assert.equal(parseSettings(['--augment', 'crop', '--crop-from', '80']).cropFrom, 80);
  });

  it('names a bad value and what is allowed', () => {
    fails(['--preset', 'lightning'], /--preset: received "lightning".*"seed"/);
    fails(['--model', 'resnet'], /--model: received "resnet".*small-cnn, wide-cnn, tiny-cnn, efficientnet-b0, efficientnet-b0-half, efficientnet-lite0/);
    fails(['--batch-size', '0'], /--batch-size: received "0".*integer >= 1/);
    fails(['--lr', 'fast'], /--lr: received "fast"/);
    fails(['--augment', 'mixup'], /--augment: received "mixup".*full, crop/);
    assert.throws(() => parseSettings(['--no-such-flag']), /Unknown option '--no-such-flag'/);
  });
});
