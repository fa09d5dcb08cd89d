import { describe, expect, it } from 'vitest';
import { failure } from '../../../controller/jobs/job-env.js';
import { cutByLostFlag, cutByShutdown } from '../../../controller/jobs/shutdown-ending.js';

const drain = { kind: 'drain', host: 'xen4', maxParallel: 1, coldFallback: true, allowPartial: false, timeoutMs: null } as const;

describe("a job's ending when the controller's own stop cut it", () => {
  it('says nothing went wrong only when nothing it left is an ALARM', () => {
    const left = { name: 'vm4b', host: 'xen4', blocker: { kind: 'not-started' as const, why: 'stopped' as const }, message: 'vm4b: not started' };
    const calm = cutByShutdown(drain, 'op1-3', failure('XH_ERR_REFUSED', 'the drain was stopped', [left]), 60_000);
    expect(calm.code).toBe('XH_ERR_CONTROLLER_UNREACHABLE');
    expect(calm.message).toContain('the drain was cut by the controller stopping (a restart or an upgrade of xenherd-controller), not by anything going wrong: run the same command again (`xenherdctl drain xen4`)');

    // a move whose end the job was still settling (its agent crashed mid-move) when the stop came
    const alarm = { name: 'vm4a', host: 'xen4', blocker: { kind: 'alarm' as const, code: 'XH_ERR_MIGRATION_UNKNOWN' as const, message: 'could not be settled' }, message: 'vm4a: ALARM' };
    const wrong = cutByShutdown(drain, 'op1-3', failure('XH_ERR_REFUSED', 'the drain was stopped', [alarm, left]), 60_000);
    expect(wrong.message).not.toContain('not by anything going wrong');
    expect(wrong.message).toContain('cut by the controller stopping (a restart or an upgrade of xenherd-controller), after an ALARM of vm4a (see below: check xenherdctl where first)');
    expect(wrong.remaining).toEqual([alarm, left]);
  });

  it('says both ways on: this controller back, or a standby the Dom0s report to once the lease lapses', () => {
    const cut = cutByShutdown(drain, 'op1-3', failure('XH_ERR_REFUSED', 'the drain was stopped'), 60_000);
    expect(cut.message).toContain(
      'run the same command again (`xenherdctl drain xen4`); once this controller is back it continues the same operation (op1-3) where it stopped; should this controller stay down, a standby controller the Dom0s then report to continues the same operation (op1-3) where it stopped once this controller\'s hold on them lapses (60 s; until then it refuses with XH_ERR_LOCKED, saying how long)',
    );
    expect(cut.message).not.toContain('once the controller is back:');
    // a rebalance holds no flag: a standby plans at once
    const rebalance = cutByShutdown({ kind: 'rebalance', maxMoves: null, timeoutMs: null }, null, failure('XH_ERR_REFUSED', 'stopped'), 60_000);
    expect(rebalance.message).toContain('a standby controller the Dom0s report to while this one stays down plans again from where the fleet is then');
  });
});

describe("a job's ending when its maintenance flag was lost", () => {
  const stopped = failure('XH_ERR_REFUSED', 'the drain was stopped: 2 domU(s) remain on xen4 (1 moved)');
  it('another controller took it over: names it and says to follow the job there, not that this controller stops', () => {
    const lost = { host: 'xen4', why: "xen4's maintenance flag is no longer this job's: held", flag: { state: 'draining' as const, operationId: 'op1-3', owner: 'xenherd-controller@ctl2:7443' } };
    const end = cutByLostFlag(drain, lost, stopped, 'xenherd-controller@ctl1:7443');
    expect(end.code).toBe('XH_ERR_REFUSED');
    expect(end.message).toBe(
      "the drain stopped, not by this controller stopping: xen4's maintenance flag is no longer this job's; xenherd-controller@ctl2:7443 holds it draining (operation op1-3) now: that controller goes on with it, not this one. Follow it there: `xenherdctl jobs` asked of that controller (XENHERD_URL set to it) lists its job; if it lists none, run `xenherdctl drain xen4` on that controller, which continues the operation. Where it stopped: the drain was stopped: 2 domU(s) remain on xen4 (1 moved)",
    );
  });

  it('an operator set the host online: says so and how to go on here', () => {
    const lost = { host: 'xen4', why: 'refused', flag: { state: 'online' as const, operationId: null, owner: null } };
    const end = cutByLostFlag(drain, lost, stopped, 'xenherd-controller@ctl1:7443');
    expect(end.message).toContain('xen4\'s maintenance flag is no longer this job\'s; it is online now: someone changed it while this job ran; run `xenherdctl drain xen4` again if the drain should still go on');
  });
});
