import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import { AuthFailureLimiter, type AuthLimits } from '../auth/auth-limiter.js';
import type { TokenBook } from '../auth/token-store-file.js';
import type { ControllerCore } from '../core/controller-core.js';
import { agentUpgradeHandler } from './agent-upgrade.js';
import { httpApiHandler } from './http-api.js';
import { IngestPacer } from './ingest-pacer.js';

export interface ServerOptions {
  readonly core: ControllerCore;
  readonly tokens: TokenBook;
  readonly log: Logger;
  readonly host: string;
  readonly port: number;
  /** PEM certificate and key; null = plaintext (the config allows that only on loopback) */
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly maxMessageBytes: number;
  readonly clock: Clock;
  /** refused tokens per address before 429 (controller/auth/auth-limiter.ts); default DEFAULT_AUTH_LIMITS */
  readonly authLimits?: AuthLimits;
}

export interface RunningServer {
  /** https://HOST:PORT (or http:// for plaintext), with the port the OS gave */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * One port for everything: HTTPS for the operator API, WSS (an upgrade on /v1/agent) for agent
 * links. No per-message compression (a compression bomb would bypass maxPayload's intent, and
 * snapshots are small); maxPayload bounds every agent frame before it is parsed.
 */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const server: Server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2' }) : createHttpServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxMessageBytes, perMessageDeflate: false });
  // one count of refused tokens per address, whether they came on the API or on an agent link
  const limiter = new AuthFailureLimiter(o.clock, o.authLimits);
  server.on('request', httpApiHandler({ ...o, limiter }));
  server.on('upgrade', agentUpgradeHandler({ core: o.core, wss, tokens: o.tokens, log: o.log, pacer: new IngestPacer(o.clock), limiter }));
  server.on('tlsClientError', (e: Error, socket: { remoteAddress?: string; remotePort?: number }) => {
    o.log.warn({ event: 'tls-refused', remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, reason: e.message }, `TLS handshake failed: ${e.message}`);
  });
  server.on('clientError', (e: Error & { code?: string }, socket) => {
    // HPE_*: an unparsable request; a reset or a failed TLS handshake (logged above) is not news
    if (e.code?.startsWith('HPE_')) o.log.warn({ event: 'http-refused', reason: e.message }, `malformed HTTP request: ${e.message}`);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `${o.tls ? 'https' : 'http'}://${hostInUrl}:${port}`;
  o.log.info({ event: 'listening', url, tls: o.tls !== null, maxMessageBytes: o.maxMessageBytes }, `listening on ${url}`);
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
