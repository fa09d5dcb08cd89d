import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentStatusSchema } from '../../../shared/protocol/agent-control.js';
import { TEST_TIMERS } from '../../harness/agent-on-sim.js';
import { creates, runsOn, startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet, type PairFleetOptions } from '../../harness/pair-fleet.js';

// Guarded autostart on a Dom0 that just booted: the agent core in this process, the fleet
// simulator answering its tools, time moving only when the test advances it.

const BOOTED: PairFleetOptions = { connectDelay: 300, migrateTab: [], running: 'no', more: 'domu db1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2,r3 running=xen2\ndomu plain1 mem=512 vcpus=1 home=xen1 running=no\n' };
const FLEET = pairFleet(BOOTED);

let fleet: Fleet;
afterEach(async () => fleet?.stop());

/** xen1 has just rebooted: nothing runs there, its replicas wait for their peers */
async function rebooted(setup: (f: Fleet) => void = () => undefined): Promise<Fleet> {
  fleet = await startFleet(FLEET);
  fleet.sim.power('xen1', 'off');
  fleet.sim.power('xen1', 'on');
  setup(fleet);
  return fleet;
}

const createAt = (f: Fleet, domu: string): number | undefined => f.sim.commandLog.find((c) => c.tool === 'xl' && c.argv[0] === 'create' && c.argv[1]?.endsWith(`/${domu}.cfg`))?.at;

async function status(f: Fleet) {
  const r = await f.agent('xen1').control({ op: 'status' });
  if (!r.ok) throw new Error(r.error.message);
  return AgentStatusSchema.parse(r.status);
}

describe('guarded autostart after a reboot (in process)', () => {
  it('starts what is safe, never starts a domU whose peer holds it Primary (logged as a split-brain hazard)', async () => {
    const f = await rebooted();
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    await f.log('xen1', (l) => l.msg === 'started plain1', 'started plain1');
    const hazard = await f.log('xen1', (l) => l.domu === 'db1' && l.decision === 'skip', 'db1 skipped');
    expect(hazard).toMatchObject({ level: 50, reason: 'peer-primary', splitBrainHazard: true });
    await f.advance(60_000);
    expect(creates(f.sim, 'xen1', 'db1')).toBe(0);
    expect(runsOn(f.sim, 'db1')).toEqual(['xen2']);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
    expect(f.sim.violations).toEqual([]);
    expect(f.agent('xen1').notified[0]).toMatchObject({ ready: true, status: expect.stringMatching(/^3 guarded domUs: /) });
  });

  it('a domU it just started is not mistaken, before the next `xl list`, for a disk held Primary by something else', async () => {
    const f = await rebooted();
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'running', 'web1 seen running');
    const logs = f.agent('xen1').logs;
    const startedAt = logs.findIndex((l) => l.msg === 'started web1');
    expect(logs.slice(startedAt).filter((l) => l.domu === 'web1' && l.decision !== undefined && l.decision !== 'running')).toEqual([]);
  });

  it('defers while the peer is Unknown, then starts within 1 s of the peer connecting as Secondary (event path)', async () => {
    const f = await rebooted((x) => x.sim.drbd('r1', 'disconnect'));
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'defer' && l.reason === 'peer-not-connected', 'web1 deferred');
    await f.advance(10_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(0);
    f.sim.drbd('r1', 'connect');
    const safeAt = await f.until(() => f.sim.state().drbd['r1']?.link === 'connected', 'r1 connected');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    expect((createAt(f, 'web1') ?? Infinity) - safeAt).toBeLessThan(1_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
  });

  it('without drbdsetup events2 it polls, says so in status, and still starts within the polling interval', async () => {
    const f = await rebooted((x) => {
      x.sim.drbd('r1', 'disconnect');
      x.sim.toolFault('xen1', 'drbdsetup', { kind: 'garbage', text: '', exitCode: 20 }, { argvPrefix: ['events2'] });
    });
    f.startAgent('xen1', { ...TEST_TIMERS, events: { respawnMaxSeconds: 1, pollSeconds: 2 } });
    await f.log('xen1', (l) => l.msg.includes('events2 is unavailable here'), 'fell back to polling');
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'defer', 'web1 deferred');
    f.sim.drbd('r1', 'connect');
    const safeAt = await f.until(() => f.sim.state().drbd['r1']?.link === 'connected', 'r1 connected');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    expect((createAt(f, 'web1') ?? Infinity) - safeAt).toBeLessThanOrEqual(2_000 + 100);
    expect((await status(f)).sources.drbd).toMatch(/^polling drbdadm status every 2 s \(unavailable: drbdsetup events2/);
  });

  it('goes back from polling to events2 once events2 works again', async () => {
    const f = await rebooted((x) => x.sim.toolFault('xen1', 'drbdsetup', { kind: 'garbage', text: '', exitCode: 20 }, { argvPrefix: ['events2'], times: 3 }));
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg.includes('events2 is unavailable here'), 'fell back to polling');
    expect((await status(f)).sources.drbd).toMatch(/^polling/);
    await f.log('xen1', (l) => l.msg.startsWith('drbdsetup events2 works again'), 'back to events', 120_000);
    expect((await status(f)).sources.drbd).toBe('drbdsetup events2');
    // and the events path reacts again: a disconnect defers nothing already running, a new start happens by event
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
  });

  it('killed mid-start and restarted: the domU is started once, not twice', async () => {
    const f = await rebooted((x) => x.sim.toolFault('xen1', 'xl', { kind: 'slow', ms: 1_500 }, { argvPrefix: ['create', '/etc/xen/drbd-auto/web1.cfg'], times: 1 }));
    f.startAgent('xen1');
    await f.until(() => creates(f.sim, 'xen1', 'web1') === 1, 'the first xl create of web1');
    f.crash('xen1');
    const second = f.startAgent('xen1');
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'running', 'web1 seen running');
    await f.advance(5_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
    expect(second.logs.some((l) => l.msg.includes('still running: waiting for it'))).toBe(true);
  });

  it('split brain (both sides StandAlone): nothing is started, the agent logs an error', async () => {
    const f = await rebooted((x) => x.sim.drbd('r1', 'split-brain'));
    f.startAgent('xen1');
    const line = await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'defer', 'web1 deferred');
    expect(line).toMatchObject({ level: 50, splitBrainSuspected: true, reason: 'peer-not-connected' });
    await f.advance(120_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(0);
  });

  it('a deferred domU is decided again on the fallback timer when no event comes', async () => {
    const f = await rebooted((x) => x.sim.drbd('r1', 'disconnect'));
    f.startAgent('xen1', { autostart: { deferRecheckSeconds: 20, deferJitterSeconds: 1 } });
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'defer', 'web1 deferred');
    const t0 = f.sim.clock.now();
    await f.until(() => f.agent('xen1').core.current.fullRead.done >= 2, 'a second full read', 30_000);
    const at = f.sim.clock.now() - t0;
    expect(at).toBeGreaterThanOrEqual(19_000);
    expect(at).toBeLessThanOrEqual(21_100);
  });
});

describe('the re-check right before a start (in process)', () => {
  /** xen1's tool runs after command-log entry `mark`, up to its `xl create` of domu */
  const beforeCreate = (f: Fleet, mark: number, domu: string): string[] => {
    const runs = f.sim.commandLog.slice(mark).filter((c) => c.host === 'xen1');
    const create = runs.findIndex((c) => c.tool === 'xl' && c.argv[0] === 'create' && c.argv[1]?.endsWith(`/${domu}.cfg`));
    expect(create).toBeGreaterThanOrEqual(0);
    return runs.slice(0, create).map((c) => `${c.tool} ${c.argv.join(' ')}`);
  };

  it('with xenstore-watch working and every domain change read, it takes the list it has: no `xl list` between safe and `xl create`', async () => {
    const f = await rebooted((x) => x.sim.drbd('r1', 'disconnect'));
    const a = f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg === 'started plain1', 'started plain1');
    // plain1's start made the agent read `xl list` again (and the watch's line for it): all landed
    await f.until(() => a.core.current.listRead.done > 0 && !a.core.current.listRead.running && a.core.current.domainWatcher.healthy, 'every list read landed');
    const mark = f.sim.commandLog.length;
    f.sim.drbd('r1', 'connect');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    expect(beforeCreate(f, mark, 'web1').filter((r) => r.startsWith('xl list'))).toEqual([]);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
  });

  it('a domU started by hand meanwhile is seen through the watch: it is not started twice', async () => {
    const f = await rebooted((x) => x.sim.drbd('r1', 'disconnect'));
    const a = f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg === 'started plain1', 'started plain1');
    await f.until(() => a.core.current.listRead.done > 0 && !a.core.current.listRead.running, 'every list read landed');
    // the operator starts web1 by hand while its peer is away, then the peer comes back
    expect((await f.sim.run('xen1', 'xl', ['create', '/etc/xen/drbd-auto/web1.cfg'])).exitCode).toBe(0);
    f.sim.drbd('r1', 'connect');
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'running', 'web1 seen running');
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
  });

  it('where the domain watch is not used (events.domains "poll"), the re-check reads `xl list` itself', async () => {
    const f = await rebooted((x) => x.sim.drbd('r1', 'disconnect'));
    f.startAgent('xen1', { ...TEST_TIMERS, events: { ...TEST_TIMERS.events, domains: 'poll' } });
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'defer', 'web1 deferred');
    const mark = f.sim.commandLog.length;
    f.sim.drbd('r1', 'connect');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    // then the claim: r1 taken Primary and read again, right before `xl create`
    expect(beforeCreate(f, mark, 'web1').slice(-3)).toEqual(['xl list', 'drbdadm primary r1', 'drbdadm status r1']);
  });
});

describe('naming this Dom0 in its domUs\' xenstore areas (in process)', () => {
  // the naming ran one `xenstore-write` per domU: 80 tool runs at READY on a Dom0 of 80 domUs
  it('after READY, one `xenstore-write` for every running domU, each with both keys; none before READY', async () => {
    fleet = await startFleet(pairFleet({ optionLine: false, migrateTab: [], memMiB: 1024, vcpus: 1, more: 'domu web2 mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r2 running=xen1\ndomu web3 mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r3 running=xen1\n' }));
    const a = fleet.startAgent('xen1');
    const ready = await fleet.log('xen1', (l) => l.msg.startsWith('ready'), 'ready');
    const domids = fleet.sim.state().domains.filter((d) => d.host === 'xen1').map((d) => d.domid);
    const xs = () => fleet.sim.state().xenstore['xen1'] ?? {};
    await fleet.until(() => domids.every((id) => xs()[`/local/domain/${id}/data/xenherd/since`] !== undefined), 'every domU named');
    const writes = fleet.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xenstore-write');
    expect(writes.every((w) => w.at >= ready.time)).toBe(true);
    expect(writes.length).toBe(1);
    expect(writes.flatMap((w) => w.argv.slice(1).filter((_, i) => i % 2 === 0)).sort()).toEqual(domids.sort().flatMap((id) => [`/local/domain/${id}/data/xenherd/dom0`, `/local/domain/${id}/data/xenherd/since`]).sort());
    for (const id of domids) expect(xs()[`/local/domain/${id}/data/xenherd/dom0`]).toBe('xen1');
    expect(a.notified[0]).toMatchObject({ ready: true });
  });
});

describe("configs read by the host's toolstack's rules (in process)", () => {
  // valid xl syntax throughout (literals only), but spellings only xend takes: mode w!, and a
  // 4th disk field naming the backend domain; an xm Dom0's xend starts these, xl refuses them
  const XEND_SPELLINGS: Record<string, string> = {
    web1: `name = "web1"\nmemory = 2048\nvcpus = 2\ndisk = [ 'drbd:r1,xvda,w!' ]\n`,
    plain1: `name = "plain1"\nmemory = 512\nvcpus = 1\ndisk = [ 'phy:/dev/vg0/plain1,xvda,w,Domain-0' ]\n`,
  };
  const onToolstack = async (toolstack: 'xl' | 'xm'): Promise<Fleet> => {
    fleet = await startFleet(toolstack === 'xm' ? pairFleet({ ...BOOTED, tools: 'toolstack=xm xen=4.1.4' }) : FLEET);
    fleet.sim.power('xen1', 'off');
    fleet.sim.power('xen1', 'on');
    for (const [name, text] of Object.entries(XEND_SPELLINGS)) writeFileSync(join(fleet.sim.hostRoot('xen1'), `etc/xen/drbd-auto/${name}.cfg`), text);
    return fleet;
  };
  const startsOf = (f: Fleet, tool: 'xl' | 'xm', domu: string): number => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === tool && c.argv[0] === 'create' && c.argv[1]?.endsWith(`/${domu}.cfg`)).length;

  it('on an xm Dom0, a config with w! or a 4-field disk is started as xend would start it, not deferred', async () => {
    const f = await onToolstack('xm');
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    await f.log('xen1', (l) => l.msg === 'started plain1', 'started plain1');
    expect(f.agent('xen1').logs.filter((l) => l.reason === 'config-unreadable')).toEqual([]);
    expect([startsOf(f, 'xm', 'web1'), startsOf(f, 'xm', 'plain1')]).toEqual([1, 1]);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
    expect(f.sim.violations).toEqual([]);
  });

  it('on an xl Dom0, the same configs are refused as xl refuses them: deferred, never started', async () => {
    const f = await onToolstack('xl');
    f.startAgent('xen1');
    const web1 = await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'defer', 'web1 deferred');
    const plain1 = await f.log('xen1', (l) => l.domu === 'plain1' && l.decision === 'defer', 'plain1 deferred');
    expect([web1.reason, plain1.reason]).toEqual(['config-unreadable', 'config-unreadable']);
    expect(JSON.stringify(web1)).toContain('unknown access \\"w!\\"');
    expect(JSON.stringify(plain1)).toContain('too many positional parameters');
    await f.advance(60_000);
    expect([startsOf(f, 'xl', 'web1'), startsOf(f, 'xl', 'plain1')]).toEqual([0, 0]);
  });
});
