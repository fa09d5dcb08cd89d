// A benchmark's load: thousands of stand-in agents, each a real WebSocket over TLS to a real
// controller, speaking the agent link protocol (hello, snapshot, heartbeats, deltas). Run as its
// own process (`node packaging/run-ts.mjs test/bench/fake-fleet.ts SPEC.json`) so the load does
// not share an event loop with what the benchmark measures. Told what to do on stdin, one JSON
// command per line; reports on stdout, one JSON event per line.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { AGENT_LINK_PATH } from '../../shared/protocol/agent-link.js';
import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { StandFrames } from './stand-frames.js';
import { standDomain } from './stand-state.js';

interface Spec {
  readonly url: string;
  readonly caPem: string;
  readonly agents: readonly { readonly host: string; readonly token: string }[];
  readonly domusPerHost: number;
}

type Command = { cmd: 'rate'; perSecond: number } | { cmd: 'flood'; seconds: number } | { cmd: 'stop' };

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Spec;
const emit = (e: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(e)}\n`);

const hostNames = spec.agents.map((a) => a.host);

class Stand {
  readonly frames: StandFrames;
  readonly ws: WebSocket;
  /** when this stand last sent a heartbeat, or was welcomed; null before its welcome */
  beatAt: number | null = null;
  constructor(
    readonly index: number,
    readonly host: string,
    token: string,
  ) {
    this.frames = new StandFrames(index, host, hostNames, spec.domusPerHost, () => Date.now());
    this.ws = new WebSocket(`${spec.url}${AGENT_LINK_PATH}`, { headers: { authorization: `Bearer ${token}` }, ca: spec.caPem, perMessageDeflate: false });
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  delta(extra: LinkDomain[] = []): void {
    this.ws.send(this.frames.delta(extra));
  }
}

/** how often each stand-in sends a heartbeat: what the controller's welcome asks, as an agent does */
let heartbeatMs = 5_000;

async function connectAll(): Promise<Stand[]> {
  const stands: Stand[] = [];
  const t0 = Date.now();
  // An agent heartbeats from its welcome on. Connecting 2,000 takes 9 s on an idle 2-core machine
  // and over 20 s on a busy one, longer than the controller waits for a silent agent: stands that
  // waited for the last one to connect before their first heartbeat were closed as stale, and
  // their flood markers never answered.
  const welcomed: Stand[] = [];
  const beating = setInterval(() => {
    const now = Date.now();
    for (const s of welcomed) {
      if (s.beatAt !== null && now - s.beatAt >= heartbeatMs) {
        s.send({ type: 'heartbeat', at: now });
        s.beatAt = now;
      }
    }
  }, 100);
  // in batches: thousands of TLS handshakes at once only measure the accept queue
  for (let b = 0; b < spec.agents.length; b += 100) {
    const batch = spec.agents.slice(b, b + 100).map((a, k) => new Stand(b + k, a.host, a.token));
    await Promise.all(
      batch.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            s.ws.once('error', reject);
            s.ws.once('close', (code, reason) => reject(new Error(`${s.host}: closed ${code} ${reason.toString()}`)));
            s.ws.once('open', () => s.ws.send(s.frames.hello()));
            s.ws.on('message', (data) => {
              const m = JSON.parse(data.toString()) as { type: string; message?: string; heartbeatMs?: number; accepts?: string[] };
              if (m.type === 'welcome') {
                heartbeatMs = m.heartbeatMs ?? heartbeatMs;
                s.ws.send(s.frames.snapshot(m.accepts));
                s.beatAt = Date.now();
                welcomed.push(s);
                resolve();
              } else if (m.type === 'error') reject(new Error(`${s.host}: ${m.message ?? ''}`));
            });
          }),
      ),
    );
    stands.push(...batch);
  }
  clearInterval(beating);
  emit({ event: 'connected', agents: stands.length, ms: Date.now() - t0, domainRows: stands.filter((s) => s.frames.rows).length });
  return stands;
}

const stands = await connectAll();

// Real agents are independent machines: each sends its heartbeat on its own phase (set by when it
// connected), and their deltas arrive at random moments, not in step. So the stand-ins too: one
// 1 ms tick, each stand's heartbeat at a random phase of the period, and the deltas due in a tick
// drawn as Poisson arrivals around the asked rate. Sent in step, the controller takes them in
// bursts and then idles, which a fleet of separate machines does not let it do.
// (a stand's first beat on its phase comes less than two periods after the last one it sent;
// the controller closes a link unheard for three)
const byPhase = stands.map((s) => ({ s, dueAt: Date.now() + Math.random() * heartbeatMs })).sort((a, b) => a.dueAt - b.dueAt);
let nextHeartbeat = 0;

/** a count of arrivals in a window where `mean` are expected (Knuth's method, for small means) */
function poisson(mean: number): number {
  // a tick this late is a stall of this process; catching up is all that matters then
  if (mean > 50) return Math.round(mean);
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = Math.random(); p > limit; p *= Math.random()) k++;
  return k;
}

interface Pace {
  readonly perSecond: number;
  readonly t0: number;
  last: number;
  sent: number;
  reported: number;
}
let pace: Pace | null = null;

const tick = setInterval(() => {
  const now = Date.now();
  // the same period for all, so the order by phase never changes: walk it round
  for (let e = byPhase[nextHeartbeat]; e && e.dueAt <= now; e = byPhase[nextHeartbeat]) {
    e.s.send({ type: 'heartbeat', at: now });
    e.dueAt += heartbeatMs;
    nextHeartbeat = (nextHeartbeat + 1) % byPhase.length;
  }
  if (!pace) return;
  // over the time since the last tick, however late it came, so the rate holds
  const due = poisson(((now - pace.last) / 1000) * pace.perSecond);
  pace.last = now;
  for (let k = 0; k < due; k++) (stands[Math.floor(Math.random() * stands.length)] as Stand).delta();
  pace.sent += due;
  if (now - pace.reported >= 1_000) {
    pace.reported = now;
    emit({ event: 'rate', sent: pace.sent, seconds: (now - pace.t0) / 1000 });
  }
}, 1);

function rate(perSecond: number): void {
  const t0 = Date.now();
  pace = { perSecond, t0, last: t0, sent: 0, reported: t0 };
}

/** Every stand sends as fast as its socket drains for SECONDS, then a marker domain it names. */
async function flood(seconds: number): Promise<void> {
  pace = null;
  const startedAt = Date.now();
  const end = startedAt + seconds * 1000;
  let sent = 0;
  while (Date.now() < end) {
    for (const s of stands) {
      for (let k = 0; k < 4 && s.ws.bufferedAmount < 64 * 1024; k++) {
        s.delta();
        sent++;
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  for (const s of stands) {
    s.delta([standDomain(s.index, 1_000_000, 1)].map((d) => ({ ...d, name: `mark${s.index}`, baseName: `mark${s.index}` })));
    sent++;
  }
  emit({ event: 'flooded', sent, startedAt, sentUntil: Date.now() });
}

const commands = createInterface({ input: process.stdin });
for await (const line of commands) {
  const c = JSON.parse(line) as Command;
  if (c.cmd === 'rate') rate(c.perSecond);
  else if (c.cmd === 'flood') await flood(c.seconds);
  else break;
}
clearInterval(tick);
await Promise.all(
  stands.map(
    (s) =>
      new Promise<void>((resolve) => {
        if (s.ws.readyState === WebSocket.CLOSED) return resolve();
        s.ws.once('close', () => resolve());
        s.ws.close(1000, 'bench done');
      }),
  ),
);
emit({ event: 'stopped' });
