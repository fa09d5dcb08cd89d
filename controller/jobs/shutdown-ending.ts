import type { JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { failure, type Ending } from './job-env.js';
import type { LostFlag } from './job-run.js';
import { sameOwner } from '../../shared/owner-names.js';

/** The command that takes REQ up again, when it can be written out (a roll's --reboot-command cannot). */
function again(req: JobRequest): string | null {
  switch (req.kind) {
    case 'drain':
    case 'restore':
      return `xenherdctl ${req.kind} ${req.host}`;
    case 'maintenance':
      return `xenherdctl maintenance ${req.host} ${req.on ? 'on' : 'off'}`;
    case 'rebalance':
      return 'xenherdctl rebalance --apply';
    case 'roll':
      return null;
  }
}

/**
 * The ending of a job the controller's own stop cut (a restart, a package upgrade): said as that,
 * with how to go on, not as a failure of the job. Its code is the one xenherdctl gives when the
 * stream closes before any end, so a script sees the same exit code whether or not this last line
 * reached it before the connection closed. A job that reached its goal first keeps its ending.
 * This controller cannot tell a restart from a stop for good, nor know whether the agents have a
 * standby to go to (that is in their configs): both ways on are said. LEASEMS: how long the flags
 * it held still keep any other controller off.
 */
export function cutByShutdown(req: JobRequest, operationId: string | null, end: Ending, leaseMs: number): Ending {
  if (end.ok) return end;
  const command = again(req);
  const how = command === null ? 'run the same command again' : `run the same command again (\`${command}\`)`;
  // a drain, restore or roll keeps its operation in the Dom0s' maintenance flags, which a rerun takes up
  const goesOn = req.kind === 'rebalance' ? 'plans again from where the fleet is then' : `continues the same operation${operationId === null ? '' : ` (${operationId})`} where it stopped`;
  // a rebalance holds no flag: a standby may plan at once
  const standby = req.kind === 'rebalance' || req.kind === 'maintenance' ? `a standby controller the Dom0s report to while this one stays down ${goesOn}` : `should this controller stay down, a standby controller the Dom0s then report to ${goesOn} once this controller's hold on them lapses (${Math.ceil(leaseMs / 1000)} s; until then it refuses with XH_ERR_LOCKED, saying how long)`;
  // an ALARM among what it left (a move whose end it was still settling) went wrong before the stop
  const alarms = end.remaining.filter((l) => l.blocker.kind === 'alarm').map((l) => l.name);
  const wrong = alarms.length === 0 ? 'not by anything going wrong' : `after an ALARM of ${alarms.join(', ')} (see below: check xenherdctl where first)`;
  const cut = `the ${req.kind} was cut by the controller stopping (a restart or an upgrade of xenherd-controller), ${wrong}: ${how}; once this controller is back it ${goesOn}; ${standby}`;
  return failure('XH_ERR_CONTROLLER_UNREACHABLE', `${cut}. Where it stopped: ${end.message}`, end.remaining, end.moved);
}

/**
 * The ending of a job stopped because a host's maintenance flag it held is no longer its own (a
 * renewal refused): another controller continues the operation (a standby after a failover, or
 * the primary back), or an operator set the host online. Said as that, with where the operation
 * goes on, not as this controller stopping. IDENTITY: this controller's, to tell a flag of its own
 * (another job of it) from another controller's.
 */
export function cutByLostFlag(req: JobRequest, lost: LostFlag, end: Ending, identity: string): Ending {
  if (end.ok) return end;
  const command = again(req) ?? 'the same command';
  const f = lost.flag;
  const op = f?.operationId ? ` (operation ${f.operationId})` : '';
  let next: string;
  if (f !== null && f.owner !== null && !sameOwner(f.owner, identity) && (f.state === 'draining' || f.state === 'restoring')) {
    next = `${f.owner} holds it ${f.state}${op} now: that controller goes on with it, not this one. Follow it there: \`xenherdctl jobs\` asked of that controller (XENHERD_URL set to it) lists its job; if it lists none, run \`${command}\` on that controller, which continues the operation`;
  } else if (f !== null && (f.state === 'online' || f.state === 'maintenance')) {
    next = `it is ${f.state} now${f.owner ? ` (set by ${f.owner})` : ''}: someone changed it while this job ran; run \`${command}\` again if the ${req.kind} should still go on`;
  } else {
    next = `see \`xenherdctl jobs\` on each controller for the job that holds it now; run \`${command}\` again if none does`;
  }
  return failure(end.code ?? 'XH_ERR_LOCKED', `the ${req.kind} stopped, not by this controller stopping: ${lost.host}'s maintenance flag is no longer this job's; ${next}. Where it stopped: ${end.message}`, end.remaining, end.moved);
}
