import { describe, expect, it } from 'vitest';
import { dom, hostState } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// During a move of web1 from xen1 to xen2, hosts counted a domain on each Dom0 and domains listed
// web1--migratedaway and web1--incoming as two domUs of their own; where and status say one move.
const bed = controllerBed();

async function moving(c: TestController, sender: 'web1' | 'half') {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(hostState({ domains: [dom('db1'), sender === 'half' ? dom('web1', { migration: 'migratedaway', state: 'shutdown' }) : dom('web1')] }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('web1', { migration: 'incoming', state: 'paused' })] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both hosts reported', { limitMs: 10_000 });
}

const cells = (line: string | undefined): string[] => (line ?? '').split(/ {2,}/);

describe("hosts and domains during a move: a migration's halves are the domU's move", () => {
  it('both halves listed: domains names each as web1 and its move; hosts counts them apart', async () => {
    const c = await bed.start();
    await moving(c, 'half');
    const ctl = ctlFor(c);
    const d = await ctl(['domains']);
    expect([d.code, d.stderr]).toEqual([0, '']);
    const rows = d.stdout.split('\n').slice(1, -1).map((l) => cells(l).slice(0, 4));
    expect(rows).toEqual([
      ['xen1', 'db1', 'blocked', '-'],
      ['xen1', 'web1 (migration to xen2)', 'shutdown', 'migratedaway'],
      ['xen2', 'web1 (migration from xen1)', 'paused', 'incoming'],
    ]);
    const h = await ctl(['hosts']);
    expect(h.code).toBe(0);
    const lines = h.stdout.split('\n');
    // found by its header: other columns (the toolstack's XEN release) come before it
    const at = cells(lines[0]).indexOf('DOMAINS');
    expect(at).toBeGreaterThan(0);
    expect(cells(lines[1])[at]).toBe('1 (+1 migration half)');
    expect(cells(lines[2])[at]).toBe('0 (+1 migration half)');
    const j = await ctl(['hosts', '--json']);
    expect(JSON.parse(j.stdout).hosts.map((x: { domains: number; halves?: number }) => [x.domains, x.halves])).toEqual([
      [2, 1],
      [1, 1],
    ]);
  });

  it("the sender not renamed yet (libxl renames it once suspended): the receiving half names the Dom0 running web1; one with neither end known says which half it is", async () => {
    const c = await bed.start();
    await moving(c, 'web1');
    const ctl = ctlFor(c);
    const d = await ctl(['domains']);
    expect(d.stdout.split('\n').slice(1, -1).map((l) => cells(l)[1])).toEqual(['db1', 'web1', 'web1 (migration from xen1)']);
    const one = await ctl(['domains', '--host', 'xen2']);
    expect(one.stdout.split('\n').slice(1, -1).map((l) => cells(l)[1])).toEqual(["web1 (a migration's receiving half)"]);
  });
});
