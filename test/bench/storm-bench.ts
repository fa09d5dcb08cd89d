// A controller restart with the whole fleet on it: 2,000 stand-ins with the real agent's link
// (storm-stand.ts) reported, then `serve` stopped and started again on the same config and port,
// twice: by SIGTERM and at once (an upgrade, systemctl restart), then killed and started 2 s later
// (a crash under systemd's RestartSec). Every agent's link drops at once and each dials again by
// the agent's own rules. Measured: how long until every host is reported again, what the
// controller took meanwhile (its peak memory, its event loop's delay), how `where` answered during
// it, and what the agents' tries met (refusals, failures, the TLS handshakes a second), then
// whether the tries stop once all are back.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startupGraceMs } from '../../controller/fleet/enrolment.js';
import { reconnectSpreadMs } from '../../shared/protocol/agent-link.js';
import { parsePrometheusText } from '../helpers/prometheus-text-parser.js';
import { startBenchController, type BenchController } from './controller-process.js';
import { FleetProcess, type FleetEvent } from './fleet-process.js';
import { httpsGetter } from './https-getter.js';
import { pct, procMemory, say, sleep, type Row } from './table.js';

/** the link's staleAfterMs as `serve` gives it by default (the startup grace counts it) */
const STALE_AFTER_MS = 15_000;

/** hosts the controller reports as reachable: their snapshot taken in on a live link */
async function reachableHosts(c: BenchController): Promise<number> {
  const r = await c.get('/v1/hosts');
  if (r.status !== 200) return 0;
  return (JSON.parse(r.body) as { hosts: { reachable: boolean }[] }).hosts.filter((h) => h.reachable).length;
}

/** the controller's p99 event-loop delay since its previous /metrics scrape, ms; null at the first, which starts its sampler */
async function loopDelayMs(c: BenchController): Promise<number | null> {
  const r = await c.get('/metrics');
  if (r.status !== 200) throw new Error(`GET /metrics: ${r.status} ${r.body.slice(0, 200)}`);
  const v = parsePrometheusText(r.body).find((f) => f.name === 'xenherd_event_loop_lag_seconds')?.samples[0]?.value;
  return v === undefined ? null : v * 1000;
}

/**
 * `where` asked PERSECOND times a second on average (Poisson arrivals) until DONE says stop, each
 * answer's time from request to whole answer; any 200 counts (a host not back yet is no match).
 */
async function whereMeanwhile(c: BenchController, hosts: number, perSecond: number, done: () => boolean): Promise<{ times: number[]; failed: number }> {
  const api = httpsGetter(c.url, c.caPem, c.adminToken, 4);
  const times: number[] = [];
  let failed = 0;
  const asked: Promise<void>[] = [];
  try {
    while (!done()) {
      await sleep(-Math.log(1 - Math.random()) * (1000 / perSecond));
      const t0 = performance.now();
      asked.push(
        api.get(`/v1/where?pattern=vm${Math.floor(Math.random() * hosts)}-0`).then(
          (r) => void (r.status === 200 ? times.push(performance.now() - t0) : failed++),
          () => void failed++,
        ),
      );
    }
    await Promise.all(asked);
  } finally {
    api.destroy();
  }
  return { times, failed };
}

const sum = (es: readonly FleetEvent[], key: string): number => es.reduce((a, e) => a + Number(e[key] ?? 0), 0);
const sumBy = (es: readonly FleetEvent[], key: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const e of es) for (const [k, v] of Object.entries((e[key] ?? {}) as Record<string, number>)) out[k] = (out[k] ?? 0) + v;
  return out;
};
const words = (r: Record<string, number>): string => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

/** One way the controller goes away and comes back, as its rows name it. */
interface Round {
  /** e.g. "SIGTERM, started at once" */
  readonly label: string;
  readonly how: { readonly signal: 'SIGTERM' | 'SIGKILL'; readonly downMs: number };
}

/**
 * The controller C, its stand-ins all taken in, goes away and comes back as ROUND says; the rows
 * of what followed are pushed to ROWS, and the new controller returned.
 */
async function stormRound(c0: BenchController, fleet: FleetProcess, hosts: number, perHost: number, round: Round, rows: Row[]): Promise<BenchController> {
  fleet.take('second');
  fleet.take('fresh');
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
  const stoppedAt = Date.now();
  const c = await c0.restart(round.how);
  const upMs = Date.now() - stoppedAt;
  say(`  ${round.label}: the controller answers again ${upMs} ms after the signal`);
  await loopDelayMs(c);
  // when the last stand-in heard its fleet view after its snapshot, not by asking the controller:
  // GET /v1/hosts is 2,000 host views, and asked every 250 ms it was the storm's biggest writer
  let backAt: number | null = null;
  const where = whereMeanwhile(c, hosts, 50, () => backAt !== null);
  const fresh = await fleet.next('fresh', 300_000).catch(() => null);
  backAt = fresh === null ? Date.now() : Number(fresh['at']);
  const back = await reachableHosts(c);
  const loopMs = await loopDelayMs(c);
  const peak = procMemory(c.pid);
  const { times, failed } = await where;
  const loadDuring = readFileSync('/proc/loadavg', 'utf8').trim();
  // the stand-ins count their tries a second at a time: the count holding the moment all were back
  // comes up to a second after it, later while they are starved, so it is waited for; cut at a
  // second past backAt, the last agents' tries read as the settled herd's
  const storm: FleetEvent[] = [];
  for (;;) {
    const e = await fleet.next('second', 10_000).catch(() => null);
    if (e === null) break;
    storm.push(e);
    if (Number(e['at']) >= backAt) break;
  }
  for (const e of storm) say(`  +${((Number(e['at']) - stoppedAt) / 1000).toFixed(0)} s: ${String(e['tries'])} tries, ${String(e['opened'])} open, failed ${words(sumBy([e], 'failed'))}, closed ${words(sumBy([e], 'closed'))}, ${String(e['snapshots'])} snapshots; longest wait drawn ${String(e['longestWaitMs'])} ms; ${String(e['reported'])} reported, ${String(e['fresh'])} taken in`);
  // after all are back: do the tries stop? And `where` the same 10 s, the storm over: what of
  // its tail is the storm's, what the machine's at that moment
  const settledAt = Date.now();
  const calm = await whereMeanwhile(c, hosts, 50, () => Date.now() - settledAt >= 10_000);
  const after = fleet.take('second');
  const tookS = (backAt - stoppedAt) / 1000;
  const grace = startupGraceMs(STALE_AFTER_MS, hosts);
  const perSecond = storm.map((e) => Number(e['opened']));
  const failures = sumBy(storm, 'failed');
  // the stand-ins report every second; a longer gap is their own process stalled (nice 19 on a
  // machine busy with other work), and tries it could not finish in time fail on its side
  const ats = storm.map((e) => Number(e['at']));
  const stallS = ats.slice(1).reduce((m, at, i) => Math.max(m, at - (ats[i] ?? at)), 0) / 1000;
  const logged = [...c.logEvents].sort((x, y) => y[1] - x[1]).slice(0, 8);
  rows.push(
    {
      what: `storm, ${round.label}, ${hosts} agents on it (${hosts * perHost} domUs): the signal until every agent had its snapshot taken in again (its fleet view came; the agents' reconnect spread ${reconnectSpreadMs(hosts) / 1000} s)`,
      measured: fresh !== null ? `${tookS.toFixed(1)} s` : `not all in 300 s`,
      target: `< ${grace / 1000} s (its start-up grace)`,
      pass: fresh !== null && backAt - stoppedAt < grace,
    },
    { what: '  hosts the controller calls reachable then (GET /v1/hosts)', measured: `${back} of ${hosts}`, target: `${hosts}`, pass: back === hosts },
    { what: '  the signal until the new controller answers its API', measured: `${(upMs / 1000).toFixed(1)} s`, target: '(info)', pass: true },
    { what: "  the new controller's peak RSS until all are back", measured: `${(peak.hwmKiB / 1024).toFixed(0)} MB`, target: '< 400 MB', pass: peak.hwmKiB / 1024 < 400 },
    { what: "  the new controller's event loop, p99 of its delay until all are back (its own /metrics)", measured: loopMs === null ? 'not sampled' : `${loopMs.toFixed(1)} ms`, target: '(info)', pass: true },
    { what: `  where asked meanwhile, 50/s at random moments (${times.length} answered, ${failed} failed), p50 / p99 / max`, measured: times.length === 0 ? 'none' : `${pct(times, 50).toFixed(1)} / ${pct(times, 99).toFixed(1)} / ${Math.max(...times).toFixed(1)} ms`, target: '(info; no failures)', pass: failed === 0 },
    { what: `  where the 10 s after, the same way (${calm.times.length} answered, ${calm.failed} failed), p50 / p99 / max`, measured: calm.times.length === 0 ? 'none' : `${pct(calm.times, 50).toFixed(1)} / ${pct(calm.times, 99).toFixed(1)} / ${Math.max(...calm.times).toFixed(1)} ms`, target: '(info)', pass: true },
    { what: "  the agents' tries until all are back: begun / WebSocket open / snapshots sent", measured: `${sum(storm, 'tries')} / ${sum(storm, 'opened')} / ${sum(storm, 'snapshots')}`, target: '(info)', pass: true },
    { what: '  tries failed, by kind (with a Retry-After); links closed before or after welcome, by code', measured: `${words(failures)} (${sum(storm, 'retryAfter')}); ${words(sumBy(storm, 'closed'))}`, target: '(info; none refused)', pass: Object.keys(failures).every((k) => !k.startsWith('refused')) },
    { what: '  TLS handshakes done a second (WebSocket open), most / mean over the seconds until all are back', measured: `${Math.max(0, ...perSecond)} / ${(sum(storm, 'opened') / Math.max(1, tookS)).toFixed(0)}`, target: '(info)', pass: true },
    { what: '  tries begun in the 10 s after all are back (the herd settled)', measured: `${sum(after, 'tries')}`, target: '0', pass: sum(after, 'tries') === 0 },
    { what: "  the new controller's log lines by event, most first", measured: logged.map(([e, n]) => `${e} ${n}`).join(', '), target: '(info)', pass: true },
    { what: "  the stand-ins' own longest gap between their 1 s reports (above 2 s, their failed tries are theirs as much as the controller's)", measured: `${stallS.toFixed(1)} s`, target: '(info)', pass: true },
    { what: '  /proc/loadavg before / when all were back', measured: `${loadBefore.split(' ').slice(0, 3).join(' ')} / ${loadDuring.split(' ').slice(0, 3).join(' ')}`, target: '(info)', pass: true },
  );
  return c;
}

export async function stormBench(bundle: string, dir: string, quick: boolean, rows: Row[]): Promise<void> {
  const hosts = quick ? 500 : 2000;
  const perHost = 20;
  const names = Array.from({ length: hosts }, (_, i) => `bench${i}`);
  say(`storm: ${hosts} stand-ins with the agent's own link, then the controller restarted, then killed`);
  let c = await startBenchController(bundle, join(dir, 'storm-controller'), names);
  const spec = join(dir, 'storm-fleet.json');
  writeFileSync(spec, JSON.stringify({ url: c.wsUrl, caPem: c.caPem, agents: c.agentTokens, domusPerHost: perHost }));
  const fleet = new FleetProcess(spec, 'test/bench/storm-fleet.ts');
  try {
    const connected = await fleet.next('connected', 300_000);
    say(`  ${String(connected['agents'])} connected in ${String(connected['ms'])} ms, a hundred at a time`);
    for (const deadline = Date.now() + 60_000; (await reachableHosts(c)) < hosts; await sleep(250)) if (Date.now() > deadline) throw new Error('the stand-ins did not all show as reachable');
    // a fleet's steady heartbeats first, so the storm's fleet view starts from agents up on their first link
    await sleep(3_000);
    // an upgrade or `systemctl restart`: the links closed by the controller (1001), a new one at once
    c = await stormRound(c, fleet, hosts, perHost, { label: 'SIGTERM, started at once', how: { signal: 'SIGTERM', downMs: 0 } }, rows);
    // a crash: every link dropped without a close (1006), and systemd's RestartSec=2 before the next
    c = await stormRound(c, fleet, hosts, perHost, { label: 'SIGKILL, started 2 s later', how: { signal: 'SIGKILL', downMs: 2_000 } }, rows);
  } finally {
    await fleet.stop();
    await c.stop();
  }
}
