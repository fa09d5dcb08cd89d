import { describe, expect, it } from 'vitest';
import type { Sim } from '../../sim/sim.js';
import { AgentStatusSchema, type AgentStatus } from '../../../shared/protocol/agent-control.js';
import { AgentProcess, creates, liveProcessesMentioning, runAsync, runsOn, sleep, writeConfig } from './agent-process.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';

// `xenherd-agent run` (the built bundle) as a real process on a simulated Dom0 that just booted,
// with the simulator's real-time clock: what it starts, what it refuses, how fast it reacts.

const FLEET = `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=no
domu db1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2,r3 running=xen2
domu plain1 mem=512 vcpus=1 home=xen1 running=no
`;

const FAST = FAST_TIMERS;

const bed = agentTestBed();
let sim: Sim;

/** A fresh sim where xen1 has just rebooted: nothing runs there, its replicas wait for their peers. */
async function rebooted(setup: (s: Sim) => void = () => undefined): Promise<Sim> {
  sim = await bed.startSim(FLEET);
  sim.power('xen1', 'off');
  sim.power('xen1', 'on');
  setup(sim);
  return sim;
}

const startAgent = (config: unknown = FAST, env: Record<string, string> = {}): AgentProcess => {
  const a = new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, config), env);
  bed.track(a);
  return a;
};

/** simulated time at which pred(state) first held, polled every 2 ms */
function whenState(pred: (s: ReturnType<Sim['state']>) => boolean, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const iv = setInterval(() => {
      if (pred(sim.state())) {
        clearInterval(iv);
        resolve(sim.clock.now());
      } else if (Date.now() - t0 > timeoutMs) {
        clearInterval(iv);
        reject(new Error('state never reached'));
      }
    }, 2);
  });
}

const createAt = (domu: string): number | undefined => sim.commandLog.find((c) => c.tool === 'xl' && c.argv[0] === 'create' && c.argv[1]?.endsWith(`/${domu}.cfg`))?.at;

describe('xenherd-agent run on a Dom0 that just booted', () => {
  it('starts what is safe, never starts a domU whose peer holds it Primary (logged as a split-brain hazard)', async () => {
    await rebooted();
    const a = startAgent();
    await a.waitLog((l) => l.domu === 'web1' && l.msg.startsWith('started web1'));
    await a.waitLog((l) => l.domu === 'plain1' && l.msg.startsWith('started plain1'));
    const hazard = await a.waitLog((l) => l.domu === 'db1' && l.decision === 'skip');
    expect(hazard).toMatchObject({ level: 50, reason: 'peer-primary', splitBrainHazard: true });
    await sleep(1_000);
    expect(creates(sim, 'xen1', 'db1')).toBe(0);
    expect(runsOn(sim, 'db1')).toEqual(['xen2']);
    expect(runsOn(sim, 'web1')).toEqual(['xen1']);
    expect(sim.violations).toEqual([]);
  });

  it('defers while the peer is Unknown, then starts within 1 s of the peer connecting as Secondary (event path)', async () => {
    await rebooted((s) => s.drbd('r1', 'disconnect'));
    const a = startAgent();
    await a.waitLog((l) => l.domu === 'web1' && l.decision === 'defer' && l.reason === 'peer-not-connected');
    await sleep(300);
    expect(creates(sim, 'xen1', 'web1')).toBe(0);
    sim.drbd('r1', 'connect');
    const safeAt = await whenState((s) => s.drbd['r1']?.link === 'connected');
    await a.waitLog((l) => l.msg.startsWith('started web1'));
    const reaction = (createAt('web1') ?? Infinity) - safeAt;
    expect(reaction).toBeLessThan(1_000);
    expect(creates(sim, 'xen1', 'web1')).toBe(1);
  });

  it('without drbdsetup events2 it polls, says so in status, and still starts within the fallback interval', async () => {
    await rebooted((s) => {
      s.drbd('r1', 'disconnect');
      s.toolFault('xen1', 'drbdsetup', { kind: 'garbage', text: '', exitCode: 20 }, { argvPrefix: ['events2'] });
    });
    const a = startAgent({ ...FAST, autostart: { ...FAST.autostart, deferRecheckSeconds: 2, deferJitterSeconds: 0.5 }, events: { respawnMaxSeconds: 1, pollSeconds: 60 } });
    await a.waitLog((l) => typeof l.msg === 'string' && l.msg.includes('events2 is unavailable here'));
    await a.waitLog((l) => l.domu === 'web1' && l.decision === 'defer');
    sim.drbd('r1', 'connect');
    const safeAt = await whenState((s) => s.drbd['r1']?.link === 'connected');
    await a.waitLog((l) => l.msg.startsWith('started web1'), 6_000);
    expect((createAt('web1') ?? Infinity) - safeAt).toBeLessThan(2_500 + 500);
    const st = await statusOf();
    expect(st.sources.drbd).toMatch(/^polling drbdadm status every 60 s \(drbdsetup events2 unavailable/);
  });

  it('killed mid-start and restarted: the domU is started once, not twice', async () => {
    await rebooted((s) => s.toolFault('xen1', 'xl', { kind: 'slow', ms: 1_500 }, { argvPrefix: ['create', '/etc/xen/drbd-auto/web1.cfg'], times: 1 }));
    const first = startAgent();
    await whenState(() => creates(sim, 'xen1', 'web1') === 1);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = startAgent();
    await second.waitLog((l) => l.domu === 'web1' && l.decision === 'running', 10_000);
    await sleep(500);
    expect(creates(sim, 'xen1', 'web1')).toBe(1);
    expect(runsOn(sim, 'web1')).toEqual(['xen1']);
    expect(second.logs.some((l) => l.msg.includes('still running: waiting for it'))).toBe(true);
  });

  it('split brain (both sides StandAlone): nothing is started, the agent logs an error', async () => {
    await rebooted((s) => s.drbd('r1', 'split-brain'));
    const a = startAgent();
    const line = await a.waitLog((l) => l.domu === 'web1' && l.decision === 'defer');
    expect(line).toMatchObject({ level: 50, splitBrainSuspected: true, reason: 'peer-not-connected' });
    await sleep(800);
    expect(creates(sim, 'xen1', 'web1')).toBe(0);
  });

  it('SIGTERM stops it cleanly: exit 0, no events2 or xenstore-watch left behind', async () => {
    await rebooted();
    const a = startAgent();
    await a.waitLog((l) => l.msg.startsWith('ready'));
    expect(liveProcessesMentioning(`${sim.dir}/bin/xen1/drbdsetup`).length).toBe(1);
    const exit = await a.stop();
    expect(exit.code).toBe(0);
    await sleep(100);
    expect(liveProcessesMentioning(`${sim.dir}/bin/xen1/`)).toEqual([]);
  });
});

async function statusOf(): Promise<AgentStatus> {
  const r = await runAsync(process.execPath, [bed.agentPath(), 'autostart', 'status', '--json'], sim.env('xen1'));
  if (r.code !== 0) throw new Error(`status exited ${String(r.code)}: ${r.stderr}`);
  return AgentStatusSchema.parse(JSON.parse(r.stdout));
}
