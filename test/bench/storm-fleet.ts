// The reconnect storm's load: thousands of storm-stand.ts stand-ins, each with the real agent's
// controller link, in their own process (`node packaging/run-ts.mjs test/bench/storm-fleet.ts
// SPEC.json`, the spec of fake-fleet.ts). They connect a hundred at a time first (a fleet brought
// up over time, not a storm), report `connected`, then keep their links as agents do: when the
// controller goes, each dials it again by the agent's own rules. Every second a `second` report
// counts what they did, and `fresh` says when the last of them had its snapshot taken in again
// (by its own clock, in a process at the lowest CPU priority: an upper bound); stdin takes
// `{"cmd":"stop"}`.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { realClock } from '../../shared/clock/real-clock.js';
import { noCounts, StormStand, type StormCounts } from './storm-stand.js';

interface Spec {
  readonly url: string;
  readonly caPem: string;
  readonly agents: readonly { readonly host: string; readonly token: string }[];
  readonly domusPerHost: number;
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Spec;
const emit = (e: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(e)}\n`);

let counts: StormCounts = noCounts();
/** every stand-in was fresh at the last report of it: `fresh` is said again only after one was not */
let allFresh = false;
const onFresh = (): void => {
  if (allFresh || !stands.every((s) => s.fresh)) return;
  allFresh = true;
  emit({ event: 'fresh', at: Date.now() });
};
const env = { url: spec.url, caPem: spec.caPem, hosts: spec.agents.map((a) => a.host), perHost: spec.domusPerHost, clock: realClock, counts: () => counts, onFresh };
const stands: StormStand[] = spec.agents.map((a, i) => new StormStand(i, a.host, a.token, env));

const t0 = Date.now();
for (let b = 0; b < stands.length; b += 100) {
  const batch = stands.slice(b, b + 100);
  for (const s of batch) s.start();
  for (let waited = 0; !batch.every((s) => s.fresh); waited += 20) {
    if (waited > 120_000) throw new Error(`stand-ins ${b}-${b + batch.length - 1}: not all reported within 120 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
emit({ event: 'connected', agents: stands.length, ms: Date.now() - t0 });

const every = setInterval(() => {
  const c = counts;
  counts = noCounts();
  const waits = [...c.waits].sort((a, b) => a - b);
  const { waits: _all, ...rest } = c;
  const fresh = stands.filter((s) => s.fresh).length;
  if (fresh < stands.length) allFresh = false;
  emit({ event: 'second', at: Date.now(), reported: stands.filter((s) => s.reported).length, fresh, ...rest, waits: waits.length, longestWaitMs: waits.at(-1) ?? null });
}, 1_000);

for await (const line of createInterface({ input: process.stdin })) {
  if ((JSON.parse(line) as { cmd?: string }).cmd === 'stop') break;
}
clearInterval(every);
for (const s of stands) s.stop();
emit({ event: 'stopped' });
// the links' own timers (ws-connect's deadlines) may still be pending: the process is done
process.exit(0);
