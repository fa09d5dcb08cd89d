// A drain of 40 domUs on the simulated fleet (the controller core and stand-in Dom0s on the
// deterministic clock, as in test/controller/jobs/): the makespan against the lower bound the
// concurrency limits allow, and against a loop that polls every 5 s with at most two migrations in
// flight (the way nova-compute-maintenance drains a host); the controller's own time per
// migration, measured on the host's clock while the simulated fleet runs.
import { performance } from 'node:perf_hooks';
import { jobsBed, T0 } from '../controller/jobs/jobs-bed.js';
import type { SimSpec } from '../controller/jobs/sim-fleet.js';
import { say, type Row } from './table.js';

const COUNT = 40;
const POLL_MS = 5_000;
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: 2, coldFallback: false, allowPartial: false, timeoutMs: null } as const;

/** xen1 runs COUNT domUs of 1–4 GiB, replicated to xen2 or xen3 (alternating). */
const fleet = (): SimSpec => ({
  hosts: [{ name: 'xen1', totalMiB: 262_144 }, { name: 'xen2', totalMiB: 262_144 }, { name: 'xen3', totalMiB: 262_144 }],
  domus: Array.from({ length: COUNT }, (_, i) => ({ name: `d${String(i).padStart(2, '0')}`, home: 'xen1', replicas: ['xen1', i % 2 === 0 ? 'xen2' : 'xen3'], memMiB: 1024 * (1 + (i % 4)) })),
});

export interface Migration {
  readonly ms: number;
  readonly target: string;
}

/**
 * The polling loop's makespan for the same migrations under the same limits: every POLL_MS it
 * sees which finished and starts the next ones that fit (at most inFlight, one into each target),
 * in list order; done at the poll that sees the last one finish.
 */
export function pollingMakespan(migrations: readonly Migration[], inFlight = 2, pollMs = POLL_MS): number {
  const queue = [...migrations];
  let running: { end: number; target: string }[] = [];
  for (let t = 0; ; t += pollMs) {
    running = running.filter((r) => r.end > t);
    for (let i = 0; i < queue.length && running.length < inFlight; ) {
      const m = queue[i] as Migration;
      if (running.some((r) => r.target === m.target)) i++;
      else {
        running.push({ end: t + m.ms, target: m.target });
        queue.splice(i, 1);
      }
    }
    if (running.length === 0 && queue.length === 0) return t;
  }
}

export async function drainBench(rows: Row[]): Promise<void> {
  say('drain: 40 domUs off xen1 to xen2/xen3, at most 2 at a time (1 into each target)');
  const spec = fleet();
  const bed = await jobsBed(spec);
  const dur = (memMiB: number): number => Math.round((memMiB / bed.fleet.bandwidthMiBps) * 1000) + 500;
  const t0 = performance.now();
  const end = await bed.finish(bed.start(DRAIN));
  const wallMs = performance.now() - t0;
  if (!end.ok || end.moved !== COUNT) throw new Error(`the drain did not move all ${COUNT} domUs: ${end.message}`);
  const makespan = bed.clock.now() - T0;
  const durations = spec.domus.map((d) => dur(d.memMiB));
  const total = durations.reduce((s, x) => s + x, 0);
  const toXen2 = spec.domus.filter((d) => d.replicas[1] === 'xen2').reduce((s, d) => s + dur(d.memMiB), 0);
  // 2 in the fleet, 1 into each target: neither target can take in more than its own share
  const bound = Math.max(total / 2, toXen2, total - toXen2);
  const polled = pollingMakespan(spec.domus.map((d) => ({ ms: dur(d.memMiB), target: d.replicas[1] as string })));
  rows.push({ what: `drain of ${COUNT} domUs: makespan / lower bound for the limits (${(makespan / 1000).toFixed(1)} s / ${(bound / 1000).toFixed(1)} s, simulated)`, measured: `×${(makespan / bound).toFixed(3)}`, target: '≤ ×1.1', pass: makespan / bound <= 1.1 });
  rows.push({ what: `the same drain by a 5 s polling loop, same limits (${(polled / 1000).toFixed(1)} s)`, measured: `×${(polled / makespan).toFixed(2)} the controller's makespan`, target: '(info)', pass: true });
  // the same fleet idle for the same simulated time, advanced in the same 1 s steps: what the
  // harness itself costs (clock, stand-in Dom0s, heartbeats), taken off the drain's wall time
  const idle = await jobsBed(fleet());
  const i0 = performance.now();
  for (let t = 0; t < makespan; t += 1_000) await idle.clock.advance(1_000);
  const idleMs = performance.now() - i0;
  const perMove = Math.max(0, wallMs - idleMs) / COUNT;
  rows.push({ what: `controller overhead per migration (host wall time: drain ${(wallMs / 1000).toFixed(1)} s − same fleet idle ${(idleMs / 1000).toFixed(1)} s, / ${COUNT})`, measured: `${perMove.toFixed(2)} ms`, target: '< 20 ms', pass: perMove < 20 });
}
