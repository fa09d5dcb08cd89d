import { describe, expect, it } from 'vitest';
import { REPORT_WAIT_MAX_MS, reportingProgress, reportWaitMs } from './report-wait.js';

describe('playground report wait', () => {
  it('grows with the agents past the fixed minute, and stays bounded', () => {
    expect(reportWaitMs(2)).toBeGreaterThanOrEqual(60_000);
    expect(reportWaitMs(40)).toBeGreaterThan(reportWaitMs(12));
    expect(reportWaitMs(12)).toBeGreaterThan(60_000);
    expect(reportWaitMs(40)).toBeGreaterThanOrEqual(200_000);
    expect(reportWaitMs(10_000)).toBe(REPORT_WAIT_MAX_MS);
  });

  it('says how many agents report and names the first missing ones', () => {
    expect(reportingProgress(12, 40, ['xen13', 'xen14', 'xen15', 'xen16', 'xen17', 'xen18', 'xen19'])).toBe('12/40 agents reporting (waiting for xen13, xen14, xen15, xen16, xen17 and 2 more)');
    expect(reportingProgress(2, 2, [])).toBe('2/2 agents reporting');
  });
});
