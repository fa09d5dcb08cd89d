import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// An agent stopped while its first full read of the host is out: the read answers after the stop.
// What it finds (DRBD loaded) must not start a DRBD source again in the stopped agent: a
// `drbdsetup events2` started then has no end, and kept a stopped agent's process alive.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

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
