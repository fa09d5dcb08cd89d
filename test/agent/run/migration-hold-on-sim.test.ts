import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdOnAgent } from '../../../agent/control/client.js';
import { AgentStatusSchema, CONTROL_PROTOCOL_VERSION, type AgentStatus } from '../../../shared/protocol/agent-control.js';
import type { Sim } from '../../sim/sim.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, creates, runAsync, runsOn, sleep, writeConfig } from './agent-process.js';

// Migration commands hold their domU in the running daemon (control socket `hold`) on top of
// their file lock: the daemon neither starts nor force-starts a held domU, shows the hold in
// `autostart status`, and lets go when the holder's connection closes (also when it is killed).

const FLEET = (web1: 'xen1' | 'no', bandwidth = 65536) => `
option bandwidth=${bandwidth} connect-delay=0
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=${web1}
`;

const bed = agentTestBed();
let sim: Sim;

async function boot(fleet: string, autostartEnabled = true): Promise<AgentProcess> {
  sim = await bed.startSim(fleet);
  const config = { ...FAST_TIMERS, autostart: { ...FAST_TIMERS.autostart, enabled: autostartEnabled } };
  const a = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, config)));
  await a.waitLog((l) => l.msg.startsWith('ready'));
  return a;
}
const agentCli = (...args: string[]) => runAsync(process.execPath, [bed.agentPath(), ...args], sim.env('xen1'));
async function status(): Promise<AgentStatus> {
  const r = await agentCli('autostart', 'status', '--json');
  expect(r.code).toBe(0);
  return AgentStatusSchema.parse(JSON.parse(r.stdout));
}
const socket = () => join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock');
const holdReq = { v: CONTROL_PROTOCOL_VERSION, op: 'hold', name: 'web1', purpose: 'migrate', operation: 'op-test', by: 'the test' } as const;

describe('migration holds in the running daemon', () => {
  it('a held domU is not started; released, it is decided again and started', async () => {
    // web1 startable, but autostart off until the hold is in place
    const a = await boot(FLEET('no'), false);
    const held = await holdOnAgent(socket(), holdReq);
    if (!held.ok || held.value === 'no-daemon') throw new Error(`hold not granted: ${JSON.stringify(held)}`);
    const st = await status();
    expect(st.holds).toEqual([expect.objectContaining({ name: 'web1', purpose: 'migrate', operation: 'op-test', by: 'the test' })]);
    const table = await agentCli('autostart', 'status');
    expect(table.stdout).toMatch(/held by a migration \(not started meanwhile\):\n {2}web1: migrate, operation op-test, by the test, since \d{4}-/);

    expect((await agentCli('autostart', 'start')).code).toBe(0);
    const forced = await agentCli('autostart', 'start', '--force', 'web1', '--reason', 'testing the hold');
    expect(forced.code).not.toBe(0);
    await sleep(800);
    expect(creates(sim, 'xen1', 'web1')).toBe(0);

    // a second holder is refused, naming the first
    const second = await holdOnAgent(socket(), { ...holdReq, operation: 'op-2', by: 'someone else' });
    expect(second.ok).toBe(false);
    if (!second.ok) {
      expect(second.error.code).toBe('XH_ERR_LOCKED');
      expect(second.error.message).toContain('held by the test');
    }

    held.value.release();
    await a.waitLog((l) => l.domu === 'web1' && typeof l.msg === 'string' && l.msg.startsWith('web1 released by the test'));
    await a.waitLog((l) => l.msg === 'started web1');
    expect(creates(sim, 'xen1', 'web1')).toBe(1);
    expect((await status()).holds).toEqual([]);
  }, 60_000);

  it('`migrate` holds the domU while it runs; killed mid-way, its hold goes with it', async () => {
    const a = await boot(FLEET('xen1', 256));
    const child = spawn(process.execPath, [bed.agentPath(), 'migrate', 'web1'], { env: { ...process.env, ...sim.env('xen1') }, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('close', r));
    try {
      await a.waitLog((l) => l.domu === 'web1' && l.hold === 'migrate');
      const st = await status();
      expect(st.holds).toEqual([expect.objectContaining({ name: 'web1', purpose: 'migrate', by: expect.stringMatching(/^xenherd-agent migrate \(pid \d+\)$/) })]);
      // a second migration of the same domU is refused by the file lock before it asks the daemon
      const second = await agentCli('migrate', 'web1');
      expect(second.code).toBe(81);
      expect(second.stderr).toContain('XH_ERR_LOCKED');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    await a.waitLog((l) => l.domu === 'web1' && typeof l.msg === 'string' && l.msg.startsWith('web1 released by xenherd-agent migrate'));
    expect((await status()).holds).toEqual([]);
    // the killed command's xl migrate ends on its own (the toolstack's process is not ours to kill);
    // web1 is in one place afterwards
    for (let i = 0; i < 100 && runsOn(sim, 'web1').length !== 1; i++) await sleep(100);
    expect(runsOn(sim, 'web1')).toHaveLength(1);
  }, 60_000);

  it('a hold with a bad request is refused by the schema, nothing held', async () => {
    await boot(FLEET('xen1'));
    const bad = await holdOnAgent(socket(), { ...holdReq, name: '-web1' } as unknown as typeof holdReq);
    expect(bad.ok).toBe(false);
    expect((await status()).holds).toEqual([]);
  }, 60_000);
});
