// Strata's melanoma example: the seed article's LightningModule (a convnet, weighted focal
// loss, ROC-AUC per epoch) on the Kaggle "jpeg-melanoma-256x256" layout, or on an embedded
// synthetic dataset in the same layout when no --data-dir is given. `--strategy` is the only
// hardware knob: cpu, wasm, webgpu, cuda, tpu or auto; `--preset seed` is the seed's recipe.
//   npm run train                                   (embedded data, --strategy auto)
//   node examples/melanoma/dist/main.js --preset seed --strategy cpu --debug
//   node examples/melanoma/dist/main.js --preset seed --strategy tpu --tpu-cores 8
//   node examples/melanoma/dist/main.js --model efficientnet-lite0 --pretrained efficientnet-lite0-57934424.pth
import '@strata/strategies';
import { runMain } from '@strata/core';
import { runMelanoma } from './run-melanoma.js';
import { parseSettings } from './settings.js';

await runMain(async () => {
  await runMelanoma(parseSettings(process.argv.slice(2)));
});
