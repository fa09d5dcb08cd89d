import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentStatusSchema, type AgentStatus } from '../../../shared/protocol/agent-control.js';
import type { Sim } from '../../sim/sim.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, creates, runAsync, writeConfig } from './agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// The way out of a lost boot record, through the real `xenherd-agent run`: the operator mends the
// copy the agent set aside, and a reload (SIGHUP, or `autostart reload`, the unit's ExecReload) or
// a restart reads it. web1 was stopped on purpose and is named in the mended copy; web2 is not.

const FLEET = pairFleet({ connectDelay: 300, running: 'no', more: 'domu web2 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=no\n' });
const LOST_WARNING = 'autostart starts no guarded domU on its own';

const bed = agentTestBed();

/** A simulator whose xen1 has a truncated boot record in /run (so this boot's), and xen1's agent on it, having deferred both domUs. */
async function lostAtStart(): Promise<{ sim: Sim; agent: AgentProcess; config: string; record: string; aside: string }> {
  const sim = await bed.startSim(FLEET);
  const dir = join(sim.hostRoot('xen1'), 'run', 'xenherd');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const record = join(dir, 'autostart-boot.json');
  writeFileSync(record, '{"handled": ["we', { mode: 0o600 });
  const config = writeConfig(sim.dir, FAST_TIMERS);
  const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', config));
  for (const name of ['web1', 'web2']) await agent.waitLog((l) => l.domu === name && l.decision === 'defer' && l.reason === 'boot-record-lost', 30_000);
  return { sim, agent, config, record, aside: `${record}.unreadable` };
}

/** `xenherd-agent autostart …` against xen1's agent, as an operator runs it there. */
const agentCli = (sim: Sim, ...args: string[]) => runAsync(process.execPath, [bed.agentPath(), 'autostart', ...args], sim.env('xen1'));

async function status(sim: Sim): Promise<AgentStatus> {
  const r = await agentCli(sim, 'status', '--json');
  expect([r.code, r.stderr]).toEqual([0, '']);
  return AgentStatusSchema.parse(JSON.parse(r.stdout));
}

/** web1 stays stopped (named in the mended copy), web2 is started, and the record keeps both. */
async function outOfTheLoss(sim: Sim, agent: AgentProcess, record: string, aside: string): Promise<void> {
  await agent.waitLog((l) => l.msg === 'started web2', 30_000);
  await agent.waitLog((l) => l.domu === 'web1' && l.decision === 'skip' && l.reason === 'handled-this-boot');
  expect([creates(sim, 'xen1', 'web1'), creates(sim, 'xen1', 'web2')]).toEqual([0, 1]);
  expect((await status(sim)).warnings.filter((w) => w.startsWith(LOST_WARNING))).toEqual([]);
  expect(existsSync(aside)).toBe(false);
  expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual({ handled: ['web1', 'web2'] });
}

describe('xenherd-agent run, its lost boot record mended', () => {
  it('a reload reads the copy again: SIGHUP while it is still unreadable says so and keeps the loss; `autostart reload` once it is mended ends it', async () => {
    const { sim, agent, record, aside } = await lostAtStart();
    const atStart = await agent.waitLog((l) => l.msg.includes('not JSON'));
    expect(atStart.level).toBe(50);
    expect(atStart.msg).toContain(`it is kept as ${aside}`);
    expect(existsSync(aside)).toBe(true);
    const lost = await status(sim);
    expect(lost.warnings.filter((w) => w.startsWith(LOST_WARNING))).toHaveLength(1);
    expect(lost.guarded.map((g) => [g.name, g.reason])).toEqual([['web1', 'boot-record-lost'], ['web2', 'boot-record-lost']]);

    agent.child.kill('SIGHUP');
    const still = await agent.waitLog((l) => l.msg.startsWith(`SIGHUP: ${aside} read again at the reload, and it still cannot be read`));
    expect(still.level).toBe(50);
    expect(still.msg).toContain('not JSON');
    expect((await status(sim)).warnings.filter((w) => w.startsWith(LOST_WARNING))).toHaveLength(1);

    // the operator mends the copy where it lies: web1 was stopped on purpose this boot
    writeFileSync(aside, '{"handled": ["web1"]}');
    const reload = await agentCli(sim, 'reload');
    expect([reload.code, reload.stderr]).toEqual([0, '']);
    const ended = await agent.waitLog((l) => l.msg.startsWith('autostart reload: ') && l.msg.includes(' read again: '));
    expect(ended.level).toBe(30);
    expect(ended.msg).toBe(`autostart reload: ${aside} read again: the 1 domUs it names are taken as handled this boot (kept in ${record}, ${aside} removed): autostart starts guarded domUs on its own again`);
    await outOfTheLoss(sim, agent, record, aside);
  }, 90_000);

  it('a restart (no reload) reads the copy mended in place: the loss ends, saying so', async () => {
    const { sim, agent, config, record, aside } = await lostAtStart();
    await agent.stop();
    writeFileSync(aside, '{"handled": ["web1"]}');
    const next = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', config));
    const mended = await next.waitLog((l) => l.msg.startsWith(`${aside} read again: `), 30_000);
    expect(mended.level).toBe(30);
    expect(mended.msg).toBe(`${aside} read again: the 1 domUs it names are taken as handled this boot (kept in ${record}, ${aside} removed): autostart starts guarded domUs on its own again`);
    expect(next.logs.filter((l) => l.level >= 50)).toEqual([]);
    await outOfTheLoss(sim, next, record, aside);
  }, 90_000);
});
