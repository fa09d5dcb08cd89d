import { WhereAnswerSchema, type WhereMatch } from '../../shared/protocol/ctl-where.js';
import type { CtlClient } from './client.js';
import { formatAge, formatSince } from './format.js';
import { isStale } from './where-line.js';

/**
 * "web01 already runs on its home xen1 (...): nothing to reverse" when M shows NAME where a
 * reverse would bring it: running on its home alone, no migration half, an answer that is
 * current and names no alert. Null otherwise: a stale view, a second copy, a domU running nowhere
 * or with no home are not "home", and their refusal stands.
 */
export function alreadyHomeLine(m: WhereMatch, now: number): string | null {
  const home = m.home;
  if (home === null || m.places.length === 0 || m.midMigration || isStale(m) || m.alerts.length > 0) return null;
  if (!m.places.every((p) => p.host === home && p.domain.migration === null)) return null;
  // the home's autostart record turned "running" when its agent saw it start or arrive there
  const seen = m.autostart.find((a) => a.host === home && a.decision === 'running');
  const at = seen === undefined ? Number.NaN : Date.parse(seen.since);
  const since = Number.isNaN(at)
    ? ` (since when is not known: ${home}'s agent times only the domUs it guards)`
    : ` (its agent has seen it running there since ${formatSince(at, now)}, ${formatAge(Math.max(0, now - at))} ago)`;
  return `${m.name} already runs on its home ${home}${since}: nothing to reverse`;
}

/**
 * After the controller (or the home's agent) refused `reverse NAME`: the line saying NAME is
 * already home, from a fresh `where`, or null. Asked only after that refusal, so what the
 * controller judges before it (a migration whose ending nobody knows, a migration half) has
 * already had its say; a failed question keeps the refusal.
 */
export async function alreadyHome(client: CtlClient, name: string, now: () => number): Promise<string | null> {
  const r = await client.get(`/where?pattern=${encodeURIComponent(name)}`, WhereAnswerSchema);
  if (!r.ok) return null;
  const m = r.value.matches.find((x) => x.name === name);
  return m === undefined ? null : alreadyHomeLine(m, now());
}
