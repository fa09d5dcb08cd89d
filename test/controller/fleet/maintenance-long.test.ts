import { describe, expect, it } from 'vitest';
import { newHostRecord, noteMaintenance, type HostRecord, type MaintenanceSince } from '../../../controller/fleet/host-record.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../../shared/protocol/ctl-check.js';
import { away, dom, hostState, record } from '../states.js';
import { checkAt } from './check-bed.js';

// A host left in maintenance with no job on it (a roll timed out or stopped in its reboot wait, a
// drain nobody restored): out of service, its domUs away from home, said past maintenanceWarnMs.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const H = 3_600_000;
const WARN = DEFAULT_CHECK_THRESHOLDS.maintenanceWarnMs;

const inMaintenance = { state: 'maintenance', operationId: '3f2a9c01-77aa', owner: 'ctl-a' } as const;
const homes = (...names: string[]) => names.map((name) => ({ name, peer: 'xen2', source: 'migrate-tab' as const }));

/** xen1 in maintenance since HELDFOR ago (seen entering it unless FIRSTHEARD), web1-3 homed on it; xen2 runs them. */
function fleet(heldFor: number, o: { firstHeard?: boolean; lastSeen?: number; linkUp?: boolean; homed?: string[] } = {}): HostRecord[] {
  const homed = o.homed ?? ['web1', 'web2', 'web3'];
  const since: MaintenanceSince = o.firstHeard === true ? { state: 'maintenance', since: NOW - heldFor } : { state: 'maintenance', since: NOW - heldFor, seenEntering: true };
  // a drain's moves, as its ledger records them
  const ledger = { seq: 1, away: Object.fromEntries(homed.map((n) => [n, away('xen1', 'xen2')])), visitors: {} };
  const xen1 = { ...record('xen1', hostState({ maintenance: inMaintenance, homes: homes(...homed), ledger }), o.lastSeen ?? NOW, o.linkUp ?? true), maintenanceSince: since };
  const xen2state: Partial<HostState> = { domains: homed.map((n) => dom(n)) };
  const xen2 = { ...record('xen2', hostState(xen2state), NOW), maintenanceSince: { state: 'online' as const, since: NOW - 48 * H } };
  return [xen1, xen2];
}

const check = checkAt(fresh);
const ofKind = (a: CheckAnswer) => a.details.filter((d) => d.kind === 'maintenance-long');

describe('a host in maintenance with no job on it, past --maintenance-warn', () => {
  it('is a WARNING naming how long, its domUs running elsewhere and the command that brings it back', () => {
    const a = check(fleet(14 * H));
    expect([a.status, a.summary]).toEqual(['WARNING', 'xen1 in maintenance 14 h']);
    expect(a.details).toEqual([
      {
        status: 'WARNING',
        kind: 'maintenance-long',
        subject: 'xen1',
        text: 'xen1: in maintenance (owner ctl-a, op 3f2a9c01) for 14 h with no job of this controller on it; 3 domUs homed there run elsewhere (web1, web2, web3): `xenherdctl restore xen1` brings it online and them home (parked on purpose: check\'s --maintenance-warn sets when this is said, off for never)',
      },
    ]);
  });

  it("names a controller owner by its host and port, not its instance id ('vm:36917/32711a1f' read as an internal code)", () => {
    const records = fleet(14 * H).map((r) => (r.host === 'xen1' && r.state !== null ? { ...r, state: { ...r.state, maintenance: { ...inMaintenance, owner: 'xenherd-controller@vm:36917/32711a1f' } } } : r));
    expect(ofKind(check(records))[0]?.text).toContain('xen1: in maintenance (owner vm:36917, op 3f2a9c01) for 14 h');
  });

  it('counts its domUs away, names the first five, and says when none is', () => {
    const seven = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
    expect(ofKind(check(fleet(14 * H, { homed: seven })))[0]?.text).toContain('; 7 domUs homed there run elsewhere (a1, a2, a3, a4, a5, ...): ');
    expect(ofKind(check(fleet(14 * H, { homed: ['web1'] })))[0]?.text).toContain('; 1 domU homed there runs elsewhere (web1): ');
    const none = ofKind(check(fleet(14 * H, { homed: [] })))[0]?.text;
    expect(none).toContain('; no domU homed there runs elsewhere: `xenherdctl restore xen1` brings it online (parked');
  });

  it('below the threshold OK; at it a WARNING; the default is 12 h', () => {
    expect(WARN).toBe(12 * H);
    expect(check(fleet(WARN - 1)).status).toBe('OK');
    expect(check(fleet(WARN)).status).toBe('WARNING');
    expect(check(fleet(3 * H), { thresholds: { maintenanceWarnMs: 2 * H } }).summary).toBe('xen1 in maintenance 3 h');
    expect(check(fleet(3 * H), { thresholds: { maintenanceWarnMs: 4 * H } }).status).toBe('OK');
  });

  it('0 is off: never said, however long', () => {
    expect(check(fleet(400 * 24 * H), { thresholds: { maintenanceWarnMs: 0 } }).status).toBe('OK');
  });

  it('not while a job of this controller works on it (a roll waiting for its reboot)', () => {
    expect(check(fleet(14 * H), { jobHosts: ['xen1'] }).status).toBe('OK');
    expect(ofKind(check(fleet(14 * H), { jobHosts: ['xen2'] }))).toHaveLength(1);
  });

  it('an unreachable host in maintenance keeps its own line, one per host, not this one too', () => {
    const a = check(fleet(14 * H, { linkUp: false, lastSeen: NOW - 5 * 60_000 }));
    expect(a.details.map((d) => [d.status, d.kind])).toEqual([['WARNING', 'host-unreachable-in-maintenance']]);
  });

  it('after a controller restart it counts from the first report, says "at least", and waits the threshold again', () => {
    expect(check(fleet(WARN - 1, { firstHeard: true })).status).toBe('OK');
    const [line] = ofKind(check(fleet(13 * H, { firstHeard: true })));
    expect(line?.text).toContain('xen1: in maintenance (owner ctl-a, op 3f2a9c01) for at least 13 h (since this controller first heard of it) with no job');
  });

  it('draining, restoring and online are not this kind (a drain or restore left without its job is maintenance-without-job)', () => {
    for (const state of ['draining', 'restoring', 'online'] as const) {
      const [xen1, xen2] = fleet(14 * H);
      const moved = { ...xen1!, state: { ...xen1!.state!, maintenance: { ...inMaintenance, state } }, maintenanceSince: { state, since: NOW - 14 * H, seenEntering: true as const } };
      expect(ofKind(check([moved, xen2!])), state).toEqual([]);
    }
  });

  it('a record notes whether the controller saw the host enter its state or found it so', () => {
    const first = noteMaintenance({ ...newHostRecord('xen1'), state: hostState({ maintenance: inMaintenance }) }, 10);
    expect(first.maintenanceSince).toEqual({ state: 'maintenance', since: 10 });
    const online = noteMaintenance({ ...first, state: hostState() }, 20);
    expect(online.maintenanceSince).toEqual({ state: 'online', since: 20, seenEntering: true });
    const back = noteMaintenance({ ...online, state: hostState({ maintenance: inMaintenance }) }, 30);
    expect(back.maintenanceSince).toEqual({ state: 'maintenance', since: 30, seenEntering: true });
  });
});
