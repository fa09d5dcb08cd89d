import type { CommandHelp } from '../../../shared/cli/program.js';

export const DRBD_USAGE = 'drbd [PATTERN...] [--json]';

export const drbdHelp: CommandHelp = {
  name: 'drbd',
  summary: 'Show the fleet\'s DRBD resources in one view: each side\'s role, disk, connection, and what is wrong.',
  usage: DRBD_USAGE,
  help: [
    'Shows the DRBD resources the Dom0s report, one line per resource (per pair of Dom0s) sorted by name:',
    'the domU using it, each side as HOST ROLE/DISK, the connection as each side reports it (DRBD 8.4\'s',
    'words, e.g. WFConnection, for an 8.4 resource; DRBD 9\'s, e.g. Connecting, for a 9 one; a resync\'s',
    'state after a "/"), and flags: not up, StandAlone or Primary on both while not connected (a split',
    'brain), Primary on both outside a migration, not connected, resyncing, not UpToDate, a Dom0 unheard',
    '(its state as last reported, and how long ago: stale) and a Dom0 its partner or .res file names that',
    'reports nothing of it; and, its partners Secondary and cut off from a Dom0 unheard that held it',
    'Primary when last heard (or has not reported since the controller started), the domUs down with it if',
    'it is down. A PATTERN (an exact name or a glob: * ? [abc] [!x]) matches a resource\'s name',
    'or a domU\'s using it; without one, every resource. It spares `drbdadm status` on each Dom0.',
    '',
    `usage: xenherdctl ${DRBD_USAGE}`,
    '  --json       the controller\'s answer as JSON (with several patterns, "patterns" and "unmatched")',
    'exit: 0 every resource listed is connected and UpToDate on each side, as the Dom0s heard now report it',
    '  (a silent Dom0\'s side counts when its partner is connected to it), and Primary on both only in a',
    '  migration; 2 some resource is not (its flags say why); 1 a PATTERN matched nothing',
    '  (named on stderr, XH_ERR_NOT_FOUND; before 2); 64 not a pattern, 87 controller unreachable, 88 token',
    '  refused, 89 a controller too old to answer it, 78 no controller configured or its settings malformed',
    '',
  ].join('\n'),
};
