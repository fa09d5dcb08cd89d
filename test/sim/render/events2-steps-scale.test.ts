import { describe, expect, it } from 'vitest';
import type { DrbdView, HostDrbdView } from '../model/drbd-view.js';
import { eventObjects, eventSteps } from './events2.js';

// Every commit of the simulator's state reaches each Dom0's `drbdsetup events2` watcher. A Dom0
// with a few dozen resources, in a fleet of hundreds, then rebuilt its list once per resource for
// each commit, changed or not: an in-process fleet of 200 Dom0s spent most of its time there.

const res = (i: number, role: DrbdView['role'] = 'Secondary'): DrbdView => ({
  name: `r${i}`, minor: i, port: 7788 + i, peer: 'xen2', nodeId: 0, peerNodeId: 1, address: '10.0.0.1', peerAddress: '10.0.0.2',
  role, peerRole: 'Secondary', cstate: 'Connected', disk: 'UpToDate', peerDisk: 'UpToDate',
});
const host = (resources: DrbdView[]): HostDrbdView => ({ host: 'xen1', major: '9', version: '9.2.4', loaded: true, resources, configured: [] });

describe('events2 steps between two states of a Dom0 with many resources', () => {
  it('one resource of fifty promoted: one step for it, then the whole list; the others make no step', () => {
    const before = host(Array.from({ length: 50 }, (_, i) => res(i)));
    const after = host(before.resources.map((r, i) => (i === 17 ? res(i, 'Primary') : r)));
    const steps = eventSteps(before, after);
    expect(steps).toHaveLength(2);
    expect(steps[0]).toEqual({ objects: eventObjects(after) });
  });

  it('nothing changed: the whole list alone', () => {
    const v = host(Array.from({ length: 50 }, (_, i) => res(i)));
    expect(eventSteps(v, v)).toEqual([{ objects: eventObjects(v) }]);
  });
});
