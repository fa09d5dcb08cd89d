import { describe, expect, it } from 'vitest';
import { leftoversBlock, planText } from '../../../controller/ctl/plan-table.js';
import { remainingText } from '../../../controller/jobs/job-env.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRebalance } from '../../../controller/plan/rebalance.js';
import type { Leftover } from '../../../shared/protocol/ctl-jobs.js';
import type { LeftoverAsRead } from '../../../shared/protocol/ctl-jobs-read.js';
import { factsOf, type DomuSpec, type FleetSpec } from '../plan/plan-fleet.js';

// A rebalance capped by --max-moves leaves the rest away for that one reason: each text that
// lists them says the sentence once, naming them all, whatever else it lists beside them.
const away = (i: number): DomuSpec => ({ name: `w${i}`, home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' });
const spec: FleetSpec = { hosts: { xen1: {}, xen2: {} }, domus: [away(1), away(2), away(3), away(4), away(5)] };
const times = (text: string): number => text.split('--max-moves').length - 1;

describe('the --max-moves sentence, once', () => {
  const plan = planRebalance(factsOf(spec), DEFAULT_POLICY, null, 2);
  const capped = plan.leftovers.map((l) => l.name);

  it('in the plan xenherdctl prints, its leftovers named in one line', () => {
    expect(capped).toHaveLength(3);
    const text = planText(plan);
    expect(times(text)).toBe(1);
    expect(text).toContain(`stay away from home (3):\n  ${capped[0]}, ${capped[1]} and ${capped[2]}: not in this plan, whose 2 moves (--max-moves) went to others; run the rebalance again once they are done\n`);
  });

  it("in the job's ending, beside a leftover of another reason", () => {
    const other: Leftover = { name: 'w0', host: 'xen2', blocker: { kind: 'mid-migration' }, message: 'w0 is being migrated right now' };
    const text = remainingText([other, ...plan.leftovers]);
    expect(times(text)).toBe(1);
    expect(text).toBe(`w0 is being migrated right now; ${capped.join(', ').replace(/, (\w+)$/, ' and $1')}: not in this plan, whose 2 moves (--max-moves) went to others; run the rebalance again once they are done`);
  });

  it('past 20 leftovers, one line for them all, not one per host', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ ...plan.leftovers[0], name: `v${i}`, host: i % 2 === 0 ? 'xen2' : 'xen3', message: `v${i}: not in this plan, whose 2 moves (--max-moves) went to others; run the rebalance again once they are done` }) as LeftoverAsRead);
    const text = leftoversBlock(many, 'remaining');
    expect(times(text)).toBe(1);
    expect(text).toBe('remaining (30, by host; --json lists each):\n  30 domUs (v0, v1, v2, ...): not in this plan, whose 2 moves (--max-moves) went to others; run the rebalance again once they are done\n');
  });

  it('a single one keeps its own sentence', () => {
    const one = planRebalance(factsOf({ ...spec, domus: spec.domus.slice(0, 3) }), DEFAULT_POLICY, null, 2);
    expect(one.leftovers).toHaveLength(1);
    expect(remainingText(one.leftovers)).toBe(one.leftovers[0]?.message);
  });
});
