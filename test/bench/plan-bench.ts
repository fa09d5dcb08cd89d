// The planners at 2,000 hosts / 40,000 domUs (the fleet of test/controller/plan/scale.test.ts,
// which checks their answers there): how long an operator waits for each plan, on the host's clock.
import { performance } from 'node:perf_hooks';
import { planDrain } from '../../controller/plan/drain.js';
import { DEFAULT_POLICY } from '../../controller/plan/policy.js';
import { planRebalance } from '../../controller/plan/rebalance.js';
import { planRestore } from '../../controller/plan/restore.js';
import { planRoll } from '../../controller/plan/roll.js';
import { bigFleetFacts } from '../controller/plan/big-fleet.js';
import { say, type Row } from './table.js';

const time = <T>(f: () => T): { value: T; ms: number } => {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
};

export function planBench(rows: Row[]): void {
  say('plan: drain, restore, rebalance and roll plans at 2,000 hosts / 40,000 domUs');
  const facts = time(() => bigFleetFacts());
  const drain = time(() => planDrain(facts.value, ['h10'], DEFAULT_POLICY));
  const restore = time(() => planRestore(facts.value, 'h11', DEFAULT_POLICY));
  const rebalance = time(() => planRebalance(facts.value, DEFAULT_POLICY));
  const roll = time(() => planRoll(facts.value, Array.from({ length: 40 }, (_, i) => `h${i}`), DEFAULT_POLICY));
  const ms = (x: number): string => `${x.toFixed(x < 100 ? 1 : 0)} ms`;
  rows.push({ what: 'plan at 2,000 hosts: the reports indexed into plan facts', measured: ms(facts.ms), target: '(info)', pass: true });
  rows.push({ what: `plan drain of one host (${drain.value.sets.flat().length} moves)`, measured: ms(drain.ms), target: '< 500 ms', pass: drain.ms < 500 });
  rows.push({ what: `plan restore of one host (${restore.value.sets.flat().length} moves)`, measured: ms(restore.ms), target: '< 2,000 ms', pass: restore.ms < 2_000 });
  rows.push({ what: `plan rebalance (${rebalance.value.sets.flat().length} moves, score ${rebalance.value.scoreBefore.toFixed(2)} → ${rebalance.value.scoreAfter.toFixed(2)})`, measured: ms(rebalance.ms), target: '< 30,000 ms', pass: rebalance.ms < 30_000 });
  rows.push({ what: `plan roll of 40 hosts (${roll.value.groups.length} groups)`, measured: ms(roll.ms), target: '(info)', pass: true });
}
