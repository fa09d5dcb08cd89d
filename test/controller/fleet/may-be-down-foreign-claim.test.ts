import { describe, expect, it } from 'vitest';
import { downWithUnreportedOf } from '../../../controller/fleet/down-with-unreported.js';
import { checkFleet } from '../../../controller/fleet/fleet-check.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, record } from '../states.js';

// r1 pairs xen1 and xen2; web1 runs on it. The controller restarted while xen1 lay dead: xen1 has
// not reported since, and xen2, heard now, holds r1 Secondary, cut off from it. xen9 holds nothing
// of web1 (no config of it, no DRBD of r1) and yet lists web1 running: a foreign claim, an alert
// of its own, which no Dom0 runs web1 from. web1 is down if xen1 is, whatever xen9 says. The
// reports are written by hand in the link's shape, no tool captured.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = { name: 'web1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r1', hosts: ['xen1', 'xen2'] }] };
const xen2Now: LinkDrbdResource = { name: 'r1', role: 'Secondary', disk: 'UpToDate', peers: [{ name: 'xen1', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }] };
const xen1: HostRecord = { ...record('xen1', null, NOW, false), lastSeen: null };
const xen2 = record('xen2', hostState({ guarded: [guarded('web1', ['r1'])], domus: [config], drbd: { availability: 'ok', resources: [xen2Now] } }), NOW);
const xen9 = record('xen9', hostState({ domains: [dom('web1')] }), NOW);

describe('a domU only a foreign claim lists running, beside a Dom0 not reported since the controller started', () => {
  it('web1 may be down with xen1: xen9 running it does not count, as it holds nothing web1 runs from', () => {
    const index = mergeFleet([xen1, xen2, xen9], fresh).index;
    expect(downWithUnreportedOf(index, fresh, ['xen1']).get('xen1')?.domus).toEqual(['web1']);
  });

  it("check: xen1's line and r1's line on xen2 say web1 may be down with xen1, and xen9's claim stays its own alert", () => {
    const m = mergeFleet([xen1, xen2, xen9], fresh);
    const enrolment = { startedAt: NOW - 600_000, hosts: new Set(['xen1', 'xen2', 'xen9']), unreported: new Set(['xen1']), forgotten: new Map<string, number | null>() };
    const answer = CheckAnswerSchema.parse(checkFleet(m.index, mergedStatus(m, fresh).alerts, fresh, DEFAULT_CHECK_THRESHOLDS, new Set(), enrolment));
    expect(answer.details.find((d) => d.subject === 'r1 on xen2')).toMatchObject({ waitsFor: 'xen1', mayBeDown: ['web1'] });
    expect(answer.details.find((d) => d.subject === 'xen1')?.text).toMatch(/web1 may be down with xen1: it runs on no Dom0 that reports/);
    expect(answer.details.some((d) => d.kind === 'foreign-claim' && d.text.includes('xen9'))).toBe(true);
  });

  it('xen9 holding r1 with xen2 is no foreign claim: web1 runs there, not down with xen1', () => {
    const paired = record('xen9', hostState({ domains: [dom('web1')], domus: [{ ...config, resources: [{ name: 'r1', hosts: ['xen1', 'xen2', 'xen9'] }] }] }), NOW);
    const index = mergeFleet([xen1, xen2, paired], fresh).index;
    expect(downWithUnreportedOf(index, fresh, ['xen1']).size).toBe(0);
  });
});
