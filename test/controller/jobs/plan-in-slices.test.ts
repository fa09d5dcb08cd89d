import { describe, expect, it } from 'vitest';
import { drainInSlices, planInSlices, rebalanceInSlices, rollInSlices } from '../../../controller/jobs/plan-in-slices.js';
import { planDrain } from '../../../controller/plan/drain.js';
import { DEFAULT_POLICY, type PlanPolicy } from '../../../controller/plan/policy.js';
import { planRebalance } from '../../../controller/plan/rebalance.js';
import { planRoll } from '../../../controller/plan/roll.js';
import type { Steps } from '../../../controller/plan/steps.js';
import type { Clock } from '../../../shared/clock/clock.js';
import type { JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { jobsBed, SPREAD } from './jobs-bed.js';
import { randomFleet } from '../plan/fleet-gen.js';
import { factsOf, type DomuSpec, type FleetSpec } from '../plan/plan-fleet.js';

const T0 = Date.UTC(2024, 5, 1, 12, 0, 0);

/**
 * The simulator's deterministic clock, except that each reading of it is a millisecond later:
 * work in slices then sees its time run out as it would on a busy controller, and every slice
 * after the first waits for a 0 ms timer, which runs only in advance().
 */
function busyClock(): { clock: Clock; run: () => Promise<void>; slices: () => number } {
  const sim = deterministicClock(T0);
  let reads = 0;
  let slices = 1;
  const clock: Clock = {
    now: () => sim.now() + reads++,
    schedule: (ms, fn) => {
      slices++;
      return sim.schedule(ms, fn);
    },
    sleep: (ms) => sim.sleep(ms),
  };
  // a 0 ms timer set while timers fire is due in the same advance: one runs every slice, each after the loop was free
  return { clock, run: () => sim.advance(0), slices: () => slices };
}

/** the plan STEPS give in slices on a busy clock, and how many slices it took */
async function sliced<T>(start: (clock: Clock) => Promise<T>): Promise<{ plan: T; slices: number }> {
  const c = busyClock();
  let plan: { value: T } | null = null;
  const p = start(c.clock).then((value) => (plan = { value }));
  await c.run();
  await p;
  if (plan === null) throw new Error('no plan');
  return { plan: (plan as { value: T }).value, slices: c.slices() };
}

/** every weight on balance, so a plan makes many moves over many rounds (the default sends domUs home and stops) */
const EVENING: PlanPolicy = { ...DEFAULT_POLICY, rebalance: { ...DEFAULT_POLICY.rebalance, weights: { memory: 1, vcpu: 0.5, away: 0 }, minGain: 0.0001 } };

/** N hosts in DRBD pairs, PER domUs each: every 7th away at its peer, every 11th without a home (big-fleet.ts, small) */
function pairsFleet(n: number, per: number): FleetSpec {
  const hosts: FleetSpec['hosts'] = Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, { totalMiB: 65_536 }]));
  const domus: DomuSpec[] = [];
  for (let i = 0; i < n; i++) {
    const home = `h${i}`;
    const peer = `h${i % 2 === 0 ? i + 1 : i - 1}`;
    for (let k = 0; k < per; k++) {
      const m = domus.length;
      domus.push({ name: `d${m}`, home, replicas: [home, peer], memMiB: 1024 * (1 + (m % 5)), vcpus: 1 + (m % 4), on: m % 7 === 0 ? peer : home, noHome: m % 11 === 0 });
    }
  }
  return { hosts, domus };
}

const FLEETS: Array<[string, FleetSpec]> = [
  ...[1, 2, 3, 7, 11, 42].map((seed): [string, FleetSpec] => [`random fleet ${seed}`, randomFleet(seed)]),
  ['random fleet 5, 60 hosts', randomFleet(5, { hosts: 60, domusPerHost: 8 })],
  ['random fleet 9, 40 hosts', randomFleet(9, { hosts: 40, domusPerHost: 12 })],
  ['40 hosts in pairs', pairsFleet(40, 6)],
];

describe('planning in slices', () => {
  for (const [name, spec] of FLEETS) {
    it(`${name}: the sliced rebalance, drain and roll are the plans planned at once`, async () => {
      const hosts = Object.keys(spec.hosts).sort();
      for (const [policy, maxMoves] of [[DEFAULT_POLICY, null], [EVENING, 200], [EVENING, 3]] as const) {
        const at = await sliced((clock) => rebalanceInSlices(clock, factsOf(spec), policy, null, maxMoves));
        expect(at.plan).toEqual(planRebalance(factsOf(spec), policy, null, maxMoves));
      }
      const paused = await sliced((clock) => rebalanceInSlices(clock, factsOf(spec), DEFAULT_POLICY, 'a drain of h0 runs', null));
      expect(paused.plan).toEqual(planRebalance(factsOf(spec), DEFAULT_POLICY, 'a drain of h0 runs', null));
      const some = hosts.filter((_, i) => i % 3 === 0);
      expect((await sliced((clock) => drainInSlices(clock, factsOf(spec), some, DEFAULT_POLICY))).plan).toEqual(planDrain(factsOf(spec), some, DEFAULT_POLICY));
      // a roll of every host mostly refuses (random fleets have hosts nothing can leave); one of those a drain empties is grouped
      const f = factsOf(spec);
      const drainable = hosts.filter((h) => planDrain(f, [h], DEFAULT_POLICY).leftovers.length === 0);
      for (const rolled of [hosts, drainable]) {
        for (const groupSize of [null, 2]) {
          expect((await sliced((clock) => rollInSlices(clock, factsOf(spec), rolled, DEFAULT_POLICY, groupSize))).plan).toEqual(planRoll(factsOf(spec), rolled, DEFAULT_POLICY, groupSize));
        }
      }
    });
  }

  it('gives the event loop back: a rebalance of a 60-host fleet and a roll of 40 hosts take many slices, and return before their plan is done', async () => {
    const spec = randomFleet(5, { hosts: 60, domusPerHost: 8 });
    const c = busyClock();
    let done = false;
    const p = rebalanceInSlices(c.clock, factsOf(spec), EVENING, null, 50).then((plan) => {
      done = true;
      return plan;
    });
    // the first slice ran in the call; the rest waits for the loop's next turns
    expect([done, c.slices()]).toEqual([false, 2]);
    await c.run();
    const plan = await p;
    expect(plan.sets.flat().length).toBeGreaterThan(3);
    expect(c.slices()).toBeGreaterThan(10);
    const pairs = pairsFleet(40, 6);
    const roll = await sliced((clock) => rollInSlices(clock, factsOf(pairs), Object.keys(pairs.hosts), DEFAULT_POLICY, null));
    expect([roll.plan.groups.length, roll.plan.leftovers]).toEqual([2, []]);
    expect(roll.slices).toBeGreaterThan(10);
  });

  it('on a clock whose time moves only between turns (the simulator\'s), it plans in the first slice', async () => {
    const sim = deterministicClock(T0);
    const spec = randomFleet(3);
    let done = false;
    const p = rebalanceInSlices(sim, factsOf(spec), DEFAULT_POLICY, null, null).then((plan) => {
      done = true;
      return plan;
    });
    await Promise.resolve();
    expect(done).toBe(true);
    expect(await p).toEqual(planRebalance(factsOf(spec), DEFAULT_POLICY));
  });

  it('a planner that throws in a later slice rejects the plan instead of throwing out of a timer', async () => {
    function* failing(): Steps<number> {
      for (let i = 0; i < 20; i++) yield;
      throw new Error('no such host');
    }
    const c = busyClock();
    const p = planInSlices(c.clock, failing());
    const settled = p.then(
      () => 'resolved',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    await c.run();
    expect(await settled).toBe('no such host');
    expect(c.slices()).toBeGreaterThan(2);
  });
});

describe('a job stopped while its first plan is made in slices', () => {
  const asked: JobRequest[] = [
    { kind: 'rebalance', maxMoves: null, timeoutMs: null },
    { kind: 'roll', hosts: ['xen1'], reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null },
  ];
  for (const req of asked) {
    it(`${req.kind}: ends saying nothing was changed, and changes nothing`, async () => {
      const bed = await jobsBed(SPREAD);
      const job = bed.start(req);
      // the job awaits its plan: a cancel in the same turn comes before the job goes on from it
      expect(bed.core.hub.cancel(job.jobId, 'admin')).toMatchObject({ ok: true });
      const end = await bed.finish(job);
      expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 0, message: `the ${req.kind} was cancelled while it planned: nothing was changed` });
      expect(job.events.map((e) => e.type)).not.toContain('host');
      expect(bed.moves(job)).toEqual([]);
      expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
    });
  }
});
