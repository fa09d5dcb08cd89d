import { afterEach, expect, it } from 'vitest';
import type { JobRequest } from '../../shared/protocol/ctl-jobs.js';
import type { Fleet } from '../harness/fleet.js';
import { checkTexts as checkTextsOf, copyUnderWay, DRAIN_XEN1, twoDom0sOnline, watchJob, type JobEndEvent } from './two-dom0s.js';

// A drain whose Dom0 loses power mid-copy: the Dom0 comes back without its domUs. A drain moves
// only what runs, so they drop out of its plan; the drain must still name them (they run nowhere,
// and the host's autostart starts nothing while it is out of service), and check must say so
// without waiting minutes on a decision the restarted agent has only just made.
const DRAIN = DRAIN_XEN1;
type End = JobEndEvent;
let f: Fleet;
afterEach(async () => f?.stop());

async function online(): Promise<Fleet> {
  f = await twoDom0sOnline();
  return f;
}
const job = (req: JobRequest): { end: () => End | undefined } => watchJob(f, req);
const copying = (): Promise<void> => copyUnderWay(f);
const checkTexts = (): string[] => checkTextsOf(f);
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
  // the first drain names both: web1 as its ALARM, web2 (which died with xen1 and never moved) as
  // running on no Dom0 heard from; it ended as xen1 went unheard with xen2's DRBD link to it, before it was back
  const first = j1.end()!;
  expect(first.ok).toBe(false);
  expect(named(first)).toEqual(['web1: alarm', 'web2: runs-nowhere']);
  expect(first.remaining[1]?.message).toMatch(/^web2 runs on no Dom0 heard from: it ran on xen1 when last heard, and xen1 is unheard since .*`xenherd-agent autostart start --force web2 --reason TEXT` on xen2 starts it there$/);
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
