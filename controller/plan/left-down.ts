import type { Leftover } from '../../shared/protocol/ctl-jobs.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';
import { alarmBlock } from './eligibility.js';
import type { FactDomu, PlanFacts } from './facts.js';
import { leftover } from './leftover-text.js';

/**
 * Where the domUs a drain of HOST answers for ran when the drain began: those with a row on HOST,
 * and those whose home HOST is and that ran elsewhere. Read at the job's start: the plan facts
 * read the fleet view as it is when asked, so the job keeps this, not the facts.
 */
export function whereTheyRan(facts: PlanFacts, host: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of facts.homedAt(host)) {
    const at = facts.domu(n)?.host ?? null;
    if (at !== null) out.set(n, at);
  }
  for (const d of facts.domusOn(host)) out.set(d.name, host);
  return out;
}

export interface LeftDownInput {
  /** whereTheyRan at the job's start */
  readonly ranAt: ReadonlyMap<string, string>;
  /** where this job moved each domU it moved (name → target) */
  readonly movedTo: ReadonlyMap<string, string>;
  /** the names the job's account already gives (its leftovers, its ALARMs): not named twice */
  readonly named: ReadonlySet<string>;
  /** the job continues an earlier drain of HOST, which may have lost them */
  readonly resumes: boolean;
}

/**
 * The guarded domUs a drain of HOST leaves down: homed on HOST, or running there when the drain
 * began, that now run nowhere (no row on any host, a migration's half included) while HOST is
 * draining or in maintenance, where its autostart starts nothing. A drain moves only what runs,
 * so one lost with HOST mid-drain (a power loss: the Dom0 comes back without it) drops out of its
 * plan, and the drain would end "empty" with the domU down and nothing about to start it. Each is
 * a leftover naming how it went and the fix; a drain ending with one is not a plain success.
 *
 * Guarded: some Dom0 holds it in its guarded dir, so it is meant to run; one no autostart owns is
 * not started by an online HOST either, and the drain leaves it as it found it. One a reachable
 * Dom0 out of maintenance is starting (its agent decides "start") is that Dom0's. A migration of
 * it whose ending a ledger keeps as unknown is its ALARM, for a person to reconcile first. While a
 * Dom0 that could run it is unheard (the one this drain moved it to, say), it is only not seen
 * running: said so, with no fix that starts it.
 */
export function leftDown(facts: PlanFacts, host: string, input: LeftDownInput): Leftover[] {
  const h = facts.host(host);
  const state = h?.maintenance.state ?? 'online';
  if (h === undefined || state === 'online') return [];
  const guardedHere = new Set((h.record.state?.guarded ?? []).map((g) => g.name));
  const out: Leftover[] = [];
  for (const n of [...new Set([...facts.homedAt(host), ...input.ranAt.keys()])].sort()) {
    const d = facts.domu(n);
    if (d === undefined || input.named.has(n) || d.hosts.length > 0 || d.midMigration) continue;
    if ((d.guardedOn.length === 0 && !guardedHere.has(n)) || startingElsewhere(facts, host, d)) continue;
    const alarm = alarmBlock(d);
    if (alarm !== null) {
      out.push(leftover(n, null, alarm));
      continue;
    }
    const home = d.home ?? (guardedHere.has(n) ? host : null);
    const stays = home === host ? `, and ${host} starts nothing while it is ${MAINTENANCE_WORDS[state]}` : '';
    // a Dom0 that could run it unheard: not known down, and any start would be a second copy
    const unseen = facts.unseenPlaces(n);
    const message =
      unseen.length > 0
        ? `${n} not seen running (${howItWent(n, host, input)})${stays}; unknown whether it runs on ${unseen.join('; ')}: start it nowhere before \`xenherdctl where ${n}\` hears from ${unseen.length === 1 ? 'that Dom0' : 'those Dom0s'}`
        : `${n} runs nowhere (${howItWent(n, host, input)})${stays}: ${fixFor(facts, host, d, home)}`;
    out.push({ name: n, host: null, blocker: { kind: 'runs-nowhere' }, message });
  }
  return out;
}

function howItWent(n: string, host: string, input: LeftDownInput): string {
  const to = input.movedTo.get(n);
  if (to !== undefined) return `this drain moved it to ${to}: lost with ${to}, or shut down?`;
  const at = input.ranAt.get(n);
  if (at === host) return `it ran on ${host} when this drain began: lost with ${host}, a power loss or a crash?`;
  if (at !== undefined) return `it ran on ${at} when this drain began: lost with ${at}, or shut down?`;
  // an earlier drain of HOST (this one may continue it) may have lost it, or a person shut it down
  if (input.resumes) return `already when this drain began: lost with ${host} during an earlier drain (a power loss, a crash?), or shut down`;
  return 'already when this drain began: shut down, or lost earlier';
}

/**
 * Who may start it: a restore of its home (of HOST, bringing it online: its autostart, or the
 * restore's start at home of one recorded away), or by hand on a Dom0 out of maintenance that
 * guards it, where `--force` overrides what its autostart waits for.
 */
function fixFor(facts: PlanFacts, host: string, d: FactDomu, home: string | null): string {
  const fixes: string[] = [];
  if (home !== null) fixes.push(`\`xenherdctl restore ${home}\` starts it at its home ${home}${home === host ? `, bringing ${host} online` : ''}`);
  for (const p of d.guardedOn) {
    if (p === host || p === home || facts.host(p)?.maintenance.state !== 'online') continue;
    fixes.push(`\`xenherd-agent autostart start --force ${d.name} --reason TEXT\` on ${p} starts it there`);
  }
  return fixes.length > 0 ? fixes.join(', or ') : `start it by hand where its disks are (\`xenherdctl where ${d.name}\` first)`;
}

/** A reachable Dom0 out of maintenance whose agent is starting it: that Dom0's to report. */
function startingElsewhere(facts: PlanFacts, host: string, d: FactDomu): boolean {
  return d.guardedOn.some((p) => {
    const x = p === host ? undefined : facts.host(p);
    return x !== undefined && x.reachable && x.maintenance.state === 'online' && (x.record.state?.guarded ?? []).some((g) => g.name === d.name && g.decision === 'start');
  });
}
