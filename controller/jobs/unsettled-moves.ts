import type { Leftover, Move } from '../../shared/protocol/ctl-jobs.js';
import { unsettledMessage } from '../fleet/unsettled.js';
import type { FleetPort } from './port.js';

/**
 * The domUs this job moved that a Dom0's ledger keeps as unsettled (a migration of it ended in an
 * ALARM, e.g. the source's agent, restarted after a crash, found its own inflight record): the
 * move counted, but a person must settle it (`xenherd-agent reconcile NAME` there) before the
 * controller plans for it again. Read from the fleet view at the job's end; each an alarm leftover.
 */
export function unsettledMoves(port: FleetPort, moved: readonly Move[]): Leftover[] {
  if (moved.length === 0) return [];
  const f = port.facts();
  const out: Leftover[] = [];
  for (const name of [...new Set(moved.map((m) => m.name))].sort()) {
    const d = f.domu(name);
    if (!d || d.unsettled.length === 0) continue;
    out.push({ name, host: d.host, blocker: { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: unsettledMessage(name, d.unsettled) }, message: `ALARM ${name}: ${unsettledMessage(name, d.unsettled)}` });
  }
  return out;
}
