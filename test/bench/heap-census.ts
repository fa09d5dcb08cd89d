// What the controller core holds at the bench's shape, in one process: the core fed the hellos,
// snapshots and a delta each of HOSTS stand-in agents (stand-frames.ts, the very frames the
// bench's stand-ins send), its heap measured after full collections, then a breakdown: the
// structures the core keeps dropped one at a time (each figure what that one alone still held),
// and with --snapshot, a heap snapshot summed by object shape (constructor and first keys).
//   node packaging/run-ts.mjs test/bench/heap-census.ts [HOSTS] [DOMUS_PER_HOST] [--snapshot]
import pino from 'pino';
import { ControllerCore } from '../../controller/core/controller-core.js';
import { LINK_FEATURE } from '../../shared/protocol/agent-link.js';
import { heapAfterGc } from '../fuzz/heap-after-gc.js';
import { floodClock } from '../fuzz/flood-clock.js';
import { handLink, type HandLink } from '../fuzz/hand-link.js';
import { heapShapes } from './heap-shapes.js';
import { StandFrames } from './stand-frames.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const HOSTS = Number(args[0] ?? 2_000);
const PER_HOST = Number(args[1] ?? 20);
const mib = (n: number): string => (n / 1048576).toFixed(1);

const clock = floodClock(1_000_000);
const hostNames = Array.from({ length: HOSTS }, (_, i) => `bench${i}`);
const enrolled = new Set(hostNames);
let ids = 0;
const core = new ControllerCore({ clock, log: pino({ level: 'info' }, { write: () => undefined }), newId: () => `id${++ids}`, enrolled: () => enrolled });
const links: HandLink[] = [];
const before = await heapAfterGc();

const t0 = performance.now();
for (let i = 0; i < HOSTS; i++) {
  const host = hostNames[i] ?? '';
  const h = handLink(`memory:${host}`);
  links.push(h);
  core.acceptAgent(h.link, { host });
  // the stand-ins' own frames: hello, a snapshot to a controller taking domain-rows, then one
  // change as theirs are sent (a row's memory and the host's)
  const frames = new StandFrames(i, host, hostNames, PER_HOST, () => clock.now());
  h.deliver(frames.hello());
  h.deliver(frames.snapshot([LINK_FEATURE.domainRows, LINK_FEATURE.domainStarted]));
  h.deliver(frames.delta());
  h.sent.length = 0;
  if (i % 100 === 99) clock.advance(100);
}
clock.advance(6_000);
for (const h of links) h.sent.length = 0;
const closed = links.filter((h) => h.closed !== null).length;
const fed = performance.now() - t0;
const after = await heapAfterGc();
const where = core.where('vm7-3');
const found = where.ok ? where.value.matches[0]?.places[0]?.host : undefined;
process.stdout.write(`${HOSTS} agents × ${PER_HOST} domUs fed in ${(fed / 1000).toFixed(1)} s (${closed} links closed; where vm7-3: ${found ?? 'not found'})\n`);
process.stdout.write(`heap after full GC: ${mib(before)} MiB before the agents, ${mib(after)} MiB after: the core holds ${mib(after - before)} MiB\n`);

// Each structure dropped in turn: what the heap loses is what that structure alone held (what
// it shares with one dropped later counts with the later one).
type Holder = Record<string, unknown>;
const field = (o: unknown, k: string): Holder => (o as Holder)[k] as Holder;
const index = field(core, 'index');
const drops: Array<readonly [string, () => void]> = [
  ['fleet view cache (texts sent)', () => Reflect.set(field(core, 'push'), 'views', null)],
  ['replication log (link states per host)', () => Reflect.set(core, 'replication', null)],
  ['alert keeper', () => Reflect.set(core, 'alerts', null)],
  ['monitor', () => Reflect.set(core, 'monitor', null)],
  ['job hub', () => Reflect.set(core, 'hub', null)],
  ['index.running', () => Reflect.set(index, 'running', null)],
  ['index.homes', () => Reflect.set(index, 'homes', null)],
  ['index.guarded', () => Reflect.set(index, 'guarded', null)],
  ['index.away + visitors + unsettled', () => ['away', 'visitors', 'unsettled'].forEach((k) => Reflect.set(index, k, null))],
  ['index.configsNaming', () => Reflect.set(index, 'configsNaming', null)],
  ['index.configs', () => Reflect.set(index, 'configs', null)],
  ['index.primaryHolders', () => Reflect.set(index, 'primaryHolders', null)],
  ['index.lookShortlist + foreignRunners + domusAway', () => ['lookShortlist', 'foreignRunners', 'domusAway'].forEach((k) => Reflect.set(index, k, null))],
  ['records: state.drbd', () => dropSection('drbd')],
  ['records: state.domus', () => dropSection('domus')],
  ['records: state.homes', () => dropSection('homes')],
  ['records: copiesSince', () => dropRecordField('copiesSince')],
  ['sessions (links, readers) and records: state.domains', () => {
    Reflect.set(core, 'sessions', null);
        dropSection('domains');
  }],
  ['records (the rest)', () => Reflect.set(index, 'records', null)],
  ['link log, reports, push, enrolled hosts, hello deadlines, pending commands', () => ['links', 'reports', 'push', 'enrolled', 'hellos', 'pending'].forEach((k) => Reflect.set(core, k, null))],
];

function dropSection(k: string): void {
  for (const r of (field(index, 'records') as unknown as Map<string, Holder>).values()) {
    const state = r['state'] as Holder | null;
    if (state) Reflect.set(r, 'state', { ...state, [k]: null });
  }
}
function dropRecordField(k: string): void {
  const records = field(index, 'records') as unknown as Map<string, Holder>;
  for (const [h, r] of records) records.set(h, { ...r, [k]: undefined });
}

if (process.argv.includes('--snapshot')) {
  for (const [shape, bytes, count] of await heapShapes(25)) process.stdout.write(`${mib(bytes).padStart(7)} MiB ${String(count).padStart(9)}  ${shape}\n`);
}
let last = after;
for (const [what, drop] of drops) {
  drop();
  const now = await heapAfterGc();
  process.stdout.write(`${mib(last - now).padStart(7)} MiB  ${what}\n`);
  last = now;
}
process.stdout.write(`${mib(last - before).padStart(7)} MiB  the rest of the core\n`);
links.length = 0;
