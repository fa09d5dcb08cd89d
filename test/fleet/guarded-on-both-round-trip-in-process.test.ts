import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandBody } from '../../shared/protocol/agent-link.js';
import { HOME_AGAIN_GRACE_MS } from '../../agent/core/home-again.js';
import { runsOn } from '../harness/fleet.js';
import { agentsBed, type AgentsBed } from './agents-with-stand-in.js';
import { pairFleet } from '../harness/pair-fleet.js';

// A DRBD domU whose config sits in the guarded dir of both Dom0s of its pair (no migrate-tab):
// either may start it after a reboot, and the ledger says which one it left. Sent to its peer
// and back, in either order of the two Dom0s' own bookkeeping, it must end as it began: at home,
// recorded nowhere.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [] });

let bed: AgentsBed;
afterEach(async () => bed?.stop());

const migrate = (target: string | null, reason: 'manual' | 'drain' | 'restore', operationId: string): CommandBody => ({ op: 'migrate', name: 'web1', target, reason, operationId, by: 'ctl:admin' });

async function guardedOnBoth(): Promise<AgentsBed> {
  const b = await agentsBed(FLEET, ['xen1', 'xen2']);
  const root = (h: string): string => b.fleet.sim.hostRoot(h);
  copyFileSync(join(root('xen1'), 'etc/xen/drbd-auto/web1.cfg'), join(root('xen2'), 'etc/xen/drbd-auto/web1.cfg'));
  return b;
}

/** Both agents keep reading and deciding for two minutes; then neither ledger records web1. */
async function recordedNowhere(): Promise<void> {
  await bed.fleet.advance(120_000);
  for (const h of ['xen1', 'xen2']) expect([h, bed.ledger(h)?.away, bed.ledger(h)?.visitors]).toEqual([h, {}, {}]);
}

describe('a domU guarded on both Dom0s, sent to its peer and back', () => {
  it('sent back by the peer it visited: no record left on either Dom0, and no visitor at its own home', async () => {
    bed = await guardedOnBoth();
    expect(await bed.run('xen1', migrate('xen2', 'manual', 'op-1'))).toMatchObject({ ok: true });
    expect(bed.ledger('xen1')?.away['web1']).toMatchObject({ currentHost: 'xen2' });
    expect(bed.ledger('xen2')?.visitors['web1']).toMatchObject({ home: 'xen1' });
    const back = await bed.run('xen2', migrate('xen1', 'manual', 'op-2'));
    expect(back, JSON.stringify(back)).toMatchObject({ ok: true });
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);
    // both agents keep reading and deciding for a while: nothing may flip the record afterwards
    await recordedNowhere();
  });

  it('brought back by its home (reverse, through the peer\'s forced command): no record left on either Dom0', async () => {
    bed = await guardedOnBoth();
    expect(await bed.run('xen1', migrate('xen2', 'manual', 'op-1'))).toMatchObject({ ok: true });
    const back = await bed.run('xen1', { op: 'reverse', name: 'web1', operationId: 'op-2', by: 'ctl:admin' });
    expect(back, JSON.stringify(back)).toMatchObject({ ok: true });
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);
    await recordedNowhere();
  });

  it('drained to its peer and restored by it: no record left on either Dom0', async () => {
    bed = await guardedOnBoth();
    const flag = (state: 'draining' | 'restoring', from: ('online' | 'draining')[]): CommandBody => ({ op: 'maintenance', state, from, operationId: 'drain-1', owner: 'ctl-a', leaseMs: 600_000, by: 'ctl:admin' });
    expect(await bed.run('xen1', flag('draining', ['online']))).toMatchObject({ ok: true });
    expect(await bed.run('xen1', migrate('xen2', 'drain', 'drain-1'))).toMatchObject({ ok: true });
    expect(bed.ledger('xen2')?.visitors['web1']).toMatchObject({ home: 'xen1' });
    expect(await bed.run('xen1', flag('restoring', ['draining']))).toMatchObject({ ok: true });
    const restored = await bed.run('xen2', migrate(null, 'restore', 'drain-1'));
    expect(restored, JSON.stringify(restored)).toMatchObject({ ok: true });
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);
    await recordedNowhere();
  });

  it('moved back by hand with xl migrate: its home ends the away record once it has run there for the grace, not before', async () => {
    bed = await guardedOnBoth();
    expect(await bed.run('xen1', migrate('xen2', 'manual', 'op-1'))).toMatchObject({ ok: true });
    let done = false;
    void bed.fleet.sim.run('xen2', 'xl', ['migrate', 'web1', 'xen1']).then(() => (done = true));
    await bed.fleet.until(() => done, 'xl migrate web1 xen1 on xen2 returned', 120_000);
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);
    const back = bed.fleet.sim.clock.now();
    await bed.fleet.advance(HOME_AGAIN_GRACE_MS / 2);
    expect(bed.ledger('xen1')?.away['web1']).toMatchObject({ currentHost: 'xen2' });
    const ended = await bed.fleet.until(() => bed.ledger('xen1')?.away['web1'] === undefined, 'the away record ended', 60_000);
    expect(ended - back).toBeLessThan(HOME_AGAIN_GRACE_MS + 5_000);
    expect(bed.ledger('xen1')?.visitors).toEqual({});
  });
});
