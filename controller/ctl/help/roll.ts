import type { CommandHelp } from '../../../shared/cli/program.js';
import { CTRL_C_HELP, EXIT_HELP, TIMEOUT_HELP } from './drain.js';

export const ROLL_USAGE = 'roll HOST... [--reboot-command CMD | --wait-for-reboot] [--group-size N] [--max-parallel N] [--cold-fallback] [--timeout DURATION] [--dry-run] [--json]';

export const rollHelp: CommandHelp = {
  name: 'roll',
  summary: 'Rolling maintenance: per group of hosts that can be down together, drain, reboot, restore.',
  usage: ROLL_USAGE,
  help: [
    'Splits the HOSTs into groups that can be down together (no two hosts of a group hold replicas of one',
    'DRBD resource, and the other hosts have room for what the group runs). For each group in turn: drain',
    'it, set maintenance, reboot it (--reboot-command CMD runs CMD per host from here, {host} replaced or',
    'the host appended, e.g. --reboot-command "ssh root@{host} reboot"; --wait-for-reboot, the default,',
    'waits for you to do it), wait for every host of the group to come back with a new boot id, restore it.',
    'It stops at the first group that does not finish. --group-size N puts at most N hosts in a group (how',
    'many Dom0s may be down at once; default: as many as can be). --dry-run prints the groups (with --cold-fallback, as that roll plans them). Run it again to follow',
    'a roll already running: only the xenherdctl that started it runs the reboot command (the one that',
    'follows cannot tell a reboot asked for before it attached from a new one, and says so). Stopped (Ctrl-C,',
    '--timeout, a group that did not finish, a controller restart), the same roll asked again starts with',
    'the hosts it left and takes each up where it stopped: one draining is drained on; one it emptied and',
    'set in maintenance waits for its reboot (no second drain); one restoring, or back with a new boot id',
    'since the roll emptied it, is restored (no second drain, its reboot not asked again). A host whose',
    'agent is not heard stops the roll and its --dry-run: roll the others it names, and this roll again',
    'once it is back. A host it finished (back online, its domUs home) is kept in the controller\'s state',
    'dir with the boot id it came back with: the same roll asked again within 12 h skips it while it runs',
    'that boot, and says so (a host restoring without the roll\'s mark, as your own restore leaves it, is',
    'drained and rebooted). --dry-run, or `xenherdctl plan roll HOST...`, shows per host what a roll asked',
    'now does: drain, reboot only, restore only, or skip: done. One roll takes at most 256 hosts: roll a',
    'bigger fleet in parts.',
    CTRL_C_HELP,
    '',
    `usage: xenherdctl ${ROLL_USAGE}`,
    TIMEOUT_HELP,
    EXIT_HELP,
    '',
  ].join('\n'),
};
