import { describe, expect, it } from 'vitest';
import { ranked } from '../../../controller/fleet/check-summary.js';
import { drbdNotUpToDate } from '../../../controller/fleet/drbd-degraded.js';
import { noteCopies } from '../../../controller/fleet/copy-since.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { utcMinuteText } from '../../../shared/text/utc-time.js';
import { dom, guarded, hostState, primary, record } from '../states.js';

const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const problems = (records: HostRecord[]) => drbdNotUpToDate(mergeFleet(records, fresh).index, fresh).map((p) => [p.subject, p.short, p.text]);

// db1 runs on xen1 on r2, guarded on both Dom0s of the pair xen1/xen2
const cut = (peer: string, connection = 'Connecting'): LinkDrbdResource => ({ ...primary('r2', peer), peers: [{ name: peer, role: 'Unknown', connection, disk: 'DUnknown', replication: null }] });
const config = { name: 'db1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2'] }] };
const xen1 = (res: LinkDrbdResource, lastSeen = NOW, linkUp = true) => record('xen1', hostState({ domains: [dom('db1')], guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [res] } }), lastSeen, linkUp);
const xen2 = (res: LinkDrbdResource, lastSeen = NOW, linkUp = true) => record('xen2', hostState({ guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [{ ...res, role: 'Secondary' }] } }), lastSeen, linkUp);

describe("check's DRBD problems name the domU and the peer Dom0, and count one link once", () => {
  it('a link both Dom0s report cut is one problem naming db1 and both ends', () => {
    expect(problems([xen1(cut('xen2')), xen2(cut('xen1'))])).toEqual([
      [
        'r2 between xen1 and xen2',
        'DRBD r2 (db1) not connected between xen1 and xen2',
        'DRBD r2 (db1) between xen1 and xen2: on xen1 peer xen2 not connected (Connecting); on xen2 peer xen1 not connected (Connecting): replication is down; both Dom0s are up and report it, so look at the network between them and at r2 on each: drbdadm status r2 on both',
      ],
    ]);
  });

  it('DRBD 8.4 (its peer called "peer"): the peer Dom0 is the other host its .res file names, so the link is still one', () => {
    expect(problems([xen1(cut('peer', 'WFConnection')), xen2(cut('peer', 'WFConnection'))]).map((p) => p[1])).toEqual(['DRBD r2 (db1) not connected between xen1 and xen2']);
  });

  it('the peer Dom0 dead: the one end heard names the domU and the peer, unreachable, and how long', () => {
    expect(problems([xen1(cut('xen2')), xen2(primary('r2', 'xen1', 'Secondary', 'Primary'), NOW - 40_000, false)])).toEqual([
      [
        'r2 on xen1',
        'DRBD r2 (db1) not connected on xen1',
        'DRBD r2 (db1) on xen1: peer xen2 not connected (Connecting): replication is down, waiting for its peer Dom0 xen2 (unreachable, last heard 40 s ago): see to xen2 first (is it up?), then to r2 there and the network between them: drbdadm status r2 on both',
      ],
    ]);
  });

  it('a split brain (StandAlone on both ends) is one link too, with the split-brain hint', () => {
    expect(problems([xen1(cut('xen2', 'StandAlone')), xen2(cut('xen1', 'StandAlone'))]).map((p) => p[2])).toEqual([
      'DRBD r2 (db1) between xen1 and xen2: on xen1 peer xen2 not connected (StandAlone); on xen2 peer xen1 not connected (StandAlone): nothing replicates; after a split brain, see "DRBD split brain" in the README',
    ]);
  });

  it('a peer Dom0 not heard from since the controller started says so and since when, not "last heard never"', () => {
    const f = { ...fresh, startedAt: NOW - 30_000 };
    const unheard = { ...xen2(primary('r2', 'xen1')), state: null, lastSeen: null, linkUp: false };
    const [p] = drbdNotUpToDate(mergeFleet([xen1(cut('xen2')), unheard], f).index, f);
    expect(p?.text).toBe(
      'DRBD r2 (db1) on xen1: peer xen2 not connected (Connecting): replication is down, waiting for its peer Dom0 xen2 (unreachable, not heard from since the controller started 30 s ago): see to xen2 first (is it up?), then to r2 there and the network between them: drbdadm status r2 on both',
    );
    expect([p?.rank, p?.waitsFor]).toEqual([2, 'xen2']);
  });

  it('a peer Dom0 up and reporting that does not see the link cut: a real break, ranked first, asking after the resource there, not whether the Dom0 is up', () => {
    const [p] = drbdNotUpToDate(mergeFleet([xen1(cut('xen2')), xen2(primary('r3', 'xen3'))], fresh).index, fresh);
    expect(p?.text).toBe('DRBD r2 (db1) on xen1: peer xen2 not connected (Connecting): replication is down while its peer Dom0 xen2 is up and reporting: is r2 up there, and the network between them? drbdadm status r2 on both');
    expect([p?.rank, p?.waitsFor]).toEqual([undefined, undefined]);
  });

  it('a peer no report names (DRBD 8.4, no .res host): ranked between a real break and a wait for an unheard Dom0', () => {
    const alone = record('xen1', hostState({ drbd: { availability: 'ok', resources: [cut('peer', 'WFConnection')] } }), NOW);
    const [p] = drbdNotUpToDate(mergeFleet([alone], fresh).index, fresh);
    expect(p?.text).toContain("replication is down; look at the peer's Dom0 (is it up, is r2 up there?)");
    expect([p?.rank, p?.waitsFor]).toEqual([1, undefined]);
  });

  it('a StandAlone end whose peer is dead is no wait: a person must act on it whatever comes back', () => {
    const [p] = drbdNotUpToDate(mergeFleet([xen1(cut('xen2', 'StandAlone')), xen2(primary('r2', 'xen1', 'Secondary'), NOW - 40_000, false)], fresh).index, fresh);
    expect([p?.text.endsWith('see "DRBD split brain" in the README'), p?.rank, p?.waitsFor]).toEqual([true, undefined, undefined]);
  });

  it('a StandAlone line says what the controller knows of each side: xen2 made Secondary while cut says when it was Primary', () => {
    const MIN = 60_000;
    const xen2At = (r: HostRecord, ms: number, res: LinkDrbdResource): HostRecord => noteCopies({ ...r, state: hostState({ guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [res] } }) }, ms);
    // db1 started by hand on xen2 while cut, then xen2 made Secondary (the runbook's first step), and xen2 went silent
    const secondary: LinkDrbdResource = { ...cut('xen1', 'StandAlone'), role: 'Secondary' };
    const seen = xen2At(record('xen2', null), NOW - 60 * MIN, secondary);
    const promoted = xen2At(seen, NOW - 30 * MIN, cut('xen1', 'StandAlone'));
    const silent = { ...xen2At(promoted, NOW - 10 * MIN, secondary), lastSeen: NOW - 40_000, linkUp: false };
    const xen1Now = noteCopies(xen1(cut('xen2', 'StandAlone')), NOW - 60 * MIN);
    const [p] = drbdNotUpToDate(mergeFleet([xen1Now, silent], fresh).index, fresh);
    const t = (ms: number): string => utcMinuteText(NOW - ms);
    expect(p?.text).toBe(
      `DRBD r2 (db1) on xen1: peer xen2 not connected (StandAlone): nothing replicates; after a split brain, see "DRBD split brain" in the README; each side: xen1: runs db1 since ${t(60 * MIN)} or earlier, r2 Primary since ${t(60 * MIN)} or earlier; xen2: r2 Primary from ${t(30 * MIN)} to ${t(10 * MIN)} while cut ("or earlier": so already when this controller first heard of that Dom0)`,
    );
    // nothing known of either side: the line as it was
    expect(drbdNotUpToDate(mergeFleet([xen1(cut('xen2', 'StandAlone')), { ...xen2(cut('xen1', 'StandAlone')), lastSeen: NOW - 40_000, linkUp: false }], fresh).index, fresh)[0]?.text.endsWith('in the README')).toBe(true);
  });

  it('ranked: a link cut between two Dom0s heard from comes before those waiting for dead Dom0s, which come together per Dom0, whatever their names', () => {
    const res = (name: string, peer: string): LinkDrbdResource => ({ ...cut(peer), name });
    const dead = (host: string) => record(host, hostState(), NOW - 60_000, false);
    const records = [
      record('xen3', hostState({ drbd: { availability: 'ok', resources: [res('r1', 'xen9'), res('r4', 'xen8'), res('r7', 'xen9')] } }), NOW),
      record('xen4', hostState({ drbd: { availability: 'ok', resources: [res('r2', 'xen8'), res('r9', 'xen5')] } }), NOW),
      record('xen5', hostState({ drbd: { availability: 'ok', resources: [res('r9', 'xen4')] } }), NOW),
      dead('xen8'),
      dead('xen9'),
    ];
    expect(ranked(drbdNotUpToDate(mergeFleet(records, fresh).index, fresh)).map((p) => [p.subject, p.waitsFor ?? null])).toEqual([
      ['r9 between xen4 and xen5', null],
      ['r2 on xen4', 'xen8'],
      ['r4 on xen3', 'xen8'],
      ['r1 on xen3', 'xen9'],
      ['r7 on xen3', 'xen9'],
    ]);
  });

  it('a disk DRBD detached under a running domU names the Dom0, the resource, the domU, the move to the peer, then the attach and the runbook (DRBD 9 and 8.4)', () => {
    for (const [peerName, disk] of [['xen2', 'Diskless'], ['peer', 'Failed']] as const) {
      const detached: LinkDrbdResource = { ...primary('r2', peerName), disk };
      const seenByPeer: LinkDrbdResource = { ...primary('r2', peerName === 'peer' ? 'peer' : 'xen1', 'Secondary', 'Primary'), peers: [{ name: peerName === 'peer' ? 'peer' : 'xen1', role: 'Primary', connection: 'Connected', disk, replication: 'Established' }] };
      const [p] = drbdNotUpToDate(mergeFleet([xen1(detached), xen2(seenByPeer)], fresh).index, fresh).filter((x) => x.subject === 'r2 on xen1');
      expect([p?.status, p?.text]).toEqual([
        'WARNING',
        `DRBD r2 (db1) on xen1: disk ${disk}: DRBD detached xen1's disk of r2; db1 runs on xen1 on xen2's disk over the network, the only copy: move it off (\`xenherdctl migrate db1 xen2\`, or \`xenherdctl drain xen1\`), then replace the disk if it failed and \`drbdadm attach r2\` on xen1 (README, section "A failed disk under DRBD")`,
      ]);
    }
  });

  it("the peer of a detached disk (its own disk UpToDate) names the failed disk, the domU running over the network on this Dom0's disk, and that this end must stay (DRBD 9 and 8.4)", () => {
    for (const [peerName, disk] of [['xen2', 'Diskless'], ['peer', 'Failed']] as const) {
      const detached: LinkDrbdResource = { ...primary('r2', peerName), disk };
      const seenByPeer: LinkDrbdResource = { ...primary('r2', peerName === 'peer' ? 'peer' : 'xen1', 'Secondary', 'Primary'), peers: [{ name: peerName === 'peer' ? 'peer' : 'xen1', role: 'Primary', connection: 'Connected', disk, replication: 'Established' }] };
      const [p] = drbdNotUpToDate(mergeFleet([xen1(detached), xen2(seenByPeer)], fresh).index, fresh).filter((x) => x.subject === 'r2 on xen2');
      const peer = peerName === 'peer' ? 'the peer' : 'peer xen1';
      expect([p?.status, p?.text]).toEqual([
        'WARNING',
        `DRBD r2 (db1) on xen2: ${peer} ${disk}: xen1's disk of r2 failed or was detached, so xen2 holds the only copy; db1 runs on xen1 over the network on xen2's disk: do not disconnect, demote or take down r2 on xen2; the repair is on xen1 (README, section "A failed disk under DRBD")`,
      ]);
    }
  });

  it('a detached disk under a standby replica (nothing runs there) asks for the attach alone; with the peer not UpToDate, no move is offered', () => {
    const standby = record('xen2', hostState({ guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [{ ...primary('r2', 'xen1', 'Secondary', 'Primary'), disk: 'Diskless' }] } }), NOW);
    const [p] = drbdNotUpToDate(mergeFleet([xen1(primary('r2', 'xen2')), standby], fresh).index, fresh).filter((x) => x.subject === 'r2 on xen2');
    expect(p?.text).toBe('DRBD r2 (db1) on xen2: disk Diskless: DRBD detached xen2\'s disk of r2, so xen2 holds no copy: replace the disk if it failed and `drbdadm attach r2` on xen2 (README, section "A failed disk under DRBD")');
    const [q] = drbdNotUpToDate(mergeFleet([xen1({ ...primary('r2', 'xen2'), disk: 'Diskless', peers: [{ name: 'xen2', role: 'Secondary', connection: 'Connected', disk: 'Outdated', replication: 'Established' }] })], fresh).index, fresh);
    expect(q?.text).toBe('DRBD r2 (db1) on xen1: disk Diskless, peer xen2 Outdated: DRBD detached xen1\'s disk of r2 and db1 runs on xen1 on no disk UpToDate: replace the disk if it failed and `drbdadm attach r2` on xen1 (README, section "A failed disk under DRBD")');
  });
});
