import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../../agent/adapters/drbd-view.js';
import { linkDrbdResource } from '../../../agent/core/host-state.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { emptyDrbdState, reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { resourceViewFromEvents } from '../../../agent/state/drbd-view.js';
import { drbdNotUpToDate } from '../../../controller/fleet/drbd-degraded.js';
import { drbdView } from '../../../controller/fleet/drbd-view.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { LINK_FEATURE } from '../../../shared/protocol/agent-link.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { readFixture } from '../../fixture.js';
import { dom, guarded, hostState, record } from '../states.js';

// r2 has three nodes: the Dom0s xen1 (running db1) and xen2 hold the data, tb is a diskless
// quorum tiebreaker that runs no agent. Each Dom0's report is what its agent makes of the tools'
// output (fixtures rendered from drbd-utils' printers), so `peer-client:` travels as it would.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = { name: 'db1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2', 'tb'] }] };

const onXen1 = (fixture: string): LinkDrbdResource => {
  const p = parseDrbdStatus(readFixture(`drbd/status/${fixture}`).body);
  if (!p.ok) throw new Error(p.error.message);
  return linkDrbdResource(resourceViewFromStatus(p.value[0]!), [LINK_FEATURE.drbdClient]);
};
const onXen2 = (change = ''): LinkDrbdResource => {
  const p = parseEvents2(readFixture('drbd/events2/9-three-nodes-tiebreaker.txt').body + change);
  if (!p.ok) throw new Error(p.error.message);
  const r = reduceDrbdAll(p.value, emptyDrbdState).resources.get('r2');
  if (!r) throw new Error('no r2');
  return linkDrbdResource(resourceViewFromEvents(r), [LINK_FEATURE.drbdClient]);
};
const fleet = (x1: LinkDrbdResource, x2: LinkDrbdResource) =>
  mergeFleet(
    [
      record('xen1', hostState({ domains: [dom('db1')], guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [x1] } }), NOW),
      record('xen2', hostState({ guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [x2] } }), NOW),
    ],
    fresh,
  ).index;

describe('a DRBD resource with a diskless tiebreaker beside two Dom0s', () => {
  it('all connected and the Dom0s UpToDate: check finds nothing wrong (the tiebreaker is Diskless by design)', () => {
    expect(drbdNotUpToDate(fleet(onXen1('9-three-nodes-tiebreaker.txt'), onXen2()), fresh)).toEqual([]);
  });

  it('xenherdctl drbd: ok, the tiebreaker outside the fleet said to be one and up, not a Dom0', () => {
    const [v] = drbdView(fleet(onXen1('9-three-nodes-tiebreaker.txt'), onXen2()), fresh, null);
    expect([v?.ok, v?.flags.map((f) => `${f.kind}: ${f.text}`)]).toEqual([
      true,
      ["unreported-side: tb, a diskless DRBD node by its configuration as xen1 and xen2 report it (a tiebreaker: it holds no copy), is not in this controller's fleet; xen1 and xen2 are connected to it now: it is up"],
    ]);
  });

  it("xen1's disk detached: check names the move to xen2, whose disk is UpToDate, and xen2 still sees xen1's disk gone", () => {
    const detached = 'change peer-device name:r2 peer-node-id:0 conn-name:xen1 volume:0 peer-disk:Diskless peer-client:no\n';
    const problems = drbdNotUpToDate(fleet(onXen1('9-three-nodes-tiebreaker-detached.txt'), onXen2(detached)), fresh).map((p) => p.text);
    expect(problems).toEqual([
      'DRBD r2 (db1) on xen1: disk Diskless: DRBD detached xen1\'s disk of r2; db1 runs on xen1 on xen2\'s disk over the network, the only copy: move it off (`xenherdctl migrate db1 xen2`, or `xenherdctl drain xen1`), then replace the disk if it failed and `drbdadm attach r2` on xen1 (README, section "A failed disk under DRBD")',
      'DRBD r2 (db1) on xen2: peer xen1 Diskless',
    ]);
  });

  it('three Dom0s holding the data, xen1 detached: both UpToDate Dom0s are named as the way off, the first in the migrate', () => {
    const peer = (name: string, role: 'Primary' | 'Secondary', disk: string) => ({ name, role, connection: 'Connected', disk, replication: 'Established' });
    const three = { name: 'db1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2', 'xen3'] }] };
    const at = (host: string, res: LinkDrbdResource, running: boolean) => record(host, hostState({ domains: running ? [dom('db1')] : [], guarded: [guarded('db1', ['r2'])], domus: [three], drbd: { availability: 'ok', resources: [res] } }), NOW);
    const index = mergeFleet(
      [
        at('xen1', { name: 'r2', role: 'Primary', disk: 'Diskless', peers: [peer('xen2', 'Secondary', 'UpToDate'), peer('xen3', 'Secondary', 'UpToDate')] }, true),
        at('xen2', { name: 'r2', role: 'Secondary', disk: 'UpToDate', peers: [peer('xen1', 'Primary', 'Diskless'), peer('xen3', 'Secondary', 'UpToDate')] }, false),
        at('xen3', { name: 'r2', role: 'Secondary', disk: 'UpToDate', peers: [peer('xen1', 'Primary', 'Diskless'), peer('xen2', 'Secondary', 'UpToDate')] }, false),
      ],
      fresh,
    ).index;
    expect(drbdNotUpToDate(index, fresh).find((p) => p.subject === 'r2 on xen1')?.text).toBe(
      'DRBD r2 (db1) on xen1: disk Diskless: DRBD detached xen1\'s disk of r2; db1 runs on xen1 on the disks of xen2 and xen3 over the network: move it off (`xenherdctl migrate db1 xen2` (or xen3), or `xenherdctl drain xen1`), then replace the disk if it failed and `drbdadm attach r2` on xen1 (README, section "A failed disk under DRBD")',
    );
  });
});
