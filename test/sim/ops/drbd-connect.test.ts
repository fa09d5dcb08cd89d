import { describe, expect, it } from 'vitest';
import { isConnected } from '../model/drbd-view.js';
import { parseFleet } from '../model/fleet-file.js';
import type { DrbdResource, SimState } from '../model/types.js';
import { adminConnect, adminDisconnect, tryConnect } from './drbd-connect.js';
import { cutLink, restoreLink, setRole, splitBrain } from './drbd.js';
import type { OpResult } from './result.js';

const FLEET = `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
domu vm1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r1
`;

const state = (r: OpResult): SimState => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.state;
};
const res = (s: SimState): DrbdResource => s.drbd.r1!;
/** both replicas of r1 as the operator left them after a split brain: xen1 Primary, xen2 Secondary */
const afterSplitBrain = (): SimState => state(splitBrain(state(setRole(parseFleet(FLEET), 'r1', 'xen1', 'Primary')), 'r1'));

describe('drbdadm disconnect / connect on a healthy pair', () => {
  it('disconnect: that end StandAlone, the other waiting; connect: both connected after the timer', () => {
    const s0 = parseFleet(FLEET);
    const s1 = state(adminDisconnect(s0, 'r1', 'xen2'));
    expect(res(s1)).toMatchObject({ standalone: ['xen2'], link: 'connecting', diverged: false });
    expect(isConnected(s1, 'r1')).toBe(false);
    expect(tryConnect(s1, 'r1')).toBe(s1);
    const s2 = state(adminConnect(s1, 'r1', 'xen2', false));
    expect(res(s2)).toMatchObject({ standalone: [], link: 'connecting' });
    expect(isConnected(tryConnect(s2, 'r1'), 'r1')).toBe(true);
  });

  it('refuses connect on an end that is not StandAlone, disconnect on one that is, discard on a Primary', () => {
    const s0 = parseFleet(FLEET);
    expect(adminConnect(s0, 'r1', 'xen1', false)).toEqual({ ok: false, error: { kind: 'drbd-connect', res: 'r1', reason: 'not-standalone' } });
    const s1 = state(adminDisconnect(s0, 'r1', 'xen1'));
    expect(adminDisconnect(s1, 'r1', 'xen1')).toEqual({ ok: false, error: { kind: 'drbd-connect', res: 'r1', reason: 'already-standalone' } });
    const primary = state(setRole(s1, 'r1', 'xen1', 'Primary'));
    expect(adminConnect(primary, 'r1', 'xen1', true)).toEqual({ ok: false, error: { kind: 'drbd-connect', res: 'r1', reason: 'discard-while-primary' } });
    expect(adminConnect(primary, 'r1', 'nosuch', false)).toMatchObject({ ok: false, error: { kind: 'not-replica' } });
  });

  it('a cut network stays cut: connect leaves that end waiting, not connected', () => {
    const cut = state(cutLink(state(adminDisconnect(parseFleet(FLEET), 'r1', 'xen1')), 'r1'));
    const s = state(adminConnect(cut, 'r1', 'xen1', false));
    expect(res(s)).toMatchObject({ standalone: [], link: 'cut' });
    expect(tryConnect(s, 'r1')).toBe(s);
  });
});

describe('after a split brain', () => {
  it('both connect without discarding: they meet and drop to StandAlone again, still diverged', () => {
    let s = afterSplitBrain();
    expect(res(s)).toMatchObject({ standalone: ['xen1', 'xen2'], diverged: true });
    s = state(adminConnect(s, 'r1', 'xen1', false));
    s = state(adminConnect(s, 'r1', 'xen2', false));
    s = tryConnect(s, 'r1');
    expect(res(s)).toMatchObject({ standalone: ['xen1', 'xen2'], diverged: true, discardMyData: [] });
  });

  it('both discard: unresolved as well', () => {
    let s = state(setRole(afterSplitBrain(), 'r1', 'xen1', 'Secondary'));
    s = state(adminConnect(s, 'r1', 'xen1', true));
    s = state(adminConnect(s, 'r1', 'xen2', true));
    expect(res(tryConnect(s, 'r1'))).toMatchObject({ standalone: ['xen1', 'xen2'], diverged: true });
  });

  it('the Secondary victim discards, the survivor connects: connected, both UpToDate, divergence gone', () => {
    let s = state(adminConnect(afterSplitBrain(), 'r1', 'xen2', true));
    expect(res(s)).toMatchObject({ standalone: ['xen1'], discardMyData: ['xen2'] });
    s = state(adminConnect(s, 'r1', 'xen1', false));
    s = tryConnect(s, 'r1');
    expect(res(s)).toMatchObject({ link: 'connected', standalone: [], diverged: false, discardMyData: [] });
    expect(isConnected(s, 'r1')).toBe(true);
    expect(Object.values(res(s).replicas).map((x) => x.disk)).toEqual(['UpToDate', 'UpToDate']);
  });

  it('a victim promoted before the handshake drops the connection alone; its peer keeps waiting', () => {
    let s = state(adminConnect(afterSplitBrain(), 'r1', 'xen2', true));
    s = state(setRole(s, 'r1', 'xen2', 'Primary'));
    s = state(adminConnect(s, 'r1', 'xen1', false));
    expect(res(tryConnect(s, 'r1'))).toMatchObject({ standalone: ['xen2'], diverged: true, discardMyData: [] });
  });

  it('the incident words stay as they were: `drbd r1 connect` repairs everything', () => {
    const s = state(restoreLink(afterSplitBrain(), 'r1'));
    expect(res(s)).toMatchObject({ standalone: [], diverged: false, link: 'connecting' });
    expect(isConnected(tryConnect(s, 'r1'), 'r1')).toBe(true);
  });
});
