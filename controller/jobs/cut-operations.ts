import type { CutOperation } from '../../shared/protocol/ctl-jobs.js';
import { currentMaintenanceSince, type HostRecord } from '../fleet/host-record.js';
import { sameOwner } from '../../shared/owner-names.js';

/**
 * The hosts whose maintenance flag IDENTITY (this controller) holds draining or restoring while
 * none of JOBHOSTS (the hosts its running jobs work on) is it: an operation cut by this
 * controller's stop, or ended short. The jobs it ran are forgotten at a restart; the flag, kept by
 * the agent, is not, so `xenherdctl jobs` can still say what to run again to continue it.
 */
export function cutOperations(records: Iterable<HostRecord>, identity: string, jobHosts: ReadonlySet<string>): CutOperation[] {
  const out: CutOperation[] = [];
  for (const r of records) {
    const m = r.state?.maintenance;
    if (!m || !sameOwner(m.owner, identity) || (m.state !== 'draining' && m.state !== 'restoring') || jobHosts.has(r.host)) continue;
    out.push({ host: r.host, state: m.state, operationId: m.operationId ?? null, since: currentMaintenanceSince(r) });
  }
  return out.sort((a, b) => a.host.localeCompare(b.host));
}
