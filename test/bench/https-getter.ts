import { Agent, request } from 'node:https';

export interface HttpsGetter {
  /** GET PATH over a kept-alive connection: status and body */
  get(path: string): Promise<{ status: number; body: string }>;
  destroy(): void;
}

/**
 * GETs from BASE (https://host:port) trusting CA, with TOKEN as the bearer when given, over at most
 * SOCKETS connections (a GET asked while all are busy waits for one).
 */
export function httpsGetter(base: string, caPem: string, token: string | null, sockets = 1): HttpsGetter {
  // in turns over the free connections, so none idles long enough for the server to close it
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, scheduling: 'fifo', ca: caPem });
  const url = new URL(base);
  const headers = token === null ? {} : { authorization: `Bearer ${token}` };
  const get = (path: string, retried = false): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        // a kept-alive connection the server closed as idle (its keep-alive timeout) while this GET
        // was being sent on it: the GET never reached it, and asking again on a new one is safe
        if (!retried && req.reusedSocket && e.code === 'ECONNRESET') get(path, true).then(resolve, reject);
        else reject(e);
      });
      req.end();
    });
  return { get: (path) => get(path), destroy: () => agent.destroy() };
}
