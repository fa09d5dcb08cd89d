import { describe, expect, it } from 'vitest';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, primary, unsettled } from '../states.js';
import { coreBed, recordingSink, type CoreBed } from './core-bed.js';

// An enrolled agent holding nothing of web1 (xen9: no config of it, no side of r-web1 paired with
// xen1 or xen2) reports web1 as its own. web1 is guarded on xen1, its home, on r-web1, which the
// .res files put on xen1 and xen2 (xen2 keeps the standby config).
const config = (source: 'guarded' | 'config-dir') => ({ name: 'web1', source, memMiB: 1024, vcpus: 1, resources: [{ name: 'r-web1', hosts: ['xen1', 'xen2'] }] });
const xen1State = (parts: Partial<HostState> = {}): HostState =>
  hostState({ domains: [dom('web1')], guarded: [guarded('web1')], homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }], domus: [config('guarded')], drbd: { availability: 'ok', resources: [primary('r-web1', 'xen2')] }, ...parts });
const xen2State = hostState({ domus: [config('config-dir')], drbd: { availability: 'ok', resources: [primary('r-web1', 'xen1', 'Secondary', 'Primary')] } });

async function fleetWith(xen9: HostState) {
  const bed = coreBed();
  const xen1 = (await bed.online('xen1', xen1State())).agent;
  const xen2 = (await bed.online('xen2', xen2State)).agent;
  const rogue = (await bed.online('xen9', xen9)).agent;
  await bed.clock.advance(300);
  return { bed, xen1, xen2, rogue };
}

/** Let SECONDS pass with the named agents heard from, so none of them goes silent. */
async function pass(bed: CoreBed, seconds: number, agents: ReadonlyArray<{ heartbeat(): void }>): Promise<void> {
  for (let s = 0; s < seconds; s++) {
    await bed.clock.advance(1_000);
    for (const a of agents) a.heartbeat();
  }
  await bed.clock.advance(0);
}

const alertIds = (bed: CoreBed) => bed.core.status().alerts.map((a) => a.id);

describe('a foreign agent claiming web1 running (a domain row and a guarded entry, no config, no paired DRBD)', () => {
  const xen9 = hostState({ domains: [dom('web1')], guarded: [guarded('web1', ['r-web1'], { decision: 'running' })], drbd: { availability: 'ok', resources: [primary('r-web1', 'xen8')] } });

  it('is a foreign-claim on xen9, not a second copy against xen1; migrate still goes to xen1', async () => {
    const { bed, xen1, rogue } = await fleetWith(xen9);
    expect(alertIds(bed)).toEqual(['foreign-claim:web1@xen9']);
    expect(bed.core.where('web1')).toMatchObject({ ok: true, value: { matches: [{ name: 'web1', places: [{ host: 'xen1' }] }] } });
    expect(bed.core.command({ op: 'migrate', name: 'web1', target: 'xen2' }, { name: 'admin' }, recordingSink())).toMatchObject({ ok: true, value: { host: 'xen1' } });
    await bed.clock.advance(0);
    expect(rogue.of('command')).toEqual([]);
    expect(xen1.of('command')).toMatchObject([{ op: 'migrate', name: 'web1', target: 'xen2' }]);
  });

  it('xen1 back from a reboot with web1 down is not told web1 runs on xen9, and nothing is routed to xen9', async () => {
    const { bed, xen1, xen2, rogue } = await fleetWith(xen9);
    xen1.delta({ domains: [], guarded: [guarded('web1', ['r-web1'], { decision: 'defer', reason: 'peer-unknown' })] });
    await pass(bed, 2, [xen1, xen2, rogue]);
    // what guarded autostart on xen1 reads as "seen elsewhere"
    expect(xen1.lastFleet()?.runningOn).toEqual({ web1: [] });
    expect(bed.core.where('web1')).toMatchObject({ ok: true, value: { matches: [{ name: 'web1', places: [] }] } });
    const r = bed.core.command({ op: 'migrate', name: 'web1', target: 'xen1' }, { name: 'admin' }, recordingSink());
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND' } });
    await bed.clock.advance(0);
    expect(rogue.of('command')).toEqual([]);
    expect(alertIds(bed)).toEqual(['foreign-claim:web1@xen9']);
    // web1 running on xen1 again: the view names xen1 alone
    xen1.delta({ domains: [dom('web1')] });
    await pass(bed, 2, [xen1, xen2, rogue]);
    expect(xen1.lastFleet()?.runningOn).toEqual({ web1: ['xen1'] });
  });
});

describe("a foreign agent's unsettled record of web1 (its ledger alone speaks of web1)", () => {
  const xen9 = hostState({ ledger: { seq: 1, away: {}, visitors: {}, unsettled: { web1: unsettled('xen2') } } });

  it('blocks no drain plan nor migrate, and is an alert naming xen9, also once its link is gone', async () => {
    const { bed, xen1, xen2, rogue } = await fleetWith(xen9);
    const check = async () => {
      const plan = await bed.core.hub.plan({ kind: 'drain', hosts: ['xen1'], maxParallel: null });
      if (!plan.ok || plan.value.kind !== 'drain') throw new Error(`no drain plan: ${JSON.stringify(plan)}`);
      expect(plan.value.sets.flat().map((m) => [m.name, m.from, m.to])).toEqual([['web1', 'xen1', 'xen2']]);
      expect(plan.value.leftovers).toEqual([]);
      expect(bed.core.command({ op: 'migrate', name: 'web1', target: 'xen2' }, { name: 'admin' }, recordingSink())).toMatchObject({ ok: true, value: { host: 'xen1' } });
      const alerts = bed.core.status().alerts;
      expect(alerts.map((a) => [a.id, a.hosts])).toEqual([['foreign-claim:web1@xen9', ['xen9']]]);
      expect(alerts[0]?.message).toMatch(/^xen9 .*holds no config of web1 and no replica of its disks .* its ledger keeps the migrate of web1 with xen2 \(operation op-7, .*\) as unsettled, yet no migration of web1 ran there/);
    };
    await check();
    // xen9 goes silent (its link gone): its last report still holds nothing back
    await pass(bed, 10, [xen1, xen2]);
    expect(bed.core.hosts().hosts.find((h) => h.host === 'xen9')?.reachable).toBe(false);
    await check();
    expect(rogue.of('command')).toEqual([]);
  });
});
