import { describe, expect, it } from 'vitest';
import { mayClearUp } from '../../../controller/plan/leftover-text.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRestore } from '../../../controller/plan/restore.js';
import { startHomeVerdict } from '../../../controller/plan/start-home.js';
import { factsOf, type DomuSpec, type FleetSpec, type HostSpec } from './plan-fleet.js';

// A domU of xen1 whose away host xen2 lost power while it was there: xen2 is back, runs nothing
// of it and (by default) kept no record of it; its disk replicates between xen1 and xen2, and
// only xen1 guards it (xen2 holds its config in the config dir, as a DRBD peer does).
const lost: DomuSpec = { name: 'lost', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 2048, on: null, awayAt: 'xen2', visitorRecord: false, peerConfig: 'config-dir' };
const fleet = (hosts: Record<string, HostSpec> = {}, d: Partial<DomuSpec> = {}, more: DomuSpec[] = []): FleetSpec => ({
  hosts: { xen1: { maintenance: 'restoring' }, xen2: {}, xen3: {}, ...hosts },
  domus: [{ ...lost, ...d }, ...more],
});
const verdict = (spec: FleetSpec) => {
  const f = factsOf(spec);
  return startHomeVerdict(f, 'xen1', f.domu('lost') ?? (null as never));
};

describe('startHomeVerdict: a domU recorded away that runs nowhere', () => {
  it('is started at home when the fresh view proves it runs nowhere and its away host holds no record of it', () => {
    expect(verdict(fleet())).toEqual({ start: true, from: 'xen2' });
    const p = planRestore(factsOf(fleet()), 'xen1', DEFAULT_POLICY);
    expect(p.sets.flat()).toEqual([{ name: 'lost', from: 'xen2', to: 'xen1', memMiB: 2048, vcpus: 1, why: 'start-home' }]);
    expect(p.leftovers).toEqual([]);
  });

  it('waits while the away host, or any host holding its disks, is unreachable, stale or says its view is behind', () => {
    for (const [hs, why] of [[{ reachable: false }, 'unreachable'], [{ view: 'behind' }, 'behind'], [{ view: 'unknown' }, 'behind']] as const) {
      const v = verdict(fleet({ xen2: hs }));
      expect(v).toMatchObject({ start: false, host: 'xen2', blocker: { kind: 'source-unavailable', host: 'xen2', why } });
      const p = planRestore(factsOf(fleet({ xen2: hs })), 'xen1', DEFAULT_POLICY);
      expect(p.sets.flat()).toEqual([]);
      expect(p.leftovers.every(mayClearUp)).toBe(true);
    }
  });

  it('names a Dom0 gone from the fleet (died, then revoked) as such, not as one that has not reported, and the agent command that starts it at home', () => {
    const spec: FleetSpec = { hosts: { xen1: { maintenance: 'restoring' }, xen3: {} }, domus: [lost] };
    expect(verdict(spec)).toMatchObject({ start: false, host: 'xen2', blocker: { kind: 'source-unavailable', host: 'xen2', why: 'not-in-fleet' } });
    const p = planRestore(factsOf(spec), 'xen1', DEFAULT_POLICY);
    expect(p.sets.flat()).toEqual([]);
    expect(p.leftovers.map((l) => l.message)).toEqual([
      "lost: xen2 is not in this controller's fleet (revoked or never enrolled), so what it runs is unknown to this controller; if xen2 is gone, `xenherd-agent autostart start --force lost --reason TEXT` on lost's home starts it there",
    ]);
    // it reports again only once a person enrolls it: the restore does not wait for it
    expect(p.leftovers.some(mayClearUp)).toBe(false);
  });

  it('leaves a half of an ambiguous ending (a migration row anywhere) to a person: not "nowhere", never started', () => {
    const spec = fleet({}, { on: 'xen2', migration: 'incoming' });
    expect(verdict(spec).start).toBe(false);
    expect(planRestore(factsOf(spec), 'xen1', DEFAULT_POLICY).sets.flat()).toEqual([]);
  });

  it('never starts one whose migration a ledger keeps as unsettled: an ALARM, whichever host keeps the record', () => {
    for (const at of ['xen1', 'xen2']) {
      const v = verdict(fleet({}, { unsettled: [{ at, peer: at === 'xen1' ? 'xen2' : 'xen1' }] }));
      expect(v).toMatchObject({ start: false, host: null, blocker: { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: expect.stringContaining(`then run xenherd-agent reconcile lost on ${at}`) } });
    }
  });

  it('does not race the autostart of a host holding a visitor record of it (or it in its guarded dir) while that host is online', () => {
    expect(verdict(fleet({}, { visitorRecord: true }))).toMatchObject({ start: false, blocker: { kind: 'runs-nowhere' } });
    expect(verdict(fleet({}, { peerConfig: 'guarded' }))).toMatchObject({ start: false, blocker: { kind: 'runs-nowhere' } });
    expect(verdict(fleet({ xen2: { maintenance: 'restoring' } }, { visitorRecord: true })).start).toBe(false);
  });

  it('starts it at home when the host holding its visitor record is cordoned (draining or maintenance: its autostart starts nothing)', () => {
    expect(verdict(fleet({ xen2: { maintenance: 'draining' } }, { visitorRecord: true }))).toEqual({ start: true, from: 'xen2' });
    expect(verdict(fleet({ xen2: { maintenance: 'maintenance' } }, { visitorRecord: true }))).toEqual({ start: true, from: 'xen2' });
  });

  it('is left to a person when the home cannot start it: no config there, or an agent without start', () => {
    expect(verdict(fleet({ xen1: { maintenance: 'restoring', capabilities: ['migrate', 'maintenance'] } })).start).toBe(false);
  });

  it('counts its memory on the home like a returning domU: no room, a no-memory leftover', () => {
    const p = planRestore(factsOf(fleet({ xen1: { maintenance: 'restoring', totalMiB: 2048 } })), 'xen1', DEFAULT_POLICY);
    expect(p.sets.flat()).toEqual([]);
    expect(p.leftovers.map((l) => l.blocker.kind)).toEqual(['no-memory']);
  });

  // The restore's own start of it in flight: the home has not reported it running yet, so no host
  // shows a row of it and its away record still stands. The overlay (the move, its memory already
  // counted on the home) alone says it is mid-migration. The executor would not launch the start
  // twice, but a plan that lists it again counts its memory twice and sends a visitor away.
  it('is not planned again while its start at home is in flight, nor its memory counted twice on the home', () => {
    const overlay = new Map([['lost', { from: 'xen2', to: 'xen1', memMiB: 2048, phase: 'moving' as const }]]);
    const guest: DomuSpec = { name: 'guest', home: 'xen3', replicas: ['xen1', 'xen3'], memMiB: 2048, on: 'xen1' };
    const back: DomuSpec = { name: 'back', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 3072, on: 'xen2' };
    // xen1: 8192 less guest's 2048 and lost's 2048 on the way leaves 4096: back's 3072 and the 1024 reserve
    const spec = fleet({ xen1: { maintenance: 'restoring', totalMiB: 8192 } }, {}, [guest, back]);
    const f = factsOf(spec, overlay);
    expect(f.domu('lost')).toMatchObject({ hosts: [], midMigration: true });
    expect(startHomeVerdict(f, 'xen1', f.domu('lost') ?? (null as never))).toEqual({ start: false, host: null, blocker: { kind: 'mid-migration' } });
    const p = planRestore(f, 'xen1', DEFAULT_POLICY);
    expect(p.sets.flat().map((m) => `${m.name}:${m.why}`)).toEqual(['back:home']);
    expect(p.leftovers.map((l) => `${l.name}:${l.blocker.kind}`)).toEqual(['lost:mid-migration']);
  });
});
