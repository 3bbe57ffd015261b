// A minimal static host for the built app, as any static host should be set up: correct MIME
// types and the two cross-origin isolation headers (without them WASM runs on one thread).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.wav': 'audio/wav',
  '.css': 'text/css',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticServer {
  url: string;
  server: Server;
  /** Every request that reached this server, in order (what the host would see). */
  requests: { method: string; path: string; at: number }[];
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Send the two cross-origin isolation headers (default true). */
  isolate?: boolean;
  /** More headers for every response (e.g. a Content-Security-Policy). */
  headers?: Record<string, string>;
}

export async function serveStatic(root: string, opts: ServeOptions = {}): Promise<StaticServer> {
  const isolate = opts.isolate ?? true;
  const requests: StaticServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now() });
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
    if (isolate) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    Object.assign(headers, opts.headers);
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
