import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../../agent/adapters/drbd-view.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { emptyDrbdState, reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { resourceViewFromEvents } from '../../../agent/state/drbd-view.js';
import { buildResourceView } from '../../../agent/state/resource-view.js';
import { readFixture } from '../../fixture.js';

const peer = { name: 'xen2', peerDisks: [], replications: [], donePercents: [] };

describe('buildResourceView', () => {
  it('a peer we are not connected to is Unknown / DUnknown, never Secondary', () => {
    const v = buildResourceView({ name: 'r0', role: 'Secondary', disks: ['UpToDate'], peers: [{ ...peer, connection: 'Connecting', role: 'Secondary' }] });
    expect(v).toMatchObject({ peerRole: 'Unknown', peerDisk: 'DUnknown', connection: 'Connecting' });
  });
  it('a peer last seen Primary stays Primary after the link drops', () => {
    const v = buildResourceView({ name: 'r0', role: 'Secondary', disks: ['UpToDate'], peers: [{ ...peer, connection: 'NetworkFailure', role: 'Primary' }] });
    expect(v.peerRole).toBe('Primary');
  });
  it('volumes fold into the worst disk and the lowest done %', () => {
    const v = buildResourceView({
      name: 'r0',
      role: 'Secondary',
      disks: ['UpToDate', 'Inconsistent'],
      peers: [{ ...peer, connection: 'Connected', role: 'Secondary', peerDisks: ['UpToDate', 'UpToDate'], replications: ['Established', 'SyncTarget'], donePercents: [null, 12.5] }],
    });
    expect(v).toMatchObject({ disk: 'Inconsistent', peers: [{ replication: 'SyncTarget', syncedPercent: 12.5 }] });
  });
});

describe('drbdadm status and events2 give the same view of the same real state', () => {
  it.each(['06-connected-secondary', '09-guest-running-on-a', '16-peer-down', '22-resync'])('%s', (state) => {
    for (const host of ['dom0a', 'dom0b']) {
      if (readFixture(`real-xen-4.17/${state}/${host}.drbdadm-status-r0.rc`).body.trim() !== '0') continue; // r0 down there
      const status = parseDrbdStatus(readFixture(`real-xen-4.17/${state}/${host}.drbdadm-status-r0.stdout`).body);
      const events = parseEvents2(readFixture(`real-xen-4.17/${state}/${host}.drbdsetup-events2-now.stdout`).body);
      if (!status.ok || !events.ok) throw new Error(`${state} ${host}: fixture did not parse`);
      const fromEvents = reduceDrbdAll(events.value, emptyDrbdState).resources.get('r0');
      if (!fromEvents) throw new Error(`${state} ${host}: no r0 in events2`);
      const a = resourceViewFromStatus(status.value[0]!);
      const b = resourceViewFromEvents(fromEvents);
      // events2 --now prints no done % (status does); everything the decision reads must agree
      const decisive = (v: typeof a) => ({ ...v, peers: v.peers.map((p) => ({ ...p, syncedPercent: null })) });
      expect(decisive(b), `${state} ${host}`).toEqual(decisive(a));
    }
  });
});
