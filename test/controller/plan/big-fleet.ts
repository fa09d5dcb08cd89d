import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { MultiIndex } from '../../../controller/fleet/multi-index.js';
import { planFacts, type PlanFacts } from '../../../controller/plan/facts.js';
import type { LinkDomuConfig } from '../../../shared/protocol/agent-link-state.js';
import { record } from '../states.js';
import { NOW, statesOf, type DomuSpec, type FleetSpec } from './plan-fleet.js';

// The fleet the planners are held to at scale: the scale test checks their answers there, and
// `npm run bench -- --only plan` times them (timing belongs in the bench, never in a test).

/** 2,000 hosts in DRBD pairs, 20 domUs each (40,000); every 20th away at its peer, every 50th without a home. */
export function bigFleet(): FleetSpec {
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

/** The view as the controller core keeps it: every agent's report put into the index. */
export function bigFleetFacts(): PlanFacts {
  const states = statesOf(bigFleet());
  const index = new FleetIndex();
  const configs = new MultiIndex<LinkDomuConfig>();
  for (const [h, s] of states) {
    index.put({ ...record(h, s, NOW - 1_000), capabilities: ['migrate', 'maintenance', 'inspect'] });
    configs.replace(h, s.domus.map((c) => [c.name, c] as const));
  }
  return planFacts({ index, configs, fresh: { now: NOW, staleAfterMs: 15_000 } });
}
