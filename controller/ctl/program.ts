import type { Program } from '../../shared/cli/program.js';
import type { CtlHooks } from './context.js';
import { cancelHelp } from './help/cancel.js';
import { checkHelp } from './help/check.js';
import { drainHelp, restoreHelp } from './help/drain.js';
import { jobsHelp } from './help/jobs.js';
import { drbdHelp } from './help/drbd.js';
import { domainsHelp, hostsHelp, statusHelp } from './help/listing.js';
import { maintenanceHelp } from './help/maintenance.js';
import { migrateHelp, reverseHelp } from './help/migrate.js';
import { planHelp, rebalanceHelp } from './help/rebalance.js';
import { rollHelp } from './help/roll.js';
import { sshHelp } from './help/ssh.js';
import { whereHelp } from './help/where.js';

/*
 * Each command's code is imported when it runs, never at start: its modules build the zod schemas
 * of the answers it reads, and building every command's (some 800) made each run of xenherdctl
 * pay for all of them. The bundler keeps the file single and runs a dynamically imported module
 * (with what only it imports) at its import. --help needs only the texts in help/.
 */
export const ctlProgram = (hooks: CtlHooks): Program => ({
  binary: 'xenherdctl',
  description: [
    'Ask the xenherd controller where each domU runs, list its Dom0s, domains and DRBD resources, migrate',
    'domUs, and drain, restore, rebalance and roll Dom0s through maintenance; check is a Nagios plugin, and',
    'the controller serves Prometheus metrics at /metrics (the same token, role read).',
    'Controller: ~/.config/xenherd/ctl.json {"url", "token", "ca"}, each overridden by XENHERD_URL,',
    'XENHERD_TOKEN, XENHERD_CA (the CA file: the controller\'s tls/ca.crt). Every command takes --json.',
    'With a standby controller: "standbyUrls": ["https://ctl2:7443"] in ctl.json, or XENHERD_URL',
    'https://ctl1:7443,https://ctl2:7443 (the primary first). Each is asked for its Dom0s in turn until one',
    'hears them all (an operating command: the Dom0s it names); one unreachable is passed over, one refusing',
    'the token is not. Who answered is said on stderr when it is not simply the first.',
  ].join('\n'),
  commands: [
    { ...whereHelp, run: async (argv, io) => (await import('./commands/where.js')).where(argv, io, hooks) },
    { ...sshHelp, run: async (argv, io) => (await import('./commands/ssh.js')).ssh(argv, io, hooks) },
    { ...hostsHelp, run: async (argv, io) => (await import('./commands/listing.js')).hosts(argv, io, hooks) },
    { ...domainsHelp, run: async (argv, io) => (await import('./commands/listing.js')).domains(argv, io, hooks) },
    { ...statusHelp, run: async (argv, io) => (await import('./commands/listing.js')).status(argv, io, hooks) },
    { ...drbdHelp, run: async (argv, io) => (await import('./commands/drbd.js')).drbd(argv, io, hooks) },
    { ...migrateHelp, run: async (argv, io) => (await import('./commands/migrate.js')).sendCommand('migrate', argv, io, hooks) },
    { ...reverseHelp, run: async (argv, io) => (await import('./commands/migrate.js')).sendCommand('reverse', argv, io, hooks) },
    { ...drainHelp, run: async (argv, io) => (await import('./commands/drain.js')).drain(argv, io, hooks) },
    { ...restoreHelp, run: async (argv, io) => (await import('./commands/drain.js')).restore(argv, io, hooks) },
    { ...maintenanceHelp, run: async (argv, io) => (await import('./commands/maintenance.js')).maintenance(argv, io, hooks) },
    { ...rebalanceHelp, run: async (argv, io) => (await import('./commands/rebalance.js')).rebalance(argv, io, hooks) },
    { ...rollHelp, run: async (argv, io) => (await import('./commands/roll.js')).roll(argv, io, hooks) },
    { ...jobsHelp, run: async (argv, io) => (await import('./commands/jobs.js')).jobs(argv, io, hooks) },
    { ...cancelHelp, run: async (argv, io) => (await import('./commands/cancel.js')).cancel(argv, io, hooks) },
    { ...planHelp, run: async (argv, io) => (await import('./commands/rebalance.js')).plan(argv, io, hooks) },
    { ...checkHelp, run: async (argv, io) => (await import('./commands/check.js')).check(argv, io, hooks) },
  ],
  everyCommandFlags: ['--json'],
  // in the order of their numbers, as an operator scans for the one a script saw; migrate and
  // reverse's own endings (81-86) among them, so the list answers "what did 82 mean" without docs
  exitCodes: [
    'XH_ERR_NOT_FOUND',
    'XH_ERR_USAGE',
    'XH_ERR_INTERNAL',
    'XH_ERR_FILE',
    'XH_ERR_AGENT_UNREACHABLE',
    'XH_ERR_REFUSED',
    'XH_ERR_CONFIG',
    'XH_ERR_LOCKED',
    'XH_ERR_MIGRATION_FAILED',
    'XH_ERR_MIGRATION_UNKNOWN',
    'XH_ERR_PEER_UNREACHABLE',
    'XH_ERR_MIGRATION_PARTIAL',
    'XH_ERR_CONTROLLER_UNREACHABLE',
    'XH_ERR_AUTH',
    'XH_ERR_PROTOCOL',
    'XH_ERR_TIMEOUT',
    'XH_ERR_AGENT_LINK_LOST',
  ],
  exitCodesNote: [
    "  migrate and reverse exit with the agent's result code (any other is in docs/errors.md); ssh with ssh's.",
    '  drain, restore, maintenance, rebalance, roll and plan: 0 the goal holds, 1 it does not (what remains',
    '  is listed), 2 usage or configuration error, 90 --timeout ran out, 87/88/89 as above, 130 stopped',
    '  watching at Ctrl-C (the job goes on). cancel: 0 the job stops, 1 no such job runs, 2 as above.',
    '  jobs: 0 (also with no job), 87/88 as above.',
    '  check (a Nagios plugin): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and never another code.',
    '  drbd: 0 every resource listed connected and UpToDate, 1 a PATTERN matched nothing, 2 some resource is not.',
    '  Every command: 74 (XH_ERR_FILE) the answer could not be written to standard output (a full disk, an',
    '  I/O error; check: 3), 141 the reader of the output went away (`xenherdctl status | head -1`; check: 3).',
  ].join('\n'),
});
