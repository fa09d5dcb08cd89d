import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { listenFallback } from '../config/listen-address.js';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import { AuthFailureLimiter, type AuthLimits } from '../auth/auth-limiter.js';
import type { TokenBook } from '../auth/token-store-file.js';
import type { ControllerCore } from '../core/controller-core.js';
import { agentUpgradeHandler } from './agent-upgrade.js';
import { watchRefusals } from './connection-refusals.js';
import { httpApiHandler } from './http-api.js';
import { IngestPacer } from './ingest-pacer.js';

/** How long a closing server waits for the responses already ended to be sent before it cuts their connections. */
export const FLUSH_ON_CLOSE_MS = 1_000;

/** Resolves once each of RESPONSES that has ended has been handed to the OS, or after MS. */
function flushed(responses: ReadonlySet<ServerResponse>, clock: Clock, ms: number): Promise<void> {
  const ending = [...responses].filter((r) => r.writableEnded && !r.writableFinished);
  if (ending.length === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const cancel = clock.schedule(ms, resolve);
    void Promise.all(ending.map((r) => new Promise<void>((done) => (r.once('finish', done), r.once('close', done))))).then(() => {
      cancel();
      resolve();
    });
  });
}

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
  /** default SERVER_TIMEOUTS; tests shorten them */
  readonly timeouts?: Partial<ServerTimeouts>;
}

/** Milliseconds a client may take before its connection is dropped. */
export interface ServerTimeouts {
  readonly handshake: number;
  readonly headers: number;
  readonly request: number;
  readonly keepAlive: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = {
  // Node's default is 120 s, so a client opening connections and never speaking TLS holds a
  // socket for two minutes each. A handshake is two round trips; an agent on a slow WAN link
  // (500 ms RTT, a lost packet retransmitted after 1 s and 2 s) still finishes well within 10 s,
  // and an agent gives up on its own side after 10 s (handshakeTimeoutMs in agent/run/process-ports.ts).
  handshake: 10_000,
  // request headers and a small JSON body (16 KiB at most) arrive in one or two round trips;
  // Node's defaults (60 s, 300 s) let a slow sender hold a connection for minutes
  headers: 20_000,
  request: 30_000,
  // xenherdctl makes one request per run and Prometheus scrapes every 15 s or more: an idle
  // connection is worth keeping only briefly
  keepAlive: 5_000,
};

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
  const t = { ...SERVER_TIMEOUTS, ...o.timeouts };
  // Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval (30 s by
  // default), which would more than double the shorter limits above
  const http = { headersTimeout: t.headers, requestTimeout: t.request, keepAliveTimeout: t.keepAlive, connectionsCheckingInterval: Math.min(5_000, t.headers) };
  const server: Server = o.tls ? createHttpsServer({ ...http, cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2', handshakeTimeout: t.handshake }) : createHttpServer(http);
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxMessageBytes, perMessageDeflate: false });
  // one count of refused tokens per address, whether they came on the API or on an agent link
  const limiter = new AuthFailureLimiter(o.clock, o.authLimits);
  server.on('request', httpApiHandler({ ...o, limiter }));
  const responses = new Set<ServerResponse>();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    responses.add(res);
    res.once('close', () => responses.delete(res));
  });
  server.on('upgrade', agentUpgradeHandler({ core: o.core, wss, tokens: o.tokens, log: o.log, pacer: new IngestPacer(o.clock, {}, (h) => o.log.warn({ event: 'agent-held-back', host: h.host, remote: h.remote, queued: h.queued }, `the agent link of ${h.host} from ${h.remote} sends faster than the controller handles it (${h.queued} messages waiting): reading it paused until they are handled, the other agents' messages going first; an agent should never send this many, so check that ${h.host}'s token is not used elsewhere (xenherd-controller enroll ${h.host} replaces it)`)), limiter, clock: o.clock }));
  // the same answers and log lines with TLS and in plaintext on loopback
  const refusals = watchRefusals(server, o.log, o.clock);
  const listen = (host: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  let host = o.host;
  await listen(host).catch((e: NodeJS.ErrnoException) => {
    const fallback = listenFallback(host, e.code);
    if (fallback === null) throw e;
    o.log.warn({ event: 'listen-fallback', host, fallback, code: e.code }, `cannot listen on ${host} (${e.code}: no IPv6 here): listening on ${fallback}, IPv4 only`);
    host = fallback;
    return listen(host);
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const url = `${o.tls ? 'https' : 'http'}://${hostInUrl}:${port}`;
  o.log.info({ event: 'listening', url, tls: o.tls !== null, maxMessageBytes: o.maxMessageBytes }, `listening on ${url}`);
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        refusals.close();
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        // a response already written to its end (a job stream's last line, sent as the controller
        // stops) is handed to the OS before the connections are cut: cut at once, that line was lost
        void flushed(responses, o.clock, FLUSH_ON_CLOSE_MS).then(() => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }),
  };
}
