import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { readMelanomaCsv, splitByFold } from './melanoma-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'strata-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const dataError = (pattern: RegExp) => (e: unknown) => e instanceof StrataError && e.kind === 'data-error' && pattern.test(e.message);

describe('readMelanomaCsv', () => {
  it('reads the Kaggle layout; fold = tfrecord mod 5; skips tfrecord -1', () => {
    const path = csv('ok.csv', 'image_name,patient_id,sex,target,tfrecord\nISIC_1,IP_1,male,0,7\nISIC_2,IP_2,female,1,3\nISIC_3,IP_3,male,0,-1\n');
    assert.deepEqual(readMelanomaCsv(path), [
      { imageName: 'ISIC_1', patientId: 'IP_1', target: 0, fold: 2, line: 2 },
      { imageName: 'ISIC_2', patientId: 'IP_2', target: 1, fold: 3, line: 3 },
    ]);
  });

  it('names the missing columns and the header', () => {
    const path = csv('cols.csv', 'image_name,target\nISIC_1,0\n');
    assert.throws(() => readMelanomaCsv(path), dataError(/cols\.csv" lacks column\(s\) patient_id, fold \(or tfrecord\); its header is "image_name,target"/));
  });

  it('names the file and line of a bad target', () => {
    const path = csv('target.csv', 'image_name,patient_id,target,fold\nISIC_1,IP_1,0,0\nISIC_2,IP_2,yes,1\n');
    assert.throws(() => readMelanomaCsv(path), dataError(/target\.csv:3: target is "yes", expected 0 or 1 \(image ISIC_2\)/));
  });

  it('names the line of a bad fold, and a ragged row', () => {
    assert.throws(() => readMelanomaCsv(csv('fold.csv', 'image_name,patient_id,target,fold\nISIC_1,IP_1,0,x\n')), dataError(/fold\.csv:2: fold is "x"/));
    assert.throws(() => readMelanomaCsv(csv('ragged.csv', 'image_name,patient_id,target,fold\nISIC_1,IP_1,0\n')), dataError(/ragged\.csv" is not valid CSV/));
  });

  it('names a missing file and says how to fix it', () => {
    assert.throws(() => readMelanomaCsv(join(dir, 'none.csv')), dataError(/Cannot read ".*none\.csv".*--data-dir/));
  });
});

describe('splitByFold', () => {
  it('refuses a patient on both sides', () => {
    const rows = readMelanomaCsv(csv('leak.csv', 'image_name,patient_id,target,fold\nA,IP_1,0,0\nB,IP_2,1,1\nC,IP_1,0,1\n'));
    assert.throws(() => splitByFold(rows, 0, 'leak.csv'), dataError(/Patient "IP_1" has images in both .* \(leak\.csv:4\)/));
  });
});
