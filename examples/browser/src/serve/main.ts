// `npm run browser`: builds the browser example (the sample images, the page's bundle, the WASM
// binaries) and serves it on localhost; open the printed address in a browser.
//   node examples/browser/dist/serve/main.js [--port 8080] [--host 127.0.0.1]
import { parseArgs } from 'node:util';
import { invalidOption, runMain } from '@strata/core';
import { buildSite } from '../build/build-site.js';
import { serveSite } from './static-server.js';

await runMain(async () => {
  const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) invalidOption('--port', values.port, 'a port number from 0 to 65535 (0: a free port)');

  const site = await buildSite();
  console.log(`Built ${site.dir} (app.js ${(site.bundle.bytes / 1024).toFixed(0)} KiB)`);
  const server = await serveSite(site.dir, { port, host: values.host });
  console.log(`Strata in a browser tab: open ${server.url} (WebGPU where the browser has it, else WASM; ?strategy=wasm or ?strategy=webgpu forces one). Ctrl+C stops.`);
});
