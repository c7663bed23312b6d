import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/** A running site server: its address, and `close`. */
export interface SiteServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** A handler the caller tries first (tests add routes); true when it answered the request. */
export type ExtraRoute = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * Serves the files of `dir` on `host:port` (port 0: a free one). Only GET and HEAD, only files
 * inside `dir`; `/` is `index.html`. Nothing is cached by the browser, so a rebuilt site is
 * picked up by a reload.
 */
export async function serveSite(dir: string, options: { port?: number; host?: string; extraRoute?: ExtraRoute } = {}): Promise<SiteServer> {
  const host = options.host ?? '127.0.0.1';
  const root = normalize(dir + sep);
  const server = createServer((request, response) => {
    if (options.extraRoute?.(request, response)) return;
    void serveFile(root, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function serveFile(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  const path = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  const info = path.startsWith(root) ? await stat(path).catch(() => undefined) : undefined;
  if (!info?.isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}\n`);
    return;
  }
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-store',
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(path).pipe(response);
}
