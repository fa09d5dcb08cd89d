import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach } from 'vitest';

/**
 * Plain HTTP servers on loopback that answer every WebSocket upgrade themselves, writing what a
 * controller or a proxy before it might (an HTTP error, a body cut short or never ending), each
 * closed with its sockets after the test. Returns the `ws://` URL an agent's connect dials.
 */
export function upgradeAnsweringServers(): (answer: (socket: Socket) => void) => Promise<string> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  return async (answer) => {
    const server = createServer();
    server.on('upgrade', (_req, socket: Socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      answer(socket);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    if (a === null || typeof a === 'string') throw new Error('no port');
    return `ws://127.0.0.1:${a.port}`;
  };
}
