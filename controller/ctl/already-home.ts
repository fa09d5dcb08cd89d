import { WHERE_DISK_FAILED, WhereAnswerSchema, type WhereMatch } from '../../shared/protocol/ctl-where.js';
import type { CtlClient } from './client.js';
import { formatAge, formatSince } from './format.js';
import { isStale } from './where-line.js';

/**
 * M current, with no migration half, no alert and no split DRBD disk (an older controller sends no
 * `drbd`, and its refusal stands). A disk DRBD detached is marked too, but is no split: the domU
 * runs where it is, on its peer's disk.
 */
const clean = (m: WhereMatch): boolean => !m.midMigration && !isStale(m) && m.alerts.length === 0 && (m.drbd ?? []).every((d) => d.kind === WHERE_DISK_FAILED);

/**
 * "web01 already runs on its home xen1 (...): nothing to reverse" when M shows NAME where a
 * reverse would bring it: running on its home alone, no migration half, an answer that is
 * current and names no alert and no split DRBD disk. Null otherwise: a stale view, a second copy,
 * a split brain not resynced, a domU running nowhere or with no home are not "home", and their
 * refusal stands.
 */
export function alreadyHomeLine(m: WhereMatch, now: number): string | null {
  const home = m.home;
  if (home === null || m.places.length === 0 || !clean(m)) return null;
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
 * "web01 already runs on xen2 (as of 0.3 s): nothing to migrate" when M shows NAME running on HOST
 * alone, as current reports show it (no migration half, no alert, no split disk), so `migrate NAME HOST` has
 * nothing left to do; null otherwise, and the refusal stands.
 */
export function alreadyOnLine(m: WhereMatch, host: string): string | null {
  if (m.places.length === 0 || !clean(m)) return null;
  if (!m.places.every((p) => p.host === host && p.domain.migration === null)) return null;
  const asOf = m.ageMs === null ? '' : ` (as of ${formatAge(m.ageMs)} ago)`;
  return `${m.name} already runs on ${host}${asOf}: nothing to migrate`;
}

/**
 * After the controller (or the home's agent) refused `reverse NAME`: the line saying NAME is
 * already home, from a fresh `where`, or null. Asked only after that refusal, so what the
 * controller judges before it (a migration whose ending nobody knows, a migration half) has
 * already had its say; a failed question keeps the refusal.
 */
export async function alreadyHome(client: CtlClient, name: string, now: () => number): Promise<string | null> {
  const m = await freshMatch(client, name);
  return m === null ? null : alreadyHomeLine(m, now());
}

/** As alreadyHome, after the controller refused `migrate NAME HOST`: the line saying NAME already runs on HOST, or null. */
export async function alreadyOn(client: CtlClient, name: string, host: string): Promise<string | null> {
  const m = await freshMatch(client, name);
  return m === null ? null : alreadyOnLine(m, host);
}

async function freshMatch(client: CtlClient, name: string): Promise<WhereMatch | null> {
  const r = await client.get(`/where?pattern=${encodeURIComponent(name)}`, WhereAnswerSchema);
  if (!r.ok) return null;
  return r.value.matches.find((x) => x.name === name) ?? null;
}
