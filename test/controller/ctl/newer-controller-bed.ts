import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { ctlFor } from './ctl-bed.js';

// A controller of a newer release, played by a plain HTTP server: each path answers with the body
// a test gives it, so an answer can carry what this xenherdctl has never heard of.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;

/** A plain HTTP server on loopback answering each path (query left out) with its body; closed when the test ends. */
async function controllerOf(routes: Record<string, string>): Promise<string> {
  const server: Server = createServer((req, res) => {
    const body = routes[(req.url ?? '').replace(/^\/v1/, '').replace(/\?.*$/, '')];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(body ?? JSON.stringify({ error: { code: 'XH_ERR_NOT_FOUND', message: 'no such route' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** xenherdctl ARGV asked of a controller answering ROUTES */
export const run = async (routes: Record<string, string>, argv: readonly string[]) => ctlFor(null)(argv, { XENHERD_URL: await controllerOf(routes), XENHERD_TOKEN: TOKEN });
export const ndjson = (events: readonly unknown[]): string => events.map((e) => `${JSON.stringify(e)}\n`).join('');
