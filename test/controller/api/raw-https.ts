import { createConnection } from 'node:net';
import { connect } from 'node:tls';
import type { TestController } from './controller-bed.js';

export interface RawAnswer {
  readonly status: number;
  /** header names in lower case; a repeated header's values joined with ", " */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** An HTTP/1.1 answer as read off a socket: status, headers, body. */
export function parseRawAnswer(text: string): RawAnswer {
  const at = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = (at < 0 ? text : text.slice(0, at)).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    const k = l.slice(0, i).trim().toLowerCase();
    headers[k] = headers[k] === undefined ? l.slice(i + 1).trim() : `${headers[k]}, ${l.slice(i + 1).trim()}`;
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: at < 0 ? '' : text.slice(at + 4) };
}

/**
 * One request written byte for byte on a TLS connection of its own (what Node's HTTP client will
 * not send: repeated headers, any spelling), with `Connection: close` (unless HEADERS has a
 * Connection line) so that the answer ends with the connection. HEADERS are lines without CRLF;
 * Content-Length is added for BODY.
 */
export function rawRequest(c: TestController, o: { method: string; path: string; headers: readonly string[]; body?: string; from?: string }): Promise<RawAnswer> {
  const u = new URL(c.url);
  const close = o.headers.some((h) => /^connection:/i.test(h)) ? '' : 'Connection: close\r\n';
  const length = o.body === undefined ? '' : `Content-Length: ${Buffer.byteLength(o.body)}\r\n`;
  const text = `${o.method} ${o.path} HTTP/1.1\r\nHost: localhost\r\n${close}${length}${o.headers.map((h) => `${h}\r\n`).join('')}\r\n${o.body ?? ''}`;
  return new Promise((resolve, reject) => {
    const tcp = createConnection({ host: u.hostname, port: Number(u.port), localAddress: o.from ?? '127.0.0.1' });
    const s = connect({ socket: tcp, ca: c.caPem, servername: 'localhost' }, () => s.write(text));
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      out += d;
      // a WebSocket accepted: its connection stays open, and the status is all there is to see
      if (out.startsWith('HTTP/1.1 101 ') && out.includes('\r\n\r\n')) s.destroy();
    });
    s.on('error', reject);
    s.on('close', () => resolve(parseRawAnswer(out)));
    s.setTimeout(10_000, () => s.destroy(new Error('no answer within 10 s')));
  });
}
