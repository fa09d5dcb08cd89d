import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../../helpers/until.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, liveProcessesMentioning, stubbornTool, writeConfig } from './agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// `systemctl stop` (or a restart) of an agent still starting: its control socket listens, its
// first read of the host has not answered. The real `xenherd-agent run` process must end as
// promptly as a ready one, not wait for systemd's stop timeout to kill it. The simulator holds
// the start's `xl list` until the test lets it go, so the signal comes at a known point of the
// start, however loaded the machine.

const FLEET = pairFleet({ running: 'no' });

const bed = agentTestBed();

/** the process's end, or null if it is still alive after ms */
const endWithin = (a: AgentProcess, ms: number): Promise<{ code: number | null; signal: string | null } | null> =>
  Promise.race([a.exited, new Promise<null>((r) => setTimeout(() => r(null), ms))]);

describe('xenherd-agent run stopped while it starts', () => {
  it('SIGTERM while the first read of the host is held: the agent says it stopped before ready and exits 0 at once', async () => {
    const sim = await bed.startSim(FLEET);
    const open = sim.holdTool('xen1', 'xl', { argvPrefix: ['list'] });
    const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, FAST_TIMERS)));
    try {
      const socket = join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock');
      await until(() => existsSync(socket) && sim.commandLog.some((c) => c.host === 'xen1' && c.tool === 'xl' && c.argv[0] === 'list'), "the agent's control socket and its first xl list", { limitMs: 30_000 });
      agent.child.kill('SIGTERM');
      // a ready agent stops in some 50 ms; 10 s is only a bound on a loaded machine
      const end = await endWithin(agent, 10_000);
      expect(end, `still running 10 s after SIGTERM; log:\n${agent.logs.map((l) => l.msg).join('\n')}`).toEqual({ code: 0, signal: null });
      const msgs = agent.logs.map((l) => l.msg);
      expect(msgs.some((m) => m.startsWith('ready'))).toBe(false);
      expect(msgs).toContain('it was stopped before it was ready: guarded autostart decided nothing in this run');
    } finally {
      open();
      // one that did not end on SIGTERM is ended here, not left to the bed's SIGTERM
      if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGKILL');
    }
  }, 60_000);

  // KillMode=process: nothing but the agent ends what it started. Its exit used to send SIGTERM
  // alone to its tools' groups, so a read that does not end on SIGTERM stayed running with no
  // agent; a restarted agent then ran another beside it.
  it('SIGTERM while a read that ignores SIGTERM is out: the read is killed before the agent exits', async () => {
    const sim = await bed.startSim(FLEET);
    stubbornTool(sim, 'xen1', 'xl');
    const open = sim.holdTool('xen1', 'xl', { argvPrefix: ['list'] });
    const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, FAST_TIMERS)));
    const xl = `${sim.binDirFor('xen1')}/xl list`;
    try {
      // in the log once the stand-in asked the simulator, past its SIGTERM line
      await until(() => sim.commandLog.some((c) => c.host === 'xen1' && c.tool === 'xl' && c.argv[0] === 'list'), "the agent's first xl list", { limitMs: 30_000 });
      expect(liveProcessesMentioning(xl)).toHaveLength(1);
      agent.child.kill('SIGTERM');
      // SIGKILL follows SIGTERM after 2 s: 10 s is only a bound on a loaded machine
      const end = await endWithin(agent, 10_000);
      expect(end, `still running 10 s after SIGTERM; log:\n${agent.logs.map((l) => l.msg).join('\n')}`).toEqual({ code: 0, signal: null });
      expect(liveProcessesMentioning(xl)).toEqual([]);
    } finally {
      open();
      if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGKILL');
    }
  }, 60_000);
});

// The agent's SIGHUP handler (reload) is in place once its control socket listens. A hang-up before
// then, while it reads its host and opens its dirs, took Node's default action: the agent died
// mid-start. Hung up on again and again from its first log line until its socket is there, it
// must live on to READY.
describe('xenherd-agent run hung up on while it starts', () => {
  it('SIGHUPs from its first log line until its control socket listens: ignored, and it becomes ready', async () => {
    const sim = await bed.startSim(FLEET);
    const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, FAST_TIMERS)));
    const socket = join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock');
    await agent.waitLog((l) => l.msg === 'xenherd agent starting', 30_000);
    let sent = 0;
    // bounded, so that an agent that never listens fails this test and leaves no loop spinning
    // into the files after it in this worker
    const until = performance.now() + 30_000;
    while (!existsSync(socket) && agent.child.exitCode === null && agent.child.signalCode === null && performance.now() < until) {
      agent.child.kill('SIGHUP');
      sent++;
      await new Promise((r) => setImmediate(r));
    }
    expect(sent).toBeGreaterThan(0);
    const first = await Promise.race([agent.waitLog((l) => l.msg.startsWith('ready'), 30_000).then(() => 'ready'), agent.exited]);
    expect(first).toBe('ready');
  }, 60_000);

  // An operator edits agent.json and asks for a reload while the agent is starting: its start has
  // read the file already, and its handler is not in place yet. That hang-up was ignored, and the
  // agent ran the old config until the next reload. It must apply once the agent is up.
  //
  // Right after its first log line the agent reads known_hosts for its peers at a port other than
  // 22, without a turn of its event loop: a long one holds it there, short of its handler, while the
  // test edits the file and hangs up.
  it('a config edited after the start read it, and a SIGHUP before the reload handler: the edit applies', async () => {
    const sim = await bed.startSim(FLEET);
    const knownHosts = join(sim.hostRoot('xen1'), 'etc/xenherd/known_hosts');
    mkdirSync(dirname(knownHosts), { recursive: true });
    appendFileSync(knownHosts, Array.from({ length: 100_000 }, (_, i) => `host${i}.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${String(i).padStart(43, 'A')}\n`).join(''));
    const first = { ...FAST_TIMERS, migration: { peers: { xen2: { port: 2222 } } } };
    const config = writeConfig(sim.dir, first);
    const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', config));
    // logged once the file is read, before the handler is in place
    await agent.waitLog((l) => l.msg === 'xenherd agent starting', 30_000);
    writeFileSync(`${config}.new`, JSON.stringify({ ...first, events: { ...FAST_TIMERS.events, resyncSeconds: 1234 } }));
    renameSync(`${config}.new`, config);
    agent.child.kill('SIGHUP');
    const up = await Promise.race([agent.waitLog((l) => l.msg.startsWith('ready'), 30_000).then(() => 'ready'), agent.exited]);
    expect(up).toBe('ready');
    await agent.waitLog((l) => l.msg === 'events.* changed: the watchers restart with the new settings', 30_000);
    expect(agent.logs.map((l) => l.msg)).toContain('SIGHUP sent while the agent started: reloading configuration');
  }, 60_000);
});
