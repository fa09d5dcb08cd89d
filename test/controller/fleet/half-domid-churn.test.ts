import { describe, expect, it } from 'vitest';
import { noteHalves, type HostRecord } from '../../../controller/fleet/host-record.js';
import { noteIncoming } from '../../../controller/fleet/incoming-since.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { routeCommand } from '../../../controller/fleet/route.js';
import type { LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { dom, hostState, record } from '../states.js';

// An agent (xen3) reports a migration half of db1, which runs on xen2, and re-lists it under a
// new domid every 5 s: a toolstack re-listing a half, or an enrolled agent forging one. Every move
// of db1 waits on that half, so its standing time must survive the new ids, or no stranded-half
// alert ever fires and the refusal says "wait" for ever.

const T0 = 1_000_000;
const STEP = 5_000;
const freshAt = (now: number) => ({ now, staleAfterMs: 15_000 });

/** R after a report of DOMAINS at AT, noted as the controller core notes every report. */
const report = (r: HostRecord, domains: LinkDomain[], at: number): HostRecord => noteIncoming(noteHalves({ ...r, state: hostState({ domains }), lastSeen: at }, at), at);

/** xen3 after reporting db1's half of KIND from T0 to END, a new domid every STEP. */
function churning(kind: 'migratedaway' | 'incoming', end: number): HostRecord {
  let r = record('xen3', null, T0);
  for (let at = T0, domid = 40; at <= end; at += STEP, domid++) r = report(r, [dom('db1', { migration: kind, domid })], at);
  return r;
}

const xen2At = (now: number): HostRecord => record('xen2', hostState({ domains: [dom('db1', { domid: 5 })] }), now - 500);
const fleetAt = (kind: 'migratedaway' | 'incoming', forMs: number) => {
  const now = T0 + forMs;
  return { now, m: mergeFleet([churning(kind, now), xen2At(now), record('xen1', hostState(), now - 500)], freshAt(now)) };
};
const migrateDb1 = (kind: 'migratedaway' | 'incoming', forMs: number): string => {
  const { now, m } = fleetAt(kind, forMs);
  const r = routeCommand(m.index, { op: 'migrate', name: 'db1', target: 'xen1' }, freshAt(now));
  if (r.ok) throw new Error('routed');
  return r.error.message;
};

describe('a half re-listed under a new domid every few seconds', () => {
  it("a sender's half: its time is kept across the new ids, and the stranded-half alert fires past a minute", () => {
    const r = churning('migratedaway', T0 + 90_000);
    expect(r.halvesSince).toEqual({ 'db1--migratedaway': { domid: 58, since: T0 } });
    const { m } = fleetAt('migratedaway', 90_000);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['migration-stranded', 'db1', ['xen2', 'xen3']]]);
    expect(m.findings[0]?.message).toMatch(/^db1--migratedaway has stood on xen3 for 90 s: /);
  });

  it('a receiving half: its time is kept too, and its stranded alert fires past 35 min', () => {
    const { m } = fleetAt('incoming', 36 * 60_000);
    expect(m.findings.map((f) => [f.kind, f.subject])).toEqual([['migration-stranded', 'db1@xen3']]);
    expect(m.findings[0]?.message).toMatch(/^db1--incoming \(a receiving half\) has stood on xen3 for 36 min/);
  });

  it('a migrate refused on it says where the half stands and for how long; "wait" only while a migration may still run', () => {
    expect(migrateDb1('migratedaway', 20_000)).toBe('db1 is being migrated right now (db1 on xen2, db1--migratedaway on xen3 for 20 s): wait for it to finish');
    const long = migrateDb1('migratedaway', 90_000);
    expect(long).toBe(
      "db1 shows a migration half no migration explains any more (db1 on xen2, db1--migratedaway on xen3 for 90 s): db1--migratedaway has stood on xen3 for 90 s, longer than any migration's final handshake takes (a minute), so waiting will not end it; nothing was sent. Check xen3 by hand (xenherd-agent status db1 there; xl list): xenherdctl status says what the fleet shows of it (migration-stranded)",
    );
    expect(migrateDb1('incoming', 10 * 60_000)).toBe('db1 is being migrated right now (db1 on xen2, db1--incoming on xen3 for 10 min): wait for it to finish');
    expect(migrateDb1('incoming', 36 * 60_000)).toMatch(/^db1 shows a migration half no migration explains any more \(db1 on xen2, db1--incoming on xen3 for 36 min\): db1--incoming has stood on xen3 for 36 min, longer than any migration is let run \(35 min\), so waiting will not end it/);
  });
});
