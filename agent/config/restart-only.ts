import type { AgentConfig } from './schema.js';

/**
 * Keys the running agent opened once at start and cannot move under itself: the state directory
 * (its ledger, maintenance flag and locks; children started with --config would use the new one)
 * and the control socket (the daemon keeps listening where it started). A reload that changes
 * one is refused whole, saying so; the other keys take effect on SIGHUP.
 */
const RESTART_ONLY = ['stateDir', 'controlSocket'] as const;

/** "stateDir (/var/lib/xenherd → /srv/x)" for each restart-only key that differs; none: reloadable. */
export function restartOnlyChanges(running: AgentConfig, next: AgentConfig): string[] {
  return RESTART_ONLY.filter((k) => running[k] !== next[k]).map((k) => `${k} (${running[k]} → ${next[k]})`);
}
