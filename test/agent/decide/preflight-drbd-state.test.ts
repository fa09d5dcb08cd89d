import { describe, expect, it } from 'vitest';
import { judge, notReadyForLiveMigration, refusalOf, type PreflightFacts } from '../../../agent/decide/preflight.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';
import type { XhError } from '../../../shared/errors.js';

// A live migration lets the target's block-drbd promote its replica whatever the link says
// (allow-two-primaries): only a pair Connected with both disks UpToDate keeps the domU on current
// data. Anything else refuses, naming the resource, the state seen and the fix.

type Peer = DrbdResourceView['peers'][number];
const peer = (over: Partial<Peer> = {}): Peer => ({ name: 'peer', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established', syncedPercent: null, ...over });
const view = (over: Partial<DrbdResourceView> = {}, peers: Peer[] = [peer()]): DrbdResourceView => ({
  name: 'r1',
  up: true,
  role: 'Primary',
  peerRole: peers[0]?.role ?? null,
  connection: peers[0]?.connection ?? null,
  disk: 'UpToDate',
  peerDisk: peers[0]?.disk ?? null,
  peers,
  ...over,
});
const down: Partial<Peer> = { role: 'Unknown', disk: 'DUnknown', replication: null };

const facts = (seen: DrbdResourceView | XhError | undefined): PreflightFacts => ({
  name: 'web1',
  here: undefined,
  resourceHosts: new Map([['r1', { hosts: ['xen1', 'xen2'], file: '/etc/drbd.d/r1.res' }]]),
  keys: new Map(),
  sshd: new Map(),
  status: new Map(),
  drbd: { host: 'xen1', resources: seen === undefined ? new Map() : new Map([['r1', seen]]) },
});
const replicas = { check: 'replicas', target: 'xen2', resources: ['r1'] } as const;

describe('preflight: a live migration needs each DRBD resource Connected UpToDate/UpToDate', () => {
  it('passes Connected UpToDate/UpToDate (8.4 names its peer "peer"; terse DRBD 9 status prints no connection word)', () => {
    expect(judge(replicas, facts(view())).ok).toBe(true);
    expect(judge(replicas, facts(view({}, [peer({ name: 'xen2', connection: null, replication: null })]))).ok).toBe(true);
    // an online verify keeps both disks UpToDate
    expect(notReadyForLiveMigration('xen1', 'xen2', view({}, [peer({ replication: 'VerifyS' })]), 'source')).toBeNull();
  });

  it('refuses a split brain (StandAlone) with the resource, the state and the fix, XH_ERR_REFUSED', () => {
    const v = judge(replicas, facts(view({}, [peer({ connection: 'StandAlone', ...down })])));
    expect([v.ok, v.code]).toEqual([false, 'XH_ERR_REFUSED']);
    expect(v.detail).toBe('r1 on xen1 is StandAlone (disk UpToDate, peer DUnknown): reconnect it (`drbdadm connect r1` on both, resolving a split brain first) and wait for UpToDate/UpToDate before migrating');
    expect(refusalOf([v])).toEqual({ code: 'XH_ERR_REFUSED', message: `preflight: ${v.detail}; nothing was moved` });
  });

  for (const connection of ['NetworkFailure', 'Unconnected'] as const) {
    it(`refuses a cut link (${connection})`, () => {
      const v = judge(replicas, facts(view({}, [peer({ connection, ...down })])));
      expect([v.ok, v.code]).toEqual([false, 'XH_ERR_REFUSED']);
      expect(v.detail).toBe(`r1 on xen1 is ${connection} (disk UpToDate, peer DUnknown): its link to xen2 is down; restore it (\`drbdadm connect r1\` wherever it is StandAlone, resolving a split brain first) and wait for UpToDate/UpToDate before migrating`);
    });
  }

  // 8.4's one peer ("peer"): drbd-utils' Connecting is worded WFConnection, as 8.4's /proc/drbd says it
  for (const connection of ['WFConnection', 'Connecting'] as const) {
    it(`refuses a link DRBD is still trying to make (${connection}), pointing at the other end and the network`, () => {
      const v = judge(replicas, facts(view({}, [peer({ connection, ...down })])));
      expect([v.ok, v.code]).toEqual([false, 'XH_ERR_REFUSED']);
      expect(v.detail).toBe(`r1 on xen1 is WFConnection (disk UpToDate, peer DUnknown): DRBD is trying to reach xen2: check the network between them and that xen2 is up and has r1 up (\`drbdadm status r1\` there), then wait for UpToDate/UpToDate before migrating`);
    });
  }

  it('refuses a resync in progress, either way (DRBD 9 replication word, 8.4 cstate)', () => {
    const source = judge(replicas, facts(view({}, [peer({ disk: 'Inconsistent', replication: 'SyncSource', syncedPercent: 42.5 })])));
    expect([source.ok, source.code]).toEqual([false, 'XH_ERR_REFUSED']);
    expect(source.detail).toBe('r1 on xen1 is SyncSource (disk UpToDate, peer Inconsistent): its disks are not in step yet (a resync or catch-up is under way, 42.5% done); wait for UpToDate/UpToDate before migrating (`drbdadm status r1`)');
    const target = notReadyForLiveMigration('xen1', 'xen2', view({ disk: 'Inconsistent' }, [peer({ connection: 'SyncTarget', replication: null })]), 'source');
    expect(target).toBe('r1 on xen1 is SyncTarget (disk Inconsistent, peer UpToDate): its disks are not in step yet (a resync or catch-up is under way); wait for UpToDate/UpToDate before migrating (`drbdadm status r1`)');
    expect(notReadyForLiveMigration('xen1', 'xen2', view({}, [peer({ replication: 'PausedSyncS', disk: 'Inconsistent' })]), 'source')).toMatch(/^r1 on xen1 is PausedSyncS /);
    expect(notReadyForLiveMigration('xen1', 'xen2', view({}, [peer({ replication: 'Ahead', disk: 'Outdated' })]), 'source')).toMatch(/^r1 on xen1 is Ahead /);
  });

  for (const [what, v, seen] of [
    ['a peer disk Outdated', view({}, [peer({ disk: 'Outdated' })]), '(disk UpToDate, peer Outdated)'],
    ['a local disk Inconsistent', view({ disk: 'Inconsistent' }), '(disk Inconsistent, peer UpToDate)'],
    ['a peer disk DUnknown', view({}, [peer({ disk: 'DUnknown' })]), '(disk UpToDate, peer DUnknown)'],
  ] as const) {
    it(`refuses Connected with ${what}`, () => {
      const j = judge(replicas, facts(v));
      expect([j.ok, j.code]).toEqual([false, 'XH_ERR_REFUSED']);
      expect(j.detail).toBe(`r1 on xen1 is Connected ${seen}: both disks must be UpToDate; wait for UpToDate/UpToDate before migrating (\`drbdadm status r1\` shows why not)`);
    });
  }

  it('passes a local disk DRBD detached (Diskless, Failed) with the target UpToDate: leaving is the way off it; refuses the target Diskless', () => {
    expect(judge(replicas, facts(view({ disk: 'Diskless' })))).toMatchObject({ ok: true, detail: "xen2 holds a replica of r1, Connected, xen2's disk UpToDate (r1 Diskless here: leaving is the way off it)" });
    expect(judge(replicas, facts(view({ disk: 'Failed' }))).ok).toBe(true);
    const to = judge(replicas, facts(view({}, [peer({ disk: 'Diskless' })])));
    expect([to.ok, to.code]).toEqual([false, 'XH_ERR_REFUSED']);
    expect(to.detail).toMatch(/^r1 on xen1 is Connected \(disk UpToDate, peer Diskless\): xen2's disk of r1 is Diskless, .*`drbdadm attach r1` on xen2/);
  });

  it('DRBD 9 with several peers: judges the connection to the target, and names the peer', () => {
    const ok = view({}, [peer({ name: 'xen3', connection: 'StandAlone', ...down }), peer({ name: 'xen2' })]);
    expect(notReadyForLiveMigration('xen1', 'xen2', ok, 'source')).toBeNull();
    const bad = view({}, [peer({ name: 'xen3' }), peer({ name: 'xen2', connection: 'Connecting', ...down })]);
    expect(notReadyForLiveMigration('xen1', 'xen2', bad, 'source')).toMatch(/^r1 on xen1 is Connecting \(disk UpToDate, peer xen2 DUnknown\): /);
    expect(notReadyForLiveMigration('xen1', 'xen4', bad, 'source')).toBe('r1 on xen1 has no connection to xen4 (its peers: xen3, xen2; disk UpToDate): connect it (`drbdadm connect r1`) and wait for UpToDate/UpToDate before migrating');
  });

  it('DRBD 9 whose kernel lists one connection, to another host of the .res file (the target\'s deleted or never adjusted): refused as no connection to the target, naming drbdadm adjust; the lone one is not the target\'s', () => {
    const three = (seen: DrbdResourceView): PreflightFacts => ({ ...facts(seen), resourceHosts: new Map([['r1', { hosts: ['xen1', 'xen2', 'xen3', 'tb'], file: '/etc/drbd.d/r1.res' }]]) });
    const adjust = '(`drbdadm adjust r1` adds the connection its .res file names)';
    // only a third data node connected: its UpToDate says nothing of xen2, which gets none of xen1's writes
    const toXen3 = judge(replicas, three(view({}, [peer({ name: 'xen3' })])));
    expect([toXen3.ok, toXen3.code]).toEqual([false, 'XH_ERR_REFUSED']);
    expect(toXen3.detail).toBe(`r1 on xen1 has no connection to xen2 (its peers: xen3; disk UpToDate): connect it ${adjust} and wait for UpToDate/UpToDate before migrating`);
    // only the diskless tiebreaker connected: xen2 is no DRBD client, tb is
    const toTb = judge(replicas, three(view({}, [peer({ name: 'tb', disk: 'Diskless', client: true })])));
    expect(toTb.detail).toBe(`r1 on xen1 has no connection to xen2 (its peers: tb; disk UpToDate): connect it ${adjust} and wait for UpToDate/UpToDate before migrating`);
    // the lone connection of 8.4 ("peer") still stands for the target; a DRBD 9 one named otherwise does not (below)
    expect(judge(replicas, three(view())).ok).toBe(true);
  });

  it("the kernel's names decide, not the .res file: a lone connection named after no host of it stands for no target", () => {
    // a `connection c-xen1-xen2 { … }` section's name (drbd-utils before 9.22): which host it reaches is not in the kernel's words
    const three = (seen: DrbdResourceView): PreflightFacts => ({ ...facts(seen), resourceHosts: new Map([['r1', { hosts: ['xen1', 'xen2', 'xen3', 'tb'], file: '/etc/drbd.d/r1.res' }]]) });
    const section = judge(replicas, three(view({}, [peer({ name: 'c-xen1-xen2' })])));
    expect([section.ok, section.code]).toEqual([false, 'XH_ERR_REFUSED']);
    expect(section.detail).toBe(
      'r1 on xen1 has no connection to xen2 (its peers: c-xen1-xen2; disk UpToDate; c-xen1-xen2 is named after no host of its .res file, and only a connection named xen2 is taken for one reaching it): ' +
        'connect it (`drbdadm adjust r1` adds the connection its .res file names) and wait for UpToDate/UpToDate before migrating',
    );
    // xen3 taken out of r1.res without `drbdadm adjust`, xen2's connection deleted: the kernel still
    // replicates to xen3 alone, and the stale file no longer names it; xen2 would get none of xen1's writes
    const stale = judge(replicas, { ...facts(view({}, [peer({ name: 'xen3' })])), resourceHosts: new Map([['r1', { hosts: ['xen1', 'xen2'], file: '/etc/drbd.d/r1.res' }]]) });
    expect([stale.ok, stale.code]).toEqual([false, 'XH_ERR_REFUSED']);
    expect(stale.detail).toContain('r1 on xen1 has no connection to xen2 (its peers: xen3;');
  });

  it('refuses a resource that is down, and one whose status lists no connection (8.4 StandAlone, as the lab prints a split brain)', () => {
    expect(notReadyForLiveMigration('xen1', 'xen2', view({ up: false, role: null, disk: null }, []), 'source')).toBe('r1 on xen1 is not up: bring it up (`drbdadm up r1`), connect it and wait for UpToDate/UpToDate before migrating');
    expect(notReadyForLiveMigration('xen1', 'xen2', view({}, []), 'source')).toBe('r1 on xen1 is StandAlone (disk UpToDate, peer DUnknown): reconnect it (`drbdadm connect r1` on both, resolving a split brain first) and wait for UpToDate/UpToDate before migrating');
  });

  it('a state not read, or not readable, refuses too: unknown is never "in sync"', () => {
    const missing = judge(replicas, facts(undefined));
    expect([missing.ok, missing.code]).toEqual([false, 'XH_ERR_REFUSED']);
    expect(missing.detail).toMatch(/^the DRBD state of r1 here was not read/);
    const failed = judge(replicas, facts({ code: 'XH_ERR_TOOL_TIMEOUT', message: 'drbdadm status r1: timed out after 10 s' }));
    expect([failed.ok, failed.code]).toEqual([false, 'XH_ERR_TOOL_TIMEOUT']);
    expect(failed.detail).toBe('cannot read the DRBD state of r1 here (drbdadm status r1: timed out after 10 s): a live migration needs it Connected UpToDate/UpToDate');
  });

  it('a domU without DRBD disks needs no DRBD state', () => {
    expect(judge({ check: 'replicas', target: 'xen2', resources: [] }, facts(undefined)).ok).toBe(true);
  });
});
