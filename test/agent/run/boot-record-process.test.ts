import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Sim } from '../../sim/sim.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, creates, writeConfig } from './agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// The operator's upgrade mid-boot, through the real `xenherd-agent run`: the control socket outside
// /run, an older agent's record (no boot id) of web1, which the operator has since stopped. The
// agent reads when this boot began from /proc/uptime under XENHERD_HOST_ROOT, as its other host files.

const FLEET = pairFleet({ connectDelay: 300, running: 'no' });
const SOCKET_DIR = '/var/lib/xenherd-sock';
/** how the agents older than the boot id read the record */
const OldAgentSchema = z.strictObject({ handled: z.array(z.string()) });

const bed = agentTestBed();

/** xen1 up for 10 minutes, with an older agent's record of web1 written at MTIMEMS */
async function upgradedAgent(mtimeMs: (nowMs: number) => number): Promise<{ sim: Sim; agent: AgentProcess; record: string }> {
  const sim = await bed.startSim(FLEET);
  const root = sim.hostRoot('xen1');
  writeFileSync(join(root, 'proc', 'uptime'), '600.00 1200.00\n');
  mkdirSync(join(root, SOCKET_DIR), { recursive: true, mode: 0o700 });
  const record = join(root, SOCKET_DIR, 'autostart-boot.json');
  writeFileSync(record, JSON.stringify({ handled: ['web1'] }), { mode: 0o600 });
  const t = mtimeMs(Date.now()) / 1000;
  utimesSync(record, t, t);
  const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, { ...FAST_TIMERS, controlSocket: `${SOCKET_DIR}/agent.sock` })));
  await agent.waitLog((l) => l.msg.startsWith('ready'));
  return { sim, agent, record };
}

describe('xenherd-agent run, upgraded mid-boot with its socket outside /run', () => {
  it('an older agent\'s record written this boot is used: the domU the operator stopped stays stopped', async () => {
    const { sim, agent, record } = await upgradedAgent((now) => now - 60_000);
    const judged = await agent.waitLog((l) => l.msg.includes('judged by its time alone, used'));
    expect(judged.level).toBe(30);
    await agent.waitLog((l) => l.domu === 'web1' && l.decision === 'skip' && l.reason === 'handled-this-boot');
    expect(creates(sim, 'xen1', 'web1')).toBe(0);
    // stamped in the format an older agent, downgraded to, still reads; the boot beside it
    expect(OldAgentSchema.parse(JSON.parse(readFileSync(record, 'utf8')))).toEqual({ handled: ['web1'] });
    expect(readFileSync(join(sim.hostRoot('xen1'), SOCKET_DIR, 'autostart-boot.id'), 'utf8')).toMatch(new RegExp(`^${sim.bootId('xen1')} sha256:`));
  });

  it('one written before this boot began is set aside, saying its time decided: the domU starts', async () => {
    const { sim, agent } = await upgradedAgent((now) => now - 3600_000);
    const aside = await agent.waitLog((l) => l.msg.includes('before this boot began'));
    expect(aside.level).toBe(30);
    expect(aside.msg).toContain('judged by its time alone, not used');
    await agent.waitLog((l) => l.domu === 'web1' && l.decision === 'running');
    expect(creates(sim, 'xen1', 'web1')).toBe(1);
  });
});
