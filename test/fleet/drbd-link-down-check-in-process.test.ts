import { afterEach, describe, expect, it } from 'vitest';
import { renderCheck } from '../../controller/ctl/nagios-output.js';
import type { Fleet } from '../harness/fleet.js';
import { BOTH_UP, checkOf, drbdLines, drbdPair, expectSplitBrainOnBoth, linkLine, look, notConnectedLine, PRIMARY_GONE, tryingWord, type Source } from './drbd-pair-check.js';

// A DRBD pair whose connection is gone, judged by `check` from what both Dom0s' real agent cores
// report (events2, or polled `drbdadm status`), on DRBD 9 and 8.4 as the simulator prints them:
// the Primary's side and the standby Secondary's, each flagged with its connection state, that
// nothing replicates and what to look at. web1's config is guarded on both Dom0s (either may
// start it), so both report r1.
let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

/** The pair with web1 guarded on both; BEFORE runs before the agents start. */
const pair = async (drbd: string, source: Source, before?: (f: Fleet) => void): Promise<Fleet> => (fleet = await drbdPair(drbd, source, { guardedOnBoth: true, ...(before ? { before } : {}) }));
const check = checkOf;
const line = notConnectedLine;

describe('check on a DRBD pair that lost its connection, from both Dom0s (real agent cores, in process)', () => {
  for (const drbd of ['9', '8.4.11']) {
    for (const source of ['events2', 'poll'] as const) {
      describe(`DRBD ${drbd}, ${source}`, () => {
        it('disconnected: one link WARNING naming web1, both ends Connecting (8.4 WFConnection), exit 1; OK again once reconnected', async () => {
          const f = await pair(drbd, source);
          await f.until(() => check(f).status === 'OK', 'OK first');
          f.sim.drbd('r1', 'disconnect');
          await f.until(() => drbdLines(f).some((l) => l.includes('between')), 'both sides flagged', 30_000);
          expect(check(f).status).toBe('WARNING');
          expect(renderCheck(check(f)).exitCode).toBe(1);
          expect(drbdLines(f)).toEqual([linkLine(drbd, tryingWord(drbd), BOTH_UP)]);
          expect(check(f).summary).toBe('DRBD r1 (web1) not connected between xen1 and xen2');
          f.sim.drbd('r1', 'connect');
          await f.until(() => check(f).status === 'OK', 'OK again', 30_000);
        });

        it('the Primary\'s Dom0 powered off: the standby Secondary is flagged beside the unreachable host', async () => {
          const f = await pair(drbd, source);
          f.powerOff('xen1');
          f.controller!.cut('xen1');
          await f.until(() => drbdLines(f).length === 1, 'the standby flagged', 30_000);
          expect(check(f).status).toBe('CRITICAL');
          expect(drbdLines(f)).toEqual([line(drbd, 'xen2', tryingWord(drbd), `${look('xen1 (unreachable, last heard N s ago)')}; ${PRIMARY_GONE}`)]);
        });

        it('the standby\'s Dom0 powered off: the Primary is flagged', async () => {
          const f = await pair(drbd, source);
          f.powerOff('xen2');
          f.controller!.cut('xen2');
          await f.until(() => drbdLines(f).length === 1, 'the Primary flagged', 30_000);
          expect(drbdLines(f)).toEqual([line(drbd, 'xen1', tryingWord(drbd), look('xen2 (unreachable, last heard N s ago)'))]);
        });

        it('split brain (StandAlone), seen live and by agents started after it', () => expectSplitBrainOnBoth(drbd, source, (before) => pair(drbd, source, before)));
      });
    }
  }
});
