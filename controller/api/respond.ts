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

/** The request body as text, refusing more than LIMIT bytes. */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      // the rest is not read: the caller's error answer goes out first (the client learns why),
      // then the connection ends, so the unread body cannot keep it busy
      req.off('data', onData);
      req.pause();
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.destroy());
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}
