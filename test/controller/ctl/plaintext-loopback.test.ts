import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ctlFor } from './ctl-bed.js';

// XENHERD_URL=http://... sends the token in clear. That is only safe to an address that cannot
// leave this machine, written as one: a name, even "localhost", is whatever the resolver answers
// when the command runs. A plain HTTP server on 127.0.0.1 counts every connection, so "refused"
// means nothing reached it, not merely a non-zero exit.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;

/** a plain HTTP server on 127.0.0.1, port 0: its port, the connections it took and the headers of the requests it read */
async function listener(): Promise<{ port: number; connections: () => number; requests: IncomingHttpHeaders[] }> {
  const requests: IncomingHttpHeaders[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    requests.push(req.headers);
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{}');
  });
  server.on('connection', () => void connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, connections: () => connections, requests };
}

describe('xenherdctl over http://', () => {
  it('to 127.0.0.1 it sends the request, token included: the server below hears it', async () => {
    const l = await listener();
    await ctlFor(null)(['hosts'], { XENHERD_URL: `http://127.0.0.1:${l.port}`, XENHERD_TOKEN: TOKEN });
    expect(l.requests.map((h) => h.authorization)).toEqual([`Bearer ${TOKEN}`]);
  });

  it('to a name that resolves to loopback (localhost, in any spelling) it is refused before any connection, naming the address to use', async () => {
    const l = await listener();
    for (const host of ['localhost', 'LOCALHOST', 'localhost.']) {
      const r = await ctlFor(null)(['hosts'], { XENHERD_URL: `http://${host}:${l.port}`, XENHERD_TOKEN: TOKEN });
      expect([r.code, r.stderr], host).toEqual([
        78,
        `xenherdctl: XH_ERR_CONFIG: XENHERD_URL: http:// sends the token in clear: only allowed to a loopback address (127.0.0.1, [::1]), never to a name (${JSON.stringify(host.toLowerCase())}), whatever it resolves to: use http://127.0.0.1:${l.port} for a controller on this machine, or https://\n`,
      ]);
    }
    expect(l.connections()).toBe(0);
  });

  it('to a name that does not resolve to loopback, or another address, it is refused the same way, as a standby too', async () => {
    const l = await listener();
    const refusals: string[] = [];
    for (const url of ['http://ctl.invalid:7443', 'http://192.0.2.1:7443', 'http://[2001:db8::1]:7443', `http://127.0.0.1:${l.port},http://ctl2.invalid:7443`]) {
      const r = await ctlFor(null)(['hosts'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
      expect(r.code, url).toBe(78);
      refusals.push(r.stderr);
    }
    expect(refusals).toEqual([
      'xenherdctl: XH_ERR_CONFIG: XENHERD_URL: http:// sends the token in clear: only allowed to a loopback address (127.0.0.1, [::1]), never to a name ("ctl.invalid"), whatever it resolves to: use http://127.0.0.1:7443 for a controller on this machine, or https://\n',
      'xenherdctl: XH_ERR_CONFIG: XENHERD_URL: http:// sends the token in clear: only allowed to a loopback address (127.0.0.1, [::1]); use https://\n',
      'xenherdctl: XH_ERR_CONFIG: XENHERD_URL: http:// sends the token in clear: only allowed to a loopback address (127.0.0.1, [::1]); use https://\n',
      `xenherdctl: XH_ERR_CONFIG: XENHERD_URL (its URL number 2, "http://ctl2.invalid:7443"): http:// sends the token in clear: only allowed to a loopback address (127.0.0.1, [::1]), never to a name ("ctl2.invalid"), whatever it resolves to: use http://127.0.0.1:7443 for a controller on this machine, or https://\n`,
    ]);
    // the list is refused whole: not even its loopback primary was asked
    expect(l.connections()).toBe(0);
  });
});
