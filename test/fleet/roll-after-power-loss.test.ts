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
  expect(end.remaining[1]?.message).toBe(
    'web2 runs nowhere (it ran on xen1 when this drain began: lost with xen1, a power loss or a crash?), and xen1 starts nothing while it is draining: `xenherdctl restore xen1` starts it at its home xen1, bringing xen1 online',
  );
  // web1, lost mid-copy, runs nowhere under its ALARM: it does not remain on xen1
  expect(end.message).toMatch(/^group 1\/1 \(xen1\): the drain did not finish \(web1 runs nowhere, held by an ALARM \(.*\); 1 guarded domU\(s\) of xen1 run nowhere: web2 runs nowhere /);
  expect(roll.events.some((e) => e.type === 'reboot')).toBe(false);
});
