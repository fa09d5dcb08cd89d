import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { alertProblems } from '../../../controller/fleet/check-conditions.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { routeCommand } from '../../../controller/fleet/route.js';
import type { HostState, LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { dom, hostState, primary, record } from '../states.js';

// db1 runs on xen2, its disks on r3, which /etc/drbd.d/r3.res puts on xen1 and xen2. A migration
// half of db1 on xen3, which holds no config of db1 and not r3, is no migration of db1: said at
// once, not after the stranded-half bounds.
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = (hosts: string[]) => ({ name: 'db1', source: 'guarded' as const, memMiB: 2048, vcpus: 2, resources: [{ name: 'r3', hosts }] });
const xen2 = (parts: Partial<HostState> = {}, lastSeen = NOW - 500, linkUp = true): HostRecord =>
  record('xen2', hostState({ domains: [dom('db1', { domid: 5 })], domus: [config(['xen1', 'xen2'])], drbd: { availability: 'ok', resources: [primary('r3', 'xen1')] }, ...parts }), lastSeen, linkUp);
/** xen3 reporting db1's half of KIND, stood FORMS by the controller's clock, with PARTS of its state. */
function xen3(kind: 'migratedaway' | 'incoming', forMs: number, parts: Partial<HostState> = {}): HostRecord {
  const row = `db1--${kind}`;
  const since = { [row]: { domid: 40, since: NOW - forMs } };
  const r = record('xen3', hostState({ domains: [dom('db1', { migration: kind, domid: 40 })], ...parts }), NOW - 500);
  return kind === 'migratedaway' ? { ...r, halvesSince: since } : { ...r, incomingSince: since };
}
const found = (records: HostRecord[]) => mergeFleet(records, fresh).findings.map((f) => [f.kind, f.subject, f.hosts]);

describe('a migration half on a host that cannot hold the domU\'s disks', () => {
  it("a sender's half: flagged at once, and once only past the stranded bound", () => {
    const m = mergeFleet([xen2(), xen3('migratedaway', 1_000)], fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['migration-stranded', 'db1@xen3', ['xen2', 'xen3']]]);
    expect(m.findings[0]?.message).toBe(
      "db1--migratedaway stands on xen3, which holds no config of db1 and no replica of its disks (r3 is on xen1 and xen2, as xen2's config of db1 says): no migration of db1 runs from or into xen3, yet every move of db1 waits on that row. Nothing is started, destroyed or recorded for you: check xen3 by hand (xl list; xenherd-agent status db1 there), and its agent",
    );
    expect(found([xen2(), xen3('migratedaway', 90_000)])).toEqual([['migration-stranded', 'db1@xen3', ['xen2', 'xen3']]]);
    // check's short line names the row as xen3 reports it: a sender's half, not a receiving one
    expect(alertProblems(m.findings.map((f) => ({ ...f, since: NOW })), m.index, fresh).map((p) => p.short)).toEqual(['db1: db1--migratedaway stands on xen3, no migration explains it']);
  });

  it('a receiving half: flagged at once, and once only past 35 min', () => {
    expect(found([xen2(), xen3('incoming', 1_000)])).toEqual([['migration-stranded', 'db1@xen3', ['xen2', 'xen3']]]);
    const late = mergeFleet([xen2(), xen3('incoming', 36 * 60_000)], fresh).findings;
    expect(late.map((f) => f.message.slice(0, 40))).toEqual(['db1--incoming stands on xen3, which hold']);
  });

  it('not on a host that holds a config of it or the resource, or that the resource names: a migration may run there', () => {
    expect(found([xen2(), xen3('incoming', 1_000, { domus: [config(['xen1', 'xen2'])] })])).toEqual([]);
    expect(found([xen2(), xen3('incoming', 1_000, { drbd: { availability: 'ok', resources: [primary('r3', 'xen2', 'Secondary', 'Primary')] } })])).toEqual([]);
    expect(found([xen2({ domus: [config(['xen2', 'xen3'])] }), xen3('incoming', 1_000)])).toEqual([]);
  });

  it("a guarded entry or a resource named r3 that pairs with neither xen1 nor xen2 is that agent's word alone: still flagged at once", () => {
    const guardedHere = { guarded: [{ name: 'db1', decision: 'defer' as const, reason: 'peer-unknown', detail: '', since: '2024-05-01T14:02:00.000Z', drbdResources: ['r3'] }] };
    expect(found([xen2(), xen3('incoming', 1_000, guardedHere)])).toEqual([['migration-stranded', 'db1@xen3', ['xen2', 'xen3']]]);
    expect(found([xen2(), xen3('incoming', 1_000, { ...guardedHere, drbd: { availability: 'ok', resources: [primary('r3', 'xen8', 'Secondary')] } })])).toEqual([['migration-stranded', 'db1@xen3', ['xen2', 'xen3']]]);
    // xen2 naming xen3 as r3's peer pairs it, its own DRBD view unreadable or not
    const r3ToBoth = { ...primary('r3', 'xen1'), peers: [...primary('r3', 'xen1').peers, ...primary('r3', 'xen3').peers] };
    expect(found([xen2({ drbd: { availability: 'ok', resources: [r3ToBoth] } }), xen3('incoming', 1_000, { drbd: { availability: 'unknown', resources: [] } })])).toEqual([]);
  });

  it('not on the word of a config whose hosts do not name its own Dom0 (other names in the .res file), of a silent host, or of none', () => {
    expect(found([xen2({ domus: [config(['xen1.example.org', 'xen2.example.org'])] }), xen3('incoming', 1_000)])).toEqual([]);
    expect(found([xen2({}, NOW - 60_000, false), xen3('incoming', 1_000)]).filter(([k]) => k === 'migration-stranded')).toEqual([]);
    expect(found([xen2({ domus: [] }), xen3('incoming', 1_000)])).toEqual([]);
    // a domU on shared storage (no DRBD resource) may run anywhere
    expect(found([xen2({ domus: [{ ...config([]), resources: [] }] }), xen3('incoming', 1_000)])).toEqual([]);
  });

  it('a migrate refused on it says the half is no migration of it, and where it stands', () => {
    const m = mergeFleet([xen2(), xen3('migratedaway', 5_000), record('xen1', hostState(), NOW - 500)], fresh);
    const r = routeCommand(m.index, { op: 'migrate', name: 'db1', target: 'xen1' }, fresh);
    expect(r.ok ? '' : r.error.message).toBe(
      "db1 shows a migration half no migration explains any more (db1 on xen2, db1--migratedaway on xen3 for 5 s): db1--migratedaway stands on xen3, which holds no replica of db1's disks (r3 is on xen1 and xen2, as xen2's config says): no migration of db1 runs there, so waiting will not end it; nothing was sent. Check xen3 by hand (xenherd-agent status db1 there; xl list): xenherdctl status says what the fleet shows of it (migration-stranded)",
    );
  });
});
