import { describe, expect, it } from 'vitest';
import type { CheckProblem } from '../../../controller/fleet/check-conditions.js';
import { RefusedAgents, withUnheardAdvice } from '../../../controller/fleet/refused-agents.js';

const T0 = Date.UTC(2026, 11, 5, 3, 7, 0);
const unreachable = (host: string): CheckProblem => ({ status: 'CRITICAL', kind: 'host-unreachable', subject: host, short: `${host} unreachable`, text: `${host}: agent unreachable (last heard 36 s ago)` });

describe('RefusedAgents', () => {
  it('keeps one entry per host: the last reason, since the first refusal of that token id', () => {
    const r = new RefusedAgents();
    for (let i = 0; i < 1000; i++) r.refused('xen3', '5f4a017765ea', 'wrong secret for token id 5f4a017765ea', T0 + i * 1000);
    expect(r.of('xen3')).toEqual({ tokenId: '5f4a017765ea', reason: 'wrong secret for token id 5f4a017765ea', since: T0, lastAt: T0 + 999_000 });
    // the host enrolled again, its agent still on the old token: a new run of refusals
    r.refused('xen3', '0123456789ab', 'wrong secret for token id 0123456789ab', T0 + 2_000_000);
    expect(r.of('xen3')?.since).toBe(T0 + 2_000_000);
    r.clear('xen3');
    expect(r.of('xen3')).toBeUndefined();
  });
});

describe("check's line of an unreachable host", () => {
  it('whose agent is refused for its token says so, since when, and the enroll that fixes it; another names the Dom0 and the agent unit to look at', () => {
    const r = new RefusedAgents();
    r.refused('xen3', '5f4a017765ea', 'wrong secret for token id 5f4a017765ea', T0);
    const other: CheckProblem = { status: 'WARNING', kind: 'clock-off', subject: 'xen3', short: 'x', text: 'xen3: its clock is off' };
    const out = withUnheardAdvice([unreachable('xen3'), unreachable('xen4'), other], (h) => r.of(h));
    expect(out.map((p) => p.text)).toEqual([
      'xen3: agent unreachable (last heard 36 s ago): its agent connects but its token is refused (wrong secret for token id 5f4a017765ea) since 2026-12-05 03:07 UTC: enroll it again: xenherd-controller enroll xen3, and put the token it prints in its agent.json',
      'xen4: agent unreachable (last heard 36 s ago): check that xen4 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent',
      'xen3: its clock is off',
    ]);
    expect(out[0]?.short).toBe('xen3 agent token refused');
  });
});
