import type { Clock } from '../../shared/clock/clock.js';
import type { PlanOf } from '../../shared/protocol/ctl-jobs.js';
import { drainSteps } from '../plan/drain.js';
import type { PlanFacts } from '../plan/facts.js';
import type { PlanPolicy } from '../plan/policy.js';
import { rebalanceSteps } from '../plan/rebalance.js';
import { rollSteps } from '../plan/roll.js';
import type { Steps } from '../plan/steps.js';
import { failure, type Ending } from './job-env.js';
import type { JobRun } from './job-run.js';

/**
 * How long one slice of planning may hold the event loop (ms on the clock). An operator's plan is
 * not urgent; what waits behind it is: `where`, `check`, agent messages, the link sweep.
 */
export const PLAN_SLICE_MS = 5;

/**
 * Runs STEPS to their plan a slice of at most SLICE_MS at a time, with the event loop free between
 * slices (the first runs before it returns). On a clock whose time moves only between turns (the
 * simulator's) it all runs in that first slice. The planners read the fleet view as it is when
 * they reach each part of it: an agent's report arriving between slices may be seen by a later
 * one. That is no new risk: every move is judged again against the view right before it starts.
 */
export function planInSlices<T>(clock: Clock, steps: Steps<T>, sliceMs = PLAN_SLICE_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const slice = (): void => {
      const until = clock.now() + sliceMs;
      try {
        for (;;) {
          const r = steps.next();
          if (r.done === true) return resolve(r.value);
          if (clock.now() >= until) break;
        }
      } catch (e) {
        // thrown in a later slice, it would otherwise be an uncaught exception and the plan never answered
        return reject(e);
      }
      if (clock.soon) clock.soon(slice);
      else clock.schedule(0, slice);
    };
    slice();
  });
}

export const rebalanceInSlices = (clock: Clock, facts: PlanFacts, policy: PlanPolicy, paused: string | null, maxMoves: number | null): Promise<PlanOf<'rebalance'>> =>
  planInSlices(clock, rebalanceSteps(facts, policy, paused, maxMoves));

export const drainInSlices = (clock: Clock, facts: PlanFacts, hosts: readonly string[], policy: PlanPolicy): Promise<PlanOf<'drain'>> => planInSlices(clock, drainSteps(facts, hosts, policy));

export const rollInSlices = (clock: Clock, facts: PlanFacts, hosts: readonly string[], policy: PlanPolicy, groupSize: number | null): Promise<PlanOf<'roll'>> =>
  planInSlices(clock, rollSteps(facts, hosts, policy, groupSize));

/**
 * The ending of a job stopped (a Ctrl-C, a shutdown) while its first plan was made in slices, or
 * null: it goes on. Planned at once, nothing could stop it there; now a roll would otherwise set
 * its first group draining only to give the flags back.
 */
export function stoppedWhilePlanning(job: JobRun, kind: string): Ending | null {
  const stop = job.stopReason;
  if (stop === null) return null;
  const how = stop === 'cancelled' ? 'was cancelled' : stop === 'timeout' ? 'ran out of its --timeout' : 'was stopped (the controller is shutting down)';
  return failure(stop === 'timeout' ? 'XH_ERR_TIMEOUT' : 'XH_ERR_REFUSED', `the ${kind} ${how} while it planned: nothing was changed`);
}
