import { afterEach, expect, it } from 'vitest';
import type { Fleet } from '../harness/fleet.js';
import { copyUnderWay, DRAIN_XEN1, twoDom0sOnline, watchJob } from './two-dom0s.js';

// A drain whose Dom0 loses power mid-copy and stays off: its agent is unheard, and xen2's DRBD
// lost its link to it too, so nothing of xen1 can answer. The drain ends within seconds (it
// waited 10 min for the move's source to answer, then 5 min for web2's agent) and says its domUs
// run on no Dom0 heard from, with where to look and where they may start, not that they
// "remain" on xen1. A Dom0 whose agent alone went away (its DRBD still linked) is waited for.
let f: Fleet;
afterEach(async () => f?.stop());

it('a drain of a Dom0 that lost power ends within a minute, its domUs running on no Dom0 heard from', async () => {
  f = await twoDom0sOnline();
  const j = watchJob(f, DRAIN_XEN1);
  await copyUnderWay(f);
  f.powerOff('xen1');
  const off = f.sim.clock.now();
  await f.until(() => j.end() !== undefined, 'drain ended', 60_000, 500);
  expect(f.sim.clock.now() - off).toBeLessThan(60_000);
  const end = j.end()!;
  expect([end.ok, end.code]).toEqual([false, 'XH_ERR_MIGRATION_UNKNOWN']);
  expect(end.message).toMatch(
    /^the drain could not finish: xen1 is unheard since \d\d:\d\d:\d\d UTC and xen2's DRBD lost its link to it too \(a power loss\? a cut network\?\), and 2 domU\(s\) of it run on no Dom0 heard from \(web1 and web2\): if xen1 is down, they are down with it;/,
  );
  expect(end.message).not.toMatch(/remain on xen1/);
  expect(end.remaining.map((l) => `${l.name}: ${l.blocker.kind}`)).toEqual(['web1: alarm', 'web2: runs-nowhere']);
  expect(end.remaining[0]?.message).toMatch(/web1 could not be settled \(xen2 holds no copy of it and xen1 is unheard .*: it runs on no Dom0 heard from, and if xen1 is down, web1 is down with it; `xenherdctl where web1` shows where it was last seen; once xen1 is known to be off \(not only cut off\), `xenherd-agent autostart start --force web1 --reason TEXT` on xen2 starts it there\)/);
  expect(end.remaining[1]).toMatchObject({ host: null, message: expect.stringMatching(/^web2 runs on no Dom0 heard from: it ran on xen1 when last heard, and xen1 is unheard .*; if xen1 is down, web2 is down with it: `xenherdctl where web2` shows where it was last seen; once xen1 is known to be off \(not only cut off\), `xenherd-agent autostart start --force web2 --reason TEXT` on xen2 starts it there$/) });
  // nothing was waited for: no "waiting" note for xen1's agent
  expect(j.events.filter((e) => e.type === 'note' && /waiting/.test(e.line))).toEqual([]);
  // a plan of it now moves nothing from it and says the same of each domU
  const plan = await f.controller!.core.hub.plan({ kind: 'drain', hosts: ['xen1'] });
  expect(plan.ok && plan.value.kind === 'drain' && [plan.value.sets, plan.value.leftovers.map((l) => `${l.name}: ${l.blocker.kind}`)]).toEqual([[], ['web1: runs-nowhere', 'web2: runs-nowhere']]);
});

it("a drain whose Dom0's agent alone went away (its DRBD still linked to xen2) waits for it, as before", async () => {
  f = await twoDom0sOnline();
  const j = watchJob(f, DRAIN_XEN1);
  await f.until(() => j.events.some((e) => e.type === 'move' && e.name === 'web1' && e.phase === 'moved'), 'web1 moved', 120_000, 100);
  f.crash('xen1');
  await f.advance(60_000);
  expect(j.end()).toBeUndefined();
  f.startAgent('xen1');
  await f.until(() => j.end() !== undefined, 'drain ended', 600_000, 500);
  expect(j.end()).toMatchObject({ ok: true, moved: 2 });
});
