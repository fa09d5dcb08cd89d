import { afterEach, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { whereColumns } from '../../controller/ctl/where-line.js';
import type { WhereMatch } from '../../shared/protocol/ctl-where.js';
import type { Fleet } from '../harness/fleet.js';
import { parseXenStartTime } from '../../agent/parse/xen-start-time.js';
import { uuidFor } from '../sim/model/uuid.js';
import { TWO_DOM0S, twoDom0sOnline } from './two-dom0s.js';

let f: Fleet;
afterEach(async () => f?.stop());

const whereOf = (name: string): { m: WhereMatch; at: number } => {
  const w = f.controller!.core.where(name);
  if (!w.ok) throw new Error(w.error.message);
  return { m: w.value.matches[0]!, at: w.value.at };
};
const alertIds = (): string[] => f.controller!.core.status().alerts.map((a) => a.id);
/** DISKS without what each side's times say (asserted on their own where they matter) */
const bare = (disks: WhereMatch['drbd']) => disks?.map(({ sides: _s, primaryLonger: _p, ...d }) => d);
const utc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
/** since when the simulator's Xen has run NAME on HOST: its start_time in xenstore, as the agent reads it */
const xenStarted = (fleet: Fleet, host: string, name: string): number => {
  const t = parseXenStartTime(fleet.sim.state().xenstore[host]?.[`/vm/${uuidFor(name)}/start_time`] ?? '');
  if (!t.ok) throw new Error(t.error);
  return t.value;
};

async function drbdadm(host: string, ...argv: string[]): Promise<void> {
  const r = await f.sim.run(host, 'drbdadm', argv);
  expect([r.exitCode, r.stderr]).toEqual([0, '']);
}

// The DRBD alert is keyed by the resource (r1@xen1+xen2), not by the domU: `where web1` answered
// "web1 xen1 running home xen1" with no mark while its disk took writes on both Dom0s.
it.each(['9', '8.4'])('DRBD %s: a split brain of web1\'s disk is marked in where web1, and stays marked until the victim has resynced', async (version) => {
  f = await twoDom0sOnline(TWO_DOM0S.replace(/drbd=9/g, `drbd=${version}`));
  expect(whereOf('web1').m.drbd).toBeUndefined();
  const online = f.sim.clock.now();
  f.sim.drbd('r1', 'split-brain');
  await drbdadm('xen2', 'primary', 'r1');
  await f.until(() => alertIds().includes('drbd-primary-on-both:r1@xen1+xen2'), 'the alert', 30_000);

  const { m, at } = whereOf('web1');
  expect(m.alerts).toEqual([]);
  expect(bare(m.drbd)).toEqual([
    { resource: 'r1', kind: 'primary-on-both', hosts: ['xen1', 'xen2'], alert: 'drbd-primary-on-both:r1@xen1+xen2' },
    { resource: 'r1', kind: 'standalone', hosts: ['xen1', 'xen2'] },
  ]);
  // each side, to help choose the victim: web1 ran at home on xen1 before the controller heard of
  // it (a lower bound), xen2 was seen becoming Primary after: xen1 has been Primary longer
  const [home, promoted] = [m.drbd?.[0]?.sides?.[0]?.running?.at ?? Infinity, m.drbd?.[0]?.sides?.[1]?.primary?.at ?? 0];
  expect(home).toBeLessThanOrEqual(online);
  expect(promoted).toBeGreaterThanOrEqual(online);
  expect(promoted).toBeGreaterThan(home);
  // and since when Xen has run web1 on xen1: libxl's start_time, which xen1's agent reports
  const started = xenStarted(f, 'xen1', 'web1');
  const sides = [
    { host: 'xen1', home: true, running: { at: home, orEarlier: true }, started, primary: { at: home, orEarlier: true } },
    { host: 'xen2', primary: { at: promoted } },
  ];
  expect(m.drbd?.map((d) => [d.sides, d.primaryLonger])).toEqual([
    [sides, 'xen1'],
    [sides, 'xen1'],
  ]);
  const cols = whereColumns(m, at);
  expect(cols.slice(0, 4)).toEqual(['web1', 'xen1', 'running', 'home xen1']);
  const split = `DRBD r1 split (Primary on xen1 and xen2, StandAlone on xen1 and xen2; xen1, its home: running since ${utc(started)} (Xen's start time), Primary since ${utc(home)} or earlier; xen2: Primary since ${utc(promoted)}; Primary longer on xen1): see "DRBD split brain" in the README`;
  expect(cols.slice(5)).toEqual([split]);
  // migrate and reverse are refused in where's words, the alert (keyed by the resource) included
  const refusal = (req: Parameters<NonNullable<typeof f.controller>['core']['command']>[0]) => {
    const r = f.controller!.core.command(req, { name: 'op' }, { progress: () => undefined, done: () => undefined });
    return r.ok ? 'sent' : `${r.error.code}: ${r.error.message}`;
  };
  expect(refusal({ op: 'reverse', name: 'web1' })).toBe(`XH_ERR_REFUSED: web1 runs on its home xen1, but ${split}; nothing to reverse until the split is resolved, nothing was sent`);
  expect(refusal({ op: 'migrate', name: 'web1', target: 'xen2' })).toBe(`XH_ERR_REFUSED: web1 runs on xen1, but ${split}; no move until the split is resolved, nothing was sent`);
  // a domU on another resource of the same Dom0s is not marked
  expect(whereOf('web2').m.drbd).toBeUndefined();
  expect(whereOf('db1').m.drbd).toBeUndefined();

  // the runbook's first step ends the dual Primary; the victim has not resynced: still split
  await drbdadm('xen2', 'secondary', 'r1');
  await f.until(() => !alertIds().includes('drbd-primary-on-both:r1@xen1+xen2'), 'the alert cleared', 30_000);
  expect(bare(whereOf('web1').m.drbd)).toEqual([{ resource: 'r1', kind: 'standalone', hosts: ['xen1', 'xen2'] }]);

  await drbdadm('xen2', 'connect', '--discard-my-data', 'r1');
  await drbdadm('xen1', 'connect', 'r1');
  await f.until(() => whereOf('web1').m.drbd === undefined, 'r1 connected again', 60_000);
});

// The runbook "A Dom0 died with its own domUs on it" starts web1 on xen2 while xen1's last report
// still holds r1 Primary. `where web1` said `DRBD r1 split (...): see "DRBD split brain"`, whose
// first step shuts the victim's copy down: the only copy that runs, when xen1 is really down.
it('a dual Primary from a dead Dom0\'s last report names both runbooks in where, and clears as it reports again', async () => {
  f = await twoDom0sOnline(TWO_DOM0S.replace(/drbd=9/g, 'drbd=8.4'));
  f.powerOff('xen1');
  await f.advance(30_000);
  await drbdadm('xen2', 'primary', 'r1');
  const created = await f.sim.run('xen2', 'xl', ['create', '/etc/xen/web1.cfg']);
  expect(created.exitCode).toBe(0);
  await f.until(() => alertIds().includes('drbd-primary-on-both:r1@xen1+xen2'), 'the alert', 30_000);

  const { m, at } = whereOf('web1');
  expect(bare(m.drbd)).toEqual([{ resource: 'r1', kind: 'primary-on-both', hosts: ['xen1', 'xen2'], alert: 'drbd-primary-on-both:r1@xen1+xen2', unheard: ['xen1'] }]);
  const note =
    'DRBD r1 Primary on xen1 and xen2 (xen1 as last heard): if xen1 is down, no split, it clears once it reports again: ' +
    'see "A Dom0 died with its own domUs on it" in the README; if up, a split brain: see "DRBD split brain"';
  expect(whereColumns(m, at).at(-1)).toBe(note);
  expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain(note);

  f.sim.power('xen1', 'on');
  f.startAgent('xen1');
  await f.until(() => whereOf('web1').m.drbd === undefined, 'xen1 back, Secondary', 60_000);
});

// xen1's agent alone gone (crashed), xen1 up and its DRBD connected to xen2: a copy started on xen2
// beside the one xen1 runs is two copies writing. That is a split brain, and said so.
it("a dual Primary beside a silent Dom0 its partner's DRBD is connected to stays a split", async () => {
  f = await twoDom0sOnline(TWO_DOM0S.replace(/drbd=9/g, 'drbd=8.4'));
  f.crash('xen1');
  await f.advance(30_000);
  await drbdadm('xen2', 'primary', 'r1');
  await f.until(() => alertIds().includes('drbd-primary-on-both:r1@xen1+xen2'), 'the alert', 30_000);
  const { m, at } = whereOf('web1');
  expect(bare(m.drbd)).toEqual([{ resource: 'r1', kind: 'primary-on-both', hosts: ['xen1', 'xen2'], alert: 'drbd-primary-on-both:r1@xen1+xen2' }]);
  expect(whereColumns(m, at).at(-1)).toMatch(/^DRBD r1 split \(Primary on xen1 and xen2; xen1, its home: running since [^,]* \(Xen's start time\), Primary since .* or earlier; xen2: Primary since [^;]*; Primary longer on xen1\): see "DRBD split brain" in the README$/);
});
