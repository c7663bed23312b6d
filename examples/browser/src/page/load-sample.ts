import { decodeImage } from '@strata/vision';
import type { DecodedSample } from '../run/browser-run.js';
import { MANIFEST_FILE, parseSampleManifest, type SampleImage } from '../run/sample-manifest.js';

/**
 * Fetches the sample served with the page: `labels.json` under `base`, then every image it
 * lists, decoded by the browser (`decodeImage` of @strata/vision), in the manifest's order (the
 * order the Node run sees).
 */
export async function loadSample(base: URL): Promise<DecodedSample> {
  const manifestUrl = new URL(MANIFEST_FILE, base);
  const response = await fetch(manifestUrl);
  if (!response.ok) throw new Error(`Fetching ${manifestUrl.href} failed: HTTP ${response.status}. The page needs the sample the example build serves next to it.`);
  const manifest = parseSampleManifest(await response.json(), manifestUrl.href);
  const split = async (rows: readonly SampleImage[]) => ({
    images: await Promise.all(rows.map((row) => decodeImage(new URL(row.file, base).href))),
    targets: rows.map((row) => row.target),
  });
  return { imageSize: manifest.imageSize, train: await split(manifest.train), val: await split(manifest.val) };
}
