import type { LeftoverAsRead, MoveAsRead, PlanAsRead } from '../../shared/protocol/ctl-jobs-read.js';
import { printable } from '../../shared/text/printable.js';
import { table } from './format.js';
import { leftoverMessages, moveLimitWords } from '../../shared/text/move-limit-words.js';

const movesTable = (sets: readonly (readonly MoveAsRead[])[]): string =>
  table([['SET', 'DOMU', 'FROM', 'TO', 'MEM', 'WHY'], ...sets.flatMap((set, i) => set.map((m) => [String(i + 1), m.name, m.from, m.to, `${m.memMiB} MiB`, m.why].map(printable)))]);

/** Up to this many, each domU that stays gets its own line; past it, one line per host they are on. */
const EACH_UP_TO = 20;

/**
 * What stays, and why. A roll of a big fleet refused for a few dead hosts listed hundreds of
 * domUs, twenty alike per host: past EACH_UP_TO the block says per host how many, with the first's
 * reason (`xenherdctl plan ... --json` lists every one).
 */
export function leftoversBlock(ls: readonly LeftoverAsRead[], title: string): string {
  if (ls.length === 0) return '';
  // those a rebalance's --max-moves alone left are one reason, said once (shared/text/move-limit-words.ts)
  if (ls.length <= EACH_UP_TO) return `${title} (${ls.length}):\n${leftoverMessages(ls).map((m) => `  ${printable(m)}`).join('\n')}\n`;
  const capped = ls.filter((l) => l.blocker.kind === 'move-limit');
  const byHost = new Map<string | null, LeftoverAsRead[]>();
  for (const l of ls) {
    if (l.blocker.kind === 'move-limit') continue;
    const on = byHost.get(l.host);
    if (on === undefined) byHost.set(l.host, [l]);
    else on.push(l);
  }
  const where = (host: string | null): string => (host === null ? 'running nowhere' : `on ${printable(host)}`);
  const lines = [...byHost].map(([host, on]) => `  ${where(host)}: ${on.length} domU${on.length === 1 ? '' : 's'}, e.g. ${printable(on[0]?.message ?? '')}`);
  const limit = capped[0]?.blocker.limit;
  if (capped.length > 0) {
    const names = `${capped.length} domU${capped.length === 1 ? '' : 's'} (${capped.slice(0, 3).map((l) => l.name).join(', ')}${capped.length > 3 ? ', ...' : ''})`;
    lines.push(`  ${printable(typeof limit === 'number' ? moveLimitWords([names], limit) : (capped[0]?.message ?? ''))}`);
  }
  return `${title} (${ls.length}, by host; --json lists each):\n${lines.join('\n')}\n`;
}

/** A plan for people: a line saying what it does, the moves by set, what stays and why. */
export function planText(p: PlanAsRead): string {
  const count = (sets: readonly (readonly MoveAsRead[])[]): string => `${sets.flat().length} move(s) in ${sets.length} set(s)`;
  switch (p.kind) {
    case 'drain':
      return `drain ${p.hosts.join(' ')}: ${count(p.sets)}${p.leftovers.length > 0 ? `, ${p.leftovers.length} domU(s) cannot leave` : ''}\n${p.sets.length > 0 ? movesTable(p.sets) : ''}${leftoversBlock(p.leftovers, 'cannot leave')}`;
    case 'restore':
      return `restore ${p.host}: ${count(p.sets)}${p.leftovers.length > 0 ? `, ${p.leftovers.length} domU(s) stay away` : ''}\n${p.sets.length > 0 ? movesTable(p.sets) : ''}${leftoversBlock(p.leftovers, 'stay away')}`;
    case 'rebalance':
      if (p.paused !== null) return `rebalance: paused: ${printable(p.paused)} (score ${p.scoreBefore.toFixed(3)})\n`;
      if (p.sets.length === 0) return `rebalance: ${p.leftovers.length > 0 ? 'nothing to move now' : 'the fleet is balanced, nothing to move'} (score ${p.scoreBefore.toFixed(3)})\n${leftoversBlock(p.leftovers, 'stay away from home')}${closedHomesBlock(p)}`;
      return `rebalance: ${count(p.sets)}, score ${p.scoreBefore.toFixed(3)} → ${p.scoreAfter.toFixed(3)}\n${movesTable(p.sets)}${leftoversBlock(p.leftovers, 'stay away from home')}${closedHomesBlock(p)}`;
    case 'roll':
      if (p.leftovers.length > 0) return `roll: refused, not every host can be drained\n${leftoversBlock(p.leftovers, 'cannot leave')}`;
      // HOSTS last: a roll of 200 Dom0s has groups of 40, whose names ran 280 columns before the counts.
      // The counts are what runs on the group's hosts now, what its drain moves out: a group emptied
      // before (restore only) reads 0 there though its restore brings its domUs home, which "DOMUS 0" hid
      return `roll: ${p.groups.length} group(s), each drained, rebooted and restored in turn\n${table([['GROUP', 'TO DRAIN', 'MEM TO DRAIN', 'HOSTS'], ...p.groups.map((g, i) => [String(i + 1), String(g.domus), `${g.memMiB} MiB`, g.hosts.join(',')].map(printable))])}${rerunBlock(p)}`;
  }
}

/**
 * What a roll asked now does with each host, in words; a step this build does not know is shown as
 * sent. Looked up as an own key only: a newer controller's word may be any lower-case word, and
 * `constructor` read through the prototype was a function that ended xenherdctl in a TypeError.
 */
const STEP_WORDS: Readonly<Record<string, string>> = {
  drain: 'drain, reboot, restore',
  reboot: 'reboot only (empty and in maintenance since the roll emptied it)',
  restore: 'restore only (rebooted since the roll emptied it)',
  done: 'skip: done (rolled before the roll stopped, still on that boot)',
};

const stepWords = (step: string): string => (Object.hasOwn(STEP_WORDS, step) ? (STEP_WORDS[step] as string) : step);

/**
 * Where a roll asked before left its hosts (roll-resume.ts), one line per host; nothing for a
 * fresh roll, every host drained, or a controller that sends no steps.
 */
function rerunBlock(p: Extract<PlanAsRead, { kind: 'roll' }>): string {
  const steps = p.steps ?? [];
  if (steps.every((s) => s.step === 'drain')) return '';
  const group = (h: string): string => String(p.groups.findIndex((g) => g.hosts.includes(h)) + 1 || '-');
  return `taken up where a roll of them stopped:\n${table([['HOST', 'GROUP', 'NOW'], ...steps.map((s) => [s.host, group(s.host), stepWords(s.step)].map(printable))])}`;
}

/**
 * The domUs a rebalance leaves away from homes that take none now, one line per home with what
 * brings them back, as the job's ending says them: "the fleet is balanced" alone read as if every
 * domU were home while a Dom0's domUs waited for its restore. Nothing from a controller that sends none.
 */
function closedHomesBlock(p: Extract<PlanAsRead, { kind: 'rebalance' }>): string {
  const closed = p.closedHomes ?? [];
  if (closed.length === 0) return '';
  const count = closed.reduce((n, c) => n + c.names.length, 0);
  return `away from homes that take none now, which a rebalance does not move (${count}):\n${closed.map((c) => `  ${printable(c.message)}`).join('\n')}\n`;
}

/** Whether the plan reaches its goal as it stands (no leftovers, not paused): a rebalance that leaves a domU away from home does not. */
export const planComplete = (p: PlanAsRead): boolean => p.leftovers.length === 0 && (p.kind !== 'rebalance' || p.paused === null);
