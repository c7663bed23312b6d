// Imported before tfjs-core's own test files: registers gradients and chained ops, connects an
// XlaStrategy to the server the runner started, and makes 'xla' the only test environment.
import { setTestEnvs } from '@tensorflow/tfjs-core/dist/jasmine_util.js';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { XlaStrategy } from '../../index.js';

const strategy = new XlaStrategy({ address: process.env.STRATA_XLA_ADDRESS });
await strategy.setup();
(globalThis as { strataStrategy?: XlaStrategy }).strataStrategy = strategy;
setTestEnvs([{ name: 'xla', backendName: 'xla', flags: {}, isDataSync: false }]);
