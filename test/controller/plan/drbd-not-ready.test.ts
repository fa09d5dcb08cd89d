import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB_SETTINGS } from '../../../controller/jobs/settings.js';
import { planDrain } from '../../../controller/plan/drain.js';
import { mayClearUp } from '../../../controller/plan/leftover-text.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRebalance } from '../../../controller/plan/rebalance.js';
import { planRestore } from '../../../controller/plan/restore.js';
import { planRoll } from '../../../controller/plan/roll.js';
import { LeftoverSchema, PlanSchema } from '../../../shared/protocol/ctl-jobs.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { factsOf, NOW, type FleetSpec } from './plan-fleet.js';

// A plan lists only the moves the agent's preflight would let through: every DRBD resource of the
// domU Connected UpToDate/UpToDate between the two hosts, as either of them reports it.

const P = DEFAULT_POLICY;
const flat = (p: { sets: { name: string; from: string; to: string }[][] }) => p.sets.flat().map((m) => `${m.name}:${m.from}>${m.to}`);
const WAIT = 'wait for UpToDate/UpToDate before migrating';

type Peer = LinkDrbdResource['peers'][number];
const peer = (name: string, over: Partial<Peer> = {}): Peer => ({ name, role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established', ...over });
const res = (name: string, peers: Peer[], over: Partial<LinkDrbdResource> = {}): LinkDrbdResource => ({ name, role: 'Primary', disk: 'UpToDate', peers, ...over });
const inStep = (name: string, other = 'peer'): LinkDrbdResource => res(name, [peer(other)]);
/** 8.4 after a split brain: no connection listed */
const splitBrain = (name: string): LinkDrbdResource => res(name, []);
const cut = (name: string, connection: string, other = 'peer'): LinkDrbdResource => res(name, [peer(other, { role: 'Unknown', connection, disk: 'DUnknown', replication: null })]);

const pair = (db1: LinkDrbdResource[], db2: LinkDrbdResource[] = []): FleetSpec => ({
  hosts: { db1: { drbd: db1 }, db2: { drbd: db2 } },
  domus: [{ name: 'web1', home: 'db1', replicas: ['db1', 'db2'], memMiB: 1024 }],
});

describe('planDrain: a DRBD pair out of step is no target', () => {
  it('a split brain on the source: web1 is a leftover saying the resource, its state and the fix; nothing is planned', () => {
    const p = planDrain(factsOf(pair([splitBrain('r-web1')])), ['db1'], P);
    expect(flat(p)).toEqual([]);
    expect(p.leftovers).toEqual([
      {
        name: 'web1',
        host: 'db1',
        blocker: { kind: 'drbd-not-ready', resource: 'r-web1', host: 'db1', target: 'db2', state: 'StandAlone', clearsUp: false, detail: `r-web1 on db1 is StandAlone (disk UpToDate, peer DUnknown): reconnect it (\`drbdadm connect r-web1\` on both, resolving a split brain first) and ${WAIT}` },
        message: `web1 cannot be moved to db2: DRBD r-web1 on db1 is StandAlone (disk UpToDate, peer DUnknown): reconnect it (\`drbdadm connect r-web1\` on both, resolving a split brain first) and ${WAIT}; then try again (a person must act: see README, section "DRBD split brain")`,
      },
    ]);
    // not waited for: a drain without --allow-partial refuses before it changes anything
    expect(mayClearUp(p.leftovers[0] as (typeof p.leftovers)[number])).toBe(false);
    // the plan is what the API answers: it parses with the schema xenherdctl reads it with
    expect(PlanSchema.safeParse(p).success).toBe(true);
  });

  it('as the target alone reports it (the source guards nothing of it): link down seen from db2', () => {
    const p = planDrain(factsOf(pair([], [cut('r-web1', 'WFConnection')])), ['db1'], P);
    expect(flat(p)).toEqual([]);
    expect(p.leftovers.map((l) => l.blocker)).toEqual([
      { kind: 'drbd-not-ready', resource: 'r-web1', host: 'db2', target: 'db2', state: 'WFConnection', clearsUp: true, detail: `r-web1 on db2 is WFConnection (disk UpToDate, peer DUnknown): DRBD is trying to reach db1: check the network between them and that db1 is up and has r-web1 up (\`drbdadm status r-web1\` there), then ${WAIT}` },
    ]);
  });

  it('a resync, a disk behind: not moved either', () => {
    const sync = planDrain(factsOf(pair([res('r-web1', [peer('peer', { disk: 'Inconsistent', replication: 'SyncSource' })])])), ['db1'], P);
    expect(sync.leftovers[0]?.message).toMatch(/^web1 cannot be moved to db2: DRBD r-web1 on db1 is SyncSource \(disk UpToDate, peer Inconsistent\): its disks are not in step yet/);
    // a dry run tells this wait from a split brain: DRBD gets there, and the job waits (how long: the job settings' own wait)
    expect(sync.leftovers[0]?.message).toMatch(new RegExp(`\\(DRBD gets there by itself: drain and restore wait up to ${DEFAULT_JOB_SETTINGS.transientWaitMs / 60_000} min for it\\)$`));
    // a resync ends by itself: waited for (as after a Dom0's reboot in a roll), not refused
    expect(sync.leftovers.map((l) => [l.blocker.kind === 'drbd-not-ready' && l.blocker.state, mayClearUp(l)])).toEqual([['SyncSource', true]]);
    const outdated = planDrain(factsOf(pair([inStep('r-web1')], [res('r-web1', [peer('peer', { role: 'Primary' })], { role: 'Secondary', disk: 'Outdated' })])), ['db1'], P);
    expect(outdated.leftovers.map((l) => l.blocker.kind)).toEqual(['drbd-not-ready']);
  });

  it('in step on both sides, or reported by nobody (left to the agent\'s preflight): moved as before', () => {
    expect(flat(planDrain(factsOf(pair([inStep('r-web1')], [inStep('r-web1')])), ['db1'], P))).toEqual(['web1:db1>db2']);
    expect(flat(planDrain(factsOf(pair([])), ['db1'], P))).toEqual(['web1:db1>db2']);
    // another resource's split brain on the same host does not hold web1 back
    expect(flat(planDrain(factsOf(pair([inStep('r-web1'), splitBrain('r-other')])), ['db1'], P))).toEqual(['web1:db1>db2']);
  });

  it('a resource not up, a disk gone: a person must act, and the text says so without sending anyone to the split-brain section', () => {
    const down = planDrain(factsOf(pair([res('r-web1', [], { role: null, disk: null })])), ['db1'], P);
    expect(down.leftovers[0]?.message).toMatch(/^web1 cannot be moved to db2: DRBD r-web1 on db1 is not up: .*; then try again \(a person must act: DRBD does not get there by itself\)$/);
    // a drain onto db2, whose disk DRBD detached, would run web1 on db1's disk over the network
    const diskless = planDrain(factsOf(pair([inStep('r-web1')], [res('r-web1', [peer('peer', { role: 'Primary' })], { role: 'Secondary', disk: 'Diskless' })])), ['db1'], P);
    expect(diskless.leftovers.map((l) => [l.blocker.kind === 'drbd-not-ready' && l.blocker.clearsUp, l.message.endsWith('(a person must act: DRBD does not get there by itself)')])).toEqual([[false, true]]);
    expect(diskless.leftovers[0]?.message).toMatch(/db2's disk of r-web1 is Diskless, .*`drbdadm attach r-web1` on db2; README, section "A failed disk under DRBD"/);
  });

  it("a disk DRBD detached under the domU (Diskless, Failed): draining it to its UpToDate peer is the way off it, as either side reports it (8.4, 9)", () => {
    for (const disk of ['Diskless', 'Failed']) {
      const source = [res('r-web1', [peer('peer')], { disk })];
      const target = [res('r-web1', [peer('peer', { role: 'Primary', disk })], { role: 'Secondary' })];
      expect(flat(planDrain(factsOf(pair(source, target)), ['db1'], P))).toEqual(['web1:db1>db2']);
      expect(flat(planDrain(factsOf(pair([], target)), ['db1'], P))).toEqual(['web1:db1>db2']);
      expect(flat(planDrain(factsOf(pair([res('r-web1', [peer('db2')], { disk })], [res('r-web1', [peer('db1', { role: 'Primary', disk })], { role: 'Secondary' })])), ['db1'], P))).toEqual(['web1:db1>db2']);
    }
    // the peer not UpToDate holds no good copy: refused, and not waited for
    const outdated = planDrain(factsOf(pair([res('r-web1', [peer('peer', { disk: 'Outdated' })], { disk: 'Diskless' })])), ['db1'], P);
    expect(outdated.leftovers.map((l) => [l.blocker.kind === 'drbd-not-ready' && l.blocker.clearsUp, l.message.includes('wait')])).toEqual([[false, false]]);
  });

  it('DRBD 9, three replicas: the target whose connection is down is skipped for the other one', () => {
    const spec: FleetSpec = {
      // db2 has the most room, so it would be chosen were its connection up
      hosts: { db1: { drbd: [res('r-web1', [peer('db2', { role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }), peer('db3')])] }, db2: {}, db3: { totalMiB: 8192 } },
      domus: [{ name: 'web1', home: 'db1', replicas: ['db1', 'db2', 'db3'], memMiB: 1024 }],
    };
    const p = planDrain(factsOf(spec), ['db1'], P);
    expect(flat(p)).toEqual(['web1:db1>db3']);
    expect(p.leftovers).toEqual([]);
    // with db3 gone too, DRBD is the reason it stays, not "no target"
    const none = planDrain(factsOf({ ...spec, hosts: { ...spec.hosts, db3: { maintenance: 'maintenance' } } }), ['db1'], P);
    expect(none.leftovers.map((l) => [l.blocker.kind, l.blocker.kind === 'drbd-not-ready' ? l.blocker.target : null])).toEqual([['drbd-not-ready', 'db2']]);
  });

  it("DRBD 9, three replicas, db1's kernel connected to db3 alone (its connection to db2 deleted): db3's UpToDate is not db2's, so db2 is no target", () => {
    const spec: FleetSpec = {
      // db2 has the most room and reports nothing of r-web1: db1's one connection is all there is to judge by
      hosts: { db1: { drbd: [res('r-web1', [peer('db3')])] }, db2: { totalMiB: 16384 }, db3: { maintenance: 'maintenance' } },
      domus: [{ name: 'web1', home: 'db1', replicas: ['db1', 'db2', 'db3'], memMiB: 1024 }],
    };
    const p = planDrain(factsOf(spec), ['db1'], P);
    expect(flat(p)).toEqual([]);
    expect(p.leftovers.map((l) => l.blocker)).toEqual([
      { kind: 'drbd-not-ready', resource: 'r-web1', host: 'db1', target: 'db2', state: 'no connection', clearsUp: false, detail: `r-web1 on db1 has no connection to db2 (its peers: db3; disk UpToDate): connect it (\`drbdadm adjust r-web1\` adds the connection its .res file names) and ${WAIT}` },
    ]);
  });

  it('DRBD is named when it alone keeps the domU off a target with room (the in-step one is full)', () => {
    const spec: FleetSpec = {
      hosts: { db1: { drbd: [res('r-web1', [peer('db2', { connection: 'StandAlone', disk: 'DUnknown', replication: null }), peer('db3')])] }, db2: {}, db3: { totalMiB: 4096, freeMiB: 1024 } },
      domus: [{ name: 'web1', home: 'db1', replicas: ['db1', 'db2', 'db3'], memMiB: 2048 }],
    };
    expect(planDrain(factsOf(spec), ['db1'], P).leftovers.map((l) => l.blocker.kind)).toEqual(['drbd-not-ready']);
  });

  it('roll: a host whose domU cannot leave for DRBD makes the roll refuse, saying so', () => {
    const p = planRoll(factsOf(pair([splitBrain('r-web1')])), ['db1', 'db2'], P);
    expect(p.groups).toEqual([]);
    expect(p.leftovers.map((l) => [l.name, l.blocker.kind])).toEqual([['web1', 'drbd-not-ready']]);
  });
});

describe('planRestore and planRebalance: the way home is a live migration too', () => {
  const away = (db1: LinkDrbdResource[], db2: LinkDrbdResource[]): FleetSpec => ({
    hosts: { db1: { drbd: db1 }, db2: { drbd: db2 } },
    domus: [{ name: 'web1', home: 'db1', replicas: ['db1', 'db2'], memMiB: 1024, on: 'db2' }],
  });

  it('restore leaves web1 away, naming the resync, while its pair is not in step; brings it home once it is', () => {
    const resync = away([res('r-web1', [peer('peer', { role: 'Primary', connection: 'SyncTarget', replication: null })], { role: 'Secondary', disk: 'Inconsistent' })], []);
    const p = planRestore(factsOf(resync), 'db1', P);
    expect(flat(p)).toEqual([]);
    expect(p.leftovers.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([['web1', 'db2', 'drbd-not-ready']]);
    expect(p.leftovers[0]?.message).toMatch(/^web1 cannot be moved to db1: DRBD r-web1 on db1 is SyncTarget \(disk Inconsistent, peer UpToDate\): its disks are not in step yet/);
    expect(flat(planRestore(factsOf(away([inStep('r-web1')], [inStep('r-web1')])), 'db1', P))).toEqual(['web1:db2>db1']);
  });

  it('restore does not send a visitor home over a pair out of step to make room', () => {
    const spec: FleetSpec = {
      hosts: { xen1: { totalMiB: 4096, drbd: [inStep('r-a')] }, xen2: { drbd: [inStep('r-a'), splitBrain('r-v')] }, xen3: {} },
      domus: [
        { name: 'a', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 2048, on: 'xen2' },
        { name: 'v', home: 'xen2', replicas: ['xen1', 'xen2'], memMiB: 2048, on: 'xen1' },
      ],
    };
    const p = planRestore(factsOf(spec), 'xen1', P);
    expect(flat(p)).toEqual([]);
    expect(p.leftovers.map((l) => [l.name, l.blocker.kind])).toEqual([['a', 'no-memory']]);
  });

  it('rebalance does not send web1 home over a split brain, and says why it stays away', () => {
    const p = planRebalance(factsOf(away([], [splitBrain('r-web1')])), P);
    expect(flat(p)).toEqual([]);
    expect(p.leftovers.map((l) => [l.name, l.blocker])).toEqual([
      ['web1', { kind: 'drbd-not-ready', resource: 'r-web1', host: 'db2', target: 'db1', state: 'StandAlone', clearsUp: false, detail: `r-web1 on db2 is StandAlone (disk UpToDate, peer DUnknown): reconnect it (\`drbdadm connect r-web1\` on both, resolving a split brain first) and ${WAIT}` }],
    ]);
    expect(flat(planRebalance(factsOf(away([inStep('r-web1')], [inStep('r-web1')])), P))).toEqual(['web1:db2>db1']);
  });

  it('rebalance names DRBD, not the cooldown, for a domU moved recently whose pair is cut: `reverse` would be refused', () => {
    const recent = (drbd: LinkDrbdResource[]): FleetSpec => ({ ...away([], drbd), domus: [{ name: 'web1', home: 'db1', replicas: ['db1', 'db2'], memMiB: 1024, on: 'db2', since: new Date(NOW - 60_000).toISOString() }] });
    const p = planRebalance(factsOf(recent([cut('r-web1', 'StandAlone')])), P);
    expect(p.leftovers.map((l) => l.blocker.kind)).toEqual(['drbd-not-ready']);
    expect(p.leftovers[0]?.message).not.toMatch(/reverse/);
    // in step: the cooldown is the reason, and its hint holds
    expect(planRebalance(factsOf(recent([inStep('r-web1')])), P).leftovers.map((l) => l.blocker.kind)).toEqual(['cooldown']);
  });

  it('rebalance evens out onto the hosts whose pair is in step only', () => {
    const all = ['xen1', 'xen2', 'xen3'];
    const spec: FleetSpec = {
      hosts: { xen1: { drbd: Array.from({ length: 4 }, (_, i) => res(`r-n${i}`, [peer('xen2', { connection: 'StandAlone', disk: 'DUnknown', replication: null }), peer('xen3')])) }, xen2: {}, xen3: {} },
      domus: Array.from({ length: 4 }, (_, i) => ({ name: `n${i}`, home: 'xen1', replicas: all, memMiB: 4096, noHome: true })),
    };
    const moves = planRebalance(factsOf(spec), P).sets.flat();
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.every((m) => m.to === 'xen3')).toBe(true);
  });
});

describe('the drbd-not-ready blocker on the wire', () => {
  it('is a leftover the schema takes', () => {
    const l = { name: 'web1', host: 'db1', blocker: { kind: 'drbd-not-ready', resource: 'r-web1', host: 'db1', target: 'db2', state: 'StandAlone', clearsUp: false, detail: 'x' }, message: 'web1 …' };
    expect(LeftoverSchema.safeParse(l).success).toBe(true);
  });
});
