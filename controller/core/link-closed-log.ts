import type { Logger } from '../../shared/logger.js';
import { utcSecondText } from '../../shared/text/utc-time.js';
import { AGENT_RESTART_GRACE_MS, cleanStopAt } from '../fleet/agent-stop.js';
import type { HostRecord } from '../fleet/host-record.js';
import { reportsElsewhereSince } from '../fleet/reports-elsewhere.js';
import type { AgentSession } from './agent-session.js';

/**
 * The journal's line for HOST's agent link that closed, its record RECORDOF(host) already noting
 * how. An agent that said it is stopping (systemctl restart, a package upgrade) is on its way back:
 * said at info, as check says WARNING of it, and at warn only if it is not back within
 * AGENT_RESTART_GRACE_MS, when check turns CRITICAL. A warn 'unreachable' at every clean stop made a
 * rolling agent upgrade read in the journal as one Dom0 lost after another. Any other close is
 * unreachable at once, as before; but one gone back to the primary (reports-elsewhere.ts) is no
 * Dom0 lost either, and said at info.
 */
export function sayLinkClosed(s: AgentSession, code: number, reason: string, recordOf: (host: string) => HostRecord | undefined, log: Logger, after: (ms: number, fn: () => void) => () => void): void {
  const host = s.host;
  const r = recordOf(host);
  if (r !== undefined && reportsElsewhereSince(r) !== null) {
    s.logLine('info', { event: 'host-reports-elsewhere', host, code, reason }, `${host} reports to another controller now (its agent went back to the primary): what it ran is no longer counted here until it reports here again`);
    return;
  }
  const stoppedAt = r === undefined ? null : cleanStopAt(r);
  if (stoppedAt === null) {
    s.logLine('warn', { event: 'host-unreachable', host, code, reason }, `${host} is unreachable: its agent link closed`);
    return;
  }
  s.logLine('info', { event: 'agent-stopped', host, code, reason }, `${host}'s agent stopped cleanly (restarting? upgrading?): its link closed; unreachable only if it is not back within ${AGENT_RESTART_GRACE_MS / 1000} s`);
  after(AGENT_RESTART_GRACE_MS, () => {
    const now = recordOf(host);
    // back since (a newer link), or gone another way since: that link's own lines said it
    if (now === undefined || cleanStopAt(now) !== stoppedAt) return;
    log.warn({ event: 'host-unreachable', host, code, reason, stoppedAt }, `${host} is unreachable: its agent stopped cleanly at ${utcSecondText(stoppedAt)} and is not back within ${AGENT_RESTART_GRACE_MS / 1000} s`);
  });
}
