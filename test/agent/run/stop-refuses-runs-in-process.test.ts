import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// At READY the agent names itself in every running domU's xenstore area, as many domUs to a
// `xenstore-write` as its argv bound takes (adapters/xenstore-write-batches.ts): 45 domUs are two
// runs, one after the other. An agent stopped during the first must not start the second once
// the first has ended: a tool started after the stop is one nothing waits for.

const MORE = Array.from({ length: 44 }, (_, i) => `domu web${i + 2} mem=256 vcpus=1 home=xen1 running=xen1\n`).join('');
const FLEET = pairFleet({ optionLine: false, migrateTab: [], memMiB: 1024, vcpus: 1, more: MORE });

let fleet: Fleet | null = null;
afterEach(async () => {
  await fleet?.stop();
  fleet = null;
});

describe('an agent stopped with tool runs still to come (in process)', () => {
  it('starts none of them after the stop: the next is refused, and the journal says so once', async () => {
    const f = (fleet = await startFleet(FLEET));
    const open = f.sim.holdTool('xen1', 'xenstore-write');
    const a = f.startAgent('xen1');
    const writes = () => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xenstore-write');
    try {
      await f.log('xen1', (l) => l.msg.startsWith('ready'), 'ready');
      await f.until(() => writes().length === 1, "the first xenstore-write out, the second batch's waiting for it");
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
