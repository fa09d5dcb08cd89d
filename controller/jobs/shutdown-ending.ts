import type { JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { failure, type Ending } from './job-env.js';

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
 */
export function cutByShutdown(req: JobRequest, operationId: string | null, end: Ending): Ending {
  if (end.ok) return end;
  const command = again(req);
  const how = command === null ? 'run the same command again' : `run the same command again (\`${command}\`)`;
  // a drain, restore or roll keeps its operation in the Dom0s' maintenance flags, which a rerun takes up
  const goesOn = req.kind === 'rebalance' ? 'it plans again from where the fleet is then' : `it continues the same operation${operationId === null ? '' : ` (${operationId})`} where it stopped`;
  // an ALARM among what it left (a move whose end it was still settling) went wrong before the stop
  const alarms = end.remaining.filter((l) => l.blocker.kind === 'alarm').map((l) => l.name);
  const wrong = alarms.length === 0 ? 'not by anything going wrong' : `after an ALARM of ${alarms.join(', ')} (see below: check xenherdctl where first)`;
  const cut = `the ${req.kind} was cut by the controller stopping (a restart or an upgrade of xenherd-controller), ${wrong}: ${how} once the controller is back: ${goesOn}`;
  return failure('XH_ERR_CONTROLLER_UNREACHABLE', `${cut}. Where it stopped: ${end.message}`, end.remaining, end.moved);
}
