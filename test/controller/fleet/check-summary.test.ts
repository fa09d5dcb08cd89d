import { describe, expect, it } from 'vitest';
import type { CheckProblem } from '../../../controller/fleet/check-conditions.js';
import { problemSummary, ranked, SUMMARY_BUDGET } from '../../../controller/fleet/check-summary.js';
import type { CheckKind } from '../../../shared/protocol/ctl-check-kinds.js';

// The status line on its own: a few problems in their own words, more counted by kind, the worst
// kinds always on it, the line's length bounded by the number of kinds, never by the fleet's size.
const p = (status: CheckProblem['status'], kind: CheckKind, subject: string, short = `${subject} ${kind}`): CheckProblem => ({ status, kind, subject, short, text: `${subject}: ${kind}` });
const hosts = (n: number, from = 1) => Array.from({ length: n }, (_, k) => p('CRITICAL', 'host-unreachable', `xen${from + k}`, `xen${from + k} unreachable`));

describe('the status line', () => {
  it('up to three problems, each in its own words, worst first', () => {
    expect(problemSummary(ranked([p('WARNING', 'drbd-degraded', 'r1 on xen1', 'DRBD r1 not UpToDate on xen1'), ...hosts(1, 2)]))).toBe('xen2 unreachable, DRBD r1 not UpToDate on xen1');
    expect(problemSummary(ranked(hosts(3)))).toBe('xen1 unreachable, xen2 unreachable, xen3 unreachable');
  });

  it('more are counted by kind, three names each; a split brain before the silent hosts; subjects in natural order', () => {
    const split = p('CRITICAL', 'running-on-two-hosts', 'web0', 'web0 runs on xen1 and xen7');
    expect(problemSummary(ranked([...hosts(12).reverse(), split]))).toBe('1 domU running on two hosts (web0), 12 hosts unreachable (xen1, xen2, xen3, ...)');
  });

  it('less bad kinds while they fit, then counted by status', () => {
    const warnings = (['away-from-home', 'drbd-degraded', 'clock-off', 'start-deferred', 'home-claimed-twice', 'ledger-away-not-there', 'away-unrecorded'] as const).flatMap((k) =>
      Array.from({ length: 10 }, (_, i) => p('WARNING', k, `a-rather-long-domu-name-${k}-${i}`)),
    );
    const s = problemSummary(ranked([...hosts(50), ...warnings]));
    expect(s).toMatch(/^50 hosts unreachable \(xen1, xen2, xen3, \.\.\.\), 10 domUs claimed as home twice \(.*\); 60 more warnings$/);
    expect(s.length).toBeLessThanOrEqual(SUMMARY_BUDGET);
    // the same warnings as the worst: every kind on the line, its names given up to keep it short
    expect(problemSummary(ranked(warnings))).toBe(
      "10 domUs claimed as home twice, 10 domUs not where their homes' ledgers say, 10 domUs away with no ledger record, 10 domU starts deferred, 10 domUs away from home, 10 DRBD resources degraded, 10 Dom0 clocks off",
    );
  });

  it('when even the worst kinds would not fit with names, names give way, never the kinds', () => {
    const kinds = ['running-on-two-hosts', 'drbd-primary-on-both', 'migration-stranded', 'migration-unsettled', 'host-unreachable', 'down-ledger-says-away', 'start-deferred', 'not-home-too-long', 'down-in-maintenance'] as const;
    const all = kinds.flatMap((k) => Array.from({ length: 4 }, (_, i) => p('CRITICAL', k, `${'x'.repeat(30)}-${k}-${i}`)));
    const s = problemSummary(ranked(all));
    expect(s.split(', ').filter((part) => /^4 /.test(part))).toHaveLength(kinds.length);
    expect(s).not.toContain('xxx');
    expect(s.startsWith('4 domUs running on two hosts, 4 DRBD resources Primary on two hosts, 4 migrations stranded, 4 migrations ended unknown, 4 hosts unreachable')).toBe(true);
  });
});
