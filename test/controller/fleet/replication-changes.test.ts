import { describe, expect, it } from 'vitest';
import { replicationChanges, replicationView, type LinkStates, type ReplicationView } from '../../../controller/fleet/replication-changes.js';
import type { HostState, LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, primary } from '../states.js';

// What the controller's journal says of a running domU's DRBD link: the change between two views
// of the Dom0 running it (web1 on xen1, r1 with xen2), worked out from its reports. Pure.

/** r1 as xen1 reports it, its peer in CONNECTION (null: not printed) */
const r1 = (connection: string | null, peer = 'xen2'): LinkDrbdResource => {
  const p = primary('r1', peer);
  return { ...p, peers: p.peers.map((x) => ({ ...x, connection, replication: connection === 'Connected' ? 'Established' : 'Off' })) };
};
const web1Config = { name: 'web1', source: 'guarded' as const, memMiB: 1024, vcpus: 1, resources: [{ name: 'r1', hosts: ['xen1', 'xen2'] }] };
/** xen1's report: web1 running (or not), r1 in CONNECTION */
const xen1 = (connection: string | null, o: { running?: boolean; peer?: string; domains?: HostState['domains'] } = {}): ReplicationView =>
  replicationView(
    'xen1',
    hostState({
      domains: o.domains ?? (o.running === false ? [] : [dom('web1')]),
      guarded: [guarded('web1', ['r1'])],
      domus: [web1Config],
      drbd: { availability: 'ok', resources: [r1(connection, o.peer)] },
    }),
  );

/** the changes along VIEWS, each judged against the one before as the controller keeps it */
function along(...views: ReplicationView[]): string[] {
  let before: LinkStates | undefined;
  const out: string[] = [];
  for (const v of views) {
    const r = replicationChanges(before, v);
    before = r.states;
    out.push(...r.changes.map((c) => `${c.kind} ${c.link.resource} ${c.link.domus.join(',')} ${c.link.host}->${c.link.peer ?? '?'} ${c.from}->${c.to}`));
  }
  return out;
}

describe('replication changes of a running domU', () => {
  it('connected, cut: lost once, however many reports say so; connected again: back once', () => {
    expect(along(xen1('Connected'), xen1('Connecting'), xen1('Connecting'), xen1('StandAlone'), xen1('Connected'), xen1('Connected'))).toEqual([
      'lost r1 web1 xen1->xen2 Connected->Connecting',
      'back r1 web1 xen1->xen2 StandAlone->Connected',
    ]);
  });

  it('first sight is no change: down already, or connected', () => {
    expect(along(xen1('Connecting'))).toEqual([]);
    expect(along(xen1('Connected'))).toEqual([]);
  });

  it('seen down at first sight, then connected: back', () => {
    expect(along(xen1('Connecting'), xen1('Connected'))).toEqual(['back r1 web1 xen1->xen2 Connecting->Connected']);
  });

  it('a state not printed keeps the one before: through it, one change', () => {
    expect(along(xen1('Connected'), xen1(null), xen1('Connecting'))).toEqual(['lost r1 web1 xen1->xen2 Connected->Connecting']);
    expect(along(xen1(null), xen1('Connecting'))).toEqual([]);
  });

  it('web1 not running here: not in the view; starting beside a cut link is first sight', () => {
    expect(xen1('Connecting', { running: false }).size).toBe(0);
    expect(along(xen1('Connected', { running: false }), xen1('Connecting'), xen1('Connected'))).toEqual(['back r1 web1 xen1->xen2 Connecting->Connected']);
    expect(along(xen1('Connected'), xen1('Connecting', { running: false }), xen1('Connecting'))).toEqual([]);
  });

  it("a migration's halves are not the domU running: an incoming row is no user of r1", () => {
    expect(xen1('Connecting', { domains: [dom('web1', { migration: 'incoming' })] }).size).toBe(0);
    expect(xen1('Connecting', { domains: [dom('web1', { state: 'dying' })] }).size).toBe(0);
  });

  it("DRBD 8.4's peer, \"peer\": the Dom0 at the other end is the one other host r1's .res names", () => {
    expect(along(xen1('Connected', { peer: 'peer' }), xen1('WFConnection', { peer: 'peer' }))).toEqual(['lost r1 web1 xen1->xen2 Connected->WFConnection']);
  });

  it('a resource not up, or StandAlone with no peer listed (8.4), is not connected', () => {
    const down = replicationView('xen1', hostState({ domains: [dom('web1')], guarded: [guarded('web1', ['r1'])], domus: [web1Config], drbd: { availability: 'ok', resources: [{ name: 'r1', role: null, disk: null, peers: [] }] } }));
    const alone = replicationView('xen1', hostState({ domains: [dom('web1')], guarded: [guarded('web1', ['r1'])], domus: [web1Config], drbd: { availability: 'ok', resources: [{ name: 'r1', role: 'Primary', disk: 'UpToDate', peers: [] }] } }));
    expect(along(xen1('Connected'), down)).toEqual(['lost r1 web1 xen1->xen2 Connected->not up']);
    expect(along(xen1('Connected'), alone)).toEqual(['lost r1 web1 xen1->xen2 Connected->StandAlone']);
  });
});
