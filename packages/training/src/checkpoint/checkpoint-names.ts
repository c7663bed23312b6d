import type { CheckpointStorage } from './checkpoint-storage.js';
import { defaultCheckpointStorage } from './default-checkpoint-storage.js';

/** The extension of checkpoint files. */
export const CHECKPOINT_EXTENSION = '.ckpt';

/**
 * Fills a filename template: '{epoch}-{val_loss:.2f}' with { epoch: 3, val_loss: 0.1234 } gives
 * 'epoch=3-val_loss=0.12'. Unknown names are left empty, as Lightning does with missing metrics.
 */
export function formatCheckpointName(template: string, values: Readonly<Record<string, number>>): string {
  return template.replace(/\{([^}:]+)(?::([^}]*))?\}/g, (_, name: string, spec: string | undefined) => {
    const value = values[name];
    let text = '';
    if (value !== undefined) {
      const fixed = spec ? /^\.(\d+)f$/.exec(spec) : null;
      const exp = spec ? /^\.(\d+)e$/.exec(spec) : null;
      text = fixed ? value.toFixed(Number(fixed[1])) : exp ? value.toExponential(Number(exp[1])) : String(value);
    }
    return `${name.replace(/\//g, '_')}=${text}`;
  });
}

/** Checkpoint files in `dir` (temporary files of interrupted writes excluded), through `storage` (default: the platform's). */
export async function listCheckpoints(dir: string, storage: CheckpointStorage = defaultCheckpointStorage()): Promise<string[]> {
  return (await storage.list(dir)).filter((f) => f.endsWith(CHECKPOINT_EXTENSION) && !f.startsWith('.')).sort();
}
