import { describe, expect, it } from 'vitest';
import { checkFleet } from '../../../controller/fleet/fleet-check.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../../shared/protocol/ctl-check.js';
import { dom, guarded, hostState, record } from '../states.js';

// A guarded domU lost while its Dom0 is in maintenance (a crash during a drain or a roll, then
// reconciled as the ALARM asks) runs nowhere, and that Dom0 starts nothing until it is online:
// check must not stay OK while it is down.
const NOW = 1_700_000_000_000;
const MIN = 60_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const iso = (ms: number): string => new Date(ms).toISOString();
const DRAINING = { state: 'draining' as const, operationId: 'op1', owner: 'xenherd-controller@ctl:7443' };

const host = (name: string, parts: Partial<HostState>): HostRecord => {
  const state = hostState(parts);
  return { ...record(name, state, NOW, true), maintenanceSince: { state: state.maintenance.state, since: NOW - 60 * MIN } };
};

const IN_MAINTENANCE = { ...DRAINING, state: 'maintenance' as const };

/** xen1 draining (or as MAINTENANCE says), guarding web2 (skip: maintenance for AGO); xen2 online, running what OTHERS says */
function fleet(ago: number, xen2: Partial<HostState> = {}, maintenance: HostState['maintenance'] = DRAINING): HostRecord[] {
  return [
    host('xen1', { maintenance, guarded: [guarded('web2', ['r2'], { decision: 'skip', reason: 'maintenance', detail: 'this host is in maintenance', since: iso(NOW - ago) })] }),
    host('xen2', xen2),
  ];
}

/** check with a job of this controller on JOBHOSTS (by default a drain of xen1 under way) */
function check(records: HostRecord[], jobHosts: readonly string[] = ['xen1']): CheckAnswer {
  const m = mergeFleet(records, fresh);
  return CheckAnswerSchema.parse(checkFleet(m.index, mergedStatus(m, fresh).alerts, fresh, DEFAULT_CHECK_THRESHOLDS, new Set(jobHosts)));
}
const texts = (a: CheckAnswer): string[] => a.details.map((d) => `${d.status}: ${d.text}`);

describe('a guarded domU running nowhere while its Dom0 is in maintenance', () => {
  it('while a job works on its draining Dom0 (a cold move between shutdown and start), judged as a deferral: OK for a while, WARNING past --warn-deferred, CRITICAL past --crit-deferred, naming restore', () => {
    expect(check(fleet(4 * MIN)).status).toBe('OK');
    const w = check(fleet(6 * MIN));
    expect(w.status).toBe('WARNING');
    expect(w.summary).toBe('web2 runs nowhere, xen1 draining');
    expect(w.details.map((d) => `${d.status}: ${d.text}`)).toEqual([
      'WARNING: web2: running nowhere, and xen1 starts nothing while it is draining (for 6 min): `xenherdctl restore xen1` brings xen1 online, and its autostart then starts web2 (or start it elsewhere)',
    ]);
    expect(check(fleet(16 * MIN)).status).toBe('CRITICAL');
  });

  it('running elsewhere (as a drain leaves it), or between two halves of a migration: not down', () => {
    expect(check(fleet(60 * MIN, { domains: [dom('web2')] })).status).toBe('OK');
    expect(check(fleet(60 * MIN, { domains: [dom('web2', { migration: 'incoming' })] })).status).toBe('OK');
  });

  it('another Dom0 out of maintenance that may start it (start or defer): its own decision speaks, not this', () => {
    const starting = check(fleet(60 * MIN, { guarded: [guarded('web2', ['r2'], { decision: 'start', reason: null, since: iso(NOW - MIN) })] }));
    expect(starting.details.map((d) => d.text).join('\n')).not.toContain('starts nothing while');
    const deferring = check(fleet(60 * MIN, { guarded: [guarded('web2', ['r2'], { decision: 'defer', reason: 'peer-not-connected', since: iso(NOW - 60 * MIN) })] }));
    expect(deferring.details.map((d) => d.text)).toEqual([expect.stringMatching(/^web2: not running anywhere, its start deferred on xen2/)]);
  });

  it('in maintenance, nothing under way will start it: a WARNING at once (an agent back from a power loss decides afresh, "since" now), CRITICAL past --crit-deferred', () => {
    for (const jobs of [[], ['xen1']]) {
      const w = check(fleet(0, {}, IN_MAINTENANCE), jobs);
      expect([w.status, w.summary]).toEqual(['WARNING', 'web2 runs nowhere, xen1 in maintenance']);
      expect(texts(w)).toEqual([
        'WARNING: web2: running nowhere, and xen1 starts nothing while it is in maintenance (for 0 s): `xenherdctl restore xen1` brings xen1 online, and its autostart then starts web2 (or start it elsewhere)',
      ]);
    }
    expect(check(fleet(16 * MIN, {}, IN_MAINTENANCE), []).status).toBe('CRITICAL');
    expect(check(fleet(0, { domains: [dom('web2')] }, IN_MAINTENANCE), []).status).toBe('OK');
  });

  it('draining or restoring with no job of this controller on it (a drain that failed, a controller restart): a WARNING at once', () => {
    for (const state of ['draining', 'restoring'] as const) {
      const w = check(fleet(MIN, {}, { ...DRAINING, state }), ['xen2']);
      // beside the host's own line (out of service with no job: maintenance-without-job)
      expect(texts(w).filter((t) => t.includes('web2'))).toEqual([
        `WARNING: web2: running nowhere, and xen1 starts nothing while it is ${state} (for 60 s): \`xenherdctl restore xen1\` brings xen1 online, and its autostart then starts web2 (or start it elsewhere)`,
      ]);
      expect(check(fleet(MIN, {}, { ...DRAINING, state })).status).toBe('OK');
    }
  });
});
