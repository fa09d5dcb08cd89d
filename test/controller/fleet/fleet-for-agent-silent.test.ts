import { describe, expect, it } from 'vitest';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { newHostRecord } from '../../../controller/fleet/host-record.js';
import { startupGraceMs } from '../../../controller/fleet/enrolment.js';
import { fleetFor } from '../../../controller/fleet/fleet-for-agent.js';
import { FLEET_SILENT_MAX, FleetSchema, LINK_FEATURE } from '../../../shared/protocol/agent-link.js';
import { dom, guarded, hostState, record } from '../states.js';

// The `fleet` view keeps a silent host's rows (it may still run the domU) and, to an agent that
// takes it, says how long the controller has not heard from that host; an older agent, whose strict
// schema refuses a field it does not know, gets the message it always got.
const NOW = 10_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };

function index(xen3Caps: readonly string[]): FleetIndex {
  const ix = new FleetIndex();
  ix.put(record('xen1', hostState({ domains: [dom('web1')] }), NOW - 2_000));
  // powered off 4 min ago: the link closed, the last report kept
  ix.put(record('xen2', hostState({ domains: [dom('mail1')] }), NOW - 240_000, false));
  ix.put({ ...record('xen3', hostState({ guarded: [guarded('mail1'), guarded('web1'), guarded('db1')] }), NOW - 1_000), capabilities: xen3Caps });
  return ix;
}

describe('fleetFor: the controller view an agent gets', () => {
  it('names the hosts it no longer hears from, with how long, to an agent announcing fleet-silent', () => {
    const m = fleetFor(index(['fleet-view', LINK_FEATURE.fleetSilent]), 'xen3', fresh);
    expect(m).toEqual({ type: 'fleet', at: NOW, runningOn: { db1: [], mail1: ['xen2'], web1: ['xen1'] }, silent: { xen2: 240_000 } });
    expect(FleetSchema.parse(m)).toEqual(m);
  });

  it('leaves the field out for an older agent, and when every host named is heard from', () => {
    const old = fleetFor(index(['fleet-view']), 'xen3', fresh);
    expect(Object.keys(old).sort()).toEqual(['at', 'runningOn', 'type']);
    const ix = index(['fleet-view', LINK_FEATURE.fleetSilent]);
    ix.put(record('xen2', hostState({ domains: [dom('mail1')] }), NOW - 1_000));
    expect(Object.keys(fleetFor(ix, 'xen3', fresh)).sort()).toEqual(['at', 'runningOn', 'type']);
  });

  it('an agent parses a view with and without the field (an older controller never sends it)', () => {
    expect(FleetSchema.safeParse({ type: 'fleet', at: NOW, runningOn: { mail1: ['xen2'] } }).success).toBe(true);
    expect(FleetSchema.safeParse({ type: 'fleet', at: NOW, runningOn: { mail1: ['xen2'] }, silent: { xen2: -1 } }).success).toBe(false);
  });

  it('names at most as many silent hosts as an agent accepts: more would close its link', () => {
    const ix = new FleetIndex();
    const hosts = Array.from({ length: FLEET_SILENT_MAX + 6 }, (_, i) => `xen${String(100 + i)}`);
    for (const [i, h] of hosts.entries()) ix.put(record(h, hostState({ domains: [dom(`vm${i}`)] }), NOW - 240_000, false));
    ix.put({ ...record('xen9', hostState({ guarded: hosts.map((_, i) => guarded(`vm${i}`)) }), NOW - 1_000), capabilities: ['fleet-view', LINK_FEATURE.fleetSilent] });
    const m = fleetFor(ix, 'xen9', fresh);
    expect(Object.keys(m.silent ?? {})).toEqual(hosts.slice(0, FLEET_SILENT_MAX));
    expect(FleetSchema.safeParse(m).success).toBe(true);
  });

  it("names an enrolled host not heard from since the controller started, where the agent's ledger sends a domU, once the start-up grace is over", () => {
    const ix = new FleetIndex();
    const away = { web1: { home: 'xen3', currentHost: 'xen2', since: '2025-01-01T00:00:00.000Z', operationId: 'drain-1', reason: 'drain' as const } };
    ix.put({ ...record('xen3', hostState({ guarded: [guarded('web1')], ledger: { seq: 1, away, visitors: {} } }), NOW - 1_000), capabilities: ['fleet-view', LINK_FEATURE.fleetSilent] });
    // xen2: a placeholder (enrolled, never heard from); xen7: neither enrolled nor named
    ix.put(newHostRecord('xen2'));
    ix.put(newHostRecord('xen7'));
    const enrolment = (startedAt: number) => ({ startedAt, hosts: new Set(['xen2', 'xen3', 'xen7']), unreported: new Set(['xen2', 'xen7']), forgotten: new Map<string, number | null>() });
    const grace = startupGraceMs(fresh.staleAfterMs, 3);
    expect(fleetFor(ix, 'xen3', fresh, enrolment(NOW - grace)).silent).toEqual({ xen2: grace });
    // within the start-up grace its agent may still be waiting to try again: not called silent
    expect(fleetFor(ix, 'xen3', fresh, enrolment(NOW - grace + 1)).silent).toBeUndefined();
    // without the enrolled hosts, a host never heard from has no age to tell
    expect(fleetFor(ix, 'xen3', fresh).silent).toBeUndefined();
  });

  it('names a host the controller forgot (revoked while its link was down), since it last heard from it: the home may then --force past its away record', () => {
    const ix = new FleetIndex();
    const away = { web3: { home: 'xen1', currentHost: 'xen2', since: '2025-01-01T00:00:00.000Z', operationId: 'drain-1', reason: 'drain' as const } };
    ix.put({ ...record('xen1', hostState({ guarded: [guarded('web3')], ledger: { seq: 1, away, visitors: {} } }), NOW - 1_000), capabilities: ['fleet-view', LINK_FEATURE.fleetSilent] });
    // xen2 has no record: forgotten 4 min after the controller started, last heard 5 min ago
    const enrolment = (forgotten: ReadonlyMap<string, number | null>, startedAt = NOW - 600_000) => ({ startedAt, hosts: new Set(['xen1']), unreported: new Set<string>(), forgotten });
    expect(fleetFor(ix, 'xen1', fresh, enrolment(new Map([['xen2', NOW - 300_000]]))).silent).toEqual({ xen2: 300_000 });
    // forgotten without ever being heard (a placeholder revoked): silent since the controller started
    expect(fleetFor(ix, 'xen1', fresh, enrolment(new Map([['xen2', null]]))).silent).toEqual({ xen2: 600_000 });
    // revoked before this controller started (it never knew xen2): silent since it started, once the grace is over
    expect(fleetFor(ix, 'xen1', fresh, enrolment(new Map())).silent).toEqual({ xen2: 600_000 });
    expect(fleetFor(ix, 'xen1', fresh, enrolment(new Map(), NOW - 5_000)).silent).toBeUndefined();
    // enrolled again (a new token): not forgotten, not silent until its placeholder's grace is over
    expect(fleetFor(ix, 'xen1', fresh, { ...enrolment(new Map([['xen2', NOW - 300_000]])), hosts: new Set(['xen1', 'xen2']) }).silent).toBeUndefined();
  });

  it('still names at most FLEET_SILENT_MAX hosts when forgotten ones are among them', () => {
    const hosts = Array.from({ length: FLEET_SILENT_MAX + 3 }, (_, i) => `xen${String(100 + i)}`);
    const awayRecs = Object.fromEntries(hosts.map((h, i) => [`vm${i}`, { home: 'xen9', currentHost: h, since: '2025-01-01T00:00:00.000Z', operationId: 'drain-1', reason: 'drain' as const }]));
    const ix = new FleetIndex();
    ix.put({ ...record('xen9', hostState({ ledger: { seq: 1, away: awayRecs, visitors: {} } }), NOW - 1_000), capabilities: ['fleet-view', LINK_FEATURE.fleetSilent] });
    const forgotten = new Map(hosts.map((h) => [h, NOW - 60_000] as const));
    const m = fleetFor(ix, 'xen9', fresh, { startedAt: NOW - 600_000, hosts: new Set(['xen9']), unreported: new Set(), forgotten });
    expect(Object.keys(m.silent ?? {})).toEqual(hosts.slice(0, FLEET_SILENT_MAX));
    expect(FleetSchema.safeParse(m).success).toBe(true);
  });
});
