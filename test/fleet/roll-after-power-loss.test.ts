import { afterEach, expect, it } from 'vitest';
import type { Fleet } from '../harness/fleet.js';
import { copyUnderWay, twoDom0sOnline, watchJob } from './two-dom0s.js';

// A roll drains its groups through its own loop: a Dom0 that loses power mid-copy comes back
// without its domUs, and the one that was not being moved drops out of the group's plan. The roll
// must name it as a drain does (plan/left-down.ts), not only the move's ALARM.
let f: Fleet;
afterEach(async () => f?.stop());

it('a roll whose Dom0 loses power mid-copy names the domU lost with it as running nowhere, with the fix, and asks no reboot', async () => {
  f = await twoDom0sOnline();
  const roll = watchJob(f, { kind: 'roll', hosts: ['xen1'], reboot: 'wait', maxParallel: 1, coldFallback: false, timeoutMs: null });
  await copyUnderWay(f);
  f.powerOff('xen1');
  await f.advance(60_000);
  f.sim.power('xen1', 'on');
  f.startAgent('xen1');
  await f.until(() => roll.end() !== undefined, 'the roll ended', 1_200_000, 500);
  const end = roll.end()!;
  expect(end.ok).toBe(false);
  expect(end.remaining.map((l) => `${l.name}: ${l.blocker.kind}`)).toEqual(['web1: alarm', 'web2: runs-nowhere']);
  // the group's drain ends as xen1 goes unheard with xen2's DRBD link to it (plan/lost-host.ts), before it is back
  expect(end.remaining[1]?.message).toMatch(
    /^web2 runs on no Dom0 heard from: it ran on xen1 when last heard, and xen1 is unheard since \d\d:\d\d:\d\d UTC and xen2's DRBD lost its link to it too \(a power loss\? a cut network\?\); if xen1 is down, web2 is down with it: `xenherdctl where web2` shows where it was last seen; once xen1 is known to be off \(not only cut off\), `xenherd-agent autostart start --force web2 --reason TEXT` on xen2 starts it there$/,
  );
  // web1, lost mid-copy, runs on no Dom0 heard from under its ALARM: it does not remain on xen1
  expect(end.message).toMatch(/^group 1\/1 \(xen1\): the drain did not finish \(ALARM web1: after XH_ERR_AGENT_LINK_LOST, web1 could not be settled \(xen2 holds no copy of it and xen1 is unheard .*: it runs on no Dom0 heard from, .*; web2 runs on no Dom0 heard from: /);
  expect(roll.events.some((e) => e.type === 'reboot')).toBe(false);
});
