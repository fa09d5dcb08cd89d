import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentMessage } from '../../../shared/protocol/agent-link.js';
import type { Sim } from '../../sim/sim.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, runAsync, runsOn } from './agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { LoopbackController } from './loopback-controller.js';

// The real daemon (`xenherd-agent run`, the built bundle) answering a controller's commands over
// a real WebSocket: `maintenance` and `inspect` answered by the daemon itself, `shutdown` run by
// its own CLI in a child process. The controller here is a bare WebSocket server on loopback that
// speaks the agent link; the behaviour behind each op is tested in process (test/fleet/).

const FLEET = pairFleet({ connectDelay: 300 });

const bed = agentTestBed();
let ctl: LoopbackController | null = null;
afterEach(async () => {
  await ctl?.close();
  ctl = null;
});

/** a loopback port nothing listens on (taken from the OS, then let go) */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function boot(options: { primaryDown?: boolean } = {}): Promise<{ sim: Sim; agent: AgentProcess; ctl: LoopbackController }> {
  const sim = await bed.startSim(FLEET);
  ctl = new LoopbackController();
  await new Promise<void>((r) => ctl!.server.once('listening', () => r()));
  // where the daemon's own CLI children look for it, too (they are given no --config)
  const etc = join(sim.hostRoot('xen1'), 'etc/xenherd');
  mkdirSync(etc, { recursive: true, mode: 0o700 });
  const config = join(etc, 'agent.json');
  const link = options.primaryDown ? { url: `ws://127.0.0.1:${await deadPort()}`, standbyUrls: [ctl.url()] } : { url: ctl.url() };
  writeFileSync(config, JSON.stringify({ ...FAST_TIMERS, controller: { ...link, token: 'xh1.000000000000.testtokentesttokentesttoken' } }));
  const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', config));
  await ctl.frame((m): m is Extract<AgentMessage, { type: 'snapshot' }> => m.type === 'snapshot', 'snapshot');
  return { sim, agent, ctl };
}

describe('the daemon answers a controller\'s commands', () => {
  it('reports to a standby controller URL when the primary cannot be reached, saying which URL failed', async () => {
    const { agent } = await boot({ primaryDown: true });
    expect(ctl!.frames.find((f) => f.type === 'hello')).toMatchObject({ host: 'xen1' });
    const failed = agent.logs.find((l) => typeof l.msg === 'string' && l.msg.includes('ws://127.0.0.1:') && !l.msg.includes(ctl!.url()));
    expect(failed?.msg).toMatch(/ws:\/\/127\.0\.0\.1:\d+: /);
  });

  it('maintenance and inspect: answered by the daemon itself, the flag on disk before the result', async () => {
    const { sim } = await boot();
    const c = ctl!;
    expect(c.authorization).toBe('Bearer xh1.000000000000.testtokentesttokentesttoken');
    const hello = c.frames.find((f) => f.type === 'hello');
    expect(hello).toMatchObject({ capabilities: expect.arrayContaining(['maintenance', 'inspect', 'cold-migrate']) });

    const m = await c.command({ op: 'maintenance', state: 'draining', from: ['online'], operationId: 'drain-1', owner: 'ctl-test', leaseMs: 60_000, by: 'ctl:admin' });
    expect(m).toMatchObject({ ok: true, data: { kind: 'maintenance', maintenance: { state: 'draining', operationId: 'drain-1', owner: 'ctl-test' } } });
    expect(JSON.parse(readFileSync(join(sim.hostRoot('xen1'), 'var/lib/xenherd/maintenance.json'), 'utf8'))).toMatchObject({ state: 'draining', operationId: 'drain-1' });
    await c.frame((f): f is Extract<AgentMessage, { type: 'delta' }> => f.type === 'delta' && f.state.maintenance?.state === 'draining', 'a delta with the maintenance state');

    const i = await c.command({ op: 'inspect', name: 'web1', by: 'ctl:admin' });
    expect(i).toMatchObject({ ok: true, data: { kind: 'inspect', host: 'xen1', name: 'web1', rows: [expect.objectContaining({ name: 'web1' })], busy: false } });
    expect(i.data?.kind === 'inspect' ? i.data.resources : []).toEqual([expect.objectContaining({ name: 'r1', role: 'Primary' })]);
    expect(c.garbage).toEqual([]);
  });

  it('a refused migrate: its reason comes back once, as the result, not also as a progress line', async () => {
    await boot();
    const r = await ctl!.command({ op: 'migrate', name: 'web1', target: 'xen3', reason: 'manual', operationId: 'op-refused', by: 'ctl:admin' }, 60_000);
    expect(r, JSON.stringify(r)).toMatchObject({ ok: false, code: expect.stringMatching(/^XH_ERR_/) });
    const progress = ctl!.frames.flatMap((f) => (f.type === 'progress' && f.commandId === r.commandId ? [f.line] : []));
    expect(progress.filter((l) => l.includes(r.message.split('\n')[0]!)), progress.join('\n')).toEqual([]);
  });

  it('shutdown runs as the agent\'s own CLI child (move-stop); move-start then starts it on the other Dom0', async () => {
    const { sim, agent } = await boot();
    // only the drain holding the Dom0 draining shuts its domUs down
    expect(await ctl!.command({ op: 'maintenance', state: 'draining', from: ['online'], operationId: 'drain-1', owner: 'ctl-test', leaseMs: 60_000, by: 'ctl:admin' })).toMatchObject({ ok: true });
    const down = await ctl!.command({ op: 'shutdown', name: 'web1', target: 'xen2', operationId: 'drain-1', by: 'ctl:admin' }, 60_000);
    expect(down, JSON.stringify(down)).toMatchObject({ ok: true, message: expect.stringContaining('web1 is shut down on xen1') });
    expect(ctl!.frames.some((f) => f.type === 'progress' && /^shutting web1 down on xen1/.test(f.line))).toBe(true);
    expect(runsOn(sim, 'web1')).toEqual([]);
    await agent.waitLog((l) => l.domu === 'web1' && typeof l.msg === 'string' && l.msg.startsWith('web1 released by xenherd-agent move-stop'));
    const up = await runAsync(process.execPath, [bed.agentPath(), 'move-start', 'web1', '--from', 'xen1', '--operation-id', 'drain-1', '--json'], sim.env('xen2'));
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout.trim().split('\n').pop() ?? '')).toMatchObject({ ok: true, domu: 'web1', from: 'xen1', to: 'xen2' });
    expect(runsOn(sim, 'web1')).toEqual(['xen2']);
  });
});
