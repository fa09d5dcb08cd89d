import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { StartIntents } from '../../../agent/run/start-intents.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// An agent stopped before it is ready: nothing of its start may go on once the step it was stopped
// in answers (a stopped agent's process must end, not carry a timer or a watcher).

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

// An agent stopped at the very start, while it gives back what an earlier agent's start had
// taken Primary (before its loop has begun): the stop ends it there, once that give-back has
// answered. Nothing of the start may begin then: no read of the host, no timer a stopped agent would carry.

describe('an agent stopped while it gives back an earlier start (in process)', () => {
  it('stops there: once the give-back answers, it reads nothing, arms nothing and is never ready', async () => {
    const f = (fleet = await startFleet(FLEET));
    // an earlier agent died after taking r1 Primary for web1, before its xl create: its record names only itself
    new StartIntents(join(f.sim.hostRoot('xen1'), AgentConfigSchema.parse({}).stateDir)).write({ name: 'web1', pid: 999_999_999, configPath: '/etc/xen/drbd-auto/web1.cfg', at: new Date(f.sim.clock.now()).toISOString(), claimed: ['r1'] });
    // the next agent's give-back of r1 answers only when the test says
    const open = f.sim.holdTool('xen1', 'drbdadm', { argvPrefix: ['secondary', 'r1'], times: 1 });
    const seen = f.sim.commandLog.length;
    const second = f.startAgent('xen1');
    try {
      await f.until(() => f.sim.commandLog.slice(seen).some((c) => c.tool === 'drbdadm' && c.argv[0] === 'secondary'), "the next agent's drbdadm secondary r1");
      // the stop waits for the give-back (run/tool-runs.ts), so it is only let go here
      const stopped = second.core.stop();
      await f.until(() => second.core.current.phase === 'stopped', 'the agent stopped');
      const stoppedAt = f.sim.commandLog.length;
      open();
      await stopped;
      expect(second.logs.some((l) => l.msg.includes('given back where nothing uses them'))).toBe(true);
      // looked at within the second: a timer armed after the stop would have fired and gone after a minute
      await f.advance(1_000);
      expect(f.sim.commandLog.slice(stoppedAt).filter((c) => c.host === 'xen1').map((c) => `${c.tool} ${c.argv.join(' ')}`)).toEqual([]);
      expect(second.core.current.phase).toBe('stopped');
      expect([...second.core.current.timers]).toEqual([]);
      expect(second.notified.some((n) => n.ready)).toBe(false);
    } finally {
      open();
    }
  });

  it('gives nothing more back once stopped: what was not given back stays on the record for the next agent', async () => {
    const f = (fleet = await startFleet(pairFleet({ connectDelay: 300, migrateTab: [], running: 'no', more: 'domu db1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2,r3 running=no\n' })));
    const records = new StartIntents(join(f.sim.hostRoot('xen1'), AgentConfigSchema.parse({}).stateDir));
    records.write({ name: 'db1', pid: 999_999_999, configPath: '/etc/xen/drbd-auto/db1.cfg', at: new Date(f.sim.clock.now()).toISOString(), claimed: ['r2', 'r3'] });
    const open = f.sim.holdTool('xen1', 'drbdadm', { argvPrefix: ['secondary', 'r2'], times: 1 });
    const seen = f.sim.commandLog.length;
    const secondaries = () => f.sim.commandLog.slice(seen).filter((c) => c.tool === 'drbdadm' && c.argv[0] === 'secondary').map((c) => c.argv.join(' '));
    const a = f.startAgent('xen1');
    try {
      await f.until(() => secondaries().length === 1, 'the give-back of r2, held');
      const stopped = a.core.stop();
      await f.until(() => a.core.current.phase === 'stopped', 'the agent stopped');
      open();
      await stopped;
      // time for a run begun after the stop to show
      await f.advance(1_000);
      expect(secondaries()).toEqual(['secondary r2']);
      expect(records.readAll().map((r) => [r.name, r.claimed])).toEqual([['db1', ['r2', 'r3']]]);
      expect(a.logs.find((l) => l.msg.startsWith('the agent stopped while it gave back'))).toMatchObject({ level: 40, domu: 'db1' });
    } finally {
      open();
    }
  });
});

// An agent stopped while its first full read of the host is out: the read answers after the stop.
// What it finds (DRBD loaded) must not start a DRBD source again in the stopped agent: a
// `drbdsetup events2` started then has no end, and kept a stopped agent's process alive.

describe('an agent stopped while its first read of the host is out (in process)', () => {
  it('the read answering after the stop starts no watcher, poll or timer', async () => {
    const f = (fleet = await startFleet(FLEET));
    const open = f.sim.holdTool('xen1', 'xl', { argvPrefix: ['list'], times: 1 });
    const a = f.startAgent('xen1');
    try {
      await f.until(() => f.sim.commandLog.some((c) => c.host === 'xen1' && c.tool === 'xl' && c.argv[0] === 'list'), "the agent's first xl list");
      await a.core.stop();
      const stoppedAt = f.sim.commandLog.length;
      open();
      await f.until(() => f.sim.commandLog.slice(0, stoppedAt).every((c) => c.exitCode !== null), 'the held read answered');
      // within the second: a timer armed after the stop would have fired and gone later
      await f.advance(1_000);
      const after = f.sim.commandLog.slice(stoppedAt).filter((c) => c.host === 'xen1' && (c.tool === 'drbdsetup' || c.tool === 'drbdadm'));
      expect(after.map((c) => `${c.tool} ${c.argv.join(' ')}`)).toEqual([]);
      expect(a.core.current.phase).toBe('stopped');
      expect([...a.core.current.timers]).toEqual([]);
      expect(a.core.current.drbd.watcher.running).toBe(false);
    } finally {
      open();
    }
  });
});
