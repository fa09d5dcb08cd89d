import { afterEach, describe, expect, it } from 'vitest';
import type { CommandBody } from '../../shared/protocol/agent-link.js';
import { runsOn } from '../harness/fleet.js';
import { agentsBed, type AgentsBed } from './agents-with-stand-in.js';
import { DB1_ON_XEN2, pairFleet } from '../harness/pair-fleet.js';

// A controller's migrate and the maintenance states: a drain's moves only while its own drain
// holds the host, no domU onto a draining or empty-for-maintenance host unless it goes home
// (reason restore). In process, on the fleet simulator's deterministic clock.

const FLEET = pairFleet({ connectDelay: 300, more: DB1_ON_XEN2 });

let bed: AgentsBed;
afterEach(async () => bed?.stop());

type Reason = Extract<CommandBody, { op: 'migrate' }>['reason'];
const migrate = (name: string, target: string | null, reason: Reason, operationId = 'op-1'): CommandBody => ({ op: 'migrate', name, target, reason, operationId, by: 'ctl:admin' });
const flag = (state: 'draining' | 'maintenance' | 'online', from: ('online' | 'draining' | 'maintenance' | 'restoring')[], operationId = 'drain-1'): CommandBody => ({ op: 'maintenance', state, from, operationId, owner: 'ctl-a', leaseMs: 600_000, by: 'ctl:admin' });

describe('migrate for a drain, a restore, and onto hosts in maintenance', () => {
  it('a drain move runs only while this host is draining for that same drain', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    const early = await bed.run('xen1', migrate('web1', 'xen2', 'drain', 'drain-1'));
    expect(early).toMatchObject({ ok: false, code: 'XH_ERR_LOCKED', message: expect.stringContaining('xen1 is online') });
    expect(early.progress).toEqual([]);
    expect(await bed.run('xen1', flag('draining', ['online']))).toMatchObject({ ok: true });
    const other = await bed.run('xen1', migrate('web1', 'xen2', 'drain', 'drain-2'));
    expect(other).toMatchObject({ ok: false, code: 'XH_ERR_LOCKED', message: expect.stringContaining('draining for operation drain-1') });
    const moved = await bed.run('xen1', migrate('web1', 'xen2', 'drain', 'drain-1'));
    expect(moved, JSON.stringify(moved)).toMatchObject({ ok: true });
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen2']);
    expect(bed.ledger('xen1')?.away['web1']).toMatchObject({ currentHost: 'xen2', reason: 'drain', operationId: 'drain-1' });
  });

  it('refuses a target that is draining; a restore may go home to a host in maintenance', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    expect(await bed.run('xen2', flag('draining', ['online']))).toMatchObject({ ok: true });
    const onto = await bed.run('xen1', migrate('web1', 'xen2', 'manual'));
    expect(onto).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining('xen2 is draining') });
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);

    // web1 leaves for xen2 (online again); xen1, now empty, goes into maintenance
    expect(await bed.run('xen2', flag('online', ['draining']))).toMatchObject({ ok: true });
    expect(await bed.run('xen1', migrate('web1', 'xen2', 'manual'))).toMatchObject({ ok: true });
    await bed.fleet.until(() => bed.agent('xen1').core.current.domains?.every((d) => d.name === 'Domain-0') === true, 'xen1 lists nothing but Domain-0');
    expect(await bed.run('xen1', flag('maintenance', ['online']))).toMatchObject({ ok: true });
    const rebalance = await bed.run('xen2', migrate('web1', 'xen1', 'rebalance'));
    expect(rebalance).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining('xen1 is in maintenance') });
    const home = await bed.run('xen2', migrate('web1', 'xen1', 'restore', 'restore-1'));
    expect(home, JSON.stringify(home)).toMatchObject({ ok: true });
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);
    expect(bed.ledger('xen1')?.away['web1']).toBeUndefined();
    expect(bed.ledger('xen2')?.visitors['web1']).toBeUndefined();
  });

  it('a restore only takes a domU back to its home', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    const r = await bed.run('xen1', migrate('web1', 'xen2', 'restore'));
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining("web1's home is xen1") });
  });
});
