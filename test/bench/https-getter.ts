import { Agent, request } from 'node:https';

export interface HttpsGetter {
  /** GET PATH over one kept-alive connection: status and body */
  get(path: string): Promise<{ status: number; body: string }>;
  destroy(): void;
}

/** GETs from BASE (https://host:port) trusting CA, with TOKEN as the bearer when given. */
export function httpsGetter(base: string, caPem: string, token: string | null): HttpsGetter {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: caPem });
  const url = new URL(base);
  const headers = token === null ? {} : { authorization: `Bearer ${token}` };
  const get = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  return { get, destroy: () => agent.destroy() };
}
