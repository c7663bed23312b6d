// --on-bad-sample: on a dataset with two truncated JPEGs (one among the images the training grid
// shows, one beyond), 'error' stops the run naming the file with one reason and one fix, and
// 'skip' trains past both and reports how many image loads it skipped.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { readMelanomaCsv, splitByFold } from './melanoma-csv.js';
import { parseSettings } from './settings.js';
import { generateSyntheticDataset } from './synthetic/synthetic-dataset.js';

// Runs the compiled example (build it first), small: 80 synthetic images at 32x32.
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SMALL = ['--strategy', 'cpu', '--image-size', '32', '--num-workers', '1', '--batch-size', '8', '--num-sanity-val-steps', '0'];

function run(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [main, ...SMALL, ...args], { cwd, encoding: 'utf8', timeout: 230_000 });
}

/** Keeps the first half of a JPEG: its header decodes, its scan data ends early. */
function truncate(file: string): void {
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

describe('--on-bad-sample', () => {
  it("parses 'error' (the default) and 'skip', and names the two values for anything else", () => {
    assert.equal(parseSettings([]).onBadSample, 'error');
    assert.equal(parseSettings(['--on-bad-sample', 'skip']).onBadSample, 'skip');
    assert.throws(() => parseSettings(['--on-bad-sample', 'ignore']), /--on-bad-sample: received "ignore"\. Fix: --on-bad-sample must be one of error, skip/);
  });

  describe('on a dataset with truncated JPEGs', () => {
    let work: string;
    let dataDir: string;
    let bad: string[];
    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'strata-melanoma-bad-'));
      dataDir = await generateSyntheticDataset(join(work, 'data'), { count: 80, seed: 7 });
      const { train } = splitByFold(readMelanomaCsv(join(dataDir, 'train.csv')), 0);
      assert.ok(train.length > 20, `only ${train.length} training images`);
      // Training image 3 is in the grid of the first 16; image 20 only the loader reaches.
      bad = [train[3].imageName, train[20].imageName];
      for (const name of bad) truncate(join(dataDir, 'train', `${name}.jpg`));
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    it('error (the default): the run stops, naming the file, with one reason and one fix', { timeout: 240_000 }, () => {
      const result = run(work, ['--data-dir', dataDir, '--max-epochs', '1', '--out', join(work, 'strict')]);
      assert.equal(result.status, 1, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stderr, new RegExp(`Cannot decode image ".*${bad[0]}\\.jpg"`));
      assert.equal(result.stderr.split('Fix:').length - 1, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /onBadImage/);
    });

    it('skip: trains past both, warns naming each, and counts the skipped loads per epoch and in summary.json', { timeout: 240_000 }, () => {
      const out = join(work, 'lenient');
      const result = run(work, ['--data-dir', dataDir, '--max-epochs', '2', '--on-bad-sample', 'skip', '--out', out]);
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      for (const name of bad) assert.match(result.stderr, new RegExp(`skipped: Loading sample \\d+ \\(batch \\d+\\) failed: Cannot decode image ".*${name}\\.jpg"`));
      assert.doesNotMatch(result.stderr, /Fix:/, 'a skipped sample is a warning, without a fix');
      assert.match(result.stdout, /^Epoch 1 \| AUC: /m);
      // Every skipped load is one warning; the preflight's look at the first batch loads it too.
      const warnings = result.stderr.match(/^skipped: /gm)?.length ?? 0;
      const perEpoch = [...result.stdout.matchAll(/^Skipped (\d+) images? that failed to load in epoch (\d) \((\d+) in all; each named in a warning above\)$/gm)];
      assert.deepEqual(perEpoch.map((m) => m[2]), ['0', '1'], result.stdout);
      assert.equal(perEpoch.reduce((sum, m) => sum + Number(m[1]), 0), warnings);
      assert.equal(Number(perEpoch[1][3]), warnings);
      assert.ok(warnings >= 2, `${warnings} skipped`);
      assert.match(result.stdout, new RegExp(`^Done: .*, ${warnings} image loads skipped \\(--on-bad-sample skip\\), `, 'm'));
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      assert.equal(summary.skippedSamples, warnings);
      assert.equal(summary.epochs, 2);
    });
  });
});
