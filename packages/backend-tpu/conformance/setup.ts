// Imported before tfjs-core's own test files: registers gradients and chained ops, connects a
// TpuStrategy to the server the runner started, and makes 'xla' the only test environment.
import { setTestEnvs } from '@tensorflow/tfjs-core/dist/jasmine_util.js';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { TpuStrategy } from '../src/index.js';

const strategy = new TpuStrategy({ address: process.env.STRATA_TPU_ADDRESS });
await strategy.setup();
(globalThis as { strataStrategy?: TpuStrategy }).strataStrategy = strategy;
setTestEnvs([{ name: 'xla', backendName: 'xla', flags: {}, isDataSync: false }]);
