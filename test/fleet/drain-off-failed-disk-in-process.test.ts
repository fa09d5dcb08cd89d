import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../shared/protocol/ctl-jobs.js';
import type { WhereMatch } from '../../shared/protocol/ctl-where.js';
import { runsOn, startFleet, type Fleet } from '../harness/fleet.js';
import { drbdLines } from './drbd-pair-check.js';
import { pairFleet } from '../harness/pair-fleet.js';

// web1's disk on xen1 fails under DRBD, which detaches it: web1 keeps running on xen2's disk over
// the network. Draining xen1 moves web1 to xen2, whose disk is UpToDate: the controller's plan
// lists the move and the agent's preflight lets it through. Real agent cores and the controller
// core on the simulator, in process, on its clock.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [] });

let fleet: Fleet;
type Core = NonNullable<Fleet['controller']>['core'];
const whereDrbd = (core: Core, name: string): WhereMatch['drbd'] => {
  const w = core.where(name);
  if (!w.ok) throw new Error(w.error.message);
  return w.value.matches[0]?.drbd;
};
afterEach(async () => fleet?.stop());

describe('a Dom0 whose DRBD disk failed under a running domU', () => {
  it('drain moves web1 to its peer, whose disk is UpToDate; the way back onto the Diskless disk stays refused', async () => {
    fleet = await startFleet(FLEET, { controller: true });
    for (const h of ['xen1', 'xen2']) fleet.startAgent(h);
    const core = fleet.controller!.core;
    await fleet.until(() => core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting');

    expect(fleet.sim.diskFail('xen1', 'r1').ok).toBe(true);
    const plan = () => core.hub.plan({ kind: 'drain', hosts: ['xen1'] });
    // check names the Dom0, the resource, the domU and the way out
    await fleet.until(() => drbdLines(fleet).some((l) => l.startsWith('WARNING: DRBD r1 (web1) on xen1: disk Diskless')), "check seeing xen1's disk gone");
    expect(drbdLines(fleet)).toContain("WARNING: DRBD r1 (web1) on xen1: disk Diskless: DRBD detached xen1's disk of r1; web1 runs on xen1 on xen2's disk over the network, the only copy: move it off (`xenherdctl migrate web1 xen2`, or `xenherdctl drain xen1`), then replace the disk if it failed and `drbdadm attach r1` on xen1 (README, section \"A failed disk under DRBD\")");
    // and the peer's line, whose disk is fine, says it holds web1's only copy and must stay connected
    await fleet.until(() => drbdLines(fleet).some((l) => l.startsWith('WARNING: DRBD r1 (web1) on xen2: the peer Diskless')), "check seeing xen2's peer Diskless");
    expect(drbdLines(fleet)).toContain("WARNING: DRBD r1 (web1) on xen2: the peer Diskless: xen1's disk of r1 failed or was detached, so xen2 holds the only copy; web1 runs on xen1 over the network on xen2's disk: do not disconnect, demote or take down r1 on xen2; the repair is on xen1 (README, section \"A failed disk under DRBD\")");
    // where web1 marks it: it runs on, over the network on xen2's disk
    expect(whereDrbd(core, 'web1')).toEqual([{ resource: 'r1', kind: 'disk-failed', hosts: ['xen1', 'xen2'] }]);
    expect(await plan()).toMatchObject({ ok: true, value: { sets: [[{ name: 'web1', from: 'xen1', to: 'xen2' }]], leftovers: [] } });

    const events: JobEvent[] = [];
    const started = core.hub.start({ kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null }, 'test', (e) => void events.push(e));
    expect(started.ok).toBe(true);
    await fleet.until(() => events.some((e) => e.type === 'end'), 'the drain ends', 600_000, 100);
    expect(events.find((e) => e.type === 'end')).toMatchObject({ ok: true, moved: 1 });
    expect(runsOn(fleet.sim, 'web1')).toEqual(['xen2']);
    expect((await fleet.sim.run('xen2', 'drbdadm', ['role', 'r1'])).stdout).toBe('Primary/Secondary\n');
    // on xen2 it runs on its own UpToDate disk: no mark
    await fleet.until(() => whereDrbd(core, 'web1') === undefined, 'where web1 on xen2 unmarked');

    // home again onto the Diskless disk: the restore's plan refuses it, naming the attach
    const back = await core.hub.plan({ kind: 'restore', host: 'xen1' });
    expect(back.ok && back.value.leftovers.map((l) => l.message)).toEqual([expect.stringMatching(/xen1's disk of r1 is Diskless, .*`drbdadm attach r1` on xen1/)]);
  });
});
