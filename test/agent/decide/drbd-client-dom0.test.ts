import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../../agent/adapters/drbd-view.js';
import { decideAutostart, type AutostartInput } from '../../../agent/decide/autostart.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { parseEvents2Line } from '../../../agent/parse/events2.js';
import { reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { viewsFromEvents } from '../../../agent/state/drbd-view.js';
import { drbdNotReady, readinessOfLink } from '../../../shared/drbd-readiness.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';

// A Dom0 that is itself a diskless DRBD client of a resource (its .res gives it `disk none`):
// DRBD 9 prints ` disk:Diskless client:yes` for it (drbdsetup.c device_status, stdout not a tty)
// and `client:yes` in events2's device line. That is a set-up, not a failed disk: autostart and a
// migration there are still refused, but never with "replace its disk and attach".

// xen3's `drbdadm status r2`, rendered in drbdsetup.c status_cmd's grammar (connections sorted by name)
const CLIENT_STATUS = 'r2 role:Secondary\n  disk:Diskless client:yes\n  xen1 role:Secondary\n    peer-disk:UpToDate\n  xen2 role:Secondary\n    peer-disk:UpToDate\n\n';
// xen3's events2 dump of the same, in drbdsetup_events2.c's line format
const CLIENT_EVENTS2 = [
  'exists resource name:r2 role:Secondary suspended:no force-io-failures:no may_promote:no promotion_score:0',
  'exists device name:r2 volume:0 minor:2 backing_dev:none disk:Diskless client:yes open:no quorum:yes',
  'exists connection name:r2 peer-node-id:0 conn-name:xen1 connection:Connected role:Secondary',
  'exists connection name:r2 peer-node-id:1 conn-name:xen2 connection:Connected role:Secondary',
  'exists peer-device name:r2 peer-node-id:0 conn-name:xen1 volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no',
  'exists peer-device name:r2 peer-node-id:1 conn-name:xen2 volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no',
  'exists -',
];

const fromStatus = (text: string): DrbdResourceView => {
  const p = parseDrbdStatus(text);
  if (!p.ok) throw new Error(p.error.message);
  return resourceViewFromStatus(p.value[0]!);
};
const fromEvents = (lines: readonly string[]): DrbdResourceView => {
  const parsed = lines.map((l) => {
    const r = parseEvents2Line(l);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  });
  return viewsFromEvents(reduceDrbdAll(parsed), ['r2']).get('r2')!;
};
const input = (v: DrbdResourceView): AutostartInput => ({
  name: 'db1', drbdResources: ['r2'], domains: [], maintenance: false, awayTo: null, unsettled: null, fleetRunningOn: null, localHost: 'xen3',
  drbd: { availability: 'ok', resources: new Map([['r2', v]]) },
});

describe('guarded autostart on a Dom0 that is a DRBD client of the resource', () => {
  for (const [source, view] of [['drbdadm status', () => fromStatus(CLIENT_STATUS)], ['events2', () => fromEvents(CLIENT_EVENTS2)]] as const) {
    it(`${source}: deferred as a client, saying the domU would run over the network, never to attach`, () => {
      const d = decideAutostart(input(view()));
      expect(d).toMatchObject({ kind: 'defer', reason: 'local-client' });
      expect(d.detail).toMatch(/^DRBD resource r2 is diskless here by its configuration \(a DRBD client, `client:yes`\): this Dom0 holds no copy of it, so the domU would run over the network on a peer's disk/);
      expect(d.detail).not.toMatch(/attach/);
    });
  }

  it('a disk DRBD detached (client:no) is still a local disk not UpToDate', () => {
    const detached = fromEvents(CLIENT_EVENTS2.map((l) => l.replace('client:yes', 'client:no')));
    expect(decideAutostart(input(detached))).toMatchObject({ kind: 'defer', reason: 'local-disk-not-uptodate' });
  });

  it('a peer Primary is still a split-brain hazard there', () => {
    const primary = fromStatus(CLIENT_STATUS.replace('xen1 role:Secondary', 'xen1 role:Primary'));
    expect(decideAutostart(input(primary))).toMatchObject({ kind: 'skip', reason: 'peer-primary', splitBrainHazard: true });
  });
});

describe('a live migration to a DRBD client Dom0: refused, naming it a client, not a disk to attach', () => {
  // xen1's `drbdadm status r2`: xen3 a client (peer-client:yes), xen2 a disk
  const XEN1 = 'r2 role:Primary\n  disk:UpToDate open:yes\n  xen2 role:Secondary\n    peer-disk:UpToDate\n  xen3 role:Secondary\n    peer-disk:Diskless peer-client:yes\n\n';

  it("the source's preflight (xen1's view, peer-client:yes)", () => {
    const why = drbdNotReady('xen1', 'xen3', fromStatus(XEN1), 'source');
    expect(why?.clearsUp).toBe(false);
    expect(why?.text).toContain('xen3 is a DRBD client of r2 (diskless by its configuration, `client:yes` there), holding no copy of it: move the domU to a Dom0 that holds a disk of r2 instead');
    expect(why?.text).not.toMatch(/attach|replace/);
  });

  it("the target's own view (client:yes here)", () => {
    const why = drbdNotReady('xen3', 'xen1', fromStatus(CLIENT_STATUS), 'target');
    expect(why?.text).toContain('xen3 is a DRBD client of r2');
    expect(why?.text).not.toMatch(/attach|replace/);
  });

  it("the controller's plan, from xen1's report over the link (client: true on the peer)", () => {
    const link = { name: 'r2', role: 'Primary' as const, disk: 'UpToDate', peers: [{ name: 'xen3', role: 'Secondary' as const, connection: 'Connected', disk: 'Diskless', replication: 'Established', client: true as const }] };
    const why = drbdNotReady('xen1', 'xen3', readinessOfLink(link), 'source');
    expect(why?.text).toContain('xen3 is a DRBD client of r2');
    expect(why?.text).not.toMatch(/attach|replace/);
  });

  it('a target whose disk DRBD detached (no client mark) is still told to replace and attach it', () => {
    const why = drbdNotReady('xen1', 'xen3', fromStatus(XEN1.replace(' peer-client:yes', ' peer-client:no')), 'source');
    expect(why?.text).toContain('`drbdadm attach r2` on xen3');
  });
});
