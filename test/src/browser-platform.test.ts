// The libraries' browser side, in a real headless Chromium: browser/platform-page.ts is bundled
// for the browser with the Web Worker entry and the dataset module beside it, and the wasm
// strategy finds tfjs-backend-wasm's binaries next to the bundle (its browser default). The
// page's results are checked here against the Node side (sharp's decoding and resizing).
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImage, Resize } from '@strata/vision';
import { bundlePage, NO_CHROMIUM } from './browser/bundle-page.js';
import { findChromium, runInChromium, type ServedFile } from './browser/run-in-chromium.js';

const TIMEOUT_MS = 240_000;
const here = dirname(fileURLToPath(import.meta.url));
const chromium = findChromium();
// Skipped without a browser on a developer's machine; in CI (CI set) a missing browser fails.
const noBrowser = chromium || process.env.CI ? undefined : NO_CHROMIUM;
if (noBrowser) console.log(`skipping the browser platform test: ${noBrowser}`);

/** A smooth RGB test image, so that decoders and resamplers can be compared closely. */
function gradient(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([Math.round((255 * x) / (width - 1)), Math.round((255 * y) / (height - 1)), 128], (y * width + x) * 3);
  }
  return data;
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

interface Image {
  height: number;
  width: number;
  channels: number;
  data: number[];
}

interface Fit {
  history: Record<string, number>[];
  strategy: { strategy: string; engine: string };
  checkpoints: string[];
  checkpointEpoch: number;
}

describe('the libraries in a browser page (headless Chromium)', { skip: noBrowser }, () => {
  it('stores checkpoints, refuses file loggers, decodes images, and trains from Web Workers into an InPageLogger', { timeout: TIMEOUT_MS + 60_000 }, async () => {
    assert.ok(chromium, NO_CHROMIUM);
    const raw = gradient(20, 16);
    const png = await sharp(raw, { raw: { width: 20, height: 16, channels: 3 } }).png().toBuffer();
    const jpeg = await sharp(raw, { raw: { width: 20, height: 16, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
    const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    const files = new Map<string, ServedFile>([
      ['/', { body: '<!doctype html><script type="module" src="/page.js"></script>', type: 'text/html' }],
      ['/page.js', { body: await bundlePage('./browser/platform-page.ts', here), type: 'text/javascript' }],
      ['/dataset.js', { body: await bundlePage('./browser/worker-dataset.ts', here), type: 'text/javascript' }],
      ['/browser-data-worker.js', { body: await bundlePage('@strata/training/browser-data-worker', here), type: 'text/javascript' }],
      ['/image.png', { body: png, type: 'image/png' }],
      ['/image.jpg', { body: jpeg, type: 'image/jpeg' }],
    ]);
    for (const name of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) files.set(`/${name}`, { body: readFileSync(join(wasmDir, name)), type: 'application/wasm' });

    const result = await runInChromium(chromium, files, TIMEOUT_MS);
    assert.equal(result.error, undefined, String(result.error));

    // Checkpoint storage: OPFS where Chromium has it, IndexedDB when asked; the same behaviour.
    assert.equal(result.defaultKind, 'opfs');
    for (const kind of ['opfs', 'indexeddb']) {
      const s = result[kind] as Record<string, unknown>;
      assert.deepEqual(s.chunksSeen, [2, 3], kind);
      assert.deepEqual(s.first, [4, 5, 6, 7], kind);
      assert.deepEqual(s.listA, ['first.ckpt', 'second.ckpt'], kind);
      assert.deepEqual(s.listRuns, ['a'], kind);
      assert.deepEqual(s.listMissing, [], kind);
      assert.equal(s.existsBefore, true, kind);
      assert.equal(s.existsAfter, false, kind);
      assert.match(String(s.missingRead), /No checkpoint file "runs\/a\/second\.ckpt"/, kind);
      assert.match(String(s.dotDot), /'\.\.' part/, kind);
    }

    assert.match(String(result.csvLogger), /CsvLogger writes log files.*InPageLogger/);

    // Decoding: PNG pixels exactly as sharp gives them in Node; JPEG within decoder rounding.
    const nodePng = await decodeImage(png);
    const pagePng = result.png as Image;
    assert.deepEqual([pagePng.height, pagePng.width, pagePng.channels], [16, 20, 3]);
    assert.deepEqual(pagePng.data, Array.from(nodePng.data));
    const pageJpeg = result.jpeg as Image;
    assert.deepEqual([pageJpeg.height, pageJpeg.width, pageJpeg.channels], [16, 20, 3]);
    assert.ok(meanAbsDiff(pageJpeg.data, (await decodeImage(jpeg)).data) < 2, 'JPEG decoded unlike sharp');
    const pageResized = result.resized as Image;
    assert.deepEqual([pageResized.height, pageResized.width, pageResized.channels], [12, 8, 3]);
    const nodeResized = await new Resize(12, 8).apply(nodePng);
    assert.ok(meanAbsDiff(pageResized.data, nodeResized.data) < 6, `resized unlike sharp: ${meanAbsDiff(pageResized.data, nodeResized.data)}`);
    assert.match(String(result.missingImage), /Image "no-such-image\.png" does not exist \(HTTP 404\)/);
    assert.match(String(result.notAnImage), /Cannot decode image "<4 bytes>"/);
    const grid = await sharp(Buffer.from(String(result.gridPng), 'base64')).metadata();
    assert.deepEqual([grid.format, grid.width, grid.height], ['png', 2 * (20 + 2) + 2, 2 * (16 + 2) + 2]);

    // Training: the same losses with Web Workers as in the main thread, falling; rows in the logger; a checkpoint in OPFS.
    const workers = result.workers as Fit;
    const inline = result.inline as Fit;
    assert.equal(workers.strategy.strategy, 'wasm');
    const losses = workers.history.map((h) => h.train_loss);
    assert.equal(losses.length, 3, JSON.stringify(workers.history));
    assert.ok(losses[2] < losses[0], `loss did not fall: ${losses.join(', ')}`);
    assert.deepEqual(losses, inline.history.map((h) => h.train_loss));
    const rows = result.workerRows as { step: number; metrics: Record<string, number> }[];
    assert.equal(rows.filter((r) => 'train_loss_step' in r.metrics).length, 3 * 6, JSON.stringify(rows.slice(0, 3)));
    assert.deepEqual(rows, result.inlineRows);
    assert.equal(workers.checkpoints.length, 1, JSON.stringify(workers.checkpoints));
    assert.match(workers.checkpoints[0], /\.ckpt$/);
    // The file names the epoch to run next: 3, after epochs 0 to 2.
    assert.equal(workers.checkpointEpoch, 3);

    // Images decode inside the Web Workers as in the page.
    assert.deepEqual(result.workerPixelSums, [0, 1, 2, 3].map(() => result.pagePixelSum));

    // A worker script that cannot be loaded fails the loader with the reason and the remedy.
    assert.match(String(result.brokenWorker), /Data-loading worker 0 threw an uncaught error: failed.*no-such-worker\.js.*numWorkers: 0/);
    // Loading in Web Workers leaves no tensor behind: the worker-fed fit and the main-thread one
    // leave the same count (what the Trainer itself keeps after a fit, the same as in Node).
    const [afterWorkers, afterBoth] = result.tensorsLog as number[];
    assert.equal(afterBoth - afterWorkers, afterWorkers, JSON.stringify(result.tensorsLog));
    assert.equal(result.tensorsLeft, afterBoth);
  });
});
