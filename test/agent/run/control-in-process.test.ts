import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { ControlResponse } from '../../../shared/protocol/agent-control.js';
import { TEST_TIMERS } from '../../harness/agent-on-sim.js';
import { creates, runsOn, startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// The operator's requests to the agent (what `xenherd-agent autostart …` sends over the control
// socket), a config reload, and the start-up coexistence warnings: agent core in process.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no', more: 'domu db1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen2\n' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function boot(setup: (f: Fleet) => void = () => undefined, config = TEST_TIMERS): Promise<Fleet> {
  fleet = await startFleet(FLEET);
  fleet.sim.power('xen1', 'off');
  fleet.sim.power('xen1', 'on');
  setup(fleet);
  fleet.startAgent('xen1', config);
  await fleet.log('xen1', (l) => l.msg.startsWith('ready'), 'ready');
  return fleet;
}

const ok = (r: ControlResponse): Extract<ControlResponse, { ok: true }> => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r;
};
const guarded = async (f: Fleet, name: string) => ok(await f.agent('xen1').control({ op: 'status' })).status?.guarded.find((g) => g.name === name);

describe('the agent core answering control requests', () => {
  it('status: each guarded domU with its decision, reason and since when; how changes reach it', async () => {
    const f = await boot((x) => x.sim.drbd('r1', 'disconnect'));
    const st = ok(await f.agent('xen1').control({ op: 'status' })).status;
    expect(st?.guarded.find((g) => g.name === 'web1')).toMatchObject({ decision: 'defer', reason: 'peer-not-connected', starting: false });
    expect(st?.sources).toEqual({ drbd: 'drbdsetup events2', domains: 'xenstore-watch @introduceDomain @releaseDomain' });
    expect(st?.host).toBe('xen1');
  });

  it('force overrides a defer (logged with the reason), never a peer Primary', async () => {
    const f = await boot((x) => x.sim.drbd('r1', 'disconnect'));
    await f.log('xen1', (l) => l.domu === 'db1' && l.reason === 'peer-primary', 'db1 skipped');
    const refused = await f.agent('xen1').control({ op: 'force', name: 'db1', reason: 'customer waiting', operator: 'root' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('never a peer Primary') } });
    expect(creates(f.sim, 'xen1', 'db1')).toBe(0);
    const forced = f.agent('xen1').control({ op: 'force', name: 'web1', reason: 'peer dom0 is dead, checked by hand', operator: 'root' });
    let answer: ControlResponse | null = null;
    void forced.then((r) => (answer = r));
    await f.until(() => answer !== null, 'the forced start answered');
    expect(answer).toMatchObject({ ok: true, message: expect.stringContaining('started web1') });
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
    expect(f.agent('xen1').logs.find((l) => l.forced === true && l.reason === 'peer dom0 is dead, checked by hand')).toBeTruthy();
  });

  it('force of a standby replica (its home is the peer): refused (XH_ERR_REFUSED, exit 77, not a usage error), saying how a person starts it here and records it', async () => {
    const f = await boot();
    f.startAgent('xen2', TEST_TIMERS);
    await f.log('xen2', (l) => l.msg.startsWith('ready'), 'xen2 ready');
    const r = await f.agent('xen2').control({ op: 'force', name: 'web1', reason: 'xen1 died', operator: 'root' });
    expect(r).toEqual({
      v: 1,
      ok: false,
      error: {
        code: 'XH_ERR_REFUSED',
        message:
          'web1 is not a guarded domU here (configs in /etc/xen/drbd-auto): this Dom0 holds a standby replica of it (/etc/xen/web1.cfg, DRBD r1), and guarded autostart starts only its own. ' +
          'If xen1 is down and you have checked web1 runs nowhere: ' +
          'first `drbdadm cstate r1` must not read Connected (with xen1 gone: WFConnection, Connecting or StandAlone, and `drbdadm status r1` shows the peer by its connection: alone, no role:); ' +
          'Connected with the peer role:Primary means xen1 is up and runs web1: stop, promote nothing (`drbdadm primary` passes beside a connected Primary when two primaries are allowed); ' +
          'to be sure xen1 is dead, power it off, then check again; ' +
          'then `drbdadm primary r1`, `xl create /etc/xen/web1.cfg`, then `xenherd-agent reconcile web1 --home xen1` records it here as a visitor, so that `xenherdctl restore xen1` brings it back',
      },
    });
    // a name this Dom0 holds nothing of: not found (test/agent/run/force-unknown-name.test.ts)
    expect(await f.agent('xen2').control({ op: 'force', name: 'nosuch', reason: 'x', operator: 'root' })).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND' } });
    expect(creates(f.sim, 'xen2', 'web1')).toBe(0);
  });

  it('stop: nothing is started until start; reload answers after a fresh read', async () => {
    const f = await boot((x) => x.sim.drbd('r1', 'disconnect'));
    const a = f.agent('xen1');
    expect(ok(await a.control({ op: 'stop' })).status?.autostart).toBe('stopped');
    f.sim.drbd('r1', 'connect');
    await f.until(() => f.sim.state().drbd['r1']?.link === 'connected', 'r1 connected');
    await f.advance(5_000);
    expect((await guarded(f, 'web1'))?.decision).toBe('start');
    expect(creates(f.sim, 'xen1', 'web1')).toBe(0);
    let started: ControlResponse | null = null;
    void a.control({ op: 'start' }).then((r) => (started = r));
    await f.until(() => started !== null && creates(f.sim, 'xen1', 'web1') === 1, 'started after `start`');
    expect(started).toMatchObject({ ok: true, status: { autostart: 'enabled' } });
    const readsBefore = a.core.current.fullRead.done;
    let reloaded: ControlResponse | null = null;
    void a.control({ op: 'reload' }).then((r) => (reloaded = r));
    await f.until(() => reloaded !== null, 'reload answered');
    expect(a.core.current.fullRead.done).toBeGreaterThan(readsBefore);
    expect((await guarded(f, 'web1'))?.decision).toBe('running');
  });

  it('a config reload applies new events.* settings: the watchers restart with them', async () => {
    const f = await boot();
    const a = f.agent('xen1');
    expect(ok(await a.control({ op: 'status' })).status?.sources.drbd).toBe('drbdsetup events2');
    a.core.reload(AgentConfigSchema.parse({ ...TEST_TIMERS, events: { drbd: 'poll', pollSeconds: 3 } }));
    await f.log('xen1', (l) => l.msg.startsWith('events.* changed'), 'watchers restart');
    await f.until(() => a.core.current.drbd.watcher.mode === 'polling', 'polling');
    expect(ok(await a.control({ op: 'status' })).status?.sources.drbd).toBe('polling drbdadm status every 3 s (events.drbd is "poll" in the config)');
    const polls = (): number => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'drbdadm' && c.argv[0] === 'status').length;
    const before = polls();
    await f.advance(9_100);
    expect(polls() - before).toBeGreaterThanOrEqual(3);
    a.core.reload(AgentConfigSchema.parse(TEST_TIMERS));
    await f.until(() => a.core.current.drbd.watcher.mode === 'events' && a.core.current.drbd.events.initialDone, 'back on events2');
  });

  it('warns at start when a guarded domU is also in /etc/xen/auto and when XENDOMAINS_SAVE is set', async () => {
    const f = await boot((x) => {
      const root = x.sim.hostRoot('xen1');
      mkdirSync(join(root, 'etc/xen/auto'), { recursive: true });
      writeFileSync(join(root, 'etc/xen/auto/web1.cfg'), readFileSync(join(root, 'etc/xen/drbd-auto/web1.cfg')));
      mkdirSync(join(root, 'etc/default'), { recursive: true });
      writeFileSync(join(root, 'etc/default/xendomains'), 'XENDOMAINS_SAVE=/var/lib/xen/save\n');
    });
    await f.log('xen1', (l) => l.coexistence === true && l.msg.includes('web1 is guarded'), 'auto dir warning');
    await f.log('xen1', (l) => l.coexistence === true && l.msg.includes('XENDOMAINS_SAVE=/var/lib/xen/save'), 'xendomains warning');
    expect(ok(await f.agent('xen1').control({ op: 'status' })).status?.warnings).toHaveLength(2);
    expect(runsOn(f.sim, 'db1')).toEqual(['xen2']);
  });
});
