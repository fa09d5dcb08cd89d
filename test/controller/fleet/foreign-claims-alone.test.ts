import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { placementOf } from '../../../controller/fleet/placement.js';
import { routeCommand } from '../../../controller/fleet/route.js';
import { MultiIndex } from '../../../controller/fleet/multi-index.js';
import { planDrain } from '../../../controller/plan/drain.js';
import { planFacts } from '../../../controller/plan/facts.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import type { HostState, LinkDomuConfig, LinkHome } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, primary, record } from '../states.js';
import { checkAt } from './check-bed.js';

// As in foreign-claims.test.ts: web01's home is xen1, on r-web01 (on xen1 and xen2 by its .res
// file); xen2 holds the standby copy of its config; xen9 holds nothing of web01. Here nothing but
// xen9 reports web01 running: web01 is stopped on xen1 (its start deferred), or xen1 fell silent.
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = (source: 'guarded' | 'config-dir', hosts = ['xen1', 'xen2']) => ({ name: 'web01', source, memMiB: 1024, vcpus: 1, resources: [{ name: 'r-web01', hosts }] });
const home = (peer: string | null): LinkHome => ({ name: 'web01', peer, source: 'migrate-tab' });
const deferred = guarded('web01', ['r-web01'], { decision: 'defer', reason: 'drbd-not-ready', since: '1970-01-01T00:00:00.000Z' });
const xen1 = (parts: Partial<HostState> = {}, lastSeen = NOW): HostRecord =>
  record('xen1', hostState({ guarded: [deferred], homes: [home('xen2')], domus: [config('guarded')], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen2', 'Secondary')] }, ...parts }), lastSeen);
const xen2 = (): HostRecord => record('xen2', hostState({ domus: [config('config-dir')], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen1', 'Secondary', 'Secondary')] } }));
const xen9 = (parts: Partial<HostState>): HostRecord => record('xen9', hostState(parts));
const found = (records: HostRecord[]) => mergeFleet(records, fresh).findings.map((f) => [f.kind, f.subject, f.hosts]);
const placesOf = (records: HostRecord[]) => placementOf(mergeFleet(records, fresh).index, 'web01', fresh, () => [])?.places.map((p) => p.host);
const check = checkAt(fresh);

describe('a running copy from a host that holds nothing of the domU, where no real copy runs', () => {
  it('web01 stopped at home: the foreign copy is an alert of its own, and where, migrate and check do not take it for web01', () => {
    const records = [xen1(), xen2(), xen9({ domains: [dom('web01')] })];
    const m = mergeFleet(records, fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['foreign-claim', 'web01@xen9', ['xen9']]]);
    expect(m.findings[0]?.message).toMatch(/^xen9 reports web01 running, but holds no config of web01 and no replica of its disks \(r-web01 is on xen1 and xen2, as xen1's config of web01 says\): it cannot run this web01, and no Dom0 that holds web01 reports it running, so web01 does not run there: where and migrate leave it out\. Stop nothing on its word; check xen9's agent/);
    expect(placesOf(records)).toEqual([]);
    const r = routeCommand(m.index, { op: 'migrate', name: 'web01', target: 'xen2' }, fresh);
    expect(r.ok ? r.value : r.error.message).toBe('no host holding web01 reports it running (xen9 does, but holds nothing of it: xenherdctl status)');
    // web01 is down, its start deferred: check says so beside the foreign claim, not "running"
    const a = check(records);
    expect(a.status).toBe('CRITICAL');
    expect(a.details.map((d) => [d.status, d.kind, d.subject])).toEqual([
      ['CRITICAL', 'foreign-claim', 'web01@xen9'],
      ['CRITICAL', 'start-deferred', 'web01'],
    ]);
    expect(a.perfdata.find((p) => p.label === 'domus_running')?.value).toBe(0);
  });

  it('plans do not take the foreign copy for web01: a drain of xen9 moves nothing of it', () => {
    const m = mergeFleet([xen1(), xen2(), xen9({ domains: [dom('web01')] })], fresh);
    const configs = new MultiIndex<LinkDomuConfig>();
    for (const h of ['xen1', 'xen2', 'xen9']) configs.replace(h, (m.index.record(h)?.state?.domus ?? []).map((c) => [c.name, c] as const));
    const facts = planFacts({ index: m.index, configs, fresh });
    expect(facts.domu('web01')).toMatchObject({ host: null });
    const plan = planDrain(facts, ['xen9'], DEFAULT_POLICY);
    expect(plan.sets.flat().map((x) => [x.name, x.from, x.to])).toEqual([]);
    expect(plan.leftovers).toEqual([]);
  });

  it('web01 home silent, its last report not running it: the same alert, and where shows no copy on xen9', () => {
    const records = [xen1({ guarded: [guarded('web01', ['r-web01'])] }, NOW - 60_000), xen2(), xen9({ domains: [dom('web01')] })];
    expect(found(records)).toEqual([['foreign-claim', 'web01@xen9', ['xen9']]]);
    expect(placesOf(records)).toEqual([]);
  });

  it('a host running a domU alone that nothing else speaks of is no foreign host: nothing is said', () => {
    expect(found([xen9({ domains: [dom('web01')] })])).toEqual([]);
    expect(placesOf([xen9({ domains: [dom('web01')] })])).toEqual(['xen9']);
  });
});

describe('check counts foreign claims as their own kind', () => {
  it('a foreign running copy beside the real one: foreign-claim, CRITICAL, not a domU running on two hosts', () => {
    const a = check([xen1({ domains: [dom('web01')], guarded: [guarded('web01', ['r-web01'])] }), xen2(), xen9({ domains: [dom('web01')] })]);
    expect([a.status, a.summary]).toEqual(['CRITICAL', 'web01: xen9, which holds nothing of it, reports it running (check its agent)']);
    expect(a.details.map((d) => [d.status, d.kind, d.subject])).toEqual([['CRITICAL', 'foreign-claim', 'web01@xen9']]);
  });

  it('a foreign home claim alone: foreign-claim, a WARNING', () => {
    const a = check([xen1({ domains: [dom('web01')], guarded: [guarded('web01', ['r-web01'])] }), xen2(), xen9({ homes: [home(null)] })]);
    expect([a.status, a.summary]).toEqual(['WARNING', 'web01: xen9, which holds nothing of it, claims to be its home (check its agent)']);
    expect(a.details.map((d) => d.kind)).toEqual(['foreign-claim']);
  });

  it('one host both running and claiming a domU it holds nothing of: one alert saying both', () => {
    const m = mergeFleet([xen1({ domains: [dom('web01')], guarded: [guarded('web01', ['r-web01'])] }), xen2(), xen9({ domains: [dom('web01')], homes: [home(null)] })], fresh);
    expect(m.findings.map((f) => [f.kind, f.subject])).toEqual([['foreign-claim', 'web01@xen9']]);
    expect(m.findings[0]?.message).toMatch(/^xen9 reports web01 running and claims to be its home, but holds no config/);
  });

  it('many of them are counted under their own words on the status line', () => {
    const names = ['web01', 'web02', 'web03', 'web04'];
    const cfg = (n: string, source: 'guarded' | 'config-dir') => ({ ...config(source), name: n, resources: [{ name: `r-${n}`, hosts: ['xen1', 'xen2'] }] });
    const a = check([
      record('xen1', hostState({ domains: names.map((n) => dom(n)), guarded: names.map((n) => guarded(n)), domus: names.map((n) => cfg(n, 'guarded')), drbd: { availability: 'ok', resources: names.map((n) => primary(`r-${n}`, 'xen2')) } })),
      record('xen2', hostState({ domus: names.map((n) => cfg(n, 'config-dir')), drbd: { availability: 'ok', resources: names.map((n) => primary(`r-${n}`, 'xen1', 'Secondary', 'Primary')) } })),
      xen9({ domains: names.map((n) => dom(n)) }),
    ]);
    expect([a.status, a.summary]).toEqual(['CRITICAL', '4 claims from Dom0s holding nothing of their domUs (web01@xen9, web02@xen9, web03@xen9, ...)']);
  });
});

describe('fuller lies: an agent that also reports a config or a DRBD resource of the domU', () => {
  it("a config of web01 whose own DRBD resource leaves xen9 out, with no r-web01 on xen9: xen9's own word says it holds nothing", () => {
    const lying = xen9({ domains: [dom('web01')], domus: [config('config-dir')] });
    const records = [xen1({ domains: [dom('web01')], guarded: [guarded('web01', ['r-web01'])] }), xen2(), lying];
    const m = mergeFleet(records, fresh);
    expect(m.findings.map((f) => [f.kind, f.subject])).toEqual([['foreign-claim', 'web01@xen9']]);
    expect(m.findings[0]?.message).toMatch(/^xen9 reports web01 running, but holds no replica of its disks: its own config of web01 puts r-web01 on xen1 and xen2, not on xen9 \(as xen1's config of web01 says too\): it cannot run this web01/);
    expect(placesOf(records)).toEqual(['xen1']);
    // stopped at home, the same
    expect(found([xen1(), xen2(), lying])).toEqual([['foreign-claim', 'web01@xen9', ['xen9']]]);
  });

  it('a config naming xen9 in its resource, or an r-web01 reported on xen9, is a plain conflict: only the other hosts would say otherwise', () => {
    const running = xen1({ domains: [dom('web01')], guarded: [guarded('web01', ['r-web01'])] });
    expect(found([running, xen2(), xen9({ domains: [dom('web01')], domus: [config('config-dir', ['xen1', 'xen9'])] })])).toEqual([['running-on-two-hosts', 'web01', ['xen1', 'xen9']]]);
    expect(found([running, xen2(), xen9({ domains: [dom('web01')], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen1')] } })])).toEqual([['running-on-two-hosts', 'web01', ['xen1', 'xen9']]]);
    // a config leaving xen9 out beside an r-web01 it reports: its report does not say it holds nothing
    const both = xen9({ domains: [dom('web01')], domus: [config('config-dir')], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen1')] } });
    expect(found([running, xen2(), both])).toEqual([['running-on-two-hosts', 'web01', ['xen1', 'xen9']]]);
  });
});
