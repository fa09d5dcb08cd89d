import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAgentLink } from '../../../shared/link/ws-connect.js';
import { deterministicClock } from '../../sim/daemon/clock.js';

// A controller that hangs (stopped, or its machine wedged) still has its kernel accept the TCP
// connection, and then nothing answers. The agent's connect must end at handshakeTimeoutMs, on
// its clock: over TLS, ws's own timeout (the socket's idle timeout) ended it only after twice that.

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback listener that takes connections and never says a word; ACCEPTED resolves at the first. */
async function hungController(): Promise<{ port: number; accepted: Promise<void> }> {
  let first: () => void = () => undefined;
  const accepted = new Promise<void>((r) => (first = r));
  const server = createServer((socket) => {
    sockets.push(socket);
    first();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return { port: a.port, accepted };
}

describe('connecting to a controller that accepts and never answers', () => {
  for (const scheme of ['wss', 'ws'] as const) {
    it(`${scheme}://: unreachable once handshakeTimeoutMs has passed on the clock, naming the wait`, async () => {
      const clock = deterministicClock(0);
      const hung = await hungController();
      let settled = false;
      const pending = connectAgentLink({ url: `${scheme}://127.0.0.1:${hung.port}`, token: 'xh1.x.y', caPem: null, caFingerprint: null, maxPayload: 1 << 20, handshakeTimeoutMs: 10_000, clock }).then((r) => {
        settled = true;
        return r;
      });
      await hung.accepted;
      await clock.advance(9_999);
      expect(settled, 'not before the handshake timeout').toBe(false);
      await clock.advance(1);
      expect(await pending).toMatchObject({ ok: false, error: { kind: 'unreachable', message: 'no WebSocket handshake with 127.0.0.1:' + hung.port + ' within 10 s' } });
    });
  }
});
