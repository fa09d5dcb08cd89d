import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderCheck } from '../../controller/ctl/nagios-output.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../shared/protocol/ctl-check.js';
import { TEST_TIMERS } from '../harness/agent-on-sim.js';
import { startFleet, type Fleet } from '../harness/fleet.js';

// A DRBD pair whose connection is gone, judged by `check` from what both Dom0s' real agent cores
// report (events2, or polled `drbdadm status`), on DRBD 9 and 8.4 as the simulator prints them:
// the Primary's side and the standby Secondary's, each flagged with its connection state, that
// nothing replicates and what to look at. web1's config is guarded on both Dom0s (either may
// start it), so both report r1.
const FLEET = (drbd: string): string => `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=${drbd} migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=${drbd} migrate-tab=yes
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
`;
const LOOK = "replication is down; look at the peer's Dom0 (is it up, is r1 up there?) and the network between them: drbdadm status r1 on both";
const SPLIT = 'nothing replicates; after a split brain, see "DRBD split brain" in the README';

let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

type Source = 'events2' | 'poll';
const configOf = (source: Source) => (source === 'poll' ? { ...TEST_TIMERS, events: { ...TEST_TIMERS.events, drbd: 'poll' as const } } : TEST_TIMERS);

/** The pair with web1 guarded on both; BEFORE runs before the agents start. */
async function pair(drbd: string, source: Source, before: (f: Fleet) => void = () => undefined): Promise<Fleet> {
  const f = (fleet = await startFleet(FLEET(drbd), { controller: true }));
  const guardedDir = (host: string): string => join(f.sim.hostRoot(host), 'etc/xen/drbd-auto');
  copyFileSync(join(guardedDir('xen1'), 'web1.cfg'), join(guardedDir('xen2'), 'web1.cfg'));
  before(f);
  for (const h of ['xen1', 'xen2']) f.startAgent(h, configOf(source));
  const core = f.controller!.core;
  await f.until(() => core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting');
  return f;
}

const check = (f: Fleet): CheckAnswer => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS));
const drbdLines = (f: Fleet): string[] => check(f).details.filter((d) => d.text.startsWith('DRBD ')).map((d) => `${d.status}: ${d.text}`);
/** how check calls the peer of r1 on HOST: DRBD 9 by its host, 8.4 "the peer" */
const peerOf = (drbd: string, host: string): string => (drbd === '9' ? `peer ${host === 'xen1' ? 'xen2' : 'xen1'}` : 'the peer');
const line = (drbd: string, host: string, state: string, hint: string): string => `WARNING: DRBD r1 on ${host}: ${peerOf(drbd, host)} not connected (${state}): ${hint}`;

describe('check on a DRBD pair that lost its connection, from both Dom0s (real agent cores, in process)', () => {
  for (const drbd of ['9', '8.4.11']) {
    for (const source of ['events2', 'poll'] as const) {
      describe(`DRBD ${drbd}, ${source}`, () => {
        it('disconnected: both sides WARNING, Connecting (8.4 WFConnection), exit 1; OK again once reconnected', async () => {
          const f = await pair(drbd, source);
          await f.until(() => check(f).status === 'OK', 'OK first');
          f.sim.drbd('r1', 'disconnect');
          await f.until(() => drbdLines(f).length === 2, 'both sides flagged', 30_000);
          expect(check(f).status).toBe('WARNING');
          expect(renderCheck(check(f)).exitCode).toBe(1);
          expect(drbdLines(f)).toEqual([line(drbd, 'xen1', 'Connecting', LOOK), line(drbd, 'xen2', 'Connecting', LOOK)]);
          expect(check(f).summary).toBe('DRBD r1 not connected on xen1, DRBD r1 not connected on xen2');
          f.sim.drbd('r1', 'connect');
          await f.until(() => check(f).status === 'OK', 'OK again', 30_000);
        });

        it('the Primary\'s Dom0 powered off: the standby Secondary is flagged beside the unreachable host', async () => {
          const f = await pair(drbd, source);
          f.powerOff('xen1');
          f.controller!.cut('xen1');
          await f.until(() => drbdLines(f).length === 1, 'the standby flagged', 30_000);
          expect(check(f).status).toBe('CRITICAL');
          expect(drbdLines(f)).toEqual([line(drbd, 'xen2', 'Connecting', LOOK)]);
        });

        it('the standby\'s Dom0 powered off: the Primary is flagged', async () => {
          const f = await pair(drbd, source);
          f.powerOff('xen2');
          f.controller!.cut('xen2');
          await f.until(() => drbdLines(f).length === 1, 'the Primary flagged', 30_000);
          expect(drbdLines(f)).toEqual([line(drbd, 'xen1', 'Connecting', LOOK)]);
        });

        it('split brain (StandAlone), seen live and by agents started after it', async () => {
          // 8.4 lists no peer for a StandAlone resource in `drbdadm status`, and removes the connection from events2 live
          const standAlone = (host: string): string => (drbd === '9' ? line(drbd, host, 'StandAlone', SPLIT) : `WARNING: DRBD r1 on ${host}: no peer connection (StandAlone): ${SPLIT}`);
          const live = await pair(drbd, source);
          live.sim.drbd('r1', 'split-brain');
          await live.until(() => drbdLines(live).length === 2, 'both sides flagged', 30_000);
          expect(drbdLines(live)).toEqual([standAlone('xen1'), standAlone('xen2')]);
          await live.stop();
          // an 8.4 events2 dump lists the StandAlone connection without a name (lab capture 19): still "the peer"
          const late = await pair(drbd, source, (f) => f.sim.drbd('r1', 'split-brain'));
          await late.until(() => drbdLines(late).length === 2, 'both sides flagged', 30_000);
          const dumped = (host: string): string => (drbd === '8.4.11' && source === 'events2' ? line(drbd, host, 'StandAlone', SPLIT) : standAlone(host));
          expect(drbdLines(late)).toEqual([dumped('xen1'), dumped('xen2')]);
        });
      });
    }
  }
});
