import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode, XhError } from '../../shared/errors.js';
import type { ApiError } from '../../shared/protocol/ctl-api.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  XH_ERR_USAGE: 400,
  XH_ERR_PROTOCOL: 400,
  XH_ERR_AUTH: 401,
  XH_ERR_NOT_FOUND: 404,
  XH_ERR_REFUSED: 409,
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

export const remoteOf = (req: IncomingMessage): string => `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;

/** The request body as text, refusing more than LIMIT bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}
