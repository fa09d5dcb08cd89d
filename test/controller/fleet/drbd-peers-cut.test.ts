import { describe, expect, it } from 'vitest';
import { downWithUnreportedOf } from '../../../controller/fleet/down-with-unreported.js';
import { drbdNotUpToDate } from '../../../controller/fleet/drbd-degraded.js';
import { drbdView } from '../../../controller/fleet/drbd-view.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { checkAt } from './check-bed.js';
import { dom, guarded, hostState, record } from '../states.js';

// r1 has three nodes (DRBD 9), xen1, xen2 and xen3, each holding a disk; web1 runs on xen1, r1
// Primary there. xen1 is gone (powered off: unheard for 95 s), so xen2 and xen3 report it
// Connecting, its role forgotten (events2 `connection:Connecting role:Unknown`). Then xen3 goes
// too (60 s), and xen2 is cut off from both. The reports are written by hand in the link's
// shape, no tool captured.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = { name: 'web1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r1', hosts: ['xen1', 'xen2', 'xen3'] }] };
type Peer = LinkDrbdResource['peers'][number];
const cut = (name: string): Peer => ({ name, role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null });
const linked = (name: string, role: 'Primary' | 'Secondary' = 'Secondary'): Peer => ({ name, role, connection: 'Connected', disk: 'UpToDate', replication: 'Established' });
const r1 = (role: 'Primary' | 'Secondary', ...peers: Peer[]): LinkDrbdResource => ({ name: 'r1', role, disk: 'UpToDate', peers });
const at = (host: string, res: LinkDrbdResource, lastSeen: number, running = false): HostRecord =>
  record(host, hostState({ domains: running ? [dom('web1')] : [], guarded: [guarded('web1', ['r1'])], domus: [config], drbd: { availability: 'ok', resources: [res] } }), lastSeen, lastSeen === NOW);

const xen1Last = at('xen1', r1('Primary', linked('xen2'), linked('xen3')), NOW - 95_000, true);
/** xen1 gone, xen2 and xen3 heard, still connected to each other */
const xen1Gone = [xen1Last, at('xen2', r1('Secondary', cut('xen1'), linked('xen3')), NOW), at('xen3', r1('Secondary', cut('xen1'), linked('xen2')), NOW)];
/** then xen3 gone too: xen2 cut off from both */
const bothGone = [xen1Last, at('xen2', r1('Secondary', cut('xen1'), cut('xen3')), NOW), at('xen3', r1('Secondary', cut('xen1'), linked('xen2')), NOW - 60_000)];

const RUNBOOK = 'README, section "A Dom0 died with its own domUs on it"';
const lost = (heard: string): string => `xen1 held r1 Primary when last heard (web1 ran there) and ${heard}, so no Dom0 heard now writes it: if xen1 is down, web1 is down with it (${RUNBOOK}); promote r1 nowhere while xen1 may be up`;
const check = checkAt(fresh);
const flagsOf = (records: HostRecord[], unreported: string[] = []) => drbdView(mergeFleet(records, fresh).index, fresh, null, unreported)[0]?.flags ?? [];

describe('DRBD 9: a three-node resource whose Primary went with a dead Dom0', () => {
  it('xen2 and xen3 heard, each cut off from xen1 alone: each line waits for xen1 and says web1 is down if xen1 is, as drbd does', () => {
    const answer = check(xen1Gone);
    for (const h of ['xen2', 'xen3']) {
      const line = answer.details.find((d) => d.subject === `r1 on ${h}`);
      expect(line).toMatchObject({ waitsFor: 'xen1', mayBeDown: ['web1'] });
      expect(line?.text).toBe(`DRBD r1 (web1) on ${h}: peer xen1 not connected (Connecting): replication is down, waiting for its peer Dom0 xen1 (unreachable, last heard 95 s ago): see to xen1 first (is it up?), then to r1 there and the network between them: drbdadm status r1 on both; ${lost(`${h} is Secondary`)}`);
    }
    expect(flagsOf(xen1Gone).find((f) => f.kind === 'primary-unheard')?.text).toBe(lost('xen2 and xen3 are Secondary'));
    expect(answer.details.find((d) => d.subject === 'xen1')?.text).toMatch(/; if xen1 is down, web1 is down with it: it held r1 Primary when last heard and xen2 and xen3, heard now, are Secondary and cut off from it; start it elsewhere only once xen1 is surely off/);
  });

  it('xen3 dead too: the line on xen2 names both Dom0s it waits for and xen1 as the one that held r1 Primary, and xen1\'s own line says web1 is down if it is', () => {
    const answer = check(bothGone);
    const line = answer.details.find((d) => d.subject === 'r1 on xen2');
    expect(line).toMatchObject({ waitsFor: 'xen1', mayBeDown: ['web1'] });
    expect(line?.text).toBe(
      'DRBD r1 (web1) on xen2: peer xen1 not connected (Connecting), peer xen3 not connected (Connecting): replication is down, waiting for its peer Dom0s xen1 (unreachable, last heard 95 s ago) and xen3 (unreachable, last heard 60 s ago): ' +
        `see to xen1 and xen3 first (are they up?), then to r1 there and the network between them: drbdadm status r1 on each; ${lost('xen2 is Secondary')}`,
    );
    expect(flagsOf(bothGone).filter((f) => f.kind === 'primary-unheard').map((f) => f.text)).toEqual([lost('xen2 is Secondary')]);
    expect(answer.details.find((d) => d.subject === 'xen1')?.text).toMatch(/; if xen1 is down, web1 is down with it: it held r1 Primary when last heard and xen2, heard now, is Secondary and cut off from it;/);
    // xen3 held r1 Secondary: nothing is down with it alone
    expect(answer.details.find((d) => d.subject === 'xen3')?.text).not.toMatch(/down with it/);
  });

  it('xen2 and xen3 also cut from each other: a real break, ranked first and waiting for no one, that still says xen1 held r1 Primary', () => {
    const split = [xen1Last, at('xen2', r1('Secondary', cut('xen1'), cut('xen3')), NOW), at('xen3', r1('Secondary', cut('xen1'), cut('xen2')), NOW)];
    const answer = check(split);
    const line = answer.details.find((d) => d.subject === 'r1 on xen2');
    expect([line?.waitsFor, line?.mayBeDown]).toEqual([undefined, undefined]);
    // ranked as a link cut between two Dom0s heard from, before lines that only wait
    expect(drbdNotUpToDate(mergeFleet(split, fresh).index, fresh).map((p) => [p.subject, p.rank])).toEqual([
      ['r1 on xen2', undefined],
      ['r1 on xen3', undefined],
    ]);
    expect(line?.text).toBe(
      'DRBD r1 (web1) on xen2: peer xen1 not connected (Connecting), peer xen3 not connected (Connecting): replication is down while its peer Dom0 xen3 is up and reporting: is r1 up there, and the network between them? drbdadm status r1 on each; ' +
        `it waits for Dom0 xen1 (unreachable, last heard 95 s ago) too: see to it (is it up?); ${lost('xen2 is Secondary')}`,
    );
    expect(answer.details.find((d) => d.subject === 'xen1')?.text).toMatch(/; if xen1 is down, web1 is down with it: it held r1 Primary when last heard and xen2 and xen3, heard now, are Secondary and cut off from it;/);
  });

  it('xen3 promoted r1 since (the runbook followed): no line says no Dom0 writes it', () => {
    const promoted = [xen1Last, at('xen2', r1('Secondary', cut('xen1'), linked('xen3', 'Primary')), NOW), at('xen3', r1('Primary', cut('xen1'), linked('xen2')), NOW, true)];
    const answer = check(promoted);
    expect(answer.details.filter((d) => d.kind === 'drbd-degraded').map((d) => [d.subject, d.waitsFor, d.mayBeDown])).toEqual([
      ['r1 on xen2', 'xen1', undefined],
      ['r1 on xen3', 'xen1', undefined],
    ]);
    expect(answer.details.map((d) => d.text).join('\n')).not.toMatch(/down with it/);
  });

  it('xen1 not heard since the controller started, xen3 dead too: the line on xen2 says web1 may be down with xen1, as drbd\'s may-be-down flag does', () => {
    const unreported: HostRecord = { ...record('xen1', null, NOW, false), lastSeen: null };
    const records = [unreported, ...bothGone.slice(1)];
    const index = mergeFleet(records, fresh).index;
    const line = drbdNotUpToDate(index, fresh, downWithUnreportedOf(index, fresh, ['xen1'])).find((p) => p.subject === 'r1 on xen2');
    const words =
      'xen1 has not reported since the controller started and xen2 is Secondary, cut off from it, so no Dom0 heard now writes r1: ' +
      `if xen1 is down, web1 is down with it (${RUNBOOK}); start it elsewhere only once xen1 is surely off`;
    expect(line).toMatchObject({ waitsFor: 'xen1', mayBeDown: ['web1'] });
    expect(line?.text.endsWith(`; ${words}`)).toBe(true);
    expect(flagsOf(records, ['xen1']).filter((f) => f.kind === 'may-be-down').map((f) => f.text)).toEqual([words]);
  });
});

describe('DRBD 9: the link between two of three Dom0s, all heard, cut', () => {
  it('both ends report it cut, each still connected to xen3: one line for the one link, as a two-node pair gets', () => {
    const records = [at('xen1', r1('Primary', cut('xen2'), linked('xen3')), NOW, true), at('xen2', r1('Secondary', cut('xen1'), linked('xen3')), NOW), at('xen3', r1('Secondary', linked('xen1', 'Primary'), linked('xen2')), NOW)];
    const drbd = check(records).details.filter((d) => d.kind === 'drbd-degraded');
    expect(drbd.map((d) => [d.subject, d.text])).toEqual([
      [
        'r1 between xen1 and xen2',
        'DRBD r1 (web1) between xen1 and xen2: on xen1 peer xen2 not connected (Connecting); on xen2 peer xen1 not connected (Connecting): replication is down; both Dom0s are up and report it, so look at the network between them and at r1 on each: drbdadm status r1 on both',
      ],
    ]);
  });
});
