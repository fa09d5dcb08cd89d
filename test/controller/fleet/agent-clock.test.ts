import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { memoryLinkPair } from '../../../shared/link/memory-link.js';
import { coreBed } from '../core/core-bed.js';
import { FakeAgent } from '../fake-agent.js';
import { dom, guarded, hostState, primary, record } from '../states.js';
import { checkAt } from './check-bed.js';

// A Dom0 whose clock is off the controller's (booted with a wrong RTC, NTP not yet at work)
// reports times on its own clock: a decision's since, a ledger's since. The controller reads them
// on its own, by as much as the `at` of that agent's messages is off when they come.

const NOW = 1_700_000_000_000;
const MIN = 60_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const iso = (ms: number): string => new Date(ms).toISOString();
/** HOST, heard just now, its clock AHEAD ms ahead of the controller's */
const host = (name: string, parts: Partial<HostState> = {}, ahead = 0): HostRecord => {
  const state = hostState(parts);
  return { ...record(name, state, NOW, true), maintenanceSince: { state: state.maintenance.state, since: NOW - 24 * 60 * MIN }, clockAheadMs: ahead };
};
const check = checkAt(fresh);
const details = (records: HostRecord[]): string[] => check(records).details.map((d) => `${d.status}: ${d.text}`);

/** app1 deferred on xen1 for AGO ms, xen1's clock AHEAD ms ahead */
const deferred = (ago: number, ahead: number): HostRecord[] => [
  host('xen1', { guarded: [guarded('app1', ['r9'], { decision: 'defer', reason: 'peer-not-connected', detail: 'x', since: iso(NOW - ago + ahead) })] }, ahead),
  host('xen2'),
];
/** web1 (home xen1) on xen2 for AGO ms as xen2's visitor record says, xen2's clock AHEAD ms ahead */
const away = (ago: number, ahead: number): HostRecord[] => [
  host('xen1', { drbd: { availability: 'ok', resources: [primary('r1', 'xen2', 'Secondary', 'Primary')] }, homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web1', ['r1'])] }),
  host('xen2', { domains: [dom('web1')], drbd: { availability: 'ok', resources: [primary('r1', 'xen1')] }, ledger: { seq: 1, away: {}, visitors: { web1: { home: 'xen1', since: iso(NOW - ago + ahead), operationId: 'op-1' } } } }, ahead),
];
const without = (lines: string[], host: string): string[] => lines.filter((l) => !l.startsWith(`WARNING: ${host}: its clock`));

describe("the check reads an agent's times on the controller's clock", () => {
  it('a start deferred 1 min on a Dom0 an hour behind is not "deferred for 61 min"', () => {
    expect(without(details(deferred(1 * MIN, -60 * MIN)), 'xen1')).toEqual([]);
  });

  it('a start deferred 20 min on a Dom0 an hour ahead is CRITICAL, not hidden for an hour', () => {
    expect(without(details(deferred(20 * MIN, 60 * MIN)), 'xen1')).toEqual([expect.stringMatching(/^CRITICAL: app1: not running anywhere, its start deferred on xen1 for 20 min/)]);
  });

  it('a domU away 2 min, its record on a Dom0 an hour behind, is a WARNING, not CRITICAL', () => {
    expect(without(details(away(2 * MIN, -60 * MIN)), 'xen2')).toEqual([expect.stringMatching(/^WARNING: web1 runs on xen2, not on its home xen1, which is online: for 2 min since it left xen1/)]);
  });

  it('a domU away 3 h, its record on a Dom0 4 h ahead, is CRITICAL', () => {
    expect(without(details(away(180 * MIN, 240 * MIN)), 'xen2')).toEqual([expect.stringMatching(/^CRITICAL: web1 runs on xen2, not on its home xen1, which is online: for 3 h/)]);
  });

  it('a Dom0 clock more than a minute off is a WARNING of its own', () => {
    expect(details(deferred(0, -60 * MIN))).toContain("WARNING: xen1: its clock is 60 min behind the controller's: set its time right (NTP); the times its agent records are read corrected meanwhile");
    expect(details([host('xen1', {}, 30_000), host('xen2')])).toEqual([]);
  });
});

describe("the controller learns an agent's clock from its messages", () => {
  it("`where` says when a domU arrived on the controller's clock, and a clock agreeing within 2 s counts as agreeing", async () => {
    const b = coreBed();
    const ahead = 60 * MIN;
    const pair = memoryLinkPair({ name: 'xen2', clock: b.clock });
    b.core.acceptAgent(pair.controller, { host: 'xen2' });
    // the agent's clock: an hour ahead of the controller's (the bed's clock)
    const agent = new FakeAgent(pair.agent, 'xen2', () => b.clock.now() + ahead);
    agent.hello();
    agent.snapshot(hostState({ domains: [dom('web1')], ledger: { seq: 1, away: {}, visitors: { web1: { home: 'xen1', since: iso(b.clock.now() + ahead - 2 * MIN), operationId: 'op-1' } } } }));
    await b.clock.advance(0);
    const w = b.core.where('web1');
    expect(w.ok && w.value.matches[0]?.visitor?.since).toBe(iso(b.clock.now() - 2 * MIN));
    expect(b.core.hosts().hosts[0]).toMatchObject({ host: 'xen2', reachable: true });

    const near = b.connect('xen3');
    near.agent.hello();
    near.agent.snapshot(hostState({ domains: [dom('web3')], ledger: { seq: 1, away: {}, visitors: { web3: { home: 'xen4', since: '2024-05-01T13:58:00.000Z', operationId: 'op-2' } } } }));
    await b.clock.advance(0);
    const w3 = b.core.where('web3');
    expect(w3.ok && w3.value.matches[0]?.visitor?.since).toBe('2024-05-01T13:58:00.000Z');
  });
});

describe("the alerts' words read an agent's recorded times on the controller's clock", () => {
  const ahead = 60 * MIN;
  it('migration-unsettled: the migration is at the time the controller saw, not an hour in the future', () => {
    const u = { peer: 'xen2', since: iso(NOW - 5 * MIN + ahead), operationId: 'op-7', operation: 'migrate' as const, message: 'the migration of its domU ended unknown' };
    const lines = details([host('xen1', { ledger: { seq: 1, away: {}, visitors: {}, unsettled: { web1: u } } }, ahead), host('xen2', { domains: [dom('web1')] })]);
    expect(lines.find((l) => l.includes('migration-unsettled'))).toContain(`(operation op-7, at ${iso(NOW - 5 * MIN)})`);
  });

  it("ledger-away-not-there: since when the home's ledger sends it there, on the controller's clock", () => {
    const lines = details([
      host('xen1', { homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { web1: { home: 'xen1', currentHost: 'xen2', since: iso(NOW - 10 * MIN + ahead), operationId: 'op-1', reason: 'drain' } }, visitors: {} } }, ahead),
      host('xen2'),
    ]);
    expect(lines.find((l) => l.includes('web1'))).toContain(`the ledger of xen1 says web1 is on xen2 since ${iso(NOW - 10 * MIN)} (drain)`);
  });
});
