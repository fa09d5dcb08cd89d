import type { CommandHelp } from '../../../shared/cli/program.js';

export const MIGRATE_USAGE = 'migrate NAME [HOST] [--dry-run] [--json]';
export const REVERSE_USAGE = 'reverse NAME [--json]';

export const migrateHelp: CommandHelp = {
  name: 'migrate',
  summary: 'Live-migrate NAME to HOST (default: its migrate-tab/DRBD peer) through the agent running it.',
  usage: MIGRATE_USAGE,
  help: [
    'Live-migrates NAME from the Dom0 running it to HOST (default: its migrate-tab or DRBD peer). The',
    "controller sends the command to that Dom0's agent; its progress is printed as it happens.",
    'Ctrl-C stops watching, not the migration: it goes on on the Dom0s (it cannot be cancelled from here);',
    '  xenherdctl where NAME shows where it is (exit 130).',
    '',
    `usage: xenherdctl ${MIGRATE_USAGE}`,
    "  --dry-run   the controller's checks only, nothing sent: refused (77, 76, 1, ...) as the command would",
    "              be (another toolstack, an older Xen release, a split DRBD disk, a target not online, a",
    "              migration under way), else exit 0 naming the Dom0 that would run it; that agent's own",
    "              preflight (DRBD pair, the target's free memory) shows with xenherd-agent migrate --dry-run;",
    '              it starts nothing: cut short (Ctrl-C, a dropped connection), it says nothing was started',
    "exit: 0 migrated, or already on HOST: NAME runs there alone, as the controller's current reports show",
    '      it (no migration half, no alert, no split DRBD disk), nothing sent; 77 refused by the controller,',
    '      nothing sent: e.g. NAME is being migrated right now (a second migrate while the first runs), or',
    "      its DRBD disk is split (named as xenherdctl where marks it); otherwise the agent's",
    '      result code: 82 failed, still at the source; 83 ALARM: undefined; 81 locked: the Dom0 found a',
    '      migration of NAME holding its lock',
    "      (what xenherd-agent migrate on that Dom0 answers; from here only if this migrate reaches the Dom0",
    "      before the first one shows in the controller's reports); the agent's other codes as docs/errors.md",
    "      lists them; 91 the agent's link dropped (an agent restart) and NAME did not reach HOST: xenherdctl",
    '      follows where NAME until the move ends (0 once NAME runs on HOST; Ctrl-C stops watching; --json',
    "      exits 91 at once), 76 its agent (or the target's) is not",
    '      connected, 1 no host reports NAME running; 87 controller unreachable, 88 token refused,',
    '      78 no controller configured or its settings malformed',
    '',
  ].join('\n'),
};

export const reverseHelp: CommandHelp = {
  name: 'reverse',
  summary: "Bring NAME back to its home Dom0 (the home's agent pulls it back over ssh).",
  usage: REVERSE_USAGE,
  help: [
    "Brings NAME back to its home: the controller sends the command to the home Dom0's agent, which asks",
    'the Dom0 now running it to migrate it back (migrate2 over ssh); progress is printed as it happens.',
    'Ctrl-C stops watching, not the migration: it goes on on the Dom0s (it cannot be cancelled from here);',
    '  xenherdctl where NAME shows where it is (exit 130).',
    '',
    `usage: xenherdctl ${REVERSE_USAGE}`,
    "exit: 0 back home, or already home: NAME runs on its home alone, as the controller's current reports",
    '      show it (no migration half, no alert), said with since when its agent has seen it running there,',
    '      nothing sent (as restore exits 0 when every domU of a host is home, so a loop of reverse over a',
    '      list fails only for those not home); 77 refused, nothing sent (e.g. a migration half of NAME',
    "      stands, or NAME runs elsewhere and no ledger says it left; also already home when the home's",
    "      report is stale, an alert names NAME or its DRBD disk is split, named as xenherdctl where marks",
    '      it: check xenherdctl where NAME); 1 no Dom0 claims NAME as',
    "      its home; otherwise the agent's result code (NAME running nowhere: the home's agent says why),",
    "      91 the agent's link dropped and NAME is not home: followed as migrate's 91 is (0 once home),",
    "      76 its agent is not connected; 87 controller",
    '      unreachable, 88 token refused, 78 no controller configured or its settings malformed',
    '',
  ].join('\n'),
};
