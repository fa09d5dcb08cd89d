import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CLOSE, type Link } from '../../../shared/link/link.js';
import { wsLink } from '../../../shared/link/ws-link.js';

// How a WebSocket link reports its end. A frame that arrives wrong (masked the wrong way, a reserved
// opcode or bit, invalid UTF-8: bytes corrupted on the way, or a bug) is nobody's decision: both ends
// report it as a drop, which an agent retries at the usual pace. CLOSE.protocol would have it wait as
// for a refusal. What someone decided (a binary frame refused, a close with its reason) and a message
// above the size limit are reported as before.

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

interface Ends {
  readonly server: Link;
  readonly client: Link;
  readonly serverWs: WebSocket;
  readonly clientWs: WebSocket;
}

/** A ws server on 127.0.0.1 (port 0) and one client, each end a wsLink. */
async function connected(): Promise<Ends> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1024 });
  servers.push(wss);
  await once(wss, 'listening');
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const clientWs = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
  await once(clientWs, 'open');
  const [serverWs] = await accepted;
  return { server: wsLink(serverWs, 'server'), client: wsLink(clientWs, 'client'), serverWs, clientWs };
}

const ended = (l: Link): Promise<{ code: number; reason: string }> => new Promise((r) => l.onClose((code, reason) => r({ code, reason })));
/** The raw bytes under ws: to send what ws itself never would. */
const raw = (ws: WebSocket): Socket => (ws as unknown as { _socket: Socket })._socket;

describe('a frame that arrives wrong ends the link as a drop on both ends', () => {
  const zeroMask = [0, 0, 0, 0];
  const fromClient: [string, number[], RegExp][] = [
    ['a client frame without its mask', [0x81, 0x02, 0x68, 0x69], /MASK must be set/],
    ['a reserved opcode', [0x83, 0x80, ...zeroMask], /invalid opcode 3/],
    ['RSV1 set without compression', [0xc1, 0x80, ...zeroMask], /RSV1 must be clear/],
    ['a text frame of invalid UTF-8', [0x81, 0x81, ...zeroMask, 0xff], /invalid UTF-8/],
  ];
  for (const [what, bytes, words] of fromClient) {
    it(`${what}: the end that read it and the end that sent it`, async () => {
      const e = await connected();
      const [server, client] = [ended(e.server), ended(e.client)];
      raw(e.clientWs).write(Buffer.from(bytes));
      const s = await server;
      expect(s.code).toBe(CLOSE.dropped);
      expect(s.reason).toMatch(words);
      // the sender hears only ws's close frame: its status, no reason
      expect(await client).toEqual({ code: CLOSE.dropped, reason: expect.stringMatching(/^the peer's WebSocket could not read a frame from here \(it closed with 100[27]\)$/) });
    });
  }

  it('a server frame with a mask', async () => {
    const e = await connected();
    const [server, client] = [ended(e.server), ended(e.client)];
    raw(e.serverWs).write(Buffer.from([0x81, 0x82, ...[0, 0, 0, 0], 0x68, 0x69]));
    expect(await client).toMatchObject({ code: CLOSE.dropped, reason: expect.stringMatching(/MASK must be clear/) });
    expect((await server).code).toBe(CLOSE.dropped);
  });
});

describe('what someone decided stays as it was said', () => {
  it('a binary frame is refused as a protocol error, and the sender hears that with its reason', async () => {
    const e = await connected();
    const [server, client] = [ended(e.server), ended(e.client)];
    e.clientWs.send(Buffer.from([1, 2, 3]));
    expect(await server).toEqual({ code: CLOSE.protocol, reason: 'binary frames are not part of the agent link protocol' });
    expect(await client).toEqual({ code: CLOSE.protocol, reason: 'binary frames are not part of the agent link protocol' });
  });

  it("a peer's refusal (1002, 1008) with its reason reaches this end as sent", async () => {
    for (const code of [CLOSE.protocol, CLOSE.policy]) {
      const e = await connected();
      const client = ended(e.client);
      e.server.close(code, 'version 99 is not spoken here');
      expect(await client).toEqual({ code, reason: 'version 99 is not spoken here' });
    }
  });

  it('a message above maxPayload is CLOSE.tooBig at the end that set the limit', async () => {
    const e = await connected();
    const server = ended(e.server);
    e.client.send('x'.repeat(2048));
    expect(await server).toMatchObject({ code: CLOSE.tooBig, reason: expect.stringMatching(/payload/i) });
  });
});
