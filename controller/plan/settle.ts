import type { InspectReport } from '../../shared/protocol/agent-link.js';

export type SettleVerdict = 'at-target' | 'at-source' | 'in-flight' | 'both' | 'neither';

const plain = (r: InspectReport): boolean => r.rows.some((d) => d.migration === null && d.domid !== null && d.state !== 'dying' && d.state !== 'stopped');
const describe = (r: InspectReport): string => {
  const rows = r.rows.map((d) => `${d.name} ${d.state}`).join(', ') || 'no row';
  const roles = r.resources.map((x) => `${x.name} ${x.role ?? 'down'}`).join(', ');
  return `${r.host}: ${rows}${roles ? `; ${roles}` : ''}${r.busy ? '; busy' : ''}`;
};

/**
 * Where a migration with an ambiguous ending left the domU, from fresh reads of both hosts: never
 * a guess. Anything still moving (a migration row, or either agent still holding the domU) is
 * in flight: ask again later. Running on both or on neither is an alarm: nothing is retried.
 */
export function settleMigration(source: InspectReport, target: InspectReport): { readonly verdict: SettleVerdict; readonly message: string } {
  const message = `${describe(source)} | ${describe(target)}`;
  if (source.busy || target.busy || [...source.rows, ...target.rows].some((d) => d.migration !== null)) return { verdict: 'in-flight', message };
  const s = plain(source);
  const t = plain(target);
  const verdict: SettleVerdict = s && t ? 'both' : t ? 'at-target' : s ? 'at-source' : 'neither';
  return { verdict, message };
}
