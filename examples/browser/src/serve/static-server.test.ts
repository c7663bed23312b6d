import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveSite, type SiteServer } from './static-server.js';

/** One raw request (the path sent as is, `..` included), answered with status, type and body. */
function get(url: string, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(url), { method, path }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveSite', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-browser-serve-'));
  const site = join(root, 'site');
  let server: SiteServer;

  before(async () => {
    mkdirSync(join(site, 'wasm'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!doctype html>page');
    writeFileSync(join(site, 'wasm', 'a.wasm'), 'binary');
    writeFileSync(join(root, 'secret.txt'), 'not served');
    server = await serveSite(site);
  });

  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / and files with their content type', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.deepEqual(await get(server.url, '/'), { status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html>page' });
    const wasm = await get(server.url, '/wasm/a.wasm');
    assert.equal(wasm.type, 'application/wasm');
    assert.equal(wasm.body, 'binary');
    assert.equal((await get(server.url, '/wasm/a.wasm', 'HEAD')).body, '');
  });

  it('answers 404 outside the site and for missing files, 405 for other methods', async () => {
    assert.equal((await get(server.url, '/../secret.txt')).status, 404);
    assert.equal((await get(server.url, '/%2e%2e/secret.txt')).status, 404);
    assert.equal((await get(server.url, '/missing.js')).status, 404);
    assert.equal((await get(server.url, '/wasm')).status, 404);
    assert.equal((await get(server.url, '/', 'POST')).status, 405);
  });
});
