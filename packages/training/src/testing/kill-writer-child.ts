// Child of the SIGKILL test: trains one epoch (ModelCheckpoint writes last.ckpt), then at the
// end of the next epoch starts overwriting last.ckpt and stalls after the first chunk, printing
// WRITING so the parent kills it mid-write.
import { join } from 'node:path';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import { Trainer } from '../trainer.js';
import { Linear, jsCpu, loader } from './js-cpu.js';

const dir = process.argv[2];
const strategy = await jsCpu();
const trainer = new Trainer({
  strategy,
  maxEpochs: 2,
  enableProgressBar: false,
  callbacks: [
    {
      async onTrainEpochEnd(t) {
        if (t.currentEpoch !== 1) return;
        await t.saveCheckpoint(join(dir, 'last.ckpt'), {
          async afterChunk() {
            process.stdout.write('WRITING\n');
            await new Promise((r) => setTimeout(r, 60_000));
          },
        });
      },
    },
    new ModelCheckpoint({ dirpath: dir, saveLast: true }),
  ],
});
await trainer.fit(new Linear(), loader(8));
