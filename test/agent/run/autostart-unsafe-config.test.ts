import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { withVisitor } from '../../../agent/state/ledger.js';
import { AgentStatusSchema, type ControlResponse } from '../../../shared/protocol/agent-control.js';
import { creates, runsOn, startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// A guarded config others can write is root code anyone can change (bootloader=, a vif script=):
// the agent used to start it all the same. The agent core in this process, the fleet simulator
// answering its tools, time moving only when the test advances it.

const FLEET = `
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu plain1 mem=512 vcpus=1 home=xen1 running=no
domu plain2 mem=512 vcpus=1 home=xen1 running=no
`;

let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function status(f: Fleet) {
  const r = await f.agent('xen1').control({ op: 'status' });
  if (!r.ok) throw new Error(r.error.message);
  return AgentStatusSchema.parse(r.status);
}

describe('a guarded config others can write (in process)', () => {
  it('is not started, not even with --force: logged at error naming the file, its mode and the fix, and shown by status', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    f.sim.power('xen1', 'off');
    f.sim.power('xen1', 'on');
    const cfg = join(f.sim.hostRoot('xen1'), 'etc/xen/drbd-auto/plain1.cfg');
    chmodSync(cfg, 0o666);
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg === 'started plain2', 'started plain2');
    const refused = await f.log('xen1', (l) => l.domu === 'plain1' && l.decision === 'defer', 'plain1 deferred');
    expect(refused).toMatchObject({ level: 50, reason: 'config-unsafe' });
    expect(refused.msg).toContain('NOT starting plain1: config /etc/xen/drbd-auto/plain1.cfg');
    expect(refused.msg).toContain('it is writable by others (mode 0666)');
    expect(refused.msg).toContain('run chmod go-w /etc/xen/drbd-auto/plain1.cfg');
    await f.advance(60_000);
    expect(creates(f.sim, 'xen1', 'plain1')).toBe(0);
    expect((await status(f)).guarded.find((g) => g.name === 'plain1')).toMatchObject({ decision: 'defer', reason: 'config-unsafe' });

    const forced = await f.agent('xen1').control({ op: 'force', name: 'plain1', reason: 'customer waiting', operator: 'root' });
    expect(forced.ok).toBe(false);
    expect(JSON.stringify(forced)).toContain('--force does not override config-unsafe');
    expect(creates(f.sim, 'xen1', 'plain1')).toBe(0);

    // fixed as the message says: the next read starts it
    chmodSync(cfg, 0o644);
    let reloaded: ControlResponse | null = null;
    void f.agent('xen1').control({ op: 'reload' }).then((r) => (reloaded = r));
    await f.until(() => reloaded !== null, 'reload answered');
    await f.log('xen1', (l) => l.msg === 'started plain1', 'started plain1 once its mode is 0644');
    expect(f.sim.violations).toEqual([]);
  });

  it('a visitor recorded in the ledger, started from the config dir after a reboot, is judged as a guarded config is', async () => {
    fleet = await startFleet(pairFleet({ optionLine: false, running: 'xen2' }));
    const f = fleet;
    const store = ledgerStore(join(f.sim.hostRoot('xen2'), 'var/lib/xenherd'), 'xen2');
    await store.update((l) => withVisitor(l, 'web1', { home: 'xen1', since: '2025-01-01T00:00:00Z', operationId: 'op1' }));
    chmodSync(join(f.sim.hostRoot('xen2'), 'etc/xen'), 0o777);
    f.sim.power('xen2', 'off');
    f.sim.power('xen2', 'on');
    f.startAgent('xen2');
    const refused = await f.log('xen2', (l) => l.domu === 'web1' && l.decision === 'defer', 'web1 deferred');
    expect(refused).toMatchObject({ level: 50, reason: 'config-unsafe' });
    expect(refused.msg).toContain('its dir /etc/xen (under');
    expect(refused.msg).toContain('is writable by others (mode 0777)');
    await f.advance(60_000);
    expect(runsOn(f.sim, 'web1')).toEqual([]);
  });
});
