import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { withAway, withVisitor } from '../../../agent/state/ledger.js';
import type { Sim } from '../../sim/sim.js';
import { AgentProcess, runsOn, writeConfig } from './agent-process.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';

// Issue item 7: the Dom0 hosting a visiting domU reboots. Its ledger says the visitor belongs
// here until it goes home, so guarded autostart starts it here (same DRBD rules); its home, whose
// ledger says it left, does not. A corrupt ledger starts nothing.
const FLEET = `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen2
`;
const FAST = FAST_TIMERS;

const bed = agentTestBed();
let sim: Sim;

const store = (host: string) => ledgerStore(join(sim.hostRoot(host), 'var/lib/xenherd'), host);
const since = '2025-01-01T00:00:00Z';
const start = (host: string): AgentProcess => {
  const a = new AgentProcess(bed.agentPath(), sim, host, writeConfig(sim.dir, FAST));
  bed.track(a);
  return a;
};

describe('visitors after a reboot of the Dom0 hosting them', () => {
  it('the visiting host starts its visitor; the home skips it (migrated away)', async () => {
    sim = await bed.startSim(FLEET);
    await store('xen1').update((l) => withAway(l, 'web1', { home: 'xen1', currentHost: 'xen2', since, operationId: 'op1', reason: 'drain' }));
    await store('xen2').update((l) => withVisitor(l, 'web1', { home: 'xen1', since, operationId: 'op1' }));
    sim.power('xen2', 'off');
    sim.power('xen2', 'on');
    const home = start('xen1');
    await home.waitLog((l) => l.domu === 'web1' && l['reason'] === 'migrated-away');
    const visited = start('xen2');
    // right after the reboot the visitor is not running: the mismatch is logged, not rewritten
    await visited.waitLog((l) => l['mismatch'] === 'visitor-not-here' && l.domu === 'web1');
    await visited.waitLog((l) => l.msg === 'started web1');
    expect(runsOn(sim, 'web1')).toEqual(['xen2']);
    expect(sim.violations).toEqual([]);
  }, 30_000);

  it('a corrupt ledger: nothing is started, the reason says why', async () => {
    sim = await bed.startSim(FLEET.replace('running=xen2', 'running=no'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(sim.hostRoot('xen1'), 'var/lib/xenherd/ledger.json'), '{"schema":1,');
    const a = start('xen1');
    await a.waitLog((l) => l.domu === 'web1' && l['reason'] === 'ledger-unreadable');
    expect(runsOn(sim, 'web1')).toEqual([]);
  }, 30_000);
});
