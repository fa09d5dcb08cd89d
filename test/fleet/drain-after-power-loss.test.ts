import { afterEach, expect, it } from 'vitest';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../shared/protocol/ctl-check.js';
import type { JobEvent, JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { startFleet, type Fleet } from '../harness/fleet.js';

// A drain whose Dom0 loses power mid-copy: the Dom0 comes back without its domUs. A drain moves
// only what runs, so they drop out of its plan; the drain must still name them (they run nowhere,
// and the host's autostart starts nothing while it is out of service), and check must say so
// without waiting minutes on a decision the restarted agent has only just made.
const FLEET = `
option bandwidth=256 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
domu web1 mem=4096 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu web2 mem=4096 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen1
domu db1 mem=2048 vcpus=2 home=xen2 peer=xen1 drbd=r3 running=xen2
`;
const DRAIN: JobRequest = { kind: 'drain', host: 'xen1', maxParallel: 1, coldFallback: false, allowPartial: false, timeoutMs: null };
type End = Extract<JobEvent, { type: 'end' }>;
let f: Fleet;
afterEach(async () => f?.stop());

async function online(): Promise<Fleet> {
  f = await startFleet(FLEET, { controller: { enrolled: () => new Set(['xen1', 'xen2']) } });
  for (const h of ['xen1', 'xen2']) f.startAgent(h);
  await f.until(() => f.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'all reporting');
  await f.advance(5_000);
  return f;
}
function job(req: JobRequest): { end: () => End | undefined } {
  const ev: JobEvent[] = [];
  const r = f.controller!.core.hub.start(req, 'op', (e) => void ev.push(e));
  if (!r.ok) throw new Error(r.error.message);
  return { end: () => ev.find((e): e is End => e.type === 'end') };
}
const copying = () => f.until(() => f.sim.state().migrations.length > 0, 'copy began').then(() => f.advance(3_000));
const checkTexts = () => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).details.map((d) => `${d.status}: ${d.text}`);
const named = (e: End) => e.remaining.map((l) => `${l.name}: ${l.blocker.kind}`);

it("a re-run drain after a power loss does not claim success while the host's guarded domUs run nowhere", async () => {
  await online();
  const j1 = job(DRAIN);
  await copying();
  f.powerOff('xen1');
  await f.advance(60_000);
  f.sim.power('xen1', 'on');
  f.startAgent('xen1');
  await f.until(() => j1.end() !== undefined, 'first drain ended', 1_200_000, 500);
  // the first drain names both: web1 as its ALARM, web2 (which died with xen1 and never moved) as down
  const first = j1.end()!;
  expect(first.ok).toBe(false);
  expect(named(first)).toEqual(['web1: alarm', 'web2: runs-nowhere']);
  expect(first.remaining[1]?.message).toBe(
    'web2 runs nowhere (it ran on xen1 when this drain began: lost with xen1, a power loss or a crash?), and xen1 starts nothing while it is draining: `xenherdctl restore xen1` starts it at its home xen1, bringing xen1 online',
  );
  await f.advance(10_000);
  const j2 = job(DRAIN);
  await f.until(() => j2.end() !== undefined, 'second drain ended', 1_200_000, 500);
  expect(f.sim.state().domains.map((d) => d.name).sort()).toEqual(['db1']);
  const end = j2.end()!;
  expect(end.ok && !/web1|web2/.test(end.message + JSON.stringify(end.remaining))).toBe(false);
  expect(end.message).toMatch(/^xen1 is empty and in maintenance \(0 domU\(s\) moved\), but 2 guarded domU\(s\) of xen1 run nowhere: web1 runs nowhere \(already when this drain began: lost with xen1 during an earlier drain/);
  expect(named(end)).toEqual(['web1: runs-nowhere', 'web2: runs-nowhere']);
  // a third run has nothing to move, and says the same
  const j3 = job(DRAIN);
  await f.until(() => j3.end() !== undefined, 'third drain ended', 60_000, 500);
  expect([j3.end()!.ok, named(j3.end()!)]).toEqual([false, ['web1: runs-nowhere', 'web2: runs-nowhere']]);
  await f.advance(60_000);
  expect(checkTexts().filter((t) => /web1|web2/.test(t))).toEqual([
    expect.stringMatching(/^WARNING: web1: running nowhere, and xen1 starts nothing while it is in maintenance/),
    expect.stringMatching(/^WARNING: web2: running nowhere, and xen1 starts nothing while it is in maintenance/),
  ]);
  // the fix the drain names: a restore brings xen1 online, and its autostart starts them at home
  const r = job({ kind: 'restore', host: 'xen1', timeoutMs: null });
  await f.until(() => r.end() !== undefined, 'restore ended', 600_000, 500);
  await f.until(() => f.sim.state().domains.filter((d) => d.name.startsWith('web')).length === 2, 'web1 and web2 started', 600_000, 500);
  await f.advance(30_000);
  expect(checkTexts().filter((t) => /web1|web2/.test(t))).toEqual([]);
});
