import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { StartIntents } from '../../../agent/run/start-intents.js';
import { AgentStatusSchema } from '../../../shared/protocol/agent-control.js';
import { creates, runsOn, startFleet, type Fleet } from '../../harness/fleet.js';
import type { SimAgent } from '../../harness/agent-on-sim.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import type { ToolFault } from '../../sim/daemon/faults.js';

// An agent killed while its `xl create` runs (an upgrade, a crash): the create outlives it, and
// the next agent must neither start the domU again nor give its disk back under it, yet be READY
// and on its controller link as always, or systemd's start timeout kills it over and over.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no', more: 'domu plain1 mem=512 vcpus=1 home=xen1 running=no\n' });
/** longer than systemd's default start timeout (90 s) and the agent's old 150 s bound on the wait */
const HUNG_MS = 200_000;

let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function status(a: SimAgent) {
  const r = await a.control({ op: 'status' });
  if (!r.ok) throw new Error(r.error.message);
  return AgentStatusSchema.parse(r.status);
}

/** xen1 rebooted, its agent killed while the `xl create` of web1 hangs (for HUNG_MS unless CREATE says); the next agent started */
async function killedMidCreate(create: ToolFault = { kind: 'slow', ms: HUNG_MS }): Promise<{ f: Fleet; second: SimAgent; createdAt: number }> {
  const f = (fleet = await startFleet(FLEET, { controller: true }));
  f.sim.power('xen1', 'off');
  f.sim.power('xen1', 'on');
  f.sim.toolFault('xen1', 'xl', create, { argvPrefix: ['create', '/etc/xen/drbd-auto/web1.cfg'], times: 1 });
  f.startAgent('xen1');
  await f.until(() => creates(f.sim, 'xen1', 'web1') === 1, 'the first xl create of web1');
  const createdAt = f.sim.clock.now();
  f.crash('xen1');
  return { f, second: f.startAgent('xen1'), createdAt };
}

describe('an xl create left running by a killed agent (in process)', () => {
  it('the next agent is READY and on its link while it runs; web1 alone waits, held for no one', async () => {
    const { f, second, createdAt } = await killedMidCreate();
    await f.until(() => second.notified.some((n) => n.ready) && second.core.current.link.phase === 'up', 'READY and the controller link up', 30_000);
    expect(f.sim.clock.now() - createdAt).toBeLessThan(30_000);
    expect(runsOn(f.sim, 'web1')).toEqual([]);
    const wait = second.logs.find((l) => l.msg.includes('still running: waiting for it'));
    expect(wait).toMatchObject({ domu: 'web1', createPid: expect.any(Number) });
    expect(wait?.['pid']).toBeUndefined();
    const st = await status(second);
    expect(st.guarded.find((g) => g.name === 'web1')).toMatchObject({ starting: true });
    expect(st.warnings.some((w) => w.startsWith('an xl create of web1 from before this agent started is still running'))).toBe(true);
    expect(second.notified.at(-1)?.status).toContain('waiting for web1');
    const held = await second.hold('web1', 'migrate');
    expect(held.response).toMatchObject({ ok: false, error: { code: 'XH_ERR_LOCKED' } });
    // the other guarded domUs are decided as always
    expect(second.logs.find((l) => l.domu === 'plain1' && l.decision !== undefined)).toMatchObject({ decision: 'running' });
    expect(second.logs.some((l) => l.domu === 'web1' && l.decision !== undefined)).toBe(false);
  });

  it('past 150 s of a create still alive, nothing is given back; once it ends, web1 runs once and is decided again', async () => {
    const { f, second, createdAt } = await killedMidCreate();
    await f.advance(createdAt + 160_000 - f.sim.clock.now());
    expect(f.sim.state().drbd['r1']?.replicas['xen1']?.role).toBe('Primary');
    expect(second.logs.filter((l) => l.msg.includes('given back') || l.msg.includes('kept'))).toEqual([]);
    expect(second.core.current.leftoverCreates.has('web1')).toBe(true);
    expect(second.logs.find((l) => l.msg.includes('still runs after 150 s'))).toMatchObject({ level: 40, domu: 'web1' });
    await f.log('xen1', (l) => l.msg.includes('the xl create of web1 from before this agent started has ended'), 'the create ended', 60_000);
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'running', 'web1 decided running', 30_000);
    const kept = second.logs.find((l) => l.msg.startsWith('kept Primary, as it should be'));
    expect(kept).toMatchObject({ level: 30, domu: 'web1' });
    expect(f.sim.state().drbd['r1']?.replicas['xen1']?.role).toBe('Primary');
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
    expect(f.sim.violations).toEqual([]);
  });

  it('an agent stopped while it waits leaves the start record: the next one waits again and gives back after the create', async () => {
    const { f, second } = await killedMidCreate();
    await f.until(() => second.notified.some((n) => n.ready), 'READY', 30_000);
    await second.core.stop();
    const records = new StartIntents(join(f.sim.hostRoot('xen1'), AgentConfigSchema.parse({}).stateDir));
    expect(records.readAll().map((r) => r.name)).toEqual(['web1']);
    const third = f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg.includes('the xl create of web1 from before this agent started has ended'), 'the create ended', HUNG_MS);
    expect(third.logs.some((l) => l.msg.includes('still running: waiting for it'))).toBe(true);
    expect(records.readAll()).toEqual([]);
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'running', 'web1 decided running', 30_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
  });

  it('an agent stopped while it gives back after the create waits for that drbdadm secondary, and runs nothing after', async () => {
    const { f, second, createdAt } = await killedMidCreate();
    await f.until(() => second.notified.some((n) => n.ready), 'READY', 30_000);
    const open = f.sim.holdTool('xen1', 'drbdadm', { argvPrefix: ['secondary'] });
    const secondaries = () => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'drbdadm' && c.argv[0] === 'secondary');
    try {
      await f.advance(createdAt + HUNG_MS - f.sim.clock.now());
      await f.until(() => secondaries().length === 1, 'the give-back of r1, held', 5_000);
      let ended = false;
      const stopped = second.core.stop().then(() => (ended = true));
      await f.until(() => second.core.current.phase === 'stopped', 'the agent stopped');
      // well short of drbdadm's own bound: the stop still waits for the give-back
      await f.advance(3_000);
      expect(ended).toBe(false);
      const stoppedAt = f.sim.commandLog.length;
      open();
      await f.until(() => ended, 'the stop ended');
      await stopped;
      expect(secondaries().map((c) => c.exitCode)).toEqual([11]);
      expect(second.logs.find((l) => l.msg.startsWith('kept Primary, as it should be'))).toMatchObject({ domu: 'web1' });
      await f.advance(1_000);
      expect(f.sim.commandLog.slice(stoppedAt).filter((c) => c.host === 'xen1')).toEqual([]);
    } finally {
      open();
    }
  });
});

// A start an earlier agent left, whose create has ended, given back while DRBD refuses for a reason
// other than a domain holding the device (a timeout, a refused state change): the record is then
// the only trace of that claim, so it stays until DRBD gives the resources back, tried again as a
// start's own release is, that domU held meanwhile. db1's home is xen2: xen1's agent never starts
// it itself, so the record is the earlier one's.

const DB1_ON_XEN2_DOWN = 'domu db1 mem=2048 vcpus=2 home=xen2 peer=xen1 drbd=r2 running=no\n';
/** `drbdadm secondary RES` refused for a reason other than a domain holding the device */
const refusedFor = (res: string): ToolFault => ({ kind: 'garbage', text: `${res}: State change failed: (-2) Need access to UpToDate data\n`, exitCode: 11 });
const REFUSED = refusedFor('r2');

async function earlierClaimRefused(times: number): Promise<{ f: Fleet; records: StartIntents; first: SimAgent }> {
  const f = (fleet = await startFleet(pairFleet({ connectDelay: 300, migrateTab: [], running: 'no', more: DB1_ON_XEN2_DOWN })));
  const records = new StartIntents(join(f.sim.hostRoot('xen1'), AgentConfigSchema.parse({}).stateDir));
  records.write({ name: 'db1', pid: 999_999_999, configPath: '/etc/xen/drbd-auto/db1.cfg', at: new Date(f.sim.clock.now()).toISOString(), claimed: ['r2'] });
  f.sim.toolFault('xen1', 'drbdadm', REFUSED, { argvPrefix: ['secondary', 'r2'], times });
  const first = f.startAgent('xen1');
  await f.until(() => first.notified.some((n) => n.ready), 'READY', 30_000);
  return { f, records, first };
}

describe('a give-back of an earlier start that DRBD refuses (in process)', () => {
  it('keeps the start record, says so once, holds the domU and tries again until DRBD gives it back', async () => {
    const { f, records, first } = await earlierClaimRefused(3);
    expect(records.readAll().map((r) => [r.name, r.claimed])).toEqual([['db1', ['r2']]]);
    // two more refusals, at 2 s and 4 s after the first
    await f.advance(6_500);
    expect(records.readAll().map((r) => r.name)).toEqual(['db1']);
    const warned = first.logs.filter((l) => l.domu === 'db1' && l.level >= 40);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ code: 'XH_ERR_TOOL_FAILED', resources: ['r2'] });
    expect(warned[0]?.msg).toContain('the start record stays');
    expect((await status(first)).warnings.some((w) => w.startsWith('r2 stay Primary from a start of db1'))).toBe(true);
    expect(first.core.current.leftoverCreates.get('db1')).toMatchObject({ kept: ['r2'] });
    await f.log('xen1', (l) => l.msg.startsWith('what a start of db1 from before this agent started took Primary is given back now'), 'the give-back tried again', 30_000);
    expect(records.readAll()).toEqual([]);
    expect(first.core.current.leftoverCreates.has('db1')).toBe(false);
    expect((await status(first)).warnings.filter((w) => w.includes('db1'))).toEqual([]);
    const secondaries = f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'drbdadm' && c.argv[0] === 'secondary');
    expect(secondaries.map((c) => c.exitCode)).toEqual([11, 11, 11, 0]);
  });

  it('refused once an xl create left running has ended: the record stays, tried again 2 s later, then given back and removed', async () => {
    const { f, second } = await killedMidCreate({ kind: 'hang' });
    await f.until(() => second.notified.some((n) => n.ready), 'READY', 30_000);
    const records = new StartIntents(join(f.sim.hostRoot('xen1'), AgentConfigSchema.parse({}).stateDir));
    const [left] = records.readAll();
    expect([left?.name, left?.claimed]).toEqual(['web1', ['r1']]);
    const createPid = left?.pid ?? -1;
    f.sim.toolFault('xen1', 'drbdadm', refusedFor('r1'), { argvPrefix: ['secondary', 'r1'], times: 1 });
    const secondaries = () => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'drbdadm' && c.argv.join(' ') === 'secondary r1');
    // the hung create killed by hand: it ends having started nothing, so r1 is the claim's alone
    second.procs.killAll((pid) => pid !== createPid);
    await f.until(() => secondaries().length === 1, 'the first give-back of r1 once the create ended', 30_000);
    expect(records.readAll().map((r) => [r.name, r.pid])).toEqual([['web1', createPid]]);
    expect(second.core.current.leftoverCreates.get('web1')).toMatchObject({ kept: ['r1'] });
    const warned = second.logs.filter((l) => l.domu === 'web1' && l.code === 'XH_ERR_TOOL_FAILED');
    expect(warned.map((l) => [l.level, l.resources])).toEqual([[40, ['r1']]]);
    expect(warned[0]?.msg).toContain('the start record stays');
    await f.log('xen1', (l) => l.msg.startsWith('what a start of web1 from before this agent started took Primary is given back now'), 'the give-back tried again', 10_000);
    const [refused, again] = secondaries();
    expect([refused?.exitCode, again?.exitCode]).toEqual([11, 0]);
    expect((again?.at ?? 0) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect((again?.at ?? 0) - (refused?.at ?? 0)).toBeLessThan(2_500);
    // the earlier start's record is gone (a start of web1 by this agent may have written its own since)
    expect(records.readAll().filter((r) => r.pid === createPid)).toEqual([]);
    expect(second.core.current.leftoverCreates.has('web1')).toBe(false);
    // web1 is decided again, and started here once
    await f.log('xen1', (l) => l.domu === 'web1' && l.decision === 'running', 'web1 decided running', 30_000);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
    expect(f.sim.violations).toEqual([]);
  });

  it('an agent stopped before DRBD gives it back leaves the record and tries no more: the next agent gives it back and removes it', async () => {
    const { f, records, first } = await earlierClaimRefused(5);
    const secondaries = () => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'drbdadm' && c.argv[0] === 'secondary').length;
    await first.core.stop();
    const tried = secondaries();
    // past every wait between tries: a retry begun after the stop would show
    await f.advance(70_000);
    expect(secondaries()).toBe(tried);
    expect(records.readAll().map((r) => [r.name, r.claimed])).toEqual([['db1', ['r2']]]);
    f.sim.clearToolFaults();
    const second = f.startAgent('xen1');
    await f.until(() => second.notified.some((n) => n.ready), 'READY', 30_000);
    expect(second.logs.some((l) => l.domu === 'db1' && l.msg.includes('given back where nothing uses them'))).toBe(true);
    expect(records.readAll()).toEqual([]);
  });
});
