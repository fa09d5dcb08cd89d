import { afterEach, describe, expect, it } from 'vitest';
import type { Fleet } from '../harness/fleet.js';
import type { LogLine } from '../harness/memory-log.js';
import { checkOf, drbdLines, drbdPair, tryingWord } from './drbd-pair-check.js';

// The controller's journal on the DRBD link of a running domU (web1 on xen1, replicated with xen2
// on r1): one line when it goes, one when it is back, from what both Dom0s' real agent cores
// report, however many reports say it. In process, on the simulator's clock.
let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

const replicationLines = (f: Fleet): LogLine[] => f.controller!.logs.filter((l) => typeof l['event'] === 'string' && l['event'].startsWith('replication-'));
const unreachableLines = (f: Fleet, host: string): LogLine[] => f.controller!.logs.filter((l) => l['event'] === 'host-unreachable' && l['host'] === host);
/** both Dom0s' reports of the cut are in: check's one line between them */
const bothSeeItCut = (f: Fleet): boolean => drbdLines(f).some((l) => l.includes('between'));

describe("the controller's journal on a running domU's DRBD link (real agent cores, in process)", () => {
  for (const drbd of ['9', '8.4.11']) {
    it(`DRBD ${drbd}: cut, one warning naming r1, web1, both Dom0s and the states, none more while it stays cut; reconnected, one info line`, async () => {
      const f = (fleet = await drbdPair(drbd, 'events2', { guardedOnBoth: false }));
      await f.until(() => checkOf(f).status === 'OK', 'OK first');
      f.sim.drbd('r1', 'disconnect');
      await f.until(() => bothSeeItCut(f), 'both sides report the cut', 30_000);
      await f.advance(30_000);
      const word = tryingWord(drbd);
      expect(replicationLines(f).map((l) => [l.level, l.msg])).toEqual([
        [40, `DRBD r1 of web1 (running on xen1) lost its connection to xen2: Connected → ${word}, as xen1 reports it; nothing replicates web1's writes until it is back`],
      ]);
      expect(replicationLines(f)[0]).toMatchObject({ event: 'replication-lost', resource: 'r1', domus: ['web1'], host: 'xen1', peer: 'xen2', from: 'Connected', to: word });
      // still cut, in another state: reports of it, and no second line
      f.sim.drbd('r1', 'split-brain');
      await f.until(() => drbdLines(f).some((l) => l.includes('StandAlone')), 'StandAlone reported', 30_000);
      await f.advance(30_000);
      expect(replicationLines(f)).toHaveLength(1);
      f.sim.drbd('r1', 'connect');
      await f.until(() => checkOf(f).status === 'OK', 'OK again', 30_000);
      await f.advance(30_000);
      expect(replicationLines(f).slice(1).map((l) => [l.level, l.msg, l['event']])).toEqual([
        [30, `DRBD r1 of web1 (running on xen1) is connected to xen2 again (was ${word}): its writes replicate again (after a resync, if one runs)`, 'replication-back'],
      ]);
    });
  }

  it('a controller started while r1 is down says nothing of it at first sight, and one info line when it is back', async () => {
    const f = (fleet = await drbdPair('9', 'events2', { guardedOnBoth: false }));
    f.sim.drbd('r1', 'disconnect');
    await f.until(() => bothSeeItCut(f), 'both sides report the cut', 30_000);
    f.controller!.restart();
    await f.until(() => f.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting again', 60_000);
    await f.until(() => bothSeeItCut(f), 'the new controller sees the cut', 30_000);
    const fromNew = (): LogLine[] => replicationLines(f).filter((l) => l['generation'] === 2);
    expect(fromNew()).toEqual([]);
    f.sim.drbd('r1', 'connect');
    await f.until(() => checkOf(f).status === 'OK', 'OK again', 30_000);
    await f.advance(10_000);
    expect(fromNew().map((l) => l['event'])).toEqual(['replication-back']);
  });

  it("web1's Dom0 unreachable: its host-unreachable line, and no line of r1 though xen2 reports it cut", async () => {
    const f = (fleet = await drbdPair('9', 'events2', { guardedOnBoth: false }));
    await f.until(() => checkOf(f).status === 'OK', 'OK first');
    f.powerOff('xen1');
    await f.until(() => unreachableLines(f, 'xen1').length === 1, 'xen1 unreachable', 60_000);
    await f.until(() => drbdLines(f).length === 1, "xen2's side flagged", 30_000);
    await f.advance(30_000);
    expect(replicationLines(f)).toEqual([]);
  });

  it("the standby's Dom0 powered off: web1's replication did break then, and xen1 says so: one warning", async () => {
    const f = (fleet = await drbdPair('9', 'events2', { guardedOnBoth: false }));
    await f.until(() => checkOf(f).status === 'OK', 'OK first');
    f.powerOff('xen2');
    await f.until(() => unreachableLines(f, 'xen2').length === 1, 'xen2 unreachable', 60_000);
    await f.advance(30_000);
    expect(replicationLines(f).map((l) => [l['event'], l['host'], l['peer'], l['to']])).toEqual([['replication-lost', 'xen1', 'xen2', 'Connecting']]);
  });
});
