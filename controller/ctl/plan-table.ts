import type { Move } from '../../shared/protocol/ctl-jobs.js';
import type { LeftoverAsRead, PlanAsRead } from '../../shared/protocol/ctl-jobs-read.js';
import { printable } from '../../shared/text/printable.js';
import { table } from './format.js';

const movesTable = (sets: readonly (readonly Move[])[]): string =>
  table([['SET', 'DOMU', 'FROM', 'TO', 'MEM', 'WHY'], ...sets.flatMap((set, i) => set.map((m) => [String(i + 1), m.name, m.from, m.to, `${m.memMiB} MiB`, m.why].map(printable)))]);

export const leftoversBlock = (ls: readonly LeftoverAsRead[], title: string): string => (ls.length === 0 ? '' : `${title} (${ls.length}):\n${ls.map((l) => `  ${printable(l.message)}`).join('\n')}\n`);

/** A plan for people: a line saying what it does, the moves by set, what stays and why. */
export function planText(p: PlanAsRead): string {
  const count = (sets: readonly (readonly Move[])[]): string => `${sets.flat().length} move(s) in ${sets.length} set(s)`;
  switch (p.kind) {
    case 'drain':
      return `drain ${p.hosts.join(' ')}: ${count(p.sets)}${p.leftovers.length > 0 ? `, ${p.leftovers.length} domU(s) cannot leave` : ''}\n${p.sets.length > 0 ? movesTable(p.sets) : ''}${leftoversBlock(p.leftovers, 'cannot leave')}`;
    case 'restore':
      return `restore ${p.host}: ${count(p.sets)}${p.leftovers.length > 0 ? `, ${p.leftovers.length} domU(s) stay away` : ''}\n${p.sets.length > 0 ? movesTable(p.sets) : ''}${leftoversBlock(p.leftovers, 'stay away')}`;
    case 'rebalance':
      if (p.paused !== null) return `rebalance: paused: ${printable(p.paused)} (score ${p.scoreBefore.toFixed(3)})\n`;
      if (p.sets.length === 0) return `rebalance: ${p.leftovers.length > 0 ? 'nothing to move now' : 'the fleet is balanced, nothing to move'} (score ${p.scoreBefore.toFixed(3)})\n${leftoversBlock(p.leftovers, 'stay away from home')}`;
      return `rebalance: ${count(p.sets)}, score ${p.scoreBefore.toFixed(3)} → ${p.scoreAfter.toFixed(3)}\n${movesTable(p.sets)}${leftoversBlock(p.leftovers, 'stay away from home')}`;
    case 'roll':
      if (p.leftovers.length > 0) return `roll: refused, not every host can be drained\n${leftoversBlock(p.leftovers, 'cannot leave')}`;
      return `roll: ${p.groups.length} group(s), each drained, rebooted and restored in turn\n${table([['GROUP', 'HOSTS', 'DOMUS', 'MEM'], ...p.groups.map((g, i) => [String(i + 1), g.hosts.join(','), String(g.domus), `${g.memMiB} MiB`].map(printable))])}`;
  }
}

/** Whether the plan reaches its goal as it stands (no leftovers, not paused): a rebalance that leaves a domU away from home does not. */
export const planComplete = (p: PlanAsRead): boolean => p.leftovers.length === 0 && (p.kind !== 'rebalance' || p.paused === null);
