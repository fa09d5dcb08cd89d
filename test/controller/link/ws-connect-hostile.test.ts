import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { realClock } from '../../../shared/clock/real-clock.js';
import { connectAgentLink } from '../../../shared/link/ws-connect.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { upgradeAnsweringServers } from './upgrade-answering-server.js';

// What an agent's connect does with a controller (or a proxy in front of it) that answers the
// WebSocket upgrade with an HTTP error and then misbehaves: the connect must end, in bounded
// time and memory, so the link is tried again (and the next URL) rather than held for ever.

const answeringServer = upgradeAnsweringServers();

/** A server on loopback that answers every upgrade with 401 headers, then calls BODY with the socket. */
const refusingServer = (body: (socket: Socket) => void, headers = ''): Promise<string> =>
  answeringServer((socket) => {
    socket.write(`HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n${headers}\r\n`);
    body(socket);
  });

const target = (url: string, clock = realClock) => ({ url, token: 'xh1.x.y', caPem: null, caFingerprint: null, maxPayload: 1 << 20, handshakeTimeoutMs: 10_000, clock });

describe("an HTTP error answer to an agent's upgrade", () => {
  it('cut off mid-body (the server died before the length it gave): the connect ends, refused with the status', async () => {
    const url = await refusingServer((socket) => {
      socket.write('{"error":');
      socket.destroy();
    }, 'content-length: 100\r\n');
    expect(await connectAgentLink(target(url))).toMatchObject({ ok: false, error: { kind: 'refused', status: 401, code: null, message: 'HTTP 401' } });
  });

  it('a body that never ends: at most 4 KiB of it is read, then the connect ends', async () => {
    let sent = 0;
    const url = await refusingServer((socket) => {
      const chunk = Buffer.alloc(64 * 1024, ' ');
      const more = (): void => {
        while (!socket.destroyed && sent < 512 * 1024 * 1024 && socket.write(chunk)) sent += chunk.length;
        if (!socket.destroyed) socket.once('drain', more);
      };
      more();
    });
    const r = await connectAgentLink(target(url));
    expect(r).toMatchObject({ ok: false, error: { kind: 'refused', status: 401 } });
    // it stopped reading long before the 512 MiB this server would send
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('a body that trickles: the connect ends when the handshake timeout runs out', async () => {
    const clock = deterministicClock(0);
    let trickle: () => void = () => undefined;
    let answered: () => void = () => undefined;
    const upgraded = new Promise<void>((r) => (answered = r));
    const url = await refusingServer((socket) => {
      socket.write('{');
      trickle = () => void socket.write(' ');
      answered();
    });
    let settled = false;
    const pending = connectAgentLink(target(url, clock)).then((r) => {
      settled = true;
      return r;
    });
    await upgraded;
    // the trickle goes on, a byte a second: only the deadline ends the read
    for (let i = 0; i < 30 && !settled; i++) {
      trickle();
      await clock.advance(1_000);
    }
    expect(settled, 'the connect ended while the body still trickled').toBe(true);
    expect(clock.now(), 'not before the handshake timeout').toBeGreaterThanOrEqual(10_000);
    expect(await pending).toMatchObject({ ok: false, error: { kind: 'refused', status: 401, message: 'HTTP 401' } });
  });
});
