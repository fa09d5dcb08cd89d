import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sim } from '../../sim/sim.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, creates, runsOn, writeConfig } from './agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// The record of what guarded autostart handled since boot, lost while an operator had stopped a
// domU it started (a full disk truncating it, a hand edit): the agent restarted within the boot
// must not start that domU again. Through the real `xenherd-agent run` on a real-time simulator.

const FLEET = pairFleet({ connectDelay: 300, running: 'no' });

const bed = agentTestBed();

const agentOn = (sim: Sim, config: string): AgentProcess => bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', config));

/** The first decision AGENT logs of web1. */
const web1Decision = (agent: AgentProcess) => agent.waitLog((l) => l.domu === 'web1' && typeof l.decision === 'string', 20_000);

describe('xenherd-agent run, restarted within a boot after its boot record was lost', () => {
  it('does not start again the domU an operator stopped: it defers it, saying why and the way out, and a later restart still does', async () => {
    const sim = await bed.startSim(FLEET);
    const config = writeConfig(sim.dir, FAST_TIMERS);
    const first = agentOn(sim, config);
    await first.waitLog((l) => l.msg === 'started web1', 30_000);
    // the operator stops web1 this boot; the agent sees it and keeps its record
    expect((await sim.run('xen1', 'xl', ['destroy', 'web1'])).exitCode).toBe(0);
    await first.waitLog((l) => l.domu === 'web1' && l.reason === 'handled-this-boot');
    await first.stop();
    // a full disk truncated the record
    const record = join(sim.hostRoot('xen1'), 'run', 'xenherd', 'autostart-boot.json');
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual({ handled: ['web1'] });
    writeFileSync(record, '{"handled": ["we');

    const second = agentOn(sim, config);
    const decided = await web1Decision(second);
    expect({ decision: decided.decision, reason: decided.reason }).toEqual({ decision: 'defer', reason: 'boot-record-lost' });
    expect(decided.detail).toContain('xenherd-agent autostart start --force web1 --reason TEXT');
    const lost = await second.waitLog((l) => l.msg.includes('not JSON'));
    expect(lost.level).toBe(50);
    expect(lost.msg).toContain(`${record}: not JSON`);
    expect(lost.msg).toContain(`it is kept as ${record}.unreadable`);
    expect(lost.msg).toContain('starts no guarded domU on its own until the next boot');
    expect(lost.msg).toContain('xenherd-agent autostart start --force NAME --reason TEXT');
    expect(existsSync(`${record}.unreadable`)).toBe(true);
    await second.stop();

    // the record is readable again (written by the second agent), its lost copy set aside this boot
    const third = agentOn(sim, config);
    const again = await web1Decision(third);
    expect({ decision: again.decision, reason: again.reason }).toEqual({ decision: 'defer', reason: 'boot-record-lost' });
    expect(creates(sim, 'xen1', 'web1')).toBe(1);
    expect(runsOn(sim, 'web1')).toEqual([]);
  }, 90_000);

  it('an unreadable record of an earlier boot (outside /run, written before this boot began) is set aside: autostart starts web1', async () => {
    const sim = await bed.startSim(FLEET);
    const root = sim.hostRoot('xen1');
    writeFileSync(join(root, 'proc', 'uptime'), '600.00 1200.00\n');
    const dir = '/var/lib/xenherd-sock';
    mkdirSync(join(root, dir), { recursive: true, mode: 0o700 });
    const record = join(root, dir, 'autostart-boot.json');
    writeFileSync(record, '{"handled": ["we', { mode: 0o600 });
    const before = (Date.now() - 3600_000) / 1000;
    utimesSync(record, before, before);
    const agent = agentOn(sim, writeConfig(sim.dir, { ...FAST_TIMERS, controlSocket: `${dir}/agent.sock` }));
    const aside = await agent.waitLog((l) => l.msg.includes('not JSON'));
    expect(aside.level).toBe(40);
    expect(aside.msg).toContain("before this boot began (");
    expect(aside.msg).toContain("an earlier boot's, starting as if nothing was handled since boot");
    await agent.waitLog((l) => l.msg === 'started web1', 30_000);
    expect(creates(sim, 'xen1', 'web1')).toBe(1);
  }, 60_000);
});
