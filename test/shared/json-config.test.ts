import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { describeIssues } from '../../shared/json-config.js';

describe('describeIssues', () => {
  it('names at most 5 unknown keys and 5 issues: 200,000 stray keys are not a 2 MB message', () => {
    const many = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, 1]));
    const r = z.strictObject({ url: z.string() }).safeParse({ url: 'x', ...many });
    expect(r.success).toBe(false);
    if (r.success) return;
    const m = describeIssues('/etc/xenherd/ctl.json', r.error.issues, 'xenherdctl --help');
    expect(m).toBe('/etc/xenherd/ctl.json: unknown key "k0", "k1", "k2", "k3", "k4" (and 199995 more): remove it or fix its spelling (see xenherdctl --help)');
    const bad = z.strictObject(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`n${i}`, z.number()]))).safeParse({});
    if (bad.success) return;
    const issues = describeIssues('c.json', bad.error.issues, 'h');
    expect(issues.split('; ')).toHaveLength(5);
    expect(issues.endsWith(' (and 3 more)')).toBe(true);
  });
});
