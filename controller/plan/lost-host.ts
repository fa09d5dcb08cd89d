import type { InspectReport } from '../../shared/protocol/agent-link.js';
import type { Blocker, Leftover, Move } from '../../shared/protocol/ctl-jobs.js';
import { andList } from '../../shared/text/and-list.js';
import { utcSecondText } from '../../shared/text/utc-time.js';
import { restartingSince } from '../fleet/agent-stop.js';
import { unheardBlock } from './eligibility.js';
import type { FactDomu, PlanFacts } from './facts.js';

/**
 * A Dom0 taken as gone with its domUs: unheard (its link down or silent), not an agent that closed
 * its link saying it restarts (fleet/agent-stop.ts, within its minute), a Dom0 heard now reporting
 * its DRBD link to it down, and none with one up (a peer's live link says the Dom0 runs, its agent
 * alone silent: fleet/live-partner-word.ts). A power loss looks so; so does a network cut off from
 * it. Without a DRBD peer to say either, it is an agent gone quiet, as before. A drain
 * of it waited 5 minutes for its agent (and 10 more for a move it was sending) before saying its
 * domUs "remain" there; nothing of it can be asked, so nothing is waited for: the Dom0 stays
 * draining, and the drain asked again continues once it reports.
 */
export interface LostHost {
  readonly host: string;
  /** "xen1 is unheard since 01:02:03 UTC and xen2's DRBD lost its link to it too (a power loss? a cut network?)" */
  readonly words: string;
}

export function lostHost(facts: PlanFacts, host: string): LostHost | null {
  const h = facts.host(host);
  const why = unheardBlock(h);
  if (h === undefined || (why !== 'unreachable' && why !== 'stale')) return null;
  if (restartingSince(h.record, facts.now) !== null) return null;
  const drbd = facts.drbdWitness(host);
  if (drbd.up !== null || drbd.cut === null) return null;
  const since = h.record.lastSeen === null ? '' : ` since ${utcSecondText(h.record.lastSeen)}`;
  return { host, words: `${host} is unheard${since} and ${drbd.cut}'s DRBD lost its link to it too (a power loss? a cut network?)` };
}

/** The Dom0s besides LOST that hold D's disks (or guard it): where it may be started once LOST is known to be off. */
export function peersOf(d: FactDomu, lost: string): string[] {
  const disks = Array.isArray(d.replicas) ? d.replicas : [];
  return [...new Set([...disks, ...d.guardedOn])].filter((h) => h !== lost).sort();
}

/** What to do about D, last seen on LOST: look first, and start it on a peer only once LOST is known to be off. */
export function lostHint(d: FactDomu, lost: string): string {
  const peers = peersOf(d, lost);
  const start = peers.length === 0 ? 'start it where its disks are' : `\`xenherd-agent autostart start --force ${d.name} --reason TEXT\` on ${peers.length === 1 ? peers[0] : `one of ${andList(peers)}`} starts it there`;
  return `\`xenherdctl where ${d.name}\` shows where it was last seen; once ${lost} is known to be off (not only cut off), ${start}`;
}

/** D, last reported on the lost Dom0: a leftover that runs on no Dom0 heard from, not one that "remains" there. */
export function lostLeftover(d: FactDomu, lost: LostHost): Leftover {
  const blocker: Blocker = { kind: 'runs-nowhere' };
  const message = `${d.name} runs on no Dom0 heard from: it ran on ${lost.host} when last heard, and ${lost.words}; if ${lost.host} is down, ${d.name} is down with it: ${lostHint(d, lost.host)}`;
  return { name: d.name, host: null, blocker, message };
}

/**
 * Why a settle need not wait for MOVE's source, or null: it is taken as gone with its domUs and
 * TARGET's fresh read holds no row of the domU and nothing busy with it, so no Dom0 heard runs it.
 * The move stays unsettled (an ALARM): the Dom0 may be only cut off, still running it.
 */
export function lostSourceWords(facts: PlanFacts, move: Move, target: Pick<InspectReport, 'busy' | 'rows'>): string | null {
  const lost = lostHost(facts, move.from);
  const d = facts.domu(move.name);
  if (lost === null || d === undefined || target.busy || target.rows.length > 0) return null;
  return `${move.to} holds no copy of it and ${lost.words}: it runs on no Dom0 heard from, and if ${move.from} is down, ${move.name} is down with it; ${lostHint(d, move.from)}`;
}
