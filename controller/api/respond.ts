import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode, XhError } from '../../shared/errors.js';
import type { ApiError } from '../../shared/protocol/ctl-api.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  XH_ERR_USAGE: 400,
  XH_ERR_PROTOCOL: 400,
  XH_ERR_AUTH: 401,
  XH_ERR_NOT_FOUND: 404,
  XH_ERR_REFUSED: 409,
  XH_ERR_LOCKED: 409,
  XH_ERR_AGENT_UNREACHABLE: 503,
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** An error as the API's JSON; `status` overrides the code's usual HTTP status (403 for a role refused). */
export function sendError(res: ServerResponse, e: XhError, status?: number): void {
  const body: ApiError = { error: { code: e.code, message: e.message } };
  sendJson(res, status ?? STATUS[e.code] ?? 500, body);
}

/** 429: this address presented too many refused tokens; Retry-After says when it may try again. */
export function sendRateLimited(res: ServerResponse, retryAfterSeconds: number): void {
  const body: ApiError = { error: { code: 'XH_ERR_AUTH', message: `too many refused tokens from this address: try again in ${retryAfterSeconds} s` } };
  const text = JSON.stringify(body);
  res.writeHead(429, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', 'retry-after': String(retryAfterSeconds) });
  res.end(text);
}

/**
 * The request's path and query as a URL, or null when the request target is no path: an
 * absolute URL, "*", or "//x", which new URL(target, base) reads as a host and throws on (a
 * throw here would end the process, as it runs in the server's request handler).
 */
export function requestTarget(req: IncomingMessage): URL | null {
  const target = req.url ?? '/';
  if (!target.startsWith('/')) return null;
  try {
    return new URL(`http://controller${target}`);
  } catch {
    return null;
  }
}

export const remoteOf = (req: IncomingMessage): string => `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;

/**
 * How much of a refused body is still read (and thrown away) after the 413 went out. A server
 * that closes with body bytes unread makes its kernel send a reset, and most clients (curl,
 * Node) drop the answer they already received when their upload fails: reading on lets them see
 * it. Bounded because the reading is free work for the client: 16 MiB is a mistaken upload of
 * any size xenherd's callers make; a client still sending after that gets the reset, and so does
 * a slow one when the server's request timeout (SERVER_TIMEOUTS in server.ts) runs out.
 */
export const DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * 413 with the reason and Connection: close, written whole (Content-Length) at once, so the client
 * has it while it is still sending; the response is ended (and the connection closed) only when
 * the body has been read to its end, or DRAIN_BYTES of it were thrown away.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  const body: ApiError = { error: { code: 'XH_ERR_USAGE', message: `the request body is above ${limit} bytes` } };
  const text = JSON.stringify(body);
  res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', connection: 'close' });
  res.write(text);
  let drained = 0;
  const finish = (): void => {
    req.off('data', discard);
    if (res.writableEnded) return;
    // a body not read to its end is cut off once the answer has gone out
    if (!req.complete) res.once('finish', () => req.destroy());
    res.end();
  };
  const discard = (c: Buffer): void => {
    drained += c.length;
    if (drained > DRAIN_BYTES) finish();
  };
  req.on('data', discard);
  req.once('end', finish);
  req.once('close', finish);
  req.resume();
}

/**
 * The request body as text, refusing more than LIMIT bytes: then it answers 413 itself and
 * resolves null, as it does when the request breaks off (nobody to answer); the caller only
 * returns. A Content-Length above LIMIT is refused before a byte of the body is read.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | null> {
  return new Promise((resolve) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      refuseTooLarge(req, res, limit);
      return resolve(null);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      req.off('data', onData);
      refuseTooLarge(req, res, limit);
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}
