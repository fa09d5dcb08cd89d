import type { AgentStatus, GuardedStatus } from '../../shared/protocol/agent-control.js';
import type { AutostartDecision } from '../decide/autostart.js';
import type { GuardedEntry } from '../state/snapshot.js';

/** What the daemon remembers per guarded domU besides its decision. */
export interface DomuRecord {
  decision: AutostartDecision | null;
  since: Date;
  attempts: number;
  lastStart: { at: Date; ok: boolean; message: string; forced: boolean } | null;
  retryAt: Date | null;
}

export const reasonOf = (d: AutostartDecision | null): string | null => (d && (d.kind === 'skip' || d.kind === 'defer') ? d.reason : null);

export function guardedStatus(g: GuardedEntry, rec: DomuRecord | undefined, starting: boolean): GuardedStatus {
  const d = rec?.decision ?? null;
  return {
    name: g.name,
    configPath: g.configPath,
    decision: d?.kind ?? 'unknown',
    reason: reasonOf(d),
    detail: d?.detail ?? 'not decided yet',
    since: (rec?.since ?? new Date()).toISOString(),
    splitBrainHazard: d?.kind === 'skip' ? d.splitBrainHazard : d?.kind === 'defer' ? d.splitBrainSuspected === true : false,
    starting,
    lastStart: rec?.lastStart ? { at: rec.lastStart.at.toISOString(), ok: rec.lastStart.ok, message: rec.lastStart.message, forced: rec.lastStart.forced } : null,
    retryAt: rec?.retryAt ? rec.retryAt.toISOString() : null,
  };
}

/** One line for systemd's STATUS=: counts per decision. */
export function statusLine(s: Pick<AgentStatus, 'guarded' | 'autostart' | 'maintenance'>): string {
  const count = (k: string): number => s.guarded.filter((g) => g.decision === k).length;
  const parts = [`${s.guarded.length} guarded domUs: ${count('running')} running`, `${s.guarded.filter((g) => g.starting).length} starting`, `${count('defer')} deferred`, `${count('skip')} skipped`];
  if (s.autostart === 'stopped') parts.push('autostart stopped');
  if (s.maintenance) parts.push('host in maintenance');
  return parts.join(', ');
}
