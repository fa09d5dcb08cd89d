import { describe, expect, it } from 'vitest';
import { checkFleet } from '../../../controller/fleet/fleet-check.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import type { Alert } from '../../../shared/protocol/ctl-api.js';
import { CHECK_TEXT_MAX, CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { dom, hostState, record } from '../states.js';

// An alert's message has no bound of its own (a split brain's sides, a ledger listing many Dom0s):
// a check line longer than the answer's schema takes made xenherdctl refuse the whole answer, and
// Nagios read UNKNOWN where it should have paged.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };

describe("check's answer stays within what xenherdctl reads", () => {
  it('a line longer than an answer carries is cut to it, the status line too, and the answer reads', () => {
    const m = mergeFleet([record('xen1', hostState({ domains: [dom('web1')] }), NOW), record('xen2', hostState({ domains: [dom('web1')] }), NOW)], fresh);
    const long: Alert = { id: 'running-on-two-hosts:web1', kind: 'running-on-two-hosts', subject: 'web1', hosts: ['xen1', 'xen2'], message: `web1 runs on xen1 and xen2${'; a side said at length'.repeat(300)}`, since: NOW };
    const a = CheckAnswerSchema.parse(checkFleet(m.index, [long], fresh, DEFAULT_CHECK_THRESHOLDS));
    const line = a.details.find((d) => d.kind === 'running-on-two-hosts')?.text ?? '';
    expect(line.length).toBe(CHECK_TEXT_MAX);
    expect(line.startsWith('alert running-on-two-hosts: web1 runs on xen1 and xen2; a side said')).toBe(true);
    expect(line.endsWith('…')).toBe(true);
    expect(a.status).toBe('CRITICAL');
  });
});
