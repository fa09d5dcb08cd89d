import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { StartIntents } from '../../../agent/run/start-intents.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// A start that did not happen gives back what its claim took Primary (`drbdadm secondary`), and
// tries again while DRBD refuses. The agent's stop waits for a release running then, as it waits
// for a claim or an `xl create`: under the unit's KillMode=process nothing else would wait for it,
// and the stop used to end while it ran, its outcome heard by nobody.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no' });

let fleet: Fleet | null = null;
afterEach(async () => {
  await fleet?.stop();
  fleet = null;
});

const secondaries = (f: Fleet) => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'drbdadm' && c.argv.join(' ') === 'secondary r1');

describe('the stop of an agent while it gives a claim back (in process)', () => {
  it('waits for the retry of a refused release running then, and ends once it answered', async () => {
    const f = (fleet = await startFleet(FLEET));
    // web1's xl create fails, so r1, taken Primary for it, is given back; DRBD refuses once
    f.sim.toolFault('xen1', 'xl', { kind: 'garbage', text: 'libxl: error: cannot allocate memory for the domain\n', exitCode: 3 }, { argvPrefix: ['create'] });
    f.sim.toolFault('xen1', 'drbdadm', { kind: 'garbage', text: 'r1: State change failed: (-12) Device is held open by someone\n', exitCode: 11 }, { argvPrefix: ['secondary'], times: 1 });
    const a = f.startAgent('xen1');
    await f.log('xen1', (l) => l.msg.startsWith('web1 was not started, but its DRBD resources stay Primary here'), 'the refused release, and its retry armed');
    const open = f.sim.holdTool('xen1', 'drbdadm', { argvPrefix: ['secondary'] });
    try {
      await f.until(() => secondaries(f).length === 2, 'the retry of drbdadm secondary r1, held');
      let ended = false;
      const stopped = a.core.stop().then(() => (ended = true));
      // well short of drbdadm's own bound: the stop is still waiting for the release
      await f.advance(3_000);
      expect(a.core.current.phase).toBe('stopping');
      expect(ended).toBe(false);
      open();
      await f.until(() => ended, 'the stop ended');
      await stopped;
      expect(secondaries(f).map((c) => c.exitCode)).toEqual([11, 0]);
      expect(a.core.current.phase).toBe('stopped');
      // given back: nothing is left for the next agent
      expect(a.core.current.jobs).toEqual([]);
    } finally {
      open();
    }
  });
});

describe('a start whose xl create failed (in process)', () => {
  // The record was removed as the create returned, before the release: an agent killed while
  // drbdadm secondary ran left r1 Primary with nothing for the next agent to give back.
  it('keeps its start record, naming what its claim took Primary, until the release after it has ended', async () => {
    const f = (fleet = await startFleet(FLEET));
    const records = new StartIntents(join(f.sim.hostRoot('xen1'), AgentConfigSchema.parse({}).stateDir));
    f.sim.toolFault('xen1', 'xl', { kind: 'garbage', text: 'libxl: error: cannot allocate memory for the domain\n', exitCode: 3 }, { argvPrefix: ['create'] });
    const open = f.sim.holdTool('xen1', 'drbdadm', { argvPrefix: ['secondary'] });
    try {
      f.startAgent('xen1');
      await f.until(() => secondaries(f).length === 1, 'the release of r1 after the failed create, held');
      expect(records.readAll().map((r) => [r.name, r.claimed])).toEqual([['web1', ['r1']]]);
      open();
      await f.log('xen1', (l) => l.msg.startsWith('starting web1 failed'), 'the failed start said');
      await f.until(() => records.readAll().length === 0, 'the record removed once r1 was given back');
      expect(secondaries(f).map((c) => c.exitCode)).toEqual([0]);
    } finally {
      open();
    }
  });
});
