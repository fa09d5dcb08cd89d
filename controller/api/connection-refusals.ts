import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import { clientErrorAnswer, rawHttpAnswer } from './client-error-answer.js';
import { OVERFLOW_KEY, RefusalGroups } from './refusal-groups.js';

/** How long identical refusals from one address are counted rather than logged one by one. */
export const REFUSAL_WINDOW_MS = 60_000;

interface Refusal {
  readonly event: 'tls-refused' | 'http-refused';
  readonly address: string;
  readonly reason: string;
}

/** rawPacket: on a clientError, the bytes the HTTP parser failed on */
type CodedError = Error & { code?: string; rawPacket?: Buffer };

/**
 * Answers and logs the connections refused before any request handler sees them: a failed TLS
 * handshake ('tlsClientError') and a request Node's HTTP parser refused ('clientError'). Each
 * line names the remote address:port, and a burst of identical refusals from one address is
 * grouped (RefusalGroups). close() reports the counts still open and stops the timer.
 */
export function watchRefusals(server: Server, log: Logger, clock: Clock): { close(): void } {
  // The address is read when the TCP connection is accepted: once a socket is destroyed (a reset,
  // or a TLS handshake that timed out) Node no longer tells its peer. An https server hands TLS
  // sockets to clientError and tlsClientError; Node keeps the TCP socket under them as _parent.
  const remotes = new WeakMap<object, string>();
  server.on('connection', (raw: Socket) => remotes.set(raw, `${raw.remoteAddress ?? '?'}:${raw.remotePort ?? '?'}`));
  const remoteOf = (s: Duplex): string => {
    const parent = (s as { _parent?: unknown })._parent;
    const live = s as Partial<Socket>;
    return remotes.get(s) ?? (typeof parent === 'object' && parent !== null ? remotes.get(parent) : undefined) ?? `${live.remoteAddress ?? '?'}:${live.remotePort ?? '?'}`;
  };

  const groups = new RefusalGroups<Refusal>(REFUSAL_WINDOW_MS, { event: 'tls-refused', address: 'other addresses', reason: 'refused connections and requests' });
  let cancelTimer: (() => void) | null = null;
  /** logs the counts of the groups ended by UNTIL (Infinity on close: all of them) */
  const report = (until: number): void => {
    const now = clock.now();
    for (const g of groups.ended(until)) {
      const { event, address, reason } = g.detail;
      if (g.key === OVERFLOW_KEY) {
        log.warn({ event: 'refusals-not-grouped', repeated: g.more, windowSeconds: Math.round((now - g.since) / 1000) }, `${g.more} more connections or requests refused, from more addresses than are counted one by one (none of them logged)`);
        continue;
      }
      log.warn({ event, address, reason, repeated: g.more, windowSeconds: Math.round((now - g.since) / 1000) }, `${g.more} more refused like that from ${address}: ${reason}`);
    }
  };
  const wake = (): void => {
    cancelTimer = null;
    report(clock.now());
    const next = groups.nextEnd();
    if (next !== null) cancelTimer = clock.schedule(Math.max(0, next - clock.now()), wake);
  };
  const refuse = (event: Refusal['event'], remote: string, e: CodedError, text: string): void => {
    const address = remote.replace(/:[^:]*$/, '');
    if (!groups.note(`${event} ${address} ${e.code ?? e.message}`, clock.now(), { event, address, reason: e.message })) return;
    log.warn({ event, remote, code: e.code, reason: e.message }, `${text} from ${remote}: ${e.message}`);
    cancelTimer ??= clock.schedule(REFUSAL_WINDOW_MS, wake);
  };

  server.on('tlsClientError', (e: CodedError, socket: Duplex) => refuse('tls-refused', remoteOf(socket), e, 'TLS handshake failed'));
  // Node emits clientError twice for one bad request over TLS (once more as the socket closes),
  // and again for bytes that come while an answer's connection is drained
  const seen = new WeakSet<Duplex>();
  const draining = new WeakSet<Duplex>();
  server.on('clientError', (e: CodedError, socket: Duplex) => {
    const first = !seen.has(socket);
    seen.add(socket);
    if (draining.has(socket)) return;
    const answer = clientErrorAnswer(e.code);
    // no answer: a failed TLS handshake (tlsClientError above logs it) or a reset, which is not news
    if (answer !== null && first) {
      refuse('http-refused', remoteOf(socket), e, answer.status === 408 ? 'HTTP request not complete in time (408)' : `malformed HTTP request (${answer.status})`);
      // a response already under way (its headers sent) cannot be followed by another one
      const current = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
      if (socket.writable && current?.headersSent !== true) {
        draining.add(socket);
        socket.end(rawHttpAnswer(answer, e.rawPacket));
        return discardThenClose(socket, clock);
      }
    }
    socket.destroy();
  });
  return {
    close: () => {
      cancelTimer?.();
      cancelTimer = null;
      report(Infinity);
    },
  };
}

/** How much a refused client may still send, and for how long, before its connection is cut. */
const DISCARD_BYTES = 1024 * 1024;
const DISCARD_MS = 5_000;

/**
 * Closing a connection with the client's bytes unread makes the kernel send a reset, and a client
 * still sending (curl with a 70 KB header) then loses the answer already on its way and reports
 * a broken pipe. So what it still sends is read and thrown away, until it closes its side, or
 * past DISCARD_BYTES or DISCARD_MS, when the connection is cut.
 */
function discardThenClose(socket: Duplex, clock: Clock): void {
  let read = 0;
  const cut = (): void => void socket.destroy();
  const cancel = clock.schedule(DISCARD_MS, cut);
  // the client's end needs nothing here: both sides ended, the socket closes by itself, and a
  // destroy now could drop an answer not yet flushed
  socket.once('close', cancel);
  socket.on('data', (c: Buffer) => {
    read += c.length;
    if (read > DISCARD_BYTES) cut();
  });
  socket.resume();
}
