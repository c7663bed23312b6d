// Test support: a Node process that sets up the CUDA strategy's XLA engine on XLA:CPU, prints
// its server's pid, and then ends in the way argv[2] names:
//   teardown   tears the strategy down and lets the process end by itself
//   sigterm    waits to be sent SIGTERM
//   uncaught   throws an error nothing catches
import { CudaStrategy } from '../cuda-strategy.js';

const mode = process.argv[2];
if (!['teardown', 'sigterm', 'uncaught'].includes(mode)) throw new Error(`usage: server-lifetime-fixture teardown|sigterm|uncaught (got ${mode})`);

const strategy = new CudaStrategy({ platform: 'cpu', engine: 'xla' });
await strategy.setup();
console.log(`server-pid ${strategy.xlaEngine().serverPid}`);

if (mode === 'teardown') {
  await strategy.teardown();
  console.log('torn-down');
} else if (mode === 'sigterm') {
  // Stays up until the signal comes.
  setInterval(() => undefined, 60_000);
  console.log('waiting');
} else {
  setTimeout(() => {
    throw new Error('fixture: an uncaught error');
  }, 10);
}
