import { describe, expect, it } from 'vitest';
import { planDrain } from '../../../controller/plan/drain.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRebalance } from '../../../controller/plan/rebalance.js';
import { planRestore } from '../../../controller/plan/restore.js';
import { planRoll } from '../../../controller/plan/roll.js';
import { bigFleetFacts } from './big-fleet.js';

// How long these take is the bench's business (`npm run bench -- --only plan`); here, that they
// answer at this size, and answer right. The limit is for a loaded 2-core machine.
describe('planning at 2,000 hosts / 40,000 domUs', () => {
  it('drain, restore, rebalance and roll plan the fleet', () => {
    const facts = bigFleetFacts();
    const drain = planDrain(facts, ['h10'], DEFAULT_POLICY);
    expect(drain.leftovers).toEqual([]);
    expect(drain.sets.flat().length).toBe(20);
    const restore = planRestore(facts, 'h11', DEFAULT_POLICY);
    // h11's domUs away at h10 (every 20th) come home; none is left out
    expect(restore.sets.flat().length).toBeGreaterThan(0);
    expect(restore.leftovers).toEqual([]);
    const rebalance = planRebalance(facts, DEFAULT_POLICY);
    expect(rebalance.scoreAfter).toBeLessThanOrEqual(rebalance.scoreBefore);
    const roll = planRoll(facts, Array.from({ length: 40 }, (_, i) => `h${i}`), DEFAULT_POLICY);
    expect(roll.groups.length).toBe(2);
  }, 180_000);
});
