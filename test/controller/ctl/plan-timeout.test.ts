import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Clock } from '../../../shared/clock/clock.js';
import { ctlFor } from './ctl-bed.js';

const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;

/** A loopback server that takes connections and never answers; resolves its URL. */
async function silentController(): Promise<string> {
  const held: Socket[] = [];
  const server = createServer((s) => {
    held.push(s);
    s.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => {
    for (const s of held) s.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A clock whose timers all fire at once (a few ms of real time), recording how long each was set for. */
function hastyClock(asked: number[]): Clock {
  return {
    now: () => Date.UTC(2026, 0, 1),
    schedule: (ms, fn) => {
      asked.push(ms);
      const t = setTimeout(fn, 20);
      return () => clearTimeout(t);
    },
    sleep: async () => undefined,
  };
}

describe('how long xenherdctl waits for an answer', () => {
  it('a plan 120 s (a big fleet takes the controller seconds to plan), a question 10 s', async () => {
    const url = await silentController();
    const asked: number[] = [];
    const ctl = ctlFor(null, undefined, { clock: hastyClock(asked) });
    const plan = await ctl(['plan', 'rebalance'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect([plan.code, plan.stderr]).toEqual([87, expect.stringContaining('no answer within 120 s')]);
    expect(asked).toContain(120_000);
    const dry = await ctl(['drain', 'xen1', '--dry-run'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect(dry.stderr).toContain('no answer within 120 s');
    const hosts = await ctl(['hosts'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect([hosts.code, hosts.stderr]).toEqual([87, expect.stringContaining('no answer within 10 s')]);
  });
});
