import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tellWriteFailed } from '../../../agent/control/nudge.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, writeConfig } from './agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// The real `xenherd-agent run` on a simulated Dom0 whose disk the simulator fills (the playground's
// `disk HOST full`): the agent keeps its records in a real temp dir nothing fills, so it reads its
// filesystem's answers from the file the simulator keeps for it, and says what a Dom0's would;
// then a command's word over the control socket names the write that failed.

const FLEET = pairFleet({ running: 'no' });

const bed = agentTestBed();

describe('xenherd-agent run on a simulated Dom0 whose disk is full', () => {
  it('finds it at its first reading, in the words a real full disk gets, and names a command\'s write it is told of', async () => {
    const sim = await bed.startSim(FLEET);
    expect(sim.stateDisk('xen1', 'full').ok).toBe(true);
    const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, FAST_TIMERS)));
    const said = await agent.waitLog((l) => l.msg.startsWith('cannot write under /var/lib/xenherd'), 30_000);
    expect(said).toMatchObject({ level: 50, code: 'XH_ERR_FILE', errno: 'ENOSPC', dir: '/var/lib/xenherd' });
    expect(said.msg).toMatch(/^cannot write under \/var\/lib\/xenherd: no space left on the device \(a test write\)/);
    expect((await agent.waitLog((l) => l.msg.startsWith('cannot write under /run/xenherd'))).errno).toBe('ENOSPC');
    await agent.waitLog((l) => l.msg.startsWith('ready'), 30_000);
    // an operator's `xenherd-agent migrate` whose ledger write was refused tells it over the control socket
    await tellWriteFailed(join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock'), 'state', "xenherd-agent migrate's write of the migration ledger");
    const named = await agent.waitLog((l) => l.msg.includes("(xenherd-agent migrate's write of the migration ledger)"));
    expect(named.msg).toMatch(/^cannot write under \/var\/lib\/xenherd: no space left on the device \(xenherd-agent migrate's write of the migration ledger\): /);
  }, 60_000);
});
