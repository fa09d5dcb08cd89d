// The controller at fleet scale: 2,000 stand-in agents over real wss on loopback, 20 domUs each
// (40,000), reporting a steady stream of deltas while `where` is asked (each stand-in on its own
// heartbeat phase, the deltas arriving at random as from independent machines, each a changed
// row and the host's memory, as an agent sends them to a controller taking domain-rows; each
// host one of a DRBD pair, claiming its own domUs and its partner's as homes); then the most
// deltas per second it takes in; its memory throughout.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FleetProcess } from './fleet-process.js';
import { startBenchController, type BenchController } from './controller-process.js';
import { parsePrometheusText } from '../helpers/prometheus-text-parser.js';
import { httpsGetter } from './https-getter.js';
import { breakdownRow, PeakBreakdown } from './memory-breakdown.js';
import { startBareServer } from './node-floor.js';
import { machinePauses, pausesText } from './machine-pauses.js';
import { availableParallelism } from 'node:os';
import { pct, procCpuTicks, procMemory, say, sleep, type Row } from './table.js';

interface WhereAnswer {
  readonly matches: readonly { readonly name: string; readonly places: readonly { readonly host: string }[] }[];
}

/**
 * Fresh code runs slower until V8 has compiled it hot: a bare Node HTTPS server and client on this
 * machine, GETs one after another, measured p99 4.0, 3.0, 2.9, 3.0 and 2.6 ms over their first
 * 250, 250, 500, 500 and 1,000 GETs, then 0.70 and 0.31 ms over the next two 3,000. A controller
 * serving `where` for days runs warm code, so series that begin with a fresh process or a path not
 * asked yet take this many GETs first, unmeasured.
 */
const WARM_UP = 5000;

/** QUERIES where answers one after another, after WARM unmeasured ones: how long each took, ms. */
async function whereLatencies(c: BenchController, hosts: number, perHost: number, queries: number, warm = 0): Promise<number[]> {
  const times: number[] = [];
  for (let q = -warm; q < queries; q++) {
    const h = Math.floor(Math.random() * hosts);
    const i = Math.floor(Math.random() * perHost);
    const t0 = performance.now();
    const r = await c.get(`/v1/where?pattern=vm${h}-${i}`);
    if (q >= 0) times.push(performance.now() - t0);
    const a = JSON.parse(r.body) as WhereAnswer;
    if (r.status !== 200 || a.matches[0]?.places[0]?.host !== `bench${h}`) throw new Error(`where vm${h}-${i}: wrong answer ${r.status} ${r.body.slice(0, 200)}`);
  }
  return times;
}

/**
 * `where` asked as a fleet's operators and scripts ask it: at random moments, PER_SECOND on average
 * (Poisson arrivals), whether or not earlier answers are back, over up to 8 kept-alive connections.
 * Each time runs from the request to its whole answer. A stall of the controller delays every
 * request asked during it, so it counts as often as it is met; asked back to back, it would delay
 * one request only.
 */
async function pacedWhereLatencies(c: BenchController, hosts: number, perHost: number, perSecond: number, queries: number): Promise<number[]> {
  const api = httpsGetter(c.url, c.caPem, c.adminToken, 8);
  const ask = async (into: number[] | null): Promise<void> => {
    const h = Math.floor(Math.random() * hosts);
    const i = Math.floor(Math.random() * perHost);
    const t0 = performance.now();
    const r = await api.get(`/v1/where?pattern=vm${h}-${i}`);
    into?.push(performance.now() - t0);
    const a = JSON.parse(r.body) as WhereAnswer;
    if (r.status !== 200 || a.matches[0]?.places[0]?.host !== `bench${h}`) throw new Error(`where vm${h}-${i}: wrong answer ${r.status} ${r.body.slice(0, 200)}`);
  };
  const times: number[] = [];
  try {
    // the connections made first: a TLS handshake is not what this measures
    await Promise.all(Array.from({ length: 8 }, () => ask(null)));
    const asked: Promise<void>[] = [];
    // kept, not thrown at once: the requests still out are awaited before the bench goes on
    let wrong: unknown = null;
    let due = performance.now();
    for (let q = 0; q < queries; q++) {
      due += -Math.log(1 - Math.random()) * (1000 / perSecond);
      const wait = due - performance.now();
      if (wait >= 1) await sleep(wait);
      asked.push(ask(times).catch((e: unknown) => void (wrong ??= e)));
    }
    await Promise.all(asked);
    if (wrong !== null) throw wrong;
  } finally {
    api.destroy();
  }
  return times;
}

interface OwnMeasures {
  /** p99 of the event loop's delay since the previous scrape, ms */
  readonly lagMs: number;
  /** garbage collection pauses since the first scrape: how many, their total and the longest since the previous scrape, ms */
  readonly gc: { readonly count: number; readonly totalMs: number; readonly longestMs: number };
}

/** What the controller measures of itself (its /metrics), from the scrape before on. */
async function ownMeasures(c: BenchController): Promise<OwnMeasures> {
  const r = await c.get('/metrics');
  if (r.status !== 200) throw new Error(`GET /metrics: ${r.status} ${r.body.slice(0, 200)}`);
  const families = parsePrometheusText(r.body);
  const read = (name: string): number => {
    const v = families.find((f) => f.name === name)?.samples[0]?.value;
    if (v === undefined) throw new Error(`GET /metrics: no ${name} in ${r.body.slice(0, 200)}`);
    return v;
  };
  return {
    lagMs: read('xenherd_event_loop_lag_seconds') * 1000,
    gc: { count: read('xenherd_gc_pauses_total'), totalMs: read('xenherd_gc_pause_seconds_total') * 1000, longestMs: read('xenherd_gc_pause_longest_seconds') * 1000 },
  };
}

/**
 * N GETs of a bare Node HTTPS server in its own process (a fixed answer, the controller's
 * certificate), one after another after WARM_UP unmeasured, with nothing else running: what this
 * machine allows any Node HTTPS server before the controller does any work, in ms each.
 */
async function bareServerAtRest(dir: string, c: BenchController, n: number): Promise<number[]> {
  const bare = await startBareServer(dir, c.tls);
  const api = httpsGetter(bare.url, c.caPem, null);
  const times: number[] = [];
  try {
    for (let k = 0; k < WARM_UP; k++) await timedGet(() => api.get('/'), 200);
    for (let k = 0; k < n; k++) times.push(await timedGet(() => api.get('/'), 200));
  } finally {
    api.destroy();
    await bare.stop();
  }
  return times;
}

/** One GET through GET, checked for STATUS: how long it took, in ms. */
async function timedGet(get: () => Promise<{ status: number; body: string }>, status: number): Promise<number> {
  const t0 = performance.now();
  const r = await get();
  const ms = performance.now() - t0;
  if (r.status !== status) throw new Error(`expected HTTP ${status}, got ${r.status} ${r.body.slice(0, 200)}`);
  return ms;
}

export async function controllerBench(bundle: string, dir: string, quick: boolean, rows: Row[]): Promise<void> {
  const hosts = quick ? 500 : 2000;
  const perHost = 20;
  const rate = 5000;
  // the stand-ins are asked for 2 % more: their pace comes in 10 ms ticks and the last second's
  // report lags its sends, so asking for exactly the target lands a little under it
  const asked = Math.round(rate * 1.02);
  say(`controller: ${hosts} stand-in agents over wss, ${hosts * perHost} domUs, ${asked} deltas/s asked (at least ${rate}) while \`where\` is asked`);
  const names = Array.from({ length: hosts }, (_, i) => `bench${i}`);
  const c = await startBenchController(bundle, join(dir, 'controller'), names);
  const n = quick ? 500 : 3000;
  // before the try below: the controller is stopped here if this fails
  const stolen = await machinePauses(dir, 5_000).catch(async (e: unknown) => {
    await c.stop();
    throw e;
  });
  const restingMachine = await bareServerAtRest(dir, c, n).catch(async (e: unknown) => {
    await c.stop();
    throw e;
  });
  let maxRssKiB = 0;
  // armed at the flood, after the rows that read the loop delay and pauses a scrape resets
  let peak: PeakBreakdown | null = null;
  const sampler = setInterval(() => {
    try {
      maxRssKiB = Math.max(maxRssKiB, procMemory(c.pid).rssKiB);
      peak?.seen(maxRssKiB);
    } catch {
      /* ended */
    }
  }, 250);
  const spec = join(dir, 'fake-fleet.json');
  writeFileSync(spec, JSON.stringify({ url: c.wsUrl, caPem: c.caPem, agents: c.agentTokens, domusPerHost: perHost }));
  const fleet = new FleetProcess(spec);
  try {
    const connected = await fleet.next('connected', 300_000);
    say(`  ${String(connected['agents'])} agents connected in ${String(connected['ms'])} ms; ${String(connected['domainRows'])} of them send deltas as changed rows (feature domain-rows)`);
    await sleep(2_000);
    const connectedRssKiB = procMemory(c.pid).rssKiB;
    // the same questions with every host reported and no delta coming in: the controller's own
    // part, beside the machine's at rest above and the load's below
    const resting = await whereLatencies(c, hosts, perHost, n, WARM_UP);
    fleet.tell({ cmd: 'rate', perSecond: asked });
    await sleep(2_000);
    const t0 = Date.now();
    const pids = [c.pid, fleet.child.pid as number, process.pid];
    const cpu0 = pids.map(procCpuTicks);
    // the first scrape starts the controller's loop-delay sampler and its count of GC pauses; the second reads them
    const firstScrapeMs = await timedGet(() => c.get('/metrics'), 200);
    const times = await whereLatencies(c, hosts, perHost, quick ? 500 : 3000);
    const seconds = (Date.now() - t0) / 1000;
    const own = await ownMeasures(c);
    // clock ticks are 1/100 s on Linux: ticks per second is per cent of one CPU
    const cpu = pids.map((p, i) => (procCpuTicks(p) - (cpu0[i] as number)) / seconds);
    const sent = fleet.last('rate');
    const achieved = sent ? Number(sent['sent']) / Number(sent['seconds']) : NaN;
    rows.push({ what: `where API p50 (${hosts} hosts, ${hosts * perHost} domUs, ${Math.round(achieved)} deltas/s, ${times.length} queries in ${seconds.toFixed(1)} s)`, measured: `${pct(times, 50).toFixed(2)} ms`, target: '(info)', pass: true });
    rows.push({ what: 'where API p99 (same run)', measured: `${pct(times, 99).toFixed(2)} ms`, target: '< 2 ms', pass: pct(times, 99) < 2 });
    rows.push({
      what: `  CPU meanwhile, % of one of this machine's ${availableParallelism()}: controller / stand-in agents / this client`,
      measured: cpu.map((x) => x.toFixed(0)).join(' / '),
      target: '(info)',
      pass: true,
    });
    rows.push({ what: "  the controller's event loop meanwhile: p99 of its delay (its own /metrics)", measured: `${own.lagMs.toFixed(1)} ms`, target: '(info)', pass: true });
    rows.push({
      what: "  the controller's garbage collection meanwhile (its own /metrics): pauses, longest, share of the time",
      measured: `${own.gc.count}, ${own.gc.longestMs.toFixed(1)} ms, ${((own.gc.totalMs / (seconds * 1000)) * 100).toFixed(1)} %`,
      target: '(info)',
      pass: true,
    });
    rows.push({
      what: `  before the load: this machine at rest (no stand-ins yet, the controller idle): a bare Node HTTPS server in its own process (fixed answer), p50 / p99 of ${restingMachine.length} after ${WARM_UP} unmeasured`,
      measured: `${pct(restingMachine, 50).toFixed(2)} / ${pct(restingMachine, 99).toFixed(2)} ms`,
      target: '(info)',
      pass: true,
    });
    rows.push({
      what: '  before the load: this machine taking the CPU from a process that wants it (a clock-reading loop, 5 s): pauses > 2 ms / > 1 ms, longest, time lost',
      measured: pausesText(stolen),
      target: '(info)',
      pass: true,
    });
    rows.push({ what: `  before the load: where API with every host reported and no deltas, p50 / p99 of ${resting.length} after ${WARM_UP} unmeasured`, measured: `${pct(resting, 50).toFixed(2)} / ${pct(resting, 99).toFixed(2)} ms`, target: '(info)', pass: true });
    const pacedRate = 200;
    const paced = await pacedWhereLatencies(c, hosts, perHost, pacedRate, quick ? 500 : 3000);
    rows.push({
      what: `  same load: where asked at random moments, ${pacedRate}/s on average, not waiting for answers (${paced.length}), p50 / p99 / p99.9`,
      measured: `${pct(paced, 50).toFixed(2)} / ${pct(paced, 99).toFixed(2)} / ${pct(paced, 99.9).toFixed(2)} ms`,
      target: '(info)',
      pass: true,
    });
    const steadyRssKiB = maxRssKiB;
    rows.push({ what: 'deltas/s sent to the controller during those queries', measured: `${Math.round(achieved)}`, target: `≥ ${rate}`, pass: achieved >= rate });
    // the same load on, two requests that look nothing up, taken in turns: what part of the p99
    // is this process being busy, and what part is this machine under the load
    const bare = await startBareServer(dir, c.tls);
    const bareApi = httpsGetter(bare.url, c.caPem, null);
    const refused: number[] = [];
    const bareTimes: number[] = [];
    try {
      for (let k = 0; k < WARM_UP; k++) {
        await timedGet(() => c.get('/nothing'), 404);
        await timedGet(() => bareApi.get('/'), 200);
      }
      for (let k = 0; k < n; k++) {
        refused.push(await timedGet(() => c.get('/nothing'), 404));
        bareTimes.push(await timedGet(() => bareApi.get('/'), 200));
      }
    } finally {
      bareApi.destroy();
      await bare.stop();
    }
    rows.push({ what: `  same load: a request the controller refuses at once (404 outside its API), p50 / p99 of ${n} after ${WARM_UP} unmeasured`, measured: `${pct(refused, 50).toFixed(2)} / ${pct(refused, 99).toFixed(2)} ms`, target: '(info)', pass: true });
    rows.push({ what: `  same load, in turns with those: a bare Node HTTPS server in its own process (fixed answer), p50 / p99 (after ${WARM_UP} unmeasured)`, measured: `${pct(bareTimes, 50).toFixed(2)} / ${pct(bareTimes, 99).toFixed(2)} ms`, target: '(info)', pass: true });

    // monitoring meanwhile: a Prometheus scrape and a Nagios check each look over the whole fleet,
    // and the event loop answers nothing else while they do
    const scrapes: number[] = [];
    const checks: number[] = [];
    for (let k = 0; k < 5; k++) {
      scrapes.push(await timedGet(() => c.get('/metrics'), 200));
      checks.push(await timedGet(() => c.get('/v1/check'), 200));
    }
    rows.push({ what: `  same load: GET /metrics, median / max of ${scrapes.length} (the controller's first, which works out every domU's home once: ${firstScrapeMs.toFixed(0)} ms)`, measured: `${pct(scrapes, 50).toFixed(1)} / ${Math.max(...scrapes).toFixed(1)} ms`, target: '(info)', pass: true });
    rows.push({ what: `  same load: GET /v1/check (the Nagios check), median / max of ${checks.length}`, measured: `${pct(checks, 50).toFixed(1)} / ${Math.max(...checks).toFixed(1)} ms`, target: '(info)', pass: true });
    // `xenherdctl domains` with no --host: every row of the fleet in one answer
    const everyRow: number[] = [];
    for (let k = 0; k < 3; k++) everyRow.push(await timedGet(() => c.get('/v1/domains'), 200));
    rows.push({ what: `  same load: GET /v1/domains, every row of the fleet (${hosts * perHost} domUs), median / max of ${everyRow.length}`, measured: `${pct(everyRow, 50).toFixed(1)} / ${Math.max(...everyRow).toFixed(1)} ms`, target: '(info)', pass: true });

    say('  flood: every agent sends as fast as its socket drains for 10 s, then a marker');
    peak = new PeakBreakdown(() => c.get('/metrics'), () => procMemory(c.pid).fileKiB * 1024);
    fleet.tell({ cmd: 'flood', seconds: 10 });
    const flooded = await fleet.next('flooded', 120_000);
    for (const deadline = Date.now() + 180_000; ; ) {
      const r = await c.get('/v1/where?pattern=mark*');
      const answered = (JSON.parse(r.body) as WhereAnswer).matches.length;
      if (answered === hosts) break;
      if (Date.now() > deadline) {
        const events = [...c.logEvents].map(([e, n]) => `${e} ${n}`).join(', ');
        throw new Error(`after the flood only ${answered} of ${hosts} markers were answered within 180 s; the controller logged: ${events}`);
      }
      await sleep(20);
    }
    const took = (Date.now() - Number(flooded['startedAt'])) / 1000;
    const perSecond = Number(flooded['sent']) / took;
    rows.push({ what: `most deltas/s taken in (${String(flooded['sent'])} in ${took.toFixed(1)} s, until every marker is answered)`, measured: `${Math.round(perSecond)}`, target: '(info; ≥ 5000)', pass: perSecond >= 5000 });
    rows.push({ what: `controller RSS, all ${hosts} agents connected and reported, before any delta`, measured: `${(connectedRssKiB / 1024).toFixed(0)} MB`, target: '(info)', pass: true });
    rows.push({ what: `controller RSS, max until the end of the where queries (≥ ${rate} deltas/s)`, measured: `${(steadyRssKiB / 1024).toFixed(0)} MB`, target: '(info)', pass: true });
    rows.push({ what: `controller RSS, max (${hosts} agents, ${hosts * perHost} domUs, through the flood)`, measured: `${(maxRssKiB / 1024).toFixed(0)} MB`, target: hosts === 2000 ? '< 400 MB' : '(info)', pass: maxRssKiB / 1024 < 400 });
    const atPeak = await peak.peak();
    if (atPeak !== null) rows.push(breakdownRow('  its memory at the highest RSS of the flood (its /metrics)', atPeak));
    fleet.tell({ cmd: 'stop' });
    await fleet.next('stopped', 60_000);
  } finally {
    clearInterval(sampler);
    if (fleet.child.exitCode === null) fleet.child.kill('SIGKILL');
    await fleet.exited;
    await c.stop();
  }
}
