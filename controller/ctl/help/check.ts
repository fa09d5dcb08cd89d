import type { CommandHelp } from '../../../shared/cli/program.js';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check-values.js';

export const CHECK_USAGE = 'check [--warn-deferred DURATION] [--crit-deferred DURATION] [--not-home-after DURATION] [--json]';

export const checkHelp: CommandHelp = {
  name: 'check',
  summary: 'A Nagios/Icinga plugin: the fleet judged by the controller, one status line, perfdata, exit 0-3.',
  usage: CHECK_USAGE,
  help: [
    'Asks the controller to judge the fleet and prints it as a Nagios plugin does: one line',
    "'XENHERD STATUS - summary | perfdata', then one line per problem, worst first.",
    '',
    'CRITICAL  a domU running on two hosts; a DRBD resource Primary on both nodes; a migration whose',
    '          end was lost (its NAME--migratedaway half standing over a minute); a migration that ended',
    '          in an ALARM (XH_ERR_MIGRATION_UNKNOWN), until xenherd-agent reconcile NAME on its Dom0;',
    '          an agent unreachable (WARNING if its last report said it is in maintenance); a guarded',
    '          domU running nowhere whose start is deferred longer than --crit-deferred; a domU not on',
    '          its home --not-home-after after the home came back online (or after it left, if later;',
    '          a move no ledger records counts from when the controller first saw it away).',
    'WARNING   a domU away from its online home for less than that; a DRBD disk or peer disk not',
    '          UpToDate; a deferred start longer than --warn-deferred; a home claimed twice; a ledger',
    '          record the fleet contradicts, or a domU away from home that no ledger records (each 30 s on);',
    '          a host draining or restoring for 2 min with no drain or restore job of this controller',
    '          on it (the controller restarted, or the job failed): run that command again.',
    'UNKNOWN   the controller cannot be asked (unreachable, token refused, a bad answer) or has no',
    '          Dom0 reporting to it; a bad option.',
    '',
    `defaults: --warn-deferred ${DEFAULT_CHECK_THRESHOLDS.warnDeferredMs / 60_000}m, --crit-deferred ${DEFAULT_CHECK_THRESHOLDS.critDeferredMs / 60_000}m, --not-home-after ${DEFAULT_CHECK_THRESHOLDS.notHomeAfterMs / 60_000}m`,
    'perfdata: hosts, hosts_unreachable, hosts_in_maintenance, domus_running, domus_away, alerts,',
    '          drbd_not_uptodate, deferred_max_s, not_home_max_s, hosts_draining, hosts_restoring.',
    '          hosts_in_maintenance counts every host not online (draining, in maintenance or',
    '          restoring: what status calls "not online"); those in maintenance proper are',
    '          hosts_in_maintenance - hosts_draining - hosts_restoring.',
    'The read role suffices (xenherd-controller operator nagios --role read).',
    '',
    `usage: xenherdctl ${CHECK_USAGE}`,
    '       xenherdctl check -V|--version   the plugin\'s name and version, exit 3 (as plugins do)',
    'exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (every failure included)',
    '',
  ].join('\n'),
};
