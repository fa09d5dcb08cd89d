import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { alertProblems } from '../../../controller/fleet/check-conditions.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { homeOf, placementOf } from '../../../controller/fleet/placement.js';
import { routeCommand } from '../../../controller/fleet/route.js';
import { MultiIndex } from '../../../controller/fleet/multi-index.js';
import { planDrain } from '../../../controller/plan/drain.js';
import { planFacts } from '../../../controller/plan/facts.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import type { HostState, LinkDomuConfig, LinkHome } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, primary, record } from '../states.js';

// web01 runs on xen1, its home, on r-web01, which /etc/drbd.d/r-web01.res puts on xen1 and xen2;
// xen2 holds the standby copy of its config. xen9 is enrolled (its token is good for xen9) but
// holds no config of web01 and not r-web01: whatever its agent says of web01 is not so, or is
// about another domain of that name.
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = (source: 'guarded' | 'config-dir') => ({ name: 'web01', source, memMiB: 1024, vcpus: 1, resources: [{ name: 'r-web01', hosts: ['xen1', 'xen2'] }] });
const home = (peer: string | null, source: LinkHome['source'] = 'migrate-tab'): LinkHome => ({ name: 'web01', peer, source });
const xen1 = (parts: Partial<HostState> = {}): HostRecord =>
  record('xen1', hostState({ domains: [dom('web01')], guarded: [guarded('web01')], homes: [home('xen2')], domus: [config('guarded')], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen2')] }, ...parts }));
const xen2 = (parts: Partial<HostState> = {}): HostRecord =>
  record('xen2', hostState({ domus: [config('config-dir')], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen1', 'Secondary', 'Primary')] }, ...parts }));
const xen9 = (parts: Partial<HostState>): HostRecord => record('xen9', hostState(parts));
const found = (records: HostRecord[]) => mergeFleet(records, fresh).findings.map((f) => [f.kind, f.subject, f.hosts]);
const placesOf = (records: HostRecord[]) => placementOf(mergeFleet(records, fresh).index, 'web01', fresh, () => [])?.places.map((p) => p.host);

describe('a running copy or home claim from a host that holds nothing of the domU', () => {
  it('a running copy on a foreign agent: its own alert, not "stop one copy", and web01 stays placed on xen1', () => {
    const records = [xen1(), xen2(), xen9({ domains: [dom('web01')] })];
    const m = mergeFleet(records, fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['foreign-claim', 'web01@xen9', ['xen9']]]);
    expect(m.findings[0]?.message).toBe(
      "xen9 reports web01 running, but holds no config of web01 and no replica of its disks (r-web01 is on xen1 and xen2, as xen1's config of web01 says): it cannot run this web01, so this is no second copy to stop, and where and migrate leave it out. Stop nothing on its word; check xen9's agent and its token: misconfigured (another domain named web01 there, a stray entry in its migrate-tab or guarded dir) or compromised; look on xen9 by hand (xl list; xenherd-agent status web01), and a token no longer trusted goes with `xenherd-controller revoke xen9`",
    );
    expect(m.findings[0]?.message).not.toContain('stop one copy');
    expect(alertProblems(m.findings.map((f) => ({ ...f, since: NOW })), m.index, fresh).map((p) => [p.status, p.subject, p.short])).toEqual([
      ['CRITICAL', 'web01@xen9', 'web01: xen9, which holds nothing of it, reports it running (check its agent)'],
    ]);
    expect(placesOf(records)).toEqual(['xen1']);
    const route = routeCommand(m.index, { op: 'migrate', name: 'web01', target: 'xen2' }, fresh);
    expect(route).toEqual({ ok: true, value: { host: 'xen1' } });
  });

  it('a home claim from a foreign agent: its own alert, and web01 keeps its home on xen1', () => {
    for (const pair of [[xen1(), xen2()], [xen1({ homes: [home('xen2', 'guarded')] }), xen2({ homes: [home('xen1', 'guarded')], guarded: [guarded('web01')] })]]) {
      const records = [...pair, xen9({ homes: [home(null)] })];
      const m = mergeFleet(records, fresh);
      expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['foreign-claim', 'web01@xen9', ['xen9']]]);
      expect(m.findings[0]?.message).toMatch(/^xen9 claims to be web01's home, but holds no config of web01 and no replica of its disks \(r-web01 is on xen1 and xen2, as xen1's config of web01 says\): it cannot run web01, so its claim does not count/);
      expect(homeOf(m.index, 'web01').home).toBe('xen1');
      expect(alertProblems(m.findings.map((f) => ({ ...f, since: NOW })), m.index, fresh).map((p) => p.short)).toEqual(['web01: xen9, which holds nothing of it, claims to be its home (check its agent)']);
      expect(placementOf(m.index, 'web01', fresh, () => [])?.homeClaims).not.toContain('xen9');
      // reverse goes to the home: xen1 already runs it, so nothing to reverse (not "each claim to be its home")
      const r = routeCommand(m.index, { op: 'reverse', name: 'web01' }, fresh);
      expect(r.ok ? '' : r.error.message).toBe('web01 already runs on its home xen1: nothing to reverse');
    }
  });

  it('the genuine two-copies case is unchanged, beside a foreign claim or not', () => {
    const two = [xen1(), xen2({ domains: [dom('web01')] })];
    const m = mergeFleet(two, fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['running-on-two-hosts', 'web01', ['xen1', 'xen2']]]);
    expect(m.findings[0]?.message).toMatch(/^web01 runs on xen1 and xen2, not as a migration: a split brain of its disks is likely; stop one copy after checking which is current; to choose the copy to keep: /);
    expect(placesOf(two)).toEqual(['xen1', 'xen2']);
    expect(found([...two, xen9({ domains: [dom('web01')] })])).toEqual([
      ['foreign-claim', 'web01@xen9', ['xen9']],
      ['running-on-two-hosts', 'web01', ['xen1', 'xen2']],
    ]);
  });

  it('a host holding the resource, a config of it, or named by a .res file is no foreign host: a plain conflict', () => {
    const other = (parts: Partial<HostState>) => found([xen1(), xen2(), xen9({ domains: [dom('web01')], ...parts })]);
    expect(other({ drbd: { availability: 'ok', resources: [primary('r-web01', 'xen1', 'Secondary', 'Primary')] } })).toEqual([['running-on-two-hosts', 'web01', ['xen1', 'xen9']]]);
    expect(other({ domus: [{ ...config('config-dir'), resources: [{ name: 'r-web01', hosts: ['xen9', 'xen8'] }] }] })).toEqual([['running-on-two-hosts', 'web01', ['xen1', 'xen9']]]);
    expect(found([xen1({ domus: [{ ...config('guarded'), resources: [{ name: 'r-web01', hosts: ['xen1', 'xen9'] }] }] }), xen9({ domains: [dom('web01')] })])).toEqual([['running-on-two-hosts', 'web01', ['xen1', 'xen9']]]);
    // a domU on shared storage may run anywhere: nothing says xen9 cannot run it
    expect(found([xen1({ domus: [{ ...config('guarded'), resources: [] }] }), xen9({ domains: [dom('web01')] })])).toEqual([['running-on-two-hosts', 'web01', ['xen1', 'xen9']]]);
  });

  it("another agent's config cannot make a host holding web01's config foreign", () => {
    // xen9 (compromised) reports a config of web01 on a resource of its own, and runs web01: xen1 still holds its config
    const lying = xen9({ domains: [dom('web01')], domus: [{ ...config('config-dir'), resources: [{ name: 'r-web01', hosts: ['xen9', 'xen8'] }] }] });
    expect(found([xen1(), lying])).toEqual([['running-on-two-hosts', 'web01', ['xen1', 'xen9']]]);
  });

  it('a drain of the real host moves web01: plans do not count the foreign copy as a second one', () => {
    const m = mergeFleet([xen1(), xen2(), xen9({ domains: [dom('web01')] })], fresh);
    const configs = new MultiIndex<LinkDomuConfig>();
    for (const h of ['xen1', 'xen2', 'xen9']) configs.replace(h, (m.index.record(h)?.state?.domus ?? []).map((c) => [c.name, c] as const));
    const facts = planFacts({ index: m.index, configs, fresh });
    expect(facts.domu('web01')).toMatchObject({ host: 'xen1' });
    const plan = planDrain(facts, ['xen1'], DEFAULT_POLICY);
    expect(plan.sets.flat().map((x) => [x.name, x.from, x.to])).toEqual([['web01', 'xen1', 'xen2']]);
    expect(plan.leftovers).toEqual([]);
  });
});
