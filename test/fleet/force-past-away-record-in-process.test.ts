import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../agent/adapters/ledger-store.js';
import { HOME_AGAIN_GRACE_MS } from '../../agent/core/home-again.js';
import { withAway, withVisitor } from '../../agent/state/ledger.js';
import type { ControlResponse } from '../../shared/protocol/agent-control.js';
import type { SimControllerOptions } from '../harness/controller-on-sim.js';
import { startupGraceMs } from '../../controller/fleet/enrolment.js';
import { creates, runsOn, startFleet, type Fleet } from '../harness/fleet.js';
import { bothReporting, controlAnswer } from './pair-with-controller.js';
import { pairFleet } from '../harness/pair-fleet.js';

// web1 (home xen1) was drained to xen2, and xen2 lost power with it. xen1 is online again; its
// ledger says web1 went to xen2, so autostart skips it, rightly. With a controller that no longer
// hears from xen2, the operator's `autostart start --force web1` on xen1 starts it at home, and
// the away record ends once web1 has run there for a while. While xen2 reports, --force is refused.
const FLEET = pairFleet({ connectDelay: 300, running: 'xen2' });
const since = '2025-01-01T00:00:00.000Z';

let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function drainedToXen2(controller: boolean | SimControllerOptions = true): Promise<Fleet> {
  fleet = await startFleet(FLEET, { controller });
  const store = (h: string) => ledgerStore(join(fleet.sim.hostRoot(h), 'var/lib/xenherd'), h);
  await store('xen1').update((l) => withAway(l, 'web1', { home: 'xen1', currentHost: 'xen2', since, operationId: 'drain-1', reason: 'drain' }));
  await store('xen2').update((l) => withVisitor(l, 'web1', { home: 'xen1', since, operationId: 'drain-1' }));
  return bothReporting(fleet);
}

const control = (f: Fleet, req: Parameters<typeof controlAnswer>[2]): Promise<ControlResponse> => controlAnswer(f, 'xen1', req);

const force = { op: 'force', name: 'web1', reason: 'xen2 is dead, checked', operator: 'root' } as const;
const awayOnXen1 = (f: Fleet) => {
  const l = ledgerStore(join(f.sim.hostRoot('xen1'), 'var/lib/xenherd'), 'xen1').read();
  return l.ok ? l.value.away['web1'] : 'unreadable';
};

/** The operator's --force on xen1 starts web1 there, and the agent's log line saying why matches LOGGED. */
async function forcedStartsAtHome(f: Fleet, logged: RegExp): Promise<void> {
  const r = await control(f, force);
  expect(r, JSON.stringify(r)).toMatchObject({ ok: true, message: 'started web1 (forced: xen2 is dead, checked)' });
  await f.until(() => runsOn(f.sim, 'web1').includes('xen1'), 'web1 runs on xen1');
  const line = f.agent('xen1').logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('operator forces the start of web1'));
  expect(line?.msg).toMatch(logged);
}

describe('--force at home past an away record whose Dom0 the controller no longer hears from', () => {
  it('refused while xen2 reports and runs web1', async () => {
    const f = await drainedToXen2();
    const r = await control(f, force);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('web1: refused: skipped (migrated-away): the ledger says web1 was migrated to xen2, and the controller still hears from that Dom0') } });
    await f.advance(30_000);
    expect([creates(f.sim, 'xen1', 'web1'), runsOn(f.sim, 'web1')]).toEqual([0, ['xen2']]);
  });

  it('xen2 powered off: still skipped automatically; --force starts web1 at home, and the away record ends', async () => {
    const f = await drainedToXen2();
    f.powerOff('xen2');
    await f.advance(240_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(0);
    await forcedStartsAtHome(f, /^operator forces the start of web1 past its ledger's away record \(the ledger says web1 was migrated to xen2 \(its last report: the controller last heard from xen2 4 min ago\)\): xen2 is dead, checked$/);
    await f.until(() => awayOnXen1(f) === undefined, 'the away record ended', HOME_AGAIN_GRACE_MS + 30_000);
    expect(f.sim.violations).toEqual([]);
  });

  it('the controller restarted after xen2 died: refused during its start-up grace, then --force starts web1 at home', async () => {
    // tokens.json enrolls both: the restarted controller knows xen2 belongs to the fleet, though it never heard from it
    const enrolled: ReadonlySet<string> = new Set(['xen1', 'xen2']);
    const f = await drainedToXen2({ enrolled: () => enrolled });
    f.powerOff('xen2');
    await f.advance(240_000);
    f.controller!.crash();
    const core = f.controller!.restart();
    await f.until(() => core.hosts().hosts.some((h) => h.host === 'xen1' && h.reported && h.reachable), 'xen1 reporting to the new controller', 30_000, 100);
    // xen2's agent may still be reconnecting: not yet called silent
    const early = await control(f, force);
    expect(early).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('and the controller still hears from that Dom0') } });
    expect(creates(f.sim, 'xen1', 'web1')).toBe(0);
    // the grace covers the longest wait of an agent that retried while the controller was down (enrolment.ts)
    const graceEnds = (core.hosts().startedAt ?? 0) + startupGraceMs(core.settings.staleAfterMs, enrolled.size);
    await f.advance(graceEnds - f.sim.clock.now() - 1_000);
    expect(await control(f, force)).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED' } });
    await f.advance(10_000);
    await forcedStartsAtHome(f, /the controller last heard from xen2 (\d+ s|1 min) ago/);
    expect(f.sim.violations).toEqual([]);
  });

  it('xen2 died and was revoked (forgotten by the controller): --force starts web1 at home; refused while xen2 was heard', async () => {
    let enrolled: ReadonlySet<string> = new Set(['xen1', 'xen2']);
    const f = await drainedToXen2({ enrolled: () => enrolled });
    const early = await control(f, force);
    expect(early).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('and the controller still hears from that Dom0') } });
    f.powerOff('xen2');
    await f.advance(60_000);
    // the operator revokes xen2's token: tokens.json no longer enrolls it, and its link is down
    enrolled = new Set(['xen1']);
    await f.until(() => !f.controller!.core.hosts().hosts.some((h) => h.host === 'xen2'), 'xen2 forgotten', 30_000, 100);
    await f.advance(10_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(0);
    await forcedStartsAtHome(f, /the controller last heard from xen2 (\d+ s|1 min) ago/);
    expect(f.sim.violations).toEqual([]);
  });
});
