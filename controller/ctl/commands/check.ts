import type { ParsedArgv } from '../../../shared/cli/argv.js';
import type { CliIo } from '../../../shared/cli/io.js';
import type { Command } from '../../../shared/cli/program.js';
import type { XhError } from '../../../shared/errors.js';
import { CheckAnswerSchema, CheckThresholdsSchema, DEFAULT_CHECK_THRESHOLDS, type CheckThresholds } from '../../../shared/protocol/ctl-check.js';
import { err, ok, type Result } from '../../../shared/result.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { parseDuration } from '../duration.js';
import { renderCheck, unknownOutput, type PluginOutput } from '../nagios-output.js';
import { optionValue } from '../options.js';

const USAGE = 'check [--warn-deferred DURATION] [--crit-deferred DURATION] [--not-home-after DURATION] [--json]';

const OPTIONS: ReadonlyArray<readonly [string, keyof CheckThresholds]> = [
  ['warn-deferred', 'warnDeferredMs'],
  ['crit-deferred', 'critDeferredMs'],
  ['not-home-after', 'notHomeAfterMs'],
];

/** The thresholds from the command line, defaults for those not given. */
function thresholdsOf(args: ParsedArgv): Result<CheckThresholds, XhError> {
  const t: Record<string, number> = { ...DEFAULT_CHECK_THRESHOLDS };
  for (const [option, key] of OPTIONS) {
    const text = optionValue(args, option);
    if (text === undefined) continue;
    const ms = parseDuration(text);
    if (ms === null) return err({ code: 'XH_ERR_USAGE', message: `--${option} ${JSON.stringify(text)} is not a duration (e.g. 90s, 15m, 1h)` });
    t[key] = ms;
  }
  const parsed = CheckThresholdsSchema.safeParse(t);
  return parsed.success ? ok(parsed.data) : err({ code: 'XH_ERR_USAGE', message: `${parsed.error.issues[0]?.message ?? 'bad thresholds'} (--warn-deferred, --crit-deferred)` });
}

async function verdict(argv: readonly string[], io: CliIo, hooks: CtlHooks, json: boolean): Promise<PluginOutput> {
  const inv = begin(argv, io, hooks, OPTIONS.map(([name]) => ({ name, takesValue: true })), [0, 0], USAGE);
  if (!inv.ok) return unknownOutput(inv.error, json);
  const t = thresholdsOf(inv.value.args);
  if (!t.ok) return unknownOutput(t.error, json);
  const query = new URLSearchParams(OPTIONS.map(([, key]): [string, string] => [key, String(t.value[key])]));
  const r = await inv.value.client.get(`/check?${query.toString()}`, CheckAnswerSchema);
  if (!r.ok) return unknownOutput(r.error, json);
  // a controller that judged by other thresholds than asked must not pass for an answer
  if (OPTIONS.some(([, key]) => r.value.thresholds[key] !== t.value[key])) {
    return unknownOutput({ code: 'XH_ERR_PROTOCOL', message: 'the controller judged with other thresholds than asked: are xenherdctl and the controller the same version?' }, json);
  }
  return json ? { text: `${JSON.stringify(r.value)}\n`, exitCode: renderCheck(r.value).exitCode } : renderCheck(r.value);
}

/**
 * A Nagios plugin: whatever goes wrong (a bad option, no config, the controller down or refusing
 * the token, an answer that is not one, a bug here) ends as one UNKNOWN line on stdout and exit
 * 3, never with another code: a monitoring system reads anything else as a broken plugin.
 */
async function check(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const json = wantsJson(argv);
  let out: PluginOutput;
  try {
    out = await verdict(argv, io, hooks, json);
  } catch (e) {
    out = unknownOutput({ code: 'XH_ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) }, json);
  }
  io.stdout(out.text);
  return out.exitCode;
}

export const checkCommand = (hooks: CtlHooks): Command => ({
  name: 'check',
  summary: 'A Nagios/Icinga plugin: the fleet judged by the controller, one status line, perfdata, exit 0-3.',
  usage: USAGE,
  help: [
    'Asks the controller to judge the fleet and prints it as a Nagios plugin does: one line',
    "'XENHERD STATUS - summary | perfdata', then one line per problem, worst first.",
    '',
    'CRITICAL  a domU running on two hosts; a DRBD resource Primary on both nodes; a migration whose',
    '          end was lost (its NAME--migratedaway half standing over a minute); a migration that ended',
    '          in an ALARM (XH_ERR_MIGRATION_UNKNOWN), until xenherd-agent reconcile NAME on its Dom0;',
    '          an agent unreachable (WARNING if its last report said it is in maintenance); a guarded',
    '          domU running nowhere whose start is deferred longer than --crit-deferred; a domU not on',
    '          its home --not-home-after after the home came back online (or after it left, if later).',
    'WARNING   a domU away from its online home for less than that; a DRBD disk or peer disk not',
    '          UpToDate; a deferred start longer than --warn-deferred; a home claimed twice; a ledger',
    '          record the fleet contradicts; a domU away from home that no ledger records (30 s on).',
    'UNKNOWN   the controller cannot be asked (unreachable, token refused, a bad answer) or has no',
    '          Dom0 reporting to it; a bad option.',
    '',
    `defaults: --warn-deferred ${DEFAULT_CHECK_THRESHOLDS.warnDeferredMs / 60_000}m, --crit-deferred ${DEFAULT_CHECK_THRESHOLDS.critDeferredMs / 60_000}m, --not-home-after ${DEFAULT_CHECK_THRESHOLDS.notHomeAfterMs / 60_000}m`,
    'perfdata: hosts, hosts_unreachable, hosts_in_maintenance, domus_running, domus_away, alerts,',
    '          drbd_not_uptodate, deferred_max_s, not_home_max_s',
    'The read role suffices (xenherd-controller operator nagios --role read).',
    '',
    `usage: xenherdctl ${USAGE}`,
    'exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (every failure included)',
    '',
  ].join('\n'),
  run: (argv, io) => check(argv, io, hooks),
});
