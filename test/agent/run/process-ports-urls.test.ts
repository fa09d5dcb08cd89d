import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { processPorts } from '../../../agent/run/process-ports.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import { AGENT_LINK_PATH } from '../../../shared/protocol/agent-link.js';
import { memoryLogger } from '../../harness/memory-log.js';

// The process port dials the controller URL the core chose (an index: 0 the primary, then the
// standbys) and checks whether the primary answers. It used to choose itself, moving to the next
// URL after every failed try: a primary restarting for a few seconds lost its whole fleet.

const TOKEN = 'xh1.000000000000.testtokentesttokentesttoken';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** a loopback WebSocket server taking every agent link; CLOSES: how each link it took was closed */
async function liveController(): Promise<{ url: string; closes: { code: number; reason: string }[] }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: AGENT_LINK_PATH });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const closes: { code: number; reason: string }[] = [];
  server.on('connection', (ws) => ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() })));
  cleanups.push(() => {
    for (const ws of server.clients) ws.terminate();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, closes };
}

/** a loopback URL nothing listens on (a port taken from the OS, then let go) */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `ws://127.0.0.1:${port}`;
}

function portsFor(url: string, standbyUrls: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-urls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = AgentConfigSchema.parse({ controller: { url, standbyUrls, token: TOKEN } });
  const { log } = memoryLogger(realClock, 'xenherd-agent');
  return processPorts({ config, root: dir, stateDirReal: dir, runtimeDirReal: dir, log, kernelHostName: 'xen1', notify: null, self: { node: process.execPath, args: [], env: {} } });
}

describe("the process port's controller URLs", () => {
  it('dials the URL index the core names: the primary again after it failed, the standby only when named', async () => {
    const primary = await deadUrl();
    const standby = await liveController();
    const ports = portsFor(primary, [standby.url]);
    const connect = ports.connectController;
    if (connect === null) throw new Error('no controller link');
    for (let i = 0; i < 2; i++) {
      const r = await connect(0);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(new RegExp(`^${primary}: .*ECONNREFUSED`));
    }
    const up = await connect(1);
    expect(up.ok).toBe(true);
    if (up.ok) up.value.close(1000, 'test done');
  });

  it('checks the primary: false while nothing listens, true once it takes a link, which is closed at once', async () => {
    const standby = await liveController();
    const down = portsFor(await deadUrl(), [standby.url]);
    expect(await down.probePrimary?.()).toBe(false);
    const primary = await liveController();
    const ports = portsFor(primary.url, [standby.url]);
    expect(await ports.probePrimary?.()).toBe(true);
    await expect.poll(() => primary.closes, { timeout: 10_000 }).toEqual([{ code: 1000, reason: 'only checking that the controller answers' }]);
    expect(standby.closes).toEqual([]);
  });
});
