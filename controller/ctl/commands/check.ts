import type { CliIo } from '../../../shared/cli/io.js';
import { CHECK_EXIT, CheckAnswerSchema } from '../../../shared/protocol/ctl-check.js';
import { VERSION } from '../../../shared/version.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { CHECK_USAGE } from '../help/check.js';
import { certificateTimeOutput, renderCheck, unknownOutput, withControllerNote, type PluginOutput } from '../nagios-output.js';
import { askedThresholds, CHECK_OPTIONS, thresholdsOf } from './check-thresholds.js';
import { jsonLine } from '../../../shared/text/printable.js';

async function verdict(argv: readonly string[], io: CliIo, hooks: CtlHooks, json: boolean): Promise<PluginOutput> {
  // Nothing on stderr, not even a warning (ctl.json readable by others): Icinga 2 and mod_gearman
  // read a plugin's stderr into its output, where a line before the status line takes its place.
  const inv = begin(argv, { ...io, stderr: () => undefined }, hooks, CHECK_OPTIONS.map(([name]) => ({ name, takesValue: true })), [0, 0], CHECK_USAGE);
  if (!inv.ok) return unknownOutput(inv.error, json);
  const t = thresholdsOf(inv.value.args);
  if (!t.ok) return unknownOutput(t.error, json);
  const asked = askedThresholds(inv.value.args);
  const query = new URLSearchParams(asked.map((key): [string, string] => [key, String(t.value[key])]));
  const r = await inv.value.client.get(`/check?${query.toString()}`, CheckAnswerSchema);
  if (!r.ok) return r.error.certificateTime === undefined ? unknownOutput(r.error, json) : certificateTimeOutput(r.error, r.error.certificateTime, json);
  // a controller that judged by other thresholds than asked must not pass for an answer
  if (asked.some((key) => r.value.thresholds[key] !== t.value[key])) {
    return unknownOutput({ code: 'XH_ERR_PROTOCOL', message: 'the controller judged with other thresholds than asked: are xenherdctl and the controller the same version?' }, json);
  }
  // stderr is no place for the choice's note here (above): it goes into the verdict
  const note = (await inv.value.client.chosen())?.note ?? null;
  const answer = note === null ? r.value : withControllerNote(r.value, note);
  return json ? { text: jsonLine(answer), exitCode: renderCheck(answer).exitCode } : renderCheck(answer);
}

/**
 * A Nagios plugin: whatever goes wrong (a bad option, no config, the controller down or refusing
 * the token, an answer that is not one, a bug here) ends as one UNKNOWN line on stdout and exit
 * 3, never with another code: a monitoring system reads anything else as a broken plugin. The one
 * failure that is a verdict: the controller's certificate refused because it expired (or is not
 * valid yet), CRITICAL, exit 2: every agent refuses it too.
 */
export async function check(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  // The Monitoring Plugins guidelines reserve -V/--version for the plugin's name and version, and
  // ask for exit 3: a version is no verdict, and a monitoring system must not read one into it.
  if (argv.includes('--version') || argv.includes('-V')) {
    io.stdout(`xenherdctl check ${VERSION}\n`);
    return CHECK_EXIT.UNKNOWN;
  }
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
