// The real `xenherd-controller serve` under a steady load for a long time: 500 stand-in agents
// over real wss (test/bench/fake-fleet.ts) sending deltas, while its RSS is read from /proc and
// its event-loop lag is measured from outside, as the latency of a trivial `where` over one
// kept-alive HTTPS connection, once a second; where the controller serves /metrics, its own
// event-loop gauge (the p99 since the previous scrape) is read every 10 s beside it. Flat = the last window is no worse than the first
// (test/soak/samples.ts says by how much).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchController } from '../bench/controller-process.js';
import { procMemory, say, sleep } from '../bench/table.js';
import { FleetProcess } from '../bench/fleet-process.js';
import { firstAndLast, lagFlat, mib, ms, rssFlat, type Sample } from './samples.js';
import type { SoakContext } from './section.js';

const AGENTS = 500;
const DOMUS_PER_HOST = 20;
const DELTAS_PER_SECOND = 500;

export async function soakController(ctx: SoakContext): Promise<void> {
  const durationMs = ctx.minutes * 60_000;
  say(`soak-controller: ${AGENTS} stand-in agents over wss, ${DELTAS_PER_SECOND} deltas/s for ${ctx.minutes} min`);
  const names = Array.from({ length: AGENTS }, (_, i) => `bench${i}`);
  const c = await startBenchController(ctx.bundles.controller, join(ctx.dir, 'soak-controller'), names);
  const spec = join(ctx.dir, 'soak-fleet.json');
  writeFileSync(spec, JSON.stringify({ url: c.wsUrl, caPem: c.caPem, agents: c.agentTokens, domusPerHost: DOMUS_PER_HOST }));
  const fleet = new FleetProcess(spec);
  const samples: Sample[] = [];
  let failedProbes = 0;
  /** the controller's own lag gauge (seconds), scraped every 10 s; none when it has no /metrics */
  const gauge: Sample[] = [];
  try {
    const connected = await fleet.next('connected', 300_000);
    say(`  ${String(connected['agents'])} agents connected in ${String(connected['ms'])} ms`);
    fleet.tell({ cmd: 'rate', perSecond: DELTAS_PER_SECOND });
    // warm-up: the first deltas of every host, the heap growing to its working size
    await sleep(Math.min(30_000, durationMs / 10));
    const t0 = Date.now();
    let nextReport = t0 + 60_000;
    while (Date.now() - t0 < durationMs) {
      const started = performance.now();
      const r = await c.get('/v1/where?pattern=vm0-0').catch(() => null);
      const lag = performance.now() - started;
      if (r?.status !== 200) failedProbes++;
      const rssKiB = procMemory(c.pid).rssKiB;
      samples.push({ t: Date.now() - t0, rssKiB, lagMs: lag });
      if (samples.length % 10 === 0) {
        const m = await c.get('/metrics').catch(() => null);
        const v = m?.status === 200 ? /^xenherd_event_loop_lag_seconds (\S+)$/m.exec(m.body)?.[1] : undefined;
        if (v !== undefined) gauge.push({ t: Date.now() - t0, rssKiB, lagMs: Number(v) * 1000 });
      }
      if (!fleet.alive) throw new Error('the stand-in agents died');
      if (Date.now() >= nextReport) {
        nextReport += 60_000;
        const s = samples.at(-1) as Sample;
        say(`  ${Math.round(s.t / 60_000)} min: RSS ${mib(s.rssKiB / 1024)}, lag ${ms(s.lagMs)}, deltas sent ${String(fleet.last('rate')?.['sent'] ?? '?')}`);
      }
      await sleep(Math.max(0, 1000 - (performance.now() - started)));
    }
    const sent = fleet.last('rate');
    const hosts = JSON.parse((await c.get('/v1/hosts')).body) as { hosts: { reachable: boolean }[] };
    const reachable = hosts.hosts.filter((h) => h.reachable).length;
    const { first, last } = firstAndLast(samples, durationMs);
    const rate = sent ? Number(sent['sent']) / Number(sent['seconds']) : NaN;
    const label = `controller, ${AGENTS} agents, ${Math.round(rate)} deltas/s, ${ctx.minutes} min`;
    ctx.rows.push({ what: `${label}: RSS median, first → last window`, measured: `${mib(first.rssMiB)} → ${mib(last.rssMiB)}`, target: 'flat (≤ +15 % or +16 MiB)', pass: rssFlat(first, last) });
    ctx.rows.push({ what: `${label}: where latency p50 first → last`, measured: `${ms(first.lagP50)} → ${ms(last.lagP50)}`, target: '(info)', pass: true });
    ctx.rows.push({ what: `${label}: where latency p99 first → last (max ${ms(last.lagMax)})`, measured: `${ms(first.lagP99)} → ${ms(last.lagP99)}`, target: 'flat (≤ 2× or +5 ms)', pass: lagFlat(first, last) });
    if (gauge.length > 0) {
      const g = firstAndLast(gauge, durationMs);
      ctx.rows.push({ what: `${label}: /metrics event-loop lag p99 gauge, median first → last`, measured: `${ms(g.first.lagP50)} → ${ms(g.last.lagP50)}`, target: 'flat (≤ 2× or +5 ms)', pass: lagFlat({ ...g.first, lagP99: g.first.lagP50 }, { ...g.last, lagP99: g.last.lagP50 }) });
    }
    ctx.rows.push({ what: `${label}: probes failed / hosts reachable at the end`, measured: `${failedProbes} / ${reachable}`, target: `0 / ${AGENTS}`, pass: failedProbes === 0 && reachable === AGENTS });
  } finally {
    await fleet.stop();
    await c.stop();
  }
}
