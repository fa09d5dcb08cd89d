import { afterEach, describe, expect, it } from 'vitest';
import { TEST_TIMERS } from '../../harness/agent-on-sim.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';

// Six safe domUs, one `xl create` at a time, each taking 3 s: `autostart stop` after the first
// create began must leave the other five unstarted, as its answer says.
const FLEET = `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
${[1, 2, 3, 4, 5, 6].map((i) => `domu a${i} mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r${i} running=no`).join('\n')}
`;

let fleet: Fleet | null = null;
afterEach(async () => {
  await fleet?.stop();
  fleet = null;
});

const createsOn = (f: Fleet): string[] => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xl' && c.argv[0] === 'create').map((c) => c.argv[1] ?? '');

describe('autostart stop', () => {
  it('drops the starts still queued: only the create under way runs', async () => {
    const f = (fleet = await startFleet(FLEET));
    f.sim.power('xen1', 'off');
    f.sim.power('xen1', 'on');
    f.sim.toolFault('xen1', 'xl', { kind: 'slow', ms: 3000 }, { argvPrefix: ['create'] });
    f.startAgent('xen1', { ...TEST_TIMERS, autostart: { ...TEST_TIMERS.autostart, parallel: 1 } });
    await f.until(() => createsOn(f).length > 0, 'the first xl create', 60_000, 10);
    const r = await f.agent('xen1').control({ op: 'stop' });
    expect(r.ok).toBe(true);
    await f.advance(60_000);
    expect(createsOn(f)).toHaveLength(1);
    const st = await f.agent('xen1').control({ op: 'status' });
    expect(st.ok && st.status?.autostart).toBe('stopped');
  });
});
