import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// At READY the agent names itself in every running domU's xenstore area, four tool runs at a time,
// the rest waiting their turn. An agent stopped then must start none of those waiting once the
// runs ahead of them answer: a tool started after the stop is one nothing waits for.

const MORE = [2, 3, 4, 5, 6].map((i) => `domu web${i} mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r${i} running=xen1\n`).join('');
const FLEET = pairFleet({ optionLine: false, migrateTab: [], memMiB: 1024, vcpus: 1, more: MORE });

let fleet: Fleet | null = null;
afterEach(async () => {
  await fleet?.stop();
  fleet = null;
});

describe('an agent stopped with tool runs waiting their turn (in process)', () => {
  it('starts none of them after the stop: each is refused, and the journal says so once', async () => {
    const f = (fleet = await startFleet(FLEET));
    const open = f.sim.holdTool('xen1', 'xenstore-write');
    const a = f.startAgent('xen1');
    const writes = () => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xenstore-write');
    try {
      await f.log('xen1', (l) => l.msg.startsWith('ready'), 'ready');
      await f.until(() => writes().length === 4, 'four xenstore-writes out, the other two and the start-time reads waiting');
      const stopped = a.core.stop();
      await f.until(() => a.core.current.phase === 'stopped', 'the agent stopped');
      const stoppedAt = f.sim.commandLog.length;
      open();
      await stopped;
      await f.until(() => f.sim.commandLog.slice(0, stoppedAt).every((c) => c.exitCode !== null), 'the held writes answered');
      await f.advance(1_000);
      expect(f.sim.commandLog.slice(stoppedAt).filter((c) => c.host === 'xen1').map((c) => `${c.tool} ${c.argv.join(' ')}`)).toEqual([]);
      const refusals = a.logs.filter((l) => l.code === 'XH_ERR_REFUSED');
      expect(refusals.map((l) => l.msg)).toEqual([expect.stringMatching(/^xenstore-write .*: not run, the agent has stopped \(later refusals are not logged\)$/)]);
    } finally {
      open();
    }
  });
});
