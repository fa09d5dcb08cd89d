import type { CommandHelp } from '../../../shared/cli/program.js';

export const JOBS_USAGE = 'jobs [--json]';

export const jobsHelp: CommandHelp = {
  name: 'jobs',
  summary: 'List the jobs the controller runs (and the migrations it passed on), then those that ended lately.',
  usage: JOBS_USAGE,
  help: [
    'Lists the jobs running in the controller, oldest first: drain, restore, rebalance, roll, maintenance, and',
    "the operators' migrate and reverse it passed to an agent; each with its id (what `xenherdctl cancel`",
    'takes: a migrate or reverse runs on the Dom0s to its end and cannot be cancelled), what it works on',
    '(past three Dom0s, the first three and how many more; --json names each), who started it (the',
    "token's name), when, and where it is (moves done; left, as --json's remaining counts them, and the",
    'running ones among them; a roll says no left, as it plans each group when it gets there; its last step).',
    'Then the jobs that ended since the controller started, newest first (it keeps the last 20, in memory',
    'only: a restart forgets them, its log keeps every end), each with how it ended; one refused before it',
    'changed anything (maintenance on while domUs run, a flag another controller holds) is not listed: its',
    'caller was told why, and the log keeps it, as for a migrate its agent refused. Then, under NO JOB ON IT,',
    "each Dom0 this controller's flag holds draining or restoring with no job on it (a job its stop or restart",
    'cut, or one that ended short), with the command that continues it. The role read may list.',
    'With standbys (ctl.json standbyUrls, or XENHERD_URL listing several), every controller is asked and each',
    "one's jobs listed under its host:port: a job runs in the controller that started it.",
    '',
    `usage: xenherdctl ${JOBS_USAGE}`,
    '  --json   {at, running: [ROW], finished: [ROW], remembers, cut}; cut (only when there are any):',
    '           [{host, state, operationId, since}]; a ROW is {id, kind, domu, hosts, startedBy,',
    '           startedAt, ageMs, state, step, cancel, moved, running, failed, remaining, endedAt, code,',
    '           message}; with standbys {controllers: [{controller, role, listing, error}]}, listing null',
    '           (and error set) for a controller that did not answer',
    'exit: 0 (also with no job, or one controller unreachable while another answered); 87 none reachable;',
    '      88 token refused; 78 no controller configured',
    '',
  ].join('\n'),
};
