import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlResponse } from '../../shared/protocol/agent-control.js';
import { creates, runsOn, startFleet, type Fleet } from '../harness/fleet.js';
import { bothReporting, controlAnswer } from './pair-with-controller.js';
import { pairFleet } from '../harness/pair-fleet.js';

// README's recovery after a Dom0 dies, with a controller connected: web1 is guarded on both Dom0s
// of its pair, its home xen1 loses power, and on xen2 the operator runs `autostart start --force
// web1 --reason "peer is dead, checked"`. The controller keeps xen1's last rows in its view (a
// silent host may still run web1): automatic autostart keeps skipping, --force may pass that skip,
// and while xen1 is alive and running web1 --force is still refused.
const FLEET = pairFleet({ connectDelay: 300, more: 'domu db1 mem=4096 vcpus=2 home=xen2 peer=xen1 drbd=r2 running=xen2\n' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function guardedOnBoth(): Promise<Fleet> {
  fleet = await startFleet(FLEET, { controller: true });
  const root = (h: string): string => fleet.sim.hostRoot(h);
  copyFileSync(join(root('xen1'), 'etc/xen/drbd-auto/web1.cfg'), join(root('xen2'), 'etc/xen/drbd-auto/web1.cfg'));
  return bothReporting(fleet);
}

const control = (f: Fleet, req: Parameters<typeof controlAnswer>[2]): Promise<ControlResponse> => controlAnswer(f, 'xen2', req);

async function web1OnXen2(f: Fleet): Promise<{ decision: string; reason: string | null; detail: string }> {
  const st = await control(f, { op: 'status' });
  const g = (st.ok ? st.status?.guarded : undefined)?.find((x) => x.name === 'web1');
  if (!g) throw new Error(`no web1 in ${JSON.stringify(st)}`);
  return g;
}

const force = { op: 'force', name: 'web1', reason: 'peer is dead, checked', operator: 'root' } as const;

describe('--force on the survivor past the last report of a Dom0 the controller no longer hears from', () => {
  it('refuses while the peer is alive and runs web1', async () => {
    const f = await guardedOnBoth();
    expect(await web1OnXen2(f)).toMatchObject({ decision: 'skip', reason: 'running-elsewhere', detail: 'the controller sees web1 running on xen1' });
    const r = await control(f, force);
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'XH_ERR_REFUSED',
        message: 'web1: refused: skipped (running-elsewhere): the controller sees web1 running on xen1. --force passes running-elsewhere only when every host reporting it is one the controller no longer hears from',
      },
    });
    await f.advance(30_000);
    expect(creates(f.sim, 'xen2', 'web1')).toBe(0);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
  });

  it('keeps skipping automatically once the peer is powered off, says since when it is silent, and --force starts web1', async () => {
    const f = await guardedOnBoth();
    f.powerOff('xen1');
    await f.advance(240_000);
    // the controller's view still names xen1 (its last report), and is fresh: not the DRBD rules alone
    const d = await web1OnXen2(f);
    expect(d).toMatchObject({ decision: 'skip', reason: 'running-elsewhere' });
    expect(creates(f.sim, 'xen2', 'web1')).toBe(0);

    const r = await control(f, force);
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, message: 'started web1 (forced: peer is dead, checked)' });
    expect(d.detail).toBe('the controller sees web1 running on xen1 (its last report: the controller last heard from xen1 4 min ago)');
    await f.until(() => runsOn(f.sim, 'web1').includes('xen2'), 'web1 runs on xen2');
    expect(runsOn(f.sim, 'web1')).toEqual(['xen2']);
    const logged = f.agent('xen2').logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('operator forces the start of web1'));
    expect(logged?.msg).toMatch(/^operator forces the start of web1 past a host the controller no longer hears from \(the controller sees web1 running on xen1 \(its last report: the controller last heard from xen1 4 min ago\)\): peer is dead, checked$/);
    expect(f.sim.violations).toEqual([]);
  });
});
