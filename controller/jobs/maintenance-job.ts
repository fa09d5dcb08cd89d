import { noAgentMessage } from '../fleet/no-agent-message.js';
import { CAPABILITY } from '../../shared/protocol/agent-link.js';
import type { JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';
import { maintenanceOnClaim, onlineClaim } from '../plan/maintenance-claims.js';
import { failure, refusal, success, type Ending, type JobEnv } from './job-env.js';
import { AMBIGUOUS } from './move-context.js';
import { busyWords, type JobRun } from './job-run.js';
import { MaintenanceLease } from './maintenance-lease.js';

type MaintenanceRequest = Extract<JobRequest, { kind: 'maintenance' }>;

/**
 * `maintenance HOST on|off`: sets the flag, nothing more. On is refused by the agent while
 * anything runs there (a host is in maintenance only when it is empty: `drain` empties it). Off is
 * the operator's override and always accepted by the agent; refused here while a job of this
 * controller works on the host (stop that job first).
 */
export async function runMaintenance(env: JobEnv, job: JobRun, req: MaintenanceRequest): Promise<Ending> {
  const { port } = env;
  const host = req.host;
  const f = port.facts();
  const h = f.host(host);
  const refused = (e: Ending): Ending => refusal(job, e);
  if (!h?.record.state) return refused(failure('XH_ERR_NOT_FOUND', noAgentMessage([host], f.hostNames())));
  if (!h.reachable) return refused(failure('XH_ERR_AGENT_UNREACHABLE', `the agent of ${host} is not connected (or silent): nothing was changed`));
  if (!h.capabilities.includes(CAPABILITY.maintenance)) return refused(failure('XH_ERR_REFUSED', `the agent of ${host} (version ${h.record.agentVersion ?? '?'}) keeps no maintenance flag: upgrade it`));
  const other = env.jobOn(host, job);
  if (other) return refused(failure('XH_ERR_LOCKED', busyWords(other, host)));
  const claim = req.on ? maintenanceOnClaim(h.maintenance, port.newId()) : onlineClaim(port.newId());
  job.operationId = claim.operationId;
  const lease = new MaintenanceLease(port, env.settings, host, job.by, () => undefined);
  const r = await lease.set(claim);
  lease.stop();
  if (!r.ok) {
    const running = f.domusOn(host).map((d) => d.name);
    // the agent names what still runs there when that is why (its own fresh list): not twice
    const named = /still run here/.test(r.error.message);
    const them = named ? '' : ` ${running.length} domU(s) run there (${running.slice(0, 10).join(', ')}${running.length > 10 ? ', ...' : ''}):`;
    const hint = req.on && r.error.code === 'XH_ERR_REFUSED' && running.length > 0 ? `;${them} \`xenherdctl drain ${host}\` moves them and sets maintenance` : '';
    const ending = failure(r.error.code, `${r.error.message}${hint}`);
    // the agent's no changed nothing; an answer lost on the way may have set the flag
    return AMBIGUOUS.has(r.error.code) ? ending : refused(ending);
  }
  job.emit({ type: 'host', host, maintenance: r.value });
  return success(req.on ? `${host} is in maintenance` : `${host} is online${h.maintenance.state !== 'online' ? ` (was ${MAINTENANCE_WORDS[h.maintenance.state]})` : ''}`);
}
