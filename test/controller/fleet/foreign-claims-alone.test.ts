import { describe, expect, it } from 'vitest';
import { checkFleet } from '../../../controller/fleet/fleet-check.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../../shared/protocol/ctl-check.js';
import type { HostState, LinkHome } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, primary, record } from '../states.js';

// As in foreign-claims.test.ts: web01's home is xen1, on r-web01 (on xen1 and xen2 by its .res
// file); xen2 holds the standby copy of its config; xen9 holds nothing of web01.
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = (source: 'guarded' | 'config-dir', hosts = ['xen1', 'xen2']) => ({ name: 'web01', source, memMiB: 1024, vcpus: 1, resources: [{ name: 'r-web01', hosts }] });
const home = (peer: string | null): LinkHome => ({ name: 'web01', peer, source: 'migrate-tab' });
const xen1 = (parts: Partial<HostState> = {}, lastSeen = NOW): HostRecord =>
  record('xen1', hostState({ guarded: [guarded('web01')], homes: [home('xen2')], domus: [config('guarded')], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen2', 'Secondary')] }, ...parts }), lastSeen);
const xen2 = (): HostRecord => record('xen2', hostState({ domus: [config('config-dir')], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen1', 'Secondary', 'Secondary')] } }));
const xen9 = (parts: Partial<HostState>): HostRecord => record('xen9', hostState(parts));
function check(records: HostRecord[]): CheckAnswer {
  const m = mergeFleet(records, fresh);
  return CheckAnswerSchema.parse(checkFleet(m.index, mergedStatus(m, fresh).alerts, fresh, DEFAULT_CHECK_THRESHOLDS));
}

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
