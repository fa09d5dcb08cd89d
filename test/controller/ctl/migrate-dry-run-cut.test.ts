import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { until } from '../../helpers/until.js';
import { ctlFor } from './ctl-bed.js';

// `xenherdctl migrate NAME HOST --dry-run` cut before its answer: a dry run starts nothing, so
// what it says is that, not the "may still be running" of a real migrate cut alike.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;

/** A controller that takes the command's stream, writes its headers, then does ON_STREAM with it. */
async function streaming(onStream: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; posted: () => readonly string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.flushHeaders();
      onStream(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posted: () => bodies };
}

describe('a migrate --dry-run cut before its answer', () => {
  it('the connection dropped: says nothing was started (a real migrate cut alike may still run)', async () => {
    const { url, posted } = await streaming((req) => req.socket.destroy());
    const env = { XENHERD_URL: url, XENHERD_TOKEN: TOKEN };
    const dry = await ctlFor(null)(['migrate', 'web01', 'xen2', '--dry-run'], env);
    expect(JSON.parse(posted()[0] ?? '{}')).toMatchObject({ op: 'migrate', name: 'web01', dryRun: true });
    expect([dry.code, dry.stderr]).toEqual([
      87,
      "xenherdctl: XH_ERR_CONTROLLER_UNREACHABLE: the connection to the controller closed before the dry run's answer: a dry run starts nothing, nothing was started; run it again\n",
    ]);
    expect(dry.stderr).not.toContain('may still be running');
    const real = await ctlFor(null)(['migrate', 'web01', 'xen2'], env);
    expect(real.stderr).toBe("xenherdctl: XH_ERR_CONTROLLER_UNREACHABLE: the connection to the controller closed before the command's result: it may still be running; check `xenherdctl where web01`\n");
  });

  it("the operator's Ctrl-C: says the dry run started nothing, not that a migration goes on", async () => {
    let streams = 0;
    const { url } = await streaming(() => void streams++);
    let interrupt: () => void = () => undefined;
    const ctl = ctlFor(null, undefined, { onInterrupt: (h) => ((interrupt = h), () => undefined) });
    const env = { XENHERD_URL: url, XENHERD_TOKEN: TOKEN };
    for (const [argv, said] of [
      [['migrate', 'web01', 'xen2', '--dry-run'], 'xenherdctl: stopped: the dry run of web01 starts nothing, nothing was started\n'],
      [['migrate', 'web01', 'xen2'], 'xenherdctl: stopped watching: the migration of web01 may have started on the Dom0s (it cannot be cancelled from here); `xenherdctl where web01` shows where it is\n'],
    ] as const) {
      const before = streams;
      const run = ctl(argv, env);
      // the request is at the controller, its answer not begun: the moment an operator gives up on it
      await until(() => streams > before, `the controller to take the stream of ${argv.join(' ')}`);
      expect(streams).toBe(before + 1);
      interrupt();
      const r = await run;
      expect([r.code, r.stderr]).toEqual([130, said]);
    }
  });
});
