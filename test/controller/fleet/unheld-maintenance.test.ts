import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { UNHELD_AFTER_MS } from '../../../controller/fleet/unheld-maintenance.js';
import type { FinishedJob } from '../../../shared/protocol/ctl-jobs.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { hostState, record } from '../states.js';
import { checkAt } from './check-bed.js';

// A host left draining or restoring when the controller that ran its drain or restore restarted
// (or the job failed): out of service with nothing going on. check says so, and how to go on.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };

const host = (name: string, parts: Partial<HostState>, heldFor: number, o: { lastSeen?: number; linkUp?: boolean } = {}): HostRecord => {
  const state = hostState(parts);
  return { ...record(name, state, o.lastSeen ?? NOW, o.linkUp ?? true), maintenanceSince: { state: state.maintenance.state, since: NOW - heldFor } };
};
const inState = (state: 'online' | 'draining' | 'restoring' | 'maintenance') => ({ maintenance: { state, operationId: state === 'online' ? null : '3f2a9c01-77aa', owner: state === 'online' ? null : 'ctl-a' } });

const check = checkAt(fresh);
const failedDrain: FinishedJob = { jobId: 'j-41', kind: 'drain', hosts: ['xen2'], by: 'ctl:alice', startedAt: NOW - 600_000, endedAt: NOW, operationId: '3f2a9c01-77aa', stopReason: 'timeout', ok: false, code: 'XH_ERR_TIMEOUT', message: 'timed out', moved: 1, remaining: 1 };

describe('a host draining or restoring with no job of this controller on it', () => {
  it('is a WARNING naming the state, who held it, for how long and the command that goes on', () => {
    const a = check([host('xen1', inState('online'), 3_600_000), host('xen2', inState('restoring'), 12 * 60_000)]);
    expect([a.status, a.summary]).toEqual(['WARNING', 'xen2 restoring with no job']);
    expect(a.details).toEqual([
      {
        status: 'WARNING',
        kind: 'maintenance-without-job',
        subject: 'xen2',
        text: 'xen2: restoring (set by ctl-a, operation 3f2a9c01) since 2023-11-14 22:01 UTC (12 min) with no restore job running in this controller (a controller restart or a failed job ends it; the host stays out of service): run `xenherdctl restore xen2` again to finish it, or `xenherdctl maintenance xen2 off` to put it back online as it is',
      },
    ]);
    const d = check([host('xen2', inState('draining'), 5 * 60_000)]);
    expect(d.details.map((x) => x.text)).toEqual([expect.stringContaining('xen2: draining (set by ctl-a, operation 3f2a9c01) since 2023-11-14 22:08 UTC (5 min) with no drain job running in this controller')]);
    expect(d.details[0]?.text).toContain('run `xenherdctl drain xen2` again');
  });

  it("a roll's flag (its drain marked .roll, or maintenance/restoring .boot.) names the roll asked again, not drain or restore alone", () => {
    for (const [state, operationId] of [
      ['draining', 'op-7.roll'],
      ['restoring', 'op-9.boot.1c2d'],
    ] as const) {
      const a = check([host('xen2', { maintenance: { state, operationId, owner: 'ctl-a' } }, 5 * 60_000)]);
      expect([state, a.details.map((x) => x.text)]).toEqual([
        state,
        [`xen2: ${state} by a roll (set by ctl-a, operation ${operationId.slice(0, 8)}) since 2023-11-14 22:08 UTC (5 min) with no roll running in this controller (a controller restart or a failed job ends it; the host stays out of service): the same roll asked again continues it (\`xenherdctl roll\` with that roll's Dom0s, xen2 among them; \`xenherdctl drain xen2\` would only empty it, neither rebooting nor restoring it)`],
      ]);
    }
  });

  it('at once after a drain of this controller failed: naming the controller by its host and port, the job, when it ended, and both ways on', () => {
    const owned = { maintenance: { state: 'draining' as const, operationId: '3f2a9c01-77aa', owner: 'xenherd-controller@vm:36917/32711a1f' } };
    const a = check([host('xen2', owned, 0)], { ended: [failedDrain] });
    expect([a.status, a.details.map((x) => x.text)]).toEqual([
      'WARNING',
      [
        'xen2: draining (set by the controller on vm:36917, operation 3f2a9c01) since 2023-11-14 22:13 UTC (0 s) with no drain job running in this controller (its drain job j-41 ended XH_ERR_TIMEOUT at 2023-11-14 22:13 UTC; the host stays out of service): ' +
          'run `xenherdctl drain xen2` again to finish it, or `xenherdctl maintenance xen2 off` to put it back online as it is',
      ],
    ]);
    // a controller restart forgets its jobs: at once too
    expect(check([host('xen2', owned, 0)]).status).toBe('WARNING');
  });

  it('not while a job works on it, not in maintenance or online, not within two minutes of a job of it ending well (its report may lag), not for an unreachable host (that is its own CRITICAL)', () => {
    expect(check([host('xen2', inState('draining'), 3_600_000)], { jobHosts: ['xen2'] }).status).toBe('OK');
    expect(check([host('xen2', inState('maintenance'), 3_600_000), host('xen1', inState('online'), 3_600_000)]).status).toBe('OK');
    const done = (agoMs: number) => [{ ...failedDrain, kind: 'restore' as const, ok: true, code: null, endedAt: NOW - agoMs }];
    expect(check([host('xen2', inState('restoring'), 3_600_000)], { ended: done(UNHELD_AFTER_MS - 1) }).status).toBe('OK');
    expect(check([host('xen2', inState('restoring'), 3_600_000)], { ended: done(UNHELD_AFTER_MS) }).status).toBe('WARNING');
    const silent = check([host('xen1', inState('online'), 3_600_000), host('xen2', inState('draining'), 3_600_000, { linkUp: false, lastSeen: NOW - 60_000 })]);
    expect(silent.details.map((x) => x.text)).toEqual(['xen2: agent unreachable (last heard 60 s ago): check that xen2 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent']);
  });
});
