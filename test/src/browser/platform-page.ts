// Runs in headless Chromium (bundled by ../browser-platform.test.ts): the browser side of the
// libraries. Checkpoint storage in OPFS and IndexedDB, the file loggers' refusal, image decoding,
// resizing and grids on canvases (in the page and in Web Workers), and a Trainer on the wasm
// strategy fed by Web Workers, logging to an InPageLogger and checkpointing into browser storage.
// Posts what it saw to /result.
import * as tf from '@tensorflow/tfjs-core';
import { WasmStrategy } from '@strata/backend-wasm';
import {
  BrowserCheckpointStorage,
  CsvLogger,
  DataLoader,
  InPageLogger,
  Trainer,
  TrainingModule,
  readTrainerCheckpoint,
  type Batch,
  type CheckpointStorage,
  type LoggedRow,
} from '@strata/training';
import { Resize, decodeImage, makeGrid } from '@strata/vision';
import { createDataset } from './worker-dataset.js';

class Plane extends TrainingModule<Batch> {
  w!: tf.Variable;
  b!: tf.Variable;

  override configureModel(): void {
    this.w = tf.variable(tf.tensor2d([[0.1], [-0.2]]));
    this.b = tf.variable(tf.zeros([1]));
  }

  override parameters(): tf.Variable[] {
    return [this.w, this.b];
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x as tf.Tensor2D, this.w as tf.Variable<tf.Rank.R2>), this.b);
  }

  trainingStep(batch: Batch): tf.Scalar {
    const prediction = this.forward(batch.x);
    const loss = tf.losses.meanSquaredError(tf.reshape(tf.cast(batch.y, 'float32'), [-1, 1]), prediction) as tf.Scalar;
    this.log('train_loss', loss);
    return loss;
  }

  configureOptimizers(): tf.Optimizer {
    return tf.train.sgd(0.5);
  }
}

async function exerciseStorage(storage: CheckpointStorage): Promise<Record<string, unknown>> {
  const seen: number[] = [];
  await storage.writeAtomic('/runs/a/first.ckpt', [Uint8Array.of(1, 2), Uint8Array.of(3)], { afterChunk: (written) => void seen.push(written) });
  await storage.writeAtomic('runs/a/second.ckpt', [Uint8Array.of(9)]);
  await storage.writeAtomic('runs/a/first.ckpt', [Uint8Array.of(4, 5, 6, 7)]);
  const result: Record<string, unknown> = {
    chunksSeen: seen,
    first: Array.from(await storage.read('runs/a/first.ckpt')),
    listA: await storage.list('runs/a'),
    listRuns: await storage.list('./runs'),
    listMissing: await storage.list('runs/none'),
    existsBefore: await storage.exists('runs/a/second.ckpt'),
  };
  await storage.remove('runs/a/second.ckpt');
  await storage.remove('runs/a/never-written.ckpt');
  result.existsAfter = await storage.exists('runs/a/second.ckpt');
  result.missingRead = await storage.read('runs/a/second.ckpt').then(() => 'read', (e: Error) => e.message);
  result.dotDot = await storage.read('runs/../x').then(() => 'read', (e: Error) => e.message);
  await storage.remove('runs/a/first.ckpt');
  return result;
}

async function fit(loader: DataLoader, rows: LoggedRow[]): Promise<{ history: unknown[]; strategy: unknown; checkpoints: string[]; checkpointEpoch: unknown; }> {
  const trainer = new Trainer({
    strategy: new WasmStrategy(),
    maxEpochs: 3,
    defaultRootDir: `page-run-${loader.numWorkers}`,
    logger: [new InPageLogger({ onMetrics: (row) => rows.push(row) })],
    enableProgressBar: false,
    logEveryNSteps: 1,
  });
  const module = new Plane();
  try {
    await trainer.fit(module, loader);
    const dir = `page-run-${loader.numWorkers}/strata_logs/version_0/checkpoints`;
    const checkpoints = await new BrowserCheckpointStorage().list(dir);
    const file = checkpoints.length > 0 ? await readTrainerCheckpoint(`${dir}/${checkpoints[0]}`) : undefined;
    return { history: trainer.history, strategy: trainer.strategy.describe(), checkpoints, checkpointEpoch: file?.meta.epoch };
  } finally {
    await loader.close();
    await trainer.strategy.teardown();
    // What the Trainer keeps for another fit: the module's variables and the optimizer.
    tf.dispose(module.parameters());
    trainer.optimizer?.dispose();
  }
}

async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  out.opfs = await exerciseStorage(new BrowserCheckpointStorage('opfs'));
  out.indexeddb = await exerciseStorage(new BrowserCheckpointStorage('indexeddb'));
  out.defaultKind = await new BrowserCheckpointStorage().kind();

  try {
    new CsvLogger();
    out.csvLogger = 'constructed';
  } catch (error) {
    out.csvLogger = (error as Error).message;
  }

  const png = await decodeImage('image.png');
  out.png = { height: png.height, width: png.width, channels: png.channels, data: Array.from(png.data) };
  const jpeg = await decodeImage(new Uint8Array(await (await fetch('image.jpg')).arrayBuffer()));
  out.jpeg = { height: jpeg.height, width: jpeg.width, channels: jpeg.channels, data: Array.from(jpeg.data) };
  const resized = await new Resize(12, 8).apply(png);
  out.resized = { height: resized.height, width: resized.width, channels: resized.channels, data: Array.from(resized.data) };
  out.missingImage = await decodeImage('no-such-image.png').then(() => 'decoded', (e: Error) => e.message);
  out.notAnImage = await decodeImage(Uint8Array.of(1, 2, 3, 4)).then(() => 'decoded', (e: Error) => e.message);
  const grid = await makeGrid([png, png, png], { nrow: 2, labels: ['a', 'b', 'c'] });
  out.gridPng = btoa(String.fromCharCode(...grid));

  const workerRows: LoggedRow[] = [];
  const inlineRows: LoggedRow[] = [];
  const source = { module: new URL('dataset.js', location.href).href, exportName: 'createDataset', args: { length: 48 } };
  const tensorsLog: number[] = [];
  out.tensorsLog = tensorsLog;
  out.workers = await fit(new DataLoader(createDataset(source.args), { batchSize: 8, shuffle: true, seed: 3, numWorkers: 2, workerSource: source }), workerRows);
  tensorsLog.push(tf.memory().numTensors);
  out.inline = await fit(new DataLoader(createDataset(source.args), { batchSize: 8, shuffle: true, seed: 3 }), inlineRows);
  tensorsLog.push(tf.memory().numTensors);
  out.workerRows = workerRows;
  out.inlineRows = inlineRows;

  // Decoding inside the Web Workers (createImageBitmap and OffscreenCanvas in a worker).
  const imageArgs = { length: 4, image: new URL('image.png', location.href).href };
  const decoding = new DataLoader(createDataset(imageArgs), { batchSize: 2, numWorkers: 2, workerSource: { ...source, args: imageArgs } });
  const sums: number[] = [];
  for await (const batch of decoding) {
    sums.push(...(await (batch as Record<string, tf.Tensor>).pixelSum.data()));
    tf.dispose(Object.values(batch as Record<string, tf.Tensor>));
  }
  await decoding.close();
  out.workerPixelSums = sums;
  out.pagePixelSum = Array.from(png.data).reduce((a, b) => a + b, 0);

  const broken = new DataLoader(createDataset(source.args), { batchSize: 8, numWorkers: 1, workerSource: source, workerScript: 'no-such-worker.js' });
  out.brokenWorker = await (async () => {
    for await (const batch of broken) tf.dispose(Object.values(batch as Record<string, tf.Tensor>));
    return 'loaded';
  })().then(
    (v) => v,
    (e: Error) => e.message,
  );
  await broken.close();
  out.tensorsLeft = tf.memory().numTensors;
  return out;
}

let result: Record<string, unknown>;
try {
  result = await run();
} catch (error) {
  result = { error: `${(error as Error)?.stack ?? String(error)}` };
}
await fetch('/result', { method: 'POST', body: JSON.stringify(result) });
