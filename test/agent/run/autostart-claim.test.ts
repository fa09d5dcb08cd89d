import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { creates, runsOn, startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// Both Dom0s of the pair hold web1's config in their guarded dirs (the README's "either may start
// it after a reboot"), and r1 allows two primaries, as live migration needs.
const FLEET = pairFleet({ connectDelay: 300, migrateTab: [] });

let fleet: Fleet | null = null;
afterEach(async () => {
  await fleet?.stop();
  fleet = null;
});

async function pairWithConfigOnBoth(controller = false): Promise<Fleet> {
  const f = (fleet = await startFleet(FLEET, controller ? { controller: true } : {}));
  mkdirSync(join(f.sim.hostRoot('xen2'), 'etc/xen/drbd-auto'), { recursive: true });
  copyFileSync(join(f.sim.hostRoot('xen1'), 'etc/xen/drbd-auto/web1.cfg'), join(f.sim.hostRoot('xen2'), 'etc/xen/drbd-auto/web1.cfg'));
  return f;
}

const logsOf = (f: Fleet, host: string): string[] => f.agent(host).logs.filter((l) => l.domu === 'web1').map((l) => l.msg);

describe('guarded autostart on both Dom0s of a pair', () => {
  // a real `xl create` runs a while before block-drbd promotes: both agents decide "safe" on the
  // same view of a Secondary peer
  it.each([0, 100, 300, 1500])('both booting at once start web1 on one of them only (xl create taking %i ms)', async (ms) => {
    const f = await pairWithConfigOnBoth();
    f.sim.power('xen1', 'off');
    f.sim.power('xen2', 'off');
    f.sim.power('xen1', 'on');
    f.sim.power('xen2', 'on');
    for (const h of ['xen1', 'xen2']) f.sim.toolFault(h, 'xl', { kind: 'slow', ms }, { argvPrefix: ['create'], times: 1 });
    f.startAgent('xen1');
    f.startAgent('xen2');
    await f.until(() => runsOn(f.sim, 'web1').length > 0, 'web1 started somewhere', 60_000);
    await f.advance(30_000);
    expect(runsOn(f.sim, 'web1')).toHaveLength(1);
    expect(creates(f.sim, 'xen1', 'web1') + creates(f.sim, 'xen2', 'web1')).toBe(1);
    expect(f.sim.violations).toEqual([]);
  });

  it('the peer does not start web1 when an operator shuts it down on the host running it (the controller saw it run there)', async () => {
    const f = await pairWithConfigOnBoth(true);
    f.startAgent('xen1');
    f.startAgent('xen2');
    await f.log('xen2', (l) => l.domu === 'web1' && l.reason === 'running-elsewhere', 'xen2 sees web1 running on its peer');
    // `xl shutdown` waits for the guest on the simulator's clock, which until() advances
    const shutdown = f.sim.run('xen1', 'xl', ['shutdown', 'web1']);
    await f.until(() => runsOn(f.sim, 'web1').length === 0, 'web1 shut down');
    expect((await shutdown).exitCode).toBe(0);
    await f.log('xen2', (l) => l.domu === 'web1' && l.reason === 'handled-this-boot', 'xen2 leaves web1 alone');
    await f.advance(30_000);
    expect(runsOn(f.sim, 'web1')).toEqual([]);
    expect(creates(f.sim, 'xen2', 'web1')).toBe(0);
  });

  it('an agent that died between its claim and xl create: the next one gives the resources back and starts the domU', async () => {
    const f = (fleet = await startFleet(FLEET));
    f.sim.power('xen1', 'off');
    f.sim.power('xen1', 'on');
    // what the dead agent left: r1 Primary here, nothing running on it, its start record naming it
    expect((await f.sim.run('xen1', 'drbdadm', ['primary', 'r1'])).exitCode).toBe(0);
    const starting = join(f.sim.hostRoot('xen1'), 'var/lib/xenherd/starting');
    mkdirSync(starting, { recursive: true, mode: 0o700 });
    const record = join(starting, 'web1.json');
    writeFileSync(record, JSON.stringify({ name: 'web1', pid: 4242, configPath: '/etc/xen/drbd-auto/web1.cfg', at: new Date(f.sim.clock.now()).toISOString(), claimed: ['r1'] }));
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1', 60_000);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
    expect(f.sim.commandLog.some((c) => c.host === 'xen1' && c.tool === 'drbdadm' && c.argv.join(' ') === 'secondary r1')).toBe(true);
    expect(existsSync(record)).toBe(false);
  });
});
