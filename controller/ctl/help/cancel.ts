import type { CommandHelp } from '../../../shared/cli/program.js';

export const CANCEL_USAGE = 'cancel JOB [--json]';

export const cancelHelp: CommandHelp = {
  name: 'cancel',
  summary: 'Stop a drain, restore, rebalance or roll that runs in the controller, by its job id.',
  usage: CANCEL_USAGE,
  help: [
    'Stops JOB as Ctrl-C does in the xenherdctl that started it: no new moves, running ones finish, and',
    'whoever follows it sees its end. For a job you only watch (the same command run while it ran: Ctrl-C',
    'there only stops watching) or whose terminal is gone. JOB is the id its first line names (job-…), and',
    "`xenherdctl jobs` lists the running ones; the controller's log says who cancelled whose job. Run the",
    "job's command again to go on from where it stopped. With standbys, each controller is asked in turn, the",
    'primary first, and the one that runs JOB stops it. Its end, as its followers see it, says "cancelled: …";',
    'under --json that end keeps code XH_ERR_REFUSED (as older xenherdctls read it) and adds "cancelled": true,',
    'which a refusal never carries (a move left under an ALARM ends it XH_ERR_MIGRATION_UNKNOWN instead, cancelled',
    'or not). Asked again while the job waits for its running moves, it says when and',
    'by whom the cancel was asked and which moves the job waits for (--json: `already`).',
    '',
    `usage: xenherdctl ${CANCEL_USAGE}`,
    'exit: 0 the job stops; 1 no such job runs in the controller; 2 usage or configuration error; 87',
    '      controller unreachable; 88 token refused',
    '',
  ].join('\n'),
};
