import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../shared/protocol/ctl-jobs.js';
import { runsOn, startFleet, type Fleet } from '../harness/fleet.js';
import { pairFleet } from '../harness/pair-fleet.js';
import { agentsReporting } from './pair-with-controller.js';

// A split brain on web1's pair, as the agent reports it, keeps the controller's plans from listing
// a move the agent's preflight would refuse: `drain --dry-run` names the resource, its state and the
// fix, and the drain refuses before it changes anything. Real agent cores and the controller core
// on the simulator, in process. web1 is guarded (no migrate-tab), so its agent reports r1.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [] });

// a split brain shows on both ends: the plan names each, then the fix
const STANDALONE = 'r1 on xen1 is StandAlone (disk UpToDate, peer DUnknown), and r1 on xen2 is StandAlone (disk UpToDate, peer DUnknown): reconnect it (`drbdadm connect r1` on both, resolving a split brain first) and wait for UpToDate/UpToDate before migrating';

let fleet: Fleet;
afterEach(async () => fleet?.stop());

describe('drain of a host whose domU sits on a split-brained DRBD pair', () => {
  it('the dry run lists web1 as a drbd-not-ready leftover, not a move; the drain refuses and nothing moves', async () => {
    fleet = await agentsReporting(await startFleet(FLEET, { controller: true }));
    const core = fleet.controller!.core;
    const plan = () => core.hub.plan({ kind: 'drain', hosts: ['xen1'] });
    expect(await plan()).toMatchObject({ ok: true, value: { sets: [[{ name: 'web1', from: 'xen1', to: 'xen2' }]], leftovers: [] } });

    expect(fleet.sim.drbd('r1', 'split-brain').ok).toBe(true);
    await fleet.until(async () => {
      const p = await plan();
      return p.ok && p.value.leftovers.length > 0;
    }, 'the split brain in the plan');
    const p = await plan();
    expect(p.ok && p.value.kind === 'drain' ? p.value.sets : null).toEqual([]);
    expect(p.ok ? p.value.leftovers : null).toEqual([
      { name: 'web1', host: 'xen1', blocker: { kind: 'drbd-not-ready', resource: 'r1', host: 'xen1', target: 'xen2', state: 'StandAlone', clearsUp: false, detail: STANDALONE }, message: `web1 cannot be moved to xen2: DRBD ${STANDALONE}; then try again (a person must act: see README, section "DRBD split brain")` },
    ]);

    const events: JobEvent[] = [];
    const started = core.hub.start({ kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: true, allowPartial: false, timeoutMs: null }, 'test', (e) => void events.push(e));
    expect(started.ok).toBe(true);
    await fleet.until(() => events.some((e) => e.type === 'end'), 'the drain ends', 600_000, 100);
    expect(events.find((e) => e.type === 'end')).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 0, remaining: [{ name: 'web1', blocker: { kind: 'drbd-not-ready' } }] });
    expect(events.filter((e) => e.type === 'move')).toEqual([]);
    expect(runsOn(fleet.sim, 'web1')).toEqual(['xen1']);
    expect(fleet.agent('xen1').core.current.maintenance).toMatchObject({ state: 'online' });
  });
});
