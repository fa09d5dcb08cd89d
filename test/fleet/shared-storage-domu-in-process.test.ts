import { afterEach, describe, expect, it } from 'vitest';
import type { CommandBody } from '../../shared/protocol/agent-link.js';
import { runsOn } from '../harness/fleet.js';
import { agentsBed, type AgentsBed } from './agents-with-stand-in.js';

// A domU without DRBD disks (on storage every Dom0 reaches), guarded on its home only: a drain
// sends it to another Dom0, and the restore after maintenance brings it back.

const FLEET = `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen3 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu local1 mem=512 vcpus=1 home=xen3 running=xen3
`;

let bed: AgentsBed;
afterEach(async () => bed?.stop());

const flag = (state: 'draining' | 'maintenance' | 'online' | 'restoring', from: ('online' | 'draining' | 'maintenance' | 'restoring')[]): CommandBody => ({ op: 'maintenance', state, from, operationId: 'drain-1', owner: 'ctl-a', leaseMs: 600_000, by: 'ctl:admin' });
const migrate = (target: string | null, reason: 'drain' | 'restore'): CommandBody => ({ op: 'migrate', name: 'local1', target, reason, operationId: 'drain-1', by: 'ctl:admin' });

describe('a domU on shared storage, drained and restored', () => {
  it('is recorded as the home\'s visitor where the drain took it, and the restore brings it home', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen3']);
    expect(await bed.run('xen3', flag('draining', ['online']))).toMatchObject({ ok: true });
    const drained = await bed.run('xen3', migrate('xen1', 'drain'));
    expect(drained, JSON.stringify(drained)).toMatchObject({ ok: true });
    expect(drained.message).not.toMatch(/could not be told/);
    expect(bed.ledger('xen1')?.visitors['local1']).toMatchObject({ home: 'xen3' });
    expect(await bed.run('xen3', flag('restoring', ['draining']))).toMatchObject({ ok: true });
    const restored = await bed.run('xen1', migrate(null, 'restore'));
    expect(restored, JSON.stringify(restored)).toMatchObject({ ok: true });
    expect(runsOn(bed.fleet.sim, 'local1')).toEqual(['xen3']);
    expect([bed.ledger('xen1')?.visitors, bed.ledger('xen3')?.away]).toEqual([{}, {}]);
  });
});
