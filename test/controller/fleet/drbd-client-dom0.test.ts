import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../../agent/adapters/drbd-view.js';
import { linkDrbdResource } from '../../../agent/core/host-state.js';
import { CAPABILITIES } from '../../../agent/core/state.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { drbdNotUpToDate } from '../../../controller/fleet/drbd-degraded.js';
import { drbdView } from '../../../controller/fleet/drbd-view.js';
import { failedDisksOf } from '../../../controller/fleet/failed-disks.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { DiskTrouble } from '../../../controller/fleet/split-disks.js';
import { drbdNotReady, readinessOfLink } from '../../../shared/drbd-readiness.js';
import { acceptsFor, LINK_FEATURE } from '../../../shared/protocol/agent-link.js';
import { LinkDrbdResourceSchema, type LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, record } from '../states.js';

// r2 has three nodes: xen1 (running db1) and xen2 hold the data; xen3, a Dom0 of the fleet too, is
// a diskless DRBD client of it (`disk none` in its .res). xen3's report is what its agent makes of
// `drbdadm status` there, rendered in drbdsetup.c status_cmd's grammar (no real capture: composed
// from drbd-utils' printers, as test/agent/decide/drbd-client-dom0.test.ts's CLIENT_STATUS).
const CLIENT_STATUS = 'r2 role:Secondary\n  disk:Diskless client:yes\n  xen1 role:Primary\n    peer-disk:UpToDate\n  xen2 role:Secondary\n    peer-disk:UpToDate\n\n';
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = { name: 'db1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2', 'xen3'] }] };
const BOTH = [LINK_FEATURE.drbdClient, LINK_FEATURE.drbdLocalClient];

const onXen3 = (accepts: readonly string[] = BOTH, status = CLIENT_STATUS): LinkDrbdResource => {
  const p = parseDrbdStatus(status);
  if (!p.ok) throw new Error(p.error.message);
  return linkDrbdResource(resourceViewFromStatus(p.value[0]!), accepts);
};
const peer = (name: string, role: 'Primary' | 'Secondary', disk: string, client = false) => ({ name, role, connection: 'Connected', disk, replication: 'Established', ...(client ? { client: true as const } : {}) });
// xen1 and xen2 as DRBD 9 shows them with xen3 a client (`peer-client:yes`) unless MARKED is false (an older agent)
const xen1Res = (marked = true): LinkDrbdResource => ({ name: 'r2', role: 'Primary', disk: 'UpToDate', peers: [peer('xen2', 'Secondary', 'UpToDate'), peer('xen3', 'Secondary', 'Diskless', marked)] });
const xen2Res = (marked = true): LinkDrbdResource => ({ name: 'r2', role: 'Secondary', disk: 'UpToDate', peers: [peer('xen1', 'Primary', 'UpToDate'), peer('xen3', 'Secondary', 'Diskless', marked)] });

const fleet = (x3: LinkDrbdResource, marked = true, running3 = false) =>
  mergeFleet(
    [
      record('xen1', hostState({ domains: running3 ? [] : [dom('db1')], guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [xen1Res(marked)] } }), NOW),
      record('xen2', hostState({ domus: [config], drbd: { availability: 'ok', resources: [xen2Res(marked)] } }), NOW),
      record('xen3', hostState({ domains: running3 ? [dom('db1')] : [], domus: [config], drbd: { availability: 'ok', resources: [x3] } }), NOW),
    ],
    fresh,
  ).index;

describe('a Dom0 that is itself a DRBD client of a resource', () => {
  it('its agent marks its own side client, only to a controller that accepts drbd-local-client', () => {
    expect(LinkDrbdResourceSchema.parse(onXen3())).toMatchObject({ name: 'r2', role: 'Secondary', disk: 'Diskless', client: true });
    // a controller that took drbd-client alone has a strict schema without the resource's key
    expect(Object.keys(onXen3([LINK_FEATURE.drbdClient])).sort()).toEqual(['disk', 'name', 'peers', 'role']);
    expect(CAPABILITIES).toContain(LINK_FEATURE.drbdLocalClient);
    expect(acceptsFor(CAPABILITIES).accepts).toContain(LINK_FEATURE.drbdLocalClient);
  });

  it('check: nothing wrong while its peers holding the disks are connected and UpToDate (no "attach" there)', () => {
    expect(drbdNotUpToDate(fleet(onXen3()), fresh)).toEqual([]);
  });

  it('check: a cut link says it is a client by design, never to attach a disk', () => {
    const cut = CLIENT_STATUS.replace('  xen2 role:Secondary\n    peer-disk:UpToDate\n', '  xen2 connection:Connecting\n');
    const mine = drbdNotUpToDate(fleet(onXen3(BOTH, cut)), fresh).find((p) => p.subject === 'r2 on xen3');
    expect(mine?.text).toMatch(/^DRBD r2 \(db1\) on xen3, a DRBD client of it \(diskless by its configuration: no disk to attach, it holds no copy\): peer xen2 not connected \(Connecting\)/);
    expect(mine?.text).not.toMatch(/disk Diskless|drbdadm attach/);
  });

  it('check: with no peer connected and UpToDate, the domU running on it is said to run on no disk', () => {
    const outdated = CLIENT_STATUS.replace(/peer-disk:UpToDate/g, 'peer-disk:Outdated');
    const mine = drbdNotUpToDate(fleet(onXen3(BOTH, outdated), true, true), fresh).find((p) => p.subject === 'r2 on xen3');
    expect(mine?.text).toBe(
      'DRBD r2 (db1) on xen3, a DRBD client of it (diskless by its configuration: no disk to attach, it holds no copy): peer xen1 Outdated, peer xen2 Outdated: no peer holding a disk of r2 is connected and UpToDate; db1 runs on xen3 on no disk: see to the Dom0s that hold its disks (`drbdadm status r2` there)',
    );
  });

  it('xenherdctl drbd: ok, xen3 said to be a client, not a disk not UpToDate; also from its peers\' marks alone (an older agent on xen3)', () => {
    for (const x3 of [onXen3(), onXen3([LINK_FEATURE.drbdClient])]) {
      const [v] = drbdView(fleet(x3), fresh, null);
      expect([v?.ok, v?.flags.map((f) => f.kind)]).toEqual([true, ['client']]);
      expect(v?.flags[0]?.text).toBe("xen3 is a DRBD client of r2 (diskless by configuration, `client:yes`): no copy is kept there and nothing is to attach; what runs there reads and writes over the network on a peer's disk");
    }
  });

  it('where: a domU running on it carries no disk-failed mark', () => {
    const index = fleet(onXen3(), true, true);
    expect(failedDisksOf(new DiskTrouble(index, fresh, []), 'db1', ['xen3'])).toEqual([]);
  });

  it("a plan's move to it names it a client from its own report, even where its source's report does not mark it", () => {
    const why = drbdNotReady('xen3', 'xen1', readinessOfLink(onXen3()), 'target');
    expect(why?.text).toMatch(/xen3 is a DRBD client of r2 \(diskless by its configuration, `client:yes` there\), holding no copy of it: move the domU to a Dom0 that holds a disk of r2 instead/);
    expect(why?.text).not.toMatch(/attach/);
  });
});
