import { describe, expect, it } from 'vitest';
import { alreadyHomeLine, alreadyOnLine } from '../../../controller/ctl/already-home.js';
import type { WhereMatch } from '../../../shared/protocol/ctl-where.js';
import { dom, guarded, hostState, primary } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// web01 runs on its home xen1 alone while r-web01 is split (the victim xen2 shut its copy down and
// went Secondary, but has not resynced): reverse answered "already runs on its home" with exit 0 and
// migrate was sent to the agent, though xen1's copy may be the one whose writes are thrown away.
const bed = controllerBed();

const cut = (peer: string, role: 'Primary' | 'Secondary') => ({ name: 'r-web01', role, disk: 'UpToDate', peers: [{ name: peer, role: 'Unknown' as const, connection: 'StandAlone', disk: 'DUnknown', replication: null }] });
// the side's times are when this controller first heard of xen1 (a real clock here): read back from where
const splitOf = (c: TestController): string => {
  const w = c.core.where('web01');
  const at = w.ok ? (w.value.matches[0]?.drbd?.[0]?.sides?.[0]?.running?.at ?? 0) : 0;
  const t = `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC or earlier`;
  return `DRBD r-web01 split (StandAlone on xen1; xen1, its home: running since ${t}, Primary since ${t}): see "DRBD split brain" in the README`;
};

async function fleet(c: TestController) {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  const home = { domains: [dom('web01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' as const }], guarded: [guarded('web01')] };
  xen1.snapshot(hostState({ ...home, drbd: { availability: 'ok', resources: [cut('xen2', 'Primary')] } }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ guarded: [guarded('web01', ['r-web01'], { decision: 'skip' })], drbd: { availability: 'ok', resources: [cut('xen1', 'Secondary')] } }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both hosts reported', { limitMs: 10_000 });
  return { xen1, xen2, home };
}

describe('xenherdctl migrate and reverse of a domU whose DRBD disk is split', () => {
  it('both are refused (77) naming the split as where does; nothing is sent; once resynced, reverse is done again', async () => {
    const c = await bed.start();
    const { xen1, xen2, home } = await fleet(c);
    const ctl = ctlFor(c);
    const SPLIT = splitOf(c);
    expect((await ctl(['where', 'web01'])).stdout).toContain(SPLIT);

    const rev = await ctl(['reverse', 'web01']);
    expect(rev).toEqual({ code: 77, stdout: '', stderr: `xenherdctl: XH_ERR_REFUSED: web01 runs on its home xen1, but ${SPLIT}; nothing to reverse until the split is resolved, nothing was sent\n` });
    const mig = await ctl(['migrate', 'web01', 'xen2']);
    expect(mig).toEqual({ code: 77, stdout: '', stderr: `xenherdctl: XH_ERR_REFUSED: web01 runs on xen1, but ${SPLIT}; no move until the split is resolved, nothing was sent\n` });
    // to the Dom0 already running it: not "nothing to migrate" either
    expect((await ctl(['migrate', 'web01', 'xen1'])).code).toBe(77);
    expect([xen1.of('command'), xen2.of('command')]).toEqual([[], []]);

    xen1.snapshot(hostState({ ...home, drbd: { availability: 'ok', resources: [primary('r-web01', 'xen2')] } }));
    xen2.snapshot(hostState({ guarded: [guarded('web01', ['r-web01'], { decision: 'skip' })], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen1', 'Secondary', 'Primary')] } }));
    await until(() => c.core.where('web01').ok && !JSON.stringify(c.core.where('web01')).includes('"drbd"'), 'r-web01 connected again', { limitMs: 10_000 });
    const done = await ctl(['reverse', 'web01']);
    expect([done.code, done.stderr]).toEqual([0, '']);
    expect(done.stdout).toMatch(/^web01 already runs on its home xen1 /);
  });

  it('an answer showing a split disk is not "already home" nor "already there" (a controller that does not refuse it itself)', () => {
    const m: WhereMatch = {
      name: 'web01',
      places: [{ host: 'xen1', domain: dom('web01'), reachable: true, ageMs: 100 }],
      home: 'xen1',
      homeClaims: ['xen1'],
      away: null,
      visitor: null,
      autostart: [],
      midMigration: false,
      alerts: [],
      ageMs: 100,
      reachable: true,
    };
    expect(alreadyHomeLine(m, 0)).toMatch(/^web01 already runs on its home xen1/);
    expect(alreadyOnLine(m, 'xen1')).toMatch(/^web01 already runs on xen1/);
    const split: WhereMatch = { ...m, drbd: [{ resource: 'r-web01', kind: 'standalone', hosts: ['xen1', 'xen2'] }] };
    expect(alreadyHomeLine(split, 0)).toBeNull();
    expect(alreadyOnLine(split, 'xen1')).toBeNull();
    // a disk DRBD detached under it is no split: the domU runs at home, on its peer's disk
    const failed: WhereMatch = { ...m, drbd: [{ resource: 'r-web01', kind: 'disk-failed', hosts: ['xen1', 'xen2'] }] };
    expect(alreadyHomeLine(failed, 0)).toMatch(/^web01 already runs on its home xen1/);
    expect(alreadyOnLine(failed, 'xen1')).toMatch(/^web01 already runs on xen1/);
  });
});
