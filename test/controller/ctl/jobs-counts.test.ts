import { describe, expect, it } from 'vitest';
import { jobsText } from '../../../controller/ctl/commands/jobs.js';
import type { JobRow } from '../../../controller/ctl/jobs-answer.js';

const drain = (counts: Pick<JobRow, 'moved' | 'running' | 'failed' | 'remaining'>): JobRow => ({
  id: 'job-1',
  kind: 'drain',
  domu: null,
  hosts: ['xen1'],
  startedBy: 'alice',
  startedAt: 1_000_000,
  ageMs: 5_000,
  state: 'running',
  step: null,
  cancel: true,
  endedAt: null,
  code: null,
  message: null,
  ...counts,
});

describe('xenherdctl jobs: a running job\'s counts', () => {
  it('add up to the plan: a one-move drain with its move running reads 0 moved, 1 running, 0 left', () => {
    // the controller's remaining counts the running move too (job-tally.ts)
    const text = jobsText({ at: 1_005_000, running: [drain({ moved: 0, running: 1, failed: 0, remaining: 1 })], finished: [], remembers: 20 });
    expect(text).toMatch(/running: 0 moved, 1 running, 0 left\n/);
  });

  it('of a drain of five, two moved, one failed, one running: one left', () => {
    const text = jobsText({ at: 1_005_000, running: [drain({ moved: 2, running: 1, failed: 1, remaining: 2 })], finished: [], remembers: 20 });
    expect(text).toMatch(/running: 2 moved, 1 running, 1 left, 1 failed\n/);
  });
});
