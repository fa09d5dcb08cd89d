import { expect } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../shared/protocol/ctl-check.js';
import { TEST_TIMERS } from '../harness/agent-on-sim.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { pairFleet } from '../harness/pair-fleet.js';

// A DRBD pair (web1 homed on xen1, replicated with xen2 on r1) with both Dom0s' real agent cores
// and a controller, in process: what `check` says of the pair, from what each side reports.

/** the hint for one end of r1 cut while the other is silent: PEER is that Dom0 as check names it ("xen1 (unreachable, last heard N s ago)") */
export const look = (peer: string): string => `replication is down, waiting for its peer Dom0 ${peer}: see to ${peer.split(' ')[0] ?? peer} first (is it up?), then to r1 there and the network between them: drbdadm status r1 on both`;
/** what check adds when the Dom0 gone held r1 Primary (web1 ran there) and xen2, heard, is Secondary */
export const PRIMARY_GONE =
  'xen1 held r1 Primary when last heard (web1 ran there) and xen2 is Secondary, so no Dom0 heard now writes it: if xen1 is down, web1 is down with it (README, section "A Dom0 died with its own domUs on it"); promote r1 nowhere while xen1 may be up';
/** the hint for r1 cut with both ends heard: one link, both Dom0s up */
export const BOTH_UP = 'replication is down; both Dom0s are up and report it, so look at the network between them and at r1 on each: drbdadm status r1 on both';
export const SPLIT = 'nothing replicates; after a split brain, see "DRBD split brain" in the README';
/**
 * what a StandAlone line adds of each side (split-sides.ts): web1 running on xen1 since Xen created
 * it there (libxl's start_time, which xen1's agent reads), r1 Primary there as the controller first heard of it
 */
const SPLIT_SIDES = `; each side: xen1 (web1's home): runs web1 since 2025-01-01 00:00 UTC (Xen's start time), r1 Primary since 2025-01-01 00:00 UTC or earlier; xen2: no time known ("or earlier": so already when this controller first heard of that Dom0)`;

export type Source = 'events2' | 'poll';
const configOf = (source: Source) => (source === 'poll' ? { ...TEST_TIMERS, events: { ...TEST_TIMERS.events, drbd: 'poll' as const } } : TEST_TIMERS);

/**
 * The pair on DRBD version DRBD, the agents reading it by SOURCE, both reporting to the
 * controller. GUARDEDONBOTH: web1's config in xen2's guarded dir too (else xen2 holds a standby
 * replica); BEFORE runs before the agents start.
 */
export async function drbdPair(drbd: string, source: Source, o: { guardedOnBoth: boolean; before?: (f: Fleet) => void }): Promise<Fleet> {
  const f = await startFleet(pairFleet({ connectDelay: 300, drbd }), { controller: true });
  if (o.guardedOnBoth) {
    const guardedDir = (host: string): string => join(f.sim.hostRoot(host), 'etc/xen/drbd-auto');
    copyFileSync(join(guardedDir('xen1'), 'web1.cfg'), join(guardedDir('xen2'), 'web1.cfg'));
  }
  o.before?.(f);
  for (const h of ['xen1', 'xen2']) f.startAgent(h, configOf(source));
  const core = f.controller!.core;
  await f.until(() => core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting');
  return f;
}

export const checkOf = (f: Fleet): CheckAnswer => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS));
/** check's DRBD lines, "STATUS: text", a silent host's age as N (it grows while the test waits) */
export const drbdLines = (f: Fleet): string[] =>
  checkOf(f)
    .details.filter((d) => d.text.startsWith('DRBD '))
    .map((d) => `${d.status}: ${d.text.replace(/last heard \d+ s ago/g, 'last heard N s ago')}`);
/** DRBD trying to reach its peer, as check words it: 8.4's /proc/drbd says WFConnection, DRBD 9 Connecting */
export const tryingWord = (drbd: string): string => (drbd === '9' ? 'Connecting' : 'WFConnection');
/** check's line for r1 on HOST whose connection is STATE: DRBD 9 names the peer by its host, 8.4 "the peer" */
export const notConnectedLine = (drbd: string, host: string, state: string, hint: string): string => `WARNING: DRBD r1 (web1) on ${host}: ${notConnected(drbd, host, state)}: ${hint}`;
const notConnected = (drbd: string, host: string, state: string): string => `${drbd === '9' ? `peer ${host === 'xen1' ? 'xen2' : 'xen1'}` : 'the peer'} not connected (${state})`;
/** check's one line for r1 cut with both ends reporting it: one link, what each end says (SIDE: its words, default the peer not connected in STATE) */
export const linkLine = (drbd: string, state: string, hint: string, side = (host: string): string => notConnected(drbd, host, state)): string =>
  `WARNING: DRBD r1 (web1) between xen1 and xen2: on xen1 ${side('xen1')}; on xen2 ${side('xen2')}: ${hint}`;

/**
 * A split brain (StandAlone on both) flagged on both Dom0s, seen live and by agents started after
 * it. PAIR starts the pair (BEFORE: before its agents), and registers it for the test's cleanup.
 */
export async function expectSplitBrainOnBoth(drbd: string, source: Source, pair: (before?: (f: Fleet) => void) => Promise<Fleet>): Promise<void> {
  // 8.4 lists no peer for a StandAlone resource in `drbdadm status`, and removes the connection from events2 live
  const standAlone = drbd === '9' ? linkLine(drbd, 'StandAlone', SPLIT + SPLIT_SIDES) : linkLine(drbd, 'StandAlone', SPLIT + SPLIT_SIDES, () => 'no peer connection (StandAlone)');
  const live = await pair();
  live.sim.drbd('r1', 'split-brain');
  // both ends flagged: one link, one line
  await live.until(() => drbdLines(live).some((l) => l.includes('between')), 'both sides flagged', 30_000);
  expect(drbdLines(live)).toEqual([standAlone]);
  await live.stop();
  // an 8.4 events2 dump lists the StandAlone connection without a name (test/fixtures/real-xen-4.17/19-split-brain): still "the peer"
  const late = await pair((f) => f.sim.drbd('r1', 'split-brain'));
  // Xen's start time comes in a delta after the agent's first report, which may already flag both
  await late.until(() => drbdLines(late).some((l) => l.includes('between') && l.includes("(Xen's start time)")), 'both sides flagged, with Xen\'s start time', 30_000);
  expect(drbdLines(late)).toEqual([drbd === '8.4.11' && source === 'events2' ? linkLine(drbd, 'StandAlone', SPLIT + SPLIT_SIDES) : standAlone]);
}
