import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ctlFor } from './ctl-bed.js';

// A controller from before --dry-run, --cold-fallback and --group-size: its request schemas are
// strict, so it refuses a body carrying their keys as it words any body it does not take.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
const NEWER_KEYS = new Set(['dryRun', 'coldFallback', 'groupSize']);

async function olderController(asked: string[]): Promise<string> {
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      asked.push(`${req.method ?? ''} ${req.url ?? ''} ${text}`);
      const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      const known = Object.keys(body).filter((k) => !NEWER_KEYS.has(k));
      const parsed = z.strictObject(Object.fromEntries(known.map((k) => [k, z.unknown()]))).safeParse(body);
      const message = parsed.success ? 'no such thing here' : `not a command request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`;
      res.writeHead(parsed.success ? 404 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: parsed.success ? 'XH_ERR_NOT_FOUND' : 'XH_ERR_USAGE', message } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const older = (options: string, keys: string): string =>
  `xenherdctl: XH_ERR_PROTOCOL: the controller is older than this xenherdctl and does not know ${options}: nothing was started; upgrade the controller, or run the command without ${options.includes(' and ') ? 'them' : 'it'} (its refusal: not a command request: body: Unrecognized ${keys})\n`;

describe('an option the controller is older than', () => {
  it('is said as that, naming the option, for every such option (89, no usage error about a key no one typed)', async () => {
    const asked: string[] = [];
    const url = await olderController(asked);
    const env = { XENHERD_URL: url, XENHERD_TOKEN: TOKEN };
    const ctl = ctlFor(null);
    for (const [argv, options, keys] of [
      [['migrate', 'web01', 'xen2', '--dry-run'], '--dry-run', 'key: "dryRun"'],
      [['drain', 'xen1', '--dry-run', '--cold-fallback'], '--cold-fallback', 'key: "coldFallback"'],
      [['roll', 'xen1', 'xen2', '--dry-run', '--group-size', '1', '--cold-fallback'], '--group-size and --cold-fallback', 'keys: "groupSize", "coldFallback"'],
    ] as const) {
      const r = await ctl(argv, env);
      expect([r.code, r.stderr], argv.join(' ')).toEqual([89, older(options, keys)]);
    }
    // the requests did carry them: the controller refused each as a whole
    expect(asked.filter((a) => a.startsWith('POST')).length).toBe(3);
  });

  it('a refusal of a key no option of this run sends stays as the controller said it', async () => {
    const url = await olderController([]);
    // coldFallback false is sent by every drain job, given --cold-fallback or not
    const r = await ctlFor(null)(['drain', 'xen1'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect([r.code, r.stderr]).toEqual([2, 'xenherdctl: XH_ERR_USAGE: not a command request: body: Unrecognized key: "coldFallback"\n']);
  });
});
