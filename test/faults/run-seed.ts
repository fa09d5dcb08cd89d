import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { JobEnd } from '../../shared/protocol/ctl-jobs.js';
import { describeStep, drawSteps } from './steps.js';
import { faultFleet } from './fault-fleet.js';
import { FaultWorld, type Trace } from './fault-world.js';
import { Invariants } from './invariants.js';

export interface SeedRun {
  readonly seed: number;
  readonly violations: string[];
  readonly trace: Trace;
  /** steps applied (fewer than asked when a violation stopped the run) */
  readonly steps: number;
  readonly faults: Record<string, number>;
  /** domUs left in an ALARM for a person (an ambiguous ending, never guessed) */
  readonly alarms: number;
}

export interface SeedOptions {
  readonly steps?: number;
  readonly hosts?: number;
  /** every tool the agents run goes into the trace too */
  readonly traceTools?: boolean;
}

/** The command that replays one seed with its trace. */
export const replayCommand = (seed: number, o: SeedOptions = {}): string =>
  `node packaging/run-ts.mjs test/faults/replay.ts ${seed}${o.steps ? ` --steps ${o.steps}` : ''}${o.hosts ? ` --hosts ${o.hosts}` : ''}`;

/**
 * One fault run: the seed draws a fleet and a list of steps (operator commands and faults); each
 * step is applied, time moves on in simulated seconds with the promises checked after each; then
 * every fault is healed, the controller restarted, every Dom0 restored, and the end state checked.
 */
export async function runSeed(seed: number, o: SeedOptions = {}): Promise<SeedRun> {
  const def = faultFleet(seed, o.hosts ?? 4);
  const trace: Trace = [];
  // in memory where the machine has it: thousands of runs write (and fsync) the agents' state files
  const dir = existsSync('/dev/shm') ? mkdtempSync(join('/dev/shm', 'xenherd-faults-')) : undefined;
  const w = await FaultWorld.start(def, trace, { traceTools: o.traceTools ?? false, ...(dir ? { dir } : {}) });
  const inv = new Invariants(w);
  const violations: string[] = [];
  const faults: Record<string, number> = {};
  const pass = async (ms: number): Promise<void> => {
    for (let left = ms; left > 0 && violations.length === 0; left -= 1_000) {
      await w.fleet.advance(Math.min(1_000, left));
      const v = inv.during();
      for (const x of v) w.log(`VIOLATION ${x}`);
      violations.push(...v);
    }
  };
  const settle = async (p: Promise<unknown>, maxMs: number): Promise<boolean> => {
    let done = false;
    void p.then(() => (done = true));
    for (let t = 0; t < maxMs && !done && violations.length === 0; t += 1_000) await pass(1_000);
    return done;
  };
  /** as an operator would: a restore refused because the crashed controller's lease still runs is asked again */
  const restore = async (h: string): Promise<void> => {
    for (let attempt = 1; attempt <= 5 && violations.length === 0; attempt++) {
      w.log(`restore ${h}${attempt > 1 ? ` (again, ${attempt})` : ''}`);
      let end: JobEnd | null = null;
      const job = w.job({ kind: 'restore', host: h, timeoutMs: 900_000 }).then((e) => (end = e));
      if (!(await settle(job, 1_200_000))) return void violations.push(`restore ${h} did not end within 20 simulated minutes`);
      if ((end as JobEnd | null)?.code !== 'XH_ERR_LOCKED') return;
      await pass(30_000);
    }
  };
  let applied = 0;
  try {
    await pass(10_000);
    for (const s of drawSteps(seed, def, o.steps ?? 25)) {
      if (violations.length > 0) break;
      w.log(describeStep(s));
      faults[s.kind] = (faults[s.kind] ?? 0) + 1;
      w.apply(s);
      applied++;
      await pass(s.waitMs);
    }
    if (violations.length === 0) {
      w.log('heal: faults cleared, every Dom0 on, every DRBD link up, agents and a new controller started');
      heal(w);
      // agents come back on their own reconnect backoff (up to 90 s after long failures)
      if (!(await settle(until(w, () => w.allReporting()), 300_000))) {
        violations.push('after healing, not every agent reported to the controller within 5 simulated minutes');
        for (const h of def.hosts) w.log(`  ${h}: agent ${w.agentsUp.has(h) ? 'up' : 'down'}; last: ${w.fleet.agent(h).logs.slice(-3).map((l) => l.msg.slice(0, 140)).join(' | ')}`);
      }
      await pass(10_000);
      for (const h of def.hosts) await restore(h);
      await pass(60_000);
      if (violations.length === 0) {
        const end = inv.atEnd();
        for (const x of end) w.log(`VIOLATION ${x}`);
        violations.push(...end);
      }
    }
  } finally {
    await w.fleet.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return { seed, violations, trace, steps: applied, faults, alarms: w.alarms().size };
}

/** A promise that resolves once cond() holds, checked as simulated time passes. */
function until(w: FaultWorld, cond: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (cond()) resolve();
      else w.fleet.sim.clock.schedule(500, check);
    };
    check();
  });
}

function heal(w: FaultWorld): void {
  const { sim } = w.fleet;
  sim.clearToolFaults();
  for (const d of w.def.domus) sim.migrationFault(d.name, null);
  for (const h of w.def.hosts) if (sim.state().hosts[h]?.power !== 'on') sim.power(h, 'on');
  for (const h of w.def.hosts) if (!w.agentsUp.has(h)) w.startAgent(h);
  for (const d of w.def.domus) sim.drbd(d.resource, 'connect');
  // a new controller: the run's jobs end with the old one, the agents keep what they own
  w.fleet.controller?.restart();
  w.controllerUp = true;
}
