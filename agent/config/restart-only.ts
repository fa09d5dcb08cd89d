import type { AgentConfig } from './schema.js';

/**
 * Keys the running agent opened once at start and cannot move under itself: the state directory
 * (its ledger, maintenance flag and locks; children started with --config would use the new one),
 * the control socket (the daemon keeps listening where it started), and the controller section
 * (its link is made from the url, token and CA settings read at start; the CA file's contents are
 * read again at each connection). A reload that changes one is refused whole, saying so, instead
 * of saying "reloaded" while the agent goes on reporting to the old controller with the old token;
 * the other keys take effect on SIGHUP.
 */
const RESTART_ONLY = ['stateDir', 'controlSocket'] as const;

type ControllerSection = NonNullable<AgentConfig['controller']>;

/** What differs between two controller sections, by key: never a token's value, which would reach the journal. */
function controllerChanges(running: AgentConfig['controller'], next: AgentConfig['controller']): string[] {
  if (running === undefined && next === undefined) return [];
  if (running === undefined) return ['controller (added)'];
  if (next === undefined) return ['controller (removed)'];
  const shown = (k: 'url' | 'caFile') => (c: ControllerSection): string => c[k] ?? 'none';
  const out: string[] = [];
  for (const k of ['url', 'caFile'] as const) if (running[k] !== next[k]) out.push(`controller.${k} (${shown(k)(running)} → ${shown(k)(next)})`);
  if ((running.standbyUrls ?? []).join(' ') !== (next.standbyUrls ?? []).join(' ')) out.push('controller.standbyUrls');
  if (running.token !== next.token) out.push('controller.token');
  if (running.caFingerprint !== next.caFingerprint) out.push('controller.caFingerprint');
  return out;
}

/** "stateDir (/var/lib/xenherd → /srv/x)" for each restart-only key that differs; none: reloadable. */
export function restartOnlyChanges(running: AgentConfig, next: AgentConfig): string[] {
  return [...RESTART_ONLY.filter((k) => running[k] !== next[k]).map((k) => `${k} (${running[k]} → ${next[k]})`), ...controllerChanges(running.controller, next.controller)];
}
