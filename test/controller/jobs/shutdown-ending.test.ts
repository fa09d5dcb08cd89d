import { describe, expect, it } from 'vitest';
import { failure } from '../../../controller/jobs/job-env.js';
import { cutByShutdown } from '../../../controller/jobs/shutdown-ending.js';

const drain = { kind: 'drain', host: 'xen4', maxParallel: 1, coldFallback: true, allowPartial: false, timeoutMs: null } as const;

describe("a job's ending when the controller's own stop cut it", () => {
  it('says nothing went wrong only when nothing it left is an ALARM', () => {
    const left = { name: 'vm4b', host: 'xen4', blocker: { kind: 'not-started' as const, why: 'stopped' as const }, message: 'vm4b: not started' };
    const calm = cutByShutdown(drain, 'op1-3', failure('XH_ERR_REFUSED', 'the drain was stopped', [left]));
    expect(calm.code).toBe('XH_ERR_CONTROLLER_UNREACHABLE');
    expect(calm.message).toContain('the drain was cut by the controller stopping (a restart or an upgrade of xenherd-controller), not by anything going wrong: run the same command again (`xenherdctl drain xen4`)');

    // a move whose end the job was still settling (its agent crashed mid-move) when the stop came
    const alarm = { name: 'vm4a', host: 'xen4', blocker: { kind: 'alarm' as const, code: 'XH_ERR_MIGRATION_UNKNOWN' as const, message: 'could not be settled' }, message: 'vm4a: ALARM' };
    const wrong = cutByShutdown(drain, 'op1-3', failure('XH_ERR_REFUSED', 'the drain was stopped', [alarm, left]));
    expect(wrong.message).not.toContain('not by anything going wrong');
    expect(wrong.message).toContain('cut by the controller stopping (a restart or an upgrade of xenherd-controller), after an ALARM of vm4a (see below: check xenherdctl where first)');
    expect(wrong.remaining).toEqual([alarm, left]);
  });
});
