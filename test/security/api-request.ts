import { request } from 'node:https';
import type { TestController } from '../controller/api/controller-bed.js';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface ApiRequest {
  readonly method: string;
  /** path and query, e.g. /v1/where?pattern=web1 */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer | null;
  /** the loopback address to send from (127.0.0.1 unless given): refused tokens are counted per address */
  readonly from?: string;
}

/** One request to a test controller over its real HTTPS port, on a connection of its own. */
export function apiRequest(c: TestController, o: ApiRequest): Promise<Answer | { error: string }> {
  const u = new URL(c.url);
  return new Promise((resolve) => {
    const req = request({ host: u.hostname, port: u.port, path: o.path, method: o.method, ca: c.caPem, headers: o.headers ?? {}, localAddress: o.from ?? '127.0.0.1', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += body.length > 1_000_000 ? '' : d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.setTimeout(5_000, () => req.destroy(new Error('no answer within 5 s')));
    req.end(o.body ?? undefined);
  });
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
