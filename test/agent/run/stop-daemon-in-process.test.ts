import { afterEach, describe, expect, it } from 'vitest';
import { stopDaemon } from '../../../agent/run/stop-daemon.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// SIGTERM while the agent starts: its control socket closes as part of the stop, and that takes at
// least a turn of the event loop. A first read of the host landing then must not make the stopping
// agent ready: systemd would hear READY=1 from a unit it is stopping. The test holds the socket's
// close open for as long as it needs, so the read lands inside it, however fast the machine.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no' });

let fleet: Fleet | null = null;
afterEach(async () => {
  await fleet?.stop();
  fleet = null;
});

describe('the stop of an agent still starting (in process)', () => {
  it('no READY while its control socket closes, whatever its first read brings meanwhile', async () => {
    const f = (fleet = await startFleet(FLEET));
    const open = f.sim.holdTool('xen1', 'xl', { argvPrefix: ['list'], times: 1 });
    const a = f.startAgent('xen1');
    let closed: () => void = () => undefined;
    const socket = { close: () => new Promise<void>((r) => (closed = r)) };
    try {
      await f.until(() => f.sim.commandLog.some((c) => c.host === 'xen1' && c.tool === 'xl' && c.argv[0] === 'list'), "the agent's first xl list");
      const stopping = stopDaemon(a.core, socket);
      open();
      await f.until(() => f.sim.commandLog.every((c) => c.tool !== 'xl' || c.exitCode !== null), 'the held xl list answered');
      // time for the rest of a start: events2's initial dump, the first decisions
      await f.advance(5_000);
      closed();
      await stopping;
      expect(a.notified.filter((n) => n.ready)).toEqual([]);
      expect(a.logs.filter((l) => l.msg.startsWith('ready'))).toEqual([]);
      expect(a.core.current.phase).toBe('stopped');
    } finally {
      open();
      closed();
    }
  });
});
