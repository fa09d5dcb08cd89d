import type { CommandHelp } from '../../../shared/cli/program.js';

export const HOSTS_USAGE = 'hosts [--json]';
export const DOMAINS_USAGE = 'domains [--host HOST] [--json]';
export const STATUS_USAGE = 'status [--json]';

export const hostsHelp: CommandHelp = {
  name: 'hosts',
  summary: 'List the Dom0s reporting to the controller: reachable or not, last seen, maintenance, memory.',
  usage: HOSTS_USAGE,
  help: [
    'Lists the Dom0s whose agents report to the controller: reachable (link up, heard from within the',
    "controller's staleAfter) or not, when last heard from, maintenance state, free/total memory, how many",
    'domains and homes they report, boot id and agent version.',
    '',
    `usage: xenherdctl ${HOSTS_USAGE}`,
    'exit: 0 (also with no host reported yet); 87 controller unreachable, 88 token refused, 78 no controller',
    '  configured or its settings malformed',
    '',
  ].join('\n'),
};

export const domainsHelp: CommandHelp = {
  name: 'domains',
  summary: 'List every domain the Dom0s report (or those of one --host), with its home and freshness.',
  usage: DOMAINS_USAGE,
  help: [
    'Lists every domain the Dom0s report (or only those of HOST): state, migration row, memory, vcpus,',
    'home, and how old the report is (STALE: host unreachable or unheard for more than 30 s).',
    "STATE is the toolstack's flags in a word: running (on a CPU now), blocked (waiting for work, an",
    "idle guest's usual state) and idle (no flag: runnable, not on a CPU) are a live guest, as where",
    'says running; paused, shutdown, crashed and dying as the flags say; stopped: a domain xend',
    'manages that does not run (xm list shows it without an ID).',
    '',
    `usage: xenherdctl ${DOMAINS_USAGE}`,
    'exit: 0; 1 when no agent of HOST has reported; 87 controller unreachable, 88 token refused, 78 no controller',
    '  configured or its settings malformed',
    '',
  ].join('\n'),
};

export const statusHelp: CommandHelp = {
  name: 'status',
  summary: 'Summarize the fleet: alerts first (conflicts no single Dom0 sees), then the hosts.',
  usage: STATUS_USAGE,
  help: [
    'Summarizes the fleet. Alerts come first: conflicts no single Dom0 can see (a domU running on two',
    'hosts, a home claimed by two Dom0s, a DRBD resource Primary on both nodes outside a migration, a',
    'ledger saying a domU is away at a host that does not run it), and migrations whose ending nobody',
    'knows (one that ended in an ALARM stays until xenherd-agent reconcile NAME on its Dom0). Then the',
    'Dom0s the controller cannot hear. When `xenherdctl check` (at its default thresholds) would not',
    'say OK, its status line follows: check judges more than conflicts (a guarded domU down while its',
    'Dom0 is in maintenance, a domU long away from home). Then the counts and the hosts: all of them up',
    'to 50; past that only those not reachable, not online or behind (`xenherdctl hosts` lists all).',
    '',
    `usage: xenherdctl ${STATUS_USAGE}`,
    'exit: 0 whatever the fleet looks like (xenherdctl check exits by its verdict); 87 controller',
    '  unreachable, 88 token refused, 78 no controller configured or its settings malformed',
    '',
  ].join('\n'),
};
