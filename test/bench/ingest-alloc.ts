// What the controller allocates per agent delta, in one process and without the bench's sockets:
// HOSTS stand-in agents (stand-frames.ts, the frames the bench's stand-ins send over wss) linked
// to a ControllerCore through the IngestPacer as the server links them, each frame handed in as
// the text a socket read gives, then DELTAS deltas at random hosts, in bursts of BURST frames per
// turn of the event loop (a socket read brings several). V8's sampling heap profiler counts the
// bytes allocated on the way (parse, validation, the session, the core, the fleet index) and
// where; a second run counts what outlived a scavenge (a queue or a held record keeping it) and
// then died, which is what grows the old generation under load.
//
//   node --expose-gc --enable-source-maps packaging/run-ts.mjs test/bench/ingest-alloc.ts [HOSTS] [DELTAS] [BURST]
//
// Prints one JSON object: bytes per delta in all, of those outliving a scavenge, and the top
// allocation sites (function, file:line) by bytes per delta; the heartbeat's work (the alerts'
// look, the fleet views), which runs by the clock and not per delta, in bytes per second apart.
// A first phase runs without the profiler (whose samples slow every scavenge) and says what each
// scavenge found alive in the young generation, copied or promoted, and its time (V8's
// GCProfiler): a scavenge's cost is what it finds alive, not what died.
import { EventEmitter } from 'node:events';
import { Session } from 'node:inspector/promises';
import { GCProfiler } from 'node:v8';
import type WebSocket from 'ws';
import { IngestPacer } from '../../controller/api/ingest-pacer.js';
import { ControllerCore } from '../../controller/core/controller-core.js';
import { steadyRealClock } from '../../shared/clock/real-clock.js';
import { createLogger } from '../../shared/logger.js';
import { wsLink } from '../../shared/link/ws-link.js';
import { StandFrames } from './stand-frames.js';
import { nodeSite, type ProfileNode } from './heap-sites.js';

const arg = (i: number, otherwise: number): number => Number(process.argv[2 + i] ?? otherwise);
const [HOSTS, DELTAS, BURST] = [arg(0, 2_000), arg(1, 20_000), arg(2, 50)] as const;
const PER_HOST = 20;

const gc = (globalThis as { gc?: (o?: { type: 'minor' | 'major' }) => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

/**
 * The server's socket as wsLink and the pacer use it: frames arrive as ws hands them on (a Buffer
 * per text frame), what the controller sends is kept; nothing to pause, frames come by turns.
 */
class StandInSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: string[] = [];
  pause(): void {}
  resume(): void {}
  send(text: string): void {
    this.sent.push(text);
  }
  close(code: number, reason: string): void {
    this.readyState = 3;
    this.emit('close', code, Buffer.from(reason));
  }
}
const asWebSocket = (s: StandInSocket): WebSocket => s as unknown as WebSocket;

const clock = steadyRealClock();
// the controller's own logger at its default level, its lines thrown away: a line built is counted
const log = createLogger({ name: 'xenherd-controller', sink: { write: () => undefined }, env: {} });
let ids = 0;
// the stand-ins send no heartbeats: their links must not be closed as silent while the profiler slows the run
const core = new ControllerCore({ clock, log, newId: () => `id${++ids}`, settings: { staleAfterMs: 3_600_000 } });
const pacer = new IngestPacer(clock);
const hosts = Array.from({ length: HOSTS }, (_, i) => `bench${i}`);
const stands = hosts.map((host, i) => {
  const frames = new StandFrames(i, host, hosts, PER_HOST, () => Date.now());
  const socket = new StandInSocket();
  core.acceptAgent(pacer.link(asWebSocket(socket), wsLink(asWebSocket(socket), `memory:${host}`), host), { host });
  const deliver = (frame: Buffer): void => void socket.emit('message', frame, false);
  return { frames, socket, deliver };
});

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
/** until the pacer has handled every frame handed in */
async function drained(): Promise<void> {
  while (pacer.backlog > 0) await turn();
  await turn();
}

function answered(socket: StandInSocket, type: string): { accepts?: string[] } {
  const m = socket.sent.map((t) => JSON.parse(t) as { type: string; accepts?: string[] }).find((x) => x.type === type);
  if (m === undefined) throw new Error(`no ${type} in ${socket.sent.join(' ').slice(0, 300)}`);
  return m;
}

for (const s of stands) s.deliver(Buffer.from(s.frames.hello()));
await drained();
for (const s of stands) s.deliver(Buffer.from(s.frames.snapshot(answered(s.socket, 'welcome').accepts)));
await drained();
const closed = (): number => stands.filter((s) => s.socket.readyState !== 1).length;
if (closed() > 0) throw new Error(`${closed()} links closed after their snapshots: ${stands.find((s) => s.socket.readyState !== 1)?.socket.sent.join(" ").slice(0, 500) ?? ""}`);

/** N deltas at random hosts, their frames made before: what the stand-ins allocate is not the controller's */
function deltaFrames(n: number): Array<() => void> {
  return Array.from({ length: n }, () => {
    const s = stands[Math.floor(Math.random() * stands.length)];
    if (s === undefined) throw new Error('no stands');
    const frame = Buffer.from(s.frames.delta());
    return () => s.deliver(frame);
  });
}

/**
 * FRAMES handed in BURST a turn, until the pacer has handled them all. A burst waits while the
 * backlog is a burst or more: the pacer handles a millisecond of frames a turn, and frames handed
 * in faster than that queued to its pause limit (2,000), each text waiting long enough to be
 * promoted; a measure of what a delta keeps would count a queue that an unsaturated controller
 * does not have.
 */
async function deltas(frames: ReadonlyArray<() => void>): Promise<void> {
  for (let k = 0; k < frames.length; k++) {
    frames[k]?.();
    if (k % BURST !== BURST - 1) continue;
    await turn();
    while (pacer.backlog >= BURST) await turn();
  }
  await drained();
}

/**
 * Work the heartbeat runs, not a delta: the alerts' look over the whole fleet and the sweep sending
 * every agent its view, both stepped by inSlices (which also pauses and resumes sockets, which
 * these bursts never bring about). How often it runs in a phase is set by the clock, not by the
 * deltas, so its bytes are told apart (per second) from a delta's.
 */
const HEARTBEAT_WORK = /(controller\/core\/(alert-keeper|link-sweep)|shared\/clock\/in-slices)\.ts$/;

interface Sampled {
  /** bytes by site, of the deltas' own work */
  readonly sites: Map<string, number>;
  /** bytes of the heartbeat's work in all and by site, and the phase's length in seconds */
  readonly heartbeat: number;
  readonly heartbeatSites: Map<string, number>;
  readonly seconds: number;
}

/** Bytes allocated by each site while FN ran, as the sampler saw them (minor: those a scavenge freed counted too). */
async function sampled(fn: () => Promise<void>, minor: boolean, major: boolean): Promise<Sampled> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMinorGC: minor, includeObjectsCollectedByMajorGC: major });
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
  session.disconnect();
  const sites = new Map<string, number>();
  let heartbeat = 0;
  const heartbeatSites = new Map<string, number>();
  // a built-in (JSON.parse, a Map's set) is named with the site that called it
  const walk = (n: ProfileNode, caller: string, underHeartbeat: boolean): void => {
    const key = nodeSite(n, caller);
    const beat = underHeartbeat || HEARTBEAT_WORK.test(key.split(':')[0] ?? '');
    const into = beat ? heartbeatSites : sites;
    if (beat) heartbeat += n.selfSize;
    if (n.selfSize > 0) into.set(key, (into.get(key) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c, n.callFrame.url === '' ? caller : key, beat);
  };
  walk(profile.head, '(root)', false);
  return { sites, heartbeat, heartbeatSites, seconds };
}

const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
const top = (m: Map<string, number>, n: number): Record<string, number> =>
  Object.fromEntries([...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, Math.round(v / DELTAS)]));

interface SpaceStats {
  readonly spaceName: string;
  readonly spaceUsedSize: number;
}
interface GcStats {
  readonly gcType: string;
  readonly cost: number;
  readonly beforeGC: { heapStatistics: { usedHeapSize: number }; heapSpaceStatistics: SpaceStats[] };
  readonly afterGC: { heapStatistics: { usedHeapSize: number } };
}
const YOUNG = new Set(['new_space', 'new_large_object_space']);

/**
 * FRAMES handed in without the profiler (after a full collection), and the scavenges on the way: how many, how many deltas
 * apart, what each found alive in the young generation (copied within it or promoted: the heap
 * after, less the old generation before) and how long each took. The heartbeat's work runs on the
 * way too, by the clock: on a slower machine more of it falls between two scavenges.
 */
async function scavengesOver(frames: ReadonlyArray<() => void>): Promise<{ count: number; deltasApart: number; survivedBytesEach: number; msEach: number }> {
  const profiler = new GCProfiler();
  profiler.start();
  await deltas(frames);
  const stats = (profiler.stop()?.statistics ?? []) as unknown as GcStats[];
  let survived = 0;
  let cost = 0;
  let count = 0;
  for (const s of stats) {
    if (s.gcType !== 'Scavenge') continue;
    const young = s.beforeGC.heapSpaceStatistics.reduce((a, x) => a + (YOUNG.has(x.spaceName) ? x.spaceUsedSize : 0), 0);
    survived += s.afterGC.heapStatistics.usedHeapSize - (s.beforeGC.heapStatistics.usedHeapSize - young);
    cost += s.cost;
    count++;
  }
  const each = (n: number): number => (count === 0 ? 0 : Math.round(n / count));
  return { count, deltasApart: each(frames.length), survivedBytesEach: each(survived), msEach: Number((cost / 1000 / Math.max(count, 1)).toFixed(2)) };
}

// warm: the first thousands of frames run before V8 has optimized the path
await deltas(deltaFrames(Math.min(DELTAS, 20_000)));
const phase = async (minor: boolean, major: boolean, end: () => void): Promise<Sampled> => {
  const frames = deltaFrames(DELTAS);
  gc();
  return sampled(async () => {
    await deltas(frames);
    end();
  }, minor, major);
};
const unprofiled = deltaFrames(DELTAS);
gc();
const scavenges = await scavengesOver(unprofiled);
const all = await phase(true, true, () => undefined);
// what outlived a scavenge: sampled without the objects scavenges freed (a scavenge at the end
// frees the young garbage left); of those, a full GC at the end leaves what is still held (the
// records a host's next delta replaces): the rest died old
const outlived = await phase(false, true, () => gc({ type: 'minor' }));
const held = await phase(false, false, () => gc());
const closedLinks = closed();
process.stdout.write(
  `${JSON.stringify(
    {
      hosts: HOSTS,
      deltas: DELTAS,
      burst: BURST,
      closedLinks,
      bytesPerDelta: Math.round(total(all.sites) / DELTAS),
      outlivedScavengePerDelta: Math.round(total(outlived.sites) / DELTAS),
      heldAfterFullGcPerDelta: Math.round(total(held.sites) / DELTAS),
      scavengesWithoutProfiler: scavenges,
      deltasPerSecond: Math.round(DELTAS / all.seconds),
      heartbeatWorkBytesPerSecond: Math.round(all.heartbeat / all.seconds),
      heartbeatWorkOutlivedPerSecond: Math.round(outlived.heartbeat / outlived.seconds),
      topSites: top(all.sites, 25),
      topOutlived: top(outlived.sites, 10),
      topHeartbeatBytesPerSecond: Object.fromEntries([...all.heartbeatSites.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => [k, Math.round(v / all.seconds)])),
    },
    null,
    2,
  )}\n`,
);
await core.close();
process.exit(0);
