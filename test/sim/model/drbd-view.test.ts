import { describe, expect, it } from 'vitest';
import { setRole } from '../ops/drbd.js';
import { drbdViewFor, sameDrbdView } from './drbd-view.js';
import { parseFleet } from './fleet-file.js';
import { hostAddress } from './host-address.js';
import type { SimState } from './types.js';

// Every commit reaches each Dom0's events2 watcher and /proc/drbd, so a view is made once per
// state and host and shared: these pin that a shared view is never one of an earlier state.

const FLEET = `host xen1 mem=8192 cpus=2 drbd=8.4
host xen2 mem=8192 cpus=2 drbd=8.4
host xen3 mem=8192 cpus=2 drbd=9
host xen4 mem=8192 cpus=2 drbd=9
domu web1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r1 running=xen1
domu db1 mem=512 vcpus=1 home=xen3 peer=xen4 drbd=r2 running=xen3
`;
const connected = (s: SimState): SimState => ({ ...s, drbd: Object.fromEntries(Object.entries(s.drbd).map(([k, r]) => [k, { ...r, link: 'connected' as const }])) });
const promoted = (s: SimState, res: string, host: string): SimState => {
  const r = setRole(s, res, host, 'Primary');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.state;
};

describe('a Dom0 view of DRBD, made once per state', () => {
  it('is the same object for a state whose resources and hosts did not change (a xenstore write, the clock)', () => {
    const s = connected(parseFleet(FLEET));
    const v = drbdViewFor(s, 'xen1');
    expect(drbdViewFor(s, 'xen1')).toBe(v);
    expect(drbdViewFor({ ...s, now: s.now + 1000, xenstore: { ...s.xenstore, xen3: { '/local/domain/0/x': '1' } } }, 'xen1')).toBe(v);
  });

  it('follows a change of a resource, as one made from a copy of the state; a Dom0 without it prints the same', () => {
    const s = connected(parseFleet(FLEET));
    const before = { xen1: drbdViewFor(s, 'xen1'), xen3: drbdViewFor(s, 'xen3') };
    const next = promoted(s, 'r1', 'xen2');
    expect(drbdViewFor(next, 'xen2')?.resources[0]?.role).toBe('Primary');
    expect(drbdViewFor(next, 'xen1')?.resources[0]?.peerRole).toBe('Primary');
    for (const h of ['xen1', 'xen2', 'xen3', 'xen4']) expect(drbdViewFor(next, h)).toEqual(drbdViewFor(structuredClone(next), h));
    expect(sameDrbdView(before.xen1, drbdViewFor(next, 'xen1'))).toBe(false);
    expect(sameDrbdView(before.xen3, drbdViewFor(next, 'xen3'))).toBe(true);
  });

  it('follows a change of the hosts alone: the peer powered off is no longer connected', () => {
    const s = connected(parseFleet(FLEET));
    expect(drbdViewFor(s, 'xen1')?.resources[0]).toMatchObject({ cstate: 'Connected', peerRole: 'Secondary' });
    const off = { ...s, hosts: { ...s.hosts, xen2: { ...s.hosts['xen2']!, power: 'off' as const } } };
    expect(drbdViewFor(off, 'xen1')?.resources[0]).toMatchObject({ cstate: 'WFConnection', peerRole: 'Unknown', peerDisk: 'DUnknown' });
    expect(drbdViewFor(off, 'xen2')).toBeNull();
  });

  it('lists a Dom0 its resources only, by minor, with every resource of the fleet configured for one of its hosts', () => {
    const s = parseFleet(`${FLEET}domu app1 mem=512 vcpus=1 home=xen2 peer=xen1 drbd=r3 running=no\n`);
    expect(drbdViewFor(s, 'xen1')?.configured).toEqual(['r1', 'r3']);
    expect(drbdViewFor(s, 'xen1')?.resources.map((r) => [r.name, r.nodeId, r.peer])).toEqual([['r1', 0, 'xen2'], ['r3', 1, 'xen2']]);
    expect(drbdViewFor(s, 'xen3')?.configured).toEqual(['r2']);
  });
});

describe('sameDrbdView', () => {
  it('tells a view from one whose resource differs in any field, an optional one left out included', () => {
    const v = drbdViewFor(connected(parseFleet(FLEET)), 'xen1')!;
    const r = v.resources[0]!;
    expect(sameDrbdView(v, { ...v, resources: [{ ...r }] })).toBe(true);
    expect(sameDrbdView(v, { ...v, resources: [{ ...r, disk: 'Outdated' }] })).toBe(false);
    const { diverged: _left, ...withoutDiverged } = r;
    expect(sameDrbdView(v, { ...v, resources: [withoutDiverged] })).toBe(false);
    expect(sameDrbdView(v, { ...v, configured: [...v.configured, 'r9'] })).toBe(false);
    expect(sameDrbdView(v, null)).toBe(false);
    expect(sameDrbdView(null, null)).toBe(true);
  });
});

describe('hostAddress', () => {
  it('is the host place among the sorted names, for each host record', () => {
    const s = parseFleet(FLEET);
    expect(['xen1', 'xen2', 'xen4'].map((h) => hostAddress(s, h))).toEqual(['10.0.0.11', '10.0.0.12', '10.0.0.14']);
    const more = { ...s, hosts: { ...s.hosts, aaa: { ...s.hosts['xen1']!, name: 'aaa' } } };
    expect(hostAddress(more, 'xen2')).toBe('10.0.0.13');
    expect(hostAddress(s, 'nohost')).toBe('10.0.0.10');
  });
});
