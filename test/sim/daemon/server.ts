import { createServer, type Server, type Socket } from 'node:net';
import * as P from './protocol.js';
import type { SimCore } from './sim-core.js';
import { parseJsonLine } from '../../../shared/protocol/json-line.js';

/** The unix-socket front of the sim: thin, every request becomes SimCore.run(). */
export function startServer(core: SimCore, socketPath: string): Promise<{ server: Server; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.setEncoding('utf8');
    let buf = '';
    let started = false;
    let closedResolve: () => void = () => {};
    const closed = new Promise<void>((r) => (closedResolve = r));
    sock.on('close', () => { sockets.delete(sock); closedResolve(); });
    sock.on('error', () => closedResolve());
    sock.on('data', (d: string) => {
      if (started) return;
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      started = true;
      const parsed = parseJsonLine(buf.slice(0, nl), P.ToolRequestSchema);
      if (!parsed.ok) {
        const why = parsed.error.kind === 'not-json' ? 'not JSON' : parsed.error.issues;
        sock.end(P.err(`fleet simulator: bad request: ${why}\n`) + P.exit(127));
        return;
      }
      const req: P.ToolRequest = parsed.value;
      const send = (t: string): void => { if (!sock.destroyed) sock.write(t); };
      void core
        .run(req.host, req.tool, req.argv, { out: (t) => send(P.out(t)), err: (t) => send(P.err(t)), closed })
        .then((code) => { if (!sock.destroyed) sock.end(P.exit(code)); });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      resolve({
        server,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
