import { seededRandom } from '../../../shared/random.js';
import type { DomuSpec, FleetSpec, HostSpec } from './plan-fleet.js';

/**
 * A random fleet from a seed (replayable): hosts of 16–64 GiB, DRBD pairs and some triples, domUs
 * of 256 MiB–8 GiB placed on one of their replica hosts (mostly home), some paused, crashed or
 * mid-migration, some without DRBD; a few hosts in maintenance, draining or unreachable. Hosts
 * may be full (then free memory is 0): planners must cope with what real fleets report.
 */
export function randomFleet(seed: number, size: { hosts?: number; domusPerHost?: number } = {}): FleetSpec {
  const rnd = seededRandom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const n = size.hosts ?? int(2, 24);
  const names = Array.from({ length: n }, (_, i) => `h${i}`);
  const hosts: Record<string, HostSpec> = {};
  for (const h of names) {
    const r = rnd();
    hosts[h] = { totalMiB: int(16, 64) * 1024, maintenance: r < 0.05 ? 'maintenance' : r < 0.08 ? 'draining' : 'online', reachable: rnd() > 0.05 };
  }
  const domus: DomuSpec[] = [];
  const per = size.domusPerHost ?? int(1, 8);
  let k = 0;
  for (const home of names) {
    const count = int(0, per * 2);
    for (let i = 0; i < count; i++) {
      const shape = rnd();
      const others = names.filter((h) => h !== home);
      const replicas = shape < 0.08 || others.length === 0 ? [] : shape < 0.2 && others.length > 1 ? [home, pick(others), pick(others)] : [home, pick(others)];
      const uniq = [...new Set(replicas)];
      const on = rnd() < 0.8 || uniq.length === 0 ? home : pick(uniq);
      const s = rnd();
      domus.push({
        name: `d${k++}`,
        home,
        replicas: uniq,
        memMiB: pick([256, 512, 1024, 2048, 4096, 8192]),
        vcpus: int(1, 8),
        on: s < 0.03 ? null : on,
        state: s < 0.06 ? 'paused' : s < 0.08 ? 'crashed' : 'blocked',
        migration: s > 0.98 ? 'migratedaway' : null,
        noConfig: rnd() < 0.03,
      });
    }
  }
  return { hosts, domus };
}
