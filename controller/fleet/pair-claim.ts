import type { LinkHome } from '../../shared/protocol/agent-link-state.js';

/**
 * Two claims that are one DRBD pair's normal set-up, not a conflict: the two hosts name each
 * other as partner (or do not know their partner), and at most one has it in its migrate-tab.
 */
export function isPairClaim(byHost: ReadonlyMap<string, LinkHome>): boolean {
  if (byHost.size !== 2) return false;
  const it = byHost.entries();
  const [a, ha] = it.next().value as [string, LinkHome];
  const [b, hb] = it.next().value as [string, LinkHome];
  const partners = (ha.peer === b || ha.peer === null) && (hb.peer === a || hb.peer === null) && !(ha.peer === null && hb.peer === null);
  return partners && !(ha.source === 'migrate-tab' && hb.source === 'migrate-tab');
}
