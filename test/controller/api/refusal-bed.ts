import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { afterEach } from 'vitest';
import type { Clock } from '../../../shared/clock/clock.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import { startServer, type RunningServer, type ServerTimeouts } from '../../../controller/api/server.js';
import { TokenBook } from '../../../controller/auth/token-store-file.js';
import type { ControllerCore } from '../../../controller/core/controller-core.js';
import { makeCa, makeServerCert } from '../../../controller/pki/certificate.js';
import { memoryLogger, type LogLine } from '../../harness/memory-log.js';
import { parseRawAnswer } from './raw-https.js';

export interface RefusalServer {
  readonly port: number;
  readonly logs: LogLine[];
  readonly server: RunningServer;
  events(event: string): LogLine[];
}

const ca = makeCa('refusal-test-ca', Date.now());
const cert = makeServerCert(ca, ['127.0.0.1'], Date.now());

/**
 * startServer on 127.0.0.1, port 0, for refusals that never reach a request handler: the core
 * and the token book are never asked, so a stand-in core does. Every server is closed after its test.
 */
export function refusalBed(): { start(o: { tls: boolean; clock?: Clock; timeouts?: Partial<ServerTimeouts>; tokensCopiedAtStart?: boolean }): Promise<RefusalServer> } {
  const running: RunningServer[] = [];
  afterEach(async () => {
    for (const s of running.splice(0)) await s.close();
  });
  return {
    start: async ({ tls, clock = realClock, timeouts, tokensCopiedAtStart = false }) => {
      const { log, lines } = memoryLogger(realClock, 'xenherd-controller');
      const tokens = new TokenBook(join(tmpdir(), 'xenherd-no-such-tokens.json'), () => undefined, tokensCopiedAtStart);
      const core = {} as unknown as ControllerCore;
      const server = await startServer({ core, tokens, log, host: '127.0.0.1', port: 0, tls: tls ? { cert: cert.certPem, key: cert.keyPem } : null, maxMessageBytes: 65_536, clock, ...(timeouts ? { timeouts } : {}) });
      running.push(server);
      return { port: server.port, logs: lines, server, events: (event) => lines.filter((l) => l['event'] === event) };
    },
  };
}

/** A connection to the server on loopback, TLS (trusting the test CA) or plain; ONOPEN once it can be written. */
const openTo = (port: number, tls: boolean, onOpen: () => void): Socket =>
  tls ? tlsConnect({ port, host: '127.0.0.1', ca: ca.certPem }, onOpen) : netConnect(port, '127.0.0.1', onOpen);

/** What came back on one connection: the bytes, until the server closed it, and the local port it was sent from. */
export interface Exchange {
  readonly text: string;
  readonly localPort: number;
}

/**
 * Sends BYTES on a fresh connection (TLS or plain; nothing at all when null) and collects the answer
 * until the server ends the connection, which is what the tests wait for.
 */
export function exchange(port: number, tls: boolean, bytes: string | null): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let text = '';
    let localPort = 0;
    const send = (): void => {
      localPort = socket.localPort ?? 0;
      if (bytes !== null) socket.write(bytes);
    };
    const socket = openTo(port, tls, send);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    // a reset after the answer is the server dropping what it did not read: the answer counts
    socket.on('error', (e) => (text === '' ? reject(e) : undefined));
    socket.on('close', () => resolve({ text, localPort }));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no end from the server within 10 s')));
  });
}

/** A raw TCP connection that sends BYTES and never speaks TLS; resolves with its local port once the server closes it. */
export function silentTcp(port: number, bytes = ''): Promise<number> {
  return new Promise((resolve) => {
    let localPort = 0;
    const socket = netConnect(port, '127.0.0.1', () => {
      localPort = socket.localPort ?? 0;
      if (bytes) socket.write(bytes);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(localPort));
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

/** The status, head and JSON body of a raw HTTP/1.1 answer. */
export function parseAnswer(text: string): { status: number; headers: string; body: unknown } {
  const a = parseRawAnswer(text);
  return { status: a.status, headers: text.slice(0, Math.max(0, text.indexOf('\r\n\r\n'))), body: JSON.parse(a.body) as unknown };
}

/**
 * Sends FIRST, waits for the server's whole answer (it closes its side after it), then sends MORE
 * and ends: what a client still uploading sees. Resolves with the answer and the socket error, if any.
 */
export function sendOnAfterAnswer(port: number, tls: boolean, first: string, more: string): Promise<{ text: string; error: string | null }> {
  return new Promise((resolve) => {
    let text = '';
    let error: string | null = null;
    const socket = openTo(port, tls, () => socket.write(first));
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    // the server's end of its answer: the client goes on sending, as an upload in progress does
    socket.on('end', () => {
      socket.write(more);
      socket.end();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve({ text, error }));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no end from the server within 10 s')));
  });
}

/** Sends BYTES and ends its side at once (as `printf … | nc -N` does); resolves with what came back before the close. */
export function sendAndEnd(port: number, tls: boolean, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const go = (): void => void socket.end(bytes);
    const socket = openTo(port, tls, go);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    socket.setTimeout(10_000, () => socket.destroy());
  });
}
