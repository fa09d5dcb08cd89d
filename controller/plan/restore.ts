import type { Leftover, Move, PlanOf } from '../../shared/protocol/ctl-jobs.js';
import { Capacity } from './capacity.js';
import { drbdBlock } from './drbd-ready.js';
import { alarmBlock, domuBlock, liveMoveBlock, sourceBlock, targetBlock } from './eligibility.js';
import type { FactDomu, PlanFacts } from './facts.js';
import { jobSets } from './job-sets.js';
import { leftover } from './leftover-text.js';
import type { PlanPolicy } from './policy.js';
import { startHomeVerdict } from './start-home.js';

/**
 * Runs nowhere and no ledger records it away from HOST, nor a migration of it whose ending nobody
 * knows: as far as any Dom0 can tell, shut down at home.
 */
const shutDownAtHome = (facts: PlanFacts, host: string, d: FactDomu): boolean => d.hosts.length === 0 && d.unsettled.length === 0 && !facts.recordedAway(host, d.name);

/**
 * The domUs whose home is HOST that a restore leaves alone because they look shut down at home.
 * "Every domU is home" would hide them, and one lost with a host it ran on unrecorded (a migration
 * that ended in an ALARM, then a power loss) looks the same: only a person can tell the two apart.
 */
export function notRunningAtHome(facts: PlanFacts, host: string): string[] {
  return facts.homedAt(host).filter((n) => {
    const d = facts.domu(n);
    return d !== undefined && shutDownAtHome(facts, host, d);
  });
}

/**
 * Bring back to HOST every domU whose home it is and that runs elsewhere — the homes and ledgers
 * of all agents merged (a manual move counts as much as a drain's), never the controller's memory
 * of what it moved. When HOST lacks room, visitors parked on it (domUs of other homes) are sent
 * home first, largest first, as far as needed. One call is one pass: the executor calls again as
 * moves complete, until nothing more moves; what stays away is a leftover with its reason. One
 * recorded away that provably runs nowhere is started at HOST instead (start-home.ts).
 */
export function planRestore(facts: PlanFacts, host: string, policy: PlanPolicy): PlanOf<'restore'> {
  const cap = new Capacity(facts, policy.reserveMiB, policy.creditDepartures);
  const moves: Move[] = [];
  const leftovers: Leftover[] = [];
  const hostBlock = targetBlock(facts.host(host), host);
  const returners = facts
    .homedAt(host)
    .map((n) => facts.domu(n))
    // one leaving its home right now (a migration row elsewhere) is not home: it waits as mid-migration;
    // one recorded away that runs nowhere is not home either, and is said so rather than counted as
    // home; one simply shut down at home (no away record) is the operator's business; one whose
    // migration ended unknown is nowhere anyone can vouch for, even seen at home: its ALARM is named
    .filter((d): d is FactDomu => d !== undefined && (d.unsettled.length > 0 || ((d.host !== host || (d.midMigration && d.hosts.some((h) => h !== host))) && !shutDownAtHome(facts, host, d))));
  returners.sort((a, b) => b.memMiB - a.memMiB || a.name.localeCompare(b.name));
  const visitors = facts
    .domusOn(host)
    .filter((v) => v.home !== null && v.home !== host && domuBlock(v) === null && sourceBlock(facts.host(host)) === null)
    .sort((a, b) => b.memMiB - a.memMiB || a.name.localeCompare(b.name));
  const sentHome = new Set<string>();

  const sendVisitorsHome = (needMiB: number): void => {
    for (const v of visitors) {
      if (cap.fits(host, needMiB)) return;
      if (sentHome.has(v.name) || v.home === null) continue;
      if ((targetBlock(facts.host(v.home)) ?? liveMoveBlock(facts.host(host), facts.host(v.home))) !== null || !cap.fits(v.home, v.memMiB) || drbdBlock(facts, v, host, v.home) !== null) continue;
      sentHome.add(v.name);
      cap.move(host, v.home, v.memMiB);
      moves.push({ name: v.name, from: host, to: v.home, memMiB: v.memMiB, vcpus: v.vcpus, why: 'visitor-home' });
    }
  };

  for (const d of returners) {
    const from = d.host ?? d.hosts[0] ?? null;
    // never moved nor started at home while an ALARM stands on it: a person settles it first
    const alarm = alarmBlock(d);
    if (alarm !== null) {
      leftovers.push(leftover(d.name, from, alarm));
      continue;
    }
    if (hostBlock !== null) {
      leftovers.push(leftover(d.name, from, { kind: 'targets-unavailable', targets: [{ host, why: hostBlock }] }));
      continue;
    }
    if (d.hosts.length === 0) {
      const v = startHomeVerdict(facts, host, d);
      if (!v.start) {
        leftovers.push(leftover(d.name, v.host, v.blocker));
        continue;
      }
      if (!cap.fits(host, d.memMiB)) sendVisitorsHome(d.memMiB);
      if (!cap.fits(host, d.memMiB)) {
        leftovers.push(leftover(d.name, null, { kind: 'no-memory', needMiB: d.memMiB, reserveMiB: cap.reserveMiB, best: { host, freeMiB: Math.max(0, cap.free(host) ?? 0) } }));
        continue;
      }
      cap.arrive(host, d.memMiB);
      moves.push({ name: d.name, from: v.from, to: host, memMiB: d.memMiB, vcpus: d.vcpus, why: 'start-home' });
      continue;
    }
    const own = domuBlock(d);
    if (own || from === null) {
      leftovers.push(leftover(d.name, from, own ?? { kind: 'running-twice', hosts: [...d.hosts] }));
      continue;
    }
    const src = sourceBlock(facts.host(from));
    if (src) {
      leftovers.push(leftover(d.name, from, { kind: 'source-unavailable', host: from, why: src }));
      continue;
    }
    if (Array.isArray(d.replicas) && !d.replicas.includes(host)) {
      leftovers.push(leftover(d.name, from, { kind: 'no-replica', resources: [...d.resources] }));
      continue;
    }
    const tools = liveMoveBlock(facts.host(from), facts.host(host));
    if (tools) {
      leftovers.push(leftover(d.name, from, { kind: 'targets-unavailable', targets: [{ host, why: tools }] }));
      continue;
    }
    // a reverse migration home is a live migration: the same DRBD rule as the agent's preflight
    const drbd = drbdBlock(facts, d, from, host);
    if (drbd) {
      leftovers.push(leftover(d.name, from, drbd));
      continue;
    }
    if (!cap.fits(host, d.memMiB)) sendVisitorsHome(d.memMiB);
    if (!cap.fits(host, d.memMiB)) {
      leftovers.push(leftover(d.name, from, { kind: 'no-memory', needMiB: d.memMiB, reserveMiB: cap.reserveMiB, best: { host, freeMiB: Math.max(0, cap.free(host) ?? 0) } }));
      continue;
    }
    cap.move(from, host, d.memMiB);
    moves.push({ name: d.name, from, to: host, memMiB: d.memMiB, vcpus: d.vcpus, why: 'home' });
  }
  leftovers.sort((a, b) => a.name.localeCompare(b.name));
  return { kind: 'restore', host, sets: jobSets(moves, policy.limits), leftovers };
}
