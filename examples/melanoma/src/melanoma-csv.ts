import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { StrataError, quote } from '@strata/core';

/** One row of `train.csv`, as the example uses it. */
export interface MelanomaRow {
  readonly imageName: string;
  readonly patientId: string;
  readonly target: 0 | 1;
  readonly fold: number;
  /** 1-based line in the CSV, for error messages. */
  readonly line: number;
}

const REQUIRED = ['image_name', 'patient_id', 'target'];

/**
 * Reads the Kaggle "jpeg-melanoma-256x256" `train.csv`: `image_name`, `patient_id`, `target`
 * (0 or 1) and a fold column, `fold` or else `tfrecord` (fold = tfrecord mod 5; rows with a
 * negative tfrecord, the duplicates, are left out). A missing column or a bad value is a
 * `data-error` naming the file and line.
 *
 * @example
 * const rows = readMelanomaCsv('data/train.csv');
 */
export function readMelanomaCsv(path: string, folds = 5): MelanomaRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new StrataError('data-error', `Cannot read ${quote(path)}.`, { value: path, cause, fix: 'pass --data-dir with train.csv and train/*.jpg (Kaggle "jpeg-melanoma-256x256"), or omit it to use the embedded data.' });
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, relax_column_count: false }) as never;
  } catch (cause) {
    throw new StrataError('data-error', `${quote(path)} is not valid CSV: ${(cause as Error).message}`, { value: path, cause, fix: 'repair the file (every row needs as many fields as the header).' });
  }
  if (records.length === 0) throw new StrataError('data-error', `${quote(path)} is empty.`, { value: path, fix: 'the first line must be the header.' });
  const header = records[0].record.map((h) => h.trim());
  const foldColumn = header.includes('fold') ? 'fold' : header.includes('tfrecord') ? 'tfrecord' : undefined;
  const missing = [...REQUIRED.filter((c) => !header.includes(c)), ...(foldColumn ? [] : ['fold (or tfrecord)'])];
  if (missing.length > 0) {
    throw new StrataError('data-error', `${quote(path)} lacks column(s) ${missing.join(', ')}; its header is ${quote(header.join(','))}.`, {
      value: header,
      fix: 'use the train.csv of "jpeg-melanoma-256x256", or add the columns.',
    });
  }
  const col = (name: string) => header.indexOf(name);
  const rows: MelanomaRow[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const where = `${path}:${line}`;
    const imageName = record[col('image_name')].trim();
    const patientId = record[col('patient_id')].trim();
    const targetText = record[col('target')].trim();
    const foldText = record[col(foldColumn!)].trim();
    if (imageName === '') throw new StrataError('data-error', `${where}: empty image_name.`, { value: record, fix: 'fill in or delete the row.' });
    if (targetText !== '0' && targetText !== '1') {
      throw new StrataError('data-error', `${where}: target is ${quote(targetText)}, expected 0 or 1 (image ${imageName}).`, { value: targetText, fix: 'fix the label or delete the row.' });
    }
    const foldValue = Number(foldText);
    if (foldText === '' || !Number.isInteger(foldValue)) {
      throw new StrataError('data-error', `${where}: ${foldColumn} is ${quote(foldText)}, expected an integer (image ${imageName}).`, { value: foldText, fix: 'fix the fold or delete the row.' });
    }
    if (foldValue < 0) continue;
    rows.push({ imageName, patientId, target: targetText === '1' ? 1 : 0, fold: foldColumn === 'tfrecord' ? foldValue % folds : foldValue, line });
  }
  return rows;
}

/**
 * Splits rows into training and validation by fold, and checks that no patient is on both
 * sides (their images look alike, which would inflate the validation AUC).
 */
export function splitByFold(rows: readonly MelanomaRow[], validationFold: number, path = 'train.csv'): { train: MelanomaRow[]; val: MelanomaRow[] } {
  const train = rows.filter((r) => r.fold !== validationFold);
  const val = rows.filter((r) => r.fold === validationFold);
  if (val.length === 0 || train.length === 0) {
    throw new StrataError('data-error', `Fold ${validationFold} leaves ${train.length} training and ${val.length} validation rows in ${quote(path)}.`, { value: validationFold, fix: 'pick a fold that exists in the fold column.' });
  }
  const valPatients = new Set(val.map((r) => r.patientId));
  const leak = train.find((r) => valPatients.has(r.patientId));
  if (leak) {
    throw new StrataError('data-error', `Patient ${quote(leak.patientId)} has images in both the training folds and validation fold ${validationFold} (${path}:${leak.line}).`, {
      value: leak.patientId,
      fix: 'make the fold column patient-grouped (all images of a patient in one fold).',
    });
  }
  return { train, val };
}
