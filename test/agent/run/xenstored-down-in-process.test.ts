import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/fleet.js';

// xenstored not running on a Dom0: xenstore-watch ends at once, `xenstore-watch: xs_open: No such
// file or directory` (exit 1). The agent said only that, raw, as why it respawned the watch; it
// now names xenstored and where to look, as for xl's same failure. The agent core in this
// process, on the simulator's clock; the simulator stops xenstored as a crash would. Its fall-back
// to polling said "xenstore-watch is unavailable here", read as a tool not installed that polling
// makes up for, while `xl list` fails the same way: it now says xenstored is down and polling fails too.

const FLEET = `
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 running=xen1
`;

const XENSTORED = /^xenstore-watch @introduceDomain @releaseDomain: cannot connect to xenstore \(No such file or directory\): xenstored is not running on this Dom0\. See `systemctl status xenstored xencommons`/;

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const watchLines = (f: Fleet) => f.agent('xen1').logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('xenstore-watch'));
const watchRuns = (f: Fleet): number => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xenstore-watch').length;

describe('xenstore-watch while xenstored is down (in process)', () => {
  it('names xenstored in every line, backs off to polling, and goes back to the watch once xenstored runs again', async () => {
    fleet = await startFleet(FLEET);
    fleet.sim.xenstored('xen1', 'stop');
    fleet.startAgent('xen1');
    await fleet.log('xen1', (l) => typeof l.msg === 'string' && l.msg.startsWith('xenstore-watch cannot run'), 'the fall-back to polling');
    const lines = watchLines(fleet);
    expect(lines.map((l) => l.msg)).toEqual([
      'xenstore-watch ended: respawning it',
      'xenstore-watch ended: respawning it',
      'xenstore-watch cannot run: xenstored is not running on this Dom0; polling xl list every 10 s instead, which fails too until xenstored runs again',
    ]);
    for (const l of lines) expect(l['reason']).toMatch(XENSTORED);
    // no tight loop: three tries, then a probe every 30 s doubling, each failing silently
    await fleet.advance(10 * 60_000);
    expect(watchRuns(fleet)).toBeLessThanOrEqual(3 + 5);
    expect(watchLines(fleet)).toHaveLength(3);
    fleet.sim.xenstored('xen1', 'start');
    await fleet.log('xen1', (l) => l.msg === 'xenstore-watch works again: domain changes come from it, polling stopped', 'the watch back', 30 * 60_000);
  });
});
