import { describe, expect, it } from 'vitest';
import { drbdNotReady, notReadyForLiveMigration, readinessOfLink, type DrbdReadinessPeer, type DrbdReadinessView } from '../../shared/drbd-readiness.js';
import { notReadyForLiveMigration as agentsJudgement } from '../../agent/decide/preflight.js';
import type { DrbdResourceView } from '../../shared/inventory.js';
import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';

// One judgement for the agent's preflight and the controller's plans: every state a DRBD pair can be
// in, from both views the two sides hold (the agent's typed view, the link's open words).

const WAIT = 'wait for UpToDate/UpToDate before migrating';
const RECONNECT = `reconnect it (\`drbdadm connect r1\` on both, resolving a split brain first) and ${WAIT}`;
const LINK_DOWN = `its link to xen2 is down; restore it (\`drbdadm connect r1\` wherever it is StandAlone, resolving a split brain first) and ${WAIT}`;
const TRYING = `DRBD is trying to reach xen2: check the network between them and that xen2 is up and has r1 up (\`drbdadm status r1\` there), then ${WAIT}`;

const peer = (over: Partial<DrbdReadinessPeer> = {}): DrbdReadinessPeer => ({ name: 'peer', connection: 'Connected', disk: 'UpToDate', replication: 'Established', syncedPercent: null, ...over });
const view = (over: Partial<DrbdReadinessView> = {}, peers: DrbdReadinessPeer[] = [peer()]): DrbdReadinessView => ({ name: 'r1', up: true, disk: 'UpToDate', peers, ...over });
const judge = (v: DrbdReadinessView, target = 'xen2'): string | null => notReadyForLiveMigration('xen1', target, v, 'source');
const cut = { disk: 'DUnknown', replication: null } as const;

describe('notReadyForLiveMigration (shared by the agent and the controller)', () => {
  it('Connected UpToDate/UpToDate is ready (8.4 "peer", terse DRBD 9 without a connection word, an online verify)', () => {
    expect(judge(view())).toBeNull();
    expect(judge(view({}, [peer({ name: 'xen2', connection: null, replication: null })]))).toBeNull();
    expect(judge(view({}, [peer({ replication: 'VerifyT' })]))).toBeNull();
  });

  it('StandAlone with no peers listed (8.4 split brain), and a StandAlone connection', () => {
    expect(judge(view({}, []))).toBe(`r1 on xen1 is StandAlone (disk UpToDate, peer DUnknown): ${RECONNECT}`);
    expect(judge(view({}, [peer({ connection: 'StandAlone', ...cut })]))).toBe(`r1 on xen1 is StandAlone (disk UpToDate, peer DUnknown): ${RECONNECT}`);
  });

  for (const connection of ['Unconnected', 'NetworkFailure', 'BrokenPipe']) {
    it(`${connection}: the link is down`, () => {
      expect(judge(view({}, [peer({ connection, ...cut })]))).toBe(`r1 on xen1 is ${connection} (disk UpToDate, peer DUnknown): ${LINK_DOWN}`);
    });
  }

  it('WFConnection / Connecting: DRBD keeps trying, so the fix is at the other end or on the wire, not `drbdadm connect` here', () => {
    expect(judge(view({}, [peer({ connection: 'WFConnection', ...cut })]))).toBe(`r1 on xen1 is WFConnection (disk UpToDate, peer DUnknown): ${TRYING}`);
    // DRBD 9: the peer is named, and Connecting is what all its tools say
    expect(judge(view({}, [peer({ name: 'xen2', connection: 'Connecting', ...cut })]))).toBe(`r1 on xen1 is Connecting (disk UpToDate, peer DUnknown): ${TRYING}`);
    // 8.4 (its one peer is "peer"): status says Connecting, but its operator knows it from cstate and /proc/drbd as WFConnection
    const as84 = judge(view({}, [peer({ connection: 'Connecting', ...cut })]));
    expect(as84).toBe(`r1 on xen1 is WFConnection (disk UpToDate, peer DUnknown): ${TRYING}`);
    expect(drbdNotReady('xen1', 'xen2', view({}, [peer({ connection: 'Connecting', ...cut })]), 'source')?.state).toBe('WFConnection');
  });

  it('SyncSource / SyncTarget, with the percentage when known (8.4 cstate, DRBD 9 replication)', () => {
    expect(judge(view({}, [peer({ disk: 'Inconsistent', replication: 'SyncSource', syncedPercent: 42.5 })]))).toBe(
      `r1 on xen1 is SyncSource (disk UpToDate, peer Inconsistent): its disks are not in step yet (a resync or catch-up is under way, 42.5% done); ${WAIT} (\`drbdadm status r1\`)`,
    );
    expect(judge(view({ disk: 'Inconsistent' }, [peer({ connection: 'SyncTarget', replication: null })]))).toBe(
      `r1 on xen1 is SyncTarget (disk Inconsistent, peer UpToDate): its disks are not in step yet (a resync or catch-up is under way); ${WAIT} (\`drbdadm status r1\`)`,
    );
  });

  for (const [what, v, seen] of [
    ['Inconsistent here', view({ disk: 'Inconsistent' }), 'disk Inconsistent, peer UpToDate'],
    ['Outdated at the peer', view({}, [peer({ disk: 'Outdated' })]), 'disk UpToDate, peer Outdated'],
    ['DUnknown at the peer', view({}, [peer({ disk: 'DUnknown' })]), 'disk UpToDate, peer DUnknown'],
  ] as const) {
    it(`Connected with a disk ${what}`, () => {
      expect(judge(v)).toBe(`r1 on xen1 is Connected (${seen}): both disks must be UpToDate; ${WAIT} (\`drbdadm status r1\` shows why not)`);
    });
  }

  it('not up', () => {
    expect(judge(view({ up: false, disk: null }, []))).toBe(`r1 on xen1 is not up: bring it up (\`drbdadm up r1\`), connect it and ${WAIT}`);
  });

  it('DRBD 9 with two peers: the connection to the other host of the move decides, and the peer is named', () => {
    const v = view({}, [peer({ name: 'xen3', connection: 'StandAlone', ...cut }), peer({ name: 'xen2' })]);
    expect(judge(v, 'xen2')).toBeNull();
    expect(judge(v, 'xen3')).toBe(`r1 on xen1 is StandAlone (disk UpToDate, peer xen3 DUnknown): ${RECONNECT}`);
    expect(judge(v, 'xen4')).toBe(`r1 on xen1 has no connection to xen4 (its peers: xen3, xen2; disk UpToDate): connect it (\`drbdadm connect r1\`) and ${WAIT}`);
  });

  it('a word no DRBD the agent knows prints (the link keeps words open) is never ready', () => {
    expect(judge(view({}, [peer({ replication: 'Frobnicating' })]))).toMatch(/^r1 on xen1 is Frobnicating .*not in step yet/);
  });

  it("the link's report reads as the agent's view: not up without a role, no percentage carried", () => {
    const link = (over: Partial<LinkDrbdResource>): LinkDrbdResource => ({ name: 'r1', role: 'Secondary', disk: 'UpToDate', peers: [{ name: 'peer', role: 'Primary', connection: 'Connected', disk: 'UpToDate', replication: 'Established' }], ...over });
    expect(judge(readinessOfLink(link({})))).toBeNull();
    expect(judge(readinessOfLink(link({ role: null, disk: null, peers: [] })))).toMatch(/^r1 on xen1 is not up/);
    expect(judge(readinessOfLink(link({ peers: [] })))).toBe(`r1 on xen1 is StandAlone (disk UpToDate, peer DUnknown): ${RECONNECT}`);
    expect(judge(readinessOfLink(link({ peers: [{ name: 'peer', role: 'Unknown', connection: 'WFConnection', disk: 'DUnknown', replication: null }] })))).toBe(`r1 on xen1 is WFConnection (disk UpToDate, peer DUnknown): ${TRYING}`);
  });

  it('says which states DRBD leaves by itself (waited for) and which need a person', () => {
    const of = (v: DrbdReadinessView, target = 'xen2') => {
      const n = drbdNotReady('xen1', target, v, 'source');
      return n === null ? null : [n.state, n.clearsUp];
    };
    expect(of(view())).toBeNull();
    expect(of(view({}, []))).toEqual(['StandAlone', false]);
    expect(of(view({}, [peer({ connection: 'StandAlone', ...cut })]))).toEqual(['StandAlone', false]);
    expect(of(view({ up: false, disk: null }, []))).toEqual(['down', false]);
    expect(of(view({}, [peer({ name: 'xen3' }), peer({ name: 'xen4' })]))).toEqual(['no connection', false]);
    expect(of(view({}, [peer({ connection: 'WFConnection', ...cut })]))).toEqual(['WFConnection', true]);
    expect(of(view({}, [peer({ connection: 'Connecting', ...cut })]))).toEqual(['WFConnection', true]);
    expect(of(view({}, [peer({ name: 'xen2', connection: 'Connecting', ...cut })]))).toEqual(['Connecting', true]);
    expect(of(view({}, [peer({ disk: 'Inconsistent', replication: 'SyncSource', syncedPercent: 3 })]))).toEqual(['SyncSource', true]);
    expect(of(view({ disk: 'Inconsistent' }, [peer({ connection: 'SyncTarget', replication: null })]))).toEqual(['SyncTarget', true]);
    expect(of(view({}, [peer({ disk: 'Outdated' })]))).toEqual(['Connected', true]);
    // leaving a Dom0 whose disk DRBD detached is the way off it; going to one needs its disk attached by a person
    expect(of(view({ disk: 'Diskless' }))).toBeNull();
    expect(of(view({}, [peer({ disk: 'Diskless' })]))).toEqual(['Connected', false]);
    expect(drbdNotReady('xen1', 'xen2', view({}, []), 'source')?.text).toBe(notReadyForLiveMigration('xen1', 'xen2', view({}, []), 'source'));
  });

  it("the agent's preflight uses this very judgement, on its own typed view", () => {
    expect(agentsJudgement).toBe(notReadyForLiveMigration);
    const agentView: DrbdResourceView = { name: 'r1', up: true, role: 'Primary', peerRole: 'Unknown', connection: 'StandAlone', disk: 'UpToDate', peerDisk: 'DUnknown', peers: [{ name: 'peer', role: 'Unknown', connection: 'StandAlone', disk: 'DUnknown', replication: null, syncedPercent: null }] };
    expect(agentsJudgement('xen1', 'xen2', agentView, 'source')).toBe(`r1 on xen1 is StandAlone (disk UpToDate, peer DUnknown): ${RECONNECT}`);
  });
});
