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
  it('say left what --json says remaining: a one-move drain with its move not ended reads 1 left (1 running), not 0 left', () => {
    // the controller's remaining counts the running move too (job-tally.ts)
    const text = jobsText({ at: 1_005_000, running: [drain({ moved: 0, running: 1, failed: 0, remaining: 1 })], finished: [], remembers: 20 });
    expect(text).toMatch(/running: 0 moved, 1 left \(1 running\)\n/);
  });

  it('of a drain of five, two moved, one failed, one running: two left, one of them running', () => {
    const text = jobsText({ at: 1_005_000, running: [drain({ moved: 2, running: 1, failed: 1, remaining: 2 })], finished: [], remembers: 20 });
    expect(text).toMatch(/running: 2 moved, 2 left \(1 running\), 1 failed\n/);
  });
});

const RACK = Array.from({ length: 20 }, (_, i) => `xen${String(21 + i).padStart(3, '0')}`);
const roll = (counts: Pick<JobRow, 'moved' | 'running' | 'failed' | 'remaining'>): JobRow => ({ ...drain(counts), id: 'job-2', kind: 'roll', hosts: RACK, step: 'xen040: draining' });
const ended = (r: JobRow, message: string): JobRow => ({ ...r, state: 'done', cancel: false, endedAt: 1_004_000, message, moved: null, running: null, failed: null, remaining: null });

describe('xenherdctl jobs: a roll of a rack of 20', () => {
  it('names three of its hosts and how many more, so the other rows and its STATE keep their place', () => {
    const rebalance = ended({ ...drain({ moved: 0, running: 0, failed: 0, remaining: 0 }), id: 'job-3', kind: 'rebalance', hosts: [] }, 'the fleet is balanced: nothing to move');
    const text = jobsText({ at: 1_005_000, running: [roll({ moved: 2, running: 2, failed: 0, remaining: 2 })], finished: [ended(roll({ moved: 0, running: 0, failed: 0, remaining: 0 }), 'rolled 20 host(s)'), rebalance], remembers: 20 });
    const rows = text.split('\n');
    expect(rows[1]).toMatch(/^job-2 +roll +xen021 xen022 xen023 \+17 more {2}alice /);
    expect(rows.find((l) => l.startsWith('job-3'))).toMatch(/^job-3 +rebalance +\(fleet\) {24}alice /);
    expect(Math.max(...rows.map((l) => l.length))).toBeLessThan(160);
  });

  it('counts its moves without a "left": its total is not known before each group is planned', () => {
    const text = jobsText({ at: 1_005_000, running: [roll({ moved: 2, running: 2, failed: 0, remaining: 2 })], finished: [], remembers: 20 });
    expect(text).toContain('running: 2 moved, 2 running; xen040: draining\n');
  });
});

