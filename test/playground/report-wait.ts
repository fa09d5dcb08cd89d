/**
 * How long a playground start waits for every agent to report. The agents start at once and each
 * loads its bundle, reads its Dom0 and connects, so on a small machine the last of 40 comes minutes
 * after the first: a fixed minute fails a large fleet that is merely slow. A per-agent share on top
 * of a minute, capped at ten so a fleet that never comes up still fails in finite time.
 */
export const REPORT_WAIT_MIN_MS = 60_000;
export const REPORT_WAIT_PER_AGENT_MS = 5_000;
export const REPORT_WAIT_MAX_MS = 600_000;

export function reportWaitMs(agents: number): number {
  return Math.min(REPORT_WAIT_MAX_MS, REPORT_WAIT_MIN_MS + REPORT_WAIT_PER_AGENT_MS * Math.max(0, agents));
}

/** what the wait says while it waits, and in its failure: how many of the agents report so far */
export function reportingProgress(reporting: number, agents: number, missing: readonly string[]): string {
  const some = missing.slice(0, 5).join(', ');
  const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
  return `${reporting}/${agents} agents reporting${missing.length > 0 ? ` (waiting for ${some}${more})` : ''}`;
}
