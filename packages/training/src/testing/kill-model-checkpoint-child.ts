// Child of the crash-ordering test: ModelCheckpoint (no monitor, saveTopK 1, saveLast) saves
// epoch 0, then at the end of epoch 1 writes the new top-1 file and starts overwriting
// last.ckpt, where its storage stalls after the first chunk and prints WRITING so the parent
// kills it mid-write: the moment between publishing the new file and removing the old one.
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import type { CheckpointStorage, CheckpointWriteHooks } from '../checkpoint/checkpoint-storage.js';
import { NodeCheckpointStorage } from '../checkpoint/node-checkpoint-storage.js';
import { Trainer } from '../trainer.js';
import { Linear, jsCpu, loader } from './js-cpu.js';

const dir = process.argv[2];
const files = new NodeCheckpointStorage();
let lastWrites = 0;
const stalling: CheckpointStorage = {
  read: (p) => files.read(p),
  exists: (p) => files.exists(p),
  remove: (p) => files.remove(p),
  list: (d) => files.list(d),
  removeStaleTemporaries: (d) => files.removeStaleTemporaries(d),
  async writeAtomic(path: string, chunks: readonly Uint8Array[], hooks?: CheckpointWriteHooks) {
    if (!path.endsWith('/last.ckpt') || ++lastWrites < 2) return files.writeAtomic(path, chunks, hooks);
    return files.writeAtomic(path, chunks, {
      async afterChunk() {
        process.stdout.write('WRITING\n');
        await new Promise((r) => setTimeout(r, 60_000));
      },
    });
  },
};
const trainer = new Trainer({
  strategy: await jsCpu(),
  maxEpochs: 2,
  enableProgressBar: false,
  callbacks: [new ModelCheckpoint({ dirpath: dir, saveLast: true, storage: stalling })],
});
await trainer.fit(new Linear(), loader(8));
