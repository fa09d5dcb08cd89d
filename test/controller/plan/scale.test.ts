import { describe, expect, it } from 'vitest';
import { planDrain } from '../../../controller/plan/drain.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRebalance } from '../../../controller/plan/rebalance.js';
import { planRestore } from '../../../controller/plan/restore.js';
import { planRoll } from '../../../controller/plan/roll.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { MultiIndex } from '../../../controller/fleet/multi-index.js';
import { planFacts } from '../../../controller/plan/facts.js';
import type { LinkDomuConfig } from '../../../shared/protocol/agent-link-state.js';
import { record } from '../states.js';
import { NOW, statesOf, type DomuSpec, type FleetSpec } from './plan-fleet.js';

/** 2,000 hosts in DRBD pairs, 20 domUs each (40,000); every 20th away at its peer, every 50th without a home. */
function bigFleet(): FleetSpec {
  const hosts: FleetSpec['hosts'] = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`h${i}`, { totalMiB: 262_144 }]));
  const domus: DomuSpec[] = [];
  for (let i = 0; i < 2000; i++) {
    const home = `h${i}`;
    const peer = `h${i % 2 === 0 ? i + 1 : i - 1}`;
    for (let k = 0; k < 20; k++) {
      const n = domus.length;
      domus.push({ name: `d${n}`, home, replicas: [home, peer], memMiB: 1024 * (1 + (n % 8)), vcpus: 1 + (n % 4), on: n % 20 === 0 ? peer : home, noHome: n % 50 === 0 });
    }
  }
  return { hosts, domus };
}

const time = <T>(f: () => T): { value: T; ms: number } => {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
};

describe('planning at 2,000 hosts / 40,000 domUs', () => {
  it('drain, restore, rebalance and roll plan within the time an operator waits', () => {
    const states = statesOf(bigFleet());
    // the view as the controller core keeps it: every agent's report put into the index
    const facts = time(() => {
      const index = new FleetIndex();
      const configs = new MultiIndex<LinkDomuConfig>();
      for (const [h, s] of states) {
        index.put({ ...record(h, s, NOW - 1_000), capabilities: ['migrate', 'maintenance', 'inspect'] });
        configs.replace(h, s.domus.map((c) => [c.name, c] as const));
      }
      return planFacts({ index, configs, fresh: { now: NOW, staleAfterMs: 15_000 } });
    });
    const drain = time(() => planDrain(facts.value, ['h10'], DEFAULT_POLICY));
    const restore = time(() => planRestore(facts.value, 'h11', DEFAULT_POLICY));
    const rebalance = time(() => planRebalance(facts.value, DEFAULT_POLICY));
    const roll = time(() => planRoll(facts.value, Array.from({ length: 40 }, (_, i) => `h${i}`), DEFAULT_POLICY));
    console.log(
      `2,000 hosts / 40,000 domUs: indexing the reports ${facts.ms.toFixed(0)} ms; drain of one host ${drain.ms.toFixed(1)} ms (${drain.value.sets.flat().length} moves); restore ${restore.ms.toFixed(1)} ms; ` +
        `rebalance ${rebalance.ms.toFixed(0)} ms (${rebalance.value.sets.flat().length} moves, score ${rebalance.value.scoreBefore.toFixed(2)} → ${rebalance.value.scoreAfter.toFixed(2)}); roll of 40 hosts ${roll.ms.toFixed(0)} ms (${roll.value.groups.length} groups)`,
    );
    expect(drain.value.leftovers).toEqual([]);
    expect(drain.ms).toBeLessThan(500);
    expect(restore.ms).toBeLessThan(2_000);
    expect(rebalance.ms).toBeLessThan(30_000);
    expect(roll.value.groups.length).toBe(2);
  });
});
